//! The message bus between Brokerdesk's processes once it runs past one
//! machine: NATS JetStream. Servers publish the feed's quotes and trades,
//! watch workers consume them, and reminders and chat travel back to
//! whichever server holds a reader's socket. This crate knows streams,
//! subjects, consumers and leases; what the messages mean is `app`'s.
//!
//! Exactly once in effect: every message that must not be doubled is
//! published with an id (`Nats-Msg-Id`), which the stream drops when it
//! comes again within [`DUPLICATE_WINDOW`]; consumers resume from stream
//! sequence numbers, so a reconnect misses nothing.

pub mod lease;
pub mod local;

use async_nats::jetstream::{self, consumer, stream};
use bytes::Bytes;
use futures_util::StreamExt;
use std::time::Duration;

pub use lease::{Lease, Leases};

/// The stream of the feed's quotes and trades, as the servers took them.
pub const FEED_STREAM: &str = "BD_FEED";
/// The one subject of the feed: one message per feed call, in the order taken.
pub const FEED_SUBJECT: &str = "bd.feed";
/// The stream of reminders made and delivered.
pub const REMINDER_STREAM: &str = "BD_REMINDERS";
/// The stream of live pushes: group chat, inboxes, one-to-one conversations.
pub const LIVE_STREAM: &str = "BD_LIVE";
/// The key-value bucket of leases (watch partitions, the outbox).
pub const LEASE_BUCKET: &str = "bd_leases";

/// How long a stream remembers a message id: a message published again
/// within it (a worker's retry, a new owner's replay) is stored once.
pub const DUPLICATE_WINDOW: Duration = Duration::from_secs(300);

/// Messages published back to back before their acknowledgements are awaited.
const PUBLISH_RUN: usize = 1_000;

/// How long the streams keep messages: a day's trading and then some.
const RETENTION: Duration = Duration::from_secs(2 * 24 * 3600);

/// The subject of reminders made for an advisor's customers.
pub fn advisor_reminders(advisor: i64) -> String {
    format!("bd.reminders.advisor.{advisor}")
}

/// The subject of reminders delivered to a customer.
pub fn customer_reminders(customer: i64) -> String {
    format!("bd.reminders.customer.{customer}")
}

/// The subject of one live channel (`chat` and a group id, `inbox` and a
/// customer id, `conversation` and its id).
pub fn live(kind: &str, id: i64) -> String {
    format!("bd.live.{kind}.{id}")
}

/// Why the bus could not be used.
#[derive(Debug, thiserror::Error)]
pub enum BusError {
    /// No connection to the NATS server.
    #[error("NATS at {url}: {reason}")]
    Connect {
        /// The URL tried.
        url: String,
        /// Why.
        reason: String,
    },
    /// A JetStream call failed (stream, consumer, publish, key-value).
    #[error("JetStream {what}: {reason}")]
    JetStream {
        /// What was being done.
        what: &'static str,
        /// Why.
        reason: String,
    },
}

/// A JetStream failure as a [`BusError`].
fn js_error(what: &'static str) -> impl Fn(&dyn std::fmt::Display) -> BusError {
    move |e| BusError::JetStream { what, reason: e.to_string() }
}

/// A message to publish, with its id when it must not be stored twice.
fn message(id: Option<String>, payload: Bytes) -> jetstream::message::PublishMessage {
    let message = jetstream::message::PublishMessage::build().payload(payload);
    match id {
        Some(id) => message.message_id(id),
        None => message,
    }
}

/// A connection to NATS with the streams and the lease bucket in place.
#[derive(Clone)]
pub struct Bus {
    client: async_nats::Client,
    js: jetstream::Context,
    url: String,
}

impl std::fmt::Debug for Bus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bus").field("url", &self.url).finish_non_exhaustive()
    }
}

/// One message taken from a stream.
#[derive(Debug, Clone)]
pub struct Delivered {
    /// Its subject.
    pub subject: String,
    /// Its body.
    pub payload: Bytes,
    /// Its sequence number in the stream.
    pub sequence: u64,
}

