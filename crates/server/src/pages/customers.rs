use super::layout::{page, PageError, PageQuery};
use crate::auth::Viewer;
use crate::i18n::Locale;
use crate::params::{HistoryParams, ListParams};
use crate::{AppState, HttpError};
use access::PiiField;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::Extension;
use domain::{to_shanghai, CustomerId};
use maud::{html, Markup};
use store::{CustomerPage, CustomerSort, HistoryCursor, HistoryKind, HistoryLine, HistoryPage};

/// The age shown: this year's (see `domain::age_in_year`), by the database's clock.
fn age(birth_year: i32, today: chrono::NaiveDate) -> i32 {
    domain::age_in_year(birth_year, today)
}

/// The service tiers the filter offers, as classification labels them.
const TIERS: [&str; 4] = ["core", "maintaining", "precipitating", "dormant"];

/// Every label the catalogue names, as (dimension, label), but the service
/// tier (a filter of its own); age bands follow the configuration and are
/// named by their edges, so they are not offered.
fn labels(locale: Locale) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    for dimension in classify::labels::DIMENSIONS.iter().filter(|d| !matches!(**d, "service_tier" | "age_band")) {
        let prefix = format!("label-{dimension}-");
        for key in locale.keys() {
            if let Some(label) = key.strip_prefix(&prefix) {
                out.push((*dimension, label.to_owned()));
            }
        }
    }
    out
}

/// The list's URL with its filters and sort, and `extra` (a page, a sort).
fn list_url(locale: Locale, filters: &str, extra: &str) -> String {
    let mut url = format!("/customers?lang={}", locale.tag());
    for part in [filters, extra] {
        if !part.is_empty() {
            url.push('&');
            url.push_str(part);
        }
    }
    url
}

/// A time as the list shows it: the Shanghai date, or a dash.
fn day(t: Option<chrono::DateTime<chrono::Utc>>) -> String {
    t.map_or_else(|| "—".to_owned(), |t| to_shanghai(t).format("%Y-%m-%d").to_string())
}

/// The table and pager, which htmx swaps in on search, filters and paging.
fn table(
    locale: Locale,
    p: &CustomerPage,
    params: &ListParams,
    sort: CustomerSort,
    desc: bool,
    today: chrono::NaiveDate,
) -> Markup {
    // Links keep every filter; a page link adds its cursor, a sort link its sort.
    let filters = params.filters_query();
    let nav = |extra: String, key: &str, rel: &str| {
        let url = list_url(locale, &filters, &extra);
        html! { a rel=(rel) href=(url) hx-get=(url) hx-target="#customer-table" hx-push-url="true" { (locale.t(key)) } }
    };
    let unsorted = ListParams { sort: None, dir: None, ..params.clone() }.filters_query();
    let sort_head = |by: CustomerSort, key: &str, class: &str| {
        // The sorted column's link turns the order round; another column sorts by it.
        let dir = if by == sort {
            if desc {
                "asc"
            } else {
                "desc"
            }
        } else if by == CustomerSort::Id {
            "asc"
        } else {
            "desc"
        };
        let url = list_url(locale, &unsorted, &format!("sort={}&dir={dir}", by.as_str()));
        let mark = if by != sort {
            ""
        } else if desc {
            " ▼"
        } else {
            " ▲"
        };
        html! { th class=(class) { a.sort data-sort=(by.as_str()) href=(url) hx-get=(url) hx-target="#customer-table" hx-push-url="true" { (locale.t(key)) (mark) } } }
    };
    let total = if p.total_exact {
        html! { span id="total" { (p.total) } " " (locale.t("customers-total")) }
    } else {
        html! { span id="total" data-more="true" { (locale.t_with("customers-more-than", &[("count", p.total.to_string())])) } }
    };
    html! {
        div id="customer-table" {
            p.total { (total) " · "
                a.export href={ "/customers.csv?" (filters) } download { (locale.t("customers-export")) } }
            table {
                thead { tr {
                    (sort_head(CustomerSort::Id, "col-id", "num")) th { (locale.t("col-name")) } th { (locale.t("col-phone")) }
                    th { (locale.t("col-gender")) } th.num { (locale.t("col-age")) } th { (locale.t("col-risk")) }
                    th { (locale.t("col-branch")) } th { (locale.t("col-advisor")) }
                    (sort_head(CustomerSort::Assets, "col-assets", "num"))
                    (sort_head(CustomerSort::LastTrade, "col-last-trade", ""))
                    (sort_head(CustomerSort::LastContact, "col-last-contact", ""))
                    (sort_head(CustomerSort::OpenReminders, "col-open-reminders", "num"))
                    th { (locale.t("col-tier")) }
                } }
                tbody {
                    @for r in &p.rows {
                        tr.customer data-id=(r.id) {
                            td.num { (r.id) }
                            td { a href={ "/customers/" (r.id) "?lang=" (locale.tag()) } { (r.name) } }
                            td { (r.phone) }
                            td { (locale.t(&format!("gender-{}", r.gender))) }
                            td.num { (age(r.birth_year, today)) }
                            td { "C" (r.risk_level) }
                            td { (r.branch) }
                            td { (r.advisor) }
                            td.num { (locale.money(r.assets)) }
                            td.last-trade { (day(r.last_trade)) }
                            td.last-contact { (day(r.last_contact)) }
                            td.num.open-reminders { (r.open_reminders) }
                            td.tier { @if let Some(t) = &r.service_tier { (locale.t(&format!("label-service_tier-{t}"))) } }
                        }
                    }
                }
            }
            nav.pager {
                @if p.prev.is_some() { (nav(String::new(), "page-first", "first")) }
                @if let Some(c) = p.prev { (nav(format!("before={}", c.text()), "page-prev", "prev")) }
                @if let Some(c) = p.next { (nav(format!("after={}", c.text()), "page-next", "next")) }
                @if p.next.is_some() { (nav("at=last".to_owned(), "page-last", "last")) }
            }
        }
    }
}

