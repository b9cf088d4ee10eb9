//! Products and suitability over the API: the catalogue, the risk
//! questionnaire, a customer's suitability, professional investor tests,
//! the gate's check, purchases through the gate, and the funnel.

use super::input::JsonBody;
use crate::{AppState, HttpError};
use access::Principal;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use domain::{
    CustomerId, Horizon, InvestorClass, Ladder, ProductId, ProductKind, ProductRisk, ProductState, PurchaseId, TaskId,
    Variety, Verdict,
};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// A product of the catalogue.
#[derive(Debug, Serialize, ToSchema)]
pub struct Product {
    /// Id.
    pub id: ProductId,
    /// The firm's code.
    pub code: String,
    /// Name.
    pub name: String,
    /// advisory, fund or wealth.
    pub kind: ProductKind,
    /// R1..R5.
    pub risk: ProductRisk,
    /// short, medium or long.
    pub horizon: Horizon,
    /// stocks, funds, bonds or derivatives.
    pub variety: Variety,
    /// beginner or professional, for the advisory ladder.
    pub ladder: Option<Ladder>,
    /// Subscription price, CNY.
    #[schema(value_type = String)]
    pub price: Decimal,
    /// Term in days.
    pub term_days: i32,
    /// Least amount of one purchase, CNY.
    #[schema(value_type = String)]
    pub minimum: Decimal,
    /// on_sale or closed.
    pub state: ProductState,
    /// What it is.
    pub description: String,
}

impl From<store::ProductRow> for Product {
    fn from(p: store::ProductRow) -> Self {
        Product {
            id: p.id,
            code: p.code,
            name: p.name,
            kind: p.kind,
            risk: p.risk,
            horizon: p.horizon,
            variety: p.variety,
            ladder: p.ladder,
            price: p.price,
            term_days: p.term_days,
            minimum: p.minimum,
            state: p.state,
            description: p.description,
        }
    }
}

/// The catalogue: what is on sale (staff also see closed products).
#[utoipa::path(get, path = "/products", responses((status = 200, body = [Product])))]
pub async fn list(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
) -> Result<Json<Vec<Product>>, HttpError> {
    let rows = app::advice::products(&state.db, &principal).await?;
    Ok(Json(rows.into_iter().map(Product::from).collect()))
}

/// A product to add to the catalogue.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewProduct {
    /// The firm's code (unique).
    #[schema(min_length = 1, max_length = 40)]
    pub code: String,
    /// Name.
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    /// advisory, fund or wealth.
    pub kind: ProductKind,
    /// R1..R5.
    pub risk: ProductRisk,
    /// short, medium or long.
    pub horizon: Horizon,
    /// stocks, funds, bonds or derivatives.
    pub variety: Variety,
    /// beginner or professional (advisory products on the ladder).
    pub ladder: Option<Ladder>,
    /// Subscription price, CNY (0 for funds and wealth products).
    #[schema(value_type = String)]
    pub price: Decimal,
    /// Term in days (at least 1).
    pub term_days: i32,
    /// Least amount of one purchase, CNY.
    #[schema(value_type = String)]
    pub minimum: Decimal,
    /// What it is.
    #[serde(default)]
    pub description: String,
}

/// The id of a product added.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedProduct {
    /// Id.
    pub id: ProductId,
}

/// Adds a product to the catalogue, on sale (administrators).
#[utoipa::path(post, path = "/products", request_body = NewProduct,
    responses((status = 201, body = CreatedProduct), (status = 400, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    JsonBody(r): JsonBody<NewProduct>,
) -> Result<(StatusCode, Json<CreatedProduct>), HttpError> {
    let text = |field: &'static str, value: &str, max: usize| -> Result<String, HttpError> {
        let v = value.trim();
        if v.is_empty() || v.chars().count() > max {
            return Err(HttpError::of(domain::codes::LENGTH).on(field).with("min", 1).with("max", max));
        }
        Ok(v.to_owned())
    };
    if r.term_days < 1 {
        return Err(HttpError::of(domain::codes::MUST_BE_POSITIVE).on("term_days"));
    }
    for (field, amount) in [("price", r.price), ("minimum", r.minimum)] {
        if amount.is_sign_negative() {
            return Err(HttpError::of(domain::codes::NEGATIVE).on(field));
        }
    }
    let product = store::NewProduct {
        id: ProductId(0),
        code: text("code", &r.code, 40)?,
        name: text("name", &r.name, 200)?,
        kind: r.kind,
        risk: r.risk,
        horizon: r.horizon,
        variety: r.variety,
        ladder: r.ladder,
        price: r.price,
        term_days: r.term_days,
        minimum: r.minimum,
        state: ProductState::OnSale,
        description: r.description,
    };
    let id = app::advice::add_product(&state.db, &principal, &product).await?;
    Ok((StatusCode::CREATED, Json(CreatedProduct { id })))
}

/// A product's new state.
#[derive(Debug, Deserialize, ToSchema)]
pub struct StateChange {
    /// on_sale or closed.
    pub state: ProductState,
}

