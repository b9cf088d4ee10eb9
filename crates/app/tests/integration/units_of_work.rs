//! Use cases that write several things are one unit of work: when a write
//! fails partway, none of the use case's writes stay. The failure is made by
//! the database itself (a trigger that refuses the mute), as a full disk or a
//! lost connection would make it, on both backends.

use access::{Principal, Role};
use app::community::{Communities, CommunityError};
use chrono::Utc;
use domain::{CustomerId, StaffId, UserId};

fn advisor(staff_id: StaffId) -> Principal {
    Principal {
        user_id: UserId(staff_id.0),
        login: format!("staff{staff_id}"),
        role: Role::Advisor,
        staff_id: Some(staff_id),
        branch_id: None,
        customer_id: None,
    }
}

/// A trigger that makes every mute fail, as the database's own refusal.
fn refuse_mutes(backend: &str) -> Vec<&'static str> {
    if backend == "sqlite" {
        vec![
            "CREATE TRIGGER refuse_mutes BEFORE UPDATE OF muted_until ON group_members \
             WHEN NEW.muted_until IS NOT NULL BEGIN SELECT RAISE(ABORT, 'injected failure'); END",
        ]
    } else {
        vec![
            "CREATE FUNCTION refuse_mute() RETURNS trigger AS $$ BEGIN \
             RAISE EXCEPTION 'injected failure'; END $$ LANGUAGE plpgsql",
            "CREATE TRIGGER refuse_mutes BEFORE UPDATE OF muted_until ON group_members FOR EACH ROW \
             WHEN (NEW.muted_until IS NOT NULL) EXECUTE FUNCTION refuse_mute()",
        ]
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_mute_that_fails_after_its_log_row_leaves_neither() {
    for mut t in test_support::backends().await {
        test_support::load_book(&mut t, 12, 6).await;
        let advisor_id: StaffId =
            t.text("SELECT CAST(advisor_id AS TEXT) FROM customers WHERE id = 1").await.parse().unwrap();
        let communities = Communities::new(t.db.clone());
        let admin = advisor(advisor_id);
        let group = communities.create_group(&admin, "晨会群", "", None, None).await.unwrap();
        t.db.add_member(group, CustomerId(1), Utc::now()).await.unwrap();
        let actions = "SELECT CAST(COUNT(*) AS TEXT) FROM moderation_actions";
        let muted =
            "SELECT CASE WHEN muted_until IS NULL THEN 'no' ELSE 'yes' END FROM group_members WHERE customer_id = 1";

        for sql in refuse_mutes(t.name) {
            t.execute(sql).await;
        }
        let refused =
            communities.sanction_member(&admin, group, CustomerId(1), "mute_hour", "kept posting stock tips").await;
        assert!(matches!(refused, Err(CommunityError::Store(_))), "{}: {refused:?}", t.name);
        assert_eq!(t.text(actions).await, "0", "{}: no log row for a mute that did not happen", t.name);
        assert_eq!(t.text(muted).await, "no", "{}", t.name);

        // With the database willing again, the same request writes both.
        let drop =
            if t.name == "sqlite" { "DROP TRIGGER refuse_mutes" } else { "DROP TRIGGER refuse_mutes ON group_members" };
        t.execute(drop).await;
        let id =
            communities.sanction_member(&admin, group, CustomerId(1), "mute_hour", "kept posting stock tips").await;
        assert!(id.is_ok(), "{}: {id:?}", t.name);
        assert_eq!((t.text(actions).await, t.text(muted).await), ("1".into(), "yes".into()), "{}", t.name);
    }
}
