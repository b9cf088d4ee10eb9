//! Instrument pages: a searchable list, and one instrument with its trading
//! rules and a chart of candlesticks, volume and the indicators the viewer
//! picks (with their own parameters).

use super::layout::{page, PageError, PageQuery};
use crate::auth::Viewer;
use crate::{AppState, HttpError};
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::Extension;
use maud::{html, Markup};
use serde::Deserialize;

/// List parameters.
#[derive(Debug, Deserialize)]
pub struct ListQuery {
    q: Option<String>,
    lang: Option<String>,
}

/// GET /instruments: instruments with real bars first, searchable by code or name.
pub async fn list(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    PageQuery(query): PageQuery<ListQuery>,
    headers: HeaderMap,
) -> Result<Markup, PageError> {
    let locale = crate::i18n::choose(query.lang.as_deref(), &headers);
    let q = query.q.unwrap_or_default();
    let rows = state.db.instruments(Some(&q), 200).await.map_err(|e| PageError(e.into(), locale))?;
    let body = html! {
        h1 { (locale.t("instruments-title")) }
        form method="get" action="/instruments" {
            input type="hidden" name="lang" value=(locale.tag());
            input type="search" name="q" value=(q) placeholder=(locale.t("instruments-search"));
        }
        table {
            thead { tr {
                th { (locale.t("col-instrument")) } th { (locale.t("col-name")) } th { (locale.t("col-board")) }
                th.num { (locale.t("col-close")) } th.num { (locale.t("col-bars")) }
            } }
            tbody {
                @for r in &rows {
                    tr.instrument {
                        td { a href={ "/instruments/" (r.code) "?lang=" (locale.tag()) } { (r.code) } }
                        td { (r.name) } td { (locale.t(&format!("board-{}", r.board))) }
                        td.num { (r.last_close) } td.num { (r.bars) }
                    }
                }
            }
        }
    };
    Ok(page(locale, &locale.t("instruments-title"), "/instruments", &viewer, body))
}

/// What the chart shows.
#[derive(Debug, Deserialize)]
pub struct ChartQuery {
    overlay: Option<String>,
    overlay_params: Option<String>,
    oscillator: Option<String>,
    oscillator_params: Option<String>,
    adjust: Option<String>,
    lang: Option<String>,
}

/// Indicators drawn over the prices, and those drawn in their own pane below.
const OVERLAYS: [&str; 3] = ["SMA", "EMA", "BOLL"];
const OSCILLATORS: [&str; 7] = ["MACD", "RSI", "KDJ", "ATR", "OBV", "LB", "VR"];

fn picker(name: &str, options: &[&str], chosen: &str, params_name: &str, params: &str, allow_none: bool) -> Markup {
    html! {
        select name=(name) {
            @if allow_none { option value="" selected[chosen.is_empty()] { "—" } }
            @for o in options { option value=(o) selected[*o == chosen] { (o) } }
        }
        input type="text" name=(params_name) value=(params) size="8" placeholder="12,26,9";
    }
}

