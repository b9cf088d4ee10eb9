//! Customers as staff and the customers themselves read them: the list
//! (an exact search by personal data audited and limited), one customer's
//! record, and the audited reveal of a masked value.

use crate::{codes, Error};
use access::{PiiField, Principal};
use domain::CustomerId;
use store::{CustomerDetail, CustomerPage, CustomerQuery, Db, HistoryCursor, HistoryKind, HistoryPage};

/// The customers in scope matching the query (see `Db::find_customers`).
pub async fn find(db: &Db, principal: &Principal, query: &CustomerQuery) -> Result<CustomerPage, Error> {
    Ok(db.find_customers(principal, query, access::LOOKUPS_PER_MINUTE).await?)
}

/// The columns of an exported customer list.
pub const EXPORT_HEADER: [&str; 14] = [
    "id",
    "name",
    "phone",
    "gender",
    "age",
    "risk_level",
    "branch",
    "advisor_id",
    "advisor",
    "assets",
    "last_trade",
    "last_contact",
    "open_reminders",
    "service_tier",
];

/// Rows per page read while exporting.
const EXPORT_PAGE: u32 = 1_000;

/// Writes every customer in scope matching the query as CSV (personal data
/// masked, as the list shows it), header first, a page at a time into
/// `out`, in the query's order; answers the rows written. The export is
/// recorded in the audit trail first, with the filters it was asked with.
/// Stops early, without error, if `out` is closed (the download was dropped).
pub async fn export(
    db: &Db,
    principal: &Principal,
    mut query: CustomerQuery,
    filters: &str,
    out: tokio::sync::mpsc::Sender<String>,
) -> Result<u64, Error> {
    if principal.role == access::Role::Customer {
        return Err(codes::STAFF_ONLY.refuse().with("what", "export").into());
    }
    db.append_audit(&access::AuditEntry {
        actor: principal.actor(),
        action: "export".into(),
        entity: "customers".into(),
        entity_id: String::new(),
        detail: serde_json::json!({ "filters": filters }).to_string(),
    })
    .await?;
    let today = db.today();
    let time = |t: Option<chrono::DateTime<chrono::Utc>>| {
        t.map(|t| domain::to_shanghai(t).format("%Y-%m-%d %H:%M:%S").to_string()).unwrap_or_default()
    };
    query.per_page = EXPORT_PAGE;
    query.page = store::ListPage::First;
    let mut written = 0;
    let mut header = true;
    loop {
        let page = find(db, principal, &query).await?;
        let mut w = csv::Writer::from_writer(Vec::new());
        if std::mem::take(&mut header) {
            w.write_record(EXPORT_HEADER).expect("writing to memory");
        }
        for r in &page.rows {
            w.write_record([
                r.id.to_string(),
                r.name.clone(),
                r.phone.clone(),
                r.gender.clone(),
                domain::age_in_year(r.birth_year, today).to_string(),
                format!("C{}", r.risk_level),
                r.branch.clone(),
                r.advisor_id.to_string(),
                r.advisor.clone(),
                r.assets.to_string(),
                time(r.last_trade),
                time(r.last_contact),
                r.open_reminders.to_string(),
                r.service_tier.clone().unwrap_or_default(),
            ])
            .expect("writing to memory");
        }
        written += page.rows.len() as u64;
        let text = String::from_utf8(w.into_inner().expect("flushing to memory")).expect("UTF-8 fields");
        if out.send(text).await.is_err() {
            return Ok(written);
        }
        match page.next {
            Some(cursor) => query.page = store::ListPage::After(cursor),
            None => return Ok(written),
        }
    }
}

/// One customer in scope, with holdings.
pub async fn record(db: &Db, principal: &Principal, id: CustomerId) -> Result<CustomerDetail, Error> {
    db.customer(id, principal.scope()).await?.ok_or_else(|| codes::CUSTOMER_NOT_FOUND.refuse().into())
}

/// A page of a customer's history (trades, cash flows, logins, contacts),
/// newest first, older than `before`. The customer reads their own trades,
/// cash flows and logins; contacts are the staff's record.
pub async fn history(
    db: &Db,
    principal: &Principal,
    id: CustomerId,
    kind: HistoryKind,
    before: Option<HistoryCursor>,
    per_page: u32,
) -> Result<NamedHistory, Error> {
    if kind == HistoryKind::Service && principal.role == access::Role::Customer {
        return Err(codes::STAFF_ONLY.refuse().with("what", "service").into());
    }
    let Some(name) = db.customer_name_in_scope(id, principal.scope()).await? else {
        return Err(codes::CUSTOMER_NOT_FOUND.refuse().into());
    };
    Ok(NamedHistory { name, page: db.history(id, kind, before, per_page).await? })
}

/// A page of a customer's history, with the customer's name for its heading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedHistory {
    /// The customer's name.
    pub name: String,
    /// The page.
    pub page: HistoryPage,
}

/// The full value of a masked field: an explicit, audited action, open to
/// advisors (their customers), compliance and the customer themselves.
pub async fn reveal(db: &Db, principal: &Principal, id: CustomerId, field: PiiField) -> Result<String, Error> {
    if !principal.may_reveal() {
        return Err(codes::MAY_NOT_REVEAL.refuse().into());
    }
    db.reveal(principal, id, field).await?.ok_or_else(|| codes::CUSTOMER_NOT_FOUND.refuse().into())
}

/// One customer in scope as the position watch sees them now: each account
/// valued at the latest prices, with the holdings the book has given it.
pub async fn live(
    db: &Db,
    desk: &crate::risk_desk::RiskDesk,
    principal: &Principal,
    id: CustomerId,
) -> Result<Vec<crate::risk_desk::LiveAccount>, Error> {
    record(db, principal, id).await?;
    let accounts = db.accounts_of_customer(id).await?;
    Ok(desk.live_accounts(&accounts).await)
}
