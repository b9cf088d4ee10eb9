//! Brokerdesk past one machine (issue 30): what travels on the bus between
//! stateless servers and watch workers, and the tasks on either side.
//!
//! A server with `--nats` stores the feed as ever, then publishes each
//! call's booked trades and quotes as one [`FeedBatch`] instead of judging
//! them; a watch worker owns a [`Partition`] of the accounts, judges the
//! batches with the same engine and publishes the reminders it stores; every
//! server follows the reminders and the live channels (group chat, inboxes,
//! conversations) and pushes them to the sockets it holds.

pub mod follow;
pub mod worker;

use crate::book::Booked;
use crate::risk_desk::{DeskEvent, Quote};
use chrono::{DateTime, Utc};
use domain::Money;
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use store::ReminderRow;

/// A slice of the accounts: those whose id, divided by `count`, leaves `index`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Partition {
    /// Which slice, from 0.
    pub index: u32,
    /// Of how many.
    pub count: u32,
}

impl Partition {
    /// `K/N` as a partition; K counts from 0 and is below N.
    pub fn parse(text: &str) -> Result<Partition, String> {
        let (k, n) = text.split_once('/').ok_or_else(|| format!("'{text}' is not K/N (e.g. 0/3)"))?;
        let index: u32 = k.trim().parse().map_err(|_| format!("'{k}' is not a partition number"))?;
        let count: u32 = n.trim().parse().map_err(|_| format!("'{n}' is not a number of partitions"))?;
        if count == 0 || index >= count {
            return Err(format!("partition {index} of {count}: K counts from 0 and must be below N"));
        }
        Ok(Partition { index, count })
    }

    /// Every partition of `count`, this one first.
    pub fn siblings(self) -> impl Iterator<Item = Partition> {
        (0..self.count).map(move |k| Partition { index: (self.index + k) % self.count, count: self.count })
    }

    /// Whether this partition owns the account: a stable hash (the id modulo
    /// the count) that spreads sequential ids evenly.
    pub fn owns(self, account_id: i64) -> bool {
        account_id.rem_euclid(i64::from(self.count)) == i64::from(self.index)
    }

    /// The name of its lease and of its durable consumer of the feed.
    pub fn name(self) -> String {
        format!("watch-{}-of-{}", self.index, self.count)
    }
}

impl std::fmt::Display for Partition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// A trade as the watch needs it: whose, what, and the holding the book
/// keeps after it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BookedTrade {
    /// Account.
    pub account_id: i64,
    /// Instrument code.
    pub instrument: String,
    /// Shares bought (positive) or sold (negative).
    pub signed_quantity: i64,
    /// Fill price.
    pub price: Money,
    /// Shares held after it.
    pub after_quantity: i64,
    /// Average cost after it (0.0001 CNY).
    pub after_cost: i64,
}

impl From<&Booked> for BookedTrade {
    fn from(b: &Booked) -> BookedTrade {
        let t = &b.trade;
        BookedTrade {
            account_id: t.account_id.0,
            instrument: t.instrument.to_string(),
            signed_quantity: if t.side == domain::Side::Buy { t.quantity } else { -t.quantity },
            price: t.price,
            after_quantity: b.after.quantity,
            after_cost: b.after.cost,
        }
    }
}

/// A quote on the bus.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuoteOnBus {
    /// Instrument code.
    pub code: String,
    /// When.
    pub time: DateTime<Utc>,
    /// Last price.
    pub last: Money,
}

/// What one feed call gave the watch: trades first, then quotes (the order
/// the embedded server takes them in), or the news that corporate actions
/// came whose ex-date has passed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct FeedBatch {
    /// Trades the book took.
    #[serde(default)]
    pub trades: Vec<BookedTrade>,
    /// Snapshots stored.
    #[serde(default)]
    pub quotes: Vec<QuoteOnBus>,
    /// Corporate actions were stored: the watch rebuilds if one is due.
    #[serde(default)]
    pub corporate_actions: bool,
}

