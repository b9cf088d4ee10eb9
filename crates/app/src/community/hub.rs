//! In-process fan-out of a group's chat to its open connections. Each
//! connection has a bounded queue; a connection whose queue is full is
//! dropped (its client resumes from history) so that no one slow consumer
//! holds up the others.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use tokio::sync::mpsc;

/// Events a connection may have waiting before it is dropped as too slow.
pub const QUEUE_PER_CONNECTION: usize = 256;

/// One event for a group's connections, serialized once for all of them.
#[derive(Debug, Clone)]
pub struct Delivery {
    /// The message id it carries (0 when it carries none), so a connection
    /// that already sent it from history skips it.
    pub message_id: i64,
    /// The JSON text sent (shared by every connection, never copied).
    pub json: bytes::Bytes,
    /// A customer whose connections should close after this (removed from the group).
    pub closes_for: Option<i64>,
}

/// What a connection reads its group's events from. When the hub drops it
/// as too slow, `recv` returns `None` once the queue is drained.
#[derive(Debug)]
pub struct Subscription {
    /// The events.
    pub events: mpsc::Receiver<Delivery>,
}

#[derive(Debug)]
struct Connection {
    id: u64,
    queue: mpsc::Sender<Delivery>,
}

/// Every group's open connections.
#[derive(Debug, Default)]
pub struct ChatHub {
    groups: Mutex<HashMap<i64, Vec<Connection>>>,
    next: AtomicU64,
    dropped: AtomicU64,
}

impl ChatHub {
    /// Opens a connection to a group's events.
    pub fn subscribe(&self, group_id: i64) -> Subscription {
        let (queue, events) = mpsc::channel(QUEUE_PER_CONNECTION);
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        self.groups
            .lock()
            .expect("the hub's lock is never poisoned")
            .entry(group_id)
            .or_default()
            .push(Connection { id, queue });
        Subscription { events }
    }

    /// Hands an event to every open connection of the group without waiting:
    /// a full queue drops its connection, a closed one is forgotten. The
    /// number of connections it reached.
    pub fn publish(&self, group_id: i64, delivery: &Delivery) -> usize {
        let mut groups = self.groups.lock().expect("the hub's lock is never poisoned");
        let Some(connections) = groups.get_mut(&group_id) else { return 0 };
        let before = connections.len();
        connections.retain(|c| match c.queue.try_send(delivery.clone()) {
            Ok(()) => true,
            Err(mpsc::error::TrySendError::Full(_)) => {
                tracing::debug!(group_id, connection = c.id, "dropped a connection whose queue was full");
                self.dropped.fetch_add(1, Ordering::Relaxed);
                false
            }
            Err(mpsc::error::TrySendError::Closed(_)) => false,
        });
        let reached = connections.len();
        if connections.is_empty() {
            groups.remove(&group_id);
        }
        reached.min(before)
    }

    /// Open connections of a group.
    pub fn connections(&self, group_id: i64) -> usize {
        self.groups
            .lock()
            .expect("the hub's lock is never poisoned")
            .get(&group_id)
            .map_or(0, |c| c.iter().filter(|c| !c.queue.is_closed()).count())
    }

    /// Connections dropped so far for being too slow.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn delivery(id: i64) -> Delivery {
        Delivery { message_id: id, json: bytes::Bytes::from(format!("{{\"id\":{id}}}")), closes_for: None }
    }

    #[tokio::test]
    async fn a_full_queue_drops_only_its_own_connection() {
        let hub = ChatHub::default();
        let mut reader = hub.subscribe(1);
        let mut sleeper = hub.subscribe(1);
        let mut other_group = hub.subscribe(2);
        for id in 1..=QUEUE_PER_CONNECTION as i64 {
            assert_eq!(hub.publish(1, &delivery(id)), 2);
            assert_eq!(reader.events.recv().await.unwrap().message_id, id);
        }
        // The sleeper never read: the next event finds its queue full.
        assert_eq!(hub.publish(1, &delivery(999)), 1, "the reader still gets it");
        assert_eq!(reader.events.recv().await.unwrap().message_id, 999);
        assert_eq!(hub.dropped(), 1);
        // The sleeper drains what it had, then learns it was dropped.
        let mut drained = 0;
        while sleeper.events.recv().await.is_some() {
            drained += 1;
        }
        assert_eq!(drained, QUEUE_PER_CONNECTION);
        assert_eq!(hub.connections(1), 1);
        assert_eq!(hub.publish(2, &delivery(5)), 1);
        assert_eq!(other_group.events.recv().await.unwrap().message_id, 5);
    }

    #[tokio::test]
    async fn closed_connections_are_forgotten() {
        let hub = ChatHub::default();
        drop(hub.subscribe(1));
        assert_eq!(hub.publish(1, &delivery(1)), 0);
        assert_eq!(hub.connections(1), 0);
        assert_eq!(hub.dropped(), 0, "closing is not being too slow");
    }
}
