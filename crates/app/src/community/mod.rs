//! Advisor communities as a use case: groups and admission, the chat with
//! its moderation and question clock, and content that passes compliance.
//! The rules are the `community` crate's; this module applies them to
//! what the store holds and fans the chat out through the [`hub::ChatHub`].

pub mod content;
pub mod hub;

use access::{Principal, Role};
use chrono::{DateTime, Duration, Utc};
use community::admission::{self, Admission, Applicant, Refusal, Route};
use community::moderation::{self, Finding, FloodWindows, GroupRules, Sanction, Violation};
use community::service_clock::{Escalation, ServiceHours};
use hub::{ChatHub, Delivery};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use store::{Db, GroupRow, MessageRow, NewAction, NewGroup, NewMessage, QuestionRow, StoreError};
use thiserror::Error;

/// How long an invite link works unless the advisor says otherwise.
pub const INVITE_DAYS: i64 = 7;
/// The most members a group may hold (WeCom's groups hold 500; a broadcast group more).
pub const MAX_CAPACITY: i64 = 10_000;
/// The longest chat message, in characters.
pub const MAX_MESSAGE_CHARS: usize = 2_000;

/// Why a community request was not done.
#[derive(Debug, Error)]
pub enum CommunityError {
    /// No such group, message or item (or not one the caller may see).
    #[error("not found")]
    NotFound,
    /// The caller may not do this, and why.
    #[error("{0}")]
    Forbidden(&'static str),
    /// A field is wrong, and why.
    #[error("{field}: {reason}")]
    Invalid {
        /// The field.
        field: &'static str,
        /// Why.
        reason: String,
    },
    /// Admission refused the customer.
    #[error("{}", .0.message())]
    Refused(Refusal),
    /// The member is muted.
    #[error("you are muted in this group until {} (Beijing time)", domain::to_shanghai(*.0).format("%Y-%m-%d %H:%M"))]
    Muted(DateTime<Utc>),
    /// The thing is not in a state that allows this.
    #[error("{0}")]
    Conflict(&'static str),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What admission knows of an applicant, from what the store holds.
fn applicant_of(facts: &store::EntryFacts) -> Applicant {
    Applicant {
        firm_customer: facts.verified.is_some(),
        real_name_verified: facts.verified == Some(true),
        banned_by_advisor: facts.banned,
        member: facts.member,
    }
}

fn invalid(field: &'static str, reason: impl Into<String>) -> CommunityError {
    CommunityError::Invalid { field, reason: reason.into() }
}

/// Where a principal stands in a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// The owner or a co-admin: writes, moderates, admits.
    Admin {
        /// Their staff id.
        staff_id: i64,
    },
    /// A member: writes under the group's rules.
    Member {
        /// Their customer id.
        customer_id: i64,
    },
    /// Staff who oversee it (the branch manager, compliance, administrators): read only.
    Observer,
    /// Nobody the group concerns.
    Outsider,
}

impl Standing {
    /// May read the chat and the moderation log.
    pub fn reads(self) -> bool {
        !matches!(self, Standing::Outsider)
    }

    /// Runs the group.
    pub fn is_admin(self) -> bool {
        matches!(self, Standing::Admin { .. })
    }
}

/// A message as clients receive it.
#[derive(Debug, Clone, Serialize)]
pub struct ChatMessage {
    /// Always "message".
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// Id; rises in the order messages are sent.
    pub id: i64,
    /// The group.
    pub group_id: i64,
    /// staff, customer or system.
    pub sender_kind: String,
    /// Staff or customer id.
    pub sender_id: i64,
    /// Name as shown.
    pub sender_name: String,
    /// Text.
    pub body: String,
    /// The message this replies to.
    pub reply_to: Option<i64>,
    /// Names mentioned.
    pub mentions: Vec<String>,
    /// A pinned notice.
    pub pinned: bool,
    /// The content item it carries.
    pub content_id: Option<i64>,
    /// Sent (RFC 3339).
    pub at: String,
}

impl From<&MessageRow> for ChatMessage {
    fn from(m: &MessageRow) -> Self {
        ChatMessage {
            kind: "message",
            id: m.id,
            group_id: m.group_id,
            sender_kind: m.sender_kind.clone(),
            sender_id: m.sender_id,
            sender_name: m.sender_name.clone(),
            body: m.body.clone(),
            reply_to: m.reply_to,
            mentions: serde_json::from_str(&m.mentions).unwrap_or_default(),
            pinned: m.pinned,
            content_id: m.content_id,
            at: m.at.to_rfc3339(),
        }
    }
}

/// A member's message the rules stopped, and what followed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Blocked {
    /// The moderation log entry (to appeal).
    pub action_id: i64,
    /// The rule broken.
    pub violation: Violation,
    /// The words that broke it.
    pub excerpt: String,
    /// The sanction.
    pub sanction: Sanction,
    /// Muted until, for a mute.
    pub muted_until: Option<DateTime<Utc>>,
}

/// What became of a message sent.
#[derive(Debug, Clone)]
pub enum Posted {
    /// Sent to the group.
    Sent(MessageRow),
    /// Stopped by the group's rules.
    Blocked(Blocked),
}

/// A message to send.
#[derive(Debug, Clone, Default)]
pub struct Draft {
    /// Text.
    pub text: String,
    /// Replying to this message of the group.
    pub reply_to: Option<i64>,
    /// Asked as a question explicitly.
    pub question: bool,
}

/// An open question with where its clock stands.
#[derive(Debug, Clone, Serialize)]
pub struct OpenQuestion {
    /// The question.
    #[serde(flatten)]
    pub question: QuestionRow,
    /// Service minutes so far.
    pub service_minutes: i64,
    /// Where it stands.
    pub escalation: Escalation,
}

/// Response-time percentiles of answered questions, in service minutes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResponseTimes {
    /// `advisor` or `group`.
    pub by: &'static str,
    /// Advisor or group id.
    pub id: i64,
    /// Questions answered.
    pub answered: usize,
    /// Median.
    pub p50: i64,
    /// 90th percentile.
    pub p90: i64,
    /// 99th percentile.
    pub p99: i64,
}

