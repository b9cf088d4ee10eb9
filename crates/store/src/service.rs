//! Service (issue 29): tickets and the events of their handling,
//! attachments, votes for suggestions, fault reports from group messages,
//! incidents and what is linked to them. Tickets are seen through the
//! customers' row-level scope.

use crate::customers::push_scope;
use crate::{with_pool, with_tx, Db, StoreError, Tx};
use access::Scope;
use chrono::{DateTime, Utc};
use domain::{CustomerId, GroupId, MessageId};
use serde::Serialize;
use sqlx::QueryBuilder;

/// A ticket to file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTicket {
    /// Whose.
    pub customer_id: CustomerId,
    /// complaint or feedback.
    pub kind: String,
    /// What about.
    pub category: String,
    /// online, phone or counter.
    pub channel: String,
    /// advisor or complaints.
    pub queue: String,
    /// A line.
    pub subject: String,
    /// What happened.
    pub body: String,
    /// When it is due (the SLA).
    pub due_at: DateTime<Utc>,
    /// The actor who filed it.
    pub filed_by: String,
}

/// A ticket as its pages show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct TicketRow {
    /// Id.
    pub id: i64,
    /// Whose.
    pub customer_id: i64,
    /// Their name.
    pub customer: String,
    /// Their advisor when filed.
    pub advisor_id: i64,
    /// Their branch.
    pub branch_id: i64,
    /// complaint or feedback.
    pub kind: String,
    /// What about.
    pub category: String,
    /// How it came in.
    pub channel: String,
    /// Who handles it first.
    pub queue: String,
    /// A line.
    pub subject: String,
    /// What happened.
    pub body: String,
    /// open, answered or closed.
    pub status: String,
    /// queue, manager or compliance.
    pub level: String,
    /// Waiting for the firm since.
    pub waiting_since: DateTime<Utc>,
    /// Due.
    pub due_at: DateTime<Utc>,
    /// 1..5 when closed.
    pub satisfaction: Option<i32>,
    /// Times reopened.
    pub reopened: i64,
    /// Votes (feedback).
    pub votes: i64,
    /// Adopted (feedback).
    pub adopted_at: Option<DateTime<Utc>>,
    /// The product team's public note on adoption.
    pub adoption_note: Option<String>,
    /// The incident it is linked to.
    pub incident_id: Option<i64>,
    /// Who filed it.
    pub filed_by: String,
    /// Filed.
    pub created_at: DateTime<Utc>,
    /// Closed.
    pub closed_at: Option<DateTime<Utc>>,
}

/// Distinct investors behind an incident's complaints and messages.
const INCIDENT_INVESTORS: &str = "SELECT COUNT(*) FROM (SELECT customer_id FROM tickets WHERE incident_id = $1 \
     UNION SELECT customer_id FROM fault_reports WHERE incident_id = $1 AND customer_id IS NOT NULL) x";

const TICKET_COLUMNS: &str = "t.id, t.customer_id, c.name AS customer, t.advisor_id, t.branch_id, t.kind, t.category, \
     t.channel, t.queue, t.subject, t.body, t.status, t.level, t.waiting_since, t.due_at, t.satisfaction, t.reopened, \
     t.votes, t.adopted_at, t.adoption_note, t.incident_id, t.filed_by, t.created_at, t.closed_at";

/// One step of a ticket's handling.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct TicketEventRow {
    /// Its ticket.
    pub ticket_id: i64,
    /// Order within the ticket.
    pub seq: i64,
    /// When.
    pub at: DateTime<Utc>,
    /// The actor (user:N, or system).
    pub actor: String,
    /// Their name, as the customer sees it.
    pub actor_name: String,
    /// filed, reply, customer_note, escalated, closed, reopened, adopted, linked.
    pub kind: String,
    /// What was said.
    pub body: String,
    /// Shown to the customer.
    pub public: bool,
}

/// An attachment without its bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct AttachmentRow {
    /// Its ticket.
    pub ticket_id: i64,
    /// Order within the ticket.
    pub seq: i64,
    /// The name given.
    pub name: String,
    /// png, jpeg, pdf or text.
    pub file_type: String,
    /// Bytes.
    pub size: i64,
    /// SHA-256 of the bytes.
    pub sha256: String,
    /// When.
    pub at: DateTime<Utc>,
}