impl FeedBatch {
    /// The quotes as the watch takes them.
    pub fn quotes(&self) -> Vec<Quote> {
        self.quotes.iter().map(|q| Quote { code: q.code.clone(), time: q.time, last: q.last }).collect()
    }
}

/// A reminder event on the bus: made (to the advisor's subject) or
/// delivered (to the customer's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReminderOnBus {
    /// True when delivered to the customer's inbox; false when made.
    pub delivered: bool,
    /// The reminder.
    pub reminder: ReminderRow,
}

impl ReminderOnBus {
    /// The event as the desk announces it locally.
    pub fn event(self) -> DeskEvent {
        if self.delivered {
            DeskEvent::Delivered(self.reminder)
        } else {
            DeskEvent::Made(self.reminder)
        }
    }

    /// Its subject and id: one id per reminder and event, so that a repeat is stored once.
    pub fn address(&self) -> (String, String) {
        let r = &self.reminder;
        if self.delivered {
            (bus::customer_reminders(r.customer_id.0), format!("delivered-{}", r.id.0))
        } else {
            (bus::advisor_reminders(r.advisor_id.0), format!("made-{}", r.id.0))
        }
    }
}

/// The subjects on which servers ask the workers how an account stands now.
pub const LIVE_ACCOUNT_QUESTIONS: &str = "bd.watch.account.*";

/// The subject asking after one account.
pub fn live_account_subject(account_id: i64) -> String {
    format!("bd.watch.account.{account_id}")
}

/// The outbox's lease: the periodic rounds (deliveries after quiet hours,
/// scheduled content, sweeps, escalations) run on one server at a time.
pub const OUTBOX_LEASE: &str = "outbox";

/// Keeps trying to hold the outbox's lease for `holder`: answers the task
/// and a flag that is true while this server holds it. A server that dies
/// lets it expire; another takes it within the lease's life.
pub async fn hold_outbox(
    bus: &bus::Bus,
    holder: String,
) -> Result<(tokio::task::JoinHandle<()>, Arc<AtomicBool>), bus::BusError> {
    let leases = bus.leases(worker::LEASE_TTL).await?;
    let mine = Arc::new(AtomicBool::new(false));
    let flag = mine.clone();
    let task = tokio::spawn(async move {
        let mut held: Option<bus::Lease> = None;
        let mut every = tokio::time::interval(worker::LEASE_TTL / 3);
        loop {
            every.tick().await;
            held = match held.take() {
                Some(mut lease) => match leases.renew(&mut lease, &holder).await {
                    Ok(true) => Some(lease),
                    Ok(false) => None,
                    Err(e) => {
                        tracing::warn!(error = %e, "renewing the outbox's lease failed; retrying");
                        Some(lease)
                    }
                },
                None => leases.take(OUTBOX_LEASE, &holder).await.unwrap_or_else(|e| {
                    tracing::warn!(error = %e, "taking the outbox's lease failed; retrying");
                    None
                }),
            };
            flag.store(held.is_some(), Ordering::Release);
        }
    });
    Ok((task, mine))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_partition_is_k_of_n_and_owns_its_share_of_ids() {
        let p = Partition::parse("1/3").unwrap();
        assert_eq!(p, Partition { index: 1, count: 3 });
        assert_eq!(p.name(), "watch-1-of-3");
        assert!(p.owns(4) && p.owns(1) && !p.owns(3));
        assert_eq!(p.siblings().map(|s| s.index).collect::<Vec<_>>(), vec![1, 2, 0]);
        for bad in ["3/3", "1", "a/3", "0/0"] {
            assert!(Partition::parse(bad).is_err(), "{bad}");
        }
        // Every id in exactly one partition.
        for id in 0..30 {
            assert_eq!((0..3).filter(|k| Partition { index: *k, count: 3 }.owns(id)).count(), 1);
        }
    }
}
