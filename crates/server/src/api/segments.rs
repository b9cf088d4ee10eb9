//! The customer map and saved segments over the API (issue 28).

use super::input::{JsonBody, QueryParams};
use crate::{AppState, HttpError};
use access::Principal;
use app::segments::{Acted, Colouring, CustomerMap, Segment};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

/// Which map.
#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct MapParams {
    /// The x axis: assets (default), years_in_market, trades_per_month,
    /// win_rate, holding_days, concentration, unrealized_pnl, realized_pnl, turnover.
    pub x: Option<String>,
    /// The y axis (default: trades_per_month).
    pub y: Option<String>,
    /// service_tier (default), tier or risk.
    pub colour: Option<String>,
}

impl MapParams {
    /// The axes and colouring asked for, with their defaults.
    pub(crate) fn read(&self) -> Result<(analytics::MapFeature, analytics::MapFeature, Colouring), app::Error> {
        let pick = |v: &Option<String>| v.as_deref().map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned);
        let x = pick(&self.x).map(|t| app::segments::feature(&t, "x")).transpose()?;
        let y = pick(&self.y).map(|t| app::segments::feature(&t, "y")).transpose()?;
        let colour = pick(&self.colour).map(|t| Colouring::parse(&t)).transpose()?;
        Ok((
            x.unwrap_or(analytics::MapFeature::Assets),
            y.unwrap_or(analytics::MapFeature::TradesPerMonth),
            colour.unwrap_or(Colouring::ServiceTier),
        ))
    }
}

/// The customers in the caller's scope as points by two features, coloured
/// by a tier (a sample of at most 5,000, every n-th by id, past that).
#[utoipa::path(get, path = "/analytics/map", params(MapParams),
    responses((status = 200, body = Object), (status = 400, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody)))]
pub async fn map(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    QueryParams(p): QueryParams<MapParams>,
) -> Result<Json<CustomerMap>, HttpError> {
    let (x, y, colour) = p.read()?;
    Ok(Json(app::segments::map(&state.db, &principal, x, y, colour).await?))
}

/// A region of the map to save as a segment.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewSegment {
    /// Its name (1 to 60 characters).
    pub name: String,
    /// The x axis's feature.
    pub x: String,
    /// The y axis's feature.
    pub y: String,
    /// Least x.
    pub x_min: f64,
    /// Most x.
    pub x_max: f64,
    /// Least y.
    pub y_min: f64,
    /// Most y.
    pub y_max: f64,
}

/// Reads a new segment's request into its parts, refusing what will not do.
pub(crate) fn region_of(
    s: &NewSegment,
) -> Result<(analytics::MapFeature, analytics::MapFeature, analytics::Region), app::Error> {
    let x = app::segments::feature(&s.x, "x")?;
    let y = app::segments::feature(&s.y, "y")?;
    let region = analytics::Region::new(s.x_min, s.x_max, s.y_min, s.y_max)
        .map_err(|e| app::Error::Refused(app::codes::MAP_FIELD.refuse().on("x_min").with("given", e.to_string())))?;
    Ok((x, y, region))
}

/// Saves the caller's customers in a region of the map as a segment (all
/// of them in scope, not only the map's sample); the customer list
/// filters by it (`segment=ID`).
#[utoipa::path(post, path = "/segments", request_body = NewSegment,
    responses((status = 201, body = Object), (status = 400, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    JsonBody(s): JsonBody<NewSegment>,
) -> Result<(StatusCode, Json<Segment>), HttpError> {
    let (x, y, region) = region_of(&s)?;
    let segment = app::segments::save_segment(&state.db, &principal, &s.name, x, y, region).await?;
    Ok((StatusCode::CREATED, Json(segment)))
}

/// The segments the caller saved, newest first.
#[utoipa::path(get, path = "/segments", responses((status = 200, body = Object), (status = 403, body = crate::error::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
) -> Result<Json<Vec<Segment>>, HttpError> {
    Ok(Json(app::segments::segments(&state.db, &principal).await?))
}

/// One segment.
#[utoipa::path(get, path = "/segments/{segment}", params(("segment" = i64, Path, description = "Segment id")),
    responses((status = 200, body = Object), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(segment): Path<String>,
) -> Result<Json<Segment>, HttpError> {
    let id: i64 = crate::params::path_id(&segment, "segment")?;
    Ok(Json(app::segments::segment(&state.db, &principal, id).await?))
}

/// A follow-up task for each member of the segment in the caller's scope.
#[utoipa::path(post, path = "/segments/{segment}/follow-ups", params(("segment" = i64, Path, description = "Segment id")),
    responses((status = 200, body = Object), (status = 404, body = crate::error::ErrorBody)))]
pub async fn follow_ups(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(segment): Path<String>,
) -> Result<Json<Acted>, HttpError> {
    let id: i64 = crate::params::path_id(&segment, "segment")?;
    Ok(Json(app::segments::follow_up_each(&state.db, &principal, id).await?))
}

/// Which group to invite a segment to.
#[derive(Debug, Deserialize, ToSchema)]
pub struct Invitation {
    /// One of the caller's groups.
    pub group_id: i64,
}

/// Invites the segment's members to one of the caller's groups: a link is
/// made and each member's advisor gets a task to pass it on.
#[utoipa::path(post, path = "/segments/{segment}/invitations", params(("segment" = i64, Path, description = "Segment id")),
    request_body = Invitation,
    responses((status = 200, body = Object), (status = 404, body = crate::error::ErrorBody)))]
pub async fn invitations(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(segment): Path<String>,
    JsonBody(i): JsonBody<Invitation>,
) -> Result<Json<Acted>, HttpError> {
    let id: i64 = crate::params::path_id(&segment, "segment")?;
    let group = domain::GroupId(i.group_id);
    Ok(Json(app::segments::invite_to_group(&state.db, &principal, id, group, &state.community).await?))
}