/// Which tickets to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TicketFilter {
    /// complaint or feedback.
    pub kind: Option<String>,
    /// open, answered or closed; None: all.
    pub status: Option<String>,
    /// Not closed.
    pub unresolved: bool,
    /// advisor or complaints.
    pub queue: Option<String>,
    /// At this level or above (manager: manager and compliance).
    pub level_at_least: Option<String>,
    /// One customer's.
    pub customer_id: Option<CustomerId>,
    /// Rows at most.
    pub limit: i64,
}

/// An incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct IncidentRow {
    /// Id.
    pub id: i64,
    /// trading, login, quotes or data.
    pub area: String,
    /// open or closed.
    pub status: String,
    /// Started.
    pub started_at: DateTime<Utc>,
    /// Ended.
    pub ended_at: Option<DateTime<Utc>>,
    /// Investors affected.
    pub affected_investors: i64,
    /// The grade.
    pub grade: String,
    /// What happened.
    pub summary: String,
    /// burst, or the actor who opened it.
    pub opened_by: String,
    /// The notice to the affected groups.
    pub notice_text: Option<String>,
    /// none, pending, approved or rejected.
    pub notice_status: String,
    /// Who drafted the notice.
    pub notice_by: Option<String>,
    /// Who decided it.
    pub notice_decided_by: Option<String>,
    /// When.
    pub notice_decided_at: Option<DateTime<Utc>>,
    /// Groups the approved notice went to.
    pub notice_groups: i64,
    /// Recorded.
    pub created_at: DateTime<Utc>,
}

/// A group message linked to an incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct FaultReportRow {
    /// The message.
    pub message_id: i64,
    /// Its group.
    pub group_id: i64,
    /// Who wrote it.
    pub customer_id: Option<i64>,
    /// The area it reports.
    pub area: String,
    /// When.
    pub at: DateTime<Utc>,
    /// What it said.
    pub body: String,
}

impl Db {
    /// The tickets in scope matching `filter`, newest first.
    pub async fn tickets(&self, scope: Scope, filter: &TicketFilter) -> Result<Vec<TicketRow>, StoreError> {
        Ok(with_pool!(self, pool => {
            let mut q = QueryBuilder::new(format!(
                "SELECT {TICKET_COLUMNS} FROM tickets t JOIN customers c ON c.id = t.customer_id WHERE 1 = 1"
            ));
            push_scope(&mut q, scope);
            if let Some(kind) = &filter.kind {
                q.push(" AND t.kind = ").push_bind(kind.clone());
            }
            if let Some(status) = &filter.status {
                q.push(" AND t.status = ").push_bind(status.clone());
            }
            if filter.unresolved {
                q.push(" AND t.status <> 'closed'");
            }
            if let Some(queue) = &filter.queue {
                q.push(" AND t.queue = ").push_bind(queue.clone());
            }
            match filter.level_at_least.as_deref() {
                Some("manager") => {
                    q.push(" AND t.level IN ('manager', 'compliance')");
                }
                Some("compliance") => {
                    q.push(" AND t.level = 'compliance'");
                }
                _ => {}
            }
            if let Some(customer) = filter.customer_id {
                q.push(" AND t.customer_id = ").push_bind(customer);
            }
            q.push(" ORDER BY t.id DESC LIMIT ").push_bind(filter.limit.clamp(1, 1000));
            q.build_query_as().fetch_all(pool).await?
        }))
    }

    /// One ticket in scope.
    pub async fn ticket(&self, scope: Scope, id: i64) -> Result<Option<TicketRow>, StoreError> {
        Ok(with_pool!(self, pool => {
            let mut q = QueryBuilder::new(format!(
                "SELECT {TICKET_COLUMNS} FROM tickets t JOIN customers c ON c.id = t.customer_id WHERE t.id = "
            ));
            q.push_bind(id);
            push_scope(&mut q, scope);
            q.build_query_as().fetch_optional(pool).await?
        }))
    }

