//! The customer map page (issue 28): the viewer's customers as points by
//! two features, coloured by a tier; dragging across it picks a region,
//! saved as a segment that opens in the customer list; the viewer's
//! segments with their actions (a follow-up for each, a group invitation).

use super::groups::form_reply;
use super::layout::{page, PageError, PageQuery};
use crate::api::segments::{region_of, MapParams, NewSegment};
use crate::auth::Viewer;
use crate::i18n::ReaderLocale;
use crate::params::path_id;
use crate::{AppState, HttpError};
use analytics::MapFeature;
use app::segments::{Colouring, CustomerMap};
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Form};
use maud::{html, Markup};
use messages::Locale;
use std::collections::{BTreeSet, HashMap};

/// The page's parameters.
#[derive(Debug, Default, serde::Deserialize)]
pub struct MapPageParams {
    x: Option<String>,
    y: Option<String>,
    colour: Option<String>,
    lang: Option<String>,
}

const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 480.0;
const LEFT: f64 = 70.0;
const RIGHT: f64 = 700.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 440.0;

/// An axis: the range of its (possibly logged) values.
struct Axis {
    lo: f64,
    hi: f64,
    log: bool,
}

impl Axis {
    fn of(feature: MapFeature, values: impl Iterator<Item = f64>) -> Axis {
        let log = feature.logarithmic();
        let t = |v: f64| if log { (v.max(0.0) + 1.0).log10() } else { v };
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        for v in values {
            lo = lo.min(t(v));
            hi = hi.max(t(v));
        }
        if !lo.is_finite() {
            (lo, hi) = (0.0, 1.0);
        }
        if hi - lo < 1e-9 {
            hi = lo + 1.0;
        }
        // A little room so that the extreme points can be boxed.
        let pad = (hi - lo) * 0.03;
        Axis { lo: lo - pad, hi: hi + pad, log }
    }

    /// Where a value falls, 0 to 1 along the axis.
    fn at(&self, v: f64) -> f64 {
        let t = if self.log { (v.max(0.0) + 1.0).log10() } else { v };
        (t - self.lo) / (self.hi - self.lo)
    }

    /// The value at a share of the axis (as the page's script computes it).
    fn value(&self, share: f64) -> f64 {
        let t = self.lo + (self.hi - self.lo) * share;
        if self.log {
            10f64.powf(t) - 1.0
        } else {
            t
        }
    }
}

