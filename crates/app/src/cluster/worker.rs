//! A watch worker (`brokerdesk worker watch --partition K/N`): it leases
//! partitions of the accounts, its own first, and serves each with a desk of
//! its own that judges the feed's batches from the partition's durable
//! consumer. A partition whose lease expires (its worker died) is taken by
//! another worker, which loads the partition from the database, announces
//! again what its old owner may have stored without publishing, and goes on
//! from the last batch acknowledged: nothing lost, nothing doubled in effect
//! (trades bring holdings to the book's figures, the store keeps one
//! reminder per account, rule, instrument, step and day, and the bus drops a
//! reminder published again under its id).

use super::{FeedBatch, Partition};
use crate::risk_desk::{DeskError, DeskSettings, RiskDesk};
use bus::{Bus, Lease};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use store::Db;

/// How long a partition's lease lives unless renewed: a dead worker's
/// partitions are free this long after its last renewal.
pub const LEASE_TTL: Duration = Duration::from_secs(3);
/// How often leases are renewed and free partitions looked for.
const RENEW_EVERY: Duration = Duration::from_millis(500);
/// How long a worker leaves other workers' partitions alone after it starts,
/// so that workers started together each take their own.
const FOREIGN_GRACE: Duration = Duration::from_secs(6);
/// How far back a new owner announces again (well inside the bus's duplicate window).
const ANNOUNCE_AGAIN: chrono::Duration = chrono::Duration::minutes(2);
/// Feed messages taken at once.
const BATCH: usize = 16;

/// A partition being served, for health and metrics.
#[derive(Debug)]
pub struct Served {
    /// Its desk (quotes taken, reminders made).
    pub desk: Arc<RiskDesk>,
    /// Since when it has been served (loaded and consuming).
    pub since: Option<DateTime<Utc>>,
    /// Feed messages waiting for it, as last read.
    pub lag: Arc<AtomicU64>,
}

/// What a worker serves now.
#[derive(Debug, Default)]
pub struct WorkerStatus {
    served: Mutex<BTreeMap<String, Served>>,
}

impl WorkerStatus {
    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, Served>> {
        self.served.lock().expect("the status lock is never poisoned")
    }

    /// Each partition held: (K/N, since when served, quotes in, reminders made, delivered, lag).
    pub fn partitions(&self) -> Vec<PartitionFigures> {
        self.lock()
            .iter()
            .map(|(name, s)| {
                let c = s.desk.counts();
                PartitionFigures {
                    partition: name.clone(),
                    since: s.since,
                    quotes_in: c.quotes_in.load(Ordering::Relaxed),
                    reminders_made: c.reminders_made.load(Ordering::Relaxed),
                    reminders_delivered: c.reminders_delivered.load(Ordering::Relaxed),
                    lag: s.lag.load(Ordering::Relaxed),
                }
            })
            .collect()
    }

    /// True when `partition` is loaded and consuming here.
    pub fn serves(&self, partition: Partition) -> bool {
        self.lock().get(&partition.to_string()).is_some_and(|s| s.since.is_some())
    }
}

/// One partition's figures.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PartitionFigures {
    /// K/N.
    pub partition: String,
    /// Since when it is served; none while it loads.
    pub since: Option<DateTime<Utc>>,
    /// Quotes taken.
    pub quotes_in: u64,
    /// Reminders made.
    pub reminders_made: u64,
    /// Reminders delivered.
    pub reminders_delivered: u64,
    /// Feed messages waiting.
    pub lag: u64,
}

/// A partition held: its lease and the task serving it.
struct Held {
    lease: Lease,
    task: tokio::task::JoinHandle<Result<(), DeskError>>,
}