/// The list's sort as the filter form sends it. A column head's link sorts
/// the table; the table's answer brings these along out of band, so the
/// next filter keeps the sort.
fn sort_inputs(sort: CustomerSort, desc: bool, out_of_band: bool) -> Markup {
    // The default order is left out, so that a search typed next lists its
    // best matches first.
    let default = matches!(sort, CustomerSort::Id | CustomerSort::Relevance) && !desc;
    html! {
        span id="list-sort" hx-swap-oob=[out_of_band.then_some("true")] {
            input type="hidden" name="sort" value=(if default { "" } else { sort.as_str() });
            input type="hidden" name="dir" value=(if default { "" } else if desc { "desc" } else { "asc" });
        }
    }
}

/// The filter form: every filter and the sort, sent as the URL's query so
/// that a list can be bookmarked.
fn filter_form(locale: Locale, params: &ListParams, viewer: &Viewer, sort: CustomerSort, desc: bool) -> Markup {
    let v = |value: &Option<String>| value.clone().unwrap_or_default();
    let chosen = |value: &Option<String>, option: &str| value.as_deref() == Some(option);
    let yes_no = |name: &str, value: &Option<String>| {
        html! {
            select name=(name) {
                option value="" { (locale.t("filter-any")) }
                option value="true" selected[chosen(value, "true")] { (locale.t("yes")) }
                option value="false" selected[chosen(value, "false")] { (locale.t("no")) }
            }
        }
    };
    let wide = viewer.principal.role != access::Role::Advisor;
    html! {
        form id="customer-filters" method="get" action="/customers"
            hx-get="/customers" hx-trigger="submit, change" hx-target="#customer-table" hx-push-url="true" {
            input type="hidden" name="lang" value=(locale.tag());
            input type="search" name="q" value=(v(&params.q)) placeholder=(locale.t("customers-search"))
                hx-get="/customers" hx-include="closest form" hx-trigger="input changed delay:300ms, search"
                hx-target="#customer-table" hx-push-url="true";
            label { (locale.t("col-risk")) " "
                select name="risk" {
                    option value="" { (locale.t("filter-any")) }
                    @for level in 1..=5 {
                        @let name = format!("C{level}");
                        option value=(name) selected[chosen(&params.risk, &name)] { (name) }
                    }
                } }
            label { (locale.t("col-tier")) " "
                select name="tier" {
                    option value="" { (locale.t("filter-any")) }
                    @for tier in TIERS {
                        option value=(tier) selected[chosen(&params.tier, tier)] { (locale.t(&format!("label-service_tier-{tier}"))) }
                    }
                } }
            label { (locale.t("col-label")) " "
                select name="label" {
                    option value="" { (locale.t("filter-any")) }
                    @for (dimension, label) in labels(locale) {
                        @let value = format!("{dimension}:{label}");
                        option value=(value) selected[chosen(&params.label, &value)] {
                            (locale.t(&format!("dim-{dimension}"))) ": " (locale.t(&format!("label-{dimension}-{label}")))
                        }
                    }
                } }
            label { (locale.t("filter-dormant")) " " (yes_no("dormant", &params.dormant)) }
            label { (locale.t("col-open-reminders")) " " (yes_no("reminders", &params.reminders)) }
            label { (locale.t("col-group")) " " input type="number" name="group" min="1" value=(v(&params.group)) size="6"; }
            label { (locale.t("filter-month")) " " input type="month" name="month" value=(v(&params.month)); }
            label { (locale.t("filter-stage")) " "
                select name="stage" {
                    option value="" { (locale.t("filter-any")) }
                    @for stage in ["active", "paying", "new", "returning", "resurrected", "dormant"] {
                        option value=(stage) selected[chosen(&params.stage, stage)] { (locale.t(&format!("stage-{stage}"))) }
                    }
                } }
            @if wide {
                label { (locale.t("col-advisor")) " " input type="number" name="advisor" min="1" value=(v(&params.advisor)) size="6"; }
                label { (locale.t("col-branch")) " " input type="number" name="branch" min="1" value=(v(&params.branch)) size="6"; }
            }
            (sort_inputs(sort, desc, false))
            button type="submit" { (locale.t("filter-apply")) }
        }
    }
}

