//! Service (issue 29): feedback and complaints, their handling, incidents.
//!
//! A customer files a complaint or a suggestion on their page (staff file on
//! their behalf from a phone call or the counter); a complaint is routed by
//! category to the customer's advisor or the complaints team (the compliance
//! role) under the category's SLA, and climbs to the branch manager and
//! then compliance when nobody answers. The customer sees the replies,
//! closes the ticket with their satisfaction or reopens it. Every step is an
//! event of the ticket and a record of the audit trail, written in one unit
//! of work. Complaints and group messages about one system area, in a burst,
//! open an incident; its notice to the affected groups goes out only once
//! compliance approves it.

use crate::community::Communities;
use crate::{codes, Error};
use access::{AuditEntry, Principal, Role};
use chrono::{DateTime, Duration, Utc};
use domain::{CustomerId, GroupId, MessageId};
use growth::{Account, FirmAccount, Kind as TransferKind, Operation, Transfer};
use serde::Serialize;
use service::codes as service_codes;
use service::incident::{self, Area, Facts, Grade, Milestone};
use service::ticket::{self, Category, Channel, Kind, Level, Queue, Status, Step};
use service::ServiceSettings;
use sha2::{Digest, Sha256};
use store::{AttachmentRow, Db, FaultReportRow, IncidentRow, NewTicket, TicketEventRow, TicketFilter, TicketRow, Tx};

/// Longest subject, in characters.
const SUBJECT_MAX: usize = 100;
/// Longest text of a ticket or a reply, in characters.
const TEXT_MAX: usize = 2000;

/// A ticket to file.
#[derive(Debug, Clone, Default)]
pub struct Filing {
    /// Whose (staff filing on a customer's behalf; a customer files their own).
    pub customer_id: Option<CustomerId>,
    /// complaint or feedback.
    pub kind: String,
    /// What about (see [`Category`]).
    pub category: String,
    /// online (the customer), phone or counter (staff).
    pub channel: Option<String>,
    /// A line.
    pub subject: String,
    /// What happened, or what they suggest.
    pub body: String,
}

/// A ticket with what its reader may see of it.
#[derive(Debug, Clone, Serialize)]
pub struct TicketView {
    /// The ticket.
    pub ticket: TicketRow,
    /// Its steps (a customer sees the public ones).
    pub events: Vec<TicketEventRow>,
    /// Its attachments.
    pub attachments: Vec<AttachmentRow>,
    /// The reader may reply.
    pub may_reply: bool,
}

/// An incident with its timeline and what is linked to it.
#[derive(Debug, Clone, Serialize)]
pub struct IncidentView {
    /// The incident.
    pub incident: IncidentRow,
    /// What happened and what is due by when, for the report to the regulator.
    pub timeline: Vec<Milestone>,
    /// The next deadline not yet past, if any.
    pub next_deadline: Option<DateTime<Utc>>,
    /// Complaints linked.
    pub tickets: Vec<TicketRow>,
    /// Group messages linked.
    pub messages: Vec<FaultReportRow>,
    /// The groups its notice goes to.
    pub groups: Vec<GroupId>,
}

/// What staff establish about an incident.
#[derive(Debug, Clone)]
pub struct IncidentFacts {
    /// Started.
    pub started_at: DateTime<Utc>,
    /// Ended (None: still going).
    pub ended_at: Option<DateTime<Utc>>,
    /// Investors affected (None: those who complained or reported).
    pub affected_investors: Option<i64>,
    /// What happened.
    pub summary: String,
}

fn invalid(field: &'static str, given: &str) -> Error {
    service_codes::SERVICE_VALUE.refuse().on(field).with("given", given).into()
}

fn text(field: &'static str, value: &str, max: usize) -> Result<String, Error> {
    let value = value.trim();
    let n = value.chars().count();
    if n == 0 || n > max {
        return Err(domain::codes::LENGTH.refuse().on(field).with("min", 1).with("max", max).into());
    }
    Ok(value.to_owned())
}

fn not_found() -> Error {
    service_codes::TICKET_NOT_FOUND.refuse().into()
}

fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Tickets, their handling and incidents, over one database.
#[derive(Debug, Clone)]
pub struct ServiceDesk {
    db: Db,
    settings: ServiceSettings,
}

impl ServiceDesk {
    /// The desk over `db` under `settings`.
    pub fn new(db: Db, settings: ServiceSettings) -> ServiceDesk {
        ServiceDesk { db, settings }
    }

    /// The settings in force.
    pub fn settings(&self) -> &ServiceSettings {
        &self.settings
    }

    /// Files a ticket; its id. A customer files online; staff file for a
    /// customer in their scope from the phone or the counter.
    pub async fn file(&self, principal: &Principal, filing: &Filing) -> Result<i64, Error> {
        let kind = Kind::parse(&filing.kind).ok_or_else(|| invalid("kind", &filing.kind))?;
        let category = Category::parse(&filing.category).ok_or_else(|| invalid("category", &filing.category))?;
        let (customer_id, channel) = match principal.role {
            Role::Customer => {
                let own = principal.customer_id.ok_or_else(not_found)?;
                if filing.customer_id.is_some_and(|c| c != own) {
                    return Err(codes::CUSTOMER_NOT_FOUND.refuse().into());
                }
                (own, Channel::Online)
            }
            _ => {
                let customer = filing.customer_id.ok_or_else(|| invalid("customer_id", ""))?;
                if self.db.customer_name_in_scope(customer, principal.scope()).await?.is_none() {
                    return Err(codes::CUSTOMER_NOT_FOUND.refuse().into());
                }
                let given = filing.channel.as_deref().unwrap_or("phone");
                let channel =
                    Channel::parse(given).filter(|c| *c != Channel::Online).ok_or_else(|| invalid("channel", given))?;
                (customer, channel)
            }
        };
        let subject = text("subject", &filing.subject, SUBJECT_MAX)?;
        let body = text("body", &filing.body, TEXT_MAX)?;
        let queue = match kind {
            Kind::Complaint => category.queue(),
            Kind::Feedback => Queue::Advisor,
        };
        let sla = match kind {
            Kind::Complaint => self.settings.sla(category),
            Kind::Feedback => Duration::hours(self.settings.default_sla_hours),
        };
        let mut unit = self.db.begin().await?;
        let now = unit.now();
        let new = NewTicket {
            customer_id,
            kind: kind.as_str().into(),
            category: category.as_str().into(),
            channel: channel.as_str().into(),
            queue: queue.as_str().into(),
            subject,
            body,
            due_at: now + sla,
            filed_by: principal.actor(),
        };
        let id = unit.insert_ticket(&new).await?.ok_or_else(|| codes::CUSTOMER_NOT_FOUND.refuse())?;
        unit.add_ticket_event(id, &principal.actor(), &principal.login, "filed", channel.as_str(), true).await?;
        unit.audit(AuditEntry {
            actor: principal.actor(),
            action: "file_ticket".into(),
            entity: "ticket".into(),
            entity_id: id.to_string(),
            detail: serde_json::json!({ "customer": customer_id, "kind": kind.as_str(), "category": category.as_str(),
                "channel": channel.as_str(), "queue": queue.as_str() })
            .to_string(),
        })
        .await?;
        // A complaint about a system area may make a burst: judged in the same unit of work.
        if let (Kind::Complaint, Some(area)) = (kind, Area::of(category)) {
            detect_in(&mut unit, &self.settings, area).await?;
        }
        unit.commit().await?;
        Ok(id)
    }

    /// The tickets the principal works on or filed: a customer's own; staff's
    /// in their scope, narrowed by `filter`.
    pub async fn list(&self, principal: &Principal, filter: TicketFilter) -> Result<Vec<TicketRow>, Error> {
        let filter = TicketFilter { limit: if filter.limit == 0 { 200 } else { filter.limit }, ..filter };
        Ok(self.db.tickets(principal.scope(), &filter).await?)
    }

