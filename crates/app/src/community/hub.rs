//! In-process fan-out of a group's chat to its open connections.
//!
//! The fan-out writes each event straight into the members' sockets through
//! their [`Outlet`]s, a share of the members per runtime worker, with no
//! task woken per member: on two cores that costs a fifth less CPU per
//! delivery than a queue and a task per connection (docs/performance.md).
//! A socket that does not take a frame at once queues the rest itself, up
//! to a bound; past it the connection is dropped (its client resumes from
//! history), so that no one slow consumer holds up the others. While a
//! connection catches up from history its events are held, and written
//! after the history, in order, each once.

use bytes::Bytes;
use domain::{CustomerId, GroupId, MessageId};
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::Notify;

/// Events a connection catching up from history may have held before it is dropped as too slow.
pub const HELD_PER_CONNECTION: usize = 256;

/// Members a fan-out gives each runtime worker at the least: below this
/// one worker writes them all, as spreading costs more than it saves.
const MEMBERS_PER_SHARE: usize = 256;

/// A connection's socket as the fan-out sees it.
pub trait Outlet: Send + Sync + 'static {
    /// Sends one whole event, as [`Wire`] put it, without waiting: written
    /// now, or queued behind what the socket has not taken yet. False when the
    /// socket cannot take it (too far behind, or gone): the hub then drops the
    /// connection.
    fn send(&self, event: &Bytes) -> bool;
}

/// How an event's JSON is put on the wire, once per event for every
/// connection: the server makes it a WebSocket text frame; by default (tests,
/// tools) it is the JSON itself.
pub type Wire = fn(&Bytes) -> Bytes;

/// One event for a group's connections, serialized once for all of them.
#[derive(Debug, Clone)]
pub struct Delivery {
    /// The message it carries (none for a notice), so a connection that
    /// already sent it from history skips it.
    pub message_id: Option<MessageId>,
    /// The JSON text sent (shared by every connection, never copied).
    pub json: Bytes,
    /// A customer whose connections should close after this (removed from the group).
    pub closes_for: Option<CustomerId>,
}

/// A delivery as it travels on the bus from the server that made it to
/// every server (each fans it out to the sockets it holds).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct RelayedDelivery {
    message_id: Option<i64>,
    closes_for: Option<i64>,
    json: String,
}

impl RelayedDelivery {
    /// The delivery it carries.
    pub fn delivery(self) -> Delivery {
        Delivery {
            message_id: self.message_id.map(MessageId),
            json: Bytes::from(self.json),
            closes_for: self.closes_for.map(CustomerId),
        }
    }
}

/// A delivery as it goes out: the same bytes for every member.
#[derive(Debug, Clone)]
struct Event {
    message_id: Option<MessageId>,
    frame: Bytes,
    closes_for: Option<CustomerId>,
}

impl Event {
    fn of(delivery: &Delivery, wire: Wire) -> Event {
        Event { message_id: delivery.message_id, frame: wire(&delivery.json), closes_for: delivery.closes_for }
    }
}

/// Why the hub stopped serving a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    /// Its socket fell too far behind (or failed); the client resumes from history.
    TooSlow,
    /// Its customer was removed from the group.
    Removed,
}

/// Where a connection stands with the hub.
enum Line {
    /// Catching up from history: events wait here.
    Holding { outlet: Arc<dyn Outlet>, held: VecDeque<Event> },
    /// Events are written into its socket as they come.
    Live(Arc<dyn Outlet>),
    /// No longer served; its socket is let go.
    Ended(Option<Ended>),
}

struct Connection {
    id: u64,
    /// The customer on the other end (none for staff).
    customer: Option<CustomerId>,
    line: Mutex<Line>,
    /// Set with the line's end, so the fan-out forgets the connection without locking it.
    gone: AtomicBool,
    /// Tells the connection's task that the hub ended it.
    ending: Notify,
}

impl Connection {
    fn line(&self) -> std::sync::MutexGuard<'_, Line> {
        self.line.lock().expect("a connection's lock is never poisoned")
    }

    /// Ends the connection (dropping its outlet) and tells its task.
    fn end(&self, line: &mut Line, why: Option<Ended>) {
        *line = Line::Ended(why);
        self.gone.store(true, Ordering::Relaxed);
        self.ending.notify_one();
    }

    /// Hands one event to the connection; whether it was reached.
    fn deliver(&self, event: &Event, dropped: &AtomicU64) -> bool {
        let mut line = self.line();
        let why = match &mut *line {
            Line::Ended(_) => return false,
            Line::Holding { held, .. } if held.len() < HELD_PER_CONNECTION => {
                held.push_back(event.clone());
                return true;
            }
            Line::Live(outlet) if outlet.send(&event.frame) => match self.removed_by(event) {
                None => return true,
                Some(why) => why,
            },
            Line::Holding { .. } | Line::Live(_) => Ended::TooSlow,
        };
        if why == Ended::TooSlow {
            tracing::debug!(connection = self.id, "dropped a connection that fell too far behind");
            dropped.fetch_add(1, Ordering::Relaxed);
        }
        self.end(&mut line, Some(why));
        // A removed member was reached, with the notice of it.
        why == Ended::Removed
    }

    fn removed_by(&self, event: &Event) -> Option<Ended> {
        (event.closes_for.is_some() && event.closes_for == self.customer).then_some(Ended::Removed)
    }
}