/// The customer list with search, filters, sorts and keyset paging; only
/// the table for htmx requests.
pub async fn list(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    PageQuery(params): PageQuery<ListParams>,
    headers: HeaderMap,
) -> Result<Markup, PageError> {
    let locale = crate::i18n::choose(params.lang.as_deref(), &headers);
    let query = params.query(viewer.principal.scope()).map_err(|e| PageError(e, locale))?;
    let result =
        app::customers::find(&state.db, &viewer.principal, &query).await.map_err(|e| PageError(e.into(), locale))?;
    let fragment = table(locale, &result, &params, query.sort, query.descending, state.db.today());
    if headers.contains_key("hx-request") && !headers.contains_key("hx-history-restore-request") {
        return Ok(html! { (fragment) (sort_inputs(query.sort, query.descending, true)) });
    }
    let body = html! {
        h1 { (locale.t("customers-title")) }
        (filter_form(locale, &params, &viewer, query.sort, query.descending))
        (fragment)
    };
    let here = list_url(locale, &params.filters_query(), "").replacen(&format!("lang={}", locale.tag()), "", 1);
    Ok(page(locale, &locale.t("customers-title"), &here.replace("?&", "?"), &viewer, body))
}

/// GET /customers.csv: the filtered list as CSV, every page (masked, audited).
pub async fn csv(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    PageQuery(params): PageQuery<ListParams>,
) -> Result<axum::response::Response, HttpError> {
    crate::api::customers_csv(state, viewer.principal, &params).await
}

/// A button that reveals one masked field in place, for roles that may; the
/// CSRF header comes from `hx-headers` on the page's main element.
fn reveal_button(locale: Locale, viewer: &Viewer, id: CustomerId, field: PiiField) -> Markup {
    if !viewer.principal.may_reveal() {
        return html! {};
    }
    let url = format!("/customers/{id}/reveal?field={}&lang={}", field.as_str(), locale.tag());
    html! {
        button.reveal type="button" hx-post=(url) hx-swap="outerHTML" title=(locale.t("reveal-audited")) {
            (locale.t("reveal"))
        }
    }
}