    /// The queue a staff member works by default: the advisor's own queue,
    /// the manager's escalations, the complaints team's (compliance) queue.
    pub fn default_filter(principal: &Principal) -> TicketFilter {
        let mut filter = TicketFilter { unresolved: true, limit: 200, ..TicketFilter::default() };
        match principal.role {
            Role::Advisor => filter.queue = Some(Queue::Advisor.as_str().into()),
            Role::Manager => {}
            Role::Compliance => filter.kind = Some(Kind::Complaint.as_str().into()),
            Role::Admin => filter.kind = Some(Kind::Feedback.as_str().into()),
            Role::Customer => filter.unresolved = false,
        }
        filter
    }

    async fn ticket_for(&self, principal: &Principal, id: i64) -> Result<TicketRow, Error> {
        self.db.ticket(principal.scope(), id).await?.ok_or_else(not_found)
    }

    /// Whether the principal may reply to the ticket: the advisor in their
    /// queue, the branch manager, compliance (the complaints team), the admin for feedback.
    fn may_reply(principal: &Principal, t: &TicketRow) -> bool {
        match principal.role {
            Role::Advisor => {
                t.queue == Queue::Advisor.as_str() && principal.staff_id.is_some_and(|s| s.0 == t.advisor_id)
            }
            Role::Manager | Role::Compliance => true,
            Role::Admin => t.kind == Kind::Feedback.as_str(),
            Role::Customer => false,
        }
    }

    /// A ticket as the principal may see it.
    pub async fn show(&self, principal: &Principal, id: i64) -> Result<TicketView, Error> {
        let ticket = self.ticket_for(principal, id).await?;
        let mut events = self.db.ticket_events(id).await?;
        if principal.role == Role::Customer {
            events.retain(|e| e.public);
        }
        let attachments = self.db.ticket_attachments(id).await?;
        let may_reply = Self::may_reply(principal, &ticket);
        Ok(TicketView { ticket, events, attachments, may_reply })
    }

    /// Moves a ticket by `step`, with the event and its audit record, in one unit of work.
    async fn step(
        &self,
        principal: &Principal,
        t: &TicketRow,
        step: Step,
        event: (&str, &str, bool),
        satisfaction: Option<i32>,
    ) -> Result<(), Error> {
        let from = Status::parse(&t.status).unwrap_or(Status::Open);
        let to = ticket::next(from, step)
            .ok_or_else(|| service_codes::TICKET_STATE.refuse().with("status", from.as_str()).with("step", event.0))?;
        let mut unit = self.db.begin().await?;
        let now = unit.now();
        // Waiting for the firm again: the SLA clock starts over at the queue.
        let waiting = (to == Status::Open && from != Status::Open).then(|| {
            let category = Category::parse(&t.category).unwrap_or(Category::Other);
            (now, now + self.settings.sla(category))
        });
        let reopen = step == Step::Reopen;
        if !unit.set_ticket_status(t.id, from.as_str(), to.as_str(), waiting, satisfaction, reopen).await? {
            return Err(service_codes::TICKET_STATE
                .refuse()
                .with("status", from.as_str())
                .with("step", event.0)
                .into());
        }
        let (kind, body, public) = event;
        unit.add_ticket_event(t.id, &principal.actor(), &principal.login, kind, body, public).await?;
        unit.audit(AuditEntry {
            actor: principal.actor(),
            action: format!("ticket_{kind}"),
            entity: "ticket".into(),
            entity_id: t.id.to_string(),
            detail: serde_json::json!({ "from": from.as_str(), "to": to.as_str(), "satisfaction": satisfaction })
                .to_string(),
        })
        .await?;
        unit.commit().await?;
        Ok(())
    }

    /// Staff reply (the customer sees it), or note it for colleagues only (`internal`).
    pub async fn reply(&self, principal: &Principal, id: i64, body: &str, internal: bool) -> Result<(), Error> {
        let t = self.ticket_for(principal, id).await?;
        if !Self::may_reply(principal, &t) {
            return Err(codes::STAFF_ONLY.refuse().with("what", "reply").into());
        }
        let body = text("body", body, TEXT_MAX)?;
        if internal {
            let mut unit = self.db.begin().await?;
            unit.add_ticket_event(id, &principal.actor(), &principal.login, "internal_note", &body, false).await?;
            unit.audit(AuditEntry {
                actor: principal.actor(),
                action: "ticket_internal_note".into(),
                entity: "ticket".into(),
                entity_id: id.to_string(),
                detail: "{}".into(),
            })
            .await?;
            unit.commit().await?;
            return Ok(());
        }
        self.step(principal, &t, Step::Reply, ("reply", &body, true), None).await
    }

