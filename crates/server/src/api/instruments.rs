//! Instruments and their market data: bars (raw or forward-adjusted),
//! snapshots, indicators with the caller's parameters, and today's trading
//! rules. Open to every signed-in user: market data is not personal.

use super::input::QueryParams;
use crate::{AppError, AppState};
use axum::extract::{Path, State};
use axum::Json;
use chrono::NaiveDate;
use domain::{InstrumentCode, Money};
use market::indicators::AnyIndicator;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A path's instrument code, or a 400 saying what a code looks like.
pub(crate) fn code(text: &str) -> Result<InstrumentCode, AppError> {
    InstrumentCode::parse(text).map_err(|e| AppError::invalid("code", e))
}

/// Instrument list parameters.
#[derive(Debug, Deserialize, IntoParams)]
pub struct ListParams {
    /// Part of a code or name.
    pub q: Option<String>,
}

/// One instrument in a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct InstrumentSummary {
    /// Code, e.g. 600519.SH.
    pub code: String,
    /// Short name.
    pub name: String,
    /// sse_main, star, szse_main, chinext or bse.
    pub board: String,
    /// stock, etf, bond or convertible.
    pub kind: String,
    /// Latest close.
    #[schema(value_type = String)]
    pub last_close: Money,
    /// Daily bars stored.
    pub bars: i64,
}

/// Instruments (those with bars first), up to 200.
#[utoipa::path(get, path = "/instruments", params(ListParams), responses((status = 200, body = [InstrumentSummary])))]
pub async fn list(
    State(state): State<AppState>,
    QueryParams(params): QueryParams<ListParams>,
) -> Result<Json<Vec<InstrumentSummary>>, AppError> {
    let rows = state.db.instruments(params.q.as_deref(), 200).await?;
    Ok(Json(
        rows.into_iter()
            .map(|r| InstrumentSummary {
                code: r.code,
                name: r.name,
                board: r.board,
                kind: r.kind,
                last_close: r.last_close,
                bars: r.bars,
            })
            .collect(),
    ))
}

/// An instrument with the rules that apply to it on its next trading day.
#[derive(Debug, Serialize, ToSchema)]
pub struct InstrumentDetail {
    /// Code.
    pub code: String,
    /// Short name.
    pub name: String,
    /// Board.
    pub board: String,
    /// Kind.
    pub kind: String,
    /// Special treatment.
    pub st: bool,
    /// Listing date.
    pub list_date: NaiveDate,
    /// Latest close.
    #[schema(value_type = String)]
    pub last_close: Money,
    /// Minimum price step.
    #[schema(value_type = String)]
    pub tick: Money,
    /// Lot rule: minimum, step and per-order maximum.
    #[schema(value_type = Object)]
    pub lots: market::rules::LotRule,
    /// T+0 or T+1.
    pub settlement: String,
    /// Face value (bonds).
    #[schema(value_type = Option<String>)]
    pub face_value: Option<Money>,
    /// Limit-up and limit-down from the latest close, none when the price is free.
    #[schema(value_type = Option<Object>)]
    pub limits: Option<market::rules::LimitPrices>,
}

