//! Handing an advisor's whole book to another advisor: customers and open
//! tasks in one transaction with one audit record. Admins anywhere; a
//! manager within their own branch.

use crate::{codes, Error};
use access::Principal;
use domain::StaffId;
use store::{Db, Handover, HandoverRefusal};

/// Moves `from`'s book to `to`.
pub async fn hand_over(db: &Db, principal: &Principal, from: StaffId, to: StaffId) -> Result<Handover, Error> {
    match db.hand_over(principal, from, to).await? {
        Ok(h) => Ok(h),
        Err(HandoverRefusal::SameAdvisor) => Err(codes::HANDOVER_TO_SELF.refuse().on("to").into()),
        // Not allowed looks like absent, so staff ids outside one's remit leak nothing.
        Err(HandoverRefusal::NoSuchAdvisor | HandoverRefusal::NotAllowed) => {
            Err(codes::ADVISOR_NOT_FOUND.refuse().into())
        }
    }
}
