//! Instruments and their market data, as the API and the pages read them:
//! the next trading day's rules, bars (raw or forward-adjusted), an
//! indicator with the caller's parameters, the latest snapshots. Open to
//! every signed-in user: market data is not personal.

use crate::{codes, Error};
use chrono::NaiveDate;
use domain::{DailyBar, Instrument, InstrumentCode, Money, Snapshot};
use market::indicators::AnyIndicator;
use market::rules::{LimitPrices, LotRule};
use store::Db;

/// An instrument code from a path, refused on `code` when it is not one.
pub fn code(text: &str) -> Result<InstrumentCode, Error> {
    Ok(InstrumentCode::parse(text).map_err(|e| domain::Refusal::from(e.for_field("code")))?)
}

/// A stored instrument by its code's text.
pub async fn instrument(db: &Db, text: &str) -> Result<Instrument, Error> {
    let code = code(text)?;
    db.instrument(&code).await?.ok_or_else(|| codes::INSTRUMENT_NOT_FOUND.refuse().into())
}

/// An instrument's rules for the next trading day.
#[derive(Debug, Clone, PartialEq)]
pub struct TradingRules {
    /// The price step.
    pub tick: Money,
    /// Shares per order.
    pub lots: LotRule,
    /// `T+0` or `T+1`.
    pub settlement: &'static str,
    /// 100 for bonds and convertibles.
    pub face_value: Option<Money>,
    /// Limit-up and limit-down from the latest close; none when the price is free.
    pub limits: Option<LimitPrices>,
}

/// The rules in force on the trading day after `today` (Beijing).
pub fn rules_for_next_day(i: &Instrument, today: NaiveDate) -> TradingRules {
    let calendar = market::TradingCalendar::current();
    let next_day = calendar.next_trading_day(today.pred_opt().unwrap_or(today));
    let tick = market::rules::tick(i.kind);
    TradingRules {
        tick,
        lots: market::rules::lot_rule(i.board, i.kind),
        settlement: match market::rules::settlement_of(i.kind, i.fund_class) {
            market::rules::Settlement::TPlus0 => "T+0",
            market::rules::Settlement::TPlus1 => "T+1",
        },
        face_value: market::rules::face_value(i.kind),
        limits: market::rules::band_on(i, next_day, calendar)
            .map(|band| market::rules::limit_prices(i.last_close, band, tick)),
    }
}

/// Which bars: a date range (`from`, `to`, YYYY-MM-DD) and the adjustment (`none` or `forward`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BarRange {
    /// First date.
    pub from: Option<String>,
    /// Last date.
    pub to: Option<String>,
    /// `forward` for forward-adjusted prices (前复权); raw by default.
    pub adjust: Option<String>,
}

fn date(field: &'static str, text: &Option<String>) -> Result<Option<NaiveDate>, Error> {
    Ok(text
        .as_deref()
        .filter(|t| !t.is_empty())
        .map(|t| domain::parse_date(field, t))
        .transpose()
        .map_err(domain::Refusal::from)?)
}

/// The bars asked for, checked and adjusted as asked.
pub async fn bars(db: &Db, text: &str, range: &BarRange) -> Result<Vec<DailyBar>, Error> {
    let code = code(text)?;
    let (from, to) = (date("from", &range.from)?, date("to", &range.to)?);
    let forward = match range.adjust.as_deref() {
        None | Some("") | Some("none") => false,
        Some("forward") => true,
        Some(other) => {
            let e =
                domain::codes::NOT_ONE_OF.refuse().on("adjust").with("value", other).with("options", "none, forward");
            return Err(e.into());
        }
    };
    instrument(db, text).await?;
    let bars = db.daily_bars(&code, from, to).await?;
    Ok(if forward { market::adjust::forward_adjusted(&bars) } else { bars })
}

/// An indicator's series over an instrument's bars.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Indicator name, upper case.
    pub name: String,
    /// The parameters used (defaults filled in).
    pub params: Vec<f64>,
    /// Output columns, e.g. macd, signal, hist.
    pub columns: Vec<&'static str>,
    /// The date and one value per column, once the indicator has enough bars.
    pub rows: Vec<(NaiveDate, Vec<f64>)>,
}

/// Parses `12,26,9` into numbers, naming the bad one.
pub fn parse_params(text: Option<&str>) -> Result<Vec<f64>, Error> {
    text.unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| {
            p.parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| domain::codes::NOT_A_NUMBER.refuse().on("params").with("value", p).into())
        })
        .collect()
}

/// An indicator (`MACD` by default) with the caller's parameters over the bars asked for.
pub async fn indicator(
    db: &Db,
    text: &str,
    name: Option<&str>,
    params: Option<&str>,
    range: &BarRange,
) -> Result<Series, Error> {
    let name = name.unwrap_or("MACD");
    let given = parse_params(params)?;
    let mut indicator = AnyIndicator::parse(name, &given).map_err(|e| {
        let r = domain::ErrorCode::code(&e).refuse().on(domain::ErrorCode::field(&e).unwrap_or("name"));
        domain::ErrorCode::args(&e).into_iter().fold(r, |r, (k, v)| r.with(k, v))
    })?;
    let defaults: Vec<f64> = market::indicators::CATALOGUE
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name.trim()))
        .map(|(_, p)| p.iter().map(|(_, d)| *d).collect())
        .unwrap_or_default();
    let used: Vec<f64> = defaults.iter().enumerate().map(|(i, d)| given.get(i).copied().unwrap_or(*d)).collect();
    let bars = bars(db, text, range).await?;
    let rows = bars
        .iter()
        .filter_map(|b| indicator.update(&market::adjust::ohlcv(b)).map(|values| (b.date, values)))
        .collect();
    Ok(Series { name: name.trim().to_ascii_uppercase(), params: used, columns: indicator.columns().to_vec(), rows })
}

/// The latest intraday snapshots, newest first (1 to 1,000).
pub async fn snapshots(db: &Db, text: &str, limit: i64) -> Result<Vec<Snapshot>, Error> {
    if !(1..=1000).contains(&limit) {
        let e = domain::codes::OUT_OF_RANGE.refuse().on("limit").with("value", limit).with("min", 1).with("max", 1000);
        return Err(e.into());
    }
    let i = instrument(db, text).await?;
    Ok(db.snapshots(&i.code, limit).await?)
}