/// One instrument and its trading rules.
#[utoipa::path(get, path = "/instruments/{code}", params(("code" = String, Path, description = "Six digits and the exchange, e.g. 600519.SH", pattern = r"^[0-9]{6}\.(SH|SZ|BJ|sh|sz|bj)$")),
    responses((status = 200, body = InstrumentDetail), (status = 400, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get(State(state): State<AppState>, Path(text): Path<String>) -> Result<Json<InstrumentDetail>, AppError> {
    Ok(Json(detail(&state, &text).await?))
}

/// An instrument and its rules for the next trading day; shared with the page.
pub(crate) async fn detail(state: &AppState, text: &str) -> Result<InstrumentDetail, AppError> {
    let code = code(text)?;
    let i = state.db.instrument(&code).await?.ok_or(AppError::NotFound)?;
    let calendar = market::TradingCalendar::builtin();
    let today = domain::to_shanghai(chrono::Utc::now()).date_naive();
    let next_day = calendar.next_trading_day(today.pred_opt().unwrap_or(today));
    let listing_day = calendar.trading_days_between(i.list_date, next_day);
    let tick = market::rules::tick(i.kind);
    let limits = market::rules::price_band(i.board, i.kind, i.st, listing_day)
        .map(|band| market::rules::limit_prices(i.last_close, band, tick));
    Ok(InstrumentDetail {
        code: i.code.to_string(),
        name: i.name,
        board: i.board.to_string(),
        kind: i.kind.to_string(),
        st: i.st,
        list_date: i.list_date,
        last_close: i.last_close,
        tick,
        lots: market::rules::lot_rule(i.board, i.kind),
        settlement: match market::rules::settlement(i.kind) {
            market::rules::Settlement::TPlus0 => "T+0".into(),
            market::rules::Settlement::TPlus1 => "T+1".into(),
        },
        face_value: market::rules::face_value(i.kind),
        limits,
    })
}

/// Which bars.
#[derive(Debug, Deserialize, IntoParams)]
pub struct BarParams {
    /// First date, YYYY-MM-DD.
    pub from: Option<String>,
    /// Last date, YYYY-MM-DD.
    pub to: Option<String>,
    /// `forward` for forward-adjusted prices (前复权); raw by default.
    pub adjust: Option<String>,
}

fn date(field: &'static str, text: &Option<String>) -> Result<Option<NaiveDate>, AppError> {
    text.as_deref()
        .filter(|t| !t.is_empty())
        .map(|t| domain::parse_date(field, t).map_err(|e| AppError::invalid(field, e)))
        .transpose()
}

/// The bars asked for, checked and adjusted as asked; 404 for an unknown instrument.
pub(crate) async fn bars_for(
    state: &AppState,
    text: &str,
    params: &BarParams,
) -> Result<Vec<domain::DailyBar>, AppError> {
    let code = code(text)?;
    let (from, to) = (date("from", &params.from)?, date("to", &params.to)?);
    let forward = match params.adjust.as_deref() {
        None | Some("") | Some("none") => false,
        Some("forward") => true,
        Some(other) => {
            return Err(AppError::BadRequest { field: "adjust", reason: format!("'{other}' is not none or forward") })
        }
    };
    if state.db.instrument(&code).await?.is_none() {
        return Err(AppError::NotFound);
    }
    let bars = state.db.daily_bars(&code, from, to).await?;
    Ok(if forward { market::adjust::forward_adjusted(&bars) } else { bars })
}

/// One daily bar.
#[derive(Debug, Serialize, ToSchema)]
pub struct Bar {
    /// Date.
    pub date: NaiveDate,
    /// Open.
    #[schema(value_type = String)]
    pub open: Money,
    /// High.
    #[schema(value_type = String)]
    pub high: Money,
    /// Low.
    #[schema(value_type = String)]
    pub low: Money,
    /// Close.
    #[schema(value_type = String)]
    pub close: Money,
    /// Volume in lots.
    #[schema(value_type = String)]
    pub volume: Money,
}

/// Daily bars by date.
#[utoipa::path(get, path = "/instruments/{code}/bars", params(("code" = String, Path, description = "Six digits and the exchange, e.g. 600519.SH", pattern = r"^[0-9]{6}\.(SH|SZ|BJ|sh|sz|bj)$"), BarParams),
    responses((status = 200, body = [Bar]), (status = 400, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn bars(
    State(state): State<AppState>,
    Path(text): Path<String>,
    QueryParams(params): QueryParams<BarParams>,
) -> Result<Json<Vec<Bar>>, AppError> {
    let bars = bars_for(&state, &text, &params).await?;
    Ok(Json(
        bars.into_iter()
            .map(|b| Bar { date: b.date, open: b.open, high: b.high, low: b.low, close: b.close, volume: b.volume })
            .collect(),
    ))
}

/// Which indicator, over which bars.
#[derive(Debug, Deserialize, IntoParams)]
pub struct IndicatorParams {
    /// SMA, EMA, MACD (the default), RSI, KDJ, BOLL, ATR, OBV or VR.
    pub name: Option<String>,
    /// Comma-separated parameters, e.g. 12,26,9; missing ones take the defaults.
    pub params: Option<String>,
    /// First date, YYYY-MM-DD.
    pub from: Option<String>,
    /// Last date, YYYY-MM-DD.
    pub to: Option<String>,
    /// `forward` to compute on forward-adjusted prices.
    pub adjust: Option<String>,
}

/// An indicator's series.
#[derive(Debug, Serialize, ToSchema)]
pub struct IndicatorSeries {
    /// Indicator name.
    pub name: String,
    /// The parameters used (defaults filled in).
    pub params: Vec<f64>,
    /// Output columns, e.g. macd, signal, hist.
    pub columns: Vec<String>,
    /// One row per bar once the indicator has enough bars: `["2025-07-04", [v1, v2, ...]]`,
    /// the date and one value per column.
    #[schema(value_type = Vec<Vec<Value>>)]
    pub rows: Vec<(NaiveDate, Vec<f64>)>,
}

/// Parses `12,26,9` into numbers, naming the bad one.
pub(crate) fn parse_params(text: Option<&str>) -> Result<Vec<f64>, AppError> {
    text.unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| {
            p.parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| AppError::BadRequest { field: "params", reason: format!("'{p}' is not a number") })
        })
        .collect()
}

/// An indicator over an instrument's daily bars, with the caller's parameters.
#[utoipa::path(get, path = "/instruments/{code}/indicators", params(("code" = String, Path, description = "Six digits and the exchange, e.g. 600519.SH", pattern = r"^[0-9]{6}\.(SH|SZ|BJ|sh|sz|bj)$"), IndicatorParams),
    responses((status = 200, body = IndicatorSeries), (status = 400, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn indicators(
    State(state): State<AppState>,
    Path(text): Path<String>,
    QueryParams(params): QueryParams<IndicatorParams>,
) -> Result<Json<IndicatorSeries>, AppError> {
    let name = params.name.as_deref().unwrap_or("MACD");
    let given = parse_params(params.params.as_deref())?;
    let mut indicator =
        AnyIndicator::parse(name, &given).map_err(|e| AppError::BadRequest { field: "name", reason: e.to_string() })?;
    let defaults: Vec<f64> = market::indicators::CATALOGUE
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name.trim()))
        .map(|(_, p)| p.iter().map(|(_, d)| *d).collect())
        .unwrap_or_default();
    let used: Vec<f64> = defaults.iter().enumerate().map(|(i, d)| given.get(i).copied().unwrap_or(*d)).collect();
    let bar_params = BarParams { from: params.from, to: params.to, adjust: params.adjust };
    let bars = bars_for(&state, &text, &bar_params).await?;
    let rows = bars
        .iter()
        .filter_map(|b| indicator.update(&market::adjust::ohlcv(b)).map(|values| (b.date, values)))
        .collect();
    Ok(Json(IndicatorSeries {
        name: name.trim().to_ascii_uppercase(),
        params: used,
        columns: indicator.columns().iter().map(|c| (*c).to_owned()).collect(),
        rows,
    }))
}

/// Which snapshots.
#[derive(Debug, Deserialize, IntoParams)]
pub struct SnapshotParams {
    /// How many, newest first (1 to 1000, default 100).
    pub limit: Option<i64>,
}

/// One intraday snapshot.
#[derive(Debug, Serialize, ToSchema)]
pub struct SnapshotView {
    /// When (RFC 3339).
    pub time: String,
    /// Last price.
    #[schema(value_type = String)]
    pub last: Money,
    /// Previous close.
    #[schema(value_type = String)]
    pub prev_close: Money,
    /// High.
    #[schema(value_type = String)]
    pub high: Money,
    /// Low.
    #[schema(value_type = String)]
    pub low: Money,
    /// Volume so far, in lots.
    #[schema(value_type = String)]
    pub volume: Money,
    /// Best bid.
    #[schema(value_type = Option<String>)]
    pub bid: Option<Money>,
    /// Best ask.
    #[schema(value_type = Option<String>)]
    pub ask: Option<Money>,
}

/// The latest intraday snapshots, newest first.
#[utoipa::path(get, path = "/instruments/{code}/snapshots", params(("code" = String, Path, description = "Six digits and the exchange, e.g. 600519.SH", pattern = r"^[0-9]{6}\.(SH|SZ|BJ|sh|sz|bj)$"), SnapshotParams),
    responses((status = 200, body = [SnapshotView]), (status = 400, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn snapshots(
    State(state): State<AppState>,
    Path(text): Path<String>,
    QueryParams(params): QueryParams<SnapshotParams>,
) -> Result<Json<Vec<SnapshotView>>, AppError> {
    let code = code(&text)?;
    let limit = params.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(AppError::BadRequest { field: "limit", reason: format!("{limit} is not between 1 and 1000") });
    }
    if state.db.instrument(&code).await?.is_none() {
        return Err(AppError::NotFound);
    }
    let snapshots = state.db.snapshots(&code, limit).await?;
    Ok(Json(
        snapshots
            .into_iter()
            .map(|s| SnapshotView {
                time: s.time.to_rfc3339(),
                last: s.last,
                prev_close: s.prev_close,
                high: s.high,
                low: s.low,
                volume: s.volume,
                bid: s.bid,
                ask: s.ask,
            })
            .collect(),
    ))
}
