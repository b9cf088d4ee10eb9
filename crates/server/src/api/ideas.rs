//! Ideas over the API: proposed by advisors (their own or a research
//! source's), reviewed by compliance as content, tracked from publication;
//! re-recommended in one call; the ranking of sources by their records;
//! the research sources themselves.

use super::input::JsonBody;
use crate::{AppState, HttpError};
use access::Principal;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use domain::{ContentId, IdeaId, ProductRisk, ResearchSourceId};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// An idea to propose.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewIdea {
    /// Instrument code, e.g. 600519.SH.
    pub instrument: String,
    /// long or short.
    pub direction: String,
    /// Bottom of the entry range, CNY.
    #[schema(value_type = String)]
    pub entry_low: Decimal,
    /// Top of the entry range, CNY.
    #[schema(value_type = String)]
    pub entry_high: Decimal,
    /// Target price, CNY.
    #[schema(value_type = String)]
    pub target: Decimal,
    /// Stop price, CNY.
    #[schema(value_type = String)]
    pub stop: Decimal,
    /// Trading days it runs (1 to 750).
    pub horizon_days: i32,
    /// Why.
    pub rationale: String,
    /// The research source it comes from; absent: the advisor's own.
    #[schema(value_type = Option<i64>)]
    pub source_id: Option<ResearchSourceId>,
    /// A rating above the instrument's own (R1..R5).
    pub risk: Option<ProductRisk>,
}

/// An idea proposed: it waits for compliance as this content item.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProposedIdea {
    /// The idea.
    #[schema(value_type = i64)]
    pub id: IdeaId,
    /// The content item compliance reviews.
    #[schema(value_type = i64)]
    pub content_id: ContentId,
}

/// Ideas the caller may see, newest first, each with its track record
/// (return, drawdown, outcome, benchmark) since publication.
#[utoipa::path(get, path = "/ideas", responses((status = 200, body = Object)))]
pub async fn list(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
) -> Result<Json<Vec<app::ideas::TrackedIdea>>, HttpError> {
    let ideas = app::ideas::list(&state.db, &principal).await?;
    Ok(Json(app::ideas::for_tier(&state.db, &state.growth.tiers, &principal, ideas).await?))
}

/// Proposes an idea (advisors): it goes to compliance as content and is
/// published, and tracked, when approved.
#[utoipa::path(post, path = "/ideas", request_body = NewIdea,
    responses((status = 201, body = ProposedIdea), (status = 400, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    JsonBody(r): JsonBody<NewIdea>,
) -> Result<(StatusCode, Json<ProposedIdea>), HttpError> {
    let request = app::ideas::IdeaRequest {
        instrument: r.instrument,
        direction: r.direction,
        entry_low: r.entry_low,
        entry_high: r.entry_high,
        target: r.target,
        stop: r.stop,
        horizon_days: r.horizon_days,
        rationale: r.rationale,
        source_id: r.source_id,
        risk: r.risk,
    };
    let (id, content_id) = app::ideas::propose(&state.db, &principal, &request, None).await?;
    Ok((StatusCode::CREATED, Json(ProposedIdea { id, content_id })))
}

/// One idea with its track record.
#[utoipa::path(get, path = "/ideas/{idea}", params(("idea" = i64, Path, description = "Idea id")),
    responses((status = 200, body = Object), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
) -> Result<Json<app::ideas::TrackedIdea>, HttpError> {
    let id: IdeaId = crate::params::path_id(&id, "idea")?;
    let idea = app::ideas::one(&state.db, &principal, id).await?;
    Ok(Json(app::ideas::for_tier(&state.db, &state.growth.tiers, &principal, vec![idea]).await?.remove(0)))
}

/// Re-recommends a published idea after its price fell back: the same
/// terms, linked to the first idea, through compliance again.
#[utoipa::path(post, path = "/ideas/{idea}/again", params(("idea" = i64, Path, description = "Idea id")),
    responses((status = 201, body = ProposedIdea), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
pub async fn again(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<ProposedIdea>), HttpError> {
    let id: IdeaId = crate::params::path_id(&id, "idea")?;
    let (id, content_id) = app::ideas::again(&state.db, &principal, id).await?;
    Ok((StatusCode::CREATED, Json(ProposedIdea { id, content_id })))
}

/// Sources (advisors and research sources) ranked by their published
/// ideas' records: over all horizons, then per horizon band.
#[utoipa::path(get, path = "/ideas/ranking", responses((status = 200, body = Object)))]
pub async fn ranking(
    State(state): State<AppState>,
    Extension(_principal): Extension<Principal>,
) -> Result<Json<app::ideas::Ranking>, HttpError> {
    Ok(Json(app::ideas::ranking(&state.db).await?))
}

/// A research source to add.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewSource {
    /// Name (unique).
    pub name: String,
    /// desk (the firm's own research) or institution (outside).
    pub kind: String,
    /// Its licence number, carried by every idea from it.
    pub licence_no: String,
}

/// A research source.
#[derive(Debug, Serialize, ToSchema)]
pub struct Source {
    /// Id.
    #[schema(value_type = i64)]
    pub id: ResearchSourceId,
    /// Name.
    pub name: String,
    /// desk or institution.
    pub kind: String,
    /// Licence number.
    pub licence_no: String,
}

/// The research sources configured.
#[utoipa::path(get, path = "/research-sources", responses((status = 200, body = [Source])))]
pub async fn sources(
    State(state): State<AppState>,
    Extension(_principal): Extension<Principal>,
) -> Result<Json<Vec<Source>>, HttpError> {
    let rows = state.db.research_sources().await.map_err(app::Error::from)?;
    Ok(Json(
        rows.into_iter().map(|s| Source { id: s.id, name: s.name, kind: s.kind, licence_no: s.licence_no }).collect(),
    ))
}

/// Adds a research source (administrators).
#[utoipa::path(post, path = "/research-sources", request_body = NewSource,
    responses((status = 201, body = Source), (status = 400, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn add_source(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    JsonBody(r): JsonBody<NewSource>,
) -> Result<(StatusCode, Json<Source>), HttpError> {
    let id = app::ideas::add_source(&state.db, &principal, &r.name, &r.kind, &r.licence_no).await?;
    Ok((
        StatusCode::CREATED,
        Json(Source { id, name: r.name.trim().into(), kind: r.kind, licence_no: r.licence_no.trim().into() }),
    ))
}