    /// A ticket's events in order.
    pub async fn ticket_events(&self, id: i64) -> Result<Vec<TicketEventRow>, StoreError> {
        let sql = "SELECT ticket_id, seq, at, actor, actor_name, kind, body, public FROM ticket_events \
                   WHERE ticket_id = $1 ORDER BY seq";
        Ok(with_pool!(self, pool => sqlx::query_as(sql).bind(id).fetch_all(pool).await?))
    }

    /// A ticket's attachments, without their bytes.
    pub async fn ticket_attachments(&self, id: i64) -> Result<Vec<AttachmentRow>, StoreError> {
        let sql = "SELECT ticket_id, seq, name, file_type, size, sha256, at FROM ticket_attachments \
                   WHERE ticket_id = $1 ORDER BY seq";
        Ok(with_pool!(self, pool => sqlx::query_as(sql).bind(id).fetch_all(pool).await?))
    }

    /// One attachment's type and bytes.
    pub async fn attachment_bytes(&self, id: i64, seq: i64) -> Result<Option<(String, String, Vec<u8>)>, StoreError> {
        let sql = "SELECT name, file_type, bytes FROM ticket_attachments WHERE ticket_id = $1 AND seq = $2";
        Ok(with_pool!(self, pool => sqlx::query_as(sql).bind(id).bind(seq).fetch_optional(pool).await?))
    }

    /// Suggestions everyone may read, most voted first.
    pub async fn feedback_board(&self, limit: i64) -> Result<Vec<TicketRow>, StoreError> {
        Ok(with_pool!(self, pool => {
            let mut q = QueryBuilder::new(format!(
                "SELECT {TICKET_COLUMNS} FROM tickets t JOIN customers c ON c.id = t.customer_id \
                 WHERE t.kind = 'feedback' ORDER BY t.adopted_at IS NULL, t.votes DESC, t.id DESC LIMIT "
            ));
            q.push_bind(limit.clamp(1, 500));
            q.build_query_as().fetch_all(pool).await?
        }))
    }

    /// Unresolved complaints waiting past their due time, for the escalation sweep.
    pub async fn overdue_tickets(&self, now: DateTime<Utc>) -> Result<Vec<TicketRow>, StoreError> {
        let sql = format!(
            "SELECT {TICKET_COLUMNS} FROM tickets t JOIN customers c ON c.id = t.customer_id \
             WHERE t.status = 'open' AND t.due_at <= $1 AND t.kind = 'complaint' AND t.level <> 'compliance' \
             ORDER BY t.due_at LIMIT 1000"
        );
        Ok(with_pool!(self, pool => sqlx::query_as(&sql).bind(now).fetch_all(pool).await?))
    }

    /// Incidents, newest first.
    pub async fn incidents(&self, limit: i64) -> Result<Vec<IncidentRow>, StoreError> {
        let sql = "SELECT * FROM incidents ORDER BY id DESC LIMIT $1";
        Ok(with_pool!(self, pool => sqlx::query_as(sql).bind(limit.clamp(1, 500)).fetch_all(pool).await?))
    }

    /// One incident.
    pub async fn incident(&self, id: i64) -> Result<Option<IncidentRow>, StoreError> {
        Ok(
            with_pool!(self, pool => sqlx::query_as("SELECT * FROM incidents WHERE id = $1").bind(id).fetch_optional(pool).await?),
        )
    }

    /// The complaints linked to an incident.
    pub async fn incident_tickets(&self, id: i64) -> Result<Vec<TicketRow>, StoreError> {
        let sql = format!(
            "SELECT {TICKET_COLUMNS} FROM tickets t JOIN customers c ON c.id = t.customer_id \
             WHERE t.incident_id = $1 ORDER BY t.id"
        );
        Ok(with_pool!(self, pool => sqlx::query_as(&sql).bind(id).fetch_all(pool).await?))
    }