/// Advisor communities over one database, with their live fan-out.
#[derive(Debug)]
pub struct Communities {
    db: Db,
    hours: ServiceHours,
    hub: Arc<ChatHub>,
    floods: Mutex<FloodWindows>,
    // One writer per group at a time, so ids rise in the order members see them.
    writers: Mutex<HashMap<i64, Arc<tokio::sync::Mutex<()>>>>,
    // One publisher of scheduled content at a time, so nothing goes out twice.
    publishing: tokio::sync::Mutex<()>,
}

impl Communities {
    /// Communities over `db`, with the standard service hours.
    pub fn new(db: Db) -> Communities {
        Communities {
            db,
            hours: ServiceHours::default(),
            hub: Arc::default(),
            floods: Mutex::default(),
            writers: Mutex::default(),
            publishing: tokio::sync::Mutex::default(),
        }
    }

    /// These communities with their chat put on the wire by `wire` (the
    /// server's WebSocket framing).
    pub fn with_wire(mut self, wire: hub::Wire) -> Communities {
        self.hub = Arc::new(ChatHub::new(wire));
        self
    }

    /// The live fan-out.
    pub fn hub(&self) -> &ChatHub {
        &self.hub
    }

    /// The database.
    pub fn db(&self) -> &Db {
        &self.db
    }

    /// A group the principal may read, with where they stand.
    pub async fn group_for(
        &self,
        principal: &Principal,
        group_id: i64,
    ) -> Result<(GroupRow, Standing), CommunityError> {
        let (group, standing, _) = self.group_with_membership(principal, group_id).await?;
        Ok((group, standing))
    }

    /// `group_for`, with the principal's membership when they are a member.
    async fn group_with_membership(
        &self,
        principal: &Principal,
        group_id: i64,
    ) -> Result<(GroupRow, Standing, Option<store::MemberRow>), CommunityError> {
        let group = self.db.group(group_id).await?.ok_or(CommunityError::NotFound)?;
        let (standing, membership) = self.standing_with_membership(principal, &group).await?;
        if !standing.reads() {
            return Err(CommunityError::NotFound);
        }
        Ok((group, standing, membership))
    }

    /// Where the principal stands in a group.
    pub async fn standing(&self, principal: &Principal, group: &GroupRow) -> Result<Standing, CommunityError> {
        Ok(self.standing_with_membership(principal, group).await?.0)
    }

    /// Where the principal stands, with their membership when they are a
    /// member (which posting reads too: one read serves both).
    async fn standing_with_membership(
        &self,
        principal: &Principal,
        group: &GroupRow,
    ) -> Result<(Standing, Option<store::MemberRow>), CommunityError> {
        if let Some(staff_id) = principal.staff_id {
            if group.advisor_id == staff_id || self.db.group_admins(group.id).await?.contains(&staff_id) {
                return Ok((Standing::Admin { staff_id }, None));
            }
        }
        Ok(match principal.role {
            Role::Compliance | Role::Admin => (Standing::Observer, None),
            Role::Manager if principal.branch_id == Some(group.branch_id) => (Standing::Observer, None),
            Role::Customer => match principal.customer_id {
                Some(c) => match self.db.membership(group.id, c).await? {
                    Some(m) if m.removed_at.is_none() => (Standing::Member { customer_id: c }, Some(m)),
                    _ => (Standing::Outsider, None),
                },
                None => (Standing::Outsider, None),
            },
            _ => (Standing::Outsider, None),
        })
    }

