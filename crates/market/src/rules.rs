//! The A-share trading rules an order ticket and a risk reminder need: daily
//! price bands and limit prices, ticks, lots, settlement (T+1 / T+0), face
//! values and the trading sessions. Sources: the SSE, SZSE and BSE trading
//! rules (2023 registration-system editions).

use chrono::{NaiveDate, NaiveTime};
use domain::{Board, FundClass, InstrumentKind, Money, Side};
use rust_decimal::prelude::*;
use serde::Serialize;
use thiserror::Error;

/// How far a day's price may move from the previous close, as fractions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PriceBand {
    /// Up to previous close x (1 + up).
    pub up: Money,
    /// Down to previous close x (1 - down).
    pub down: Money,
}

impl PriceBand {
    fn symmetric(pct: u32) -> PriceBand {
        let f = Money::new(i64::from(pct), 2);
        PriceBand { up: f, down: f }
    }
}

/// A change of the exchanges' rules that a replay of an earlier day must not
/// apply: each is in force from its first trading day in [`RULE_CHANGES`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum RuleChange {
    /// Main-board price cage: a continuous-session order priced past 2% (or
    /// 10 ticks) of the reference is held, not matched.
    MainBoardPriceCage,
    /// Risk-warning (ST, *ST) stocks on the SSE and SZSE main boards move within 10% instead of 5%.
    StBandWidened,
    /// After-hours fixed-price trading (15:05-15:30) for every SSE A-share and ETF (STAR had it from its start).
    SseAfterHours,
    /// After-hours fixed-price trading for BSE stocks.
    BseAfterHours,
    /// SSE funds close by a call auction at 14:57-15:00 (before: continuous to 15:00).
    SseFundClosingAuction,
}

/// A rule change and its first trading day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DatedRule {
    /// What changed.
    pub change: RuleChange,
    /// The first trading day under the new rule.
    pub from: NaiveDate,
    /// Where the date comes from.
    pub source: &'static str,
}

const fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(y, m, d) {
        Some(d) => d,
        None => panic!("a calendar date"),
    }
}

/// Every dated rule change, in one table. The ST band: the SSE and SZSE put
/// the change out for comment on 27 June 2025 (关于调整主板风险警示股票价格
/// 涨跌幅限制比例及有关事项的通知, 征求意见稿); the rules adopted with the 2026
/// trading-rule package apply from Monday 6 July 2026, together with the
/// SSE's after-hours trading for all A-shares, its funds' closing auction and
/// the BSE's after-hours trading. (A source's "7 July 2025" is the comment
/// period's reading; "6 July" cannot be 2025, a Sunday.)
pub const RULE_CHANGES: [DatedRule; 5] = [
    DatedRule {
        change: RuleChange::MainBoardPriceCage,
        from: day(2023, 4, 10),
        source: "SSE/SZSE main-board registration-system trading rules (2023)",
    },
    DatedRule {
        change: RuleChange::StBandWidened,
        from: day(2026, 7, 6),
        source: "SSE/SZSE notice on the main-board risk-warning band (draft 2025-06-27; in force 2026-07-06)",
    },
    DatedRule { change: RuleChange::SseAfterHours, from: day(2026, 7, 6), source: "SSE trading rules (2026 revision)" },
    DatedRule { change: RuleChange::BseAfterHours, from: day(2026, 7, 6), source: "BSE trading rules (2026 revision)" },
    DatedRule {
        change: RuleChange::SseFundClosingAuction,
        from: day(2026, 7, 6),
        source: "SSE trading rules (2026 revision)",
    },
];

/// The first trading day of a rule change.
pub fn first_day_of(change: RuleChange) -> NaiveDate {
    RULE_CHANGES.iter().find(|r| r.change == change).map(|r| r.from).expect("every change is dated")
}

/// True when a rule change is in force on `day`.
pub fn in_force(change: RuleChange, day: NaiveDate) -> bool {
    day >= first_day_of(change)
}

/// The first trading day on which risk-warning (ST, *ST) stocks on the SSE
/// and SZSE main boards move within 10% instead of 5% (see [`RULE_CHANGES`]).
pub fn st_band_widened() -> NaiveDate {
    first_day_of(RuleChange::StBandWidened)
}