/// POST /customers/{id}/reveal?field=...: the full value as a fragment that
/// replaces the reveal button. Audited by the store, like the API's reveal.
pub async fn reveal(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Path(id): Path<String>,
    PageQuery(params): PageQuery<RevealParams>,
    headers: HeaderMap,
) -> Result<Markup, PageError> {
    let locale = crate::i18n::choose(params.lang.as_deref(), &headers);
    let id = crate::params::path_id(&id, "customer").map_err(|e| PageError(e, locale))?;
    let field: PiiField = params.field.parse().map_err(|_| {
        let e = HttpError::of(domain::codes::NOT_ONE_OF).on("field").with("value", &params.field);
        PageError(e.with("options", "national_id, phone"), locale)
    })?;
    let value = app::customers::reveal(&state.db, &viewer.principal, id, field)
        .await
        .map_err(|e| PageError(e.into(), locale))?;
    Ok(html! { strong.revealed title=(locale.t("reveal-audited")) { (value) } })
}

/// Parameters of the page's reveal action.
#[derive(Debug, serde::Deserialize)]
pub struct RevealParams {
    /// national_id or phone.
    pub field: String,
    /// Page language.
    pub lang: Option<String>,
}

/// One customer: profile (personal data masked) and holdings.
pub async fn detail(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Path(id): Path<String>,
    PageQuery(params): PageQuery<ListParams>,
    headers: HeaderMap,
) -> Result<Markup, PageError> {
    let locale = crate::i18n::choose(params.lang.as_deref(), &headers);
    let id = crate::params::path_id(&id, "customer").map_err(|e| PageError(e, locale))?;
    let c = app::customers::record(&state.db, &viewer.principal, id).await.map_err(|e| PageError(e.into(), locale))?;
    let yes_no = |b: bool| locale.t(if b { "yes" } else { "no" });
    let s = &c.summary;
    let body = html! {
        h1 { (s.name) " · " (s.id) }
        dl {
            dt { (locale.t("col-phone")) } dd { (s.phone) " " (reveal_button(locale, &viewer, id, PiiField::Phone)) }
            dt { (locale.t("customer-national-id")) }
            dd { (c.national_id) " " (reveal_button(locale, &viewer, id, PiiField::NationalId)) }
            dt { (locale.t("col-gender")) } dd { (locale.t(&format!("gender-{}", s.gender))) }
            dt { (locale.t("col-age")) } dd { (age(s.birth_year, state.db.today())) }
            // The customer sees their own birth date; no one else does.
            @if viewer.principal.is_customer(id) {
                dt { (locale.t("customer-birth-date")) } dd { (c.birth_date) }
            }
            dt { (locale.t("customer-market-entry")) } dd { (c.market_entry_date) }
            dt { (locale.t("col-risk")) } dd { "C" (s.risk_level) }
            dt { (locale.t("customer-horizon")) } dd { (locale.t(&format!("horizon-{}", c.horizon))) }
            dt { (locale.t("customer-verified")) } dd { (yes_no(c.real_name_verified)) }
            dt { (locale.t("customer-professional")) } dd { (yes_no(c.professional)) }
            dt { (locale.t("col-branch")) } dd { (s.branch) }
            dt { (locale.t("col-advisor")) } dd { (s.advisor) }
            dt { (locale.t("customer-cash")) } dd { (locale.money(c.cash)) }
            dt { (locale.t("col-assets")) } dd { (locale.money(s.assets)) }
            dt { (locale.t("customer-last-trade")) }
            dd { @match c.last_trade { Some(t) => (to_shanghai(t).format("%Y-%m-%d %H:%M")), None => (locale.t("none")) } }
            dt { (locale.t("points-title")) }
            dd { a.points href={ "/customers/" (id) "/points?lang=" (locale.tag()) } { (locale.t("points-statement")) } }
        }
        h2 { (locale.t("customer-positions")) }
        table {
            thead { tr {
                th { (locale.t("col-instrument")) } th.num { (locale.t("col-quantity")) } th.num { (locale.t("col-sellable")) }
                th.num { (locale.t("col-cost")) } th.num { (locale.t("col-close")) } th.num { (locale.t("col-value")) }
                th.num { (locale.t("col-pnl")) } th {}
            } }
            tbody {
                @for p in &c.positions {
                    @let pnl = p.market_value - p.cost_price * domain::Money::from(p.quantity);
                    tr.position {
                        td { (p.instrument) " " (p.name) } td.num { (p.quantity) } td.num { (p.sellable_quantity) }
                        td.num { (p.cost_price) } td.num { (p.last_close) } td.num { (locale.money(p.market_value)) }
                        td.num.pnl.loss[pnl.is_sign_negative()] { (locale.money(pnl)) }
                        td { a.ticket href={ "/orders/ticket?account_id=" (p.account_id) "&instrument=" (p.instrument)
                            "&side=sell&quantity=" (p.sellable_quantity) "&price=" (p.last_close) "&source=position&lang=" (locale.tag()) }
                            { (locale.t("orders-ticket")) } }
                    }
                }
            }
        }
        @if viewer.principal.role != access::Role::Customer {
            (knowing(&state, locale, id).await?)
        }
        (super::products::section(&state, locale, &c, viewer.principal.role != access::Role::Customer).await?)
        (recent(&state, &viewer, locale, id).await?)
    };
    Ok(page(locale, &s.name, &format!("/customers/{id}"), &viewer, body))
}

