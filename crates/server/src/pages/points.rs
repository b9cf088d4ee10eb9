//! A customer's points (issue 27): balance, what may be spent, what is
//! pending, the lots with the day each expires, and every transfer with its
//! reason, for the customer (`/points`) and the staff who serve them.

use super::layout::{page, PageError, PageQuery};
use crate::auth::Viewer;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::Extension;
use domain::{to_shanghai, CustomerId};
use growth::{Account, FirmAccount};
use maud::{html, Markup};
use serde::Deserialize;

/// Which page of the statement.
#[derive(Debug, Deserialize)]
pub struct PointsParams {
    /// Language.
    pub lang: Option<String>,
    /// Transfers before this one.
    pub before: Option<i64>,
}

/// GET /points: the signed-in customer's own statement; for staff, the
/// firm's side of the books (its accounts, and the books' own check).
pub async fn mine(
    state: State<AppState>,
    Extension(viewer): Extension<Viewer>,
    PageQuery(q): PageQuery<PointsParams>,
    headers: HeaderMap,
) -> Result<Markup, PageError> {
    if let Some(c) = viewer.principal.customer_id {
        return statement(state, Extension(viewer), Path(c.0.to_string()), PageQuery(q), headers).await;
    }
    let locale = crate::i18n::choose(q.lang.as_deref(), &headers);
    let fail = |e: store::StoreError| PageError(e.into(), locale);
    let totals = state.db.ledger_totals().await.map_err(fail)?;
    let mut firm = Vec::new();
    for f in [
        FirmAccount::Issuance,
        FirmAccount::Redemption,
        FirmAccount::Expiry,
        FirmAccount::EnvelopeEscrow,
        FirmAccount::ReferralPending,
    ] {
        firm.push((f, state.db.points_balance(Account::Firm(f)).await.map_err(fail)?));
    }
    let balanced = totals.net == 0
        && totals.pending == 0
        && totals.lowest_available >= 0
        && totals.in_lots == totals.customers_net;
    let body = html! {
        h1 { (locale.t("points-firm")) }
        p.explain { (locale.t("points-firm-explain")) }
        table.firm-accounts {
            thead { tr { th { (locale.t("points-account")) } th.num { (locale.t("points-balance")) } th.num { (locale.t("points-pending-in")) } th.num { (locale.t("points-pending-out")) } } }
            tbody { @for (f, b) in &firm {
                tr { td { (locale.t(&format!("points-firm-{}", firm_key(*f)))) } td.num { (b.net()) } td.num { (b.credits_pending) } td.num { (b.debits_pending) } }
            } }
        }
        dl.points-check {
            dt { (locale.t("points-customers-hold")) } dd { (totals.customers_net) }
            dt { (locale.t("points-transfer-count")) } dd { (totals.transfers) }
            dt { (locale.t("points-books")) } dd #points-books { (locale.t(if balanced { "points-books-balance" } else { "points-books-off" })) }
        }
    };
    Ok(page(locale, &locale.t("points-firm"), "/points", &viewer, body))
}

fn firm_key(f: FirmAccount) -> &'static str {
    match f {
        FirmAccount::Issuance => "issuance",
        FirmAccount::Expiry => "expiry",
        FirmAccount::EnvelopeEscrow => "escrow",
        FirmAccount::ReferralPending => "referral",
        FirmAccount::Redemption => "redemption",
    }
}

fn when(t: chrono::DateTime<chrono::Utc>) -> String {
    to_shanghai(t).format("%Y-%m-%d %H:%M").to_string()
}