    fn own(principal: &Principal, t: &TicketRow) -> Result<(), Error> {
        if principal.role != Role::Customer || principal.customer_id.is_none_or(|c| c.0 != t.customer_id) {
            return Err(codes::CUSTOMERS_ONLY.refuse().into());
        }
        Ok(())
    }

    /// The customer adds to their ticket (it waits for the firm again).
    pub async fn add_note(&self, principal: &Principal, id: i64, body: &str) -> Result<(), Error> {
        let t = self.ticket_for(principal, id).await?;
        Self::own(principal, &t)?;
        let body = text("body", body, TEXT_MAX)?;
        self.step(principal, &t, Step::CustomerNote, ("customer_note", &body, true), None).await
    }

    /// The customer closes their ticket with their satisfaction (1..5) and a word.
    pub async fn close(&self, principal: &Principal, id: i64, satisfaction: i32, comment: &str) -> Result<(), Error> {
        let t = self.ticket_for(principal, id).await?;
        Self::own(principal, &t)?;
        if !(1..=5).contains(&satisfaction) {
            return Err(service_codes::SATISFACTION_RANGE.refuse().on("satisfaction").into());
        }
        let comment = comment.trim().chars().take(TEXT_MAX).collect::<String>();
        self.step(principal, &t, Step::Close, ("closed", &comment, true), Some(satisfaction)).await
    }

    /// The customer reopens their ticket, saying why.
    pub async fn reopen(&self, principal: &Principal, id: i64, reason: &str) -> Result<(), Error> {
        let t = self.ticket_for(principal, id).await?;
        Self::own(principal, &t)?;
        let reason = text("reason", reason, TEXT_MAX)?;
        self.step(principal, &t, Step::Reopen, ("reopened", &reason, true), None).await
    }

    /// Attaches a file (an image, a PDF or text, within the size limit) to a ticket.
    pub async fn attach(&self, principal: &Principal, id: i64, name: &str, bytes: &[u8]) -> Result<i64, Error> {
        let t = self.ticket_for(principal, id).await?;
        if principal.role == Role::Customer {
            Self::own(principal, &t)?;
        }
        let file_type = service::attachment::check(bytes, self.settings.attachment_max_bytes).map_err(|r| {
            let reason = match r {
                service::attachment::Refusal::Empty => "empty".to_string(),
                service::attachment::Refusal::TooLarge { bytes, most } => format!("too_large:{bytes}>{most}"),
                service::attachment::Refusal::Type => "type".to_string(),
            };
            Error::from(service_codes::ATTACHMENT_REFUSED.refuse().on("file").with("reason", reason))
        })?;
        let existing = self.db.ticket_attachments(id).await?.len();
        if existing >= self.settings.attachments_per_ticket {
            return Err(service_codes::ATTACHMENTS_FULL
                .refuse()
                .with("most", self.settings.attachments_per_ticket)
                .into());
        }
        let name: String =
            name.trim().chars().filter(|c| !c.is_control() && *c != '/' && *c != '\\').take(100).collect();
        let name = if name.is_empty() { format!("attachment.{}", file_type.as_str()) } else { name };
        let hash = sha256_hex(bytes);
        let mut unit = self.db.begin().await?;
        let seq = unit.add_attachment(id, &name, file_type.as_str(), &hash, bytes).await?;
        unit.add_ticket_event(id, &principal.actor(), &principal.login, "attached", &name, true).await?;
        unit.audit(AuditEntry {
            actor: principal.actor(),
            action: "ticket_attach".into(),
            entity: "ticket".into(),
            entity_id: id.to_string(),
            detail: serde_json::json!({ "seq": seq, "type": file_type.as_str(), "size": bytes.len(), "sha256": hash })
                .to_string(),
        })
        .await?;
        unit.commit().await?;
        Ok(seq)
    }

