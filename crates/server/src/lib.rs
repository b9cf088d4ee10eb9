//! The HTTP face of Brokerdesk: server-rendered pages (maud + htmx), the JSON
//! API under /api/v1 with its OpenAPI document. Handlers are thin: they parse
//! the request, call the store, and render.

mod api;
mod auth;
mod error;
mod i18n;
mod metrics;
mod pages;
mod params;
mod peer;
mod request_log;
mod security_headers;

use app::community::Communities;
use app::orders::OrderDesk;
use app::outreach::Outreach;
use app::risk_desk::{DeskSettings, RiskDesk};
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::{get, post, MethodRouter};
use axum::Router;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use store::Db;
use tokio::net::TcpListener;

pub use error::{every_code, status_of, ErrorBody, HttpError};
pub use metrics::worker_routes;

/// What every handler can reach.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The database.
    pub db: Db,
    /// The position watch and its reminders.
    pub desk: Arc<RiskDesk>,
    /// Advisor communities and their live chat.
    pub community: Arc<Communities>,
    /// Sends to segments, the customers' inboxes and their live pushes.
    pub outreach: Arc<Outreach>,
    /// Tickets' checks, the paper exchange and conditional orders.
    pub orders: Arc<OrderDesk>,
    /// What customers' activity earns in points.
    pub growth: Arc<growth::GrowthRules>,
    /// Feedback, complaints and incidents.
    pub service: Arc<app::service::ServiceDesk>,
    /// One-to-one conversations and their live pages.
    pub conversations: Arc<app::conversations::Conversations>,
    /// What a Prometheus scrapes.
    pub metrics: Arc<metrics::Metrics>,
    /// Past one machine: the bus, and what this server's followers took from it.
    pub cluster: Option<metrics::ClusterState>,
}

/// htmx 2.0.11 (0BSD), vendored so that nothing is fetched at build or run time.
const HTMX: &str = include_str!("../assets/htmx.min.js");
/// TradingView Lightweight Charts 4.2.3 (Apache-2.0, see assets/lightweight-charts.LICENSE), vendored likewise.
const CHARTS: &str = include_str!("../assets/lightweight-charts.standalone.production.js");
/// Our script that draws an instrument page's chart.
const INSTRUMENT_CHART: &str = include_str!("../assets/instrument-chart.js");
/// Our script that adds reminders to a page as they arrive.
const REMINDERS_LIVE: &str = include_str!("../assets/reminders-live.js");

/// Our script that turns a drag across the customer map into a segment's region.
const CUSTOMER_MAP: &str = include_str!("../assets/customer-map.js");

/// Our script that sends a file chosen on a ticket's page as its attachment.
const TICKET_ATTACH: &str = include_str!("../assets/ticket-attach.js");

/// Our script that keeps a one-to-one conversation live.
const CONVERSATION_LIVE: &str = include_str!("../assets/conversation-live.js");

/// Our script that adds inbox messages to a customer's page as they arrive.
const INBOX_LIVE: &str = include_str!("../assets/inbox-live.js");

/// Our script that keeps a group's chat live and sends from it.
const GROUP_CHAT: &str = include_str!("../assets/group-chat.js");
/// The pages' stylesheet (a file, since the policy allows no inline style).
const STYLESHEET: &str = include_str!("../assets/brokerdesk.css");

/// A static asset, cached for a day.
fn asset(content_type: &'static str, body: &'static str) -> axum::response::Response {
    ([(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, "public, max-age=86400")], body).into_response()
}

/// A static script, cached for a day.
fn script(body: &'static str) -> axum::response::Response {
    asset("text/javascript", body)
}

/// The largest body a feed call may send: a book file of a few million rows.
const FEED_BODY_LIMIT: usize = 512 << 20;

/// Where the JSON API is served; its document's paths are relative to it.
pub const API_BASE: &str = "/api/v1";

