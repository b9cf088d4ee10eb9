//! The risk rules: when a customer should hear from us, judged from an
//! account's figures, its holdings and the instruments' signals. Pure: the
//! engine supplies the state, the monitor's sent marks decide what is new, and the
//! [`QuietHours`] decide when it may be sent.

use crate::{AccountFigures, HoldingDetail};
use serde::Deserialize;
use std::collections::{HashMap, HashSet};

/// Basis points: 1/100 of a percent (500 = 5%).
pub type Bp = i64;

/// The rules, each with a stable name for config files, storage and pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Rule {
    /// A held stock is down on the day by the threshold, and again at each further step.
    StockDrop,
    /// A held stock is at its limit-down price.
    LimitDown,
    /// The account is down on the day by the threshold (and steps further).
    AccountDayLoss,
    /// The holdings are below their 20-day peak by the threshold (and steps further).
    Drawdown,
    /// One position is most of an account worth at least a minimum.
    Concentration,
    /// A heavy holding closed below its 20-day average (from above).
    HeavyBelowMa20,
    /// A heavy holding's MACD line crossed below its signal line.
    HeavyMacdDeathCross,
    /// A position has been far below its cost for many trading days.
    Trapped,
    /// A holding reaches the 5% disclosure threshold of an instrument's shares.
    Disclosure,
    /// The month-to-date loss passed a threshold: a care task for the advisor.
    MonthLossCare,
    /// Upside: a holding well over its cost, at limit-up, or at an indicator
    /// top with a gain to take (customers of the classes configured).
    TakeProfit,
}

impl Rule {
    /// Every rule.
    pub const ALL: [Rule; 11] = [
        Rule::StockDrop,
        Rule::LimitDown,
        Rule::AccountDayLoss,
        Rule::Drawdown,
        Rule::Concentration,
        Rule::HeavyBelowMa20,
        Rule::HeavyMacdDeathCross,
        Rule::Trapped,
        Rule::Disclosure,
        Rule::MonthLossCare,
        Rule::TakeProfit,
    ];

    /// The stable text form.
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::StockDrop => "stock_drop",
            Rule::LimitDown => "limit_down",
            Rule::AccountDayLoss => "account_day_loss",
            Rule::Drawdown => "drawdown",
            Rule::Concentration => "concentration",
            Rule::HeavyBelowMa20 => "heavy_below_ma20",
            Rule::HeavyMacdDeathCross => "heavy_macd_death_cross",
            Rule::Trapped => "trapped",
            Rule::Disclosure => "disclosure",
            Rule::MonthLossCare => "month_loss_care",
            Rule::TakeProfit => "take_profit",
        }
    }

    /// True for rules judged once a month rather than once a day.
    pub fn monthly(self) -> bool {
        self == Rule::MonthLossCare
    }
}

/// Thresholds; every field has the firm's default, and a customer's
/// overrides replace only the fields they name.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Thresholds {
    /// A held stock's fall on the day that first fires (500 = 5%).
    pub stock_drop_bp: Bp,
    /// Each further fall that fires again (200 = 2%).
    pub stock_drop_step_bp: Bp,
    /// An account's loss on the day that first fires.
    pub account_day_loss_bp: Bp,
    /// Each further loss that fires again.
    pub account_day_loss_step_bp: Bp,
    /// A fall from the 20-day peak that first fires.
    pub drawdown_bp: Bp,
    /// Each further fall that fires again.
    pub drawdown_step_bp: Bp,
    /// One position's share of the account that counts as concentrated.
    pub concentration_bp: Bp,
    /// ... in accounts worth at least this (0.001 CNY).
    pub concentration_min_value: i64,
    /// A position's share of the account that makes it a heavy holding.
    pub heavy_bp: Bp,
    /// How far below cost counts as trapped.
    pub trapped_below_cost_bp: Bp,
    /// For at least this many trading days.
    pub trapped_days: u16,
    /// The share of an instrument's outstanding shares that must be disclosed.
    pub disclosure_bp: Bp,
    /// A month-to-date loss (0.001 CNY) that asks the advisor to care.
    pub month_loss_care: i64,
    /// A holding's gain over its cost that raises a take-profit reminder (2000 = 20%).
    pub take_profit_bp: Bp,
}