    /// An attachment's name, media type and bytes, for whoever may see its ticket.
    pub async fn attachment(
        &self,
        principal: &Principal,
        id: i64,
        seq: i64,
    ) -> Result<(String, &'static str, Vec<u8>), Error> {
        self.ticket_for(principal, id).await?;
        let (name, kind, bytes) = self.db.attachment_bytes(id, seq).await?.ok_or_else(not_found)?;
        let media = match kind.as_str() {
            "png" => "image/png",
            "jpeg" => "image/jpeg",
            "pdf" => "application/pdf",
            _ => "text/plain; charset=utf-8",
        };
        Ok((name, media, bytes))
    }

    /// The suggestions board every signed-in user reads, most voted first.
    pub async fn board(&self) -> Result<Vec<TicketRow>, Error> {
        Ok(self.db.feedback_board(200).await?)
    }

    /// A customer votes for a suggestion (once).
    pub async fn vote(&self, principal: &Principal, id: i64) -> Result<(), Error> {
        let customer = principal
            .customer_id
            .filter(|_| principal.role == Role::Customer)
            .ok_or_else(|| codes::CUSTOMERS_ONLY.refuse())?;
        // Suggestions are public; another customer's complaint is not found.
        let t = self.db.ticket(access::Scope::Firm, id).await?.ok_or_else(not_found)?;
        if t.kind != Kind::Feedback.as_str() {
            return Err(not_found());
        }
        let mut unit = self.db.begin().await?;
        if !unit.vote(id, customer).await? {
            return Err(service_codes::ALREADY_VOTED.refuse().into());
        }
        unit.commit().await?;
        Ok(())
    }

    /// The product team (admin) adopts a suggestion: a public note on the
    /// board, an event the author sees, and the author's points, together.
    pub async fn adopt(&self, principal: &Principal, id: i64, note: &str) -> Result<(), Error> {
        if principal.role != Role::Admin {
            return Err(codes::ADMIN_ONLY.refuse().with("what", "adopt").into());
        }
        let t = self.ticket_for(principal, id).await?;
        if t.kind != Kind::Feedback.as_str() {
            return Err(service_codes::FEEDBACK_ONLY.refuse().into());
        }
        let note = text("note", note, 500)?;
        let mut unit = self.db.begin().await?;
        if !unit.adopt(id, &note).await? {
            return Err(service_codes::TICKET_STATE.refuse().with("status", "adopted").with("step", "adopt").into());
        }
        unit.add_ticket_event(id, &principal.actor(), &principal.login, "adopted", &note, true).await?;
        if self.settings.adoption_points > 0 {
            let transfer = Transfer {
                id: format!("suggestion_adopted:{id}"),
                debit: Account::Firm(FirmAccount::Issuance),
                credit: Account::Customer(CustomerId(t.customer_id)),
                amount: self.settings.adoption_points,
                reason: "suggestion_adopted".into(),
                kind: TransferKind::Single,
                corrects: None,
            };
            let now = chrono::SubsecRound::trunc_subsecs(unit.now(), 6);
            if let Some(Err(e)) = unit.ledger_run(&[Operation::Apply(transfer)], now).await?.into_iter().next() {
                return Err(e.into());
            }
        }
        unit.audit(AuditEntry {
            actor: principal.actor(),
            action: "adopt_suggestion".into(),
            entity: "ticket".into(),
            entity_id: id.to_string(),
            detail: serde_json::json!({ "author": t.customer_id, "points": self.settings.adoption_points }).to_string(),
        })
        .await?;
        unit.commit().await?;
        Ok(())
    }

