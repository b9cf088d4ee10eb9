//! The questions waiting for an answer, and how fast they are answered.

use super::*;

/// GET /questions: unanswered questions past their time, and response-time
/// percentiles per advisor and per group over 30 days (staff).
pub async fn questions(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    PageQuery(q): PageQuery<LangParam>,
    headers: HeaderMap,
) -> Result<Markup, PageError> {
    let locale = crate::i18n::choose(q.lang.as_deref(), &headers);
    let fail = |e: HttpError| PageError(e, locale);
    let now = state.db.now();
    let queue = state.community.question_queue(&viewer.principal, now).await.map_err(|e| fail(e.into()))?;
    let since = now - chrono::Duration::days(30);
    let times = state.community.response_times(&viewer.principal, since).await.map_err(|e| fail(e.into()))?;
    let lang = locale.tag();
    let body = html! {
        h1 { (locale.t("questions-title")) }
        @if queue.is_empty() { p.empty { (locale.t("questions-none")) } } @else {
            table.questions {
                thead { tr { th { (locale.t("col-asked")) } th { (locale.t("col-group")) } th { (locale.t("col-question")) } th.num { (locale.t("col-service-minutes")) } th { (locale.t("col-escalation")) } th { (locale.t("tier-title")) } } }
                tbody { @for o in &queue { tr.question {
                    td { (when(o.question.asked_at)) }
                    td { a href={ "/groups/" (o.question.group_id) "?lang=" (lang) "#m-" (o.question.message_id) } { (o.question.group_name) } }
                    td { (o.question.body) } td.num { (o.service_minutes) }
                    td { (locale.t(&format!("escalation-{}", serde_json::to_value(o.escalation).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()))) }
                    td.tier { (locale.term("tier-name", &o.tier)) }
                } } }
            }
        }
        h2 { (locale.t("response-times-title")) }
        @if times.is_empty() { p.empty { (locale.t("response-times-none")) } } @else {
            table.response-times {
                thead { tr { th { (locale.t("col-by")) } th.num { "id" } th.num { (locale.t("col-answered")) } th.num { "p50" } th.num { "p90" } th.num { "p99" } } }
                tbody { @for t in &times { tr {
                    td { (locale.t(&format!("col-{}", t.by))) } td.num { (t.id) } td.num { (t.answered) }
                    td.num { (t.p50) } td.num { (t.p90) } td.num { (t.p99) }
                } } }
            }
        }
    };
    Ok(page(locale, &locale.t("questions-title"), "/questions", &viewer, body))
}