    /// The group messages linked to an incident.
    pub async fn incident_messages(&self, id: i64) -> Result<Vec<FaultReportRow>, StoreError> {
        let sql = "SELECT f.message_id, f.group_id, f.customer_id, f.area, f.at, m.body FROM fault_reports f \
                   JOIN group_messages m ON m.id = f.message_id WHERE f.incident_id = $1 ORDER BY f.message_id";
        Ok(with_pool!(self, pool => sqlx::query_as(sql).bind(id).fetch_all(pool).await?))
    }

    /// The groups an incident touched: where its messages were written, and
    /// the groups of the advisors whose customers complained.
    pub async fn incident_groups(&self, id: i64) -> Result<Vec<GroupId>, StoreError> {
        let sql = "SELECT group_id FROM fault_reports WHERE incident_id = $1 \
                   UNION SELECT g.id FROM chat_groups g WHERE g.advisor_id IN \
                   (SELECT DISTINCT advisor_id FROM tickets WHERE incident_id = $1) ORDER BY 1";
        let ids: Vec<i64> = with_pool!(self, pool => sqlx::query_scalar(sql).bind(id).fetch_all(pool).await?);
        Ok(ids.into_iter().map(GroupId).collect())
    }

    /// Distinct investors behind an incident's complaints and messages.
    pub async fn incident_investors(&self, id: i64) -> Result<i64, StoreError> {
        Ok(with_pool!(self, pool => sqlx::query_scalar(INCIDENT_INVESTORS).bind(id).fetch_one(pool).await?))
    }

    /// Complaints filed in `[from, to)` by the advisor their customer had then, for customers in scope.
    pub async fn complaints_by_advisor(
        &self,
        scope: Scope,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<std::collections::HashMap<i64, i64>, StoreError> {
        let rows: Vec<(i64, i64)> = with_pool!(self, pool => {
            let mut q = QueryBuilder::new(
                "SELECT t.advisor_id, COUNT(*) FROM tickets t JOIN customers c ON c.id = t.customer_id \
                 WHERE t.kind = 'complaint' AND t.created_at >= ",
            );
            q.push_bind(from).push(" AND t.created_at < ").push_bind(to);
            push_scope(&mut q, scope);
            q.push(" GROUP BY t.advisor_id");
            q.build_query_as().fetch_all(pool).await?
        });
        Ok(rows.into_iter().collect())
    }

    /// The retention in years.
    pub async fn retention_years(&self) -> Result<i64, StoreError> {
        Ok(
            with_pool!(self, pool => sqlx::query_scalar("SELECT years FROM retention WHERE id = 1").fetch_one(pool).await?),
        )
    }

    /// Sets the retention (never below 20 years; the table refuses it).
    pub async fn set_retention_years(&self, years: i64) -> Result<(), StoreError> {
        with_pool!(self, pool => {
            sqlx::query("UPDATE retention SET years = $1 WHERE id = 1").bind(years).execute(pool).await?;
        });
        Ok(())
    }
}

impl Tx {
    /// The open incident of an area, if one (read in the unit, under its lock).
    pub async fn open_incident(&mut self, area: &str) -> Result<Option<IncidentRow>, StoreError> {
        let sql = "SELECT * FROM incidents WHERE area = $1 AND status = 'open' ORDER BY id DESC LIMIT 1";
        Ok(with_tx!(self, conn => sqlx::query_as(sql).bind(area).fetch_optional(&mut *conn).await?))
    }

    /// Complaints of `categories` filed since `since`, and fault reports of `area` since then.
    pub async fn area_signals_since(
        &mut self,
        categories: &[&str],
        area: &str,
        since: DateTime<Utc>,
    ) -> Result<(i64, i64), StoreError> {
        Ok(with_tx!(self, conn => {
            let mut q = QueryBuilder::new("SELECT COUNT(*) FROM tickets WHERE kind = 'complaint' AND created_at >= ");
            q.push_bind(since).push(" AND category IN (");
            let mut list = q.separated(", ");
            for c in categories {
                list.push_bind(c.to_string());
            }
            q.push(")");
            let complaints: i64 = q.build_query_scalar().fetch_one(&mut *conn).await?;
            let messages: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM fault_reports WHERE area = $1 AND at >= $2")
                .bind(area)
                .bind(since)
                .fetch_one(&mut *conn)
                .await?;
            (complaints, messages)
        }))
    }

