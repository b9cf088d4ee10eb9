//! Referrals for staff (issue 27): the review queue with its decisions, the
//! leaderboard and the Matthew report, over the inviters in the viewer's scope.

use super::groups::refreshed;
use super::layout::{page, PageError, PageQuery};
use crate::auth::Viewer;
use crate::i18n::ReaderLocale;
use crate::params::path_id;
use crate::{AppState, HttpError};
use access::Role;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::{Extension, Form};
use domain::to_shanghai;
use maud::{html, Markup};
use std::collections::HashMap;

/// The language of the page.
#[derive(Debug, serde::Deserialize)]
pub struct LangParam {
    lang: Option<String>,
}

/// GET /referrals: the leaderboard and the Matthew report; for reviewers, the queue.
pub async fn show(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    PageQuery(q): PageQuery<LangParam>,
    headers: HeaderMap,
) -> Result<Markup, PageError> {
    let locale = crate::i18n::choose(q.lang.as_deref(), &headers);
    let fail = |e: app::Error| PageError(e.into(), locale);
    let report = app::growth::referrals::report(&state.db, &viewer.principal).await.map_err(fail)?;
    let reviewer = matches!(viewer.principal.role, Role::Manager | Role::Compliance | Role::Admin);
    let queue = if reviewer {
        app::growth::referrals::review_queue(&state.db, &viewer.principal).await.map_err(fail)?
    } else {
        Vec::new()
    };
    let m = &report.matthew;
    let lang = locale.tag();
    let body = html! {
        h1 { (locale.t("referrals-title")) }
        @if reviewer {
            h2 { (locale.t("referrals-review")) }
            p.explain { (locale.t_with("referrals-review-explain", &[("n", state.growth.referral.review_per_day.to_string())])) }
            table.review-queue {
                thead { tr { th { (locale.t("referrals-inviter")) } th { (locale.t("referrals-friend")) }
                    th { (locale.t("referrals-opened")) } th { (locale.t("referrals-why")) } th {} } }
                tbody { @for r in &queue {
                    tr data-seq=(r.seq) {
                        td { a href={ "/customers/" (r.inviter_id.unwrap_or(0)) "/points?lang=" (lang) } { (r.inviter_name.as_deref().unwrap_or("")) } }
                        td { (r.referee_name) }
                        td { (to_shanghai(r.attributed_at).format("%Y-%m-%d %H:%M")) }
                        td { (locale.term("referrals-review", r.review.as_deref().unwrap_or(""))) }
                        td {
                            button.approve hx-post={ "/referrals/" (r.seq) "/review?lang=" (lang) } hx-vals=r#"{"approve": "true"}"# hx-target="next .result" { (locale.t("referrals-approve")) }
                            " "
                            button.reject hx-post={ "/referrals/" (r.seq) "/review?lang=" (lang) } hx-vals=r#"{"approve": "false"}"# hx-target="next .result" { (locale.t("referrals-reject")) }
                            span.result {}
                        }
                    }
                } }
            }
        }
        h2 { (locale.t("referrals-leaders")) }
        table.leaders {
            thead { tr { th { (locale.t("referrals-inviter")) } th.num { (locale.t("referrals-referred")) } th.num { (locale.t("referrals-qualified")) } } }
            tbody { @for l in &report.leaders {
                tr { td { a href={ "/customers/" (l.inviter_id) "/points?lang=" (lang) } { (l.name) } } td.num { (l.referred) } td.num { (l.qualified) } }
            } }
        }
        h2 { (locale.t("referrals-matthew")) }
        dl.matthew {
            dt { (locale.t("referrals-inviters")) } dd #matthew-inviters { (m.inviters) }
            dt { (locale.t("referrals-count")) } dd { (m.referrals) }
            dt { (locale.t("referrals-top-tenth")) } dd { (format!("{:.1}%", m.top_tenth_share_pct)) }
            dt { (locale.t("referrals-again")) } dd #matthew-again { (format!("{:.1}%", m.invited_again_pct)) }
            dt { (locale.t("referrals-median-days")) } dd { (m.median_days_to_first_invite.map_or("—".to_owned(), |d| d.to_string())) }
        }
        h3 { (locale.t("share-figures")) }
        table.shares {
            thead { tr { th {} th.num { (locale.t("share-opens")) } th.num { (locale.t("share-openings")) } } }
            tbody { @for s in &report.shares {
                tr { td { (locale.t(&format!("share-kind-{}", s.kind))) } td.num { (s.opens) } td.num { (s.openings) } }
            } }
        }
        h3 { (locale.t("invite-prompts")) }
        dl.prompts {
            dt { (locale.t("invite-prompts-sent")) } dd #prompts-sent { (report.prompts.prompted) }
            dt { (locale.t("invite-prompts-seen")) } dd { (report.prompts.seen) }
            dt { (locale.t("invite-prompts-converted")) } dd #prompts-converted { (report.prompts.converted) " (" (locale.percent(report.prompts.converted, report.prompts.prompted)) ")" }
        }
        (histogram(&locale.t("referrals-per-inviter"), &m.invites_per_inviter))
        (histogram(&locale.t("referrals-days"), &m.days_to_first_invite))
    };
    Ok(page(locale, &locale.t("referrals-title"), "/referrals", &viewer, body))
}

