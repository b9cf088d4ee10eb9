use super::layout::{page, PageError, PageQuery};
use crate::auth::Viewer;
use crate::AppState;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::Extension;
use domain::to_shanghai;
use maud::{html, Markup};
use serde::Deserialize;

/// The page language, when a page takes no other parameter.
#[derive(Deserialize)]
pub struct LangParam {
    /// zh or en.
    pub lang: Option<String>,
}

/// The firm overview: customers, assets under custody, advisors' load, dormancy.
pub async fn show(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    PageQuery(q): PageQuery<LangParam>,
    headers: HeaderMap,
) -> Result<Markup, PageError> {
    let locale = crate::i18n::choose(q.lang.as_deref(), &headers);
    let o = state.db.firm_overview(viewer.principal.scope()).await.map_err(|e| PageError(e.into(), locale))?;
    let card = |key: &str, value: String| html! { div.card { div.label { (locale.t(key)) } div.value { (value) } } };
    let body = html! {
        h1 { (locale.t("overview-title")) }
        div.cards id="overview" {
            (card("overview-customers", o.customers.to_string()))
            (card("overview-auc", locale.money(o.assets_under_custody)))
            (card("overview-per-advisor", o.customers_per_advisor.to_string()))
            (card("overview-dormant", locale.percent(o.dormant_customers, o.customers)))
            (card("overview-advisors", o.advisors.to_string()))
            (card("overview-branches", o.branches.to_string()))
            (card("overview-cash", locale.money(o.cash)))
            (card("overview-market-value", locale.money(o.market_value)))
        }
        @if let Some(t) = o.as_of {
            p { (locale.t("overview-as-of")) " " (to_shanghai(t).format("%Y-%m-%d %H:%M")) }
        }
    };
    Ok(page(locale, &locale.t("overview-title"), "/", &viewer, body))
}
