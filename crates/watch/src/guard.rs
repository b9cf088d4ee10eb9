//! Trigger prices per holding. After an account is judged, each of its
//! holdings gets a price range inside which none of the account's rules can
//! newly fire, whatever the other holdings do inside theirs (the way a
//! conditional order keeps its trigger price). A quote then visits only the
//! holders whose range it leaves, so it costs in proportion to what it may
//! cause, not to how many hold the instrument. Rules an instrument's own
//! price fires for every holder (a drop step, limit-down, a trend signal)
//! are told to all its holders once per new level instead.
//!
//! The ranges are conservative: leaving one means "judge now", and judging
//! is exact (see `Monitor`), so a range too narrow costs a visit, never a
//! missed or doubled reminder.

use crate::rules::{next_step_line, Bp, Rule, Thresholds};
use crate::sent::{new_for_account, sent_step, AccountMark};
use crate::AccountFigures;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// The widest range, as a fraction of the price either way: wider than any
/// A-share day's band, so a range this wide is left only on a day's rare
/// extremes.
pub(crate) const WIDEST: f64 = 0.2;

/// Taken off every range, so that rounding in floating point never makes one
/// too wide (1 bp of the price).
const MARGIN: f64 = 1e-4;

/// Rows are packed with a 4-bit generation into 32 bits: this many at most.
pub(crate) const MAX_ROWS: usize = 1 << 28;

/// A trigger price and the row it belongs to, packed with the row's
/// generation when it was armed (an entry of an older generation is stale).
type Entry = (i32, u32);

/// Whether a packed entry belongs to its row's current arming.
fn is_current(generation: &[u8], packed: u32) -> bool {
    u32::from(generation[(packed & (MAX_ROWS as u32 - 1)) as usize] & 0xf) == packed >> 28
}

/// What an account's range is computed from (see [`reach`]).
#[derive(Debug, Clone, Copy)]
pub(crate) struct AccountLines<'a> {
    /// The thresholds in force for the account.
    pub thresholds: &'a Thresholds,
    /// Its figures now.
    pub figures: AccountFigures,
    /// The highest value of its holdings at the window's past closes.
    pub peak_prior: i64,
    /// Its profit or loss on the month's earlier days.
    pub month_prior: i64,
    /// What was sent to it today.
    pub sent: AccountMark,
}

/// A share rule a holding must not newly meet: its value, the share line,
/// and optionally an account value the rule also needs (the concentration
/// rule counts only in accounts worth at least so much).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ShareRule {
    /// The holding's value now.
    pub part: i64,
    /// The share of the account's value it must stay under.
    pub line: Bp,
    /// The rule fires only in accounts worth at least this.
    pub min_value: Option<i64>,
}

/// Which line limits an account's reach (see [`reach`]): what a firm can
/// read to see why quotes visit whom they visit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Limit {
    /// The account's day-loss step.
    DayLoss,
    /// The drawdown step.
    Drawdown,
    /// The month's loss care task.
    MonthCare,
    /// A holding's share of the account (concentration, a heavy holding under a trend signal).
    Share,
    /// No line near: the widest range.
    Widest,
}

