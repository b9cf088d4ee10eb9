//! Risk reminders over the API: staff see those of the customers in their
//! scope as soon as they are made; a customer sees their own once delivered
//! (after quiet hours). The firm's volume per rule per day for staff.

use super::input::QueryParams;
use crate::{AppState, HttpError};
use access::Principal;
use axum::extract::State;
use axum::{Extension, Json};
use chrono::{DateTime, NaiveDate, Utc};
use domain::{AccountId, CustomerId, ReminderId};
use serde::{Deserialize, Serialize};
use store::ReminderRow;
use utoipa::{IntoParams, ToSchema};

/// Which reminders to list.
#[derive(Debug, Deserialize, IntoParams)]
pub struct ReminderParams {
    /// Only those with a larger id (for polling after a page's newest).
    pub after: Option<ReminderId>,
    /// At most this many, newest first (default 100, at most 500).
    pub limit: Option<i64>,
}

/// One reminder.
#[derive(Debug, Serialize, ToSchema)]
pub struct Reminder {
    /// Id, increasing as reminders are made.
    pub id: ReminderId,
    /// Customer.
    pub customer_id: CustomerId,
    /// Customer's name.
    pub customer: String,
    /// Account.
    pub account_id: AccountId,
    /// Rule: stock_drop, limit_down, account_day_loss, drawdown, concentration,
    /// heavy_below_ma20, heavy_macd_death_cross, trapped, disclosure, month_loss_care.
    pub rule: String,
    /// Instrument code, for rules about one holding.
    pub instrument: Option<String>,
    /// Step past the threshold (1 at it; more as it worsens).
    pub step: i32,
    /// The measured figure: basis points, or 0.001 CNY for amounts.
    pub measure: i64,
    /// The figures that made it fire.
    #[schema(value_type = Object)]
    pub figures: serde_json::Value,
    /// The sentence in Chinese.
    pub text_zh: String,
    /// The sentence in English.
    pub text_en: String,
    /// The rule configuration's version.
    pub rule_version: String,
    /// Trading day.
    pub trading_day: NaiveDate,
    /// When it fired.
    pub created_at: DateTime<Utc>,
    /// When it may reach the customer (later in quiet hours).
    pub deliver_at: DateTime<Utc>,
    /// When it reached the customer; empty while held.
    pub delivered_at: Option<DateTime<Utc>>,
}

impl From<ReminderRow> for Reminder {
    fn from(r: ReminderRow) -> Reminder {
        Reminder {
            id: r.id,
            customer_id: r.customer_id,
            customer: r.customer,
            account_id: r.account_id,
            rule: r.rule,
            instrument: r.instrument,
            step: r.step,
            measure: r.measure,
            figures: serde_json::from_str(&r.figures).unwrap_or(serde_json::Value::Null),
            text_zh: r.text_zh,
            text_en: r.text_en,
            rule_version: r.rule_version,
            trading_day: r.trading_day,
            created_at: r.created_at,
            deliver_at: r.deliver_at,
            delivered_at: r.delivered_at,
        }
    }
}

/// Reminders in the caller's scope, newest first.
#[utoipa::path(get, path = "/reminders", params(ReminderParams),
    responses((status = 200, body = [Reminder]), (status = 400, body = crate::error::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    QueryParams(params): QueryParams<ReminderParams>,
) -> Result<Json<Vec<Reminder>>, HttpError> {
    let rows = app::reminders::list(&state.db, &principal, params.after, params.limit.unwrap_or(100)).await?;
    Ok(Json(rows.into_iter().map(Reminder::from).collect()))
}

/// Over how many days to count.
#[derive(Debug, Deserialize, IntoParams)]
pub struct VolumeParams {
    /// Calendar days back from the newest day with reminders (default 30, at most 366).
    pub days: Option<i64>,
}

/// Reminders of one rule on one day.
#[derive(Debug, Serialize, ToSchema)]
pub struct Volume {
    /// Trading day.
    pub trading_day: NaiveDate,
    /// Rule.
    pub rule: String,
    /// How many fired.
    pub count: i64,
}

/// Reminder volume per rule per trading day in the caller's scope (staff only).
#[utoipa::path(get, path = "/reminders/volume", params(VolumeParams),
    responses((status = 200, body = [Volume]), (status = 400, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody)))]
pub async fn volume(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    QueryParams(params): QueryParams<VolumeParams>,
) -> Result<Json<Vec<Volume>>, HttpError> {
    let rows = app::reminders::volume(&state.db, &principal, params.days.unwrap_or(30)).await?;
    Ok(Json(rows.into_iter().map(|v| Volume { trading_day: v.trading_day, rule: v.rule, count: v.count }).collect()))
}