/// The band of a security on `day`, the `listing_day`-th trading day since
/// it listed (1 = the first day); None when the price is free that day.
///
/// - Stocks: no band for the first 5 trading days on the SSE and SZSE boards
///   (the first day only on the BSE); then 10% on the main boards, for ST
///   stocks there 5% until 3 July 2026 and 10% from 6 July 2026 (see
///   [`st_band_widened`]), 20% on STAR and ChiNext (ST included), 30% on the
///   BSE (ST included).
/// - Convertible bonds: +57.3% / -43.3% on the first day, then 20%.
/// - ETFs: 10%; 20% for those on STAR or ChiNext indexes (`fund`). Other bonds: no band.
pub fn price_band(
    board: Board,
    kind: InstrumentKind,
    st: bool,
    listing_day: u32,
    day: NaiveDate,
    fund: Option<FundClass>,
) -> Option<PriceBand> {
    match kind {
        InstrumentKind::Stock => {
            let free_days = if board == Board::Bse { 1 } else { 5 };
            if listing_day <= free_days {
                return None;
            }
            Some(match board {
                Board::Bse => PriceBand::symmetric(30),
                Board::Star | Board::ChiNext => PriceBand::symmetric(20),
                Board::SseMain | Board::SzseMain if st && day < st_band_widened() => PriceBand::symmetric(5),
                Board::SseMain | Board::SzseMain => PriceBand::symmetric(10),
            })
        }
        InstrumentKind::ConvertibleBond if listing_day <= 1 => {
            Some(PriceBand { up: Money::new(573, 3), down: Money::new(433, 3) })
        }
        InstrumentKind::ConvertibleBond => Some(PriceBand::symmetric(20)),
        InstrumentKind::Etf => match fund {
            Some(FundClass::StarIndex | FundClass::ChinextIndex) => Some(PriceBand::symmetric(20)),
            _ => Some(PriceBand::symmetric(10)),
        },
        InstrumentKind::Bond => None,
    }
}

/// The band of a stock on the `n`-th trading day of its delisting-consolidation
/// period (退市整理期): none on the first day, then the board's (10% on the
/// main boards, 20% on STAR and ChiNext, 30% on the BSE), whatever its ST band.
pub fn delisting_band(board: Board, n: u32) -> Option<PriceBand> {
    if n <= 1 {
        return None;
    }
    Some(match board {
        Board::Bse => PriceBand::symmetric(30),
        Board::Star | Board::ChiNext => PriceBand::symmetric(20),
        Board::SseMain | Board::SzseMain => PriceBand::symmetric(10),
    })
}

/// An instrument's band on `day`: its delisting-consolidation period's if it
/// is in one that day, else [`price_band`] by its listing day.
pub fn band_on(i: &domain::Instrument, day: NaiveDate, calendar: &crate::TradingCalendar) -> Option<PriceBand> {
    match i.delisting_from.filter(|from| *from <= day) {
        Some(from) => delisting_band(i.board, calendar.trading_days_between(from, day)),
        None => price_band(i.board, i.kind, i.st, calendar.trading_days_between(i.list_date, day), day, i.fund_class),
    }
}

/// The minimum price step: 0.01 CNY for stocks, 0.001 for funds and bonds.
pub fn tick(kind: InstrumentKind) -> Money {
    match kind {
        InstrumentKind::Stock => Money::new(1, 2),
        InstrumentKind::Etf | InstrumentKind::Bond | InstrumentKind::ConvertibleBond => Money::new(1, 3),
    }
}

/// Rounds a price to the nearest tick, halves away from zero (四舍五入), as
/// the exchanges round limit prices.
pub fn round_to_tick(price: Money, tick: Money) -> Money {
    (price / tick).round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero) * tick
}

/// A day's limit-up and limit-down prices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LimitPrices {
    /// 涨停价.
    pub up: Money,
    /// 跌停价 (never below one tick).
    pub down: Money,
}