/// Opens or closes a product to purchases (administrators).
#[utoipa::path(post, path = "/products/{product}/state", params(("product" = i64, Path, description = "Product id")),
    request_body = StateChange,
    responses((status = 204), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn set_state(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
    JsonBody(r): JsonBody<StateChange>,
) -> Result<StatusCode, HttpError> {
    let id: ProductId = crate::params::path_id(&id, "product")?;
    app::advice::set_product_state(&state.db, &principal, id, r.state).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// One product (a customer's view of it counts in the funnel).
#[utoipa::path(get, path = "/products/{product}", params(("product" = i64, Path, description = "Product id")),
    responses((status = 200, body = Product), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
) -> Result<Json<Product>, HttpError> {
    let id: ProductId = crate::params::path_id(&id, "product")?;
    Ok(Json(app::advice::product(&state.db, &principal, id).await?.into()))
}

/// The risk questionnaire in force: questions, options, cut-offs, validity.
#[utoipa::path(get, path = "/questionnaire", responses((status = 200, body = Object)))]
pub async fn questionnaire() -> Json<serde_json::Value> {
    Json(serde_json::to_value(app::advice::questionnaire()).expect("the questionnaire serializes"))
}

/// Answers to the questionnaire.
#[derive(Debug, Deserialize, ToSchema)]
pub struct QuestionnaireAnswers {
    /// By question id, the chosen options' ids (the varieties question takes several).
    #[serde(default)]
    #[schema(value_type = Object)]
    pub answers: BTreeMap<String, Vec<String>>,
}

/// A scored questionnaire.
#[derive(Debug, Serialize, ToSchema)]
pub struct AssessmentView {
    /// Id.
    pub id: i64,
    /// The questionnaire's version.
    pub version: String,
    /// 0..100.
    pub score: i32,
    /// C1-lowest, C1..C5.
    pub class: InvestorClass,
    /// The horizon.
    pub horizon: Horizon,
    /// The varieties chosen.
    pub varieties: Vec<Variety>,
    /// When taken (RFC 3339).
    pub taken_at: String,
    /// Until when it holds (RFC 3339).
    pub valid_until: String,
}

impl From<store::AssessmentRow> for AssessmentView {
    fn from(a: store::AssessmentRow) -> Self {
        AssessmentView {
            id: a.id.0,
            version: a.version,
            score: a.score,
            class: a.class,
            horizon: a.horizon,
            varieties: a.varieties,
            taken_at: a.taken_at.to_rfc3339(),
            valid_until: a.valid_until.to_rfc3339(),
        }
    }
}

/// Takes the questionnaire for a customer (the customer, or staff on their behalf).
#[utoipa::path(post, path = "/customers/{id}/questionnaire", params(("id" = i64, Path, description = "Customer id")),
    request_body = QuestionnaireAnswers,
    responses((status = 201, body = AssessmentView), (status = 400, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody)))]
pub async fn take_questionnaire(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
    JsonBody(request): JsonBody<QuestionnaireAnswers>,
) -> Result<(StatusCode, Json<AssessmentView>), HttpError> {
    let id: CustomerId = crate::params::path_id(&id, "customer")?;
    let row =
        app::advice::take_questionnaire(&state.db, &principal, id, &request.answers, &state.growth.earning).await?;
    Ok((StatusCode::CREATED, Json(row.into())))
}

/// A customer's suitability: profile (questionnaire, professional status,
/// age), recommendations with their reasons, the gate's trail, purchases,
/// board permissions.
#[utoipa::path(get, path = "/customers/{id}/suitability", params(("id" = i64, Path, description = "Customer id")),
    responses((status = 200, body = Object), (status = 404, body = crate::error::ErrorBody)))]
pub async fn suitability(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
) -> Result<Json<serde_json::Value>, HttpError> {
    let id: CustomerId = crate::params::path_id(&id, "customer")?;
    let s = app::advice::suitability(&state.db, &principal, id).await?;
    Ok(Json(serde_json::to_value(s).expect("suitability serializes")))
}

/// The gate's verdict for a customer and a product, without buying.
#[utoipa::path(get, path = "/customers/{id}/suitability/{product}",
    params(("id" = i64, Path, description = "Customer id"), ("product" = i64, Path, description = "Product id")),
    responses((status = 200, body = Object), (status = 404, body = crate::error::ErrorBody)))]
pub async fn check(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path((id, product)): Path<(String, String)>,
) -> Result<Json<serde_json::Value>, HttpError> {
    let id: CustomerId = crate::params::path_id(&id, "customer")?;
    let product: ProductId = crate::params::path_id(&product, "product")?;
    let c = app::advice::check(&state.db, &principal, id, product).await?;
    Ok(Json(serde_json::to_value(c).expect("a check serializes")))
}

/// What staff declare for a professional investor test.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ProfessionalDeclaration {
    /// Financial assets held elsewhere, CNY (none declared: 0).
    #[serde(default)]
    #[schema(value_type = String)]
    pub assets_elsewhere: Decimal,
    /// Average yearly income over the last three years, CNY (none declared: 0).
    #[serde(default)]
    #[schema(value_type = String)]
    pub income_3y: Decimal,
    /// Months of relevant work (product design, investment, risk management).
    #[serde(default)]
    pub work_months: u32,
    /// The documents that show them (1 to 500 characters).
    #[serde(default)]
    pub documents: String,
}