/// Staff only: the customer's labels with their reasons, and what the labels say to do.
async fn knowing(state: &AppState, locale: Locale, id: CustomerId) -> Result<Markup, PageError> {
    let fail = |e: HttpError| PageError(e, locale);
    let stored = state.db.stored_labels(id, id).await.map_err(|e| fail(e.into()))?;
    let Some(stored) = stored.first() else {
        return Ok(html! { h2 { (locale.t("customer-labels")) } p.empty { (locale.t("customer-not-classified")) } });
    };
    let labels = app::classify::shown_labels(id, &stored.labels).map_err(|e| fail(e.into()))?;
    let name = |dimension: &str, label: &str| locale.term(&format!("label-{dimension}"), label);
    let feature = |f: &str| locale.term("feature", f);
    let guidance: Vec<String> = labels
        .iter()
        .map(|(d, l)| format!("guidance-{d}-{}", l.label))
        .filter(|k| locale.has(k))
        .map(|k| locale.t(&k))
        .collect();
    Ok(html! {
        h2 { (locale.t("customer-labels")) }
        p.meta { (locale.t_with("customer-labels-as-of", &[("day", stored.as_of.clone()), ("version", stored.version.clone())])) }
        table.labels {
            thead { tr { th { (locale.t("col-dimension")) } th { (locale.t("col-label")) } th { (locale.t("col-reasons")) } } }
            tbody {
                @for (d, l) in &labels {
                    tr.label data-dimension=(d) data-label=(l.label) {
                        td { (locale.t(&format!("dim-{d}"))) }
                        td { strong { (name(d, &l.label)) } }
                        td {
                            @for r in &l.reasons {
                                span.reason {
                                    (feature(&r.feature)) " " (if r.value.is_empty() { locale.t("none") } else { name(&r.feature, &r.value) })
                                    " " (r.test) " " (name(&r.feature, &r.limit))
                                    // A threshold named after a dimension (a label tested against a label) says nothing more.
                                    @if r.threshold != "none" && r.threshold != "as given" && !locale.has(&format!("dim-{}", r.threshold)) {
                                        " (" (r.threshold) ")"
                                    }
                                }
                                br;
                            }
                        }
                    }
                }
            }
        }
        h2 { (locale.t("customer-guidance")) }
        ul.guidance { @for g in &guidance { li { (g) } } }
    })
}

