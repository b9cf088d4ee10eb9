//! A group's seed users found from its stored chat: the enthusiastic member
//! (many messages, quick replies to the advisor, welcomes to newcomers) and
//! the expert (substantive messages that draw replies), each with the
//! figures that decided it; and the advisor's private follow-up list.

use access::{Principal, Role};
use app::community::Communities;
use chrono::{Duration, Utc};
use community::seeds::SeedKind;
use domain::{CustomerId, GroupId, MessageId, SenderKind, StaffId, UserId};
use store::NewMessage;
use test_support::sqlite_with_firm;

fn message(
    group: GroupId,
    kind: SenderKind,
    sender: i64,
    body: &str,
    reply_to: Option<MessageId>,
    minutes_ago: i64,
) -> NewMessage {
    NewMessage {
        group_id: group,
        sender_kind: kind,
        sender_id: sender,
        sender_name: format!("{kind}{sender}"),
        body: body.to_owned(),
        reply_to,
        mentions: "[]".into(),
        content_id: None,
        at: Utc::now() - Duration::minutes(minutes_ago),
        red_envelope_id: None,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn seed_users_come_with_their_reasons() {
    let book = sqlite_with_firm(200, 100).await;
    let db = &book.db;
    let advisor_id: StaffId =
        book.text("SELECT CAST(advisor_id AS TEXT) FROM customers WHERE id = 1").await.parse().unwrap();
    let advisor = Principal {
        user_id: UserId(1),
        login: "advisor".into(),
        role: Role::Advisor,
        staff_id: Some(advisor_id),
        branch_id: None,
        customer_id: None,
    };
    let c = Communities::new(db.clone());
    let group = c.create_group(&advisor, "研习社", "", None, None).await.unwrap();
    let members: Vec<CustomerId> = (1..=20).map(CustomerId).collect();
    db.add_members(group, &members, Utc::now()).await.unwrap();
    let (keen, expert) = (CustomerId(3), CustomerId(7));
    // The keen member: 25 messages, 4 of them replies within minutes to the advisor's posts.
    for k in 0..4 {
        let post = db
            .insert_message(&message(group, SenderKind::Staff, advisor_id.0, "今天关注什么板块？", None, 300 - k * 60))
            .await
            .unwrap();
        db.insert_message(&message(group, SenderKind::Customer, keen.0, "我看好消费", Some(post.id), 298 - k * 60))
            .await
            .unwrap();
    }
    for k in 0..21 {
        db.insert_message(&message(group, SenderKind::Customer, keen.0, "早上好", None, 200 - k)).await.unwrap();
    }
    // The expert: five long messages, each drawing two replies from others.
    let long = "从估值、现金流和行业景气度三个角度看，这家公司目前的市盈率处于历史低位，但需要关注应收账款的变化和下游需求的持续性。";
    assert!(long.chars().count() >= 50);
    for k in 0..5 {
        let m =
            db.insert_message(&message(group, SenderKind::Customer, expert.0, long, None, 150 - k * 10)).await.unwrap();
        for other in [11, 12] {
            db.insert_message(&message(group, SenderKind::Customer, other, "有道理", Some(m.id), 149 - k * 10))
                .await
                .unwrap();
        }
    }
    let seeds = c.seeds(&advisor, group, 30).await.unwrap();
    let of = |id: CustomerId| seeds.iter().filter(|s| s.customer_id == id).collect::<Vec<_>>();
    assert_eq!(of(keen).len(), 1, "{seeds:?}");
    assert_eq!(of(keen)[0].kind, SeedKind::Enthusiastic);
    assert!(of(keen)[0].reasons[0].starts_with("messages 25 "), "{:?}", of(keen)[0].reasons);
    assert!(of(keen)[0].reasons.iter().any(|r| r == "quick_replies_to_advisor 4"), "{:?}", of(keen)[0].reasons);
    assert_eq!(of(expert).len(), 1, "{seeds:?}");
    assert_eq!(of(expert)[0].kind, SeedKind::Expert);
    assert!(of(expert)[0].reasons.iter().any(|r| r == "replies_drawn 10"), "{:?}", of(expert)[0].reasons);
    assert!(of(CustomerId(11)).is_empty(), "agreeing is not expertise");

    // Members do not see seed users; the advisor keeps a private follow-up list.
    let member = Principal {
        user_id: UserId(2),
        login: "m".into(),
        role: Role::Customer,
        staff_id: None,
        branch_id: None,
        customer_id: Some(keen),
    };
    assert!(c.seeds(&member, group, 30).await.is_err());
    c.follow_up(&advisor, expert, "约一次电话，邀请做群内分享").await.unwrap();
    assert!(c.follow_up(&advisor, CustomerId(150), "another advisor's customer").await.is_err());
    assert!(c.follow_up(&advisor, expert, " ").await.is_err());
    let list = db.follow_ups(advisor_id).await.unwrap();
    assert_eq!((list.len(), list[0].customer_id, list[0].note.as_str()), (1, expert, "约一次电话，邀请做群内分享"));
}
