//! Outreach to a segment: an advisor (or the firm) sends an approved idea,
//! content item or product to customers named by a filter of the customer
//! list (a label, a service tier, a group, a saved filter) or by hand.
//! Suitability is judged per recipient with the gate's own function (what
//! is above a customer's match is not sent to them, and the count is
//! answered); copies made in quiet hours wait in the store until they end;
//! each delivered copy reaches the customer's inbox and, when connected,
//! their page at once. Reads and follow-through (a trade in the idea's
//! instrument or a purchase of the product within five trading days) are
//! counted per send.

use crate::{codes, Error};
use access::{AuditEntry, Principal, Role};
use advice::matching::ProductTerms;
use chrono::{DateTime, Duration, NaiveDate, Timelike, Utc};
use domain::{ContentId, ContentStatus, CustomerId, Horizon, IdeaId, ProductId, SendId};
use serde::Serialize;
use store::{CustomerQuery, Db, InboxRow, NewSend, SendRow};
use tokio::sync::broadcast;
use watch::rules::QuietHours;

/// Trading days, the send's own first, in which a trade or purchase counts as following it.
pub const FOLLOW_THROUGH_DAYS: u32 = 5;

/// What is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Item {
    /// A published idea.
    Idea(IdeaId),
    /// An approved content item (the sender's own).
    Content(ContentId),
    /// A product of the catalogue, on sale.
    Product(ProductId),
    /// A notice on instruments (news, a dated corporate event).
    Notice(domain::NoticeId),
}

/// Who it is sent to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// The customers a filter of the customer list matches (a label, a tier,
    /// a group, a saved filter), within the sender's scope.
    Filter(CustomerQuery),
    /// Customers picked by hand, each in the sender's scope.
    Customers(Vec<CustomerId>),
}

/// A send as asked for.
#[derive(Debug, Clone)]
pub struct SendRequest {
    /// What.
    pub item: Item,
    /// To whom.
    pub segment: Segment,
    /// How the segment was named, kept with the send (JSON).
    pub named: String,
    /// Only count: who would receive it, who would be withheld.
    pub preview: bool,
}

/// What a send did (or, previewed, would do).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SendOutcome {
    /// The send (none: a preview).
    pub send_id: Option<SendId>,
    /// Customers the segment matched.
    pub matched: usize,
    /// Withheld: the item is above their match (or they cannot be judged).
    pub withheld: usize,
    /// Recipients.
    pub recipients: usize,
    /// Of those, held until quiet hours end.
    pub held_for_quiet_hours: usize,
}

/// A send with what it led to.
#[derive(Debug, Clone, Serialize)]
pub struct SendReport {
    /// The send and its counts.
    #[serde(flatten)]
    pub send: SendRow,
    /// Recipients who traded the instrument or bought the product in the
    /// window (counted on the send's own page and API; none in the list).
    pub followed_through: Option<i64>,
    /// The window's last day.
    pub follow_through_until: NaiveDate,
}

/// The outreach desk: sends, the outbox of held copies, and the listeners
/// who push copies to connected customers.
#[derive(Debug)]
pub struct Outreach {
    db: Db,
    quiet: QuietHours,
    events: broadcast::Sender<InboxRow>,
    /// Past one machine: copies go through the bus to every server's pages.
    bus: Option<bus::Bus>,
    // What reading a send earns.
    earning: growth::earning::EarningRules,
}

/// The most customers a filter segment may reach in one send.
pub const MAX_RECIPIENTS: usize = 200_000;

/// The text of an item as it goes out, what it is judged on, and what follow-through counts.
struct Prepared {
    title: String,
    body: String,
    terms: Vec<ProductTerms>,
    instrument: Option<String>,
    product: Option<ProductId>,
    item_kind: &'static str,
    item_id: i64,
}

impl Outreach {
    /// A desk over the database, holding copies over these quiet hours.
    pub fn new(db: Db, quiet: QuietHours) -> Outreach {
        let (events, _) = broadcast::channel(4096);
        Outreach { db, quiet, events, earning: Default::default(), bus: None }
    }

