//! Customers as staff and the customers themselves read them: the list
//! (an exact search by personal data audited and limited), one customer's
//! record, and the audited reveal of a masked value.

use crate::{codes, Error};
use access::{PiiField, Principal};
use domain::CustomerId;
use store::{CustomerDetail, CustomerPage, CustomerQuery, Db};

/// The customers in scope matching the query (see `Db::find_customers`).
pub async fn find(db: &Db, principal: &Principal, query: &CustomerQuery) -> Result<CustomerPage, Error> {
    Ok(db.find_customers(principal, query, access::LOOKUPS_PER_MINUTE).await?)
}

/// One customer in scope, with holdings.
pub async fn record(db: &Db, principal: &Principal, id: CustomerId) -> Result<CustomerDetail, Error> {
    db.customer(id, principal.scope()).await?.ok_or_else(|| codes::CUSTOMER_NOT_FOUND.refuse().into())
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
