//! The question SLA wired to stored questions: a question asked on Friday at
//! 21:50 Beijing time has used 10 service minutes at 22:00; the clock stands
//! still overnight and starts again at 08:30 on Saturday. It reaches the
//! advisor's queue after 15 service minutes and the branch manager after 120,
//! and its response time counts service minutes only.

use access::{Principal, Role};
use app::community::{Communities, Draft, Posted};
use chrono::{DateTime, TimeZone, Utc};
use community::service_clock::Escalation;
use domain::{BranchId, CustomerId, StaffId, UserId};
use test_support::sqlite_with_firm;

fn beijing(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    chrono::FixedOffset::east_opt(8 * 3600).unwrap().with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap().with_timezone(&Utc)
}

fn staff(role: Role, staff_id: i64, branch_id: i64) -> Principal {
    Principal {
        user_id: UserId(staff_id),
        login: format!("staff{staff_id}"),
        role,
        staff_id: Some(StaffId(staff_id)),
        branch_id: Some(BranchId(branch_id)),
        customer_id: None,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn questions_escalate_on_service_minutes_across_the_night_and_the_weekend() {
    let book = sqlite_with_firm(200, 100).await;
    let db = &book.db;
    let advisor_id: i64 =
        book.text("SELECT CAST(advisor_id AS TEXT) FROM customers WHERE id = 1").await.parse().unwrap();
    let branch_id: i64 = book.text("SELECT CAST(branch_id AS TEXT) FROM customers WHERE id = 1").await.parse().unwrap();
    let manager_id: i64 = book
        .text(&format!("SELECT CAST(MIN(id) AS TEXT) FROM staff WHERE role = 'manager' AND branch_id = {branch_id}"))
        .await
        .parse()
        .unwrap();
    // A manager of a branch this book does not have.
    let other_manager = 999_999;
    let communities = Communities::new(db.clone());
    let advisor = staff(Role::Advisor, advisor_id, branch_id);
    let manager = staff(Role::Manager, manager_id, branch_id);
    let elsewhere = staff(Role::Manager, other_manager, branch_id + 1000);
    let group = communities.create_group(&advisor, "答疑群", "", None, None).await.unwrap();
    db.add_member(group, CustomerId(1), Utc::now()).await.unwrap();
    let customer = Principal {
        user_id: UserId(999),
        login: "c1".into(),
        role: Role::Customer,
        staff_id: None,
        branch_id: None,
        customer_id: Some(CustomerId(1)),
    };
    let ask =
        |text: &str, question: bool| Draft { text: text.into(), reply_to: None, question, confirm_unsuitable: false };
    let Posted::Sent(asked) = communities.post(&customer, group, &ask("明天还能买吗", false)).await.unwrap()
    else {
        panic!("an ordinary question is sent");
    };
    let Posted::Sent(statement) = communities.post(&customer, group, &ask("我买了一些", false)).await.unwrap()
    else {
        panic!("sent");
    };
    let Posted::Sent(explicit) = communities.post(&customer, group, &ask("我买了一些，您看", true)).await.unwrap()
    else {
        panic!("sent");
    };
    assert!(db.question(statement.id).await.unwrap().is_none(), "a statement is not a question");
    assert!(db.question(explicit.id).await.unwrap().is_some(), "asked explicitly");
    // Asked on Friday 2026-11-20 at 21:50 Beijing time.
    let friday = beijing(2026, 11, 20, 21, 50);
    book.execute(&format!(
        "UPDATE group_questions SET asked_at = '{}' WHERE message_id IN ({}, {})",
        friday.to_rfc3339(),
        asked.id,
        explicit.id
    ))
    .await;

    let at = |now| {
        let (c, advisor, manager, elsewhere) = (&communities, &advisor, &manager, &elsewhere);
        async move {
            let mine = c.question_queue(advisor, now).await.unwrap();
            let branch = c.question_queue(manager, now).await.unwrap();
            let other = c.question_queue(elsewhere, now).await.unwrap();
            (mine, branch, other)
        }
    };
    // 21:59: nine minutes; not yet the advisor's to chase.
    let (mine, branch, _) = at(beijing(2026, 11, 20, 21, 59)).await;
    assert!(mine.is_empty() && branch.is_empty());
    // Saturday 08:34: ten minutes Friday night and four this morning; still open.
    let (mine, _, _) = at(beijing(2026, 11, 21, 8, 34)).await;
    assert!(mine.is_empty(), "the night does not count");
    // Saturday 08:36: sixteen service minutes, in the advisor's queue.
    let (mine, branch, _) = at(beijing(2026, 11, 21, 8, 36)).await;
    assert_eq!(mine.len(), 2);
    assert_eq!((mine[0].service_minutes, mine[0].escalation), (16, Escalation::AdvisorQueue));
    assert!(branch.is_empty());
    // Saturday 10:20 is 120 service minutes: the branch manager's, and no other branch's.
    let (mine, branch, other) = at(beijing(2026, 11, 21, 10, 20)).await;
    assert_eq!(mine[0].escalation, Escalation::BranchManager);
    assert_eq!(branch.len(), 2);
    assert!(other.is_empty());

    // The advisor answers one by replying, and accepts a member's reply to the other.
    let reply =
        Draft {
            text: "可以，注意仓位".into(), reply_to: Some(asked.id), question: false, confirm_unsuitable: false
        };
    let Posted::Sent(answer) = communities.post(&advisor, group, &reply).await.unwrap() else { panic!("sent") };
    let q = db.question(asked.id).await.unwrap().unwrap();
    assert_eq!(q.answer_id, Some(answer.id));
    let peer =
        Draft {
            text: "我觉得可以".into(), reply_to: Some(explicit.id), question: false, confirm_unsuitable: false
        };
    let Posted::Sent(peer) = communities.post(&customer, group, &peer).await.unwrap() else { panic!("sent") };
    assert!(communities.accept_answer(&customer, explicit.id, peer.id).await.is_err(), "only admins accept");
    assert!(communities.accept_answer(&advisor, explicit.id, statement.id).await.is_err(), "not a reply to it");
    communities.accept_answer(&advisor, explicit.id, peer.id).await.unwrap();
    assert!(communities.accept_answer(&advisor, explicit.id, peer.id).await.is_err(), "answered once");
    let (mine, branch, _) = at(Utc::now()).await;
    assert!(mine.is_empty() && branch.is_empty(), "answered questions leave the queues");

    // Response times count service minutes from Friday 21:50 to now, the same for both.
    let expected = community::service_clock::ServiceHours::default().between(friday, answer.at).num_minutes();
    let times = communities.response_times(&advisor, friday - chrono::Duration::days(1)).await.unwrap();
    let by_advisor = times.iter().find(|t| t.by == "advisor").unwrap();
    assert_eq!(by_advisor.answered, 2);
    assert!((by_advisor.p50 - expected).abs() <= 1, "{by_advisor:?} against {expected}");
    assert!(times.iter().any(|t| t.by == "group" && t.id == group.0));
    assert!(communities.response_times(&customer, friday).await.is_err());
}

#[tokio::test(flavor = "multi_thread")]
async fn within_a_step_the_higher_tiers_question_comes_first() {
    let book = sqlite_with_firm(200, 100).await;
    let db = &book.db;
    let advisor_id: i64 =
        book.text("SELECT CAST(advisor_id AS TEXT) FROM customers WHERE id = 1").await.parse().unwrap();
    let branch_id: i64 = book.text("SELECT CAST(branch_id AS TEXT) FROM customers WHERE id = 1").await.parse().unwrap();
    let communities = Communities::new(db.clone()).with_growth(growth::GrowthRules::default());
    let advisor = staff(Role::Advisor, advisor_id, branch_id);
    let group = communities.create_group(&advisor, "答疑群", "", None, None).await.unwrap();
    let mut asked = Vec::new();
    for c in [1, 2] {
        db.add_member(group, CustomerId(c), Utc::now()).await.unwrap();
        let customer = Principal {
            user_id: UserId(900 + c),
            login: format!("c{c}"),
            role: Role::Customer,
            staff_id: None,
            branch_id: None,
            customer_id: Some(CustomerId(c)),
        };
        let q = Draft { text: "明天还能买吗".into(), reply_to: None, question: true, confirm_unsuitable: false };
        let Posted::Sent(m) = communities.post(&customer, group, &q).await.unwrap() else { panic!("sent") };
        asked.push(m.id);
    }
    // Asked at the same moment; customer 2 is gold (question priority 2), customer 1 has no tier.
    let friday = beijing(2026, 11, 20, 21, 50);
    book.execute(&format!("UPDATE group_questions SET asked_at = '{}'", friday.to_rfc3339())).await;
    book.execute(
        "INSERT INTO customer_tiers (customer_id, tier, since, reason, rolling_points, judged_on) \
         VALUES (2, 'gold', '2026-01-01', 'rise', 3000, '2026-01-01')",
    )
    .await;
    let queue = communities.question_queue(&advisor, beijing(2026, 11, 21, 8, 36)).await.unwrap();
    let order: Vec<(i64, &str, u8)> =
        queue.iter().map(|q| (q.question.customer_id.0, q.tier.as_str(), q.priority)).collect();
    assert_eq!(order, vec![(2, "gold", 2), (1, "standard", 0)], "asked later, answered first");
}