/// How far (a fraction of each holding's price, either way) every holding of
/// an account may move together without any of its account rules, or any
/// share rule in `shares`, newly firing (0 when nothing can be promised), and
/// which line limits it.
pub(crate) fn reach(lines: &AccountLines, shares: impl Iterator<Item = ShareRule>) -> (f64, Limit) {
    let (t, f) = (lines.thresholds, lines.figures);
    let value = f.value as f64;
    if f.value <= 0 {
        // Nothing held has a value: no quote can change the account's figures.
        return (WIDEST, Limit::Widest);
    }
    let mut e = (WIDEST, Limit::Widest);
    let mut limit = |bound: f64, by: Limit| {
        if bound < e.0 {
            e = (bound, by);
        }
    };
    // The value must stay above each account line: falling to `line` at worst.
    let above = |line: f64| 1.0 - line / value;
    let base = f.value - f.day_pnl;
    let day_loss = sent_step(lines.sent, Rule::AccountDayLoss);
    if let Some(l) = stepped_line(day_loss, t.account_day_loss_bp, t.account_day_loss_step_bp) {
        match l {
            Some(l) if base > 0 => limit(above(base as f64 * (1.0 - (l - 1) as f64 / 10_000.0)), Limit::DayLoss),
            _ => limit(0.0, Limit::DayLoss),
        }
    }
    if lines.peak_prior > 0 {
        if let Some(l) = stepped_line(sent_step(lines.sent, Rule::Drawdown), t.drawdown_bp, t.drawdown_step_bp) {
            let bound = l.map_or(0.0, |l| above(lines.peak_prior as f64 * (1.0 - (l - 1) as f64 / 10_000.0)));
            limit(bound, Limit::Drawdown);
        }
    }
    if t.month_loss_care > 0 && new_for_account(lines.sent, Rule::MonthLossCare, 1) {
        // Care when month_prior + (value - base) <= -care.
        let line = base as f64 - lines.month_prior as f64 - t.month_loss_care as f64;
        limit(above(line + 1.0), Limit::MonthCare);
    }
    for rule in shares {
        let part = rule.part;
        if part <= 0 {
            continue;
        }
        let by_share = if rule.line <= 1 || part >= f.value {
            0.0
        } else {
            let l = (rule.line - 1) as f64 / 10_000.0;
            if l >= 1.0 {
                continue;
            }
            // The share at worst: this holding up by e, the rest down by e.
            // part(1+e) < l (part(1+e) + rest(1-e))  <=>  e < (r-1)/(r+1), r = l rest / ((1-l) part).
            let r = l * (f.value - part) as f64 / ((1.0 - l) * part as f64);
            (r - 1.0) / (r + 1.0)
        };
        // Or the account stays too small for the rule: every holding up by e at most.
        let by_value = rule.min_value.map_or(f64::MIN, |m| (m - 1) as f64 / value - 1.0);
        limit(by_share.max(by_value), Limit::Share);
    }
    let bound = e.0.min(WIDEST) - MARGIN;
    (if bound > 0.0 { bound } else { 0.0 }, e.1)
}

/// The next line of a stepped rule: `None` when none can fire again,
/// `Some(None)` when its thresholds are too odd to bound (judge always).
fn stepped_line(sent: u32, threshold: Bp, step: Bp) -> Option<Option<Bp>> {
    let line = next_step_line(sent, threshold, step)?;
    Some(if line > 1 { Some(line) } else { None })
}

/// A holding's range: its price `reach` either way, rounded inward, and not
/// below `floor` (a price at or under which one of its own rules fires).
/// `bounded_above` is false when no rule of the account can fire on a rise.
pub(crate) fn range(price: i32, reach: f64, floor: Option<i32>, bounded_above: bool) -> (i32, Option<i32>) {
    let p = f64::from(price);
    let lo = (p * (1.0 - reach)).ceil() as i32;
    let lo = floor.map_or(lo, |f| lo.max(f.saturating_add(1)));
    let hi = bounded_above.then(|| ((p * (1.0 + reach)).floor() as i32).max(price));
    (lo.min(price), hi)
}

/// How rows were armed at the last full arming (start, day roll, sweep):
/// why quotes visit whom they visit.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reaches {
    /// Rows every quote of their holdings visits (own thresholds, positions
    /// opened today, something due).
    pub always: u64,
    /// Rows per line that limits their reach.
    pub by_limit: std::collections::BTreeMap<Limit, u64>,
    /// Rows by reach: none, under 1%, 2%, 5%, 10%, wider.
    pub by_width: [u64; 6],
}

impl Reaches {
    /// Counts one row armed with `reach`, limited by `limit` (`None`: visited always).
    pub(crate) fn count(&mut self, armed: Option<(f64, Limit)>) {
        let Some((reach, limit)) = armed else {
            self.always += 1;
            return;
        };
        *self.by_limit.entry(limit).or_default() += 1;
        let bucket = [0.0, 0.01, 0.02, 0.05, 0.10].iter().take_while(|&&w| reach > w).count();
        self.by_width[bucket] += 1;
    }
}

