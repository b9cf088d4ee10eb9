//! Advisor communities as a use case: groups and admission, the chat with
//! its moderation and question clock, and content that passes compliance.
//! The rules are the `community` crate's; this module applies them to
//! what the store holds and fans the chat out through the [`hub::ChatHub`].

mod chat;
pub mod content;
pub mod envelopes;
mod groups;
pub mod hub;
mod questions;
mod sanctions;
mod seeds;

use crate::codes;
use access::{Principal, Role};
use chrono::{DateTime, Duration, Utc};
use community::admission::{self, Admission, Applicant, EntryRefusal, Route};
use community::moderation::{self, Finding, FloodWindows, GroupRules, Sanction, Violation};
use community::service_clock::{Escalation, ServiceHours};
use domain::{
    ActionId, ApplicationId, ApplicationStatus, BranchId, Code, ContentId, CustomerId, GroupId, MessageId,
    PublicationId, Refusal, ReportId, SenderKind, StaffId,
};
use hub::{ChatHub, Delivery};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use store::{Db, GroupRow, MessageRow, NewAction, NewGroup, NewMessage, QuestionRow, StoreError};

/// How long an invite link works unless the advisor says otherwise.
pub const INVITE_DAYS: i64 = 7;
/// The most members a group may hold (WeCom's groups hold 500; a broadcast group more).
pub const MAX_CAPACITY: i64 = 10_000;
/// The longest chat message, in characters.
pub const MAX_MESSAGE_CHARS: usize = domain::MessageText::MAX;

/// Why a community request was refused, or failed: the use cases' one error.
pub type CommunityError = crate::Error;

/// What admission knows of an applicant, from what the store holds.
fn applicant_of(facts: &store::EntryFacts) -> Applicant {
    Applicant {
        firm_customer: facts.verified.is_some(),
        real_name_verified: facts.verified == Some(true),
        banned_by_advisor: facts.banned,
        member: facts.member,
    }
}

/// A refusal with this code.
fn refuse(code: Code) -> Refusal {
    code.refuse()
}

/// A refusal with this code, blaming a request field.
fn refuse_on(code: Code, field: &'static str) -> Refusal {
    code.refuse().on(field)
}

/// Only the group's admins do `action` (a selector in the message).
fn admins_only(action: &'static str) -> Refusal {
    codes::GROUP_ADMINS_ONLY.refuse().with("action", action)
}

/// Staff only see `what` (a selector in the message).
fn staff_only(what: &'static str) -> Refusal {
    codes::STAFF_ONLY.refuse().with("what", what)
}

/// A moment as members read it: Beijing time to the minute.
fn beijing_minute(at: DateTime<Utc>) -> String {
    domain::to_shanghai(at).format("%Y-%m-%d %H:%M").to_string()
}

/// Where a principal stands in a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// The owner or a co-admin: writes, moderates, admits.
    Admin {
        /// Their staff id.
        staff_id: StaffId,
    },
    /// A member: writes under the group's rules.
    Member {
        /// Their customer id.
        customer_id: CustomerId,
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
    pub id: MessageId,
    /// The group.
    pub group_id: GroupId,
    /// staff, customer or system.
    pub sender_kind: SenderKind,
    /// Staff or customer id.
    pub sender_id: i64,
    /// Name as shown.
    pub sender_name: String,
    /// Text.
    pub body: String,
    /// The message this replies to.
    pub reply_to: Option<MessageId>,
    /// Names mentioned.
    pub mentions: Vec<String>,
    /// A pinned notice.
    pub pinned: bool,
    /// The content item it carries.
    pub content_id: Option<ContentId>,
    /// Sent (RFC 3339).
    pub at: String,
    /// The red envelope it carries (open it with `/api/v1/red-envelopes/{id}/open`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub red_envelope_id: Option<i64>,
}

impl From<&MessageRow> for ChatMessage {
    fn from(m: &MessageRow) -> Self {
        ChatMessage {
            kind: "message",
            id: m.id,
            group_id: m.group_id,
            sender_kind: m.sender_kind,
            sender_id: m.sender_id,
            sender_name: m.sender_name.clone(),
            body: m.body.clone(),
            reply_to: m.reply_to,
            mentions: serde_json::from_str(&m.mentions).unwrap_or_default(),
            pinned: m.pinned,
            content_id: m.content_id,
            at: m.at.to_rfc3339(),
            red_envelope_id: m.red_envelope_id,
        }
    }
}

/// Groups' writing turns, held together (see [`Communities::group_turns`]).
#[derive(Debug)]
pub struct GroupTurns {
    groups: Vec<GroupId>,
    _turns: Vec<tokio::sync::OwnedMutexGuard<()>>,
}

/// A member's message the rules stopped, and what followed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Blocked {
    /// The moderation log entry (to appeal).
    pub action_id: ActionId,
    /// The rule broken.
    pub violation: Violation,
    /// The words that broke it.
    pub excerpt: String,
    /// What they matched and how they were disguised ("保证收益 (separators)").
    pub reason: String,
    /// The sanction.
    pub sanction: Sanction,
    /// Muted until, for a mute.
    pub muted_until: Option<DateTime<Utc>>,
}

