//! What has been sent today, kept beside the positions themselves: a rule
//! fires once per account, instrument and day (month, for the care task)
//! unless it worsens to a higher step. One `u16` per position and one `u32`
//! per account replace a hash map of every reminder sent: at 10 M accounts a
//! busy day's ledger would hold 15 M entries (about 400 MB), these marks 100 MB.

use crate::rules::Rule;

/// Per position: the stock-drop step sent (low 8 bits, saturating) and one
/// bit per stepless holding rule.
pub(crate) type HoldingMark = u16;

/// Per account: the day-loss step (bits 0-7) and drawdown step (8-15) sent
/// today, and the month's care task (bit 16).
pub(crate) type AccountMark = u32;

/// The account mark's monthly part, kept across days of a month.
pub(crate) const MONTHLY: AccountMark = 1 << 16;

fn bit(rule: Rule) -> u16 {
    match rule {
        Rule::LimitDown => 1 << 8,
        Rule::Concentration => 1 << 9,
        Rule::HeavyBelowMa20 => 1 << 10,
        Rule::HeavyMacdDeathCross => 1 << 11,
        Rule::Trapped => 1 << 12,
        Rule::Disclosure => 1 << 13,
        _ => 0,
    }
}

/// True (and marked) when a holding's trigger is new today: first, or a step worse.
pub(crate) fn admit_holding(mark: &mut HoldingMark, rule: Rule, step: u16) -> bool {
    if rule == Rule::StockDrop {
        let step = step.min(255);
        if step > *mark & 0xff {
            *mark = (*mark & !0xff) | step;
            return true;
        }
        return false;
    }
    let b = bit(rule);
    let new = *mark & b == 0;
    *mark |= b;
    new
}

/// True (and marked) when an account's trigger is new today (this month, for care).
pub(crate) fn admit_account(mark: &mut AccountMark, rule: Rule, step: u16) -> bool {
    let shift = match rule {
        Rule::AccountDayLoss => 0,
        Rule::Drawdown => 8,
        _ => {
            let new = *mark & MONTHLY == 0;
            *mark |= MONTHLY;
            return new;
        }
    };
    let step = u32::from(step.min(255));
    if step > (*mark >> shift) & 0xff {
        *mark = (*mark & !(0xff << shift)) | step << shift;
        true
    } else {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_re_fire_only_when_worse_and_flags_once() {
        let mut m: HoldingMark = 0;
        assert!(admit_holding(&mut m, Rule::StockDrop, 1));
        assert!(!admit_holding(&mut m, Rule::StockDrop, 1));
        assert!(admit_holding(&mut m, Rule::StockDrop, 3));
        assert!(!admit_holding(&mut m, Rule::StockDrop, 2));
        assert!(admit_holding(&mut m, Rule::LimitDown, 1) && !admit_holding(&mut m, Rule::LimitDown, 1));
        assert!(admit_holding(&mut m, Rule::Trapped, 1), "each rule its own bit");
        assert_eq!(m & 0xff, 3, "the drop step kept beside the flags");
        let mut a: AccountMark = 0;
        assert!(admit_account(&mut a, Rule::AccountDayLoss, 2) && !admit_account(&mut a, Rule::AccountDayLoss, 1));
        assert!(admit_account(&mut a, Rule::Drawdown, 1) && admit_account(&mut a, Rule::Drawdown, 2));
        assert!(admit_account(&mut a, Rule::MonthLossCare, 1) && !admit_account(&mut a, Rule::MonthLossCare, 1));
        assert!(admit_account(&mut a, Rule::AccountDayLoss, 3));
    }
}