/// Trades, cash flows, logins, reminders, groups and service history: the
/// newest of each, with a link to the older ones.
async fn recent(state: &AppState, viewer: &Viewer, locale: Locale, id: CustomerId) -> Result<Markup, PageError> {
    let fail = |e: HttpError| PageError(e, locale);
    let staff = viewer.principal.role != access::Role::Customer;
    let mut histories = Vec::new();
    for kind in [HistoryKind::Trades, HistoryKind::CashFlows, HistoryKind::Logins, HistoryKind::Service] {
        if kind == HistoryKind::Service && !staff {
            continue;
        }
        histories.push(state.db.history(id, kind, None, RECENT_LINES).await.map_err(|e| fail(e.into()))?);
    }
    let reminders = state
        .db
        .reminders(&store::ReminderQuery {
            scope: access::Scope::Customer(id),
            delivered_only: !staff,
            after: None,
            limit: 20,
        })
        .await
        .map_err(|e| fail(e.into()))?;
    let groups = state.db.groups_joined(id).await.map_err(|e| fail(e.into()))?;
    let said = state.db.customer_group_messages(id, 10).await.map_err(|e| fail(e.into()))?;
    let sanctions = state.db.actions_against(id, 10).await.map_err(|e| fail(e.into()))?;
    let section = |h: &HistoryPage| {
        html! {
            h2 { (locale.t(history_title(h.kind))) }
            (history_table(locale, h))
            @if let Some(c) = h.older {
                p { a.older rel="next" href=(history_url(locale, id, h.kind, Some(c))) { (locale.t("history-older")) " →" } }
            }
        }
    };
    Ok(html! {
        (section(&histories[0]))
        (section(&histories[1]))
        (section(&histories[2]))
        h2 { (locale.t("reminders-title")) }
        @if reminders.is_empty() { p.empty { (locale.t("reminders-none")) } } @else {
            ul.reminders { @for r in &reminders {
                li { span.when { (to_shanghai(r.created_at).format("%Y-%m-%d %H:%M")) } " "
                     strong { (locale.t(&format!("rule-{}", r.rule))) } " "
                     (if locale == Locale::Zh { &r.text_zh } else { &r.text_en }) }
            } }
        }
        h2 { (locale.t("customer-groups")) }
        @if groups.is_empty() { p.empty { (locale.t("none")) } } @else {
            ul.customer-groups { @for g in &groups {
                li { a href={ "/groups/" (g.id) "?lang=" (locale.tag()) } { (g.name) } " · " (g.advisor) " · " (g.members) " " (locale.t("col-members")) }
            } }
            @if !said.is_empty() {
                table.group-activity {
                    thead { tr { th { (locale.t("col-time")) } th { (locale.t("col-group")) } th { (locale.t("col-message")) } } }
                    tbody { @for (group, m) in &said { tr.said {
                        td { (to_shanghai(m.at).format("%Y-%m-%d %H:%M")) } td { (group) } td { (m.body) }
                    } } }
                }
            }
        }
        @if !sanctions.is_empty() {
            ul.customer-sanctions { @for a in &sanctions {
                li { (to_shanghai(a.at).format("%Y-%m-%d %H:%M")) " " strong { (locale.t(&format!("sanction-{}", a.sanction))) } " · "
                     (locale.t(&format!("violation-{}", a.violation))) ": " q { (a.excerpt) }
                     @if a.overturned { " · " (locale.t("moderation-overturned")) } }
            } }
        }
        @if let Some(h) = histories.get(3) { (section(h)) }
    })
}

/// Lines of each history the customer page shows before "older".
const RECENT_LINES: u32 = 20;

/// The heading of a history.
fn history_title(kind: HistoryKind) -> &'static str {
    match kind {
        HistoryKind::Trades => "customer-trades",
        HistoryKind::CashFlows => "customer-cash-flows",
        HistoryKind::Logins => "customer-logins",
        HistoryKind::Service => "customer-service",
    }
}

/// The page of a customer's history older than `before` (the newest without).
fn history_url(locale: Locale, id: CustomerId, kind: HistoryKind, before: Option<HistoryCursor>) -> String {
    let before = before.map(|c| format!("&before={}", c.text())).unwrap_or_default();
    format!("/customers/{id}/history/{}?lang={}{before}", kind.as_str(), locale.tag())
}