/// Writes an event to the `k`-th of `shares` even shares of the connections
/// (every `shares`-th one); how many it reached.
fn write_share(connections: &[Arc<Connection>], k: usize, shares: usize, event: &Event, dropped: &AtomicU64) -> usize {
    connections.iter().skip(k).step_by(shares).filter(|c| c.deliver(event, dropped)).count()
}

/// A connection's standing with the hub; dropping it lets the connection go.
pub struct Subscription {
    connection: Arc<Connection>,
}

impl std::fmt::Debug for Subscription {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Subscription").field("id", &self.connection.id).finish()
    }
}

impl Subscription {
    /// After the history up to `last` went out: writes the events held
    /// meanwhile that came after it, in order, and from then on every event
    /// as it comes. Err when the hub already ended the connection.
    pub fn go_live(&self, last: MessageId) -> Result<(), Ended> {
        let c = &self.connection;
        let mut line = c.line();
        let (outlet, held) = match &mut *line {
            Line::Holding { outlet, held } => (outlet.clone(), std::mem::take(held)),
            Line::Live(_) => return Ok(()),
            Line::Ended(why) => return Err(why.unwrap_or(Ended::TooSlow)),
        };
        for event in held.iter().filter(|e| e.message_id.is_none_or(|id| id > last)) {
            let end = if outlet.send(&event.frame) { c.removed_by(event) } else { Some(Ended::TooSlow) };
            if let Some(why) = end {
                c.end(&mut line, Some(why));
                return Err(why);
            }
        }
        *line = Line::Live(outlet);
        Ok(())
    }

    /// Waits until the hub ends the connection, and says why.
    pub async fn ended(&self) -> Ended {
        loop {
            if let Line::Ended(Some(why)) = &*self.connection.line() {
                return *why;
            }
            // A notice given before this waits is kept for it.
            self.connection.ending.notified().await;
        }
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        let c = &self.connection;
        let mut line = c.line();
        *line = Line::Ended(None);
        c.gone.store(true, Ordering::Relaxed);
    }
}

/// Every group's open connections.
pub struct ChatHub {
    groups: Mutex<HashMap<GroupId, Vec<Arc<Connection>>>>,
    next: AtomicU64,
    dropped: Arc<AtomicU64>,
    wire: Wire,
    /// Past one machine: deliveries go to every server through the bus.
    relay: Option<bus::Bus>,
}

impl Default for ChatHub {
    fn default() -> Self {
        ChatHub::new(|json| json.clone())
    }
}

impl std::fmt::Debug for ChatHub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChatHub").field("dropped", &self.dropped()).finish_non_exhaustive()
    }
}

impl ChatHub {
    /// A hub that puts each event on the wire with `wire`.
    pub fn new(wire: Wire) -> ChatHub {
        ChatHub { groups: Mutex::default(), next: AtomicU64::default(), dropped: Arc::default(), wire, relay: None }
    }

    /// A hub whose deliveries go through `bus` to every server's hub (each
    /// server's follower hands them to [`ChatHub::fan_out`]).
    pub fn relayed(wire: Wire, bus: bus::Bus) -> ChatHub {
        ChatHub { relay: Some(bus), ..ChatHub::new(wire) }
    }

    /// How the hub puts events on the wire.
    pub fn wire(&self) -> Wire {
        self.wire
    }

    /// Opens a connection to a group's events for `customer` (none for
    /// staff), written to `outlet`. Events are held until
    /// [`Subscription::go_live`], so that subscribing before reading the
    /// history loses nothing.
    pub fn subscribe(&self, group_id: GroupId, customer: Option<CustomerId>, outlet: Arc<dyn Outlet>) -> Subscription {
        let connection = Arc::new(Connection {
            id: self.next.fetch_add(1, Ordering::Relaxed),
            customer,
            line: Mutex::new(Line::Holding { outlet, held: VecDeque::new() }),
            gone: AtomicBool::new(false),
            ending: Notify::new(),
        });
        self.groups().entry(group_id).or_default().push(connection.clone());
        Subscription { connection }
    }