/// Limit prices from the previous close: previous close x (1 ± band), rounded
/// to the tick; a limit that rounds back to the previous close (a penny
/// stock) is one tick away from it instead, so the price can still move.
pub fn limit_prices(previous_close: Money, band: PriceBand, tick: Money) -> LimitPrices {
    let mut up = round_to_tick(previous_close * (Money::ONE + band.up), tick);
    let mut down = round_to_tick(previous_close * (Money::ONE - band.down), tick);
    if up <= previous_close {
        up = previous_close + tick;
    }
    if down >= previous_close {
        down = previous_close - tick;
    }
    LimitPrices { up, down: down.max(tick) }
}

/// The price cage of a continuous-session limit order: a buy above
/// `highest_buy` or a sell below `lowest_sell` is held by the exchange, not
/// matched, until the market comes to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PriceCage {
    /// max(reference x 1.02, reference + 10 ticks) (1.05 on the BSE).
    pub highest_buy: Money,
    /// min(reference x 0.98, reference - 10 ticks) (0.95 on the BSE).
    pub lowest_sell: Money,
}

/// The cage around `reference` (the best opposite quote, else the last
/// price) on `day`, or None where there is none: stocks on STAR (since its
/// start), ChiNext (since its registration system), the BSE, and the main
/// boards from 10 April 2023 (see [`RULE_CHANGES`]); not funds or bonds.
pub fn price_cage(
    board: Board,
    kind: InstrumentKind,
    day: NaiveDate,
    reference: Money,
    tick: Money,
) -> Option<PriceCage> {
    if kind != InstrumentKind::Stock {
        return None;
    }
    let pct = match board {
        Board::Bse => Money::new(5, 2),
        Board::Star | Board::ChiNext => Money::new(2, 2),
        Board::SseMain | Board::SzseMain if in_force(RuleChange::MainBoardPriceCage, day) => Money::new(2, 2),
        Board::SseMain | Board::SzseMain => return None,
    };
    let ten = tick * Money::from(10);
    let highest_buy = round_to_tick(reference * (Money::ONE + pct), tick).max(reference + ten);
    let lowest_sell = round_to_tick(reference * (Money::ONE - pct), tick).min(reference - ten).max(tick);
    Some(PriceCage { highest_buy, lowest_sell })
}

/// When money or securities from a trade can be used again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Settlement {
    /// Bought today, sellable today (convertible and other bonds).
    TPlus0,
    /// Bought today, sellable from the next trading day (stocks, ETFs).
    TPlus1,
}

/// The settlement cycle of a kind of security (an ETF of unknown class: T+1).
pub fn settlement(kind: InstrumentKind) -> Settlement {
    settlement_of(kind, None)
}

/// The settlement cycle of a security: bonds and convertibles T+0; ETFs on
/// foreign stocks, bonds, gold, commodities or the money market T+0; other
/// ETFs and stocks T+1.
pub fn settlement_of(kind: InstrumentKind, fund: Option<FundClass>) -> Settlement {
    match (kind, fund) {
        (InstrumentKind::Bond | InstrumentKind::ConvertibleBond, _) => Settlement::TPlus0,
        (
            InstrumentKind::Etf,
            Some(
                FundClass::CrossBorder
                | FundClass::Bond
                | FundClass::Gold
                | FundClass::Commodity
                | FundClass::MoneyMarket,
            ),
        ) => Settlement::TPlus0,
        _ => Settlement::TPlus1,
    }
}

/// The face value of a bond or convertible: 100 CNY; none for stocks and funds.
pub fn face_value(kind: InstrumentKind) -> Option<Money> {
    matches!(kind, InstrumentKind::Bond | InstrumentKind::ConvertibleBond).then(|| Money::from(100))
}

/// How many units an order may be for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LotRule {
    /// The least a buy (and a sell, unless it sells the whole odd remainder) may be for.
    pub minimum: i64,
    /// Steps above the minimum.
    pub step: i64,
    /// The most one limit order may be for.
    pub maximum: i64,
}