/// Every row armed afresh: ranges gathered as plain vectors, then ordered
/// into heaps once (O(n), not O(n log n)).
#[derive(Debug)]
pub(crate) struct Arming {
    falls: Vec<Vec<Entry>>,
    rises: Vec<Vec<Reverse<Entry>>>,
    rows: usize,
}

impl Arming {
    /// Empty, with room for each instrument's holders (one count per instrument).
    pub(crate) fn sized(holders: impl Iterator<Item = usize>, rows: usize) -> Arming {
        let falls: Vec<Vec<Entry>> = holders.map(Vec::with_capacity).collect();
        let rises = vec![Vec::new(); falls.len()];
        Arming { falls, rises, rows }
    }

    /// One holding's range, in any order.
    pub(crate) fn put(&mut self, instrument: u32, row: u32, lo: i32, hi: Option<i32>) {
        let i = instrument as usize;
        self.falls[i].push((lo, row));
        if let Some(hi) = hi {
            self.rises[i].push(Reverse((hi, row)));
        }
    }

    /// The ranges, ready for quotes (every row in generation 0).
    pub(crate) fn finish(self) -> Triggers {
        Triggers {
            falls: self.falls.into_iter().map(BinaryHeap::from).collect(),
            rises: self.rises.into_iter().map(BinaryHeap::from).collect(),
            generation: vec![0; self.rows],
        }
    }
}

/// Every holding's range, per instrument, and which rows to visit when a
/// quote leaves them.
#[derive(Debug, Default)]
pub(crate) struct Triggers {
    /// Per instrument, the lowest prices of its holders' ranges, highest first.
    falls: Vec<BinaryHeap<Entry>>,
    /// Per instrument, the highest prices of ranges bounded above, lowest first.
    rises: Vec<BinaryHeap<Reverse<Entry>>>,
    /// Per row, the generation its entries were armed in (4 bits).
    generation: Vec<u8>,
}

impl Triggers {
    /// Every holding's range at once: `ranges` gives (instrument, row, lowest,
    /// highest) for every holding of every row below `rows`.
    pub(crate) fn built(
        instruments: usize,
        rows: usize,
        ranges: impl Iterator<Item = (u32, u32, i32, Option<i32>)>,
    ) -> Triggers {
        let mut fresh = Arming::sized(std::iter::repeat_n(0, instruments), rows);
        for (i, row, lo, hi) in ranges {
            fresh.put(i, row, lo, hi);
        }
        fresh.finish()
    }

    fn pack(&self, row: usize) -> u32 {
        row as u32 | u32::from(self.generation[row] & 0xf) << 28
    }

    fn current(&self, packed: u32) -> Option<u32> {
        is_current(&self.generation, packed).then_some(packed & (MAX_ROWS as u32 - 1))
    }

    /// Forgets a row's ranges (it is about to be armed again).
    pub(crate) fn disarm(&mut self, row: usize) {
        self.generation[row] = self.generation[row].wrapping_add(1) & 0xf;
    }

    /// Arms one of a row's holdings after [`Triggers::disarm`]; `holders`
    /// (the instrument's holders) bounds how many stale entries it keeps.
    pub(crate) fn arm(&mut self, instrument: u32, row: usize, lo: i32, hi: Option<i32>, holders: usize) {
        let packed = self.pack(row);
        let i = instrument as usize;
        self.falls[i].push((lo, packed));
        if let Some(hi) = hi {
            self.rises[i].push(Reverse((hi, packed)));
        }
        // Stale entries are dropped when popped; a heap of mostly stale ones is swept.
        let keep = 2 * holders + 64;
        let generation = &self.generation;
        if self.falls[i].len() > keep {
            self.falls[i].retain(|&(_, p)| is_current(generation, p));
        }
        if self.rises[i].len() > keep {
            self.rises[i].retain(|&Reverse((_, p))| is_current(generation, p));
        }
    }