/// Every route the server answers, around the given state.
fn router_around(state: AppState) -> Router {
    let (api, feeds) = api::routers();
    let (api, _) = api.split_for_parts();
    let (feeds, _) = feeds.split_for_parts();
    // Everything behind a session except signing in and static assets.
    let protected = page_routes()
        .into_iter()
        .fold(Router::new(), |router, (path, handlers)| router.route(path, handlers))
        .nest(API_BASE, api)
        .layer(axum::middleware::from_fn_with_state(state.clone(), auth::require_principal));
    let feeds = Router::new()
        .nest(API_BASE, feeds)
        .layer(axum::middleware::from_fn_with_state(state.clone(), auth::require_feed_caller))
        // A whole book file may come in one call.
        .layer(axum::extract::DefaultBodyLimit::max(FEED_BODY_LIMIT));
    let public =
        public_routes().into_iter().fold(Router::new(), |router, (path, handlers)| router.route(path, handlers));
    Router::new()
        .merge(protected)
        .merge(feeds)
        .merge(public)
        // A route layer runs after routing, so it sees the matched template.
        .route_layer(axum::middleware::from_fn_with_state(state.metrics.clone(), request_log::log_request))
        // No route: the one error shape too.
        .fallback(|| async { HttpError::of(error::codes::NO_SUCH_ROUTE) })
        // Every error answer's message in the reader's language, whichever handler made it.
        .layer(axum::middleware::from_fn(error::localize))
        // Outermost, so that every answer has them, refusals and 404s included.
        .layer(axum::middleware::from_fn(security_headers::add))
        .with_state(state)
}

/// The routes open without a session: signing in and static assets.
fn public_routes() -> Vec<(&'static str, MethodRouter<AppState>)> {
    vec![
        ("/signin", get(auth::sign_in_form).post(auth::sign_in)),
        ("/invite/{code}", get(pages::invite_landing)),
        ("/share/{kind}/{id}", get(pages::share_open)),
        ("/favicon.ico", get(|| async { axum::http::StatusCode::NO_CONTENT })),
        ("/ready", get(ready)),
        ("/health", get(|| async { "ok" })),
        ("/metrics", get(metrics::serve_metrics)),
        ("/assets/brokerdesk.css", get(|| async { asset("text/css; charset=utf-8", STYLESHEET) })),
        ("/assets/htmx.min.js", get(|| async { script(HTMX) })),
        ("/assets/lightweight-charts.js", get(|| async { script(CHARTS) })),
        ("/assets/instrument-chart.js", get(|| async { script(INSTRUMENT_CHART) })),
        ("/assets/reminders-live.js", get(|| async { script(REMINDERS_LIVE) })),
        ("/assets/group-chat.js", get(|| async { script(GROUP_CHAT) })),
        ("/assets/inbox-live.js", get(|| async { script(INBOX_LIVE) })),
        ("/assets/customer-map.js", get(|| async { script(CUSTOMER_MAP) })),
        ("/assets/conversation-live.js", get(|| async { script(CONVERSATION_LIVE) })),
        ("/assets/ticket-attach.js", get(|| async { script(TICKET_ATTACH) })),
    ]
}

/// Seconds a feeder is told to wait while the position watch loads.
pub(crate) const WATCH_LOADING_RETRY_SECONDS: &str = "5";

/// Whether the server takes the feed yet: 200 once the position watch is
/// loaded (past one machine: once the bus is connected), 503 with
/// Retry-After before (for load balancers and feeders).
async fn ready(axum::extract::State(state): axum::extract::State<AppState>) -> Result<&'static str, HttpError> {
    let bus_up = state.cluster.as_ref().is_none_or(|(bus, _)| bus.connected());
    if state.desk.is_ready() && bus_up {
        Ok("ready")
    } else {
        Err(HttpError::of(app::codes::WATCH_LOADING).with("seconds", WATCH_LOADING_RETRY_SECONDS))
    }
}

/// The paths of the routes open without a session.
pub fn public_paths() -> Vec<&'static str> {
    public_routes().into_iter().map(|(path, _)| path).collect()
}