/// The lot rule of a board and kind: 100-share lots on the main boards and
/// ChiNext; at least 200 then steps of 1 on STAR; at least 100 then steps of
/// 1 on the BSE; 10 bonds (one 1,000 CNY lot) for bonds and convertibles.
pub fn lot_rule(board: Board, kind: InstrumentKind) -> LotRule {
    match (kind, board) {
        (InstrumentKind::Stock, Board::Star) => LotRule { minimum: 200, step: 1, maximum: 100_000 },
        (InstrumentKind::Stock, Board::Bse) => LotRule { minimum: 100, step: 1, maximum: 1_000_000 },
        (InstrumentKind::Stock, Board::ChiNext) => LotRule { minimum: 100, step: 100, maximum: 300_000 },
        (InstrumentKind::Stock, _) => LotRule { minimum: 100, step: 100, maximum: 1_000_000 },
        (InstrumentKind::Etf, _) => LotRule { minimum: 100, step: 100, maximum: 1_000_000 },
        (InstrumentKind::Bond | InstrumentKind::ConvertibleBond, _) => {
            LotRule { minimum: 10, step: 10, maximum: 100_000 }
        }
    }
}

/// Why an order's quantity is refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum LotError {
    /// Zero or negative.
    #[error("the quantity must be positive")]
    NotPositive,
    /// Below the minimum.
    #[error("at least {minimum} a order")]
    BelowMinimum {
        /// The minimum.
        minimum: i64,
    },
    /// Not on a step.
    #[error("{quantity} is not {minimum} plus a multiple of {step}")]
    OffStep {
        /// Asked.
        quantity: i64,
        /// Minimum.
        minimum: i64,
        /// Step.
        step: i64,
    },
    /// Above the per-order maximum.
    #[error("at most {maximum} a order")]
    AboveMaximum {
        /// The maximum.
        maximum: i64,
    },
    /// Selling more than is held (and sellable today).
    #[error("only {sellable} can be sold")]
    MoreThanHeld {
        /// Sellable quantity.
        sellable: i64,
    },
    /// An odd remainder must be sold in one order, with no lot left behind it.
    #[error("the odd {odd} below a lot must be sold in one order: sell {whole} or a multiple of {step}")]
    SplitsOddRemainder {
        /// The odd part of the holding.
        odd: i64,
        /// An allowed quantity that includes it.
        whole: i64,
        /// Lot size.
        step: i64,
    },
}

/// Checks an order's quantity. A sell may be for the whole sellable holding
/// whatever its size; otherwise it follows the lot rule, and on 100-share
/// boards the odd part of a holding is sold in one order with whole lots.
pub fn check_quantity(rule: LotRule, side: Side, quantity: i64, sellable: i64) -> Result<(), LotError> {
    if quantity <= 0 {
        return Err(LotError::NotPositive);
    }
    if quantity > rule.maximum {
        return Err(LotError::AboveMaximum { maximum: rule.maximum });
    }
    if side == Side::Sell {
        if quantity > sellable {
            return Err(LotError::MoreThanHeld { sellable });
        }
        if quantity == sellable {
            return Ok(());
        }
        if rule.step > 1 {
            let odd = sellable % rule.step;
            let on_lots = quantity % rule.step == 0;
            // The odd part may go with any number of whole lots, but only all of it at once.
            if on_lots || quantity % rule.step == odd {
                return Ok(());
            }
            return Err(LotError::SplitsOddRemainder {
                odd,
                whole: quantity - quantity % rule.step + odd,
                step: rule.step,
            });
        }
    }
    if quantity < rule.minimum {
        return Err(LotError::BelowMinimum { minimum: rule.minimum });
    }
    if (quantity - rule.minimum) % rule.step != 0 {
        return Err(LotError::OffStep { quantity, minimum: rule.minimum, step: rule.step });
    }
    Ok(())
}

/// Where a moment of a trading day falls (Asia/Shanghai times).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Phase {
    /// Before 09:15, after 15:00.
    Closed,
    /// 09:15-09:25: opening call auction (orders may be cancelled until 09:20).
    OpeningAuction,
    /// 09:25-09:30: orders are taken but not matched.
    PreOpen,
    /// 09:30-11:30 and 13:00-14:57: continuous trading.
    Continuous,
    /// 11:30-13:00.
    LunchBreak,
    /// 14:57-15:00: closing call auction (both exchanges).
    ClosingAuction,
    /// 15:05-15:30: after-hours fixed-price trading at the close, where the board has it.
    AfterHours,
}