    /// The rows whose range of `instrument` a move to `price` leaves (each
    /// once), their entries taken out.
    pub(crate) fn left_by(&mut self, instrument: u32, price: i32, out: &mut Vec<u32>) {
        let i = instrument as usize;
        while let Some(&(lo, packed)) = self.falls[i].peek() {
            if lo <= price {
                break;
            }
            self.falls[i].pop();
            out.extend(self.current(packed));
        }
        while let Some(&Reverse((hi, packed))) = self.rises[i].peek() {
            if hi >= price {
                break;
            }
            self.rises[i].pop();
            out.extend(self.current(packed));
        }
        out.sort_unstable();
        out.dedup();
    }

    /// Entries held (live and stale), for memory figures.
    pub(crate) fn entries(&self) -> usize {
        self.falls.iter().map(BinaryHeap::len).sum::<usize>() + self.rises.iter().map(BinaryHeap::len).sum::<usize>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(t: &Thresholds, value: i64, day_pnl: i64) -> AccountLines<'_> {
        AccountLines {
            thresholds: t,
            figures: AccountFigures { value, day_pnl, peak: value, largest: value / 4 },
            peak_prior: value,
            month_prior: 0,
            sent: 0,
        }
    }

    #[test]
    fn the_reach_stops_short_of_the_next_day_loss_step() {
        let t = Thresholds { month_loss_care: 0, ..Thresholds::default() };
        // Down 3% on the day: 2% more fires the 5% step.
        let f = lines(&t, 970_000, -30_000);
        let (e, limit) = reach(&f, std::iter::empty());
        assert_eq!(limit, Limit::DayLoss);
        let worst = 970_000.0 * (1.0 - e);
        assert!(worst > 1_000_000.0 * 0.95, "{worst}");
        assert!(e > 0.02 && e < 0.0207, "{e}");
    }

    #[test]
    fn a_share_line_bounds_the_reach_both_ways() {
        // The account lines far away, so that the share line decides.
        let t =
            Thresholds { month_loss_care: 0, account_day_loss_bp: 9000, drawdown_bp: 9000, ..Thresholds::default() };
        // A holding worth 45% of the account, the concentration line 50%.
        let f = lines(&t, 1_000_000, 0);
        let rule = ShareRule { part: 450_000, line: 5000, min_value: None };
        let (e, limit) = reach(&f, [rule].into_iter());
        assert_eq!(limit, Limit::Share);
        let share = 450_000.0 * (1.0 + e) / (450_000.0 * (1.0 + e) + 550_000.0 * (1.0 - e));
        assert!(share < 0.5 && share > 0.49, "{share}");
        // The whole account in one holding: nothing can be promised.
        let whole = ShareRule { part: 1_000_000, line: 5000, min_value: None };
        assert_eq!(reach(&f, [whole].into_iter()).0, 0.0);
        // ... unless the account is too small for the rule and stays so: 10% up at most.
        let small = ShareRule { min_value: Some(1_100_000), ..whole };
        let (e, _) = reach(&f, [small].into_iter());
        assert!(e > 0.099 && e < 0.1, "{e}");
    }

    #[test]
    fn a_range_is_rounded_inward_and_kept_above_its_floor() {
        assert_eq!(range(10_000, 0.05, None, true), (9_500, Some(10_500)));
        assert_eq!(range(10_000, 0.05, Some(9_700), false), (9_701, None));
        assert_eq!(range(10_000, 0.0, None, true), (10_000, Some(10_000)));
    }

    #[test]
    fn a_quote_visits_only_the_rows_whose_range_it_leaves() {
        let mut t =
            Triggers::built(1, 3, [(0, 0, 9_000, None), (0, 1, 9_500, Some(10_500)), (0, 2, 9_900, None)].into_iter());
        let mut out = Vec::new();
        t.left_by(0, 9_800, &mut out);
        assert_eq!(out, vec![2]);
        out.clear();
        t.left_by(0, 10_600, &mut out);
        assert_eq!(out, vec![1]);
        // Row 0 armed again lower: its old entry is stale; row 1's lower end is passed.
        t.disarm(0);
        t.arm(0, 0, 8_000, None, 3);
        out.clear();
        t.left_by(0, 8_500, &mut out);
        assert_eq!(out, vec![1]);
        out.clear();
        t.left_by(0, 7_999, &mut out);
        assert_eq!(out, vec![0]);
    }
}