impl Default for Thresholds {
    /// The firm defaults of the issue that asked for these rules.
    fn default() -> Self {
        Thresholds {
            stock_drop_bp: 500,
            stock_drop_step_bp: 200,
            account_day_loss_bp: 500,
            account_day_loss_step_bp: 200,
            drawdown_bp: 1500,
            drawdown_step_bp: 500,
            concentration_bp: 5000,
            concentration_min_value: 100_000_000, // 100,000 CNY
            heavy_bp: 2000,
            trapped_below_cost_bp: 3000,
            trapped_days: 60,
            disclosure_bp: 500,
            month_loss_care: 50_000_000, // 50,000 CNY
            take_profit_bp: 2000,
        }
    }
}

/// The customer classes take-profit reminders are for by default: those who
/// watch the market little (the seed's long-term picks, sold at a stage top).
pub const TAKE_PROFIT_FOR: &str = "engagement:low";

fn take_profit_for() -> Vec<String> {
    vec![TAKE_PROFIT_FOR.to_owned()]
}

/// The rule configuration: firm defaults and per-customer overrides.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleConfig {
    /// A version label, recorded with each reminder so a change can be traced.
    #[serde(default)]
    pub version: String,
    /// Firm-wide thresholds.
    #[serde(default)]
    pub firm: Thresholds,
    /// Per-account thresholds (whole sets; start from the firm's in the file).
    #[serde(default)]
    pub accounts: HashMap<u32, Thresholds>,
    /// The customer classes (labels, `dimension:label`) take-profit reminders are for.
    #[serde(default = "take_profit_for")]
    pub take_profit_for: Vec<String>,
    /// The accounts (engine indexes) whose customers are of those classes:
    /// filled by whoever builds the watch from the stored labels.
    #[serde(skip)]
    pub take_profit_accounts: HashSet<u32>,
}

impl Default for RuleConfig {
    fn default() -> Self {
        RuleConfig {
            version: String::new(),
            firm: Thresholds::default(),
            accounts: HashMap::new(),
            take_profit_for: take_profit_for(),
            take_profit_accounts: HashSet::new(),
        }
    }
}

impl RuleConfig {
    /// The thresholds that apply to an account.
    pub fn for_account(&self, account: u32) -> &Thresholds {
        self.accounts.get(&account).unwrap_or(&self.firm)
    }
}

/// What the rules know of an instrument today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct InstrumentState {
    /// Price now (0.001 CNY).
    pub price: i32,
    /// Previous close.
    pub prev_close: i32,
    /// Today's limit-down price, when the instrument has a band.
    pub limit_down: Option<i32>,
    /// Today's limit-up price, when the instrument has a band.
    pub limit_up: Option<i32>,
    /// At an indicator top as of yesterday's close (RSI or KDJ overbought,
    /// or a MACD death cross after a rise).
    pub top_signal: bool,
    /// Only stocks trigger the held-stock rules.
    pub is_stock: bool,
    /// It crossed below its MA20 today (closed at or above it yesterday).
    pub crossed_below_ma20: bool,
    /// Its MACD line crossed below the signal line today.
    pub macd_death_cross: bool,
    /// Shares outstanding, for the disclosure threshold.
    pub outstanding_shares: i64,
}

/// An account as the rules see it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AccountState<'a> {
    /// Account index.
    pub account: u32,
    /// Figures from the engine.
    pub figures: AccountFigures,
    /// Holdings with their cost and trapped days.
    pub holdings: &'a [HoldingDetail],
    /// Profit or loss since the month began (0.001 CNY).
    pub month_pnl: i64,
}