    /// The groups a principal sees: the ones they run or oversee; for a
    /// customer, the ones they are in and their advisor's others (to apply to).
    pub async fn groups_of(&self, principal: &Principal) -> Result<(Vec<GroupRow>, Vec<GroupRow>), CommunityError> {
        Ok(match (principal.role, principal.staff_id, principal.customer_id) {
            (Role::Customer, _, Some(c)) => (self.db.groups_joined(c).await?, self.db.groups_open_to(c).await?),
            (Role::Compliance | Role::Admin, _, _) => (self.db.groups_of_branch(None).await?, Vec::new()),
            (Role::Manager, _, _) => (self.db.groups_of_branch(principal.branch_id).await?, Vec::new()),
            (_, Some(s), _) => (self.db.groups_run_by(s).await?, Vec::new()),
            _ => (Vec::new(), Vec::new()),
        })
    }

    /// An advisor makes a group; its id. The rules are the firm's defaults
    /// unless given (JSON of `community::moderation::GroupRules`).
    pub async fn create_group(
        &self,
        principal: &Principal,
        name: &str,
        description: &str,
        rules: Option<&str>,
        capacity: Option<i64>,
    ) -> Result<i64, CommunityError> {
        let advisor_id = match (principal.role, principal.staff_id) {
            (Role::Advisor, Some(s)) => s,
            _ => return Err(CommunityError::Forbidden("only advisors own groups")),
        };
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 60 {
            return Err(invalid("name", "give 1 to 60 characters"));
        }
        if description.chars().count() > 1_000 {
            return Err(invalid("description", "at most 1,000 characters"));
        }
        let rules: GroupRules = match rules {
            Some(text) if !text.trim().is_empty() => {
                serde_json::from_str(text).map_err(|e| invalid("rules", format!("not valid group rules: {e}")))?
            }
            _ => GroupRules::default(),
        };
        if rules.flood_messages == 0 || rules.flood_seconds <= 0 {
            return Err(invalid("rules", "flood_messages and flood_seconds must be positive"));
        }
        let capacity = capacity.unwrap_or(admission::DEFAULT_CAPACITY as i64);
        if !(1..=MAX_CAPACITY).contains(&capacity) {
            return Err(invalid("capacity", "from 1 to 10,000 members"));
        }
        let rules = serde_json::to_string(&rules).expect("group rules serialize");
        let group =
            NewGroup { advisor_id, name: name.to_owned(), description: description.trim().to_owned(), rules, capacity };
        Ok(self.db.create_group(&group).await?)
    }

    /// The owner adds a co-admin (staff), at most three.
    pub async fn add_co_admin(
        &self,
        principal: &Principal,
        group_id: i64,
        staff_id: i64,
    ) -> Result<(), CommunityError> {
        let (group, _) = self.group_for(principal, group_id).await?;
        if principal.staff_id != Some(group.advisor_id) {
            return Err(CommunityError::Forbidden("only the group's advisor names co-admins"));
        }
        if staff_id == group.advisor_id || !self.db.staff_exists(staff_id).await? {
            return Err(invalid("staff_id", "name another member of staff"));
        }
        let admins = self.db.group_admins(group_id).await?;
        if !admins.contains(&staff_id) && admins.len() >= admission::MAX_CO_ADMINS {
            return Err(CommunityError::Conflict("a group has at most 3 co-admins"));
        }
        Ok(self.db.add_group_admin(group_id, staff_id).await?)
    }

    async fn applicant(
        &self,
        group: &GroupRow,
        principal: &Principal,
    ) -> Result<(i64, Applicant, u32, u32), CommunityError> {
        let Some(customer_id) = principal.customer_id.filter(|_| principal.role == Role::Customer) else {
            return Err(CommunityError::Refused(Refusal::NotACustomer));
        };
        let facts = self.db.entry_facts(group.id, customer_id).await?.ok_or(CommunityError::NotFound)?;
        Ok((customer_id, applicant_of(&facts), facts.members as u32, facts.capacity as u32))
    }

    /// A customer applies to a group of their advisor's; the application id.
    pub async fn apply(&self, principal: &Principal, group_id: i64, note: &str) -> Result<i64, CommunityError> {
        let group = self.db.group(group_id).await?.ok_or(CommunityError::NotFound)?;
        let (customer_id, applicant, members, capacity) = self.applicant(&group, principal).await?;
        match admission::decide(applicant, Route::Application, members, capacity, Utc::now()) {
            Admission::Refused(r) => Err(CommunityError::Refused(r)),
            Admission::Admitted | Admission::AwaitsApproval => {
                Ok(self.db.apply_to_group(group_id, customer_id, note.trim()).await?)
            }
        }
    }

    /// An admin makes an invite link's token, valid for `days`.
    pub async fn invite(
        &self,
        principal: &Principal,
        group_id: i64,
        days: Option<i64>,
    ) -> Result<(String, DateTime<Utc>), CommunityError> {
        let (group, standing) = self.group_for(principal, group_id).await?;
        let Standing::Admin { staff_id } = standing else {
            return Err(CommunityError::Forbidden("only the group's admins invite"));
        };
        let days = days.unwrap_or(INVITE_DAYS);
        if !(1..=30).contains(&days) {
            return Err(invalid("days", "an invite lasts 1 to 30 days"));
        }
        let token = access::new_secret()[..24].to_owned();
        let expires_at = Utc::now() + Duration::days(days);
        self.db.create_invite(&token, group.id, staff_id, expires_at).await?;
        Ok((token, expires_at))
    }