/// The pages behind a session, as (path, handlers); the API's routes are
/// its document's ([`api_operations`]).
fn page_routes() -> Vec<(&'static str, MethodRouter<AppState>)> {
    let mut routes = pages::routes();
    routes.push(("/signout", post(auth::sign_out)));
    routes
}

/// The API's OpenAPI document (paths relative to [`API_BASE`]).
pub fn openapi() -> &'static utoipa::openapi::OpenApi {
    api::document()
}

/// Every API operation as (method, full path), from its document: the
/// routers are built from the same list, so this is what is served.
pub fn api_operations() -> Vec<(String, String)> {
    let mut operations = Vec::new();
    for (path, item) in &openapi().paths.paths {
        let methods = [("get", &item.get), ("post", &item.post), ("put", &item.put), ("delete", &item.delete)];
        for (method, operation) in methods {
            if operation.is_some() {
                operations.push((method.to_owned(), format!("{API_BASE}{path}")));
            }
        }
    }
    operations
}

/// The paths of every route that needs a session (`{id}` for path ids):
/// the pages, sign-out and the API (its feeds aside).
pub fn protected_paths() -> Vec<String> {
    let feeds = feed_paths();
    let mut paths: Vec<String> = page_routes().into_iter().map(|(path, _)| path.to_owned()).collect();
    let api = api_operations().into_iter().map(|(_, path)| path).filter(|p| !feeds.contains(p));
    for path in api {
        if !paths.contains(&path) {
            paths.push(path);
        }
    }
    paths
}

/// The paths of the machine feeds, which take an API token instead of a session.
pub fn feed_paths() -> Vec<String> {
    let (_, feeds) = api::routers();
    feeds.into_openapi().paths.paths.keys().map(|path| format!("{API_BASE}{path}")).collect()
}

/// How often the outbox looks for reminders whose quiet hours have ended
/// and for scheduled content that is due.
const OUTBOX_INTERVAL: Duration = Duration::from_secs(30);
/// Outbox rounds between sweeps of the points ledger (an hour).
const LEDGER_SWEEP_TICKS: u64 = 120;