/// A rule that holds for an account now, with the figures that made it hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Trigger {
    /// Account.
    pub account: u32,
    /// Rule.
    pub rule: Rule,
    /// The instrument concerned, for per-holding rules.
    pub instrument: Option<u32>,
    /// How far past the threshold: 1 at the threshold, +1 per step beyond
    /// (saturating; 16 bits keep a trigger at 24 bytes, and millions are made at an open).
    pub step: u16,
    /// The measured figure: a fall or share in basis points, or an amount in 0.001 CNY.
    pub measure: i64,
}

/// Steps past a threshold: 0 below it, 1 at it, one more per `step` beyond.
pub fn steps(measure_bp: Bp, threshold_bp: Bp, step_bp: Bp) -> u32 {
    if measure_bp < threshold_bp {
        0
    } else if step_bp <= 0 {
        1
    } else {
        u32::try_from((measure_bp - threshold_bp) / step_bp + 1).unwrap_or(u32::MAX)
    }
}

/// `part / whole` in basis points, rounded toward zero; 0 when `whole` is not positive.
pub fn bp(part: i64, whole: i64) -> Bp {
    if whole <= 0 {
        0
    } else if let Some(scaled) = part.checked_mul(10_000) {
        scaled / whole
    } else {
        let exact = i128::from(part) * 10_000 / i128::from(whole);
        Bp::try_from(exact).unwrap_or(if exact > 0 { Bp::MAX } else { Bp::MIN })
    }
}

/// Every rule that holds for an account now.
pub fn evaluate(
    config: &RuleConfig,
    account: &AccountState,
    instrument: impl Fn(u32) -> InstrumentState,
) -> Vec<Trigger> {
    let mut out = Vec::new();
    evaluate_into(config, account, instrument, &mut out);
    out
}

/// [`evaluate`], appending to `out` (no allocation when nothing holds).
pub fn evaluate_into(
    config: &RuleConfig,
    account: &AccountState,
    instrument: impl Fn(u32) -> InstrumentState,
    out: &mut Vec<Trigger>,
) {
    let t = config.for_account(account.account);
    let f = &account.figures;
    let wants_take_profit = config.take_profit_accounts.contains(&account.account);
    let mut fire = |rule, instrument, step, measure| {
        if step > 0 {
            let step = u16::try_from(step).unwrap_or(u16::MAX);
            out.push(Trigger { account: account.account, rule, instrument, step, measure });
        }
    };
    // Every account is judged on every sweep and almost none fires, so each
    // check first compares by multiplication and divides only for what fires
    // (`past` and `at_least`). The monitor's screen uses the same two.
    let (step, day_loss) = past(-f.day_pnl, f.value - f.day_pnl, t.account_day_loss_bp, t.account_day_loss_step_bp);
    fire(Rule::AccountDayLoss, None, step, day_loss);
    let (step, drawdown) = past(f.peak - f.value, f.peak, t.drawdown_bp, t.drawdown_step_bp);
    fire(Rule::Drawdown, None, step, drawdown);
    if month_care(t, account.month_pnl) {
        fire(Rule::MonthLossCare, None, 1, -account.month_pnl);
    }
    for h in account.holdings {
        if h.quantity <= 0 {
            continue;
        }
        let s = instrument(h.instrument);
        let value = i64::from(h.quantity) * i64::from(s.price);
        let i = Some(h.instrument);
        if s.is_stock {
            let (step, drop) = stock_drop(t, &s);
            fire(Rule::StockDrop, i, step, drop);
            if at_limit_down(&s) {
                fire(Rule::LimitDown, i, 1, i64::from(s.price));
            }
        }
        if concentrated(t, value, f.value) {
            fire(Rule::Concentration, i, 1, bp(value, f.value));
        }
        if (s.crossed_below_ma20 || s.macd_death_cross) && at_least(value, f.value, t.heavy_bp) {
            let weight = bp(value, f.value);
            if s.crossed_below_ma20 {
                fire(Rule::HeavyBelowMa20, i, 1, weight);
            }
            if s.macd_death_cross {
                fire(Rule::HeavyMacdDeathCross, i, 1, weight);
            }
        }
        if trapped(t, h, s.price) {
            fire(Rule::Trapped, i, 1, bp(i64::from(h.cost) - i64::from(s.price), i64::from(h.cost)));
        }
        if s.outstanding_shares > 0 && at_least(i64::from(h.quantity), s.outstanding_shares, t.disclosure_bp) {
            fire(Rule::Disclosure, i, 1, bp(i64::from(h.quantity), s.outstanding_shares));
        }
        if wants_take_profit {
            if let Some(gain) = take_profit(t, h.cost, &s) {
                fire(Rule::TakeProfit, i, 1, gain);
            }
        }
    }
}