    /// A customer follows an invite link: in at once, or refused with why. The group id.
    pub async fn accept_invite(&self, principal: &Principal, token: &str) -> Result<i64, CommunityError> {
        let (group_id, expires_at) = self.db.invite(token).await?.ok_or(CommunityError::NotFound)?;
        let group = self.db.group(group_id).await?.ok_or(CommunityError::NotFound)?;
        let (customer_id, applicant, members, capacity) = self.applicant(&group, principal).await?;
        match admission::decide(applicant, Route::Invite { expires_at }, members, capacity, Utc::now()) {
            Admission::Refused(r) => Err(CommunityError::Refused(r)),
            Admission::AwaitsApproval | Admission::Admitted => {
                self.admit(&group, customer_id).await?;
                Ok(group_id)
            }
        }
    }

    /// Puts a customer in and says so in the chat (members welcome newcomers by replying).
    async fn admit(&self, group: &GroupRow, customer_id: i64) -> Result<(), CommunityError> {
        self.db.add_member(group.id, customer_id, Utc::now()).await?;
        self.announce_joined(group, customer_id).await
    }

    /// Tells the group that a customer joined.
    async fn announce_joined(&self, group: &GroupRow, customer_id: i64) -> Result<(), CommunityError> {
        let name = self.db.customer_name(customer_id).await?.unwrap_or_default();
        let notice = NewMessage {
            group_id: group.id,
            sender_kind: "system",
            sender_id: 0,
            sender_name: String::new(),
            body: format!("{name} joined the group · {name} 加入了群聊"),
            reply_to: None,
            mentions: "[]".into(),
            content_id: None,
            at: Utc::now(),
        };
        self.send(notice, None).await?;
        Ok(())
    }

    /// An admin approves or rejects a pending application; a reason is required to reject.
    pub async fn decide_application(
        &self,
        principal: &Principal,
        application_id: i64,
        approve: bool,
        reason: &str,
    ) -> Result<(), CommunityError> {
        let application = self.db.application(application_id).await?.ok_or(CommunityError::NotFound)?;
        let (group, standing) = self.group_for(principal, application.group_id).await?;
        let Standing::Admin { staff_id } = standing else {
            return Err(CommunityError::Forbidden("only the group's admins decide applications"));
        };
        if application.status != "pending" {
            return Err(CommunityError::Conflict("the application was already decided"));
        }
        let reason = reason.trim();
        if !approve && reason.is_empty() {
            return Err(invalid("reason", "say why the application is rejected"));
        }
        if approve {
            // Admission is decided again now: the group may have filled, or a ban come in.
            let facts =
                self.db.entry_facts(group.id, application.customer_id).await?.ok_or(CommunityError::NotFound)?;
            let applicant = Applicant {
                firm_customer: facts.verified.is_some(),
                real_name_verified: facts.verified == Some(true),
                banned_by_advisor: facts.banned,
                member: facts.member,
            };
            if let Admission::Refused(r) = admission::decide(
                applicant,
                Route::Application,
                facts.members as u32,
                facts.capacity as u32,
                Utc::now(),
            ) {
                return Err(CommunityError::Refused(r));
            }
        }
        // The decision and the membership it grants are one unit of work.
        let mut unit = self.db.begin().await?;
        if !unit.decide_application(application_id, approve, reason, staff_id).await? {
            return Err(CommunityError::Conflict("the application was already decided"));
        }
        if approve {
            unit.add_member(group.id, application.customer_id, Utc::now()).await?;
        }
        unit.commit().await?;
        if approve {
            self.announce_joined(&group, application.customer_id).await?;
        }
        Ok(())
    }

    /// The group's advisor bans a customer from all of their groups; the groups they left.
    pub async fn ban(
        &self,
        principal: &Principal,
        group_id: i64,
        customer_id: i64,
        reason: &str,
    ) -> Result<Vec<i64>, CommunityError> {
        let (group, standing) = self.group_for(principal, group_id).await?;
        if !standing.is_admin() {
            return Err(CommunityError::Forbidden("only the group's admins ban"));
        }
        if reason.trim().is_empty() {
            return Err(invalid("reason", "say why the customer is banned"));
        }
        let left = match self.db.ban_from_advisor(group.advisor_id, customer_id, reason.trim()).await {
            // The ban's only reference the caller chose is the customer.
            Err(StoreError::Constraint { .. }) => return Err(invalid("customer_id", "no customer has this id")),
            left => left?,
        };
        for g in &left {
            self.close_for(*g, customer_id).await;
        }
        Ok(left)
    }