    /// Distinct investors behind an incident's complaints and messages, links of this unit included.
    pub async fn incident_investors(&mut self, id: i64) -> Result<i64, StoreError> {
        Ok(with_tx!(self, conn => sqlx::query_scalar(INCIDENT_INVESTORS).bind(id).fetch_one(&mut *conn).await?))
    }

    /// Files a ticket: its row, open and waiting from now; the customer's advisor and branch recorded.
    pub async fn insert_ticket(&mut self, t: &NewTicket) -> Result<Option<i64>, StoreError> {
        self.serialize().await?;
        let now = self.now();
        with_tx!(self, conn => {
            let owner: Option<(i64, i64)> = sqlx::query_as("SELECT advisor_id, branch_id FROM customers WHERE id = $1")
                .bind(t.customer_id)
                .fetch_optional(&mut *conn)
                .await?;
            let Some((advisor, branch)) = owner else { return Ok(None) };
            let id: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) + 1 FROM tickets").fetch_one(&mut *conn).await?;
            sqlx::query(
                "INSERT INTO tickets (id, customer_id, advisor_id, branch_id, kind, category, channel, queue, subject, \
                 body, status, level, waiting_since, due_at, filed_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'open', 'queue', $11, $12, $13, $11)",
            )
            .bind(id)
            .bind(t.customer_id)
            .bind(advisor)
            .bind(branch)
            .bind(&t.kind)
            .bind(&t.category)
            .bind(&t.channel)
            .bind(&t.queue)
            .bind(&t.subject)
            .bind(&t.body)
            .bind(now)
            .bind(t.due_at)
            .bind(&t.filed_by)
            .execute(&mut *conn)
            .await?;
            Ok(Some(id))
        })
    }

    /// Appends a step to a ticket's history.
    pub async fn add_ticket_event(
        &mut self,
        ticket: i64,
        actor: &str,
        actor_name: &str,
        kind: &str,
        body: &str,
        public: bool,
    ) -> Result<(), StoreError> {
        let now = self.now();
        with_tx!(self, conn => {
            sqlx::query(
                "INSERT INTO ticket_events (ticket_id, seq, at, actor, actor_name, kind, body, public) \
                 SELECT $1, COALESCE(MAX(seq), 0) + 1, $2, $3, $4, $5, $6, $7 FROM ticket_events WHERE ticket_id = $1",
            )
            .bind(ticket)
            .bind(now)
            .bind(actor)
            .bind(actor_name)
            .bind(kind)
            .bind(body)
            .bind(public)
            .execute(&mut *conn)
            .await?;
        });
        Ok(())
    }

    /// Moves a ticket from `from` to `to` (false when it was no longer at `from`).
    pub async fn set_ticket_status(
        &mut self,
        ticket: i64,
        from: &str,
        to: &str,
        waiting: Option<(DateTime<Utc>, DateTime<Utc>)>,
        satisfaction: Option<i32>,
        reopen: bool,
    ) -> Result<bool, StoreError> {
        let now = self.now();
        let closed_at = (to == "closed").then_some(now);
        let reopened = i64::from(reopen);
        let done = with_tx!(self, conn => {
            let mut q = QueryBuilder::new("UPDATE tickets SET status = ");
            q.push_bind(to.to_string());
            q.push(", closed_at = ").push_bind(closed_at);
            q.push(", reopened = reopened + ").push_bind(reopened);
            if let Some(s) = satisfaction {
                q.push(", satisfaction = ").push_bind(s);
            }
            if let Some((since, due)) = waiting {
                q.push(", waiting_since = ").push_bind(since).push(", due_at = ").push_bind(due).push(", level = 'queue'");
            }
            q.push(" WHERE id = ").push_bind(ticket).push(" AND status = ").push_bind(from.to_string());
            q.build().execute(&mut *conn).await?.rows_affected()
        });
        Ok(done == 1)
    }