/// A question asked over plain NATS (see [`Bus::ask`]).
pub struct Question {
    /// Its subject.
    pub subject: String,
    /// Its body.
    pub payload: Bytes,
    reply: Option<String>,
    client: async_nats::Client,
}

impl std::fmt::Debug for Question {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Question").field("subject", &self.subject).finish_non_exhaustive()
    }
}

impl Question {
    /// Answers it (a question asked without a reply address is dropped).
    pub async fn answer(&self, payload: Bytes) -> Result<(), BusError> {
        let Some(reply) = &self.reply else { return Ok(()) };
        self.client.publish(reply.clone(), payload).await.map_err(|e| js_error("answering")(&e))
    }
}

impl Bus {
    /// Connects (to one URL, or to any of a comma-separated list: a NATS
    /// cluster's nodes) and makes sure the streams and the lease bucket
    /// exist (any process may be the first to start).
    pub async fn connect(url: &str) -> Result<Bus, BusError> {
        let nodes: Vec<&str> = url.split(',').map(str::trim).filter(|u| !u.is_empty()).collect();
        let client = async_nats::ConnectOptions::new()
            .name("brokerdesk")
            // A restarting NATS server is waited for, not an error.
            .retry_on_initial_connect()
            .connection_timeout(Duration::from_secs(5))
            .connect(nodes)
            .await
            .map_err(|e| BusError::Connect { url: url.to_owned(), reason: e.to_string() })?;
        let js = jetstream::new(client.clone());
        let bus = Bus { client, js, url: url.to_owned() };
        for (name, subject) in
            [(FEED_STREAM, FEED_SUBJECT), (REMINDER_STREAM, "bd.reminders.>"), (LIVE_STREAM, "bd.live.>")]
        {
            bus.js
                .get_or_create_stream(stream::Config {
                    name: name.to_owned(),
                    subjects: vec![subject.to_owned()],
                    max_age: RETENTION,
                    duplicate_window: DUPLICATE_WINDOW,
                    storage: stream::StorageType::File,
                    ..Default::default()
                })
                .await
                .map_err(|e| js_error("creating a stream")(&e))?;
        }
        Ok(bus)
    }

    /// True while the connection to NATS is up.
    pub fn connected(&self) -> bool {
        self.client.connection_state() == async_nats::connection::State::Connected
    }

    /// The URL connected to.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Publishes one message and waits for the stream to have it. With an
    /// id, a message already published under it is not stored again.
    /// Answers its sequence number and whether it was such a repeat.
    pub async fn publish(&self, subject: String, id: Option<String>, payload: Bytes) -> Result<(u64, bool), BusError> {
        let ack = self.js.send_publish(subject, message(id, payload)).await.map_err(|e| js_error("publishing")(&e))?;
        let ack = ack.await.map_err(|e| js_error("publishing")(&e))?;
        Ok((ack.sequence, ack.duplicate))
    }

    /// Publishes many messages (a run of them sent back to back, then their
    /// acknowledgements awaited, run after run). Answers how many were not repeats.
    pub async fn publish_all(&self, messages: Vec<(String, Option<String>, Bytes)>) -> Result<usize, BusError> {
        let mut fresh = 0;
        let mut messages = messages.into_iter().peekable();
        while messages.peek().is_some() {
            // Each acknowledgement not yet awaited holds one of the client's
            // permits (5,000): a run stays well below them, else sending waits
            // for a permit only an acknowledgement awaited later would free.
            let mut acks = Vec::with_capacity(PUBLISH_RUN);
            for (subject, id, payload) in messages.by_ref().take(PUBLISH_RUN) {
                let ack = self.js.send_publish(subject, message(id, payload)).await;
                acks.push(ack.map_err(|e| js_error("publishing")(&e))?);
            }
            for ack in acks {
                fresh += usize::from(!ack.await.map_err(|e| js_error("publishing")(&e))?.duplicate);
            }
        }
        Ok(fresh)
    }