    async fn close_for(&self, group_id: i64, customer_id: i64) {
        let json = bytes::Bytes::from(format!("{{\"type\":\"removed\",\"customer_id\":{customer_id}}}"));
        self.hub.publish(group_id, &Delivery { message_id: 0, json, closes_for: Some(customer_id) }).await;
    }

    fn writer(&self, group_id: i64) -> Arc<tokio::sync::Mutex<()>> {
        self.writers.lock().expect("the writers' lock is never poisoned").entry(group_id).or_default().clone()
    }

    /// Stores a message and hands it to the group's connections, one writer
    /// per group at a time. It runs as a task of its own: a sender who goes
    /// away midway (a closed request) cannot leave a message stored but not
    /// fanned out, nor free the group's turn before its fan-out is done.
    ///
    /// With a content placement, the message is its publication: marked in
    /// the same unit of work, and not sent at all (None) if it was published
    /// meanwhile.
    async fn send_unit(
        &self,
        message: NewMessage,
        question_of: Option<i64>,
        publication: Option<i64>,
    ) -> Result<Option<MessageRow>, CommunityError> {
        let writer = self.writer(message.group_id);
        let (db, hub) = (self.db.clone(), self.hub.clone());
        let sending = tokio::spawn(async move {
            let _turn = writer.lock().await;
            let mut message = message;
            message.at = Utc::now();
            // The message, its question and its placement are one unit of work.
            let mut unit = db.begin().await?;
            let row = unit.insert_message(&message).await?;
            if let Some(advisor_id) = question_of {
                unit.insert_question(&row, advisor_id).await?;
            }
            if let Some(placement) = publication {
                if !unit.mark_published(placement, row.id).await? {
                    return Ok(None); // published meanwhile: this copy is rolled back
                }
            }
            unit.commit().await?;
            let json = bytes::Bytes::from(serde_json::to_vec(&ChatMessage::from(&row)).expect("a message serializes"));
            hub.publish(row.group_id, &Delivery { message_id: row.id, json, closes_for: None }).await;
            Ok(Some(row))
        });
        sending.await.expect("sending a message does not panic")
    }

    /// Stores a message (a question too, when it asks one) and hands it to the group.
    async fn send(&self, message: NewMessage, question_of: Option<i64>) -> Result<MessageRow, CommunityError> {
        Ok(self.send_unit(message, question_of, None).await?.expect("a message with no placement is always sent"))
    }

    /// Sends a message as the principal: admins freely; members under the
    /// group's rules, which may stop the message and sanction the sender.
    pub async fn post(&self, principal: &Principal, group_id: i64, draft: &Draft) -> Result<Posted, CommunityError> {
        let (group, standing, membership) = self.group_with_membership(principal, group_id).await?;
        let text = draft.text.trim();
        if text.is_empty() || text.chars().count() > MAX_MESSAGE_CHARS {
            return Err(invalid("text", format!("give 1 to {MAX_MESSAGE_CHARS} characters")));
        }
        if let Some(reply_to) = draft.reply_to {
            if self.db.message(reply_to).await?.is_none_or(|m| m.group_id != group_id) {
                return Err(invalid("reply_to", "reply to a message of this group"));
            }
        }
        let now = Utc::now();
        let (sender_kind, sender_id, sender_name) = match standing {
            Standing::Admin { staff_id } => {
                ("staff", staff_id, self.db.staff_name(staff_id).await?.unwrap_or_default())
            }
            Standing::Member { customer_id } => {
                let member = membership.ok_or(CommunityError::NotFound)?;
                if let Some(until) = member.muted_until.filter(|u| *u > now) {
                    return Err(CommunityError::Muted(until));
                }
                if let Some(finding) = self.breach(&group, customer_id, text, now) {
                    return Ok(Posted::Blocked(self.sanction(&group, customer_id, finding, "rules").await?));
                }
                ("customer", customer_id, member.name)
            }
            Standing::Observer | Standing::Outsider => {
                return Err(CommunityError::Forbidden("only the group's members and admins write in it"))
            }
        };
        let asks = sender_kind == "customer" && (draft.question || community::question::is_question(text));
        let message = NewMessage {
            group_id,
            sender_kind,
            sender_id,
            sender_name,
            body: text.to_owned(),
            reply_to: draft.reply_to,
            mentions: serde_json::to_string(&community::chat::mentions(text)).expect("names serialize"),
            content_id: None,
            at: now,
        };
        let row = self.send(message, asks.then_some(group.advisor_id)).await?;
        // An admin's reply answers the question it replies to.
        if let (Standing::Admin { .. }, Some(question)) = (standing, draft.reply_to) {
            self.answer(question, row.id, row.at).await?;
        }
        Ok(Posted::Sent(row))
    }