/// Runs a worker until `shutdown`: leases its own partition (and, after a
/// grace, any other left free), serves what it holds, gives it all back
/// when stopped.
pub async fn run(
    db: Db,
    bus: Bus,
    settings: DeskSettings,
    own: Partition,
    holder: String,
    status: Arc<WorkerStatus>,
    shutdown: impl Future<Output = ()>,
) -> Result<(), DeskError> {
    let leases = bus.leases(LEASE_TTL).await?;
    // Partitions load and judge on a runtime of their own: a load keeps its
    // threads busy for seconds, and the leases must be renewed meanwhile.
    let judging = tokio::runtime::Builder::new_multi_thread().thread_name("watch-partition").enable_all().build()?;
    let started = std::time::Instant::now();
    let mut held: BTreeMap<u32, Held> = BTreeMap::new();
    let mut every = tokio::time::interval(RENEW_EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            _ = every.tick() => {}
        }
        // Renew what is held; a lease lost, or a partition whose task ended, is let go.
        let mut lost = Vec::new();
        for (k, h) in held.iter_mut() {
            let partition = Partition { index: *k, count: own.count };
            if h.task.is_finished() {
                tracing::warn!(%partition, "the partition stopped; letting it go");
                lost.push(*k);
                continue;
            }
            match leases.renew(&mut h.lease, &holder).await {
                Ok(true) => {}
                Ok(false) => {
                    tracing::warn!(%partition, "the partition's lease was lost; stopping it");
                    lost.push(*k);
                }
                Err(e) => tracing::warn!(%partition, error = %e, "renewing a lease failed; retrying"),
            }
        }
        for k in lost {
            if let Some(h) = held.remove(&k) {
                h.task.abort();
                status.lock().remove(&Partition { index: k, count: own.count }.to_string());
                if let Err(e) = leases.release(h.lease).await {
                    tracing::debug!(error = %e, "a lease already gone");
                }
            }
        }
        // Take what is free: our own at once, others' after the grace.
        for partition in own.siblings() {
            if held.contains_key(&partition.index) || (partition != own && started.elapsed() < FOREIGN_GRACE) {
                continue;
            }
            match leases.take(&partition.name(), &holder).await {
                Ok(Some(lease)) => {
                    tracing::info!(%partition, "took the partition");
                    let serving = serve_partition(db.clone(), bus.clone(), settings.clone(), partition, status.clone());
                    let task = judging.spawn(async move {
                        let served = serving.await;
                        if let Err(e) = &served {
                            tracing::error!(%partition, error = %e, "serving the partition failed");
                        }
                        served
                    });
                    held.insert(partition.index, Held { lease, task });
                }
                Ok(None) => {}
                Err(e) => tracing::warn!(%partition, error = %e, "taking a lease failed; retrying"),
            }
        }
    }
    for (k, h) in held {
        h.task.abort();
        status.lock().remove(&Partition { index: k, count: own.count }.to_string());
        let _ = leases.release(h.lease).await;
    }
    judging.shutdown_background();
    Ok(())
}

/// Serves one partition: its consumer first (so that nothing published
/// while it loads is missed), then the watch loaded from the database,
/// then the feed's batches, each acknowledged once its reminders are
/// stored and published.
async fn serve_partition(
    db: Db,
    bus: Bus,
    settings: DeskSettings,
    partition: Partition,
    status: Arc<WorkerStatus>,
) -> Result<(), DeskError> {
    let consumer = bus.feed_consumer(&partition.name()).await?;
    let desk = Arc::new(RiskDesk::for_partition(db.clone(), settings, bus.clone(), partition));
    let lag = Arc::new(AtomicU64::new(0));
    status.lock().insert(partition.to_string(), Served { desk: desk.clone(), since: None, lag: lag.clone() });
    let loaded = std::time::Instant::now();
    desk.warm_start().await?;
    let again = desk.announce_again_since(db.now() - ANNOUNCE_AGAIN).await?;
    tracing::info!(%partition, seconds = loaded.elapsed().as_secs_f64(), announced_again = again, "serving the partition");
    if let Some(s) = status.lock().get_mut(&partition.to_string()) {
        s.since = Some(db.now());
    }
    // Servers ask the owner how an account stands now (a customer's live figures).
    let answering = desk.clone().answer_live_accounts().await?;
    let _answering = AbortOnDrop(answering);
    let mut lag_read = std::time::Instant::now();
    loop {
        for taken in consumer.next_batch(BATCH, Duration::from_secs(1)).await? {
            match serde_json::from_slice::<FeedBatch>(&taken.payload) {
                Ok(batch) => {
                    desk.take_batch(&batch, db.now()).await?;
                }
                // One no worker can read is acknowledged, not retried for ever.
                Err(e) => {
                    tracing::error!(sequence = taken.sequence, error = %e, "a feed message could not be read; skipped")
                }
            }
            taken.ack().await?;
        }
        if lag_read.elapsed() > Duration::from_secs(1) {
            lag.store(bus.feed_lag(&partition.name()).await?, Ordering::Relaxed);
            lag_read = std::time::Instant::now();
        }
    }
}

/// Stops a task when the partition's service ends (or is aborted).
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}
