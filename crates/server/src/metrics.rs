//! What a Prometheus scrapes at `GET /metrics` (text format): requests'
//! latencies by route template, open sockets by kind, quotes in, reminders
//! made, delivered and pushed, and how far behind the bus this process's
//! consumers are. A watch worker serves the same endpoint with its
//! partitions' figures (see [`worker_routes`]).

use app::cluster::follow::Followed;
use app::cluster::worker::WorkerStatus;
use app::risk_desk::RiskDesk;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric};
use prometheus_client::metrics::counter::{ConstCounter, Counter};
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::{ConstGauge, Gauge};
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;
use std::sync::atomic::Ordering;
use std::sync::Arc;

/// A metric's labels: (name, value) pairs.
pub type Labels = Vec<(&'static str, String)>;

/// The kinds of socket a server holds, as the `kind` label names them.
#[derive(Debug, Clone, Copy)]
pub enum SocketKind {
    /// A page's live reminders.
    Reminders,
    /// A group's chat.
    Chat,
    /// A customer's inbox.
    Inbox,
    /// A one-to-one conversation.
    Conversation,
}

impl SocketKind {
    fn label(self) -> Labels {
        let kind = match self {
            SocketKind::Reminders => "reminders",
            SocketKind::Chat => "chat",
            SocketKind::Inbox => "inbox",
            SocketKind::Conversation => "conversation",
        };
        vec![("kind", kind.to_owned())]
    }
}

/// A server's metrics.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    requests: Family<Labels, Histogram>,
    sockets: Family<Labels, Gauge>,
    reminders_pushed: Counter,
    follow_lag: Family<Labels, Gauge>,
}

/// Counts a socket open while it lives.
#[derive(Debug)]
pub struct SocketOpen {
    gauge: Gauge,
}

impl Drop for SocketOpen {
    fn drop(&mut self) {
        self.gauge.dec();
    }
}

/// The desk's counts, read at each scrape.
#[derive(Debug)]
struct DeskCollector(Arc<RiskDesk>);

impl prometheus_client::collector::Collector for DeskCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let c = self.0.counts();
        for (name, help, value) in [
            ("brokerdesk_quotes_in", "Quotes taken from the feed", &c.quotes_in),
            ("brokerdesk_reminders_made", "Reminders made (stored new) by this process", &c.reminders_made),
            (
                "brokerdesk_reminders_delivered",
                "Reminders delivered to inboxes by this process",
                &c.reminders_delivered,
            ),
        ] {
            let counter = ConstCounter::new(value.load(Ordering::Relaxed));
            counter.encode(encoder.encode_descriptor(name, help, None, counter.metric_type())?)?;
        }
        Ok(())
    }
}

impl Metrics {
    /// A server's metrics, the desk's counts among them.
    pub fn new(desk: Arc<RiskDesk>) -> Metrics {
        let mut registry = Registry::default();
        let requests = Family::<Labels, Histogram>::new_with_constructor(|| {
            // 1 ms to about 16 s.
            Histogram::new(exponential_buckets(0.001, 2.0, 15))
        });
        registry.register(
            "brokerdesk_request_seconds",
            "Time to answer a request, by route template",
            requests.clone(),
        );
        let sockets = Family::<Labels, Gauge>::default();
        registry.register("brokerdesk_sockets", "Open WebSockets, by kind", sockets.clone());
        let reminders_pushed = Counter::default();
        registry.register("brokerdesk_reminders_pushed", "Reminders pushed to open pages", reminders_pushed.clone());
        let follow_lag = Family::<Labels, Gauge>::default();
        registry.register(
            "brokerdesk_follow_lag",
            "Messages a stream holds beyond the last this server's follower took, by stream",
            follow_lag.clone(),
        );
        registry.register_collector(Box::new(DeskCollector(desk)));
        Metrics { registry, requests, sockets, reminders_pushed, follow_lag }
    }

    /// Records one request's time under its route template.
    pub fn observe_request(&self, method: &str, route: &str, seconds: f64) {
        let labels = vec![("method", method.to_owned()), ("route", route.to_owned())];
        self.requests.get_or_create(&labels).observe(seconds);
    }