impl Blocked {
    /// The refusal the member reads: `message_blocked` on the text, with the
    /// rule, the words, the sanction and the log entry to appeal.
    pub fn refusal(&self) -> Refusal {
        let mut r = codes::MESSAGE_BLOCKED
            .refuse()
            .on("text")
            .with("action_id", self.action_id)
            .with("violation", self.violation.as_str())
            .with("excerpt", &self.excerpt)
            .with("reason", &self.reason)
            .with("sanction", self.sanction.as_str());
        if let Some(until) = self.muted_until {
            r = r.with("muted_until", until.to_rfc3339());
        }
        r
    }
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
    pub reply_to: Option<MessageId>,
    /// Asked as a question explicitly.
    pub question: bool,
    /// The advisor was warned that a product it names is unsuitable for some members, and sends it anyway.
    pub confirm_unsuitable: bool,
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
    /// The asker's tier.
    pub tier: String,
    /// The tier's rank in the queue (its benefit `question_priority`): higher first.
    pub priority: u8,
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
    writers: Mutex<HashMap<GroupId, Arc<tokio::sync::Mutex<()>>>>,
    // One publisher of scheduled content at a time, so nothing goes out twice.
    publishing: tokio::sync::Mutex<()>,
    // What earns points (an answered question) and the tiers (whose benefits rank the question queue).
    growth: growth::GrowthRules,
    // When each trading day's preview and review are due.
    cadence: community::cadence::Cadence,
    // What counts as a burst of fault reports (issue 29).
    service: Arc<service::ServiceSettings>,
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
            growth: growth::GrowthRules::default(),
            service: Arc::default(),
            cadence: community::cadence::Cadence::default(),
        }
    }

    /// These communities under the firm's growth rules: what an answered
    /// question or a content read earns, and the tiers that rank the question queue.
    pub fn with_growth(mut self, growth: growth::GrowthRules) -> Communities {
        self.growth = growth;
        self
    }

    /// These communities with the daily preview and review due by these times.
    pub fn with_cadence(mut self, cadence: community::cadence::Cadence) -> Communities {
        self.cadence = cadence;
        self
    }

    /// What counts as a burst of fault reports in groups (issue 29).
    pub fn with_service(mut self, settings: service::ServiceSettings) -> Communities {
        self.service = Arc::new(settings);
        self
    }

    /// The writing turns of several groups, taken in id order (before any
    /// unit of work begins, as every writer does): while held, nothing else
    /// is written to them, so ids still rise as members see them.
    pub async fn group_turns(&self, groups: &[GroupId]) -> GroupTurns {
        let mut ordered = groups.to_vec();
        ordered.sort_unstable();
        ordered.dedup();
        let mut turns = Vec::with_capacity(ordered.len());
        for g in &ordered {
            turns.push(self.writer(*g).lock_owned().await);
        }
        GroupTurns { groups: ordered, _turns: turns }
    }

    /// Notices from the firm into the groups whose turns are held, written in
    /// the caller's unit of work (with whatever decided them), which is
    /// committed; then handed to the groups' connections: all or none.
    pub async fn commit_notices(
        &self,
        mut unit: store::Tx,
        turns: GroupTurns,
        body: &str,
    ) -> Result<Vec<MessageRow>, CommunityError> {
        let mut rows = Vec::with_capacity(turns.groups.len());
        for group_id in &turns.groups {
            let notice = NewMessage {
                group_id: *group_id,
                sender_kind: SenderKind::System,
                sender_id: 0,
                sender_name: String::new(),
                body: body.to_owned(),
                reply_to: None,
                mentions: "[]".into(),
                content_id: None,
                at: unit.now(),
                red_envelope_id: None,
            };
            rows.push(unit.insert_message(&notice).await?);
        }
        unit.commit().await?;
        for row in &rows {
            self.publish(row).await;
        }
        drop(turns);
        Ok(rows)
    }

    /// When each trading day's preview and review are due.
    pub fn cadence(&self) -> community::cadence::Cadence {
        self.cadence
    }

    /// These communities with their chat put on the wire by `wire` (the
    /// server's WebSocket framing).
    pub fn with_wire(mut self, wire: hub::Wire) -> Communities {
        self.hub = Arc::new(ChatHub::new(wire));
        self
    }

    /// These communities past one machine: their chat goes through `bus` to
    /// every server, each pushing it to the sockets it holds.
    pub fn with_bus(mut self, bus: bus::Bus) -> Communities {
        self.hub = Arc::new(ChatHub::relayed(self.hub.wire(), bus));
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
        group_id: GroupId,
    ) -> Result<(GroupRow, Standing), CommunityError> {
        let (group, standing, _) = self.group_with_membership(principal, group_id).await?;
        Ok((group, standing))
    }

    /// `group_for`, with the principal's membership when they are a member.
    async fn group_with_membership(
        &self,
        principal: &Principal,
        group_id: GroupId,
    ) -> Result<(GroupRow, Standing, Option<store::MemberRow>), CommunityError> {
        let group = self.db.group(group_id).await?.ok_or_else(|| refuse(codes::GROUP_NOT_FOUND))?;
        let (standing, membership) = self.standing_with_membership(principal, &group).await?;
        if !standing.reads() {
            return Err(refuse(codes::GROUP_NOT_FOUND).into());
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
}