/// Tests a customer as a professional investor (staff): from the book and
/// what is declared; the outcome and its evidence are stored with an expiry.
#[utoipa::path(post, path = "/customers/{id}/professional", params(("id" = i64, Path, description = "Customer id")),
    request_body = ProfessionalDeclaration,
    responses((status = 201, body = Object), (status = 400, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn professional(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
    JsonBody(request): JsonBody<ProfessionalDeclaration>,
) -> Result<(StatusCode, Json<serde_json::Value>), HttpError> {
    let id: CustomerId = crate::params::path_id(&id, "customer")?;
    let declared = app::advice::Declared {
        assets_elsewhere: request.assets_elsewhere,
        income_3y: request.income_3y,
        work_months: request.work_months,
        documents: request.documents,
    };
    let (outcome, row) = app::advice::test_professional(&state.db, &principal, id, &declared).await?;
    let body = serde_json::json!({ "outcome": outcome, "record": row });
    Ok((StatusCode::CREATED, Json(body)))
}

/// A purchase of a product (paper) through the gate.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PurchaseRequest {
    /// Whose (a customer buys for themself).
    pub customer_id: CustomerId,
    /// Of what.
    pub product_id: ProductId,
    /// How much, CNY (at least the product's minimum).
    #[schema(value_type = String)]
    pub amount: Decimal,
    /// The investor confirms the risk warning they were shown (needed above their match).
    #[serde(default)]
    pub confirmed: bool,
}

/// A purchase made.
#[derive(Debug, Serialize, ToSchema)]
pub struct Purchase {
    /// Id.
    pub id: PurchaseId,
    /// allowed or needs_confirmation (confirmed).
    pub verdict: Verdict,
    /// Why, as [{"code", "zh", "en"}].
    #[schema(value_type = Vec<Object>)]
    pub reasons: serde_json::Value,
    /// Confirmed after the warning.
    pub confirmed: bool,
    /// The advisor's return visit (an investor of 60 or more buying above R3).
    pub return_visit: Option<TaskId>,
}

/// Buys a product through the gate. Refused (422 `unsuitable`) or warned
/// first (409 `confirmation_required`) with the reasons; an expired
/// questionnaire is asked again first (409 `questionnaire_required`).
/// Every refusal, warning and confirmation is audited.
#[utoipa::path(post, path = "/purchases", request_body = PurchaseRequest,
    responses((status = 201, body = Purchase), (status = 400, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody),
        (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn purchase(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    JsonBody(request): JsonBody<PurchaseRequest>,
) -> Result<(StatusCode, Json<Purchase>), HttpError> {
    let request = app::advice::PurchaseRequest {
        customer: request.customer_id,
        product: request.product_id,
        amount: request.amount,
        confirmed: request.confirmed,
    };
    let p = app::advice::purchase(&state.db, &principal, &request).await?;
    let reasons = serde_json::to_value(&p.reasons).expect("reasons serialize");
    let body = Purchase { id: p.id, verdict: p.verdict, reasons, confirmed: p.confirmed, return_visit: p.return_visit };
    Ok((StatusCode::CREATED, Json(body)))
}

/// The gate's exceptions in the caller's scope, newest first: refusals,
/// warnings and confirmations above the match, each with its reasons and
/// the questionnaire it relied on (staff).
#[utoipa::path(get, path = "/suitability/exceptions", responses((status = 200, body = Vec<Object>), (status = 403, body = crate::error::ErrorBody)))]
pub async fn exceptions(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
) -> Result<Json<serde_json::Value>, HttpError> {
    let rows = app::advice::exceptions(&state.db, &principal).await?;
    Ok(Json(serde_json::to_value(rows).expect("exceptions serialize")))
}

/// The funnel: of the customers who read content naming a product, who
/// viewed it and who bought it; by product, advisor and group (staff).
#[utoipa::path(get, path = "/funnel", responses((status = 200, body = Vec<Object>), (status = 403, body = crate::error::ErrorBody)))]
pub async fn funnel(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
) -> Result<Json<serde_json::Value>, HttpError> {
    let rows = app::advice::funnel(&state.db, &principal).await?;
    Ok(Json(serde_json::to_value(rows).expect("the funnel serializes")))
}

/// Checks the customer's trading permissions (STAR Market, ChiNext, Beijing
/// Stock Exchange) from the book: average daily assets over the previous
/// 20 trading days and months of experience; each stored with its evidence.
#[utoipa::path(post, path = "/customers/{id}/permissions", params(("id" = i64, Path, description = "Customer id")),
    responses((status = 201, body = Vec<Object>), (status = 404, body = crate::error::ErrorBody)))]
pub async fn permissions(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<serde_json::Value>), HttpError> {
    let id: CustomerId = crate::params::path_id(&id, "customer")?;
    let checks = app::advice::check_permissions(&state.db, &principal, id).await?;
    Ok((StatusCode::CREATED, Json(serde_json::to_value(checks).expect("checks serialize"))))
}
