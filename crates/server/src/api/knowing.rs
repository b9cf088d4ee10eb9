//! Knowing each customer over the API: a customer's stored features and
//! labels with their reasons, and an advisor's weekly service plan. Staff only.

use super::input::QueryParams;
use crate::{AppState, HttpError};
use access::Principal;
use axum::extract::{Path, State};
use axum::{Extension, Json};
use classify::plan::{split, Bucket};
use domain::{CustomerId, ProductId, StaffId};
use serde::Serialize;
use utoipa::ToSchema;

/// One label with the reasons that decided it.
#[derive(Debug, Serialize, ToSchema)]
pub struct LabelView {
    /// experience, engagement, track_record, concentration, position_pnl,
    /// trading_style, age_band, gender, lifecycle or service_tier.
    pub dimension: String,
    /// The label's stable text.
    pub label: String,
    /// Each: "feature value test limit (threshold)".
    pub reasons: Vec<String>,
}

/// A customer's stored features and labels.
#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerLabels {
    /// Customer id.
    pub customer_id: CustomerId,
    /// The label configuration's version.
    pub version: String,
    /// The day they were computed for.
    pub as_of: String,
    /// Every feature, by name.
    #[schema(value_type = Object)]
    pub features: serde_json::Value,
    /// Every label.
    pub labels: Vec<LabelView>,
}

/// The customer's labels (404 outside the caller's scope, or before any classify run).
#[utoipa::path(get, path = "/customers/{id}/labels", params(("id" = i64, Path, description = "Customer id")),
    responses((status = 200, body = CustomerLabels), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody)))]
pub async fn labels(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
) -> Result<Json<CustomerLabels>, HttpError> {
    let id = crate::params::path_id(&id, "customer")?;
    let (stored, features, labels) = app::classify::labels_of(&state.db, &principal, id).await?;
    let labels = labels
        .into_iter()
        .map(|(dimension, l)| LabelView {
            dimension,
            label: l.label,
            reasons: l
                .reasons
                .into_iter()
                .map(|r| format!("{} {} {} {} ({})", r.feature, r.value, r.test, r.limit, r.threshold))
                .collect(),
        })
        .collect();
    Ok(Json(CustomerLabels { customer_id: id, version: stored.version, as_of: stored.as_of, features, labels }))
}

/// One planned contact.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlannedContact {
    /// Order in the plan, from 1.
    pub rank: i64,
    /// Customer id.
    pub customer_id: CustomerId,
    /// Customer's name.
    pub customer: String,
    /// core_and_dormant, maintaining or precipitating.
    pub bucket: String,
    /// risk_reminder, heavy_loss, dormant_worth_waking, birthday.
    pub triggers: Vec<String>,
    /// When it was made (RFC 3339), if it was.
    pub done_at: Option<String>,
    /// What came of it.
    pub outcome: Option<String>,
    /// The product to talk about, suitable for the customer (none until they can be judged).
    pub recommended_product: Option<ProductId>,
    /// Why: newcomer, proven_investor or fits.
    pub recommended_because: Option<String>,
}

/// One part of the 60/30/10 split.
#[derive(Debug, Serialize, ToSchema)]
pub struct SplitPart {
    /// core_and_dormant, maintaining or precipitating.
    pub bucket: String,
    /// Its share of the contacts, percent.
    pub percent: u32,
    /// Contacts it should get.
    pub target: u32,
    /// Contacts planned.
    pub planned: u32,
    /// Contacts made.
    pub done: u32,
}

/// An advisor's plan for a week.
#[derive(Debug, Serialize, ToSchema)]
pub struct WeekPlanView {
    /// The advisor.
    pub advisor_id: StaffId,
    /// The Monday the week starts on.
    pub week_start: String,
    /// Contacts the advisor's hours allow.
    pub capacity: u32,
    /// The split, planned and done.
    pub split: Vec<SplitPart>,
    /// The largest gap between a part's share of contacts made and its target, percentage points.
    pub largest_gap: u32,
    /// The contacts, in rank order.
    pub contacts: Vec<PlannedContact>,
}

/// The week's plan of an advisor (made now from the stored labels if the week has none).
#[utoipa::path(get, path = "/plan", params(crate::params::PlanParams),
    responses((status = 200, body = WeekPlanView), (status = 400, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn plan(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    QueryParams(q): QueryParams<crate::params::PlanParams>,
) -> Result<Json<WeekPlanView>, HttpError> {
    let plan = app::plan::plan_for(&state.db, &principal, q.advisor.as_deref(), q.week.as_deref()).await?;
    let advisor = plan.advisor_id;
    let target = split(plan.capacity);
    let a = plan.adherence;
    let planned: Vec<CustomerId> = plan.contacts.iter().map(|c| c.customer_id).collect();
    let recommended = app::advice::first_recommendations(&state.db, &planned).await?;
    Ok(Json(WeekPlanView {
        advisor_id: advisor,
        week_start: plan.week_start.to_string(),
        capacity: plan.capacity,
        split: Bucket::ALL
            .iter()
            .enumerate()
            .map(|(k, b)| SplitPart {
                bucket: b.as_str().into(),
                percent: b.percent(),
                target: target[k],
                planned: a.planned[k],
                done: a.done[k],
            })
            .collect(),
        largest_gap: a.largest_gap(),
        contacts: plan
            .contacts
            .into_iter()
            .map(|c| PlannedContact {
                recommended_product: recommended.get(&c.customer_id).map(|r| r.product.id),
                recommended_because: recommended.get(&c.customer_id).map(|r| {
                    serde_json::to_value(r.because).expect("serializes").as_str().unwrap_or_default().to_owned()
                }),
                rank: c.rank,
                customer_id: c.customer_id,
                customer: c.customer,
                bucket: c.bucket,
                triggers: c.triggers.split(',').filter(|t| !t.is_empty()).map(String::from).collect(),
                done_at: c.done_at,
                outcome: c.outcome,
            })
            .collect(),
    }))
}