    /// The first rule a member's message breaks, flood and hours included.
    fn breach(&self, group: &GroupRow, customer_id: i64, text: &str, now: DateTime<Utc>) -> Option<Finding> {
        let rules: GroupRules = serde_json::from_str(&group.rules).unwrap_or_default();
        if let Some(f) = moderation::findings(&rules, text).into_iter().next() {
            return Some(f);
        }
        if rules.stocks_only_in_trading_hours && moderation::mentions_stock(text) && !moderation::in_trading_hours(now)
        {
            return Some(Finding {
                violation: Violation::StocksOutsideTradingHours,
                excerpt: text.chars().take(40).collect(),
            });
        }
        let mut floods = self.floods.lock().expect("the flood windows' lock is never poisoned");
        if !floods.admit(group.id, customer_id, &rules, now) {
            let excerpt = format!("more than {} messages in {} s", rules.flood_messages, rules.flood_seconds);
            return Some(Finding { violation: Violation::Flood, excerpt });
        }
        None
    }

    /// Applies the next step of the ladder for a finding, logs it, and tells the group.
    async fn sanction(
        &self,
        group: &GroupRow,
        customer_id: i64,
        finding: Finding,
        by: &str,
    ) -> Result<Blocked, CommunityError> {
        let prior = self.db.prior_offences(group.id, customer_id).await?;
        let sanction = Sanction::for_offence(prior.clamp(0, u32::MAX as i64) as u32);
        self.apply_sanction(group, customer_id, finding.violation.as_str(), &finding.excerpt, sanction, by).await.map(
            |(action_id, muted_until)| Blocked {
                action_id,
                violation: finding.violation,
                excerpt: finding.excerpt,
                sanction,
                muted_until,
            },
        )
    }

    async fn apply_sanction(
        &self,
        group: &GroupRow,
        customer_id: i64,
        violation: &str,
        excerpt: &str,
        sanction: Sanction,
        by: &str,
    ) -> Result<(i64, Option<DateTime<Utc>>), CommunityError> {
        let action = NewAction {
            group_id: group.id,
            customer_id,
            violation: violation.to_owned(),
            excerpt: excerpt.to_owned(),
            sanction: sanction.as_str(),
            decided_by: by.to_owned(),
        };
        // The log row and the sanction it records are one unit of work: the
        // log never says "muted" of a member who is not.
        let now = Utc::now();
        let muted_until = sanction.mute().map(|d| now + d);
        let mut unit = self.db.begin().await?;
        let action_id = unit.record_action(&action).await?;
        if let Some(until) = muted_until {
            unit.set_muted_until(group.id, customer_id, Some(until)).await?;
        }
        if sanction == Sanction::Remove {
            unit.set_removed(group.id, customer_id, Some(now)).await?;
        }
        unit.commit().await?;
        if sanction == Sanction::Remove {
            self.close_for(group.id, customer_id).await;
        }
        Ok((action_id, muted_until))
    }

    /// An admin sanctions a member by hand (from a report or on sight); the action id.
    pub async fn sanction_member(
        &self,
        principal: &Principal,
        group_id: i64,
        customer_id: i64,
        sanction: &str,
        reason: &str,
    ) -> Result<i64, CommunityError> {
        let (group, standing) = self.group_for(principal, group_id).await?;
        if !standing.is_admin() {
            return Err(CommunityError::Forbidden("only the group's admins moderate"));
        }
        let sanction =
            Sanction::parse(sanction).ok_or_else(|| invalid("sanction", "warn, mute_hour, mute_day or remove"))?;
        if reason.trim().is_empty() {
            return Err(invalid("reason", "say why, so the member can see it"));
        }
        if self.db.membership(group_id, customer_id).await?.is_none_or(|m| m.removed_at.is_some()) {
            return Err(CommunityError::NotFound);
        }
        let (id, _) =
            self.apply_sanction(&group, customer_id, "manual", reason.trim(), sanction, &principal.login).await?;
        Ok(id)
    }

    /// The sanctioned member appeals, once, with their reason.
    pub async fn appeal(&self, principal: &Principal, action_id: i64, text: &str) -> Result<(), CommunityError> {
        let action = self.db.action(action_id).await?.ok_or(CommunityError::NotFound)?;
        if principal.role != Role::Customer || principal.customer_id != Some(action.customer_id) {
            return Err(CommunityError::Forbidden("only the member sanctioned may appeal"));
        }
        let text = text.trim();
        if text.is_empty() || text.chars().count() > 1_000 {
            return Err(invalid("text", "give 1 to 1,000 characters"));
        }
        if !self.db.appeal_action(action_id, text).await? {
            return Err(CommunityError::Conflict("this action was already appealed or reviewed"));
        }
        Ok(())
    }

