//! Handing an advisor's book to another advisor, in one audited transaction.

use crate::audit::audited;
use crate::{with_pool, Db, StoreError};
use access::{AuditEntry, Principal};
use domain::{BranchId, StaffId};

/// What a handover moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Handover {
    /// Customers now served by the receiving advisor.
    pub customers: u64,
    /// Open tasks now the receiving advisor's (done ones keep who did them).
    pub open_tasks: u64,
}

/// Why a handover was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HandoverRefusal {
    /// One of the two is not an advisor (or does not exist).
    NoSuchAdvisor,
    /// Handing a book to its own advisor.
    SameAdvisor,
    /// The principal may not move books between these branches.
    NotAllowed,
}

impl Db {
    /// Moves advisor `from`'s book to advisor `to`: every customer (to `to`'s
    /// branch too) and every open task, in one transaction with one audit record.
    /// Whatever else an advisor comes to own (their chat groups) moves here too.
    pub async fn hand_over(
        &self,
        principal: &Principal,
        from: StaffId,
        to: StaffId,
    ) -> Result<Result<Handover, HandoverRefusal>, StoreError> {
        let sql = "SELECT (SELECT branch_id FROM staff WHERE id = $1 AND role = 'advisor'), \
                          (SELECT branch_id FROM staff WHERE id = $2 AND role = 'advisor')";
        let branches: (Option<BranchId>, Option<BranchId>) =
            with_pool!(self, pool => sqlx::query_as(sql).bind(from).bind(to).fetch_one(pool).await?);
        let (Some(from_branch), Some(to_branch)) = branches else {
            return Ok(Err(HandoverRefusal::NoSuchAdvisor));
        };
        // Remit first, so that nobody learns about advisors outside their own.
        if !principal.may_hand_over(from_branch, to_branch) {
            return Ok(Err(HandoverRefusal::NotAllowed));
        }
        if from == to {
            return Ok(Err(HandoverRefusal::SameAdvisor));
        }
        let entry = AuditEntry {
            actor: principal.actor(),
            action: "handover".into(),
            entity: "staff".into(),
            entity_id: from.to_string(),
            detail: format!("{{\"to\":{to}}}"),
        };
        let (handover, _) = audited!(self, &entry, tx => {
            let customers = sqlx::query("UPDATE customers SET advisor_id = $1, branch_id = $2 WHERE advisor_id = $3")
                .bind(to)
                .bind(to_branch)
                .bind(from)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            for (sql, params) in crate::figures::hand_over_statements(from.0, to.0, to_branch.0)
                .into_iter()
                .chain(crate::analytics::hand_over_statements(from.0, to.0, to_branch.0))
            {
                let mut q = sqlx::query(sql);
                for p in params {
                    q = q.bind(p);
                }
                q.execute(&mut *tx).await?;
            }
            // The reminders name their customer's team, so that a team reads its own by index.
            sqlx::query("UPDATE reminders SET advisor_id = $1, branch_id = $2 WHERE advisor_id = $3")
                .bind(to)
                .bind(to_branch)
                .bind(from)
                .execute(&mut *tx)
                .await?;
            let open_tasks = sqlx::query("UPDATE tasks SET advisor_id = $1 WHERE advisor_id = $2 AND done_at IS NULL")
                .bind(to)
                .bind(from)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            Handover { customers, open_tasks }
        })?;
        Ok(Ok(handover))
    }
}