fn tick(v: f64) -> String {
    let a = v.abs();
    if a >= 1e12 {
        format!("{v:.1e}")
    } else if a >= 100_000_000.0 {
        format!("{:.1}亿", v / 100_000_000.0)
    } else if a >= 10_000.0 {
        format!("{:.1}万", v / 10_000.0)
    } else if a >= 100.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// The scatter plot, with the attributes its script reads.
fn scatter(locale: Locale, m: &CustomerMap) -> Markup {
    let x = Axis::of(m.x, m.points.iter().map(|p| p.x));
    let y = Axis::of(m.y, m.points.iter().map(|p| p.y));
    let px = |v: f64| LEFT + (RIGHT - LEFT) * x.at(v);
    let py = |v: f64| BOTTOM - (BOTTOM - TOP) * y.at(v);
    html! {
        svg #customer-map viewBox={ "0 0 " (WIDTH) " " (HEIGHT) } width="100%" role="img"
            data-left=(LEFT) data-right=(RIGHT) data-top=(TOP) data-bottom=(BOTTOM)
            data-x-lo=(x.lo) data-x-hi=(x.hi) data-x-log=(x.log) data-y-lo=(y.lo) data-y-hi=(y.hi) data-y-log=(y.log) {
            rect x=(LEFT) y=(TOP) width=(RIGHT - LEFT) height=(BOTTOM - TOP) fill="#fff" stroke="#ccc" {}
            @for k in 0..=4 {
                @let share = f64::from(k) / 4.0;
                text x=(LEFT + (RIGHT - LEFT) * share) y=(BOTTOM + 16.0) text-anchor="middle" font-size="11" fill="#555" { (tick(x.value(share))) }
                text x=(LEFT - 6.0) y=(BOTTOM - (BOTTOM - TOP) * share + 4.0) text-anchor="end" font-size="11" fill="#555" { (tick(y.value(share))) }
            }
            text x=((LEFT + RIGHT) / 2.0) y=(HEIGHT - 4.0) text-anchor="middle" font-size="12" { (locale.t(&format!("map-feature-{}", m.x.code()))) }
            text x="14" y=((TOP + BOTTOM) / 2.0) text-anchor="middle" font-size="12" transform={ "rotate(-90 14 " ((TOP + BOTTOM) / 2.0) ")" } { (locale.t(&format!("map-feature-{}", m.y.code()))) }
            @for p in &m.points {
                circle class={ "c-" (p.colour) } cx=(format!("{:.1}", px(p.x))) cy=(format!("{:.1}", py(p.y))) r="3" fill="#c4c7c5"
                    data-id=(p.id) data-x=(p.x) data-y=(p.y) { title { (p.name) " (" (p.id) ")" } }
            }
            rect #map-selection x="0" y="0" width="0" height="0" fill="#1a73e8" fill-opacity="0.12" stroke="#1a73e8" visibility="hidden" {}
        }
    }
}

/// What a colour stands for, in the reader's words.
fn colour_name(locale: Locale, colour: Colouring, value: &str) -> String {
    match (colour, value) {
        (_, "none") => locale.t("none"),
        (Colouring::ServiceTier, v) => locale.term("label-service_tier", v),
        (Colouring::Tier, v) => locale.term("tier-name", v),
        (Colouring::Risk, v) => v.to_owned(),
    }
}

/// GET /map: the customer map, the segment form and the viewer's segments.
pub async fn show(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    PageQuery(q): PageQuery<MapPageParams>,
    headers: HeaderMap,
) -> Result<Markup, PageError> {
    let locale = crate::i18n::choose(q.lang.as_deref(), &headers);
    let fail = |e: app::Error| PageError(e.into(), locale);
    let params = MapParams { x: q.x.clone(), y: q.y.clone(), colour: q.colour.clone() };
    let (x, y, colour) = params.read().map_err(fail)?;
    let m = app::segments::map(&state.db, &viewer.principal, x, y, colour).await.map_err(fail)?;
    let segments = app::segments::segments(&state.db, &viewer.principal).await.map_err(fail)?;
    let groups = match viewer.principal.staff_id {
        Some(staff) => state.db.groups_run_by(staff).await.map_err(|e| fail(e.into()))?,
        None => Vec::new(),
    };
    let lang = locale.tag();
    let colours: BTreeSet<&str> = m.points.iter().map(|p| p.colour.as_str()).collect();
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for p in &m.points {
        *counts.entry(p.colour.as_str()).or_default() += 1;
    }
    let body = html! {
        h1 { (locale.t("map-title")) }
        p.explain { (locale.t("map-explain")) }
        form.map-axes method="get" action="/map" {
            input type="hidden" name="lang" value=(lang);
            @for (name, chosen) in [("x", x), ("y", y)] {
                label { (locale.t(&format!("map-axis-{name}"))) " "
                    select name=(name) {
                        @for f in MapFeature::ALL {
                            option value=(f.code()) selected[f == chosen] { (locale.t(&format!("map-feature-{}", f.code()))) }
                        }
                    } }
            }
            label { (locale.t("map-colour")) " "
                select name="colour" {
                    @for c in [Colouring::ServiceTier, Colouring::Tier, Colouring::Risk] {
                        option value=(c.code()) selected[c == colour] { (locale.t(&format!("map-colour-{}", c.code()))) }
                    }
                } }
            button type="submit" { (locale.t("filter-apply")) }
        }
        p #map-counts {
            (locale.t_with("map-drawn", &[("drawn", m.points.len().to_string()), ("scope", m.in_scope.to_string()),
                ("stride", m.stride.to_string()), ("missing", m.without_features.to_string())]))
        }
        p.map-legend { @for c in &colours {
            span { svg width="10" height="10" { circle class={ "c-" (c) } cx="5" cy="5" r="5" fill="#c4c7c5" {} } " " (colour_name(locale, colour, c)) " " (counts[c]) }
        } }
        (scatter(locale, &m))
        h2 { (locale.t("map-segment")) }
        p.explain { (locale.t("map-segment-explain")) }
        form #segment-form hx-post={ "/map/segments?lang=" (lang) } hx-target="#segment-result" {
            input type="hidden" name="x" value=(x.code());
            input type="hidden" name="y" value=(y.code());
            label { (locale.t("map-segment-name")) " " input type="text" name="name" required maxlength="60"; }
            @for (field, key) in [("x_min", "map-x-min"), ("x_max", "map-x-max"), ("y_min", "map-y-min"), ("y_max", "map-y-max")] {
                label { (locale.t(key)) " " input type="number" step="any" name=(field) required size="10"; }
            }
            " " span { (locale.t("map-selected")) " " span #map-selected { "0" } }
            " " button type="submit" { (locale.t("map-save")) }
            div #segment-result {}
        }
        h2 { (locale.t("map-segments")) }
        @if segments.is_empty() { p.empty { (locale.t("none")) } } @else {
            table.segments {
                thead { tr { th { (locale.t("map-segment-name")) } th.num { (locale.t("analytics-size")) } th { (locale.t("map-region")) } th {} } }
                tbody { @for s in &segments {
                    @let d = &s.definition;
                    tr data-segment=(s.id) {
                        td { a href={ "/customers?lang=" (lang) "&segment=" (s.id) } { (s.name) } }
                        td.num { (s.members) }
                        td { (locale.t(&format!("map-feature-{}", d.x.code()))) " " (tick(d.region.x_min)) "–" (tick(d.region.x_max)) " · "
                             (locale.t(&format!("map-feature-{}", d.y.code()))) " " (tick(d.region.y_min)) "–" (tick(d.region.y_max)) }
                        td {
                            button.follow-up hx-post={ "/segments/" (s.id) "/follow-ups?lang=" (lang) } hx-target="next .result" { (locale.t("map-follow-up")) }
                            @if !groups.is_empty() {
                                form.invite hx-post={ "/segments/" (s.id) "/invitations?lang=" (lang) } hx-target="next .result" {
                                    select name="group_id" { @for g in &groups { option value=(g.id) { (g.name) } } }
                                    button type="submit" { (locale.t("map-invite")) }
                                }
                            }
                            span.result {}
                        }
                    }
                } }
            }
        }
        script src="/assets/customer-map.js" {}
    };
    Ok(page(locale, &locale.t("map-title"), "/map", &viewer, body))
}

