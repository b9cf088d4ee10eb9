//! Outreach over the API: sending an idea, content item or product to a
//! segment (previewed first if asked: who would receive it, who is withheld
//! as unsuitable), the sends with their reads and follow-through, saved
//! filters of the customer list, and a customer's inbox.

use super::input::JsonBody;
use crate::params::ListParams;
use crate::{AppState, HttpError};
use access::Principal;
use app::outreach::{Item, Segment, SendOutcome, SendReport, SendRequest};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use domain::{ContentId, CustomerId, IdeaId, ProductId, SavedFilterId, SendId};
use serde::{Deserialize, Serialize};
use store::{InboxRow, SavedFilterRow};
use utoipa::ToSchema;

/// What to send: exactly one of these.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemSpec {
    /// A published idea.
    pub idea: Option<i64>,
    /// An approved content item of the sender's.
    pub content: Option<i64>,
    /// A product on sale.
    pub product: Option<i64>,
    /// A stored notice (news or a dated corporate event).
    pub notice: Option<i64>,
}

/// Whom to send to: exactly one of these.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SegmentSpec {
    /// Customers with this label (dimension:label, e.g. engagement:low).
    pub label: Option<String>,
    /// Customers of this service tier.
    pub tier: Option<String>,
    /// Current members of this group.
    pub group: Option<i64>,
    /// A filter of the customer list, as its query string (e.g. `risk=C3&tier=core`).
    pub filter: Option<String>,
    /// One of the sender's saved filters.
    pub saved_filter: Option<i64>,
    /// Customers picked by hand.
    pub customers: Option<Vec<i64>>,
}

/// A send to a segment.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SendBody {
    /// What.
    pub item: ItemSpec,
    /// To whom.
    pub segment: SegmentSpec,
    /// Only count who would receive it and who would be withheld.
    #[serde(default)]
    pub preview: bool,
}

/// What a send did (or would do).
#[derive(Debug, Serialize, ToSchema)]
pub struct Sent {
    /// The send (absent for a preview).
    #[schema(value_type = Option<i64>)]
    pub send_id: Option<SendId>,
    /// Customers the segment matched.
    pub matched: usize,
    /// Withheld: above their match.
    pub withheld: usize,
    /// Recipients.
    pub recipients: usize,
    /// Of those, held until quiet hours end.
    pub held_for_quiet_hours: usize,
}

impl From<SendOutcome> for Sent {
    fn from(o: SendOutcome) -> Sent {
        Sent {
            send_id: o.send_id,
            matched: o.matched,
            withheld: o.withheld,
            recipients: o.recipients,
            held_for_quiet_hours: o.held_for_quiet_hours,
        }
    }
}

fn one_of<T>(what: &'static str, options: &'static str, given: Vec<Option<T>>) -> Result<T, HttpError> {
    let mut given: Vec<T> = given.into_iter().flatten().collect();
    if given.len() != 1 {
        return Err(HttpError::of(app::codes::ONE_SEGMENT).on(what).with("options", options));
    }
    Ok(given.remove(0))
}

/// A customer-list query string read as the list reads it; a bad one is a 400 naming the filter.
pub(crate) fn list_params(query: &str) -> Result<ListParams, HttpError> {
    let uri: axum::http::Uri = format!("/?{query}").parse().map_err(|_| {
        HttpError::of(domain::codes::NOT_ONE_OF).on("filter").with("value", query).with("options", "a query string")
    })?;
    axum::extract::Query::<ListParams>::try_from_uri(&uri).map(|q| q.0).map_err(|e| {
        HttpError::of(domain::codes::NOT_ONE_OF).on("filter").with("value", query).with("options", e.body_text())
    })
}

/// The segment a body names, as the use case takes it.
pub(crate) async fn segment(
    state: &AppState,
    principal: &Principal,
    s: SegmentSpec,
) -> Result<(Segment, String), HttpError> {
    let named = serde_json::to_string(&s).expect("a segment serializes");
    enum Named {
        Params(Box<ListParams>),
        Saved(i64),
        Picked(Vec<i64>),
    }
    let options = "label, tier, group, filter, saved_filter, customers";
    let chosen = one_of(
        "segment",
        options,
        vec![
            s.label.map(|label| Named::Params(Box::new(ListParams { label: Some(label), ..ListParams::default() }))),
            s.tier.map(|tier| Named::Params(Box::new(ListParams { tier: Some(tier), ..ListParams::default() }))),
            s.group
                .map(|g| Named::Params(Box::new(ListParams { group: Some(g.to_string()), ..ListParams::default() }))),
            s.filter.map(|f| list_params(&f)).transpose()?.map(|p| Named::Params(Box::new(p))),
            s.saved_filter.map(Named::Saved),
            s.customers.map(Named::Picked),
        ],
    )?;
    let scope = principal.scope();
    let segment = match chosen {
        Named::Params(p) => Segment::Filter(p.query(scope)?),
        Named::Saved(id) => {
            let saved = app::outreach::saved_filter(&state.db, principal, SavedFilterId(id)).await?;
            Segment::Filter(list_params(&saved.query)?.query(scope)?)
        }
        Named::Picked(ids) => {
            if ids.is_empty() || ids.len() > 1_000 {
                return Err(HttpError::of(domain::codes::OUT_OF_RANGE)
                    .on("customers")
                    .with("value", ids.len())
                    .with("min", 1)
                    .with("max", 1_000));
            }
            Segment::Customers(ids.into_iter().map(CustomerId).collect())
        }
    };
    Ok((segment, named))
}

