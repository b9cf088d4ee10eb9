//! Pre-trade checks: each a named rule with a stable code, a severity and a
//! message in the catalogues (`check-<code>`, Chinese and English). A ticket
//! with a blocking finding is refused; one with a finding to confirm is
//! placed only once the person confirms; warnings are shown.

use crate::fees::FeeSchedule;
use crate::ticket::{AccountFacts, InstrumentFacts, Moment, OrderType, Ticket};
use crate::{money, Fixed};
use domain::{FixedPoint, InstrumentKind, Side};
use market::rules::{self, LotError, Phase};
use serde::{Deserialize, Serialize};

/// How a finding weighs on the ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Shown; the ticket goes.
    Warn,
    /// The ticket goes only once confirmed.
    Confirm,
    /// The ticket is refused.
    Block,
}

impl Severity {
    /// The stable text form.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Warn => "warn",
            Severity::Confirm => "confirm",
            Severity::Block => "block",
        }
    }
}

macro_rules! rules {
    ($( $(#[$doc:meta])* $name:ident = $code:literal : $severity:ident, )*) => {
        /// A pre-trade rule.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        #[serde(rename_all = "snake_case")]
        pub enum Rule { $( $(#[$doc])* $name, )* }

        impl Rule {
            /// Every rule, in the order the checks run.
            pub const ALL: &'static [Rule] = &[$(Rule::$name),*];

            /// The stable code; its message is `check-<code>`.
            pub fn code(self) -> &'static str {
                match self { $(Rule::$name => $code),* }
            }

            /// How it weighs.
            pub fn severity(self) -> Severity {
                match self { $(Rule::$name => Severity::$severity),* }
            }

            /// The rule of a code.
            pub fn of_code(code: &str) -> Option<Rule> {
                Rule::ALL.iter().copied().find(|r| r.code() == code)
            }
        }
    };
}

rules! {
    /// The quantity is zero or negative.
    QuantityNotPositive = "quantity_not_positive": Block,
    /// Below the board's least order (STAR 200, BSE and lots 100, bonds 10).
    LotBelowMinimum = "lot_below_minimum": Block,
    /// Not the minimum plus whole steps (100-share lots off the lot).
    LotOffStep = "lot_off_step": Block,
    /// Above the most one order may be for.
    LotAboveMaximum = "lot_above_maximum": Block,
    /// A sell that splits the odd remainder below a lot.
    OddLotSplit = "odd_lot_split": Block,
    /// A sell of more than may be sold today (T+1: not what was bought today).
    SellableToday = "sellable_today": Block,
    /// A price off the instrument's tick.
    PriceOffTick = "price_off_tick": Block,
    /// A price above today's limit-up.
    AboveLimitUp = "above_limit_up": Block,
    /// A price below today's limit-down.
    BelowLimitDown = "below_limit_down": Block,
    /// No price band today (the first days of a listing): any price trades.
    NoBandToday = "no_band_today": Warn,
    /// A price far from the reference (the bond at 1 yuan against par 100).
    FarFromReference = "far_from_reference": Confirm,
    /// A continuous-session limit price outside the price cage: held, not matched.
    OutsidePriceCage = "outside_price_cage": Warn,
    /// A market order with no protection price.
    MarketWithoutProtection = "market_without_protection": Block,
    /// A market order outside continuous trading.
    MarketOutsideContinuous = "market_outside_continuous": Block,
    /// Sent in the lunch break: waits until 13:00.
    LunchBreak = "lunch_break": Warn,
    /// Sent while the market is closed: waits for the next session.
    MarketClosed = "market_closed": Warn,
    /// Sent in a call auction: matched at one price when it ends.
    CallAuction = "call_auction": Warn,
    /// After-hours fixed-price trading: matched at today's close.
    AfterHours = "after_hours": Warn,
    /// Not enough cash for the amount and fees.
    CashShort = "cash_short": Block,
    /// The holding would be 5% or more of the shares outstanding (disclosure duty).
    FivePercentHolder = "five_percent_holder": Confirm,
    /// One position would exceed the customer's concentration limit.
    ConcentrationLimit = "concentration_limit": Confirm,
    /// No permission for STAR, ChiNext or the BSE.
    BoardPermission = "board_permission": Block,
    /// The instrument's risk is above the customer's tolerance.
    AboveRiskTolerance = "above_risk_tolerance": Confirm,
    /// A risk-warning (ST) stock.
    RiskWarningStock = "risk_warning_stock": Warn,
    /// A first ST buy without the signed risk disclosure.
    StDisclosureUnsigned = "st_disclosure_unsigned": Block,
    /// More than 500,000 shares of one ST stock bought in a day.
    StDailyCap = "st_daily_cap": Block,
    /// In the delisting-consolidation period.
    DelistingPeriod = "delisting_period": Warn,
}

/// One finding of the checks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The rule.
    pub rule: Rule,
    /// Its severity.
    pub severity: Severity,
    /// The values its message names.
    pub args: Vec<(&'static str, String)>,
}

impl Finding {
    fn of(rule: Rule, args: Vec<(&'static str, String)>) -> Finding {
        Finding { rule, severity: rule.severity(), args }
    }
}

/// The firm's thresholds for the checks, with the fee schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CheckSettings {
    /// Fees, for the cash check and paper fills.
    pub fees: FeeSchedule,
    /// How far from the reference a price may be before it must be confirmed,
    /// in basis points, per kind: stocks, ETFs, bonds, convertibles.
    pub far_stock_bp: i64,
    /// ETFs.
    pub far_etf_bp: i64,
    /// Bonds (also against the face value).
    pub far_bond_bp: i64,
    /// Convertibles (also against the face value).
    pub far_convertible_bp: i64,
    /// The concentration limit per customer risk level C1..C5, basis points of assets.
    pub concentration_bp: [i64; 5],
    /// Buys of one ST stock a day, shares.
    pub st_daily_cap: i64,
}

impl Default for CheckSettings {
    fn default() -> Self {
        CheckSettings {
            fees: FeeSchedule::default(),
            far_stock_bp: 3_000,
            far_etf_bp: 1_000,
            far_bond_bp: 1_000,
            far_convertible_bp: 3_000,
            concentration_bp: [2_000, 3_000, 4_000, 5_000, 6_000],
            st_daily_cap: 500_000,
        }
    }
}

impl CheckSettings {
    /// The far-from-reference threshold of a kind.
    fn far_bp(&self, kind: InstrumentKind) -> i64 {
        match kind {
            InstrumentKind::Stock => self.far_stock_bp,
            InstrumentKind::Etf => self.far_etf_bp,
            InstrumentKind::Bond => self.far_bond_bp,
            InstrumentKind::ConvertibleBond => self.far_convertible_bp,
        }
    }

    /// Checks the settings make sense.
    pub fn validate(&self) -> Result<(), String> {
        self.fees.validate()?;
        for (name, bp) in [
            ("far_stock_bp", self.far_stock_bp),
            ("far_etf_bp", self.far_etf_bp),
            ("far_bond_bp", self.far_bond_bp),
            ("far_convertible_bp", self.far_convertible_bp),
        ] {
            if !(1..=10_000).contains(&bp) {
                return Err(format!("{name}: {bp} is not 1 to 10000 basis points"));
            }
        }
        if self.concentration_bp.iter().any(|bp| !(1..=10_000).contains(bp)) {
            return Err("concentration_bp: each of 1 to 10000 basis points".into());
        }
        if self.st_daily_cap <= 0 {
            return Err("st_daily_cap: must be positive".into());
        }
        Ok(())
    }
}

fn price_text(p: Fixed) -> String {
    money(p).to_string()
}

fn pct_text(bp: i64) -> String {
    format!("{}.{:02}%", bp / 100, (bp % 100).abs())
}

/// Every finding of a ticket, in the order of [`Rule::ALL`]. `account` is
/// None for a ticket checked without one (`brokerdesk orders check` with no
/// account): the account's rules are then not judged.
pub fn check(
    ticket: &Ticket,
    instrument: &InstrumentFacts,
    account: Option<&AccountFacts>,
    at: Moment,
    settings: &CheckSettings,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let (side, quantity) = (ticket.side, ticket.quantity);
    let kind = instrument.kind;
    // Quantity: the board's lots; a sell of more than is sellable is the T+1 rule's.
    let sellable = account.map_or(i64::MAX, |a| a.sellable);
    let lot = rules::lot_rule(instrument.board, kind);
    match rules::check_quantity(lot, side, quantity, sellable) {
        Ok(()) => {}
        Err(LotError::NotPositive) => out.push(Finding::of(Rule::QuantityNotPositive, vec![])),
        Err(LotError::BelowMinimum { minimum }) => out.push(Finding::of(
            Rule::LotBelowMinimum,
            vec![("minimum", minimum.to_string()), ("quantity", quantity.to_string())],
        )),
        Err(LotError::OffStep { minimum, step, .. }) => out.push(Finding::of(
            Rule::LotOffStep,
            vec![("quantity", quantity.to_string()), ("minimum", minimum.to_string()), ("step", step.to_string())],
        )),
        Err(LotError::AboveMaximum { maximum }) => {
            out.push(Finding::of(Rule::LotAboveMaximum, vec![("maximum", maximum.to_string())]))
        }
        Err(LotError::SplitsOddRemainder { odd, whole, step }) => out.push(Finding::of(
            Rule::OddLotSplit,
            vec![("odd", odd.to_string()), ("whole", whole.to_string()), ("step", step.to_string())],
        )),
        Err(LotError::MoreThanHeld { sellable }) => {
            let held = account.map_or(0, |a| a.held);
            out.push(Finding::of(
                Rule::SellableToday,
                vec![
                    ("quantity", quantity.to_string()),
                    ("sellable", sellable.to_string()),
                    ("held", held.to_string()),
                    ("bought_today", (held - sellable).max(0).to_string()),
                ],
            ))
        }
    }
    let price = ticket.price;
    let tick = rules::tick(kind).to_fixed("tick").unwrap_or(100);
    let priced = ticket.order_type == OrderType::Limit || price > 0;
    if ticket.order_type == OrderType::Market && price <= 0 {
        out.push(Finding::of(Rule::MarketWithoutProtection, vec![]));
    }
    if priced && (price <= 0 || price % tick != 0) {
        out.push(Finding::of(Rule::PriceOffTick, vec![("price", price_text(price)), ("tick", price_text(tick))]));
    }
    // Today's band.
    let band = match instrument.delisting_day {
        Some(n) => rules::delisting_band(instrument.board, n),
        None => {
            rules::price_band(instrument.board, kind, instrument.st, instrument.listing_day, at.day, instrument.fund)
        }
    };
    match band {
        Some(band) if priced && instrument.previous_close > 0 => {
            let limits = rules::limit_prices(money(instrument.previous_close), band, money(tick));
            let (up, down) =
                (limits.up.to_fixed("up").unwrap_or(Fixed::MAX), limits.down.to_fixed("down").unwrap_or(0));
            if price > up {
                out.push(Finding::of(
                    Rule::AboveLimitUp,
                    vec![("price", price_text(price)), ("limit", price_text(up))],
                ));
            } else if price < down {
                out.push(Finding::of(
                    Rule::BelowLimitDown,
                    vec![("price", price_text(price)), ("limit", price_text(down))],
                ));
            }
        }
        Some(_) => {}
        None if kind == InstrumentKind::Bond => {}
        None => {
            let day = instrument.delisting_day.unwrap_or(instrument.listing_day);
            out.push(Finding::of(Rule::NoBandToday, vec![("day", day.to_string())]))
        }
    }
    // Far from the reference price, or (bonds) from the face value.
    let reference = instrument.reference();
    if priced && price > 0 && reference > 0 {
        let far = settings.far_bp(kind);
        let off = |against: Fixed| (i128::from(price - against).abs() * 10_000 / i128::from(against)) as i64;
        let face = rules::face_value(kind).and_then(|f| f.to_fixed("face").ok());
        let mut worst = (off(reference), reference, "reference");
        if let Some(face) = face {
            if off(face) > worst.0 {
                worst = (off(face), face, "face_value");
            }
        }
        if worst.0 > far {
            out.push(Finding::of(
                Rule::FarFromReference,
                vec![
                    ("price", price_text(price)),
                    ("against", worst.2.into()),
                    ("reference", price_text(worst.1)),
                    ("off", pct_text(worst.0)),
                    ("threshold", pct_text(far)),
                ],
            ));
        }
    }
    // The session.
    let phase = rules::phase_on(instrument.board, kind, at.day, at.time);
    if ticket.order_type == OrderType::Limit && phase == Phase::Continuous && reference > 0 {
        if let Some(cage) = rules::price_cage(instrument.board, kind, at.day, money(reference), money(tick)) {
            let (hi, lo) = (
                cage.highest_buy.to_fixed("cage").unwrap_or(Fixed::MAX),
                cage.lowest_sell.to_fixed("cage").unwrap_or(0),
            );
            let outside = match side {
                Side::Buy => (price > hi).then_some(hi),
                Side::Sell => (price < lo).then_some(lo),
            };
            if let Some(edge) = outside {
                out.push(Finding::of(
                    Rule::OutsidePriceCage,
                    vec![
                        ("price", price_text(price)),
                        ("edge", price_text(edge)),
                        ("reference", price_text(reference)),
                    ],
                ));
            }
        }
    }
    if ticket.order_type == OrderType::Market && phase != Phase::Continuous {
        out.push(Finding::of(Rule::MarketOutsideContinuous, vec![("phase", phase_name(phase).into())]));
    } else {
        match phase {
            Phase::LunchBreak => out.push(Finding::of(Rule::LunchBreak, vec![])),
            Phase::Closed => out.push(Finding::of(Rule::MarketClosed, vec![])),
            Phase::OpeningAuction | Phase::PreOpen | Phase::ClosingAuction => {
                out.push(Finding::of(Rule::CallAuction, vec![("phase", phase_name(phase).into())]))
            }
            Phase::AfterHours => out.push(Finding::of(Rule::AfterHours, vec![])),
            Phase::Continuous => {}
        }
    }
    let amount_price = if price > 0 { price } else { reference };
    let amount = (i128::from(amount_price) * i128::from(quantity.max(0))).min(i128::from(Fixed::MAX)) as Fixed;
    if let Some(a) = account {
        if side == Side::Buy {
            let fee = settings.fees.fee(kind, side, amount);
            if amount.saturating_add(fee) > a.cash {
                out.push(Finding::of(
                    Rule::CashShort,
                    vec![("amount", price_text(amount)), ("fee", price_text(fee)), ("cash", price_text(a.cash))],
                ));
            }
            let after = a.held.saturating_add(quantity);
            if instrument.outstanding_shares > 0
                && kind == InstrumentKind::Stock
                && i128::from(after) * 20 >= i128::from(instrument.outstanding_shares)
            {
                out.push(Finding::of(
                    Rule::FivePercentHolder,
                    vec![("after", after.to_string()), ("outstanding", instrument.outstanding_shares.to_string())],
                ));
            }
            // The position's weight after the buy, at the ticket's price.
            let value = i128::from(after) * i128::from(amount_price);
            let assets = i128::from(a.assets.max(0));
            if assets > 0
                && a.concentration_limit_bp > 0
                && value * 10_000 > assets * i128::from(a.concentration_limit_bp)
            {
                let weight = (value * 10_000 / assets) as i64;
                out.push(Finding::of(
                    Rule::ConcentrationLimit,
                    vec![("weight", pct_text(weight)), ("limit", pct_text(a.concentration_limit_bp))],
                ));
            }
            let restricted = kind == InstrumentKind::Stock && domain::RestrictedBoard::of(instrument.board).is_some();
            if restricted && !a.board_permitted {
                out.push(Finding::of(Rule::BoardPermission, vec![("board", instrument.board.as_str().into())]));
            }
            if let Some((customer, instrument_risk)) = &a.above_tolerance {
                out.push(Finding::of(
                    Rule::AboveRiskTolerance,
                    vec![("customer", customer.clone()), ("instrument", instrument_risk.clone())],
                ));
            }
        }
    }
    if instrument.st {
        out.push(Finding::of(Rule::RiskWarningStock, vec![]));
        if let (Some(a), Side::Buy) = (account, side) {
            if !a.st_disclosure_signed {
                out.push(Finding::of(Rule::StDisclosureUnsigned, vec![]));
            }
            if a.bought_today.saturating_add(quantity) > settings.st_daily_cap {
                out.push(Finding::of(
                    Rule::StDailyCap,
                    vec![("cap", settings.st_daily_cap.to_string()), ("bought", a.bought_today.to_string())],
                ));
            }
        }
    }
    if instrument.delisting {
        out.push(Finding::of(Rule::DelistingPeriod, vec![]));
    }
    out
}

/// The worst severity among findings, if any.
pub fn verdict(findings: &[Finding]) -> Option<Severity> {
    findings.iter().map(|f| f.severity).max()
}

/// The stable name of a phase, for messages.
pub fn phase_name(p: Phase) -> &'static str {
    match p {
        Phase::Closed => "closed",
        Phase::OpeningAuction => "opening_auction",
        Phase::PreOpen => "pre_open",
        Phase::Continuous => "continuous",
        Phase::LunchBreak => "lunch_break",
        Phase::ClosingAuction => "closing_auction",
        Phase::AfterHours => "after_hours",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::YUAN;
    use chrono::{NaiveDate, NaiveTime};
    use domain::{Board, InstrumentCode};

    fn at(y: i32, m: u32, d: u32, h: u32, mi: u32) -> Moment {
        Moment { day: NaiveDate::from_ymd_opt(y, m, d).unwrap(), time: NaiveTime::from_hms_opt(h, mi, 0).unwrap() }
    }

    /// A Monday in March 2025, 10:00: continuous trading.
    fn monday() -> Moment {
        at(2025, 3, 3, 10, 0)
    }

    fn stock(board: Board, previous_close: Fixed) -> InstrumentFacts {
        InstrumentFacts {
            board,
            kind: InstrumentKind::Stock,
            st: false,
            delisting: false,
            listing_day: u32::MAX,
            previous_close,
            last: 0,
            outstanding_shares: 1_000_000_000,
            fund: None,
            delisting_day: None,
        }
    }

    fn ticket(code: &str, side: Side, price: Fixed, quantity: i64) -> Ticket {
        Ticket { instrument: InstrumentCode::parse(code).unwrap(), side, order_type: OrderType::Limit, quantity, price }
    }

    fn rich() -> AccountFacts {
        AccountFacts {
            cash: 10_000_000 * YUAN,
            held: 1_000,
            sellable: 1_000,
            assets: 10_000_000 * YUAN,
            concentration_limit_bp: 10_000,
            board_permitted: true,
            above_tolerance: None,
            st_disclosure_signed: true,
            bought_today: 0,
        }
    }

    fn codes(findings: &[Finding]) -> Vec<&'static str> {
        findings.iter().map(|f| f.rule.code()).collect()
    }

    fn run(t: &Ticket, i: &InstrumentFacts, a: Option<&AccountFacts>, m: Moment) -> Vec<&'static str> {
        codes(&check(t, i, a, m, &CheckSettings::default()))
    }

    #[test]
    fn the_bond_at_one_yuan_against_par_100_must_be_confirmed() {
        let bond = InstrumentFacts {
            kind: InstrumentKind::Bond,
            previous_close: 100 * YUAN + 5_000,
            ..stock(Board::SseMain, 0)
        };
        let sell = ticket("019547.SH", Side::Sell, YUAN, 100);
        let findings = check(&sell, &bond, Some(&rich()), monday(), &CheckSettings::default());
        assert_eq!(codes(&findings), vec!["far_from_reference"]);
        assert_eq!(findings[0].severity, Severity::Confirm);
        assert!(findings[0].args.contains(&("off", "99.00%".into())), "{:?}", findings[0].args);
        // At 100.20 nothing is found.
        assert!(
            run(&ticket("019547.SH", Side::Sell, 100 * YUAN + 2_000, 100), &bond, Some(&rich()), monday()).is_empty()
        );
    }

    #[test]
    fn a_stock_at_a_tenth_of_its_price_on_a_day_without_a_band() {
        // The third day of a listing: no band, so only the reference catches it.
        let new = InstrumentFacts { listing_day: 3, last: 50 * YUAN, ..stock(Board::SseMain, 48 * YUAN) };
        let found = run(&ticket("603999.SH", Side::Sell, 5 * YUAN, 100), &new, None, at(2025, 3, 3, 14, 0));
        assert_eq!(found, vec!["no_band_today", "far_from_reference", "outside_price_cage"]);
    }

    #[test]
    fn a_t_plus_1_sell_of_shares_bought_today() {
        let a = AccountFacts { held: 500, sellable: 200, ..rich() };
        let findings = check(
            &ticket("600519.SH", Side::Sell, 10 * YUAN, 300),
            &stock(Board::SseMain, 10 * YUAN),
            Some(&a),
            monday(),
            &CheckSettings::default(),
        );
        assert_eq!(codes(&findings), vec!["sellable_today"]);
        assert!(findings[0].args.contains(&("bought_today", "300".into())));
    }

    #[test]
    fn odd_lots_are_sold_whole() {
        let a = AccountFacts { held: 250, sellable: 250, ..rich() };
        let main = stock(Board::SzseMain, 10 * YUAN);
        assert_eq!(
            run(&ticket("000001.SZ", Side::Sell, 10 * YUAN, 120), &main, Some(&a), monday()),
            vec!["odd_lot_split"]
        );
        assert!(run(&ticket("000001.SZ", Side::Sell, 10 * YUAN, 150), &main, Some(&a), monday()).is_empty());
        assert!(run(&ticket("000001.SZ", Side::Sell, 10 * YUAN, 250), &main, Some(&a), monday()).is_empty());
        assert_eq!(
            run(&ticket("000001.SZ", Side::Buy, 10 * YUAN, 150), &main, Some(&a), monday()),
            vec!["lot_off_step"]
        );
    }

    #[test]
    fn star_buys_of_150_are_refused_and_of_201_allowed() {
        let star = stock(Board::Star, 40 * YUAN);
        assert_eq!(
            run(&ticket("688981.SH", Side::Buy, 40 * YUAN, 150), &star, Some(&rich()), monday()),
            vec!["lot_below_minimum"]
        );
        assert!(run(&ticket("688981.SH", Side::Buy, 40 * YUAN, 201), &star, Some(&rich()), monday()).is_empty());
        // Without the STAR permission the buy is refused.
        let a = AccountFacts { board_permitted: false, ..rich() };
        assert_eq!(
            run(&ticket("688981.SH", Side::Buy, 40 * YUAN, 201), &star, Some(&a), monday()),
            vec!["board_permission"]
        );
        // The BSE: at least 100, then steps of 1.
        let bse = stock(Board::Bse, 10 * YUAN);
        assert!(run(&ticket("430047.BJ", Side::Buy, 10 * YUAN, 101), &bse, Some(&rich()), monday()).is_empty());
        assert_eq!(
            run(&ticket("430047.BJ", Side::Buy, 10 * YUAN, 99), &bse, Some(&rich()), monday()),
            vec!["lot_below_minimum"]
        );
    }

    #[test]
    fn chinext_moves_within_20_percent() {
        // Previous close 12.35: limits 14.82 and 9.88. Caged at 10:00 from the last 14.50.
        let c = InstrumentFacts { last: 145_000, ..stock(Board::ChiNext, 123_500) };
        assert!(run(&ticket("300750.SZ", Side::Buy, 148_200, 100), &c, Some(&rich()), at(2025, 3, 3, 9, 20))
            .contains(&"call_auction"));
        assert_eq!(
            run(&ticket("300750.SZ", Side::Buy, 148_300, 100), &c, Some(&rich()), at(2025, 3, 3, 9, 20)),
            vec!["above_limit_up", "call_auction"]
        );
        assert_eq!(
            run(&ticket("300750.SZ", Side::Sell, 98_700, 100), &c, Some(&rich()), at(2025, 3, 3, 9, 20)),
            vec!["below_limit_down", "far_from_reference", "call_auction"]
        );
        // 14.82 is 22% above 12.35 on the main board's 10% band, but inside ChiNext's.
        assert_eq!(
            run(
                &ticket("000001.SZ", Side::Buy, 148_200, 100),
                &InstrumentFacts { board: Board::SzseMain, ..c.clone() },
                Some(&rich()),
                at(2025, 3, 3, 9, 20)
            ),
            vec!["above_limit_up", "call_auction"]
        );
    }

    #[test]
    fn an_st_stock_on_the_last_day_before_the_change_and_the_first_after() {
        let st = InstrumentFacts { st: true, ..stock(Board::SseMain, 33_300) };
        let friday = at(2026, 7, 3, 10, 0);
        let monday = at(2026, 7, 6, 10, 0);
        // 3.33 x 1.05 = 3.4965 -> 3.50 on Friday; 3.33 x 1.10 = 3.663 -> 3.66 on Monday.
        let buy = ticket("600777.SH", Side::Buy, 36_000, 100);
        assert_eq!(
            run(&buy, &st, Some(&rich()), friday),
            vec!["above_limit_up", "outside_price_cage", "risk_warning_stock"]
        );
        assert_eq!(run(&buy, &st, Some(&rich()), monday), vec!["outside_price_cage", "risk_warning_stock"]);
        assert_eq!(
            run(&ticket("600777.SH", Side::Buy, 35_000, 100), &st, Some(&rich()), friday),
            vec!["outside_price_cage", "risk_warning_stock"]
        );
        // A first ST buy needs the signed disclosure; 500,000 shares a day at most.
        let unsigned = AccountFacts { st_disclosure_signed: false, ..rich() };
        assert!(run(&buy, &st, Some(&unsigned), monday).contains(&"st_disclosure_unsigned"));
        let heavy = AccountFacts { bought_today: 499_900, ..rich() };
        assert!(run(&ticket("600777.SH", Side::Buy, 33_300, 200), &st, Some(&heavy), monday).contains(&"st_daily_cap"));
    }

    #[test]
    fn a_cross_border_etf_is_sold_the_day_it_was_bought_an_equity_etf_is_not() {
        use domain::FundClass::{CrossBorder, Equity};
        let m = monday();
        let buy = domain::Trade {
            id: domain::TradeId(1),
            account_id: domain::AccountId(1),
            instrument: InstrumentCode::parse("513100.SH").unwrap(),
            side: Side::Buy,
            quantity: 1_000,
            price: crate::money(12_340),
            fee: crate::money(50_000),
            time: chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2025, 3, 3, 2, 0, 0).unwrap(),
        };
        for (fund, expected) in [(CrossBorder, vec![]), (Equity, vec!["sellable_today"])] {
            let settlement = market::rules::settlement_of(InstrumentKind::Etf, Some(fund));
            let held = book::Holding::NONE.after(&buy, settlement, m.day).unwrap();
            let a = AccountFacts { held: held.quantity, sellable: held.sellable_on(m.day), ..rich() };
            let etf = InstrumentFacts { kind: InstrumentKind::Etf, fund: Some(fund), ..stock(Board::SseMain, 12_340) };
            assert_eq!(run(&ticket("513100.SH", Side::Sell, 12_340, 1_000), &etf, Some(&a), m), expected, "{fund}");
        }
    }

    #[test]
    fn a_chinext_etf_moves_within_20_percent_an_equity_etf_within_10() {
        use domain::FundClass::{ChinextIndex, Equity};
        // Previous close 2.000: +15% is 2.300.
        let buy = ticket("159915.SZ", Side::Buy, 23_000, 100);
        let etf =
            |fund| InstrumentFacts { kind: InstrumentKind::Etf, fund: Some(fund), ..stock(Board::SzseMain, 20_000) };
        assert_eq!(
            run(&buy, &etf(ChinextIndex), None, at(2025, 3, 3, 9, 20)),
            vec!["far_from_reference", "call_auction"]
        );
        assert_eq!(
            run(&buy, &etf(Equity), None, at(2025, 3, 3, 9, 20)),
            vec!["above_limit_up", "far_from_reference", "call_auction"]
        );
    }

    #[test]
    fn the_delisting_period_is_unbanded_on_its_first_day_then_the_boards_band() {
        // *ST on the SSE main board at 0.50, in 2025 (ST band 5%): on the period's first day any price
        // trades; from the second, 10% (0.55), not the ST band's 5% (0.53).
        let s = InstrumentFacts { st: true, delisting: true, delisting_day: Some(1), ..stock(Board::SseMain, 5_000) };
        let buy = ticket("600777.SH", Side::Buy, 5_400, 100);
        let mut found = run(&buy, &s, None, at(2025, 3, 3, 9, 20));
        assert_eq!(found, vec!["no_band_today", "call_auction", "risk_warning_stock", "delisting_period"]);
        let second = InstrumentFacts { delisting_day: Some(2), ..s.clone() };
        found = run(&buy, &second, None, at(2025, 3, 3, 9, 20));
        assert_eq!(found, vec!["call_auction", "risk_warning_stock", "delisting_period"]);
        found = run(&ticket("600777.SH", Side::Buy, 5_600, 100), &second, None, at(2025, 3, 3, 9, 20));
        assert_eq!(found[0], "above_limit_up");
    }

    /// The checks that depend on the board, on every board: the band's edge, the least buy and
    /// its steps, the permission, the cage.
    #[test]
    fn the_board_dependent_checks_on_every_board() {
        // (board, code, limit-up from 10.00, least buy, a buy off its step or None, permission needed, cage buy edge)
        let cases = [
            (Board::SseMain, "600519.SH", 110_000, 100, Some(150), false, 102_000),
            (Board::SzseMain, "000001.SZ", 110_000, 100, Some(150), false, 102_000),
            (Board::ChiNext, "300750.SZ", 120_000, 100, Some(150), true, 102_000),
            (Board::Star, "688981.SH", 120_000, 200, None, true, 102_000),
            (Board::Bse, "430047.BJ", 130_000, 100, None, true, 105_000),
        ];
        let m = monday();
        for (board, code, up, least, off_step, permission, edge) in cases {
            let s = InstrumentFacts { last: 10 * YUAN, ..stock(board, 10 * YUAN) };
            let found = |price: Fixed, quantity: i64, a: &AccountFacts| {
                run(&ticket(code, Side::Buy, price, quantity), &s, Some(a), m)
            };
            let a = rich();
            assert!(found(edge, least, &a).is_empty(), "{board:?}: the cage's edge");
            assert_eq!(found(edge + 100, least, &a), vec!["outside_price_cage"], "{board:?}");
            assert_eq!(found(up, least, &a), vec!["outside_price_cage"], "{board:?}: limit-up is allowed, caged");
            let beyond = found(up + 100, least, &a);
            assert!(beyond.starts_with(&["above_limit_up"]), "{board:?}: {beyond:?}");
            assert_eq!(found(10 * YUAN, least - 1, &a), vec!["lot_below_minimum"], "{board:?}");
            match off_step {
                Some(q) => assert_eq!(found(10 * YUAN, q, &a), vec!["lot_off_step"], "{board:?}"),
                None => assert!(found(10 * YUAN, least + 1, &a).is_empty(), "{board:?}: steps of 1"),
            }
            let without = AccountFacts { board_permitted: false, ..rich() };
            let expected: Vec<&str> = if permission { vec!["board_permission"] } else { vec![] };
            assert_eq!(found(10 * YUAN, least, &without), expected, "{board:?}");
        }
    }

    #[test]
    fn a_buy_outside_the_price_cage_warns() {
        // Last 10.00: the cage lets buys up to 10.20 match.
        let s = InstrumentFacts { last: 10 * YUAN, ..stock(Board::SseMain, 10 * YUAN) };
        assert!(run(&ticket("600519.SH", Side::Buy, 102_000, 100), &s, Some(&rich()), monday()).is_empty());
        let found = check(
            &ticket("600519.SH", Side::Buy, 102_100, 100),
            &s,
            Some(&rich()),
            monday(),
            &CheckSettings::default(),
        );
        assert_eq!(codes(&found), vec!["outside_price_cage"]);
        assert_eq!(found[0].severity, Severity::Warn);
        // Not in the opening auction (no cage there); not before the main boards had one (7 April 2023).
        assert!(run(&ticket("600519.SH", Side::Buy, 102_100, 100), &s, Some(&rich()), at(2023, 4, 7, 10, 0)).is_empty());
    }

    #[test]
    fn sessions_cash_holdings_and_concentration() {
        let s = InstrumentFacts { last: 10 * YUAN, ..stock(Board::SseMain, 10 * YUAN) };
        let buy = ticket("600519.SH", Side::Buy, 10 * YUAN, 1_000);
        assert_eq!(run(&buy, &s, None, at(2025, 3, 3, 12, 0)), vec!["lunch_break"]);
        assert_eq!(run(&buy, &s, None, at(2025, 3, 3, 20, 0)), vec!["market_closed"]);
        let market = Ticket { order_type: OrderType::Market, ..buy.clone() };
        assert_eq!(run(&market, &s, None, at(2025, 3, 3, 12, 0)), vec!["market_outside_continuous"]);
        assert_eq!(run(&Ticket { price: 0, ..market }, &s, None, monday()), vec!["market_without_protection"]);
        // 10,000 CNY and 5.10 of fees against 10,005 of cash.
        let poor = AccountFacts { cash: 10_005 * YUAN, ..rich() };
        assert_eq!(run(&buy, &s, Some(&poor), monday()), vec!["cash_short"]);
        // 5% of 1,000,000 shares outstanding.
        let small = InstrumentFacts { outstanding_shares: 40_000, ..s.clone() };
        let a = AccountFacts { held: 1_000, ..rich() };
        assert_eq!(run(&buy, &small, Some(&a), monday()), vec!["five_percent_holder"]);
        // 20,000 CNY of 50,000 assets is 40%, over a 30% limit.
        let limited = AccountFacts { assets: 50_000 * YUAN, concentration_limit_bp: 3_000, ..rich() };
        let found = check(&buy, &s, Some(&limited), monday(), &CheckSettings::default());
        assert_eq!(codes(&found), vec!["concentration_limit"]);
        assert!(found[0].args.contains(&("weight", "40.00%".into())));
    }
}