    /// Raises an open ticket's level (false when it was not at `from`).
    pub async fn escalate_ticket(&mut self, ticket: i64, from: &str, to: &str) -> Result<bool, StoreError> {
        let done = with_tx!(self, conn => {
            sqlx::query("UPDATE tickets SET level = $1 WHERE id = $2 AND level = $3 AND status = 'open'")
                .bind(to)
                .bind(ticket)
                .bind(from)
                .execute(&mut *conn)
                .await?
                .rows_affected()
        });
        Ok(done == 1)
    }

    /// Stores an attachment; its sequence number.
    pub async fn add_attachment(
        &mut self,
        ticket: i64,
        name: &str,
        file_type: &str,
        sha256: &str,
        bytes: &[u8],
    ) -> Result<i64, StoreError> {
        let now = self.now();
        with_tx!(self, conn => {
            let seq: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) + 1 FROM ticket_attachments WHERE ticket_id = $1")
                .bind(ticket)
                .fetch_one(&mut *conn)
                .await?;
            sqlx::query(
                "INSERT INTO ticket_attachments (ticket_id, seq, name, file_type, size, sha256, bytes, at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(ticket)
            .bind(seq)
            .bind(name)
            .bind(file_type)
            .bind(bytes.len() as i64)
            .bind(sha256)
            .bind(bytes)
            .bind(now)
            .execute(&mut *conn)
            .await?;
            Ok(seq)
        })
    }

    /// A customer's vote for a suggestion; false when they had voted.
    pub async fn vote(&mut self, ticket: i64, customer: CustomerId) -> Result<bool, StoreError> {
        let now = self.now();
        with_tx!(self, conn => {
            let had: Option<i64> = sqlx::query_scalar("SELECT ticket_id FROM feedback_votes WHERE ticket_id = $1 AND customer_id = $2")
                .bind(ticket)
                .bind(customer)
                .fetch_optional(&mut *conn)
                .await?;
            if had.is_some() {
                return Ok(false);
            }
            sqlx::query("INSERT INTO feedback_votes (ticket_id, customer_id, at) VALUES ($1, $2, $3)")
                .bind(ticket)
                .bind(customer)
                .bind(now)
                .execute(&mut *conn)
                .await?;
            sqlx::query("UPDATE tickets SET votes = votes + 1 WHERE id = $1").bind(ticket).execute(&mut *conn).await?;
            Ok(true)
        })
    }

    /// Marks a suggestion adopted with its public note (false when it already was).
    pub async fn adopt(&mut self, ticket: i64, note: &str) -> Result<bool, StoreError> {
        let now = self.now();
        let done = with_tx!(self, conn => {
            sqlx::query("UPDATE tickets SET adopted_at = $1, adoption_note = $2 WHERE id = $3 AND adopted_at IS NULL")
                .bind(now)
                .bind(note)
                .bind(ticket)
                .execute(&mut *conn)
                .await?
                .rows_affected()
        });
        Ok(done == 1)
    }

    /// Records a group message that reports a fault.
    pub async fn insert_fault_report(
        &mut self,
        message: MessageId,
        group: GroupId,
        customer: Option<CustomerId>,
        area: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        with_tx!(self, conn => {
            sqlx::query("INSERT INTO fault_reports (message_id, group_id, customer_id, area, at) VALUES ($1, $2, $3, $4, $5)")
                .bind(message)
                .bind(group)
                .bind(customer)
                .bind(area)
                .bind(at)
                .execute(&mut *conn)
                .await?;
        });
        Ok(())
    }