/// GET /instruments/{code}: the instrument's rules and its chart.
pub async fn detail(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Path(code): Path<String>,
    PageQuery(query): PageQuery<ChartQuery>,
    headers: HeaderMap,
) -> Result<Markup, PageError> {
    let locale = crate::i18n::choose(query.lang.as_deref(), &headers);
    // A malformed code in the address is a page that does not exist.
    let i = app::instruments::instrument(&state.db, &code).await.map_err(|e| {
        let e = HttpError::from(e);
        let e = if e.status() == axum::http::StatusCode::BAD_REQUEST {
            HttpError::of(app::codes::INSTRUMENT_NOT_FOUND)
        } else {
            e
        };
        PageError(e, locale)
    })?;
    let rules = app::instruments::rules_for_next_day(&i, state.db.today());
    let overlay = query.overlay.unwrap_or_else(|| "BOLL".into()).to_ascii_uppercase();
    let overlay_params =
        query.overlay_params.unwrap_or_else(|| if overlay == "BOLL" { "20,2".into() } else { String::new() });
    let oscillator = query.oscillator.unwrap_or_else(|| "MACD".into()).to_ascii_uppercase();
    let oscillator_params =
        query.oscillator_params.unwrap_or_else(|| if oscillator == "MACD" { "12,26,9".into() } else { String::new() });
    let adjust = query.adjust.unwrap_or_default();
    let code_text = i.code.to_string();
    let notices =
        app::notices::on_instrument(&state.db, &code_text, 20).await.map_err(|e| PageError(e.into(), locale))?;
    let ideas = state.db.ideas_on(&code_text).await.map_err(|e| PageError(app::Error::from(e).into(), locale))?;
    let body = html! {
        h1 { (i.name) " · " (i.code) }
        p { a.ticket href={ "/orders/ticket?instrument=" (i.code) "&price=" (i.last_close) "&source=instrument&lang=" (locale.tag()) }
            { (locale.t("orders-ticket")) } }
        dl {
            dt { (locale.t("col-board")) } dd { (locale.t(&format!("board-{}", i.board))) " · " (locale.t(&format!("kind-{}", i.kind))) @if i.st { " · ST" } }
            dt { (locale.t("col-close")) } dd { (i.last_close) }
            dt { (locale.t("instrument-limits")) }
            dd { @match &rules.limits {
                Some(l) => { (l.up) " / " (l.down) },
                None => (locale.t("instrument-no-limit")),
            } }
            dt { (locale.t("instrument-lots")) }
            dd { (locale.t("instrument-lot-min")) " " (rules.lots.minimum) ", " (locale.t("instrument-lot-step")) " " (rules.lots.step) }
            dt { (locale.t("instrument-tick")) } dd { (rules.tick) }
            dt { (locale.t("instrument-settlement")) } dd { (rules.settlement) }
            dt { (locale.t("instrument-listed")) } dd { (i.list_date) }
        }
        form.chart-controls method="get" action={ "/instruments/" (i.code) } {
            input type="hidden" name="lang" value=(locale.tag());
            label { (locale.t("chart-overlay")) " " (picker("overlay", &OVERLAYS, &overlay, "overlay_params", &overlay_params, true)) }
            label { (locale.t("chart-oscillator")) " " (picker("oscillator", &OSCILLATORS, &oscillator, "oscillator_params", &oscillator_params, true)) }
            label { input type="checkbox" name="adjust" value="forward" checked[adjust == "forward"]; " " (locale.t("chart-forward-adjusted")) }
            button type="submit" { (locale.t("chart-apply")) }
        }
        div #chart data-code=(i.code) data-overlay=(overlay) data-overlay-params=(overlay_params)
            data-oscillator=(oscillator) data-oscillator-params=(oscillator_params) data-adjust=(adjust) {}
        div #oscillator {}
        script src="/assets/lightweight-charts.js" {}
        script src="/assets/instrument-chart.js" {}
        section.notices {
            h2 { (locale.t("instrument-notices")) }
            @if notices.is_empty() { p.empty { (locale.t("instrument-no-notices")) } }
            ul.notices { @for n in &notices {
                li.notice data-kind=(n.kind) {
                    span.when { (domain::to_shanghai(n.at).format("%Y-%m-%d %H:%M")) } " "
                    strong { (locale.t(&format!("notice-kind-{}", n.kind))) } " "
                    @match &n.link { Some(link) => { a href=(link) rel="noopener noreferrer" { (n.title) } }, None => { (n.title) } }
                    @if let Some(d) = n.deadline { " · " (locale.t_with("notice-deadline", &[("day", d.to_string())])) }
                    " — " span.source { (n.source) }
                    @if !n.body.is_empty() { p.body { (n.body) } }
                }
            } }
        }
        @if !ideas.is_empty() {
            section.ideas {
                h2 { (locale.t("ideas-title")) }
                ul { @for idea in &ideas {
                    li { a href={ "/ideas/" (idea.id) "?lang=" (locale.tag()) } { (locale.t(&format!("idea-direction-{}", idea.direction))) " · " (idea.source.clone().unwrap_or_else(|| idea.advisor.clone())) }
                        " · " (idea.published_at.map(|t| domain::to_shanghai(t).format("%Y-%m-%d").to_string()).unwrap_or_default()) }
                } }
            }
        }
    };
    Ok(page(locale, &i.name, &format!("/instruments/{}", i.code), &viewer, body))
}