    /// An admin reviews an action (appealed or not): upholds it, or
    /// overturns it, which lifts its mute or removal and stops it counting.
    pub async fn review(
        &self,
        principal: &Principal,
        action_id: i64,
        overturn: bool,
        note: &str,
    ) -> Result<(), CommunityError> {
        let action = self.db.action(action_id).await?.ok_or(CommunityError::NotFound)?;
        let (group, standing) = self.group_for(principal, action.group_id).await?;
        if !standing.is_admin() {
            return Err(CommunityError::Forbidden("only the group's admins review moderation"));
        }
        let note = note.trim();
        if note.is_empty() {
            return Err(invalid("note", "say why, so the member can see it"));
        }
        // The review and the lifting of what it overturns are one unit of work.
        let mut unit = self.db.begin().await?;
        if !unit.review_action(action_id, overturn, note, &principal.login).await? {
            return Err(CommunityError::Conflict("this action was already reviewed"));
        }
        if overturn {
            match Sanction::parse(&action.sanction) {
                Some(Sanction::MuteHour | Sanction::MuteDay) => {
                    unit.set_muted_until(group.id, action.customer_id, None).await?
                }
                Some(Sanction::Remove) => unit.add_member(group.id, action.customer_id, Utc::now()).await?,
                _ => {}
            }
        }
        unit.commit().await?;
        Ok(())
    }

    /// A member reports a message of their group; the report id.
    pub async fn report(&self, principal: &Principal, message_id: i64, reason: &str) -> Result<i64, CommunityError> {
        let message = self.db.message(message_id).await?.ok_or(CommunityError::NotFound)?;
        let (_, standing) = self.group_for(principal, message.group_id).await?;
        let Standing::Member { customer_id } = standing else {
            return Err(CommunityError::Forbidden("members report messages; admins moderate them"));
        };
        let reason = reason.trim();
        if reason.is_empty() || reason.chars().count() > 500 {
            return Err(invalid("reason", "give 1 to 500 characters"));
        }
        Ok(self.db.report_message(message.group_id, message_id, customer_id, reason).await?)
    }

    /// An admin closes a report: dismissed, or a sanction on the message's sender.
    pub async fn resolve_report(
        &self,
        principal: &Principal,
        report_id: i64,
        outcome: &str,
        note: &str,
    ) -> Result<(), CommunityError> {
        let report = self.db.report(report_id).await?.ok_or(CommunityError::NotFound)?;
        let (group, standing) = self.group_for(principal, report.group_id).await?;
        if !standing.is_admin() {
            return Err(CommunityError::Forbidden("only the group's admins review reports"));
        }
        let message = self.db.message(report.message_id).await?.ok_or(CommunityError::NotFound)?;
        let note = note.trim();
        if note.is_empty() {
            return Err(invalid("note", "say what was decided"));
        }
        if outcome != "dismiss" {
            let sanction = Sanction::parse(outcome)
                .ok_or_else(|| invalid("outcome", "dismiss, warn, mute_hour, mute_day or remove"))?;
            if message.sender_kind != "customer" {
                return Err(invalid("outcome", "only a member's message can bring a sanction"));
            }
            let excerpt: String = message.body.chars().take(60).collect();
            self.apply_sanction(&group, message.sender_id, "report", &excerpt, sanction, &principal.login).await?;
        }
        if !self.db.resolve_report(report_id, &format!("{outcome}: {note}")).await? {
            return Err(CommunityError::Conflict("the report was already resolved"));
        }
        Ok(())
    }

    /// Pins or unpins a notice (admins).
    pub async fn pin(
        &self,
        principal: &Principal,
        group_id: i64,
        message_id: i64,
        pinned: bool,
    ) -> Result<(), CommunityError> {
        let (_, standing) = self.group_for(principal, group_id).await?;
        if !standing.is_admin() {
            return Err(CommunityError::Forbidden("only the group's admins pin notices"));
        }
        if !self.db.set_pinned(group_id, message_id, pinned).await? {
            return Err(CommunityError::NotFound);
        }
        let json =
            bytes::Bytes::from(format!("{{\"type\":\"pinned\",\"message_id\":{message_id},\"pinned\":{pinned}}}"));
        self.hub.publish(group_id, &Delivery { message_id: 0, json, closes_for: None }).await;
        Ok(())
    }

    /// Stops a question's clock with an answer, if it is still open.
    async fn answer(&self, question_id: i64, answer_id: i64, at: DateTime<Utc>) -> Result<bool, CommunityError> {
        let Some(q) = self.db.question(question_id).await? else { return Ok(false) };
        if q.answered_at.is_some() {
            return Ok(false);
        }
        let minutes = self.hours.between(q.asked_at, at).num_minutes();
        Ok(self.db.answer_question(question_id, answer_id, at, minutes).await?)
    }

    /// An admin accepts a member's reply as the answer to a question.
    pub async fn accept_answer(
        &self,
        principal: &Principal,
        question_id: i64,
        answer_id: i64,
    ) -> Result<(), CommunityError> {
        let q = self.db.question(question_id).await?.ok_or(CommunityError::NotFound)?;
        let (_, standing) = self.group_for(principal, q.group_id).await?;
        if !standing.is_admin() {
            return Err(CommunityError::Forbidden("only the group's admins accept answers"));
        }
        let answer = self.db.message(answer_id).await?.ok_or(CommunityError::NotFound)?;
        if answer.reply_to != Some(question_id) {
            return Err(invalid("answer_id", "accept a reply to this question"));
        }
        if !self.answer(question_id, answer_id, Utc::now()).await? {
            return Err(CommunityError::Conflict("the question was already answered"));
        }
        Ok(())
    }