fn bound(field: &'static str, text: &str) -> Result<f64, HttpError> {
    text.trim().parse::<f64>().map_err(|_| HttpError::of(domain::codes::NOT_A_NUMBER).on(field).with("value", text))
}

/// POST /map/segments (htmx): saves the region as a segment, then opens the
/// customer list filtered by it.
pub async fn save(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    ReaderLocale(locale): ReaderLocale,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let result = async {
        let field = |name: &str| form.get(name).cloned().unwrap_or_default();
        let request = NewSegment {
            name: field("name"),
            x: field("x"),
            y: field("y"),
            x_min: bound("x_min", &field("x_min"))?,
            x_max: bound("x_max", &field("x_max"))?,
            y_min: bound("y_min", &field("y_min"))?,
            y_max: bound("y_max", &field("y_max"))?,
        };
        let (x, y, region) = region_of(&request)?;
        Ok::<_, HttpError>(
            app::segments::save_segment(&state.db, &viewer.principal, &request.name, x, y, region).await?,
        )
    };
    match result.await {
        Ok(s) => {
            let to = format!("/customers?lang={}&segment={}", locale.tag(), s.id);
            ([("HX-Redirect", to)], axum::http::StatusCode::NO_CONTENT).into_response()
        }
        Err(e) => form_reply(locale, Err(e)),
    }
}

/// POST /segments/{id}/follow-ups (htmx): a follow-up for each member.
pub async fn follow_ups(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Path(id): Path<String>,
    ReaderLocale(locale): ReaderLocale,
) -> Response {
    let result = async {
        let id: i64 = path_id(&id, "segment")?;
        let acted = app::segments::follow_up_each(&state.db, &viewer.principal, id).await?;
        Ok::<_, HttpError>(html! { span.done { (locale.t_with("map-tasks-made", &[("n", acted.tasks.to_string())])) } })
    };
    form_reply(locale, result.await)
}

/// POST /segments/{id}/invitations (htmx): invites the members to a group.
pub async fn invitations(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Path(id): Path<String>,
    ReaderLocale(locale): ReaderLocale,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let result = async {
        let id: i64 = path_id(&id, "segment")?;
        // Whose segment first: one out of reach is not found, whatever the form says.
        app::segments::segment(&state.db, &viewer.principal, id).await?;
        let group: i64 = path_id(form.get("group_id").map_or("", String::as_str), "group")?;
        let acted =
            app::segments::invite_to_group(&state.db, &viewer.principal, id, domain::GroupId(group), &state.community)
                .await?;
        Ok::<_, HttpError>(html! { span.done { (locale.t_with("map-tasks-made", &[("n", acted.tasks.to_string())])) } })
    };
    form_reply(locale, result.await)
}
