//! Leases in a JetStream key-value bucket: a key held by one process at a
//! time, for as long as it renews it within the bucket's time to live. A
//! process that dies stops renewing; its key expires and another takes it.

use crate::{js_error, BusError, LEASE_BUCKET};
use async_nats::jetstream::{self, kv};
use bytes::Bytes;
use std::time::Duration;

/// The lease bucket.
#[derive(Clone)]
pub struct Leases {
    kv: kv::Store,
    ttl: Duration,
}

impl std::fmt::Debug for Leases {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Leases").field("ttl", &self.ttl).finish_non_exhaustive()
    }
}

/// A lease held: its key and the revision the holder last wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    /// The key, e.g. `watch-1-of-3`.
    pub key: String,
    revision: u64,
}

impl Leases {
    /// Opens the bucket, making it on first use with `ttl` as its entries' life.
    pub(crate) async fn open(js: &jetstream::Context, ttl: Duration) -> Result<Leases, BusError> {
        // The bucket's stream is made as a key-value bucket's would be: the
        // client's own call first asks for account details that nats-server
        // 2.9 (Debian's) answers in a shape it does not read.
        js.get_or_create_stream(jetstream::stream::Config {
            name: format!("KV_{LEASE_BUCKET}"),
            description: Some("Brokerdesk's leases: watch partitions and the outbox".to_owned()),
            subjects: vec![format!("$KV.{LEASE_BUCKET}.>")],
            max_messages_per_subject: 1,
            max_age: ttl,
            duplicate_window: ttl.min(Duration::from_secs(120)),
            storage: jetstream::stream::StorageType::File,
            allow_rollup: true,
            deny_delete: true,
            allow_direct: true,
            discard: jetstream::stream::DiscardPolicy::New,
            num_replicas: 1,
            ..Default::default()
        })
        .await
        .map_err(|e| js_error("making the lease bucket")(&e))?;
        let kv = js.get_key_value(LEASE_BUCKET).await.map_err(|e| js_error("opening the lease bucket")(&e))?;
        let ttl = kv.status().await.map(|s| s.max_age()).unwrap_or(ttl);
        Ok(Leases { kv, ttl })
    }

    /// How long a lease lives unless renewed.
    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// Takes `key` for `holder` if no one holds it; `None` when someone does.
    pub async fn take(&self, key: &str, holder: &str) -> Result<Option<Lease>, BusError> {
        match self.kv.create(key, Bytes::from(holder.to_owned())).await {
            Ok(revision) => Ok(Some(Lease { key: key.to_owned(), revision })),
            Err(e) if e.kind() == kv::CreateErrorKind::AlreadyExists => Ok(None),
            Err(e) => Err(js_error("taking a lease")(&e)),
        }
    }

    /// Renews a lease held; false when it was lost (expired and taken by another).
    pub async fn renew(&self, lease: &mut Lease, holder: &str) -> Result<bool, BusError> {
        match self.kv.update(&lease.key, Bytes::from(holder.to_owned()), lease.revision).await {
            Ok(revision) => {
                lease.revision = revision;
                Ok(true)
            }
            Err(e) if e.kind() == kv::UpdateErrorKind::WrongLastRevision => Ok(false),
            Err(e) => Err(js_error("renewing a lease")(&e)),
        }
    }

    /// Gives a lease back at once (a clean stop), so another need not wait for it to expire.
    pub async fn release(&self, lease: Lease) -> Result<(), BusError> {
        self.kv
            .delete_expect_revision(&lease.key, Some(lease.revision))
            .await
            .map_err(|e| js_error("releasing a lease")(&e))
    }

    /// Who holds `key` now, if anyone.
    pub async fn holder(&self, key: &str) -> Result<Option<String>, BusError> {
        let value = self.kv.get(key).await.map_err(|e| js_error("reading a lease")(&e))?;
        Ok(value.map(|v| String::from_utf8_lossy(&v).into_owned()))
    }
}