    /// Opens an incident; its id.
    pub async fn insert_incident(
        &mut self,
        area: &str,
        started_at: DateTime<Utc>,
        grade: &str,
        summary: &str,
        opened_by: &str,
    ) -> Result<i64, StoreError> {
        self.serialize().await?;
        let now = self.now();
        with_tx!(self, conn => {
            let id: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) + 1 FROM incidents").fetch_one(&mut *conn).await?;
            sqlx::query(
                "INSERT INTO incidents (id, area, status, started_at, affected_investors, grade, summary, opened_by, \
                 notice_status, created_at) VALUES ($1, $2, 'open', $3, 0, $4, $5, $6, 'none', $7)",
            )
            .bind(id)
            .bind(area)
            .bind(started_at)
            .bind(grade)
            .bind(summary)
            .bind(opened_by)
            .bind(now)
            .execute(&mut *conn)
            .await?;
            Ok(id)
        })
    }

    /// Links the unlinked complaints of `categories` and fault reports of `area` since `since` to an incident.
    pub async fn link_to_incident(
        &mut self,
        incident: i64,
        categories: &[&str],
        area: &str,
        since: DateTime<Utc>,
    ) -> Result<(u64, u64), StoreError> {
        with_tx!(self, conn => {
            let mut q = QueryBuilder::new("UPDATE tickets SET incident_id = ");
            q.push_bind(incident).push(" WHERE incident_id IS NULL AND kind = 'complaint' AND created_at >= ").push_bind(since);
            q.push(" AND category IN (");
            let mut list = q.separated(", ");
            for c in categories {
                list.push_bind(c.to_string());
            }
            q.push(")");
            let tickets = q.build().execute(&mut *conn).await?.rows_affected();
            let messages = sqlx::query("UPDATE fault_reports SET incident_id = $1 WHERE incident_id IS NULL AND area = $2 AND at >= $3")
                .bind(incident)
                .bind(area)
                .bind(since)
                .execute(&mut *conn)
                .await?
                .rows_affected();
            Ok((tickets, messages))
        })
    }

    /// Updates an incident's count of investors and grade.
    pub async fn regrade_incident(&mut self, incident: i64, affected: i64, grade: &str) -> Result<(), StoreError> {
        with_tx!(self, conn => {
            sqlx::query("UPDATE incidents SET affected_investors = $1, grade = $2 WHERE id = $3")
                .bind(affected)
                .bind(grade)
                .bind(incident)
                .execute(&mut *conn)
                .await?;
        });
        Ok(())
    }

    /// Records the incident's facts as staff establish them (false when closed already).
    pub async fn update_incident(
        &mut self,
        incident: i64,
        started_at: DateTime<Utc>,
        ended_at: Option<DateTime<Utc>>,
        affected: i64,
        grade: &str,
        summary: &str,
    ) -> Result<bool, StoreError> {
        let status = if ended_at.is_some() { "closed" } else { "open" };
        let done = with_tx!(self, conn => {
            sqlx::query(
                "UPDATE incidents SET started_at = $1, ended_at = $2, affected_investors = $3, grade = $4, summary = $5, \
                 status = $6 WHERE id = $7 AND status = 'open'",
            )
            .bind(started_at)
            .bind(ended_at)
            .bind(affected)
            .bind(grade)
            .bind(summary)
            .bind(status)
            .bind(incident)
            .execute(&mut *conn)
            .await?
            .rows_affected()
        });
        Ok(done == 1)
    }

    /// Drafts (or redrafts) the notice to the affected groups: pending compliance.
    pub async fn draft_notice(&mut self, incident: i64, text: &str, by: &str) -> Result<bool, StoreError> {
        let done = with_tx!(self, conn => {
            sqlx::query(
                "UPDATE incidents SET notice_text = $1, notice_status = 'pending', notice_by = $2, notice_decided_by = NULL, \
                 notice_decided_at = NULL WHERE id = $3 AND notice_status IN ('none', 'pending', 'rejected')",
            )
            .bind(text)
            .bind(by)
            .bind(incident)
            .execute(&mut *conn)
            .await?
            .rows_affected()
        });
        Ok(done == 1)
    }

    /// Compliance decides a pending notice (false when it was not pending).
    pub async fn decide_notice(
        &mut self,
        incident: i64,
        approved: bool,
        by: &str,
        groups: i64,
    ) -> Result<bool, StoreError> {
        let now = self.now();
        let status = if approved { "approved" } else { "rejected" };
        let done = with_tx!(self, conn => {
            sqlx::query(
                "UPDATE incidents SET notice_status = $1, notice_decided_by = $2, notice_decided_at = $3, notice_groups = $4 \
                 WHERE id = $5 AND notice_status = 'pending'",
            )
            .bind(status)
            .bind(by)
            .bind(now)
            .bind(groups)
            .bind(incident)
            .execute(&mut *conn)
            .await?
            .rows_affected()
        });
        Ok(done == 1)
    }
}
