//! A group's health (its admins and the staff who oversee it) and the
//! history of its rules (everyone in it), with the admins' form to revise
//! them (issue 28).

use super::*;
use crate::pages::charts;

/// GET /groups/{group}/health: the weekly trend, the decay after the first
/// week, answers within the SLA, content reads, seed users, the advisor's
/// presence, and the daily preview and review (a prompt when today's is overdue).
pub async fn health(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Path(group): Path<String>,
    PageQuery(q): PageQuery<LangParam>,
    headers: HeaderMap,
) -> Result<Markup, PageError> {
    let locale = crate::i18n::choose(q.lang.as_deref(), &headers);
    let fail = |e: HttpError| PageError(e, locale);
    let id = path_id(&group, "group").map_err(fail)?;
    let (g, standing) = state.community.group_for(&viewer.principal, id).await.map_err(|e| fail(e.into()))?;
    let h = app::analytics::group_health(&state.db, &state.community, &viewer.principal, id)
        .await
        .map_err(|e| fail(e.into()))?;
    let weeks: Vec<String> = h.weeks.iter().map(|w| w.week.format("%m-%d").to_string()).collect();
    let series = vec![
        (locale.t("health-per-member"), h.weeks.iter().map(|w| Some(w.messages_per_member)).collect()),
        (
            locale.t("health-active-share"),
            h.weeks
                .iter()
                .map(|w| Some(if w.members == 0 { 0.0 } else { w.active_members as f64 / w.members as f64 }))
                .collect(),
        ),
    ];
    let staff: Vec<(String, &str, Vec<f64>)> =
        vec![(locale.t("health-staff-messages"), "#1a73e8", h.weeks.iter().map(|w| w.staff_messages as f64).collect())];
    let pct = |part: u64, whole: u64| locale.percent(part as i64, whole as i64);
    let body = html! {
        h1 { (g.name) " · " (locale.t("health-title")) }
        (group_links(locale, &g, standing))
        @for missing in &h.overdue {
            p.notice.overdue role="alert" data-missing=(serde_json::to_value(missing).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()) {
                (locale.t(match missing { community::cadence::Missing::Preview => "health-preview-overdue", community::cadence::Missing::Review => "health-review-overdue" }))
            }
        }
        dl.health {
            dt { (locale.t("health-members")) } dd #health-members {
                a href={ "/customers?lang=" (locale.tag()) "&group=" (id) } { (h.members) }
            }
            dt { (locale.t("health-per-member-week")) } dd { (format!("{:.2}", h.messages_per_member_per_week)) }
            dt { (locale.t("health-decay")) } dd #health-decay {
                (format!("{:.2} → {:.2}", h.decay.first_week, h.decay.weeks_two_to_four))
                @if let Some(k) = h.decay.kept { " (" (format!("{:.0}%", k * 100.0)) ")" }
                " · " (locale.t_with("health-decay-members", &[("n", h.decay.members.to_string())]))
            }
            dt { (locale.t("health-questions")) } dd #health-questions {
                (h.answered) "/" (h.questions) " · " (locale.t("kpi-in-sla")) " " (pct(h.answered_in_sla, h.answered))
            }
            dt { (locale.t("health-reads")) } dd { (h.content_reads) }
            dt { (locale.t("health-seeds")) } dd { (h.seed_users) }
            dt { (locale.t("health-staff-messages")) } dd { (h.staff_messages) }
        }
        p { a.csv href={ "/api/v1/groups/" (id) "/health.csv" } { (locale.t("analytics-csv")) } }
        h2 { (locale.t("health-trend")) }
        (charts::lines("health-trend", &weeks, &series, &|v| format!("{v:.1}")))
        (charts::stacked_bars("health-staff", &weeks, &staff))
        table.health-weeks {
            thead { tr { th { (locale.t("health-week")) } th.num { (locale.t("health-members")) } th.num { (locale.t("health-messages")) }
                th.num { (locale.t("health-active")) } th.num { (locale.t("health-staff-messages")) } } }
            tbody { @for w in &h.weeks { tr { td { (w.week) } td.num { (w.members) } td.num { (w.member_messages) }
                td.num { (w.active_members) } td.num { (w.staff_messages) } } } }
        }
        h2 { (locale.t("health-cohorts")) }
        p.explain { (locale.t("health-cohorts-explain")) }
        table.join-cohorts {
            thead { tr { th { (locale.t("health-week")) } th.num { (locale.t("analytics-size")) }
                @for k in 0..h.join_cohorts.len() { th.num { "+" (k) } } } }
            tbody { @for c in &h.join_cohorts {
                tr data-week=(c.week.to_string()) {
                    td { (c.week) } td.num { (c.size) }
                    @for cell in &c.cells {
                        td class=(charts::heat(rust_decimal::Decimal::from_f64_retain(cell.retention).unwrap_or_default()))
                            title=(locale.money(rust_decimal::Decimal::new(cell.lifetime_value, 4))) {
                            (format!("{:.0}%", cell.retention * 100.0))
                        }
                    }
                }
            } }
        }
        h2 { (locale.t("health-cadence")) }
        table.cadence {
            thead { tr { th { (locale.t("health-day")) } th { (locale.t("health-preview")) } th { (locale.t("health-review")) } } }
            tbody { @for d in &h.cadence {
                tr data-day=(d.day.to_string()) {
                    td { (d.day) }
                    td class=(if d.preview { "sent" } else { "missing" }) { (if d.preview { "✓" } else { "—" }) }
                    td class=(if d.review { "sent" } else { "missing" }) { (if d.review { "✓" } else { "—" }) }
                }
            } }
        }
    };
    Ok(page(
        locale,
        &format!("{} · {}", g.name, locale.t("health-title")),
        &format!("/groups/{id}/health"),
        &viewer,
        body,
    ))
}