    /// Follows a stream's subjects from now on: every message published
    /// after this call, in order, each once, across reconnects (an ordered
    /// consumer: a gap in sequence numbers makes it start again from the
    /// last one seen). For a server's pushes to its own sockets.
    pub async fn follow(
        &self,
        stream_name: &str,
        filter: &str,
    ) -> Result<impl futures_util::Stream<Item = Delivered> + Send + 'static, BusError> {
        let mut stream = self.js.get_stream(stream_name).await.map_err(|e| js_error("opening a stream")(&e))?;
        // From the next sequence number, not "new": an ordered consumer that
        // must start again before its first message starts again with its
        // first policy, and "new" would then skip what came in between.
        let next = stream.info().await.map_err(|e| js_error("reading a stream")(&e))?.state.last_sequence + 1;
        let consumer = stream
            .create_consumer(consumer::push::OrderedConfig {
                deliver_subject: self.client.new_inbox(),
                filter_subject: filter.to_owned(),
                deliver_policy: consumer::DeliverPolicy::ByStartSequence { start_sequence: next },
                ..Default::default()
            })
            .await
            .map_err(|e| js_error("following a stream")(&e))?;
        let messages = consumer.messages().await.map_err(|e| js_error("following a stream")(&e))?;
        Ok(messages.filter_map(|m| async move {
            match m {
                Ok(m) => {
                    let sequence = m.info().map(|i| i.stream_sequence).unwrap_or_default();
                    Some(Delivered { subject: m.subject.to_string(), payload: m.payload.clone(), sequence })
                }
                Err(e) => {
                    tracing::warn!(error = %e, "a followed stream missed a beat; the consumer recovers");
                    None
                }
            }
        }))
    }

    /// A durable consumer of the feed under `name`: it keeps its place in
    /// the stream whoever reads it, so a partition's new owner goes on
    /// from the last message its old owner acknowledged. Made on first use,
    /// from the messages published after it.
    pub async fn feed_consumer(&self, name: &str) -> Result<FeedConsumer, BusError> {
        let stream = self.js.get_stream(FEED_STREAM).await.map_err(|e| js_error("opening the feed")(&e))?;
        let consumer: consumer::PullConsumer = stream
            .get_or_create_consumer(
                name,
                consumer::pull::Config {
                    durable_name: Some(name.to_owned()),
                    deliver_policy: consumer::DeliverPolicy::New,
                    ack_policy: consumer::AckPolicy::Explicit,
                    // Unacknowledged past this (an owner that died or stalls), the
                    // message goes out again: it bounds a failover's wait for what
                    // the dead owner had taken.
                    ack_wait: Duration::from_secs(5),
                    max_ack_pending: 64,
                    ..Default::default()
                },
            )
            .await
            .map_err(|e| js_error("making a feed consumer")(&e))?;
        Ok(FeedConsumer { consumer })
    }

    /// The lease bucket, whose entries live `ttl` unless renewed. Leases
    /// have a JetStream context of their own, so that a renewal never waits
    /// behind a flood of publishes for the client's permits.
    pub async fn leases(&self, ttl: Duration) -> Result<Leases, BusError> {
        Leases::open(&jetstream::new(self.client.clone()), ttl).await
    }

    /// Messages waiting for a durable consumer of the feed (its lag); 0 when it does not exist yet.
    pub async fn feed_lag(&self, name: &str) -> Result<u64, BusError> {
        let stream = self.js.get_stream(FEED_STREAM).await.map_err(|e| js_error("opening the feed")(&e))?;
        match stream.consumer_info(name).await {
            Ok(info) => Ok(info.num_pending + info.num_ack_pending as u64),
            Err(_) => Ok(0),
        }
    }

    /// Asks whoever answers `subject` (plain NATS request and reply, not a
    /// stream): their answer, or none when no one answers within `wait`.
    pub async fn ask(&self, subject: String, payload: Bytes, wait: Duration) -> Result<Option<Bytes>, BusError> {
        match tokio::time::timeout(wait, self.client.request(subject, payload)).await {
            Ok(Ok(answer)) => Ok(Some(answer.payload)),
            Ok(Err(e)) if e.kind() == async_nats::RequestErrorKind::InvalidSubject => Err(js_error("asking")(&e)),
            Ok(Err(_)) | Err(_) => Ok(None),
        }
    }

    /// The questions asked on `filter` from now on, each with where to answer it.
    pub async fn questions(
        &self,
        filter: &str,
    ) -> Result<impl futures_util::Stream<Item = Question> + Send + 'static, BusError> {
        let subscriber = self.client.subscribe(filter.to_owned()).await.map_err(|e| js_error("subscribing")(&e))?;
        let client = self.client.clone();
        Ok(subscriber.map(move |m| Question {
            subject: m.subject.to_string(),
            payload: m.payload,
            reply: m.reply.map(|r| r.to_string()),
            client: client.clone(),
        }))
    }

    /// The newest sequence number of a stream.
    pub async fn last_sequence(&self, stream_name: &str) -> Result<u64, BusError> {
        let mut stream = self.js.get_stream(stream_name).await.map_err(|e| js_error("opening a stream")(&e))?;
        let info = stream.info().await.map_err(|e| js_error("reading a stream")(&e))?;
        Ok(info.state.last_sequence)
    }
}

