//! The analytics page for staff (issue 28): TUV by firm, branch, advisor or
//! group with a waterfall of its change by factor, the lifecycle by month,
//! and cohorts with retention and lifetime value. Every count links to the
//! customer list filtered to the customers behind it; every table has a
//! CSV download.

use super::charts;
use super::layout::{page, PageError, PageQuery};
use crate::api::analytics::AnalyticsParams;
use crate::auth::Viewer;
use crate::AppState;
use app::analytics::{Grouping, TuvLine};
use axum::extract::State;
use axum::http::HeaderMap;
use maud::{html, Markup};
use messages::Locale;
use rust_decimal::Decimal;

/// The page's parameters: the API's, a line to draw, and the language.
#[derive(Debug, Default, serde::Deserialize)]
pub struct PageParams {
    month: Option<String>,
    by: Option<String>,
    from: Option<String>,
    to: Option<String>,
    /// The line whose change the waterfall draws (default: the first).
    line: Option<String>,
    lang: Option<String>,
}

/// The customer-list filter naming a TUV line's customers.
fn line_filter(by: Grouping, key: &str) -> String {
    match by {
        Grouping::Firm => String::new(),
        Grouping::Branch => format!("&branch={key}"),
        Grouping::Advisor => format!("&advisor={key}"),
        Grouping::Group => format!("&group={key}"),
    }
}

fn rate(d: Decimal) -> String {
    format!("{:.1}%", d * Decimal::from(100))
}