/// A holding bought at `cost` has a gain to take now: at least the
/// threshold over its cost, or any gain at limit-up or at an indicator top;
/// the gain in basis points of the cost.
pub(crate) fn take_profit(t: &Thresholds, cost: i32, s: &InstrumentState) -> Option<Bp> {
    if cost <= 0 {
        return None;
    }
    let gain = i64::from(s.price) - i64::from(cost);
    let upside = s.limit_up.is_some_and(|limit| s.price >= limit) || s.top_signal;
    (at_least(gain, i64::from(cost), t.take_profit_bp) || (gain > 0 && upside)).then(|| bp(gain, i64::from(cost)))
}

/// The highest price at which [`take_profit`] does not hold for a holding
/// bought at `cost` (its other inputs as they are today); `None` when no
/// price makes it hold. Only for a positive threshold.
pub(crate) fn take_profit_ceiling(t: &Thresholds, cost: i32, limit_up: Option<i32>, top_signal: bool) -> Option<i32> {
    if cost <= 0 || t.take_profit_bp <= 0 {
        return None;
    }
    // The least price whose gain reaches the threshold: (p - cost) * 10_000 >= bp * cost.
    let line = i64::from(cost) + (i64::from(cost) * t.take_profit_bp + 9_999) / 10_000;
    // At limit-up or a top, any gain: the first price past both.
    let limit = limit_up.map(|l| i64::from(l).max(i64::from(cost) + 1));
    let top = top_signal.then(|| i64::from(cost) + 1);
    let least = [Some(line), limit, top].into_iter().flatten().min()?;
    Some(i32::try_from(least - 1).unwrap_or(i32::MAX))
}

/// Could `bp(part, whole)` reach `threshold`? Exact for a positive
/// threshold; always true otherwise.
fn reaches(part: i64, whole: i64, threshold: Bp) -> bool {
    if threshold <= 0 {
        return true;
    }
    if whole <= 0 {
        return false;
    }
    // i64 when both products fit (any account below about 900 M CNY), i128 otherwise.
    match (part.checked_mul(10_000), threshold.checked_mul(whole)) {
        (Some(left), Some(right)) => left >= right,
        _ => i128::from(part) * 10_000 >= i128::from(threshold) * i128::from(whole),
    }
}

/// `at_least(part, whole, threshold)` for many non-negative parts of one
/// whole, with the product to beat computed once: the screen compares every
/// position of an account with it, by one multiplication and no branch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ShareLine(i128);

impl ShareLine {
    /// A line no part reaches.
    pub(crate) const NEVER: ShareLine = ShareLine(i128::MAX);

    /// The line `threshold` of `whole`.
    pub(crate) fn new(whole: i64, threshold: Bp) -> ShareLine {
        if threshold <= 0 {
            ShareLine(i128::MIN) // any non-negative part is at or past it
        } else if whole <= 0 {
            ShareLine::NEVER
        } else {
            ShareLine(i128::from(threshold) * i128::from(whole))
        }
    }

    /// `at_least(part, whole, threshold)`: for any `part` when the threshold
    /// is positive, for a non-negative one otherwise.
    pub(crate) fn reached_by(self, part: i64) -> bool {
        i128::from(part) * 10_000 >= self.0
    }
}

/// `at_least(cost - price, cost, threshold)`, how far a position is below
/// its cost, as one multiplication: `fall * 10_000 >= factor * cost + offset`,
/// which is the same comparison rounded as [`bp`] rounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct BelowCostLine {
    threshold: Bp,
    factor: i128,
    offset: i128,
}