/// Serves until `shutdown` completes, with the risk desk's outbox running
/// beside. With a `bus` (past one machine) the feed's trades and quotes go
/// to the watch workers, chat and reminders come back through it to this
/// server's sockets, and the outbox runs on whichever server holds its lease.
pub async fn serve(
    listener: TcpListener,
    db: Db,
    settings: DeskSettings,
    bus: Option<bus::Bus>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let mut outreach = Outreach::new(db.clone(), settings.quiet).with_earning(settings.growth.earning.clone());
    let mut conversations = app::conversations::Conversations::new(db.clone());
    if let Some(bus) = &bus {
        outreach = outreach.with_bus(bus.clone());
        conversations = conversations.with_bus(bus.clone());
    }
    let (outreach, conversations) = (Arc::new(outreach), Arc::new(conversations));
    let orders =
        Arc::new(OrderDesk::new(db.clone(), settings.orders.clone()).with_tiers(settings.growth.tiers.clone()));
    let growth = Arc::new(settings.growth.clone());
    let cadence = settings.cadence;
    let service = Arc::new(app::service::ServiceDesk::new(db.clone(), settings.service.clone()));
    // Nothing younger than the retention is deleted: the database's triggers read it.
    let retention = settings.service.retention_years;
    if db.retention_years().await.ok() != Some(retention) {
        if let Err(e) = db.set_retention_years(retention).await {
            tracing::error!(error = %e, "the retention could not be set");
        }
    }
    let desk = Arc::new(match &bus {
        Some(bus) => RiskDesk::for_workers(db.clone(), settings, bus.clone()),
        None => RiskDesk::new(db.clone(), settings),
    });
    let mut community = Communities::new(db.clone())
        .with_wire(peer::text_frame)
        .with_growth((*growth).clone())
        .with_cadence(cadence)
        .with_service(service.settings().clone());
    if let Some(bus) = &bus {
        community = community.with_bus(bus.clone());
    }
    let community = Arc::new(community);
    // Past one machine: follow the bus before the first request, so that nothing pushed is missed.
    let mut followers = Vec::new();
    let mut cluster = None;
    // The outbox's rounds run on one server at a time: the holder of its lease.
    let mut outbox_mine = Arc::new(std::sync::atomic::AtomicBool::new(true));
    if let Some(bus) = &bus {
        let followed = Arc::new(app::cluster::follow::Followed::default());
        let pushers = app::cluster::follow::Pushers {
            desk: desk.clone(),
            community: community.clone(),
            outreach: outreach.clone(),
            conversations: conversations.clone(),
        };
        followers = app::cluster::follow::spawn(bus, pushers, followed.clone()).await.map_err(std::io::Error::other)?;
        cluster = Some((bus.clone(), followed));
        let holder = format!("server-{}-{}", std::process::id(), listener.local_addr()?);
        let (holding, mine) = app::cluster::hold_outbox(bus, holder).await.map_err(std::io::Error::other)?;
        followers.push(holding);
        outbox_mine = mine;
    }
    let outbox = tokio::spawn({
        let (desk, community, outreach, db_clock) = (desk.clone(), community.clone(), outreach.clone(), db.clock());
        let db_for_notices = db.clone();
        let growth_rules = growth.clone();
        let service = service.clone();
        let outbox_mine = outbox_mine.clone();
        async move {
            let mut every = tokio::time::interval(OUTBOX_INTERVAL);
            let mut ticks: u64 = 0;
            let mut tiers_judged_on: Option<chrono::NaiveDate> = None;
            loop {
                every.tick().await;
                if !outbox_mine.load(std::sync::atomic::Ordering::Acquire) {
                    continue;
                }
                let now = db_clock.now();
                // Hourly: points holds and rewards past their timeout voided, lots past 24 months
                // expired, referrals judged and qualified rewards posted; tiers once a (Beijing) day.
                ticks += 1;
                if ticks % LEDGER_SWEEP_TICKS == 1 {
                    if let Err(e) = app::growth::sweep(&db_for_notices, &growth_rules, now).await {
                        tracing::error!(error = %e, "the points ledger's sweep failed; retrying");
                    }
                    let today = domain::to_shanghai(now).date_naive();
                    if tiers_judged_on != Some(today) {
                        if let Err(e) = app::growth::earn_tenure(&db_for_notices, &growth_rules.earning, today).await {
                            tracing::error!(error = %e, "tenure points could not be earned");
                        }
                        match app::growth::tiers::recompute(&db_for_notices, &growth_rules.tiers, today).await {
                            Ok(run) => {
                                tiers_judged_on = Some(today);
                                tracing::info!(judged = run.judged, changes = run.changes, "tiers judged");
                            }
                            Err(e) => tracing::error!(error = %e, "judging tiers failed; retrying"),
                        }
                    }
                }
                // Round after round while rounds come back full (a flood after quiet hours).
                loop {
                    match desk.deliver_due(now).await {
                        Ok(n) if n >= store::DELIVERIES_PER_ROUND => tokio::task::yield_now().await,
                        Ok(_) => break,
                        Err(e) => {
                            tracing::error!(error = %e, "the reminder outbox failed; retrying");
                            break;
                        }
                    }
                }
                if let Err(e) = community.publish_due(now).await {
                    tracing::error!(error = %e, "publishing scheduled content failed; retrying");
                }
                // Red envelopes past their day: what is left goes back to the sender.
                if let Err(e) = community.return_due_envelopes(now).await {
                    tracing::error!(error = %e, "returning red envelopes failed; retrying");
                }
                // Dated corporate events remind their holders again as the deadline comes.
                if let Err(e) = app::notices::remind_deadlines(&db_for_notices, &desk).await {
                    tracing::error!(error = %e, "reminding holders of deadlines failed; retrying");
                }
                // Complaints past their SLA climb to the branch manager, then compliance.
                if let Err(e) = service.sweep(now).await {
                    tracing::error!(error = %e, "escalating overdue complaints failed; retrying");
                }
                if let Err(e) = outreach.deliver_due(now).await {
                    tracing::error!(error = %e, "delivering sends held over quiet hours failed; retrying");
                }
            }
        }
    });
    // The watch loads beside the server: pages answer at once, the feed once it is ready.
    let warm = tokio::spawn({
        let (desk, orders) = (desk.clone(), orders.clone());
        async move {
            let (orders, watch) = tokio::join!(orders.warm_start(), desk.warm_start());
            if let Err(e) = orders {
                tracing::error!(error = %e, "the waiting orders could not be loaded; the first quote loads them");
            }
            if let Err(e) = watch {
                tracing::error!(error = %e, "the position watch could not be loaded; it builds on the first snapshot");
            }
        }
    });
    let metrics = Arc::new(metrics::Metrics::new(desk.clone()));
    let app = router_around(AppState {
        db,
        desk,
        community,
        outreach,
        orders,
        growth,
        service,
        conversations,
        metrics,
        cluster,
    });
    // Each request carries its connection, so that the chat hub can write to it directly.
    let served =
        axum::serve(peer::PeerListener(listener), app.into_make_service_with_connect_info::<peer::PeerWriter>())
            .with_graceful_shutdown(shutdown)
            .await;
    outbox.abort();
    warm.abort();
    for follower in followers {
        follower.abort();
    }
    served
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Before the watch is loaded the feed takes nothing: `/ready` and the
    /// events feed answer 503 with Retry-After, pages already answer; once
    /// loaded, both open.
    #[tokio::test(flavor = "multi_thread")]
    async fn the_feed_waits_for_the_watch_with_503_and_retry_after() {
        let t = test_db::sqlite().await;
        let token = test_db::events_token(&t.db).await;
        let desk = Arc::new(RiskDesk::new(t.db.clone(), DeskSettings { threads: 1, ..Default::default() }));
        let community = Arc::new(Communities::new(t.db.clone()));
        let outreach = Arc::new(Outreach::new(t.db.clone(), Default::default()));
        let orders = Arc::new(OrderDesk::new(t.db.clone(), Default::default()));
        let growth = Arc::default();
        let service = Arc::new(app::service::ServiceDesk::new(t.db.clone(), Default::default()));
        let app = router_around(AppState {
            db: t.db.clone(),
            desk: desk.clone(),
            community,
            outreach,
            orders,
            growth,
            service,
            conversations: Arc::new(app::conversations::Conversations::new(t.db.clone())),
            metrics: Arc::new(metrics::Metrics::new(desk.clone())),
            cluster: None,
        });
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            axum::serve(peer::PeerListener(listener), app.into_make_service_with_connect_info::<peer::PeerWriter>())
                .await
                .unwrap();
        });
        let client = reqwest::Client::new();
        let ready = || client.get(format!("http://{addr}/ready")).send();
        let feed = || {
            client
                .post(format!("http://{addr}/api/v1/feeds/events"))
                .bearer_auth(&token)
                .json(&serde_json::json!({ "events": [] }))
                .send()
        };
        let r = ready().await.unwrap();
        assert_eq!(r.status(), 503);
        let r = feed().await.unwrap();
        assert_eq!(r.status(), 503);
        assert_eq!(r.headers()["retry-after"], WATCH_LOADING_RETRY_SECONDS);
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["code"], "watch_loading", "{body}");
        assert_eq!(client.get(format!("http://{addr}/signin")).send().await.unwrap().status(), 200, "pages answer");

        desk.warm_start().await.unwrap();
        assert_eq!(ready().await.unwrap().status(), 200);
        assert_eq!(feed().await.unwrap().status(), 200);
    }
}