/// The phase of a trading day at a local time.
pub fn phase(time: NaiveTime) -> Phase {
    let at = |h, m| NaiveTime::from_hms_opt(h, m, 0).expect("valid time");
    match time {
        t if t < at(9, 15) => Phase::Closed,
        t if t < at(9, 25) => Phase::OpeningAuction,
        t if t < at(9, 30) => Phase::PreOpen,
        t if t < at(11, 30) => Phase::Continuous,
        t if t < at(13, 0) => Phase::LunchBreak,
        t if t < at(14, 57) => Phase::Continuous,
        t if t < at(15, 0) => Phase::ClosingAuction,
        _ => Phase::Closed,
    }
}

/// The phase of a trading day for one security on `day`: as [`phase`], and
/// the after-hours session (15:05-15:30) on the boards that have it that day
/// (STAR and ChiNext stocks; every SSE A-share and ETF and BSE stocks from 6
/// July 2026); SSE funds trade continuously to 15:00 before that day.
pub fn phase_on(board: Board, kind: InstrumentKind, day: NaiveDate, time: NaiveTime) -> Phase {
    let at = |h, m| NaiveTime::from_hms_opt(h, m, 0).expect("valid time");
    let sse = matches!(board, Board::SseMain | Board::Star);
    if time >= at(15, 5) && time < at(15, 30) {
        let after_hours = match (board, kind) {
            (Board::Star | Board::ChiNext, InstrumentKind::Stock) => true,
            (Board::SseMain, InstrumentKind::Stock | InstrumentKind::Etf) => in_force(RuleChange::SseAfterHours, day),
            (Board::Bse, InstrumentKind::Stock) => in_force(RuleChange::BseAfterHours, day),
            _ => false,
        };
        return if after_hours { Phase::AfterHours } else { Phase::Closed };
    }
    let p = phase(time);
    if p == Phase::ClosingAuction
        && sse
        && kind == InstrumentKind::Etf
        && !in_force(RuleChange::SseFundClosingAuction, day)
    {
        return Phase::Continuous;
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn m(s: &str) -> Money {
        Money::from_str(s).unwrap()
    }

    fn limits(board: Board, kind: InstrumentKind, st: bool, day: u32, previous: &str) -> Option<(Money, Money)> {
        let before_the_st_change = NaiveDate::from_ymd_opt(2026, 7, 3).unwrap();
        price_band(board, kind, st, day, before_the_st_change, None).map(|band| {
            let l = limit_prices(m(previous), band, tick(kind));
            (l.up, l.down)
        })
    }

    #[test]
    fn limit_prices_worked_examples_for_each_board() {
        use Board::*;
        use InstrumentKind::*;
        // SSE main board, 10%: 7.77 x 1.1 = 8.547 -> 8.55; 7.77 x 0.9 = 6.993 -> 6.99.
        assert_eq!(limits(SseMain, Stock, false, 30, "7.77"), Some((m("8.55"), m("6.99"))));
        // SZSE main board, 10%: 10.05 x 1.1 = 11.055 -> 11.06 (half away from zero); 9.045 -> 9.05.
        assert_eq!(limits(SzseMain, Stock, false, 30, "10.05"), Some((m("11.06"), m("9.05"))));
        // An ST stock on the main board, 5%: 3.33 x 1.05 = 3.4965 -> 3.50; 3.1635 -> 3.16.
        assert_eq!(limits(SseMain, Stock, true, 300, "3.33"), Some((m("3.50"), m("3.16"))));
        // STAR, 20%: 45.67 x 1.2 = 54.804 -> 54.80; 45.67 x 0.8 = 36.536 -> 36.54.
        assert_eq!(limits(Star, Stock, false, 30, "45.67"), Some((m("54.80"), m("36.54"))));
        // ChiNext, 20%, ST or not: 12.35 x 1.2 = 14.82; 9.88.
        assert_eq!(limits(ChiNext, Stock, true, 30, "12.35"), Some((m("14.82"), m("9.88"))));
        // BSE, 30%: 12.34 x 1.3 = 16.042 -> 16.04; 12.34 x 0.7 = 8.638 -> 8.64.
        assert_eq!(limits(Bse, Stock, false, 30, "12.34"), Some((m("16.04"), m("8.64"))));
        // Newly listed: free for the first 5 days (the BSE: the first day), banded from the 6th (2nd).
        assert_eq!(limits(SseMain, Stock, false, 5, "20.00"), None);
        assert_eq!(limits(SseMain, Stock, false, 6, "20.00"), Some((m("22.00"), m("18.00"))));
        assert_eq!(limits(Star, Stock, false, 1, "60.00"), None);
        assert_eq!(limits(Bse, Stock, false, 1, "10.00"), None);
        assert_eq!(limits(Bse, Stock, false, 2, "10.00"), Some((m("13.00"), m("7.00"))));
        // A convertible bond, tick 0.001: 20%: 123.456 x 1.2 = 148.1472 -> 148.147; 98.7648 -> 98.765.
        assert_eq!(limits(SseMain, ConvertibleBond, false, 10, "123.456"), Some((m("148.147"), m("98.765"))));
        // ... and its first day: +57.3% / -43.3% of 100 = 157.300 / 56.700.
        assert_eq!(limits(SzseMain, ConvertibleBond, false, 1, "100"), Some((m("157.3"), m("56.7"))));
        // An ETF at 3.456 (tick 0.001): 3.8016 -> 3.802; 3.1104 -> 3.110.
        assert_eq!(limits(SseMain, Etf, false, 100, "3.456"), Some((m("3.802"), m("3.11"))));
        // From 6 July 2026 an ST stock on the main board moves within 10%, as the others;
        // on Friday 3 July 2026, the last day before, within 5%.
        let july_6 = st_band_widened();
        assert_eq!(july_6, NaiveDate::from_ymd_opt(2026, 7, 6).unwrap());
        let band = price_band(SseMain, Stock, true, 300, july_6, None).unwrap();
        assert_eq!(limit_prices(m("3.33"), band, tick(Stock)).up, m("3.66"));
        let friday = NaiveDate::from_ymd_opt(2026, 7, 3).unwrap();
        let band = price_band(SzseMain, Stock, true, 300, friday, None).unwrap();
        assert_eq!(limit_prices(m("3.33"), band, tick(Stock)), LimitPrices { up: m("3.50"), down: m("3.16") });
        // STAR, ChiNext and BSE ST stocks keep their boards' bands on both sides of the change.
        for (board, pct) in [(Star, 20), (ChiNext, 20), (Bse, 30)] {
            for d in [friday, july_6] {
                assert_eq!(
                    price_band(board, Stock, true, 300, d, None),
                    Some(PriceBand::symmetric(pct)),
                    "{board:?} {d}"
                );
            }
        }
        // A penny stock: 0.05 x 1.05 = 0.0525 rounds back to 0.05, so the limits are one tick away.
        assert_eq!(limits(SseMain, Stock, true, 100, "0.05"), Some((m("0.06"), m("0.04"))));
        // ... and never a limit-down of zero.
        assert_eq!(limits(SseMain, Stock, true, 100, "0.01"), Some((m("0.02"), m("0.01"))));
    }

    #[test]
    fn lots_worked_examples() {
        use Board::*;
        use InstrumentKind::*;
        let main = lot_rule(SseMain, Stock);
        assert_eq!(check_quantity(main, Side::Buy, 300, 0), Ok(()));
        assert!(matches!(check_quantity(main, Side::Buy, 150, 0), Err(LotError::OffStep { .. })));
        assert_eq!(check_quantity(main, Side::Buy, 50, 0), Err(LotError::BelowMinimum { minimum: 100 }));
        // Holding 250: sell 250, 200, or 150 (one lot and the odd 50), or 50; not 120.
        for ok in [250, 200, 150, 100, 50] {
            assert_eq!(check_quantity(main, Side::Sell, ok, 250), Ok(()), "sell {ok} of 250");
        }
        assert!(matches!(
            check_quantity(main, Side::Sell, 120, 250),
            Err(LotError::SplitsOddRemainder { odd: 50, .. })
        ));
        assert_eq!(check_quantity(main, Side::Sell, 300, 250), Err(LotError::MoreThanHeld { sellable: 250 }));
        // STAR: at least 200, then steps of 1; a holding under 200 is sold whole.
        let star = lot_rule(Star, Stock);
        assert_eq!(check_quantity(star, Side::Buy, 201, 0), Ok(()));
        assert_eq!(check_quantity(star, Side::Buy, 199, 0), Err(LotError::BelowMinimum { minimum: 200 }));
        assert_eq!(check_quantity(star, Side::Sell, 150, 150), Ok(()), "the whole odd holding");
        assert_eq!(check_quantity(star, Side::Sell, 100, 350), Err(LotError::BelowMinimum { minimum: 200 }));
        assert_eq!(check_quantity(star, Side::Buy, 100_001, 0), Err(LotError::AboveMaximum { maximum: 100_000 }));
        // BSE: at least 100, then steps of 1.
        assert_eq!(check_quantity(lot_rule(Bse, Stock), Side::Buy, 101, 0), Ok(()));
        // A convertible bond: 10 bonds a lot.
        let cb = lot_rule(SzseMain, ConvertibleBond);
        assert_eq!(check_quantity(cb, Side::Buy, 30, 0), Ok(()));
        assert!(check_quantity(cb, Side::Buy, 15, 0).is_err());
    }

    #[test]
    fn etfs_band_and_turnaround_by_what_they_track() {
        use InstrumentKind::Etf;
        let d = NaiveDate::from_ymd_opt(2025, 3, 3).unwrap();
        // A STAR 50 or ChiNext ETF moves within 20%; an equity ETF within 10%.
        for (fund, pct) in [
            (FundClass::StarIndex, 20),
            (FundClass::ChinextIndex, 20),
            (FundClass::Equity, 10),
            (FundClass::CrossBorder, 10),
        ] {
            assert_eq!(price_band(Board::SseMain, Etf, false, 100, d, Some(fund)), Some(PriceBand::symmetric(pct)));
        }
        // Cross-border, bond, gold, commodity and money-market ETFs are T+0; equity ETFs T+1.
        for fund in
            [FundClass::CrossBorder, FundClass::Bond, FundClass::Gold, FundClass::Commodity, FundClass::MoneyMarket]
        {
            assert_eq!(settlement_of(Etf, Some(fund)), Settlement::TPlus0, "{fund}");
        }
        for fund in [None, Some(FundClass::Equity), Some(FundClass::StarIndex)] {
            assert_eq!(settlement_of(Etf, fund), Settlement::TPlus1);
        }
    }

    #[test]
    fn settlement_face_value_and_sessions() {
        assert_eq!(settlement(InstrumentKind::Stock), Settlement::TPlus1);
        assert_eq!(settlement(InstrumentKind::ConvertibleBond), Settlement::TPlus0);
        assert_eq!(face_value(InstrumentKind::ConvertibleBond), Some(Money::from(100)));
        assert_eq!(face_value(InstrumentKind::Stock), None);
        let t = |h, mi| NaiveTime::from_hms_opt(h, mi, 0).unwrap();
        assert_eq!(phase(t(9, 14)), Phase::Closed);
        assert_eq!(phase(t(9, 15)), Phase::OpeningAuction);
        assert_eq!(phase(t(9, 27)), Phase::PreOpen);
        assert_eq!(phase(t(9, 30)), Phase::Continuous);
        assert_eq!(phase(t(12, 0)), Phase::LunchBreak);
        assert_eq!(phase(t(14, 0)), Phase::Continuous);
        assert_eq!(phase(t(14, 58)), Phase::ClosingAuction);
        assert_eq!(phase(t(15, 0)), Phase::Closed);
        // After hours: STAR and ChiNext always; the SSE main board from 6 July 2026; never the SZSE main board.
        let (before, after) = (NaiveDate::from_ymd_opt(2026, 7, 3).unwrap(), st_band_widened());
        use Board::*;
        use InstrumentKind::*;
        assert_eq!(phase_on(Star, Stock, before, t(15, 10)), Phase::AfterHours);
        assert_eq!(phase_on(ChiNext, Stock, before, t(15, 10)), Phase::AfterHours);
        assert_eq!(phase_on(SseMain, Stock, before, t(15, 10)), Phase::Closed);
        assert_eq!(phase_on(SseMain, Stock, after, t(15, 10)), Phase::AfterHours);
        assert_eq!(phase_on(SzseMain, Stock, after, t(15, 10)), Phase::Closed);
        assert_eq!(phase_on(Bse, Stock, after, t(15, 29)), Phase::AfterHours);
        assert_eq!(phase_on(Bse, Stock, after, t(15, 30)), Phase::Closed);
        // SSE funds: continuous to 15:00, then a closing auction from 6 July 2026.
        assert_eq!(phase_on(SseMain, Etf, before, t(14, 58)), Phase::Continuous);
        assert_eq!(phase_on(SseMain, Etf, after, t(14, 58)), Phase::ClosingAuction);
        assert_eq!(phase_on(SzseMain, Etf, before, t(14, 58)), Phase::ClosingAuction);
    }

    #[test]
    fn price_cage_worked_examples() {
        use Board::*;
        use InstrumentKind::*;
        let d = NaiveDate::from_ymd_opt(2025, 3, 3).unwrap();
        // Reference 10.00: 2% is 10.20, 10 ticks 10.10: buys up to 10.20, sells down to 9.80.
        let cage = price_cage(SseMain, Stock, d, m("10.00"), m("0.01")).unwrap();
        assert_eq!((cage.highest_buy, cage.lowest_sell), (m("10.20"), m("9.80")));
        // Reference 2.00: 2% is 2.04 but 10 ticks is 2.10, the higher.
        let cage = price_cage(ChiNext, Stock, d, m("2.00"), m("0.01")).unwrap();
        assert_eq!((cage.highest_buy, cage.lowest_sell), (m("2.10"), m("1.90")));
        // The BSE: 5%.
        assert_eq!(price_cage(Bse, Stock, d, m("10.00"), m("0.01")).unwrap().highest_buy, m("10.50"));
        // Main boards had none before 10 April 2023; funds have none.
        assert_eq!(price_cage(SzseMain, Stock, NaiveDate::from_ymd_opt(2023, 4, 7).unwrap(), m("10"), m("0.01")), None);
        assert!(price_cage(Star, Stock, NaiveDate::from_ymd_opt(2023, 4, 7).unwrap(), m("10"), m("0.01")).is_some());
        assert_eq!(price_cage(SseMain, Etf, d, m("3.000"), m("0.001")), None);
    }

    #[test]
    fn the_delisting_consolidation_period_has_its_own_bands() {
        use Board::*;
        // No limit on its first day; then the board's, an ST stock on the main board included (10%, not 5%).
        assert_eq!(delisting_band(SseMain, 1), None);
        assert_eq!(delisting_band(SseMain, 2), Some(PriceBand::symmetric(10)));
        assert_eq!(delisting_band(ChiNext, 5), Some(PriceBand::symmetric(20)));
        assert_eq!(delisting_band(Bse, 2), Some(PriceBand::symmetric(30)));
        let calendar = crate::TradingCalendar::current();
        let mut i = domain::Instrument {
            code: domain::InstrumentCode::parse("600777.SH").unwrap(),
            name: "*ST新潮退".into(),
            board: SseMain,
            kind: InstrumentKind::Stock,
            lot: 100,
            tick: m("0.01"),
            limit_pct: m("0.05"),
            st: true,
            list_date: NaiveDate::from_ymd_opt(2000, 1, 4).unwrap(),
            face_value: None,
            outstanding_shares: 1_000_000_000,
            last_close: m("0.50"),
            fund_class: None,
            delisting_from: None,
        };
        let (monday, tuesday) =
            (NaiveDate::from_ymd_opt(2025, 3, 3).unwrap(), NaiveDate::from_ymd_opt(2025, 3, 4).unwrap());
        assert_eq!(band_on(&i, monday, calendar), Some(PriceBand::symmetric(5)), "ST before 6 July 2026");
        i.delisting_from = Some(monday);
        assert_eq!(band_on(&i, monday, calendar), None, "the period's first day");
        assert_eq!(band_on(&i, tuesday, calendar), Some(PriceBand::symmetric(10)));
        assert_eq!(band_on(&i, NaiveDate::from_ymd_opt(2025, 2, 28).unwrap(), calendar), Some(PriceBand::symmetric(5)));
    }

    #[test]
    fn every_rule_change_is_dated_once() {
        for r in RULE_CHANGES {
            assert_eq!(RULE_CHANGES.iter().filter(|o| o.change == r.change).count(), 1);
            assert!(!in_force(r.change, r.from.pred_opt().unwrap()) && in_force(r.change, r.from));
        }
    }
}