    fn groups(&self) -> std::sync::MutexGuard<'_, HashMap<GroupId, Vec<Arc<Connection>>>> {
        self.groups.lock().expect("the hub's lock is never poisoned")
    }

    /// Hands an event to the group's open connections: here, or past one
    /// machine through the bus to every server's (a message under its id,
    /// so a repeat is stored once; a failure is logged: the message is
    /// stored, and readers resume from history). The number of connections
    /// reached here.
    pub async fn publish(&self, group_id: GroupId, delivery: &Delivery) -> usize {
        let Some(bus) = &self.relay else { return self.fan_out(group_id, delivery).await };
        let relayed = RelayedDelivery {
            message_id: delivery.message_id.map(|m| m.0),
            closes_for: delivery.closes_for.map(|c| c.0),
            json: String::from_utf8_lossy(&delivery.json).into_owned(),
        };
        let payload = serde_json::to_vec(&relayed).expect("a delivery serializes");
        let id = delivery.message_id.map(|m| format!("chat-{}", m.0));
        if let Err(e) = bus.publish(bus::live("chat", group_id.0), id, payload.into()).await {
            tracing::error!(group = group_id.0, error = %e, "a chat event could not be relayed");
        }
        0
    }

    /// Writes an event into every open connection of the group without
    /// waiting on any one socket: a socket too far behind drops its
    /// connection. The fan-out is shared among the runtime's workers. The
    /// number of connections it reached.
    pub async fn fan_out(&self, group_id: GroupId, delivery: &Delivery) -> usize {
        let connections: Arc<[Arc<Connection>]> = {
            let mut groups = self.groups();
            let Some(connections) = groups.get_mut(&group_id) else { return 0 };
            connections.retain(|c| !c.gone.load(Ordering::Relaxed));
            if connections.is_empty() {
                groups.remove(&group_id);
                return 0;
            }
            connections.as_slice().into()
        };
        let event = Arc::new(Event::of(delivery, self.wire));
        let workers = tokio::runtime::Handle::current().metrics().num_workers();
        let shares = workers.min(connections.len().div_ceil(MEMBERS_PER_SHARE)).max(1);
        if shares == 1 {
            return write_share(&connections, 0, 1, &event, &self.dropped);
        }
        // Every share is a task of its own, the publisher's included: tokio
        // keeps a worker's newest task to itself, so the others are the ones
        // the other workers take.
        let shares: Vec<_> = (0..shares)
            .map(|k| {
                let (connections, event, dropped) = (connections.clone(), event.clone(), self.dropped.clone());
                tokio::spawn(async move { write_share(&connections, k, shares, &event, &dropped) })
            })
            .collect();
        let mut reached = 0;
        for share in shares {
            reached += share.await.expect("a fan-out share does not panic");
        }
        reached
    }

    /// Open connections of a group.
    pub fn connections(&self, group_id: GroupId) -> usize {
        self.groups().get(&group_id).map_or(0, |c| c.iter().filter(|c| !c.gone.load(Ordering::Relaxed)).count())
    }

    /// Connections dropped so far for being too slow.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A socket that takes `room` frames, then no more until it is read.
    #[derive(Default)]
    struct Socket {
        frames: Mutex<Vec<Bytes>>,
        room: Option<usize>,
    }

    impl Outlet for Socket {
        fn send(&self, frame: &Bytes) -> bool {
            let mut frames = self.frames.lock().unwrap();
            if self.room.is_some_and(|room| frames.len() >= room) {
                return false;
            }
            frames.push(frame.clone());
            true
        }
    }

    impl Socket {
        fn with_room(room: usize) -> Arc<Socket> {
            Arc::new(Socket { room: Some(room), ..Socket::default() })
        }

        /// The JSON texts written so far (the default wire is the JSON itself).
        fn texts(&self) -> Vec<String> {
            let frames = self.frames.lock().unwrap();
            frames.iter().map(|f| String::from_utf8(f.to_vec()).unwrap()).collect()
        }
    }

    fn delivery(id: i64) -> Delivery {
        Delivery { message_id: Some(MessageId(id)), json: Bytes::from(format!("{{\"id\":{id}}}")), closes_for: None }
    }

    fn json(id: i64) -> String {
        format!("{{\"id\":{id}}}")
    }

    #[tokio::test]
    async fn events_held_while_catching_up_go_out_after_the_history_each_once_in_order() {
        let hub = ChatHub::default();
        let socket = Arc::new(Socket::default());
        let member = hub.subscribe(GroupId(1), Some(CustomerId(7)), socket.clone());
        for id in 1..=4 {
            assert_eq!(hub.publish(GroupId(1), &delivery(id)).await, 1);
        }
        assert!(socket.texts().is_empty(), "nothing is written before the history");
        // The history it sent went up to 2: 3 and 4 follow, then what comes live.
        member.go_live(MessageId(2)).unwrap();
        hub.publish(GroupId(1), &delivery(5)).await;
        assert_eq!(socket.texts(), [json(3), json(4), json(5)]);
    }

    #[tokio::test]
    async fn a_socket_that_takes_no_more_drops_only_its_own_connection() {
        let hub = ChatHub::default();
        let reader = Arc::new(Socket::default());
        let sleeper = Socket::with_room(3);
        let other_group = Arc::new(Socket::default());
        let (r, s, o) = (
            hub.subscribe(GroupId(1), Some(CustomerId(1)), reader.clone()),
            hub.subscribe(GroupId(1), Some(CustomerId(2)), sleeper.clone()),
            hub.subscribe(GroupId(2), Some(CustomerId(3)), other_group.clone()),
        );
        for sub in [&r, &s, &o] {
            sub.go_live(MessageId(0)).unwrap();
        }
        for id in 1..=3 {
            assert_eq!(hub.publish(GroupId(1), &delivery(id)).await, 2);
        }
        assert_eq!(hub.publish(GroupId(1), &delivery(4)).await, 1, "the reader still gets it");
        assert_eq!(reader.texts().len(), 4);
        assert_eq!(sleeper.texts().len(), 3);
        assert_eq!(s.ended().await, Ended::TooSlow);
        assert_eq!((hub.dropped(), hub.connections(GroupId(1))), (1, 1));
        assert_eq!(hub.publish(GroupId(2), &delivery(5)).await, 1);
        assert_eq!(other_group.texts(), [json(5)]);
    }

    #[tokio::test]
    async fn a_connection_catching_up_too_long_is_dropped() {
        let hub = ChatHub::default();
        let slow = hub.subscribe(GroupId(1), None, Arc::new(Socket::default()));
        for id in 1..=HELD_PER_CONNECTION as i64 {
            assert_eq!(hub.publish(GroupId(1), &delivery(id)).await, 1);
        }
        assert_eq!(hub.publish(GroupId(1), &delivery(999)).await, 0);
        assert_eq!(slow.go_live(MessageId(0)), Err(Ended::TooSlow));
        assert_eq!(slow.ended().await, Ended::TooSlow);
    }

    #[tokio::test]
    async fn a_removed_customer_gets_the_notice_then_their_connections_end() {
        let hub = ChatHub::default();
        let (gone, stays) = (Arc::new(Socket::default()), Arc::new(Socket::default()));
        let (g, s) = (
            hub.subscribe(GroupId(1), Some(CustomerId(7)), gone.clone()),
            hub.subscribe(GroupId(1), Some(CustomerId(8)), stays.clone()),
        );
        g.go_live(MessageId(0)).unwrap();
        s.go_live(MessageId(0)).unwrap();
        let notice = Delivery {
            message_id: None,
            json: Bytes::from_static(b"{\"removed\":7}"),
            closes_for: Some(CustomerId(7)),
        };
        assert_eq!(hub.publish(GroupId(1), &notice).await, 2);
        assert_eq!(g.ended().await, Ended::Removed);
        assert_eq!(gone.texts(), ["{\"removed\":7}"]);
        assert_eq!(hub.publish(GroupId(1), &delivery(1)).await, 1);
        assert_eq!(stays.texts(), ["{\"removed\":7}".to_owned(), json(1)]);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_fan_out_shared_among_workers_reaches_every_member_once_in_order() {
        let hub = ChatHub::default();
        let sockets: Vec<Arc<Socket>> = (0..1000).map(|_| Arc::new(Socket::default())).collect();
        let subs: Vec<_> = sockets.iter().map(|s| hub.subscribe(GroupId(1), None, s.clone())).collect();
        subs.iter().for_each(|s| s.go_live(MessageId(0)).unwrap());
        for id in 1..=3 {
            assert_eq!(hub.publish(GroupId(1), &delivery(id)).await, 1000);
        }
        assert!(sockets.iter().all(|s| s.texts() == [json(1), json(2), json(3)]));
    }

    #[tokio::test]
    async fn closed_connections_are_forgotten() {
        let hub = ChatHub::default();
        drop(hub.subscribe(GroupId(1), None, Arc::new(Socket::default())));
        assert_eq!(hub.publish(GroupId(1), &delivery(1)).await, 0);
        assert_eq!(hub.connections(GroupId(1)), 0);
        assert_eq!(hub.dropped(), 0, "closing is not being too slow");
    }
}