    /// Unanswered questions the principal is responsible for, with their
    /// clocks at `now`: an advisor's own past 15 service minutes; a branch
    /// manager's branch past 2 service hours; compliance and administrators all.
    pub async fn question_queue(
        &self,
        principal: &Principal,
        now: DateTime<Utc>,
    ) -> Result<Vec<OpenQuestion>, CommunityError> {
        let (advisor, branch, least) = match principal.role {
            Role::Advisor => (principal.staff_id, None, Escalation::AdvisorQueue),
            Role::Manager => (None, principal.branch_id, Escalation::BranchManager),
            Role::Compliance | Role::Admin => (None, None, Escalation::Open),
            Role::Customer => return Err(CommunityError::Forbidden("the question queue is for staff")),
        };
        if advisor.is_none() && branch.is_none() && matches!(principal.role, Role::Advisor | Role::Manager) {
            return Ok(Vec::new());
        }
        let open = self.db.open_questions(advisor, branch).await?;
        Ok(open
            .into_iter()
            .map(|q| {
                let service_minutes = self.hours.between(q.asked_at, now).num_minutes();
                let escalation = self.hours.escalation(q.asked_at, now);
                OpenQuestion { question: q, service_minutes, escalation }
            })
            .filter(|q| q.escalation >= least)
            .collect())
    }

    /// Response-time percentiles per advisor and per group, of questions asked since `since`, in the principal's view.
    pub async fn response_times(
        &self,
        principal: &Principal,
        since: DateTime<Utc>,
    ) -> Result<Vec<ResponseTimes>, CommunityError> {
        let (advisor, branch) = match principal.role {
            Role::Advisor => (principal.staff_id.or(Some(-1)), None),
            Role::Manager => (None, principal.branch_id.or(Some(-1))),
            Role::Compliance | Role::Admin => (None, None),
            Role::Customer => return Err(CommunityError::Forbidden("response times are for staff")),
        };
        let answered = self.db.answered_questions(advisor, branch, since).await?;
        let mut by_advisor: std::collections::BTreeMap<i64, Vec<i64>> = Default::default();
        let mut by_group: std::collections::BTreeMap<i64, Vec<i64>> = Default::default();
        for q in &answered {
            let minutes = q.service_minutes.unwrap_or(0);
            by_advisor.entry(q.advisor_id).or_default().push(minutes);
            by_group.entry(q.group_id).or_default().push(minutes);
        }
        let summary = |by: &'static str, (id, v): (i64, Vec<i64>)| {
            let p = |n| community::chat::percentile(&v, n).unwrap_or(0);
            ResponseTimes { by, id, answered: v.len(), p50: p(50), p90: p(90), p99: p(99) }
        };
        Ok(by_advisor
            .into_iter()
            .map(|e| summary("advisor", e))
            .chain(by_group.into_iter().map(|e| summary("group", e)))
            .collect())
    }

    /// Seed users of a group over the last `days`, with their reasons (admins).
    pub async fn seeds(
        &self,
        principal: &Principal,
        group_id: i64,
        days: i64,
    ) -> Result<Vec<community::seeds::Seed>, CommunityError> {
        let (_, standing) = self.group_for(principal, group_id).await?;
        if !standing.is_admin() && standing != Standing::Observer {
            return Err(CommunityError::Forbidden("seed users are for the group's staff"));
        }
        let since = Utc::now() - Duration::days(days.clamp(1, 365));
        let counts = self.db.member_counts(group_id, since).await?;
        let ids: Vec<i64> = counts.iter().map(|c| c.customer_id).collect();
        let successful: Vec<i64> = self
            .db
            .labels_of(&ids)
            .await?
            .into_iter()
            .filter(|(id, labels)| {
                crate::classify::label_pairs(*id, labels)
                    .is_ok_and(|pairs| pairs.iter().any(|(d, l)| d == "track_record" && l == "successful"))
            })
            .map(|(id, _)| id)
            .collect();
        let members: Vec<community::seeds::MemberActivity> = counts
            .iter()
            .map(|c| community::seeds::MemberActivity {
                customer_id: c.customer_id,
                messages: c.messages as u32,
                quick_replies_to_advisor: c.quick_replies as u32,
                welcomes: c.welcomes as u32,
                substantive: c.substantive as u32,
                replies_drawn: c.replies_drawn as u32,
                successful_trader: successful.contains(&c.customer_id),
            })
            .collect();
        Ok(community::seeds::seed_users(&members))
    }

    /// History for a connection or a page: up to `limit` messages after `after`.
    pub async fn history_after(
        &self,
        group_id: i64,
        after: i64,
        limit: i64,
    ) -> Result<Vec<MessageRow>, CommunityError> {
        Ok(self.db.messages_after(group_id, after, limit).await?)
    }
}