/// GET /analytics: TUV, lifecycle and cohorts over the viewer's customers.
pub async fn show(
    State(state): State<AppState>,
    axum::Extension(viewer): axum::Extension<Viewer>,
    PageQuery(q): PageQuery<PageParams>,
    headers: HeaderMap,
) -> Result<Markup, PageError> {
    let locale = crate::i18n::choose(q.lang.as_deref(), &headers);
    let fail = |e: app::Error| PageError(e.into(), locale);
    let params = AnalyticsParams { month: q.month.clone(), by: q.by.clone(), from: q.from.clone(), to: q.to.clone() };
    let asked = params.read(&state.db).await.map_err(fail)?;
    let principal = &viewer.principal;
    let report = app::analytics::tuv(&state.db, principal, asked.month, asked.by).await.map_err(fail)?;
    let months = app::analytics::lifecycle(&state.db, principal, asked.first, asked.last).await.map_err(fail)?;
    let cohorts = app::analytics::cohorts(&state.db, principal, asked.first, asked.last).await.map_err(fail)?;
    let advisors = app::analytics::advisor_kpis(&state.db, principal, asked.month).await.map_err(fail)?;
    let lang = locale.tag();
    let query = format!("month={}&by={}&from={}&to={}", report.month, asked.by.code(), asked.first, asked.last);
    let chosen = q.line.as_deref().and_then(|k| report.lines.iter().find(|l| l.key == k)).or(report.lines.first());
    let money = |v: f64| short_money(locale, v);
    let body = html! {
        h1 { (locale.t("analytics-title")) }
        p.explain { (locale.t("analytics-explain")) }
        form.analytics-filters method="get" action="/analytics" {
            input type="hidden" name="lang" value=(lang);
            label { (locale.t("analytics-month")) " " input type="month" name="month" value=(report.month.to_string()); }
            label { (locale.t("analytics-by")) " "
                select name="by" {
                    @for g in [Grouping::Firm, Grouping::Branch, Grouping::Advisor, Grouping::Group] {
                        option value=(g.code()) selected[g == asked.by] { (locale.t(&format!("analytics-by-{}", g.code()))) }
                    }
                } }
            label { (locale.t("analytics-from")) " " input type="month" name="from" value=(asked.first.to_string()); }
            label { (locale.t("analytics-to")) " " input type="month" name="to" value=(asked.last.to_string()); }
            button type="submit" { (locale.t("filter-apply")) }
        }
        h2 { (locale.t("analytics-tuv")) " · " (report.month) }
        p.explain { (locale.t("analytics-tuv-explain")) }
        p { a.csv href={ "/api/v1/analytics/tuv.csv?" (query) } { (locale.t("analytics-csv")) } }
        table.tuv {
            thead { tr {
                th { (locale.t(&format!("analytics-by-{}", asked.by.code()))) }
                th.num { (locale.t("analytics-users")) } th.num { (locale.t("analytics-active")) }
                th.num { (locale.t("analytics-active-rate")) } th.num { (locale.t("analytics-paying")) }
                th.num { (locale.t("analytics-conversion")) } th.num { (locale.t("analytics-arpu")) }
                th.num { (locale.t("analytics-tuv-value")) } th.num { (locale.t("analytics-change")) } th {}
            } }
            tbody { @for l in &report.lines {
                @let filter = line_filter(asked.by, &l.key);
                @let list = |stage: &str| format!("/customers?lang={lang}&month={}&stage={stage}{filter}", report.month);
                tr data-key=(l.key) {
                    td { (line_name(locale, l)) }
                    td.num { (l.figures.users) }
                    td.num { a.active href=(list("active")) { (l.figures.active) } }
                    td.num { (rate(l.figures.active_rate)) }
                    td.num { a.paying href=(list("paying")) { (l.figures.paying) } }
                    td.num { (rate(l.figures.conversion)) }
                    td.num { (locale.money(l.figures.arpu)) }
                    td.num { (locale.money(l.figures.tuv)) }
                    td.num class=(if l.change.change >= Decimal::ZERO { "rise" } else { "fall" }) { (locale.money(l.change.change)) }
                    td { a href={ "/analytics?" (query) "&lang=" (lang) "&line=" (l.key) "#waterfall" } { (locale.t("analytics-waterfall")) } }
                }
            } }
        }
        @if let Some(l) = chosen {
            h3 #waterfall { (locale.t("analytics-waterfall")) " · " (line_name(locale, l)) " · " (report.month.pred()) " → " (report.month) }
            @let steps = vec![
                (locale.t("analytics-tuv-before"), l.previous.tuv),
                (locale.t("analytics-users"), l.change.users),
                (locale.t("analytics-active-rate"), l.change.active_rate),
                (locale.t("analytics-conversion"), l.change.conversion),
                (locale.t("analytics-arpu"), l.change.arpu),
                (locale.t("analytics-tuv-after"), l.figures.tuv),
            ];
            (charts::waterfall("tuv-waterfall", &steps, &money))
            p.explain { (locale.t("analytics-shapley")) }
        }
        h2 #advisors { (locale.t("analytics-advisors")) " · " (report.month) }
        p.explain { (locale.t_with("analytics-advisors-explain", &[("sla", app::analytics::ANSWER_SLA_MINUTES.to_string())])) }
        p { a.csv href={ "/api/v1/analytics/advisors.csv?" (query) } { (locale.t("analytics-csv")) } }
        table.advisors {
            thead { tr {
                th { (locale.t("analytics-by-advisor")) } th.num { (locale.t("analytics-users")) }
                th.num { (locale.t("analytics-active")) } th.num { (locale.t("analytics-tuv-value")) }
                th.num { (locale.t("kpi-answered")) } th.num { (locale.t("kpi-p50")) } th.num { (locale.t("kpi-p90")) }
                th.num { (locale.t("kpi-in-sla")) } th.num { (locale.t("kpi-published")) } th.num { (locale.t("kpi-reads")) }
                th.num { (locale.t("kpi-plan")) } th.num { (locale.t("kpi-reminders")) } th.num { (locale.t("kpi-conversions")) }
                th.num { (locale.t("kpi-complaints")) }
            } }
            tbody { @for k in &advisors {
                @let dash = |v: Option<i64>| v.map_or("—".to_owned(), |v| v.to_string());
                tr data-advisor=(k.advisor_id) {
                    td { (k.name) }
                    td.num { a href={ "/customers?lang=" (lang) "&advisor=" (k.advisor_id) } { (k.customers) } }
                    td.num { a href={ "/customers?lang=" (lang) "&advisor=" (k.advisor_id) "&month=" (report.month) "&stage=active" } { (k.tuv.active) } }
                    td.num { (locale.money(k.tuv.tuv)) }
                    td.num { (k.answered) }
                    td.num { (dash(k.answer_p50_minutes)) }
                    td.num { (dash(k.answer_p90_minutes)) }
                    td.num { (k.answered_in_sla.map_or("—".to_owned(), rate)) }
                    td.num { (k.content_published) }
                    td.num { (k.content_reads) }
                    td.num { (k.plan_done) "/" (k.plan_planned) }
                    td.num { (k.reminders_followed) "/" (k.reminders) }
                    td.num { (k.conversions) "/" (k.sends) }
                    td.num { (dash(k.complaints)) }
                }
            } }
        }
        h2 { (locale.t("analytics-lifecycle")) }
        p.explain { (locale.t("analytics-lifecycle-explain")) }
        p { a.csv href={ "/api/v1/analytics/lifecycle.csv?" (query) } { (locale.t("analytics-csv")) } }
        @let categories: Vec<String> = months.iter().map(|m| m.month.to_string()).collect();
        @let series = vec![
            (locale.t("stage-new"), "#1a73e8", months.iter().map(|m| m.stages.new as f64).collect::<Vec<_>>()),
            (locale.t("stage-returning"), "#d93026", months.iter().map(|m| m.stages.returning as f64).collect()),
            (locale.t("stage-resurrected"), "#f29900", months.iter().map(|m| m.stages.resurrected as f64).collect()),
            (locale.t("stage-dormant"), "#bdc1c6", months.iter().map(|m| m.stages.dormant as f64).collect()),
        ];
        (charts::stacked_bars("lifecycle-chart", &categories, &series))
        table.lifecycle {
            thead { tr {
                th { (locale.t("analytics-month")) } th.num { (locale.t("analytics-users")) }
                @for stage in STAGES { th.num { (locale.t(&format!("stage-{stage}"))) } }
                th.num { (locale.t("analytics-active")) } th.num { (locale.t("analytics-tuv-value")) }
            } }
            tbody { @for m in &months {
                @let counts = [m.stages.new, m.stages.returning, m.stages.resurrected, m.stages.dormant];
                tr data-month=(m.month.to_string()) {
                    td { (m.month) } td.num { (m.funnel.users) }
                    @for (stage, n) in STAGES.iter().zip(counts) {
                        td.num { a class=(stage) href={ "/customers?lang=" (lang) "&month=" (m.month) "&stage=" (stage) } { (n) } }
                    }
                    td.num { a href={ "/customers?lang=" (lang) "&month=" (m.month) "&stage=active" } { (m.funnel.active) } }
                    td.num { (locale.money(m.funnel.tuv)) }
                }
            } }
        }
        h2 { (locale.t("analytics-cohorts")) }
        p.explain { (locale.t("analytics-cohorts-explain")) }
        p { a.csv href={ "/api/v1/analytics/cohorts.csv?" (query) } { (locale.t("analytics-csv")) } }
        @let ages: Vec<String> = (0..=asked.last.since(asked.first)).map(|a| a.to_string()).collect();
        @let curves: Vec<(String, Vec<Option<f64>>)> = cohorts.cohorts.iter().filter(|c| c.size > 0).map(|c| {
            let mut v: Vec<Option<f64>> = vec![None; ages.len()];
            for cell in &c.cells {
                if let Some(slot) = v.get_mut(cell.age as usize) {
                    *slot = Some(rust_decimal::prelude::ToPrimitive::to_f64(&cell.lifetime_value).unwrap_or(0.0));
                }
            }
            (c.opened.to_string(), v)
        }).collect();
        h3 { (locale.t("analytics-ltv")) }
        (charts::lines("ltv-chart", &ages, &curves, &money))
        h3 { (locale.t("analytics-retention")) }
        table.cohorts {
            thead { tr {
                th { (locale.t("analytics-cohort")) } th.num { (locale.t("analytics-size")) }
                @for a in &ages { th.num { "+" (a) } }
            } }
            tbody { @for c in &cohorts.cohorts {
                tr data-cohort=(c.opened.to_string()) {
                    td { a href={ "/customers?lang=" (lang) "&month=" (c.opened) "&stage=new" } { (c.opened) } }
                    td.num { (c.size) }
                    @for cell in &c.cells {
                        td class=(charts::heat(cell.retention)) title=(format!("{} · {}", cell.month, locale.money(cell.lifetime_value))) { (rate(cell.retention)) }
                    }
                }
            } }
        }
    };
    Ok(page(locale, &locale.t("analytics-title"), "/analytics", &viewer, body))
}

const STAGES: [&str; 4] = ["new", "returning", "resurrected", "dormant"];

fn line_name(locale: Locale, l: &TuvLine) -> String {
    if l.key == "firm" {
        locale.t("analytics-by-firm")
    } else if l.name.is_empty() {
        l.key.clone()
    } else {
        l.name.clone()
    }
}

/// An axis or bar label: money, short.
fn short_money(locale: Locale, v: f64) -> String {
    let d = Decimal::from_f64_retain(v).unwrap_or_default();
    locale.money(d.round_dp(0))
}