/// GET /customers/{id}/points: the statement, 100 transfers a page.
pub async fn statement(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Path(id): Path<String>,
    PageQuery(q): PageQuery<PointsParams>,
    headers: HeaderMap,
) -> Result<Markup, PageError> {
    let locale = crate::i18n::choose(q.lang.as_deref(), &headers);
    let id: CustomerId = crate::params::path_id(&id, "customer").map_err(|e| PageError(e, locale))?;
    let fail = |e: app::Error| PageError(e.into(), locale);
    let s = app::growth::statement(&state.db, &viewer.principal, id, q.before, 100).await.map_err(fail)?;
    let rules = &state.growth;
    let tier = app::growth::tiers::view(&state.db, &rules.tiers, &viewer.principal, id).await.map_err(fail)?;
    let code = app::growth::referrals::invite_code(&state.db, &viewer.principal, id).await.map_err(fail)?;
    let referrals = app::growth::referrals::referrals_of(&state.db, &viewer.principal, id).await.map_err(fail)?;
    let prompt = app::growth::referrals::invite_prompt(&state.db, &viewer.principal, id).await.map_err(fail)?;
    let leaders = app::growth::referrals::public_leaders(&state.db).await.map_err(fail)?;
    let lang = locale.tag();
    let body = html! {
        h1 { (locale.t("points-title")) " · " (s.name) }
        @if let Some(p) = prompt.as_ref().filter(|p| !p.converted) {
            p.notice #invite-prompt {
                (locale.t_with("invite-prompt", &[("group", p.group_name.clone())])) " "
                a href="#invite-code" { (locale.t("invite-prompt-go")) }
            }
        }
        dl.points-figures {
            dt { (locale.t("points-balance")) } dd #points-balance { (s.balance) }
            dt { (locale.t("points-available")) } dd #points-available { (s.available) }
            dt { (locale.t("points-pending-in")) } dd { (s.pending_in) }
            dt { (locale.t("points-pending-out")) } dd { (s.pending_out) }
        }
        p { a.csv href={ "/api/v1/customers/" (id) "/points.csv" } { (locale.t("points-csv")) } }
        (tier_section(locale, &tier))
        (invite_section(locale, rules, &code, &referrals))
        @if !leaders.is_empty() {
            h3 { (locale.t("referrals-leaders")) }
            ol.public-leaders { @for (name, qualified) in &leaders {
                li { (name) " · " (locale.t_with("referrals-leader-count", &[("n", qualified.to_string())])) }
            } }
        }
        h2 { (locale.t("points-lots")) }
        p.explain { (locale.t("points-lots-explain")) }
        table.lots {
            thead { tr { th { (locale.t("points-earned")) } th.num { (locale.t("points-remaining")) } th { (locale.t("points-expires")) } th { (locale.t("points-source")) } } }
            tbody { @for l in &s.lots {
                tr { td { (when(l.earned_at)) } td.num { (l.remaining) } td { (to_shanghai(l.expires_at).format("%Y-%m-%d")) } td { code { (l.source) } } }
            } }
        }
        h2 { (locale.t("points-transfers")) }
        table.transfers {
            thead { tr {
                th { (locale.t("points-at")) } th.num { (locale.t("points-points")) } th { (locale.t("points-reason")) }
                th { (locale.t("points-state")) } th { (locale.t("points-id")) }
            } }
            tbody { @for l in &s.lines {
                tr data-id=(l.id) {
                    td { (when(l.at)) }
                    td.num { @if l.points > 0 { "+" } (l.points) }
                    td { (locale.term("points-reason", &l.reason)) }
                    td { (locale.t(&format!("points-state-{}", l.state))) }
                    td { code { (l.id) } @if let Some(c) = &l.corrects { " ↩ " code { (c) } } }
                }
            } }
        }
        @if let Some(before) = s.next_before {
            p { a.earlier href={ "/customers/" (id) "/points?before=" (before) "&lang=" (lang) } { (locale.t("points-earlier")) } }
        }
    };
    Ok(page(locale, &locale.t("points-title"), &format!("/customers/{id}/points"), &viewer, body))
}