    /// Counts a socket of `kind` as open until the answer is dropped.
    pub fn socket_open(&self, kind: SocketKind) -> SocketOpen {
        let gauge = self.sockets.get_or_create_owned(&kind.label());
        gauge.inc();
        SocketOpen { gauge }
    }

    /// Counts a reminder pushed to a page.
    pub fn reminder_pushed(&self) {
        self.reminders_pushed.inc();
    }

    /// The text format.
    fn text(&self) -> String {
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &self.registry).expect("writing to a string");
        text
    }
}

/// The Prometheus text format's content type.
const TEXT_FORMAT: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// GET /metrics: the server's metrics (the followers' lag read from the bus first).
pub async fn serve_metrics(State(state): State<crate::AppState>) -> Response {
    if let Some((bus, followed)) = &state.cluster {
        for (k, stream) in [bus::REMINDER_STREAM, bus::LIVE_STREAM].into_iter().enumerate() {
            if let Ok(last) = bus.last_sequence(stream).await {
                let seen = followed.last_sequence[k].load(Ordering::Relaxed);
                let lag = last.saturating_sub(seen) as i64;
                state.metrics.follow_lag.get_or_create(&vec![("stream", stream.to_owned())]).set(lag);
            }
        }
    }
    ([(header::CONTENT_TYPE, TEXT_FORMAT)], state.metrics.text()).into_response()
}

/// A server's place on the bus: the bus and what its followers took.
pub type ClusterState = (bus::Bus, Arc<Followed>);

/// A worker's partitions, read at each scrape.
#[derive(Debug)]
struct WorkerCollector(Arc<WorkerStatus>);

impl prometheus_client::collector::Collector for WorkerCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let partitions = self.0.partitions();
        let families: [(&str, &str, bool); 5] = [
            ("brokerdesk_partition_served", "1 when the partition is loaded and consuming, 0 while it loads", false),
            ("brokerdesk_quotes_in", "Quotes taken from the feed, by partition", true),
            ("brokerdesk_reminders_made", "Reminders made (stored new), by partition", true),
            ("brokerdesk_reminders_delivered", "Reminders delivered to inboxes, by partition", true),
            ("brokerdesk_consumer_lag", "Feed messages waiting for the partition's durable consumer", false),
        ];
        for (k, (name, help, counter)) in families.into_iter().enumerate() {
            let kind = if counter {
                prometheus_client::metrics::MetricType::Counter
            } else {
                prometheus_client::metrics::MetricType::Gauge
            };
            let mut family = encoder.encode_descriptor(name, help, None, kind)?;
            for p in &partitions {
                let labels = [("partition", p.partition.clone())];
                let value = match k {
                    0 => u64::from(p.since.is_some()),
                    1 => p.quotes_in,
                    2 => p.reminders_made,
                    3 => p.reminders_delivered,
                    _ => p.lag,
                };
                let metric = family.encode_family(&labels)?;
                if counter {
                    ConstCounter::new(value).encode(metric)?;
                } else {
                    ConstGauge::new(value as i64).encode(metric)?;
                }
            }
        }
        Ok(())
    }
}

/// A watch worker's endpoints: `/health`, `/ready` (once its own partition
/// is served) and `/metrics`.
pub fn worker_routes(status: Arc<WorkerStatus>, own: app::cluster::Partition) -> axum::Router {
    use axum::routing::get;
    let mut registry = Registry::default();
    registry.register_collector(Box::new(WorkerCollector(status.clone())));
    let registry = Arc::new(registry);
    axum::Router::new()
        .route("/health", get(|| async { "ok" }))
        .route(
            "/ready",
            get(move || {
                let status = status.clone();
                async move {
                    if status.serves(own) {
                        (axum::http::StatusCode::OK, "ready")
                    } else {
                        (axum::http::StatusCode::SERVICE_UNAVAILABLE, "loading")
                    }
                }
            }),
        )
        .route(
            "/metrics",
            get(move || {
                let registry = registry.clone();
                async move {
                    let mut text = String::new();
                    prometheus_client::encoding::text::encode(&mut text, &registry).expect("writing to a string");
                    ([(header::CONTENT_TYPE, TEXT_FORMAT)], text)
                }
            }),
        )
}