impl BelowCostLine {
    /// The line `threshold` below cost.
    pub(crate) fn new(threshold: Bp) -> BelowCostLine {
        // bp rounds toward zero: a negative measure reaches a threshold t <= 0
        // while fall * 10_000 > (t - 1) * cost.
        let (factor, offset) = if threshold > 0 { (i128::from(threshold), 0) } else { (i128::from(threshold) - 1, 1) };
        BelowCostLine { threshold, factor, offset }
    }

    /// The position bought at `cost` is at least the threshold below it at `price`.
    pub(crate) fn reached_by(self, cost: i32, price: i32) -> bool {
        let fall = (i128::from(cost) - i128::from(price)) * 10_000;
        let cost_wide = i128::from(cost);
        ((cost > 0) & (fall >= self.factor * cost_wide + self.offset)) | ((cost <= 0) & (self.threshold <= 0))
    }
}

/// The least measure that makes a stepped rule (see [`steps`]) new when
/// step `sent` of it was already sent today; `None` when no measure can.
pub(crate) fn next_step_line(sent: u32, threshold: Bp, step: Bp) -> Option<Bp> {
    // Steps saturate at 255 in the marks (see `sent`).
    match sent {
        0 => Some(threshold),
        _ if step <= 0 || sent >= 255 => None,
        _ => threshold.checked_add(step.checked_mul(i64::from(sent))?),
    }
}

/// `bp(part, whole) >= threshold`, exactly, dividing only when it must.
pub(crate) fn at_least(part: i64, whole: i64, threshold: Bp) -> bool {
    reaches(part, whole, threshold) && (threshold > 0 || bp(part, whole) >= threshold)
}

/// Steps of `part / whole` past `threshold` and the measure (0 and 0 below it).
pub(crate) fn past(part: i64, whole: i64, threshold: Bp, step: Bp) -> (u32, Bp) {
    if reaches(part, whole, threshold) {
        let measure = bp(part, whole);
        (steps(measure, threshold, step), measure)
    } else {
        (0, 0)
    }
}

/// A held stock's fall on the day: steps past the threshold and the fall.
pub(crate) fn stock_drop(t: &Thresholds, s: &InstrumentState) -> (u32, Bp) {
    let prev = i64::from(s.prev_close);
    past(prev - i64::from(s.price), prev, t.stock_drop_bp, t.stock_drop_step_bp)
}

/// The instrument is at or below its limit-down price.
pub(crate) fn at_limit_down(s: &InstrumentState) -> bool {
    s.limit_down.is_some_and(|limit| s.price <= limit)
}

/// A position of `value` concentrates an account of `account_value`.
pub(crate) fn concentrated(t: &Thresholds, value: i64, account_value: i64) -> bool {
    account_value >= t.concentration_min_value && at_least(value, account_value, t.concentration_bp)
}

/// The month's loss asks for care.
pub(crate) fn month_care(t: &Thresholds, month_pnl: i64) -> bool {
    month_pnl <= -t.month_loss_care && t.month_loss_care > 0
}

/// A holding far enough below its cost for long enough.
pub(crate) fn trapped(t: &Thresholds, h: &HoldingDetail, price: i32) -> bool {
    h.trapped_days >= t.trapped_days
        && at_least(i64::from(h.cost) - i64::from(price), i64::from(h.cost), t.trapped_below_cost_bp)
}

/// Hours in which reminders are held, not sent (minutes after local midnight).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct QuietHours {
    /// Start, e.g. 22:00 = 1320.
    pub from_minute: u16,
    /// End, e.g. 08:00 = 480; may be earlier than the start (across midnight).
    pub to_minute: u16,
}

impl Default for QuietHours {
    fn default() -> Self {
        QuietHours { from_minute: 22 * 60, to_minute: 8 * 60 }
    }
}

impl std::str::FromStr for QuietHours {
    type Err = String;