/// The tier box: the tier, its benefits, the rolling points, what the next
/// tier needs, a grace under way, and every change.
fn tier_section(locale: messages::Locale, t: &app::growth::tiers::TierView) -> Markup {
    let b = &t.benefits;
    html! {
        section.tier {
            h2 { (locale.t("tier-title")) ": " span #tier-name data-tier=(t.tier) { (locale.term("tier-name", &t.tier)) } }
            dl.tier-figures {
                dt { (locale.t("tier-rolling")) } dd #tier-rolling { (t.rolling_points) }
                @if let Some(since) = t.since { dt { (locale.t("tier-since")) } dd { (since) } }
            }
            @if let Some(until) = t.grace_ends {
                p.notice #tier-grace { (locale.t_with("tier-grace", &[("until", until.to_string())])) }
            }
            p #tier-next { @match &t.next {
                Some((name, points)) => (locale.t_with("tier-next", &[("points", points.to_string()), ("tier", locale.term("tier-name", name))])),
                None => (locale.t("tier-top")),
            } }
            h3 { (locale.t("tier-benefits")) }
            ul.benefits {
                @if b.question_priority > 0 { li { (locale.t_with("tier-benefit-priority", &[("n", b.question_priority.to_string())])) } }
                @if b.professional_content { li { (locale.t("tier-benefit-professional")) } }
                @if b.fee_discount_bp > 0 {
                    li { (locale.t_with("tier-benefit-discount", &[("pct", format!("{:.1}", f64::from(b.fee_discount_bp) / 100.0))])) }
                }
                @if b.question_priority == 0 && !b.professional_content && b.fee_discount_bp == 0 { li { (locale.t("tier-benefit-none")) } }
            }
            p.explain { (locale.t("tier-apart")) }
            @if !t.changes.is_empty() {
                table.tier-changes {
                    thead { tr { th { (locale.t("tier-changed-on")) } th { (locale.t("tier-from")) } th { (locale.t("tier-to")) }
                        th.num { (locale.t("tier-rolling")) } th { (locale.t("points-reason")) } } }
                    tbody { @for c in &t.changes {
                        tr { td { (c.changed_on) } td { (c.from_tier.as_deref().map_or("—".to_owned(), |f| locale.term("tier-name", f))) } td { (locale.term("tier-name", &c.to_tier)) }
                            td.num { (c.rolling_points) } td { (locale.term("tier-reason", &c.reason)) } }
                    } }
                }
            }
        }
    }
}

/// The invite box: the code and link, what a referral earns and when, and
/// the friends referred with each one's state or refusal.
fn invite_section(
    locale: messages::Locale,
    rules: &growth::GrowthRules,
    code: &growth::referral::InviteCode,
    referrals: &[store::ReferralRow],
) -> Markup {
    let explain = [
        ("yuan", rules.referral.min_first_deposit_yuan.to_string()),
        ("days", rules.referral.qualify_days.to_string()),
        ("points", rules.earning.referral.to_string()),
    ];
    html! {
        section.invite {
            h2 { (locale.t("referral-invite-title")) }
            dl {
                dt { (locale.t("referral-invite-code")) } dd { code #invite-code { (code.as_str()) } }
                dt { (locale.t("referral-invite-link")) } dd { a #invite-link href={ "/invite/" (code.as_str()) } { (locale.t("referral-invite-open")) } }
            }
            p.explain { (locale.t_with("referral-invite-explain", &explain)) }
            @if referrals.is_empty() {
                p { (locale.t("referrals-none")) }
            } @else {
                table.referrals {
                    thead { tr { th { (locale.t("referrals-friend")) } th { (locale.t("referrals-opened")) } th { (locale.t("referrals-state")) } } }
                    tbody { @for r in referrals {
                        tr data-seq=(r.seq) {
                            td { (r.referee_name) } td { (to_shanghai(r.attributed_at).format("%Y-%m-%d")) }
                            td.state { (referral_state(locale, r)) }
                        }
                    } }
                }
            }
        }
    }
}

/// A referral's state in the reader's words: a refusal's reason, a review, or the reward's state.
fn referral_state(locale: messages::Locale, r: &store::ReferralRow) -> String {
    match (r.state.as_str(), &r.refusal, r.reward_state.as_deref(), &r.review) {
        ("refused", Some(code), _, _) => {
            format!("{}: {}", locale.t("referrals-state-refused"), locale.t(&format!("error-{code}")))
        }
        (_, _, Some("pending"), Some(_)) => locale.t("referrals-state-review"),
        (_, _, Some(state), _) => locale.t(&format!("referrals-state-{state}")),
        _ => locale.t("referrals-state-new"),
    }
}