    /// Escalates every complaint waiting past its SLA: to the branch manager,
    /// and past `compliance_after_slas` SLAs to compliance. How many moved.
    pub async fn sweep(&self, now: DateTime<Utc>) -> Result<usize, Error> {
        let mut moved = 0;
        for t in self.db.overdue_tickets(now).await? {
            let category = Category::parse(&t.category).unwrap_or(Category::Other);
            let level = ticket::escalation(
                t.waiting_since,
                now,
                self.settings.sla(category),
                self.settings.compliance_after_slas,
            );
            if level.as_str() == t.level || level == Level::Queue {
                continue;
            }
            let mut unit = self.db.begin().await?;
            if !unit.escalate_ticket(t.id, &t.level, level.as_str()).await? {
                continue; // answered or moved meanwhile
            }
            unit.add_ticket_event(t.id, "system", "system", "escalated", level.as_str(), true).await?;
            unit.audit(AuditEntry {
                actor: "system".into(),
                action: "escalate_ticket".into(),
                entity: "ticket".into(),
                entity_id: t.id.to_string(),
                detail: serde_json::json!({ "from": t.level, "to": level.as_str(), "due_at": t.due_at }).to_string(),
            })
            .await?;
            unit.commit().await?;
            moved += 1;
        }
        Ok(moved)
    }

    /// Incidents, newest first (staff).
    pub async fn incidents(&self, principal: &Principal) -> Result<Vec<IncidentRow>, Error> {
        staff(principal)?;
        Ok(self.db.incidents(200).await?)
    }

    /// An incident with its timeline and links (staff).
    pub async fn incident(&self, principal: &Principal, id: i64) -> Result<IncidentView, Error> {
        staff(principal)?;
        let incident = self.db.incident(id).await?.ok_or_else(|| service_codes::INCIDENT_NOT_FOUND.refuse())?;
        let now = self.db.now();
        let facts = facts_of(&incident);
        let grade = Grade::parse(&incident.grade).unwrap_or(Grade::BelowThreshold);
        let timeline = incident::timeline(
            &facts,
            grade,
            incident.notice_decided_at.filter(|_| incident.notice_status == "approved"),
        );
        let next_deadline = timeline.iter().filter(|m| m.deadline && m.at >= now).map(|m| m.at).min();
        let tickets = self.db.incident_tickets(id).await?;
        let messages = self.db.incident_messages(id).await?;
        let groups = self.db.incident_groups(id).await?;
        Ok(IncidentView { incident, timeline, next_deadline, tickets, messages, groups })
    }

    /// Compliance records what is known of an incident (times, investors, summary); the grade follows.
    pub async fn update_incident(&self, principal: &Principal, id: i64, f: &IncidentFacts) -> Result<Grade, Error> {
        compliance(principal, "incident")?;
        let row = self.db.incident(id).await?.ok_or_else(|| service_codes::INCIDENT_NOT_FOUND.refuse())?;
        if row.status == "closed" {
            return Err(service_codes::INCIDENT_CLOSED.refuse().into());
        }
        if f.ended_at.is_some_and(|e| e < f.started_at) {
            return Err(invalid("ended_at", "before the start"));
        }
        let counted = self.db.incident_investors(id).await?;
        let affected = f.affected_investors.unwrap_or(counted).max(0);
        let area = Area::parse(&row.area).unwrap_or(Area::Trading);
        let now = self.db.now();
        let grade = incident::grade(
            &Facts { area, started: f.started_at, ended: f.ended_at, affected_investors: affected },
            now,
        );
        let summary = text("summary", &f.summary, TEXT_MAX)?;
        let mut unit = self.db.begin().await?;
        if !unit.update_incident(id, f.started_at, f.ended_at, affected, grade.as_str(), &summary).await? {
            return Err(service_codes::INCIDENT_CLOSED.refuse().into());
        }
        unit.audit(AuditEntry {
            actor: principal.actor(),
            action: "update_incident".into(),
            entity: "incident".into(),
            entity_id: id.to_string(),
            detail: serde_json::json!({ "started": f.started_at, "ended": f.ended_at, "affected": affected, "grade": grade.as_str() }).to_string(),
        })
        .await?;
        unit.commit().await?;
        Ok(grade)
    }

