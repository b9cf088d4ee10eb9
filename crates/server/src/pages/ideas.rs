//! Ideas pages: the ideas with their track records and, for advisors, the
//! form that proposes one; an idea with its record, its re-recommendation
//! and the form that sends it to a segment; and the ranking of sources.

use super::layout::{page, PageError, PageQuery};
use super::layout::{percent as pct, refused};
use super::overview::LangParam;
use crate::api::outreach::{segment, SegmentSpec};
use crate::auth::Viewer;
use crate::i18n::Locale;
use crate::{AppState, HttpError};
use ::ideas::Outcome;
use access::Role;
use app::ideas::{Ranking, SourceRecord, TrackedIdea};
use axum::extract::{Form, Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Extension;
use domain::{to_shanghai, IdeaId};
use maud::{html, Markup};
use rust_decimal::Decimal;
use std::collections::HashMap;

fn outcome(locale: Locale, t: &TrackedIdea) -> String {
    match (&t.idea.published_at, &t.track) {
        (None, _) => locale.t("idea-under-review"),
        (Some(_), None) => locale.t("idea-no-bars"),
        (Some(_), Some(track)) => match track.outcome {
            Outcome::Open => locale.t("idea-open"),
            Outcome::TargetHit { on } => locale.t_with("idea-target-hit", &[("day", on.to_string())]),
            Outcome::StopHit { on } => locale.t_with("idea-stop-hit", &[("day", on.to_string())]),
            Outcome::Expired { on } => locale.t_with("idea-expired", &[("day", on.to_string())]),
        },
    }
}

fn source_name(t: &TrackedIdea) -> String {
    t.idea.source.clone().unwrap_or_else(|| t.idea.advisor.clone())
}

fn row(locale: Locale, t: &TrackedIdea) -> Markup {
    let i = &t.idea;
    let track = t.track.as_ref();
    html! {
        tr.idea id={ "idea-" (i.id) } {
            td { a href={ "/ideas/" (i.id) "?lang=" (locale.tag()) } { (i.instrument_name) " " (i.instrument) } }
            td { (locale.t(&format!("idea-direction-{}", i.direction))) }
            td { (source_name(t)) }
            td { (locale.t(&format!("idea-band-{}", t.band.as_str()))) }
            td { (i.published_at.map(|p| to_shanghai(p).format("%Y-%m-%d").to_string()).unwrap_or_default()) }
            td.num { (track.map(|x| x.entry.1.round_dp(2).to_string()).unwrap_or_default()) }
            td.num.return { (pct(track.map(|x| x.return_pct))) }
            td.num { (pct(track.map(|x| -x.max_drawdown_pct))) }
            td.num { (pct(track.and_then(|x| x.benchmark_pct))) }
            td.num.excess { (pct(track.and_then(|x| x.excess_pct))) }
            td.outcome { (outcome(locale, t)) }
        }
    }
}

fn table(locale: Locale, rows: &[TrackedIdea]) -> Markup {
    html! {
        table.ideas {
            thead { tr {
                th { (locale.t("idea-instrument")) } th { (locale.t("idea-direction")) } th { (locale.t("idea-source")) }
                th { (locale.t("idea-horizon")) } th { (locale.t("idea-published")) } th { (locale.t("idea-entry")) }
                th { (locale.t("idea-return")) } th { (locale.t("idea-drawdown")) } th { (locale.t("idea-benchmark")) }
                th { (locale.t("idea-excess")) } th { (locale.t("idea-outcome")) }
            } }
            tbody { @for t in rows { (row(locale, t)) } }
        }
    }
}

/// GET /ideas: the ideas the viewer may see with their records; advisors propose here.
pub async fn list(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    PageQuery(q): PageQuery<LangParam>,
    headers: HeaderMap,
) -> Result<Markup, PageError> {
    let locale = crate::i18n::choose(q.lang.as_deref(), &headers);
    let rows = app::ideas::list(&state.db, &viewer.principal).await.map_err(|e| PageError(e.into(), locale))?;
    let rows = app::ideas::for_tier(&state.db, &state.growth.tiers, &viewer.principal, rows)
        .await
        .map_err(|e| PageError(e.into(), locale))?;
    let sources = state.db.research_sources().await.map_err(|e| PageError(app::Error::from(e).into(), locale))?;
    let body = html! {
        h1 { (locale.t("ideas-title")) }
        p { a href={ "/ideas/ranking?lang=" (locale.tag()) } { (locale.t("ranking-title")) }
            @if viewer.principal.role != Role::Customer { " · " a href={ "/sends?lang=" (locale.tag()) } { (locale.t("sends-title")) } } }
        p.explain { (locale.t("ideas-explain")) }
        @if rows.is_empty() { p.empty { (locale.t("ideas-none")) } } @else { (table(locale, &rows)) }
        @if viewer.principal.role == Role::Advisor {
            section.propose {
                h2 { (locale.t("idea-propose")) }
                form.idea hx-post={ "/ideas?lang=" (locale.tag()) } hx-target="#idea-result" hx-swap="innerHTML" {
                    label { (locale.t("idea-instrument")) " " input type="text" name="instrument" placeholder="600519.SH" required; }
                    label { (locale.t("idea-direction")) " " select name="direction" {
                        option value="long" { (locale.t("idea-direction-long")) }
                        option value="short" { (locale.t("idea-direction-short")) }
                    } }
                    label { (locale.t("idea-entry-low")) " " input type="text" name="entry_low" inputmode="decimal" required; }
                    label { (locale.t("idea-entry-high")) " " input type="text" name="entry_high" inputmode="decimal" required; }
                    label { (locale.t("idea-target")) " " input type="text" name="target" inputmode="decimal" required; }
                    label { (locale.t("idea-stop")) " " input type="text" name="stop" inputmode="decimal" required; }
                    label { (locale.t("idea-horizon-days")) " " input type="number" name="horizon_days" min="1" max="750" value="20" required; }
                    label { (locale.t("idea-source")) " " select name="source_id" {
                        option value="" { (locale.t("idea-own")) }
                        @for s in &sources { option value=(s.id) { (s.name) } }
                    } }
                    label.wide { (locale.t("idea-rationale")) " " textarea name="rationale" rows="3" required {} }
                    button type="submit" { (locale.t("idea-submit")) }
                }
                div #idea-result {}
            }
        }
    };
    Ok(page(locale, &locale.t("ideas-title"), "/ideas", &viewer, body))
}

fn money(field: &'static str, form: &HashMap<String, String>) -> Result<Decimal, HttpError> {
    let text = form.get(field).map(|s| s.trim()).unwrap_or_default();
    text.parse().map_err(|_| HttpError::of(domain::codes::NUMBER_FORM).on(field).with("value", text))
}

/// POST /ideas: an advisor proposes an idea from the form; it goes to compliance.
pub async fn propose(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    PageQuery(q): PageQuery<LangParam>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let locale = crate::i18n::choose(q.lang.as_deref(), &headers);
    let request = (|| -> Result<app::ideas::IdeaRequest, HttpError> {
        let field = |f: &str| form.get(f).cloned().unwrap_or_default();
        Ok(app::ideas::IdeaRequest {
            instrument: field("instrument"),
            direction: field("direction"),
            entry_low: money("entry_low", &form)?,
            entry_high: money("entry_high", &form)?,
            target: money("target", &form)?,
            stop: money("stop", &form)?,
            horizon_days: crate::params::number("horizon_days", &Some(field("horizon_days")), 1, 750)?.unwrap_or(0)
                as i32,
            rationale: field("rationale"),
            source_id: crate::params::number("source_id", &Some(field("source_id")), 1, i64::MAX)?
                .map(domain::ResearchSourceId),
            risk: None,
        })
    })();
    let request = match request {
        Ok(r) => r,
        Err(e) => return refused(locale, e),
    };
    match app::ideas::propose(&state.db, &viewer.principal, &request, None).await {
        Ok((id, _)) => html! {
            p.proposed { (locale.t_with("idea-proposed", &[("id", id.to_string())])) " "
                a href={ "/ideas/" (id) "?lang=" (locale.tag()) } { (locale.t("idea-open-link")) } }
        }
        .into_response(),
        Err(e) => refused(locale, e.into()),
    }
}

fn segment_form(locale: Locale, idea: IdeaId, filters: &[store::SavedFilterRow]) -> Markup {
    html! {
        section.send {
            h2 { (locale.t("send-title")) }
            p.explain { (locale.t("send-explain")) }
            form.send hx-post={ "/ideas/" (idea) "/send?lang=" (locale.tag()) } hx-target="#send-result" hx-swap="innerHTML" {
                label { (locale.t("send-segment")) " " select name="kind" {
                    option value="label" { (locale.t("send-by-label")) }
                    option value="tier" { (locale.t("send-by-tier")) }
                    option value="group" { (locale.t("send-by-group")) }
                    option value="filter" { (locale.t("send-by-filter")) }
                    option value="customers" { (locale.t("send-by-customers")) }
                    @for f in filters { option value={ "saved:" (f.id) } { (locale.t("send-saved")) " " (f.name) } }
                } }
                label { (locale.t("send-value")) " " input type="text" name="value" placeholder="engagement:low"; }
                button type="submit" name="preview" value="true" { (locale.t("send-preview")) }
                button type="submit" name="preview" value="false" { (locale.t("send-send")) }
            }
            div #send-result {}
        }
    }
}

/// GET /ideas/{id}: an idea, its record, its chain, and (staff) the send form.
pub async fn detail(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Path(id): Path<String>,
    PageQuery(q): PageQuery<LangParam>,
    headers: HeaderMap,
) -> Result<Markup, PageError> {
    let locale = crate::i18n::choose(q.lang.as_deref(), &headers);
    let id: IdeaId = crate::params::path_id(&id, "idea").map_err(|e| PageError(e, locale))?;
    let t = app::ideas::one(&state.db, &viewer.principal, id).await.map_err(|e| PageError(e.into(), locale))?;
    let t = app::ideas::for_tier(&state.db, &state.growth.tiers, &viewer.principal, vec![t])
        .await
        .map_err(|e| PageError(e.into(), locale))?
        .remove(0);
    let staff = viewer.principal.role != Role::Customer;
    let filters = if staff {
        app::outreach::saved_filters(&state.db, &viewer.principal).await.unwrap_or_default()
    } else {
        Vec::new()
    };
    let i = &t.idea;
    let title =
        format!("{} {} {}", locale.t(&format!("idea-direction-{}", i.direction)), i.instrument_name, i.instrument);
    let body = html! {
        h1 { (title) }
        (table(locale, std::slice::from_ref(&t)))
        dl.terms {
            dt { (locale.t("idea-entry-range")) } dd { (i.entry_low.round_dp(2)) " – " (i.entry_high.round_dp(2)) }
            dt { (locale.t("idea-target")) } dd { (i.target.round_dp(2)) }
            dt { (locale.t("idea-stop")) } dd { (i.stop.round_dp(2)) }
            dt { (locale.t("idea-horizon-days")) } dd { (i.horizon_days) }
            dt { (locale.t("idea-risk")) } dd { (i.risk) }
            dt { (locale.t("idea-source")) } dd {
                (source_name(&t))
                @if let Some(l) = i.source_licence.as_ref().or(i.advisor_licence.as_ref()) { " · " (locale.t("licence-no")) " " (l) }
                " · " a href={ "/advisors/" (i.advisor_id) "?lang=" (locale.tag()) } { (i.advisor) }
            }
            dt { (locale.t("idea-rationale")) }
            dd { @if t.professional_locked { span.locked #professional-locked { (locale.t("idea-professional-locked")) } } @else { (i.rationale) } }
            @if let Some(first) = i.again_of {
                dt { (locale.t("idea-again-of")) } dd { a href={ "/ideas/" (first) "?lang=" (locale.tag()) } { "#" (first) } }
            }
        }
        p.disclaimer { (app::community::content::DISCLAIMER) }
        @if viewer.principal.role == Role::Advisor && i.published_at.is_some() {
            form.again hx-post={ "/ideas/" (i.id) "/again?lang=" (locale.tag()) } hx-target="#again-result" hx-swap="innerHTML" {
                button type="submit" { (locale.t("idea-again")) }
            }
            div #again-result {}
        }
        @if staff && i.published_at.is_some() { (segment_form(locale, i.id, &filters)) }
    };
    let share =
        super::sharing::share_box(&state, &viewer, locale, &headers, growth::referral::ShareKind::Idea, id.0).await;
    let body = html! { (body) (share) };
    Ok(page(locale, &title, &format!("/ideas/{id}"), &viewer, body))
}

/// POST /ideas/{id}/again: re-recommends the idea in one click.
pub async fn again(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Path(id): Path<String>,
    PageQuery(q): PageQuery<LangParam>,
    headers: HeaderMap,
) -> Response {
    let locale = crate::i18n::choose(q.lang.as_deref(), &headers);
    let id: IdeaId = match crate::params::path_id(&id, "idea") {
        Ok(id) => id,
        Err(e) => return refused(locale, e),
    };
    match app::ideas::again(&state.db, &viewer.principal, id).await {
        Ok((new, _)) => html! {
            p.proposed { (locale.t_with("idea-proposed", &[("id", new.to_string())])) " "
                a href={ "/ideas/" (new) "?lang=" (locale.tag()) } { (locale.t("idea-open-link")) } }
        }
        .into_response(),
        Err(e) => refused(locale, e.into()),
    }
}

/// POST /ideas/{id}/send: previews or sends the idea to the segment the form names.
pub async fn send(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Path(id): Path<String>,
    PageQuery(q): PageQuery<LangParam>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let locale = crate::i18n::choose(q.lang.as_deref(), &headers);
    let outcome = async {
        let id: IdeaId = crate::params::path_id(&id, "idea")?;
        let value = form.get("value").map(|v| v.trim().to_owned()).unwrap_or_default();
        let kind = form.get("kind").map(String::as_str).unwrap_or_default();
        let spec = match kind {
            "label" => SegmentSpec { label: Some(value), ..SegmentSpec::default() },
            "tier" => SegmentSpec { tier: Some(value), ..SegmentSpec::default() },
            "group" => SegmentSpec {
                group: crate::params::number("value", &Some(value), 1, i64::MAX)?,
                ..SegmentSpec::default()
            },
            "filter" => SegmentSpec { filter: Some(value), ..SegmentSpec::default() },
            "customers" => {
                let ids = value
                    .split([',', ' ', ';'])
                    .filter(|s| !s.is_empty())
                    .map(|s| crate::params::number("value", &Some(s.to_owned()), 1, i64::MAX).map(|n| n.unwrap_or(0)))
                    .collect::<Result<Vec<i64>, HttpError>>()?;
                SegmentSpec { customers: Some(ids), ..SegmentSpec::default() }
            }
            saved => match saved.strip_prefix("saved:").and_then(|n| n.parse().ok()) {
                Some(n) => SegmentSpec { saved_filter: Some(n), ..SegmentSpec::default() },
                None => SegmentSpec::default(),
            },
        };
        let (segment, named) = segment(&state, &viewer.principal, spec).await?;
        let preview = form.get("preview").map(String::as_str) == Some("true");
        let request = app::outreach::SendRequest { item: app::outreach::Item::Idea(id), segment, named, preview };
        Ok::<_, HttpError>((state.outreach.send(&viewer.principal, &request).await?, preview))
    }
    .await;
    match outcome {
        Ok((o, preview)) => {
            let args = [
                ("matched", o.matched.to_string()),
                ("withheld", o.withheld.to_string()),
                ("recipients", o.recipients.to_string()),
                ("held", o.held_for_quiet_hours.to_string()),
            ];
            html! {
                p.sent { (locale.t_with(if preview { "send-previewed" } else { "send-done" }, &args)) }
            }
            .into_response()
        }
        Err(e) => refused(locale, e),
    }
}

fn ranking_table(locale: Locale, rows: &[SourceRecord]) -> Markup {
    html! {
        table.ranking {
            thead { tr {
                th { "#" } th { (locale.t("idea-source")) } th { (locale.t("ranking-kind")) } th { (locale.t("ranking-ideas")) }
                th { (locale.t("ranking-closed")) } th { (locale.t("ranking-hit-rate")) } th { (locale.t("ranking-return")) }
                th { (locale.t("ranking-drawdown")) } th { (locale.t("ranking-excess")) }
            } }
            tbody {
                @for (k, r) in rows.iter().enumerate() {
                    tr {
                        td.num { (k + 1) }
                        td.source { (r.record.source) }
                        td { (locale.t(match r.from { app::ideas::Source::Advisor { .. } => "ranking-advisor", app::ideas::Source::Research { .. } => "ranking-research" })) }
                        td.num { (r.record.ideas) }
                        td.num { (r.record.closed) }
                        td.num { (r.record.hit_rate_pct.map_or_else(|| "—".to_owned(), |h| format!("{h}%"))) }
                        td.num { (pct(Some(r.record.average_return_pct))) }
                        td.num { (pct(Some(-r.record.average_drawdown_pct))) }
                        td.num.excess { (pct(r.record.average_excess_pct)) }
                    }
                }
            }
        }
    }
}

/// GET /ideas/ranking: sources ranked by their ideas' records, overall and by horizon.
pub async fn ranking(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    PageQuery(q): PageQuery<LangParam>,
    headers: HeaderMap,
) -> Result<Markup, PageError> {
    let locale = crate::i18n::choose(q.lang.as_deref(), &headers);
    let Ranking { overall, by_horizon } =
        app::ideas::ranking(&state.db).await.map_err(|e| PageError(e.into(), locale))?;
    let body = html! {
        h1 { (locale.t("ranking-title")) }
        p.explain { (locale.t("ranking-explain")) }
        @if overall.is_empty() { p.empty { (locale.t("ideas-none")) } } @else {
            h2 { (locale.t("ranking-overall")) }
            (ranking_table(locale, &overall))
            @for band in ::ideas::record::HorizonBand::ALL {
                @let rows: Vec<SourceRecord> = by_horizon.iter().filter(|r| r.band == Some(band)).cloned().collect();
                @if !rows.is_empty() {
                    h2 { (locale.t(&format!("idea-band-{}", band.as_str()))) }
                    (ranking_table(locale, &rows))
                }
            }
        }
    };
    Ok(page(locale, &locale.t("ranking-title"), "/ideas/ranking", &viewer, body))
}
