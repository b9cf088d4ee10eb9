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

/// The bit of a stepless holding rule in a holding mark (0 for the stepped drop).
pub(crate) const fn bit(rule: Rule) -> u16 {
    match rule {
        Rule::LimitDown => 1 << 8,
        Rule::Concentration => 1 << 9,
        Rule::HeavyBelowMa20 => 1 << 10,
        Rule::HeavyMacdDeathCross => 1 << 11,
        Rule::Trapped => 1 << 12,
        Rule::Disclosure => 1 << 13,
        Rule::TakeProfit => 1 << 14,
        _ => 0,
    }
}

/// What an instrument's own state would fire for any holder, in a holding
/// mark's layout: the drop step (saturated) and the limit-down flag.
pub(crate) fn instrument_fires(drop_step: u32, limit_down: bool) -> HoldingMark {
    drop_step.min(255) as u16 | if limit_down { bit(Rule::LimitDown) } else { 0 }
}

/// The trend rules an instrument's signals today would fire for a heavy
/// holder, in a holding mark's layout.
pub(crate) fn trend_fires(below_ma20: bool, macd_death_cross: bool) -> HoldingMark {
    (u16::from(below_ma20) * bit(Rule::HeavyBelowMa20)) | (u16::from(macd_death_cross) * bit(Rule::HeavyMacdDeathCross))
}

/// True when a holder whose mark is `mark` has not yet been sent what
/// `fires` (from [`instrument_fires`]) holds. Branch-free: the screen runs
/// it for every position on every sweep.
pub(crate) fn instrument_news(fires: HoldingMark, mark: HoldingMark) -> bool {
    ((fires & 0xff) > (mark & 0xff)) | (fires & !mark & bit(Rule::LimitDown) != 0)
}

/// True when a holding's trigger would be new today: first, or a step worse.
pub(crate) fn new_for_holding(mark: HoldingMark, rule: Rule, step: u16) -> bool {
    if rule == Rule::StockDrop {
        step.min(255) > mark & 0xff
    } else {
        mark & bit(rule) == 0
    }
}

/// True (and marked) when a holding's trigger is new today: first, or a step worse.
pub(crate) fn admit_holding(mark: &mut HoldingMark, rule: Rule, step: u16) -> bool {
    if !new_for_holding(*mark, rule, step) {
        return false;
    }
    *mark = if rule == Rule::StockDrop { (*mark & !0xff) | step.min(255) } else { *mark | bit(rule) };
    true
}

/// Where an account rule's step sits in the account mark (None: the monthly flag).
fn account_shift(rule: Rule) -> Option<u32> {
    match rule {
        Rule::AccountDayLoss => Some(0),
        Rule::Drawdown => Some(8),
        _ => None,
    }
}

/// The step of a stepped account rule (day loss, drawdown) already sent today.
pub(crate) fn sent_step(mark: AccountMark, rule: Rule) -> u32 {
    account_shift(rule).map_or(0, |shift| (mark >> shift) & 0xff)
}

/// True when an account's trigger would be new today (this month, for care).
pub(crate) fn new_for_account(mark: AccountMark, rule: Rule, step: u16) -> bool {
    match account_shift(rule) {
        Some(shift) => u32::from(step.min(255)) > (mark >> shift) & 0xff,
        None => mark & MONTHLY == 0,
    }
}

/// True (and marked) when an account's trigger is new today (this month, for care).
pub(crate) fn admit_account(mark: &mut AccountMark, rule: Rule, step: u16) -> bool {
    if !new_for_account(*mark, rule, step) {
        return false;
    }
    *mark = match account_shift(rule) {
        Some(shift) => (*mark & !(0xff << shift)) | u32::from(step.min(255)) << shift,
        None => *mark | MONTHLY,
    };
    true
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

    #[test]
    fn instrument_news_agrees_with_admitting() {
        for step in [0u32, 1, 2, 300] {
            for limit in [false, true] {
                for mark in [0u16, 1, 2, 255, bit(Rule::LimitDown), bit(Rule::LimitDown) | 2, bit(Rule::Trapped)] {
                    let fires = instrument_fires(step, limit);
                    let (mut drop_mark, mut limit_mark) = (mark, mark);
                    let admits = (step > 0 && admit_holding(&mut drop_mark, Rule::StockDrop, step as u16))
                        | (limit && admit_holding(&mut limit_mark, Rule::LimitDown, 1));
                    assert_eq!(instrument_news(fires, mark), admits, "step {step} limit {limit} mark {mark:#x}");
                }
            }
        }
    }
}
