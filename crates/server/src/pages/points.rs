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
    let s = app::growth::statement(&state.db, &viewer.principal, id, q.before, 100)
        .await
        .map_err(|e| PageError(e.into(), locale))?;
    let lang = locale.tag();
    let body = html! {
        h1 { (locale.t("points-title")) " · " (s.name) }
        dl.points-figures {
            dt { (locale.t("points-balance")) } dd #points-balance { (s.balance) }
            dt { (locale.t("points-available")) } dd #points-available { (s.available) }
            dt { (locale.t("points-pending-in")) } dd { (s.pending_in) }
            dt { (locale.t("points-pending-out")) } dd { (s.pending_out) }
        }
        p { a.csv href={ "/api/v1/customers/" (id) "/points.csv" } { (locale.t("points-csv")) } }
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