/// GET /groups/{group}/rules: the rules now and every revision with its
/// reason; admins revise them here.
pub async fn rules(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Path(group): Path<String>,
    PageQuery(q): PageQuery<LangParam>,
    headers: HeaderMap,
) -> Result<Markup, PageError> {
    let locale = crate::i18n::choose(q.lang.as_deref(), &headers);
    let fail = |e: HttpError| PageError(e, locale);
    let id = path_id(&group, "group").map_err(fail)?;
    let (g, standing) = state.community.group_for(&viewer.principal, id).await.map_err(|e| fail(e.into()))?;
    let history = state.community.rule_history(&viewer.principal, id).await.map_err(|e| fail(e.into()))?;
    let pretty = serde_json::from_str::<serde_json::Value>(&g.rules)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_else(|| g.rules.clone());
    let lang = locale.tag();
    let body = html! {
        h1 { (g.name) " · " (locale.t("rules-title")) }
        (group_links(locale, &g, standing))
        (rules_view(locale, &g))
        @if standing.is_admin() {
            h2 { (locale.t("rules-revise")) }
            form #rules-form hx-post={ "/groups/" (id) "/rules?lang=" (lang) } hx-target="#rules-result" {
                textarea name="rules" rows="14" cols="80" { (pretty) }
                br;
                label { (locale.t("rules-note")) " " input type="text" name="note" required maxlength="500" size="60"; }
                " " button type="submit" { (locale.t("rules-save")) }
                div #rules-result {}
            }
        }
        h2 { (locale.t("rules-history")) }
        @if history.is_empty() { p.empty { (locale.t("none")) } } @else {
            table.rule-history {
                thead { tr { th { (locale.t("col-time")) } th { (locale.t("rules-by")) } th { (locale.t("rules-note")) } } }
                tbody { @for c in &history {
                    tr data-change=(c.id) { td { (domain::to_shanghai(c.at).format("%Y-%m-%d %H:%M")) } td { (c.changed_by_name) } td { (c.note) } }
                } }
            }
        }
    };
    Ok(page(
        locale,
        &format!("{} · {}", g.name, locale.t("rules-title")),
        &format!("/groups/{id}/rules"),
        &viewer,
        body,
    ))
}

/// POST /groups/{group}/rules (htmx): an admin revises the rules.
pub async fn revise(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Path(group): Path<String>,
    ReaderLocale(locale): ReaderLocale,
    Form(form): Form<std::collections::HashMap<String, String>>,
) -> Response {
    let result = async {
        let id = path_id(&group, "group")?;
        let field = |name: &str| form.get(name).map_or("", String::as_str);
        state.community.revise_rules(&viewer.principal, id, field("rules"), field("note")).await?;
        Ok::<_, HttpError>(())
    };
    super::refreshed(locale, result.await)
}