    /// Staff draft the notice to the affected groups; it waits for compliance.
    pub async fn draft_notice(&self, principal: &Principal, id: i64, body: &str) -> Result<(), Error> {
        staff(principal)?;
        self.db.incident(id).await?.ok_or_else(|| service_codes::INCIDENT_NOT_FOUND.refuse())?;
        let body = text("text", body, TEXT_MAX)?;
        let mut unit = self.db.begin().await?;
        if !unit.draft_notice(id, &body, &principal.actor()).await? {
            return Err(service_codes::NOTICE_DECIDED.refuse().into());
        }
        unit.audit(AuditEntry {
            actor: principal.actor(),
            action: "draft_incident_notice".into(),
            entity: "incident".into(),
            entity_id: id.to_string(),
            detail: serde_json::json!({ "text": body }).to_string(),
        })
        .await?;
        unit.commit().await?;
        Ok(())
    }

    /// Compliance approves (the notice goes to every affected group) or
    /// rejects a pending notice. How many groups it went to.
    pub async fn decide_notice(
        &self,
        principal: &Principal,
        id: i64,
        approve: bool,
        community: &Communities,
    ) -> Result<usize, Error> {
        compliance(principal, "notice")?;
        let row = self.db.incident(id).await?.ok_or_else(|| service_codes::INCIDENT_NOT_FOUND.refuse())?;
        let Some(notice) = row.notice_text.clone().filter(|_| row.notice_status != "none") else {
            return Err(service_codes::NO_NOTICE.refuse().into());
        };
        let groups = if approve { self.db.incident_groups(id).await? } else { Vec::new() };
        // The groups' turns first, then the unit of work, as every writer to a group does.
        let turns = community.group_turns(&groups).await;
        let mut unit = self.db.begin().await?;
        if !unit.decide_notice(id, approve, &principal.actor(), groups.len() as i64).await? {
            return Err(service_codes::NOTICE_DECIDED.refuse().into());
        }
        unit.audit(AuditEntry {
            actor: principal.actor(),
            action: if approve { "approve_incident_notice" } else { "reject_incident_notice" }.into(),
            entity: "incident".into(),
            entity_id: id.to_string(),
            detail: serde_json::json!({ "groups": groups }).to_string(),
        })
        .await?;
        // The decision and the notices in every affected group commit together, then go out live.
        community.commit_notices(unit, turns, &format!("【系统公告 Notice】{notice}")).await?;
        Ok(groups.len())
    }
}

fn staff(principal: &Principal) -> Result<(), Error> {
    if principal.role == Role::Customer {
        return Err(codes::STAFF_ONLY.refuse().with("what", "incidents").into());
    }
    Ok(())
}

fn compliance(principal: &Principal, what: &str) -> Result<(), Error> {
    if principal.role != Role::Compliance {
        return Err(service_codes::COMPLIANCE_ONLY.refuse().with("what", what).into());
    }
    Ok(())
}

fn facts_of(row: &IncidentRow) -> Facts {
    Facts {
        area: Area::parse(&row.area).unwrap_or(Area::Trading),
        started: row.started_at,
        ended: row.ended_at,
        affected_investors: row.affected_investors,
    }
}

/// The complaint categories of an area.
fn categories_of(area: Area) -> Vec<&'static str> {
    Category::ALL.iter().filter(|c| Area::of(**c) == Some(area)).map(|c| c.as_str()).collect()
}