    /// This desk under the firm's earning rules (what reading a send earns).
    pub fn with_earning(mut self, earning: growth::earning::EarningRules) -> Outreach {
        self.earning = earning;
        self
    }

    /// Listens to copies as they reach inboxes.
    pub fn subscribe(&self) -> broadcast::Receiver<InboxRow> {
        self.events.subscribe()
    }

    /// This outreach past one machine: delivered copies go through `bus`.
    pub fn with_bus(mut self, bus: bus::Bus) -> Outreach {
        self.bus = Some(bus);
        self
    }

    /// Hands in a copy delivered on another server (from the bus): pushed to this server's pages.
    pub fn receive(&self, row: InboxRow) {
        let _ = self.events.send(row);
    }

    async fn prepare(&self, principal: &Principal, item: Item) -> Result<Prepared, Error> {
        match item {
            Item::Idea(id) => {
                let idea = crate::ideas::visible(&self.db, principal, id).await?;
                if idea.published_at.is_none() {
                    return Err(codes::NOT_APPROVED.refuse().into());
                }
                let versions = self.db.content_versions(idea.content_id).await?;
                let approved = versions
                    .iter()
                    .find(|v| v.status == ContentStatus::Approved)
                    .ok_or_else(|| codes::NOT_APPROVED.refuse())?;
                let code = domain::InstrumentCode::parse(&idea.instrument)?;
                let instrument =
                    self.db.instrument(&code).await?.ok_or_else(|| codes::INSTRUMENT_NOT_FOUND.refuse())?;
                Ok(Prepared {
                    title: approved.title.clone(),
                    body: approved.body.clone(),
                    terms: vec![ProductTerms {
                        risk: idea.risk,
                        horizon: Some(Horizon::Short),
                        variety: Some(crate::ideas::variety_of(instrument.kind)),
                    }],
                    instrument: Some(idea.instrument),
                    product: None,
                    item_kind: "idea",
                    item_id: id.0,
                })
            }
            Item::Content(id) => {
                let versions = self.db.content_versions(id).await?;
                if versions.first().is_none_or(|v| Some(v.advisor_id) != principal.staff_id) {
                    return Err(codes::CONTENT_NOT_FOUND.refuse().into());
                }
                let approved = versions
                    .iter()
                    .find(|v| v.status == ContentStatus::Approved)
                    .ok_or_else(|| codes::NOT_APPROVED.refuse())?;
                let (name, licence) = self.db.staff_member(approved.advisor_id).await?.unwrap_or_default();
                let licence = licence.filter(|l| !l.trim().is_empty()).ok_or_else(|| codes::NO_LICENCE.refuse())?;
                let named = self.db.content_products(id).await?;
                let mut terms = Vec::new();
                let mut product = None;
                for p in named {
                    if let Some(row) = self.db.product(p).await? {
                        terms.push(crate::advice::terms(&row));
                        product.get_or_insert(row.id);
                    }
                }
                Ok(Prepared {
                    title: approved.title.clone(),
                    body: crate::community::content::published_text(approved, &name, &licence),
                    terms,
                    instrument: None,
                    product,
                    item_kind: "content",
                    item_id: id.0,
                })
            }
            Item::Notice(id) => {
                let (n, codes) = self.db.notice(id).await?.ok_or_else(|| codes::NOTICE_NOT_FOUND.refuse())?;
                let todo = n.deadline.and_then(|d| crate::notices::what_to_do(&n.kind, d));
                let mut body = n.body.clone();
                if let Some((zh, en)) = todo {
                    body = format!("{body}\n\n{zh}\n{en}");
                }
                if let Some(link) = &n.link {
                    body = format!("{body}\n{link}");
                }
                body = format!("{body}\n—— {} · {}", n.source, codes.join(", "));
                Ok(Prepared {
                    title: n.title.clone(),
                    body,
                    // News is not a product: nothing to judge.
                    terms: Vec::new(),
                    instrument: codes.first().cloned(),
                    product: None,
                    item_kind: "notice",
                    item_id: id.0,
                })
            }
            Item::Product(id) => {
                let p = self.db.product(id).await?.ok_or_else(|| codes::PRODUCT_NOT_FOUND.refuse())?;
                if p.state != domain::ProductState::OnSale {
                    return Err(codes::PRODUCT_CLOSED.refuse().into());
                }
                let body = format!(
                    "{}\n风险等级 Risk rating: {} · 期限 Term: {} 天 days · 起购 Minimum: {} 元 CNY\n\n{}",
                    p.description,
                    p.risk,
                    p.term_days,
                    p.minimum.round_dp(2),
                    crate::community::content::DISCLAIMER
                );
                Ok(Prepared {
                    title: p.name.clone(),
                    body,
                    terms: vec![crate::advice::terms(&p)],
                    instrument: None,
                    product: Some(p.id),
                    item_kind: "product",
                    item_id: id.0,
                })
            }
        }
    }

