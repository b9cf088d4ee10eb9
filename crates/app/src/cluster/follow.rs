//! A server's followers: what the bus brings back (reminders, group chat,
//! inboxes, conversations), pushed to the sockets this server holds. Each
//! follows its stream from the moment it is made, by sequence number, so
//! a reconnect to NATS misses nothing; readers who reconnect to another
//! server resume from the database (the system of record) up to where the
//! live pushes take over (see `community::hub`).

use super::ReminderOnBus;
use crate::community::hub::RelayedDelivery;
use crate::community::Communities;
use crate::conversations::Conversations;
use crate::outreach::Outreach;
use crate::risk_desk::RiskDesk;
use bus::{Bus, BusError, Delivered};
use futures_util::StreamExt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// What a server pushes to its own sockets.
#[derive(Debug, Clone)]
pub struct Pushers {
    /// Reminders to advisors' and customers' pages.
    pub desk: Arc<RiskDesk>,
    /// Group chat.
    pub community: Arc<Communities>,
    /// Inboxes.
    pub outreach: Arc<Outreach>,
    /// One-to-one conversations.
    pub conversations: Arc<Conversations>,
}

/// Messages taken from the bus by this server's followers, for the metrics.
#[derive(Debug, Default)]
pub struct Followed {
    /// Reminder events.
    pub reminders: AtomicU64,
    /// Live pushes (chat, inbox, conversation).
    pub live: AtomicU64,
    /// The newest stream sequence number seen per followed stream (reminders, live).
    pub last_sequence: [AtomicU64; 2],
}

/// Starts following the reminders and the live channels; returns once both
/// follow (from here on nothing published is missed), with their tasks.
pub async fn spawn(
    bus: &Bus,
    to: Pushers,
    followed: Arc<Followed>,
) -> Result<Vec<tokio::task::JoinHandle<()>>, BusError> {
    let reminders = bus.follow(bus::REMINDER_STREAM, "bd.reminders.>").await?;
    let live = bus.follow(bus::LIVE_STREAM, "bd.live.>").await?;
    let desk = to.desk.clone();
    let counts = followed.clone();
    let reminders = tokio::spawn(async move {
        let mut reminders = Box::pin(reminders);
        while let Some(m) = reminders.next().await {
            counts.reminders.fetch_add(1, Ordering::Relaxed);
            counts.last_sequence[0].store(m.sequence, Ordering::Relaxed);
            match serde_json::from_slice::<ReminderOnBus>(&m.payload) {
                Ok(r) => desk.receive(r.event()),
                Err(e) => tracing::error!(subject = %m.subject, error = %e, "a reminder on the bus could not be read"),
            }
        }
    });
    let live = tokio::spawn(async move {
        let mut live = Box::pin(live);
        while let Some(m) = live.next().await {
            followed.live.fetch_add(1, Ordering::Relaxed);
            followed.last_sequence[1].store(m.sequence, Ordering::Relaxed);
            if let Err(e) = push_live(&to, &m).await {
                tracing::error!(subject = %m.subject, error = %e, "a live push on the bus could not be read");
            }
        }
    });
    Ok(vec![reminders, live])
}

/// One live message to this server's sockets: by its subject's kind and id.
async fn push_live(to: &Pushers, m: &Delivered) -> Result<(), String> {
    let mut parts = m.subject.strip_prefix("bd.live.").unwrap_or_default().splitn(2, '.');
    let (kind, id) = (parts.next().unwrap_or_default(), parts.next().unwrap_or_default());
    let id: i64 = id.parse().map_err(|_| format!("'{id}' is not an id"))?;
    match kind {
        "chat" => {
            let relayed: RelayedDelivery = serde_json::from_slice(&m.payload).map_err(|e| e.to_string())?;
            to.community.hub().fan_out(domain::GroupId(id), &relayed.delivery()).await;
        }
        "inbox" => to.outreach.receive(serde_json::from_slice(&m.payload).map_err(|e| e.to_string())?),
        "conversation" => to.conversations.receive(serde_json::from_slice(&m.payload).map_err(|e| e.to_string())?),
        other => return Err(format!("'{other}' is not a live channel")),
    }
    Ok(())
}