/// Looks for a burst in `area`, inside the caller's unit of work (with the
/// complaint or message that may make one): complaints and fault reports in
/// the last `burst_minutes` at or above `burst_count` open an incident
/// (unless one is open), and link to the open one; its count of investors
/// and grade follow. The incident's id, when there is one.
pub async fn detect_in(unit: &mut Tx, settings: &ServiceSettings, area: Area) -> Result<Option<i64>, Error> {
    // Serialized with every other writer from here: two detections cannot both open one.
    unit.serialize().await?;
    let now = unit.now();
    let since = now - Duration::minutes(settings.burst_minutes);
    let categories = categories_of(area);
    let row = match unit.open_incident(area.as_str()).await? {
        Some(row) => row,
        None => {
            let (complaints, messages) = unit.area_signals_since(&categories, area.as_str(), since).await?;
            if complaints + messages < settings.burst_count {
                return Ok(None);
            }
            let area_zh = match area {
                Area::Trading => "交易",
                Area::Login => "登录",
                Area::Quotes => "行情",
                Area::Data => "个人信息",
            };
            let minutes = settings.burst_minutes;
            let summary = format!(
                "{minutes} 分钟内 {complaints} 条{area_zh}投诉、{messages} 条群消息 · \
                 {complaints} complaints and {messages} group messages about {} within {minutes} minutes",
                area.as_str()
            );
            let id =
                unit.insert_incident(area.as_str(), since, Grade::BelowThreshold.as_str(), &summary, "burst").await?;
            unit.audit(AuditEntry {
                actor: "system".into(),
                action: "open_incident".into(),
                entity: "incident".into(),
                entity_id: id.to_string(),
                detail: serde_json::json!({ "area": area.as_str(), "complaints": complaints, "messages": messages })
                    .to_string(),
            })
            .await?;
            unit.open_incident(area.as_str()).await?.ok_or_else(|| service_codes::INCIDENT_NOT_FOUND.refuse())?
        }
    };
    unit.link_to_incident(row.id, &categories, area.as_str(), row.started_at).await?;
    let affected = unit.incident_investors(row.id).await?.max(row.affected_investors);
    let grade = incident::grade(&Facts { affected_investors: affected, ..facts_of(&row) }, now);
    unit.regrade_incident(row.id, affected, grade.as_str()).await?;
    Ok(Some(row.id))
}

/// Records a member's group message that reports a fault, then looks for a burst.
pub async fn record_fault(
    db: &Db,
    settings: &ServiceSettings,
    message: MessageId,
    group: GroupId,
    customer: Option<CustomerId>,
    area: Area,
    at: DateTime<Utc>,
) -> Result<(), Error> {
    // The report and what it leads to (an incident opened or linked) are one unit of work.
    let mut unit = db.begin().await?;
    unit.insert_fault_report(message, group, customer, area.as_str(), at).await?;
    detect_in(&mut unit, settings, area).await?;
    unit.commit().await?;
    Ok(())
}

/// The demo's service records: the demo customer's complaint about a
/// product, answered by their advisor; a suggestion others voted for; and a
/// one-to-one conversation. The complaint's id and the conversation's.
pub async fn set_up_demo(
    db: &Db,
    advisor: domain::StaffId,
    customer: CustomerId,
    others: &[CustomerId],
) -> Result<(i64, i64), Error> {
    let as_customer = |c: CustomerId| Principal {
        user_id: domain::UserId(0),
        login: format!("customer{c}"),
        role: Role::Customer,
        staff_id: None,
        branch_id: None,
        customer_id: Some(c),
    };
    let as_advisor = Principal {
        user_id: domain::UserId(0),
        login: "demo advisor".into(),
        role: Role::Advisor,
        staff_id: Some(advisor),
        branch_id: None,
        customer_id: None,
    };
    let desk = ServiceDesk::new(db.clone(), ServiceSettings::default());
    let me = as_customer(customer);
    let complaint = Filing {
        kind: "complaint".into(),
        category: "product".into(),
        subject: "理财产品赎回款迟迟未到账".into(),
        body: "周一申请赎回，至今未到账，请尽快处理。".into(),
        ..Filing::default()
    };
    let ticket = desk.file(&me, &complaint).await?;
    desk.reply(&as_advisor, ticket, "已联系产品管理人加急处理，预计明日到账，到账后我再电话告知您。", false).await?;
    let suggestion = Filing {
        kind: "feedback".into(),
        category: "app".into(),
        subject: "希望条件单触发时推送提醒".into(),
        body: "条件单触发后希望能收到推送，方便及时查看成交。".into(),
        ..Filing::default()
    };
    let idea = desk.file(&me, &suggestion).await?;
    for other in others.iter().take(12) {
        desk.vote(&as_customer(*other), idea).await?;
    }
    let talks = crate::conversations::Conversations::new(db.clone());
    let conversation = talks.open(&as_advisor, Some(customer)).await?;
    talks.send(&as_advisor, conversation, "您好，您的持仓集中在一只股票，需要我帮您看看分散的方案吗？").await?;
    talks.send(&me, conversation, "好的，麻烦老师周末发我看看。").await?;
    Ok((ticket, conversation))
}
