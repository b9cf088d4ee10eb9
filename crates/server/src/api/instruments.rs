//! Instruments and their market data: bars (raw or forward-adjusted),
//! snapshots, indicators with the caller's parameters, and today's trading
//! rules. Open to every signed-in user: market data is not personal.

use super::input::QueryParams;
use crate::{AppState, HttpError};
use axum::extract::{Path, State};
use axum::Json;
use chrono::NaiveDate;
use domain::Money;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

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
) -> Result<Json<Vec<InstrumentSummary>>, HttpError> {
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
pub async fn get(State(state): State<AppState>, Path(text): Path<String>) -> Result<Json<InstrumentDetail>, HttpError> {
    Ok(Json(detail(&state, &text).await?))
}

/// An instrument and its rules for the next trading day; shared with the page.
pub(crate) async fn detail(state: &AppState, text: &str) -> Result<InstrumentDetail, HttpError> {
    let i = app::instruments::instrument(&state.db, text).await?;
    let rules = app::instruments::rules_for_next_day(&i, state.db.today());
    Ok(InstrumentDetail {
        code: i.code.to_string(),
        name: i.name,
        board: i.board.to_string(),
        kind: i.kind.to_string(),
        st: i.st,
        list_date: i.list_date,
        last_close: i.last_close,
        tick: rules.tick,
        lots: rules.lots,
        settlement: rules.settlement.to_owned(),
        face_value: rules.face_value,
        limits: rules.limits,
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

impl BarParams {
    fn range(&self) -> app::instruments::BarRange {
        app::instruments::BarRange { from: self.from.clone(), to: self.to.clone(), adjust: self.adjust.clone() }
    }
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
) -> Result<Json<Vec<Bar>>, HttpError> {
    let bars = app::instruments::bars(&state.db, &text, &params.range()).await?;
    Ok(Json(
        bars.into_iter()
            .map(|b| Bar { date: b.date, open: b.open, high: b.high, low: b.low, close: b.close, volume: b.volume })
            .collect(),
    ))
}

/// Which indicator, over which bars.
#[derive(Debug, Deserialize, IntoParams)]
pub struct IndicatorParams {
    /// SMA, EMA, MACD (the default), RSI, KDJ, BOLL, ATR, OBV, LB (volume ratio, 量比) or VR (成交量变异率).
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

/// An indicator over an instrument's daily bars, with the caller's parameters.
#[utoipa::path(get, path = "/instruments/{code}/indicators", params(("code" = String, Path, description = "Six digits and the exchange, e.g. 600519.SH", pattern = r"^[0-9]{6}\.(SH|SZ|BJ|sh|sz|bj)$"), IndicatorParams),
    responses((status = 200, body = IndicatorSeries), (status = 400, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn indicators(
    State(state): State<AppState>,
    Path(text): Path<String>,
    QueryParams(params): QueryParams<IndicatorParams>,
) -> Result<Json<IndicatorSeries>, HttpError> {
    let range = app::instruments::BarRange { from: params.from, to: params.to, adjust: params.adjust };
    let series =
        app::instruments::indicator(&state.db, &text, params.name.as_deref(), params.params.as_deref(), &range).await?;
    Ok(Json(IndicatorSeries {
        name: series.name,
        params: series.params,
        columns: series.columns.iter().map(|c| (*c).to_owned()).collect(),
        rows: series.rows,
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
) -> Result<Json<Vec<SnapshotView>>, HttpError> {
    let snapshots = app::instruments::snapshots(&state.db, &text, params.limit.unwrap_or(100)).await?;
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

/// News and corporate events on an instrument, newest first.
#[utoipa::path(get, path = "/instruments/{code}/notices", params(("code" = String, Path, description = "Instrument code, e.g. 600519.SH")),
    responses((status = 200, body = Object), (status = 404, body = crate::error::ErrorBody)))]
pub async fn notices(
    State(state): State<AppState>,
    Path(text): Path<String>,
) -> Result<Json<Vec<store::NoticeRow>>, HttpError> {
    let i = app::instruments::instrument(&state.db, &text).await?;
    Ok(Json(app::notices::on_instrument(&state.db, &i.code.to_string(), 100).await?))
}
