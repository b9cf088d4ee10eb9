//! Corporate actions on their ex-date (issue 22): every holder's position,
//! cost and cash adjusted once, in one unit of work with an audit record per
//! action, before the session's watch is built; the watch then starts the
//! day from the exchange's reference price with its history adjusted alike
//! (see `risk_desk`), so an ex-rights day raises no false reminders.

use chrono::NaiveDate;
use domain::{CorporateAction, FixedPoint, Money};
use std::collections::HashMap;
use store::{Db, StoreError};

/// What applying one action did.
#[derive(Debug, Clone, PartialEq)]
pub struct Applied {
    /// The action.
    pub action: CorporateAction,
    /// Holdings adjusted.
    pub holders: u64,
    /// Cash paid over all holders (0.0001 CNY).
    pub cash: i64,
}

/// Applies every pending action with an ex-date on or before `through`,
/// oldest first, in one unit of work. A holding the rules cannot adjust
/// (a figure out of range) is left as it was and logged.
pub async fn apply_due(db: &Db, through: NaiveDate) -> Result<Vec<Applied>, StoreError> {
    if !db.corporate_actions_pending(through).await? {
        return Ok(Vec::new());
    }
    let mut tx = db.begin().await?;
    let mut applied = Vec::new();
    let mut moved = std::collections::HashSet::new();
    for action in tx.pending_corporate_actions(through).await? {
        let code = action.instrument.to_string();
        let mut cash: HashMap<i64, i64> = HashMap::new();
        let mut holders = 0;
        for (account, held) in tx.holders_of(&code).await? {
            match book::entitle(&held, &action) {
                Ok(e) => {
                    tx.put_holding(account, &code, &e.after).await?;
                    moved.insert(account);
                    if e.cash != 0 {
                        cash.insert(account, e.cash);
                    }
                    holders += 1;
                }
                Err(e) => tracing::error!(account, code, error = %e, "a holding could not take a corporate action"),
            }
        }
        let paid: i64 = cash.values().sum();
        for (account, amount) in cash {
            tx.add_cash(account, amount).await?;
        }
        let now = tx.now();
        tx.corporate_action_applied(action.id, now).await?;
        tx.audit(access::AuditEntry {
            actor: "system:corporate-actions".into(),
            action: "apply".into(),
            entity: "corporate_action".into(),
            entity_id: action.id.0.to_string(),
            detail: serde_json::json!({
                "instrument": code,
                "ex_date": action.ex_date,
                "cash_per_share": action.cash_per_share,
                "new_shares_per_share": action.new_shares_per_share,
                "holders": holders,
                "cash_paid": Money::from_fixed(paid),
            })
            .to_string(),
        })
        .await?;
        applied.push(Applied { action, holders, cash: paid });
    }
    let moved: Vec<i64> = moved.into_iter().collect();
    tx.refresh_figures_of_accounts(&moved).await?;
    tx.commit().await?;
    for a in &applied {
        tracing::info!(instrument = %a.action.instrument, ex_date = %a.action.ex_date, holders = a.holders, "a corporate action was applied");
    }
    Ok(applied)
}