    /// The customers a segment names, within the sender's scope.
    async fn members(&self, principal: &Principal, segment: &Segment) -> Result<Vec<CustomerId>, Error> {
        let scope = principal.scope();
        match segment {
            Segment::Customers(ids) => {
                let mut out = Vec::with_capacity(ids.len());
                for id in ids {
                    if self.db.customer_name_in_scope(*id, scope).await?.is_none() {
                        return Err(codes::CUSTOMER_NOT_FOUND.refuse().on("customers").with("id", id).into());
                    }
                    out.push(*id);
                }
                out.sort_unstable();
                out.dedup();
                Ok(out)
            }
            Segment::Filter(query) => {
                let mut q = query.clone();
                q.scope = scope;
                let ids = self.db.segment_ids(&q, MAX_RECIPIENTS as i64).await?;
                if ids.len() > MAX_RECIPIENTS {
                    return Err(domain::codes::OUT_OF_RANGE
                        .refuse()
                        .on("segment")
                        .with("value", format!("more than {MAX_RECIPIENTS}"))
                        .with("min", 1)
                        .with("max", MAX_RECIPIENTS)
                        .into());
                }
                Ok(ids)
            }
        }
    }

    /// Sends an item to a segment (or previews it): every member judged,
    /// the suitable ones sent to, the send, its copies and its audit record
    /// one unit of work; copies due now are delivered at once.
    pub async fn send(&self, principal: &Principal, request: &SendRequest) -> Result<SendOutcome, Error> {
        let sender = match (principal.role, principal.staff_id) {
            (Role::Advisor | Role::Manager | Role::Admin, Some(s)) => s,
            _ => return Err(codes::STAFF_ONLY.refuse().with("what", "send").into()),
        };
        let prepared = self.prepare(principal, request.item).await?;
        let members = self.members(principal, &request.segment).await?;
        let now = self.db.now();
        let mut suitable = Vec::with_capacity(members.len());
        if prepared.terms.is_empty() {
            suitable = members.clone();
        } else {
            for chunk in members.chunks(1_000) {
                for investor in self.db.investors(chunk).await? {
                    if prepared.terms.iter().all(|t| crate::advice::suits(&investor, t, now)) {
                        suitable.push(investor.customer_id);
                    }
                }
            }
        }
        let local = domain::to_shanghai(now);
        let wait = self.quiet.wait((local.hour() * 60 + local.minute()) as u16);
        let deliver_at = now + Duration::minutes(i64::from(wait));
        let mut outcome = SendOutcome {
            send_id: None,
            matched: members.len(),
            withheld: members.len() - suitable.len(),
            recipients: suitable.len(),
            held_for_quiet_hours: if wait > 0 { suitable.len() } else { 0 },
        };
        if request.preview {
            return Ok(outcome);
        }
        if suitable.is_empty() {
            return Err(codes::NO_RECIPIENTS
                .refuse()
                .with("matched", outcome.matched)
                .with("withheld", outcome.withheld)
                .into());
        }
        let send = NewSend {
            sender_id: sender,
            item_kind: prepared.item_kind.into(),
            item_id: prepared.item_id,
            instrument: prepared.instrument,
            product_id: prepared.product,
            title: prepared.title,
            body: prepared.body,
            segment: request.named.clone(),
            matched: outcome.matched as i64,
            withheld: outcome.withheld as i64,
            trading_day: book::trading_day(now),
        };
        let copies: Vec<(CustomerId, DateTime<Utc>)> = suitable.iter().map(|c| (*c, deliver_at)).collect();
        let mut unit = self.db.begin().await?;
        let id = unit.insert_send(&send, &copies).await?;
        unit.audit(AuditEntry {
            actor: principal.actor(),
            action: "send".into(),
            entity: "sends".into(),
            entity_id: id.to_string(),
            detail: serde_json::json!({
                "item": format!("{}:{}", send.item_kind, send.item_id),
                "segment": request.named,
                "matched": outcome.matched,
                "withheld": outcome.withheld,
            })
            .to_string(),
        })
        .await?;
        unit.commit().await?;
        outcome.send_id = Some(id);
        self.deliver_due(now).await?;
        Ok(outcome)
    }