/// A durable pull consumer of the feed.
pub struct FeedConsumer {
    consumer: consumer::PullConsumer,
}

impl std::fmt::Debug for FeedConsumer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FeedConsumer").finish_non_exhaustive()
    }
}

/// A feed message taken, to acknowledge once its effects are stored.
pub struct Taken {
    message: jetstream::Message,
    /// Its body.
    pub payload: Bytes,
    /// Its sequence number in the feed.
    pub sequence: u64,
}

impl std::fmt::Debug for Taken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Taken").field("sequence", &self.sequence).finish_non_exhaustive()
    }
}

impl Taken {
    /// Tells the stream this message's effects are stored: it is not sent again.
    pub async fn ack(&self) -> Result<(), BusError> {
        self.message.ack().await.map_err(|e| js_error("acknowledging")(&*e))
    }
}

impl FeedConsumer {
    /// The next messages waiting (at most `max`), waiting up to `wait` for the first.
    pub async fn next_batch(&self, max: usize, wait: Duration) -> Result<Vec<Taken>, BusError> {
        let mut batch = self
            .consumer
            .fetch()
            .max_messages(max)
            .expires(wait)
            .messages()
            .await
            .map_err(|e| js_error("fetching from the feed")(&e))?;
        let mut taken = Vec::new();
        while let Some(m) = batch.next().await {
            let m = m.map_err(|e| js_error("fetching from the feed")(&*e))?;
            let sequence = m.info().map(|i| i.stream_sequence).unwrap_or_default();
            taken.push(Taken { payload: m.payload.clone(), sequence, message: m });
        }
        Ok(taken)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn bus() -> Option<(local::LocalNats, Bus)> {
        if !local::available() {
            assert!(std::env::var_os("BROKERDESK_REQUIRE_NATS").is_none(), "nats-server is required here");
            eprintln!("nats-server is not installed; skipping");
            return None;
        }
        let nats = local::LocalNats::start().expect("nats-server starts");
        let bus = Bus::connect(&nats.url()).await.expect("connects");
        Some((nats, bus))
    }

    /// A follower sees what is published after it, in order, and a message
    /// published again under its id is stored (and seen) once.
    #[tokio::test]
    async fn a_repeated_message_id_is_stored_and_followed_once() {
        let Some((_nats, bus)) = bus().await else { return };
        let mut follower = Box::pin(bus.follow(REMINDER_STREAM, "bd.reminders.>").await.unwrap());
        let (first, repeat) = bus.publish(advisor_reminders(7), Some("made-1".into()), "one".into()).await.unwrap();
        assert!(!repeat);
        let (again, repeat) = bus.publish(advisor_reminders(7), Some("made-1".into()), "one".into()).await.unwrap();
        assert!(repeat, "the stream knows the id");
        assert_eq!(again, first);
        let fresh = bus
            .publish_all(vec![
                (customer_reminders(3), Some("delivered-1".into()), "two".into()),
                (advisor_reminders(7), Some("made-1".into()), "one".into()),
            ])
            .await
            .unwrap();
        assert_eq!(fresh, 1);
        let a = follower.next().await.unwrap();
        let b = follower.next().await.unwrap();
        assert_eq!((a.subject.as_str(), &a.payload[..]), ("bd.reminders.advisor.7", &b"one"[..]));
        assert_eq!((b.subject.as_str(), &b.payload[..]), ("bd.reminders.customer.3", &b"two"[..]));
        assert!(b.sequence > a.sequence);
        let nothing = tokio::time::timeout(Duration::from_millis(300), follower.next()).await;
        assert!(nothing.is_err(), "no third message: the repeats were dropped");
    }

    /// More messages than the client has permits for acknowledgements
    /// (5,000) go out in one call: an open's start judgement publishes tens
    /// of thousands of reminders at once.
    #[tokio::test]
    async fn a_flood_of_messages_is_published_without_waiting_for_ever() {
        let Some((_nats, bus)) = bus().await else { return };
        let messages: Vec<(String, Option<String>, Bytes)> =
            (0..12_000).map(|k| (advisor_reminders(k % 7), Some(format!("made-{k}")), Bytes::from("r"))).collect();
        let published = tokio::time::timeout(Duration::from_secs(60), bus.publish_all(messages)).await;
        assert_eq!(published.expect("no deadlock on the permits").unwrap(), 12_000);
    }

    /// A durable consumer goes on from the last message acknowledged,
    /// whoever opens it next: what was taken but not acknowledged comes again.
    #[tokio::test]
    async fn a_durable_consumer_resumes_after_the_last_acknowledged() {
        let Some((_nats, bus)) = bus().await else { return };
        let consumer = bus.feed_consumer("watch-0-of-1").await.unwrap();
        for k in 0..5 {
            bus.publish(FEED_SUBJECT.into(), None, format!("{k}").into()).await.unwrap();
        }
        let batch = consumer.next_batch(3, Duration::from_secs(1)).await.unwrap();
        assert_eq!(batch.len(), 3);
        batch[0].ack().await.unwrap();
        batch[1].ack().await.unwrap();
        drop(batch);
        drop(consumer);
        assert_eq!(bus.feed_lag("watch-0-of-1").await.unwrap(), 3, "one taken unacknowledged, two never taken");
        // Another owner, the same durable name: redelivery after the ack wait is not waited for here,
        // the two never taken come first.
        let consumer = bus.feed_consumer("watch-0-of-1").await.unwrap();
        let batch = consumer.next_batch(5, Duration::from_secs(1)).await.unwrap();
        let bodies: Vec<&[u8]> = batch.iter().map(|t| &t.payload[..]).collect();
        assert_eq!(bodies, vec![&b"3"[..], &b"4"[..]]);
    }

    /// A lease is one holder's while renewed; left alone it expires and another takes it.
    #[tokio::test]
    async fn a_lease_left_to_expire_passes_to_another() {
        let Some((_nats, bus)) = bus().await else { return };
        let leases = bus.leases(Duration::from_secs(1)).await.unwrap();
        let mut mine = leases.take("watch-0-of-2", "a").await.unwrap().expect("free");
        assert_eq!(leases.take("watch-0-of-2", "b").await.unwrap(), None);
        assert!(leases.renew(&mut mine, "a").await.unwrap());
        assert_eq!(leases.holder("watch-0-of-2").await.unwrap().as_deref(), Some("a"));
        tokio::time::sleep(Duration::from_millis(1600)).await;
        let theirs = leases.take("watch-0-of-2", "b").await.unwrap();
        assert!(theirs.is_some(), "expired, so b takes it");
        assert!(!leases.renew(&mut mine, "a").await.unwrap(), "a has lost it");
        leases.release(theirs.unwrap()).await.unwrap();
        assert!(leases.take("watch-0-of-2", "c").await.unwrap().is_some(), "released, so free at once");
    }
}
