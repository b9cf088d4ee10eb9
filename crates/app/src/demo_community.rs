//! The demo's first advisor community: a group of the demo advisor's with
//! the demo customer and some thirty others in it, a pinned welcome, a
//! question answered, a breach stopped by the rules (so the moderation log
//! has an entry), and a pre-market preview approved by compliance and
//! published. Everything goes through the same code as the pages.

use crate::community::{Communities, CommunityError, Draft, Posted};
use access::{Principal, Role};
use domain::{CustomerId, GroupId, MessageId, StaffId, UserId};
use store::Db;

/// What the demo made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoCommunity {
    /// The group.
    pub group_id: GroupId,
    /// Its members.
    pub members: usize,
    /// Messages in it.
    pub messages: usize,
    /// The advisor's red envelope in it, and how many members opened it: id, points, shares opened.
    pub envelope: Option<(i64, i64, i64)>,
}

fn staff(role: Role, login: &str, staff_id: StaffId) -> Principal {
    let branch_id = None;
    Principal {
        user_id: UserId(0),
        login: login.to_owned(),
        role,
        staff_id: Some(staff_id),
        branch_id,
        customer_id: None,
    }
}

fn customer(id: CustomerId) -> Principal {
    Principal {
        user_id: UserId(0),
        login: format!("customer{id}"),
        role: Role::Customer,
        staff_id: None,
        branch_id: None,
        customer_id: Some(id),
    }
}

/// Sets up the demo group for `advisor`, with `demo_customer` in it; `compliance` approves its content.
pub async fn set_up(
    db: &Db,
    advisor: StaffId,
    compliance: StaffId,
    demo_customer: CustomerId,
) -> Result<DemoCommunity, CommunityError> {
    let c = Communities::new(db.clone());
    let adviser = staff(Role::Advisor, "advisor", advisor);
    let group = c
        .create_group(
            &adviser,
            "价值投资交流群",
            "每日盘前预览、盘后复盘，答疑 08:30-22:00。理性投资，远离荐股。",
            None,
            None,
        )
        .await?;
    let mut customers: Vec<CustomerId> = db.customers_of_advisor(advisor, 31).await?;
    if !customers.contains(&demo_customer) {
        customers.push(demo_customer);
    }
    db.add_members(group, &customers, db.now()).await?;
    let say =
        |text: &str, reply_to| Draft { text: text.to_owned(), reply_to, question: false, confirm_unsuitable: false };
    let sent = |p: Posted| match p {
        Posted::Sent(m) => Some(m.id),
        Posted::Blocked(_) => None,
    };
    let welcome = sent(
        c.post(
            &adviser,
            group,
            &say("欢迎各位！群规：不荐股、不承诺收益、不留站外联系方式。提问请直接发，08:30-22:00 必回。", None),
        )
        .await?,
    );
    if let Some(welcome) = welcome {
        c.pin(&adviser, group, welcome, true).await?;
    }
    let member = customer(demo_customer);
    let question = sent(c.post(&member, group, &say("老师，我的持仓跌了不少，现在该补仓吗？", None)).await?);
    c.post(&adviser, group, &say("先看仓位占比和止损位，不建议盲目摊低成本。我稍后单独和您聊。", question)).await?;
    if let Some(other) = customers.iter().find(|id| **id != demo_customer) {
        c.post(&customer(*other), group, &say("这只票保本稳赚，跟我买", None)).await?;
    }
    let item = c
        .draft_content(
            &adviser,
            "pre_market",
            "盘前预览：关注成交量变化",
            "隔夜外盘平稳。今日关注两市成交量能否放大，控制仓位，分批操作。",
        )
        .await?;
    c.submit_content(&adviser, item).await?;
    c.review_content(&staff(Role::Compliance, "compliance", compliance), item, 1, true, "符合规范").await?;
    c.schedule_content(&adviser, item, &[group], None).await?;
    // A red envelope from the advisor's budget, 888 points in 8 random shares; three members open theirs.
    let (e, _) = c.send_envelope(&adviser, group, 888, 8, growth::envelope::Split::Random).await?;
    let mut opened = 0;
    for m in customers.iter().filter(|id| **id != demo_customer).take(3) {
        c.open_envelope(&customer(*m), e.id).await?;
        opened += 1;
    }
    let messages = db.messages_after(group, MessageId(0), 1_000).await?.len();
    Ok(DemoCommunity { group_id: group, members: customers.len(), messages, envelope: Some((e.id, 888, opened)) })
}