    /// The outbox: delivers every copy due by `now` and pushes it to
    /// connected customers; how many.
    pub async fn deliver_due(&self, now: DateTime<Utc>) -> Result<usize, Error> {
        let round = self.db.deliver_due_sends(now).await?;
        if let Some(bus) = &self.bus {
            let messages = round
                .iter()
                .map(|row| {
                    let id = format!("inbox-{}-{}", row.send_id.0, row.customer_id.0);
                    let payload = serde_json::to_vec(row).expect("an inbox row serializes");
                    (bus::live("inbox", row.customer_id.0), Some(id), payload.into())
                })
                .collect();
            if let Err(e) = bus.publish_all(messages).await {
                tracing::error!(error = %e, "delivered copies could not be pushed through the bus");
            }
            return Ok(round.len());
        }
        for row in &round {
            // No listener is not an error: the copy is in the inbox.
            let _ = self.events.send(row.clone());
        }
        Ok(round.len())
    }

    /// A customer's inbox, newest first.
    pub async fn inbox(&self, principal: &Principal, limit: i64) -> Result<Vec<InboxRow>, Error> {
        let customer = principal.customer_id.ok_or_else(|| codes::CUSTOMERS_ONLY.refuse())?;
        Ok(self.db.inbox(customer, limit).await?)
    }

    /// A customer opens a message of their inbox: counted as read once.
    pub async fn read(&self, principal: &Principal, send: SendId) -> Result<InboxRow, Error> {
        let customer = principal.customer_id.ok_or_else(|| codes::CUSTOMERS_ONLY.refuse())?;
        let row = self.db.inbox_message(send, customer).await?.ok_or_else(|| codes::SEND_NOT_FOUND.refuse())?;
        // The read and what it earns, in one unit of work.
        let mut unit = self.db.begin().await?;
        if unit.mark_send_read(send, customer).await? {
            let read = growth::earning::Activity::ContentRead { customer, item: format!("send:{send}") };
            crate::growth::earn_in(&mut unit, &self.earning, &read).await?;
        }
        unit.commit().await?;
        Ok(row)
    }

    /// Sends with their reads and follow-through: an advisor's own; a
    /// manager's or administrator's, everyone's.
    pub async fn sends(&self, principal: &Principal) -> Result<Vec<SendReport>, Error> {
        let sender = match principal.role {
            Role::Advisor => principal.staff_id,
            Role::Manager | Role::Admin | Role::Compliance => None,
            _ => return Err(codes::STAFF_ONLY.refuse().with("what", "sends").into()),
        };
        // The list carries the send's own counts; follow-through, which reads each recipient's
        // trades and purchases, is counted on the send's own page.
        Ok(self
            .db
            .sends(sender, 200)
            .await?
            .into_iter()
            .map(|send| {
                let until = follow_through_until(send.created_at);
                SendReport { send, followed_through: None, follow_through_until: until }
            })
            .collect())
    }