/// A history's lines as a table (or "none").
fn history_table(locale: Locale, h: &HistoryPage) -> Markup {
    let when = |t: chrono::DateTime<chrono::Utc>| to_shanghai(t).format("%Y-%m-%d %H:%M").to_string();
    // A kind or channel without a translation shows as stored.
    let word = |prefix: &str, value: &str| locale.term(prefix, value);
    if h.lines.is_empty() {
        return html! { p.empty { (locale.t("none")) } };
    }
    let head: &[(&str, &str)] = match h.kind {
        HistoryKind::Trades => &[
            ("col-time", ""),
            ("col-account", ""),
            ("col-instrument", ""),
            ("col-side", ""),
            ("col-quantity", "num"),
            ("col-price", "num"),
            ("col-fee", "num"),
        ],
        HistoryKind::CashFlows => &[("col-time", ""), ("col-account", ""), ("col-kind", ""), ("col-amount", "num")],
        HistoryKind::Logins => &[("col-time", ""), ("col-channel", "")],
        HistoryKind::Service => &[("col-time", ""), ("col-kind", ""), ("col-advisor", ""), ("task-outcome", "")],
    };
    html! {
        table class=(format!("history {}", h.kind.as_str())) {
            thead { tr { @for (key, class) in head { th class=(class) { (locale.t(key)) } } } }
            tbody { @for line in &h.lines { @match line {
                HistoryLine::Trade(t) => tr.trade data-id=(t.id) {
                    td { (when(t.time)) } td { (t.account_id) } td { (t.instrument) " " (t.name) }
                    td { (word("side", &t.side)) } td.num { (t.quantity) }
                    td.num { (t.price) } td.num { (locale.money(t.fee)) }
                },
                HistoryLine::CashFlow(f) => tr.cash-flow data-id=(f.id) {
                    td { (when(f.time)) } td { (f.account_id) } td { (word("cash", &f.kind)) }
                    td.num { (locale.money(f.amount)) }
                },
                HistoryLine::Login(l) => tr.login data-id=(l.id) { td { (when(l.time)) } td { (word("channel", &l.channel)) } },
                HistoryLine::Service(c) => tr.contact data-id=(c.id) {
                    td { (when(c.time)) } td { (word("service", &c.kind)) } td { (c.staff) }
                    td { (c.outcome.as_deref().unwrap_or("")) }
                },
            } } }
        }
    }
}

/// GET /customers/{id}/history/{kind}: one history of a customer, 50 lines
/// a page, newest first, with links to the older page and back to the newest.
pub async fn history(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Path((id, kind)): Path<(String, String)>,
    PageQuery(params): PageQuery<HistoryParams>,
    headers: HeaderMap,
) -> Result<Markup, PageError> {
    let locale = crate::i18n::choose(params.lang.as_deref(), &headers);
    let fail = |e: HttpError| PageError(e, locale);
    let id: CustomerId = crate::params::path_id(&id, "customer").map_err(fail)?;
    let (kind, before, per_page) = params.query(&kind).map_err(fail)?;
    let app::customers::NamedHistory { name, page: h } =
        app::customers::history(&state.db, &viewer.principal, id, kind, before, per_page)
            .await
            .map_err(|e| fail(e.into()))?;
    let body = html! {
        h1 { a href={ "/customers/" (id) "?lang=" (locale.tag()) } { (name) " · " (id) } }
        h2 { (locale.t(history_title(kind))) }
        (history_table(locale, &h))
        nav.pager {
            @if before.is_some() { a rel="first" href=(history_url(locale, id, kind, None)) { (locale.t("history-newest")) } " " }
            @if let Some(c) = h.older { a.older rel="next" href=(history_url(locale, id, kind, Some(c))) { (locale.t("history-older")) " →" } }
        }
    };
    Ok(page(locale, &name, &format!("/customers/{id}/history/{}", kind.as_str()), &viewer, body))
}