/// A distribution as a table with a bar per bucket.
fn histogram(title: &str, buckets: &[(&'static str, u64)]) -> Markup {
    let most = buckets.iter().map(|b| b.1).max().unwrap_or(0).max(1);
    html! {
        h3 { (title) }
        table.histogram {
            tbody { @for (label, n) in buckets {
                tr { td { (label) } td.num { (n) } td { svg.bar width="200" height="10" { rect width=((n * 200 / most)) height="10" fill="#c33" {} } } }
            } }
        }
    }
}

/// POST /referrals/{seq}/review (htmx): a reviewer lets a held referral through or rejects it.
pub async fn review(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Path(seq): Path<String>,
    ReaderLocale(locale): ReaderLocale,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let result = async {
        let seq = path_id(&seq, "referral")?;
        let approve = form.get("approve").is_some_and(|v| v == "true");
        app::growth::referrals::review(&state.db, &viewer.principal, seq, approve).await?;
        Ok::<_, HttpError>(())
    };
    refreshed(locale, result.await)
}

/// GET /invite/{code} (no sign-in): what a friend who follows an invite link
/// reads: who invites them (name masked) and the code to give when opening
/// an account, which attributes the opening to the inviter.
pub async fn landing(
    State(state): State<AppState>,
    Path(code): Path<String>,
    PageQuery(q): PageQuery<LangParam>,
    headers: HeaderMap,
) -> Result<Markup, PageError> {
    let locale = crate::i18n::choose(q.lang.as_deref(), &headers);
    let not_found = || PageError(HttpError::of(app::codes::INVITE_NOT_FOUND).on("code"), locale);
    let code = growth::referral::InviteCode::parse(&code).ok_or_else(not_found)?;
    let fail = |e: store::StoreError| PageError(e.into(), locale);
    let inviter = state.db.inviter_by_code(code.as_str()).await.map_err(fail)?.ok_or_else(not_found)?;
    let name = state.db.customer_name(domain::CustomerId(inviter)).await.map_err(fail)?.unwrap_or_default();
    let body = html! {
        h1 { (locale.t("referral-landing-title")) }
        p #landing-inviter { (locale.t_with("referral-landing-invites", &[("name", domain::mask_name(&name))])) }
        p { (locale.t("referral-landing-code")) " " code #landing-code { (code.as_str()) } }
        p.explain { (locale.t("referral-landing-explain")) }
    };
    Ok(super::shell(locale, &locale.t("referral-landing-title"), &format!("/invite/{}", code.as_str()), None, body))
}