    /// One send with what it led to.
    pub async fn send_report(&self, principal: &Principal, id: SendId) -> Result<SendReport, Error> {
        let send = self.db.send(id).await?.ok_or_else(|| codes::SEND_NOT_FOUND.refuse())?;
        let mine = match principal.role {
            Role::Advisor => principal.staff_id == Some(send.sender_id),
            Role::Manager | Role::Admin | Role::Compliance => true,
            _ => false,
        };
        if !mine {
            return Err(codes::SEND_NOT_FOUND.refuse().into());
        }
        self.report(send).await
    }

    async fn report(&self, send: SendRow) -> Result<SendReport, Error> {
        let until = follow_through_until(send.created_at);
        let end = midnight_after(until);
        let followed_through = self.db.followed_through(&send, send.created_at, end).await?;
        Ok(SendReport { send, followed_through: Some(followed_through), follow_through_until: until })
    }
}

/// The first moment after a day ends in Shanghai.
pub(crate) fn midnight_after(day: NaiveDate) -> DateTime<Utc> {
    use chrono::TimeZone;
    let next = day.succ_opt().unwrap_or(day).and_hms_opt(0, 0, 0).expect("midnight");
    domain::shanghai().from_local_datetime(&next).single().expect("a fixed offset is unambiguous").with_timezone(&Utc)
}

/// The last day of a send's follow-through window: the fifth trading
/// session counting the one it was sent in (or, sent after the close or on
/// a closed day, the next).
pub fn follow_through_until(sent: DateTime<Utc>) -> NaiveDate {
    let calendar = market::TradingCalendar::current();
    let mut day = calendar.session_of(crate::ideas::entry_day(sent));
    for _ in 1..FOLLOW_THROUGH_DAYS {
        day = calendar.next_trading_day(day);
    }
    day
}

/// Saves (or replaces, by name) a filter of the customer list for the
/// caller (staff), as the list's query string; its id.
pub async fn save_filter(
    db: &Db,
    principal: &Principal,
    name: &str,
    query: &str,
) -> Result<domain::SavedFilterId, Error> {
    let staff = principal.staff_id.ok_or_else(|| codes::STAFF_ONLY.refuse().with("what", "filters"))?;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 80 {
        return Err(domain::codes::LENGTH.refuse().on("name").with("min", 1).with("max", 80).into());
    }
    let mut unit = db.begin().await?;
    let id = unit.save_filter(staff, name, query).await?;
    unit.commit().await?;
    Ok(id)
}

/// The caller's saved filters, by name.
pub async fn saved_filters(db: &Db, principal: &Principal) -> Result<Vec<store::SavedFilterRow>, Error> {
    let staff = principal.staff_id.ok_or_else(|| codes::STAFF_ONLY.refuse().with("what", "filters"))?;
    Ok(db.saved_filters(staff).await?)
}

/// One of the caller's saved filters.
pub async fn saved_filter(
    db: &Db,
    principal: &Principal,
    id: domain::SavedFilterId,
) -> Result<store::SavedFilterRow, Error> {
    db.saved_filter(id)
        .await?
        .filter(|f| Some(f.staff_id) == principal.staff_id)
        .ok_or_else(|| codes::SAVED_FILTER_NOT_FOUND.refuse().on("saved_filter").into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follow_through_runs_five_sessions_from_the_send() {
        let at = |s: &str| domain::parse_timestamp("at", s).unwrap();
        let day = |s: &str| s.parse::<NaiveDate>().unwrap();
        // Monday morning: Monday to Friday.
        assert_eq!(follow_through_until(at("2026-11-02 10:00:00")), day("2026-11-06"));
        // Monday after the close: Tuesday to the next Monday.
        assert_eq!(follow_through_until(at("2026-11-02 16:00:00")), day("2026-11-09"));
        // Saturday: Monday to Friday.
        assert_eq!(follow_through_until(at("2026-11-07 10:00:00")), day("2026-11-13"));
    }
}