    /// Parses `HH:MM-HH:MM` (start-end, local time; the end may be the next morning).
    fn from_str(text: &str) -> Result<QuietHours, String> {
        let minute = |t: &str| -> Result<u16, String> {
            let (h, m) = t.trim().split_once(':').ok_or_else(|| format!("'{t}' is not HH:MM"))?;
            let (h, m): (u16, u16) = (
                h.parse().map_err(|_| format!("'{t}' is not HH:MM"))?,
                m.parse().map_err(|_| format!("'{t}' is not HH:MM"))?,
            );
            if h > 23 || m > 59 {
                return Err(format!("'{t}' is not a time of day"));
            }
            Ok(h * 60 + m)
        };
        let (from, to) = text.split_once('-').ok_or_else(|| format!("'{text}' is not HH:MM-HH:MM"))?;
        Ok(QuietHours { from_minute: minute(from)?, to_minute: minute(to)? })
    }
}

impl QuietHours {
    /// Is this minute of the day quiet?
    pub fn is_quiet(&self, minute: u16) -> bool {
        if self.from_minute <= self.to_minute {
            (self.from_minute..self.to_minute).contains(&minute)
        } else {
            minute >= self.from_minute || minute < self.to_minute
        }
    }

    /// Minutes to wait from `minute` until sending is allowed (0 outside quiet hours).
    pub fn wait(&self, minute: u16) -> u16 {
        if !self.is_quiet(minute) {
            0
        } else if minute < self.to_minute {
            self.to_minute - minute
        } else {
            24 * 60 - minute + self.to_minute
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What was sent, as plainly as it can be kept: a rule fires once per
    /// account, instrument and day (month, for monthly rules) unless worse.
    #[derive(Default)]
    struct Ledger {
        fired: HashMap<(u32, Rule, Option<u32>), (u32, u16)>,
    }

    impl Ledger {
        fn admit(&mut self, t: &Trigger, day: u32, month: u32) -> bool {
            let period = if t.rule.monthly() { month } else { day };
            match self.fired.get(&(t.account, t.rule, t.instrument)) {
                Some(&(p, step)) if p == period && step >= t.step => false,
                _ => {
                    self.fired.insert((t.account, t.rule, t.instrument), (period, t.step));
                    true
                }
            }
        }
    }

    #[test]
    fn a_share_line_agrees_with_at_least_for_every_part() {
        let edges = [0, 1, 9_999, 10_000, 123_456_789, i64::from(i32::MAX) * i64::from(i32::MAX), i64::MAX / 3];
        for whole in [-5, 0, 1, 3, 10_000, 987_654_321, i64::from(i32::MAX) * 4, i64::MAX / 7] {
            for threshold in [-100, 0, 1, 2_000, 5_000, 10_000, 30_000] {
                let line = ShareLine::new(whole, threshold);
                for part in edges.iter().copied().chain([whole / 5, whole / 2, whole / 2 + 1, whole].map(|p| p.max(0)))
                {
                    assert_eq!(
                        line.reached_by(part),
                        at_least(part, whole, threshold),
                        "{part} of {whole} at {threshold}"
                    );
                }
            }
        }
        assert!(!ShareLine::NEVER.reached_by(i64::MAX));
    }

    #[test]
    fn a_below_cost_line_agrees_with_at_least() {
        let prices = [i32::MIN, -7, 0, 1, 699, 700, 701, 999, 1_000, 1_001, 70_000, i32::MAX];
        for threshold in [-20_000, -1, 0, 1, 3_000, 10_000, 25_000, i64::MAX / 2] {
            let line = BelowCostLine::new(threshold);
            for cost in [i32::MIN, -1_000, 0, 1, 3, 1_000, 100_000, i32::MAX] {
                for price in prices {
                    let exact = at_least(i64::from(cost) - i64::from(price), i64::from(cost), threshold);
                    assert_eq!(line.reached_by(cost, price), exact, "cost {cost} price {price} at {threshold}");
                }
            }
        }
    }

    #[test]
    fn the_next_step_line_is_where_past_gives_a_step_not_yet_sent() {
        for (threshold, step) in [(500, 200), (1_500, 500), (500, 0), (0, 100), (-100, 300)] {
            for sent in [0u32, 1, 2, 7, 254, 255] {
                for whole in [1_000_000i64, 77_777, 0] {
                    for part in (-50_000..=1_000_000).step_by(2_473).chain([whole / 20, whole / 20 - 1, whole]) {
                        let (steps_now, _) = past(part, whole, threshold, step);
                        let new = u16::try_from(steps_now).unwrap_or(u16::MAX).min(255) > sent as u16;
                        let by_line = next_step_line(sent, threshold, step).is_some_and(|l| at_least(part, whole, l));
                        assert_eq!(by_line, new, "{part} of {whole}, {threshold}+{step}, sent {sent}");
                    }
                }
            }
        }
    }

    fn figures(value: i64, day_pnl: i64, peak: i64) -> AccountFigures {
        AccountFigures { value, day_pnl, peak, largest: 0 }
    }

    fn stock(price: i32, prev_close: i32) -> InstrumentState {
        InstrumentState {
            price,
            prev_close,
            is_stock: true,
            limit_down: Some(prev_close * 9 / 10),
            ..Default::default()
        }
    }

    fn holding(instrument: u32, quantity: i32, cost: i32) -> HoldingDetail {
        HoldingDetail { instrument, quantity, cost, trapped_days: 0 }
    }

    fn rules_of(triggers: &[Trigger]) -> Vec<(Rule, u32)> {
        triggers.iter().map(|t| (t.rule, u32::from(t.step))).collect()
    }

    #[test]
    fn a_held_stock_falling_fires_at_5_percent_and_again_at_each_further_2() {
        let config = RuleConfig::default();
        let holdings = [holding(0, 100, 10_000), holding(1, 10_000, 1_000)];
        let account =
            |value| AccountState { account: 1, figures: figures(value, 0, value), holdings: &holdings, month_pnl: 0 };
        let mut ledger = Ledger::default();
        let mut sent = Vec::new();
        for price in [9_600, 9_500, 9_400, 9_300, 9_100, 9_000] {
            let triggers = evaluate(&config, &account(20_000_000), |i| {
                if i == 0 {
                    stock(price, 10_000)
                } else {
                    stock(1_000, 1_000)
                }
            });
            for t in triggers.iter().filter(|t| t.rule == Rule::StockDrop) {
                if ledger.admit(t, 7, 1) {
                    sent.push((price, t.step));
                }
            }
        }
        // -4%: nothing; -5%: step 1; -6%: held; -7%: step 2; -9%: step 3; -10%: step 3 (9% and 10% both < 11%).
        assert_eq!(sent, vec![(9_500, 1), (9_300, 2), (9_100, 3)]);
        // A new day starts again from step 1.
        let t = Trigger { account: 1, rule: Rule::StockDrop, instrument: Some(0), step: 1, measure: 500 };
        assert!(ledger.admit(&t, 8, 1));
    }

    #[test]
    fn account_rules_by_hand() {
        let config = RuleConfig::default();
        let state = AccountState {
            account: 3,
            // Value 940,000 after a 60,000 fall from 1,000,000 (6%); 20-day peak 1,200,000 (21.7% below).
            figures: figures(940_000_000, -60_000_000, 1_200_000_000),
            holdings: &[holding(0, 100, 10_000)],
            month_pnl: -80_000_000,
        };
        let triggers =
            evaluate(&config, &state, |_| InstrumentState { price: 10_000, prev_close: 10_000, ..Default::default() });
        assert_eq!(rules_of(&triggers), vec![(Rule::AccountDayLoss, 1), (Rule::Drawdown, 2), (Rule::MonthLossCare, 1)]);
        assert_eq!(triggers[0].measure, 600);
        assert_eq!(triggers[1].measure, 2166);
        // The month's care task fires once a month, whatever the day.
        let mut ledger = Ledger::default();
        assert!(ledger.admit(&triggers[2], 10, 5));
        assert!(!ledger.admit(&triggers[2], 11, 5));
        assert!(ledger.admit(&triggers[2], 30, 6));
    }

    #[test]
    fn holding_rules_by_hand() {
        let config = RuleConfig::default();
        let mut h = holding(0, 9_000_000, 20_000);
        h.trapped_days = 60;
        let state = AccountState {
            account: 9,
            // One position of 9,000,000 shares at 9.000 = 81,000,000 CNY: all of the account.
            figures: AccountFigures {
                value: 81_000_000_000,
                day_pnl: -9_000_000_000,
                peak: 81_000_000_000,
                largest: 81_000_000_000,
            },
            holdings: &[h],
            month_pnl: 0,
        };
        let signals = InstrumentState {
            price: 9_000,
            prev_close: 10_000,
            limit_down: Some(9_000),
            limit_up: None,
            top_signal: false,
            is_stock: true,
            crossed_below_ma20: true,
            macd_death_cross: true,
            outstanding_shares: 100_000_000,
        };
        let fired: Vec<Rule> = evaluate(&config, &state, |_| signals).iter().map(|t| t.rule).collect();
        assert_eq!(
            fired,
            vec![
                Rule::AccountDayLoss,
                Rule::StockDrop,
                Rule::LimitDown,
                Rule::Concentration,
                Rule::HeavyBelowMa20,
                Rule::HeavyMacdDeathCross,
                Rule::Trapped,
                Rule::Disclosure,
            ]
        );
        // Below the thresholds: 59 trapped days, 4.99% of the shares, a small account.
        let mut small = state;
        let mut less = h;
        less.trapped_days = 59;
        less.quantity = 4_990_000;
        small.holdings = std::slice::from_ref(&less);
        small.figures = AccountFigures { value: 90_000_000, day_pnl: 0, peak: 90_000_000, largest: 90_000_000 };
        let fired: Vec<Rule> = evaluate(&config, &small, |_| InstrumentState {
            crossed_below_ma20: false,
            macd_death_cross: false,
            ..signals
        })
        .iter()
        .map(|t| t.rule)
        .collect();
        assert!(
            !fired.contains(&Rule::Trapped)
                && !fired.contains(&Rule::Disclosure)
                && !fired.contains(&Rule::Concentration)
        );
    }

    #[test]
    fn a_customer_override_replaces_the_firm_thresholds() {
        let text = r#"{"version":"2026-11","firm":{"stock_drop_bp":500},"accounts":{"4":{"stock_drop_bp":300}}}"#;
        let config: RuleConfig = serde_json::from_str(text).unwrap();
        assert_eq!(config.for_account(4).stock_drop_bp, 300);
        assert_eq!(config.for_account(5).stock_drop_bp, 500);
        assert_eq!(config.for_account(4).drawdown_bp, 1500, "unnamed fields keep the default");
        assert!(serde_json::from_str::<RuleConfig>(r#"{"firm":{"stok_drop_bp":1}}"#).is_err(), "typos are refused");
    }

    #[test]
    fn a_trigger_stays_small() {
        // Millions are made at a volatile open and held until stored.
        assert_eq!(std::mem::size_of::<Trigger>(), 24);
    }

    #[test]
    fn quiet_hours_hold_until_morning() {
        let quiet = QuietHours::default(); // 22:00 to 08:00
        assert_eq!(quiet.wait(21 * 60 + 59), 0);
        assert_eq!(quiet.wait(22 * 60), 10 * 60, "held ten hours");
        assert_eq!(quiet.wait(7 * 60 + 30), 30);
        assert_eq!(quiet.wait(8 * 60), 0);
        assert_eq!("22:00-08:00".parse::<QuietHours>(), Ok(quiet));
        assert!("25:00-08:00".parse::<QuietHours>().is_err() && "22:00".parse::<QuietHours>().is_err());
        let day_quiet = QuietHours { from_minute: 12 * 60, to_minute: 13 * 60 };
        assert!(day_quiet.is_quiet(12 * 60 + 30) && !day_quiet.is_quiet(13 * 60));
    }
}