/// Sends an approved idea, content item or product to a segment (or, with
/// `preview`, counts who would receive it). Every member is judged for
/// suitability; those above their match are withheld and counted.
#[utoipa::path(post, path = "/sends", request_body = SendBody,
    responses((status = 201, body = Sent), (status = 200, description = "A preview", body = Sent),
        (status = 400, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
pub async fn send(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    JsonBody(body): JsonBody<SendBody>,
) -> Result<(StatusCode, Json<Sent>), HttpError> {
    let i = body.item;
    let item = one_of(
        "item",
        "idea, content, product, notice",
        vec![
            i.idea.map(|id| Item::Idea(IdeaId(id))),
            i.content.map(|id| Item::Content(ContentId(id))),
            i.product.map(|id| Item::Product(ProductId(id))),
            i.notice.map(|id| Item::Notice(domain::NoticeId(id))),
        ],
    )?;
    let (segment, named) = segment(&state, &principal, body.segment).await?;
    let request = SendRequest { item, segment, named, preview: body.preview };
    let outcome = state.outreach.send(&principal, &request).await?;
    let status = if body.preview { StatusCode::OK } else { StatusCode::CREATED };
    Ok((status, Json(outcome.into())))
}

/// Sends with their counts, reads and follow-through (a trade in the
/// idea's instrument or a purchase of the product within five trading
/// days): an advisor's own, everyone's for managers and compliance.
#[utoipa::path(get, path = "/sends", responses((status = 200, body = Object), (status = 403, body = crate::error::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
) -> Result<Json<Vec<SendReport>>, HttpError> {
    Ok(Json(state.outreach.sends(&principal).await?))
}

/// One send with its reads and follow-through.
#[utoipa::path(get, path = "/sends/{send}", params(("send" = i64, Path, description = "Send id")),
    responses((status = 200, body = Object), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
) -> Result<Json<SendReport>, HttpError> {
    let id: SendId = crate::params::path_id(&id, "send")?;
    Ok(Json(state.outreach.send_report(&principal, id).await?))
}

/// The caller's inbox (customers): what their advisor and the firm sent, newest first.
#[utoipa::path(get, path = "/inbox", responses((status = 200, body = Object), (status = 403, body = crate::error::ErrorBody)))]
pub async fn inbox(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
) -> Result<Json<Vec<InboxRow>>, HttpError> {
    Ok(Json(state.outreach.inbox(&principal, 200).await?))
}

/// Opens a message of the caller's inbox: counted as read, once.
#[utoipa::path(post, path = "/inbox/{send}/read", params(("send" = i64, Path, description = "Send id")),
    responses((status = 200, body = Object), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody)))]
pub async fn read(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
) -> Result<Json<InboxRow>, HttpError> {
    let id: SendId = crate::params::path_id(&id, "send")?;
    Ok(Json(state.outreach.read(&principal, id).await?))
}

/// A filter of the customer list to keep by name.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewFilter {
    /// Name (saving under a name used replaces that filter).
    pub name: String,
    /// The list's query string, e.g. `label=engagement:low&risk=C3`.
    pub query: String,
}

/// A saved filter.
#[derive(Debug, Serialize, ToSchema)]
pub struct Filter {
    /// Id.
    #[schema(value_type = i64)]
    pub id: SavedFilterId,
    /// Name.
    pub name: String,
    /// Query string.
    pub query: String,
}

impl From<SavedFilterRow> for Filter {
    fn from(f: SavedFilterRow) -> Filter {
        Filter { id: f.id, name: f.name, query: f.query }
    }
}

/// The caller's saved filters.
#[utoipa::path(get, path = "/saved-filters", responses((status = 200, body = [Filter]), (status = 403, body = crate::error::ErrorBody)))]
pub async fn filters(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
) -> Result<Json<Vec<Filter>>, HttpError> {
    Ok(Json(app::outreach::saved_filters(&state.db, &principal).await?.into_iter().map(Filter::from).collect()))
}

/// Saves a filter of the customer list by name (staff); checked as the list checks it.
#[utoipa::path(post, path = "/saved-filters", request_body = NewFilter,
    responses((status = 201, body = Filter), (status = 400, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody)))]
pub async fn save_filter(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    JsonBody(r): JsonBody<NewFilter>,
) -> Result<(StatusCode, Json<Filter>), HttpError> {
    let params = list_params(&r.query)?;
    params.query(principal.scope())?;
    let query = params.filters_query();
    let id = app::outreach::save_filter(&state.db, &principal, &r.name, &query).await?;
    Ok((StatusCode::CREATED, Json(Filter { id, name: r.name.trim().into(), query })))
}
