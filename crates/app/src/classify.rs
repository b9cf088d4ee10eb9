//! `brokerdesk classify`: every customer's features and labels computed in
//! batch from the database, stored, and compared with what was stored
//! before (who moved between labels, and why).

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Utc};
use classify::activity::day_of;
use classify::labels::{label, moves, Given, Move};
use classify::{Activity, ClassifyError, Features, Holding, LabelConfig, Labelling, Profile, TradeEvent};
use domain::{CustomerId, Gender, InstrumentKind, Side};
use indicatif::{ProgressBar, ProgressStyle};
use market::rules::{settlement_of, Settlement};
use std::collections::BTreeMap;
use store::{CustomerHistory, Db, StoreError, StoredLabels, TradeRecord};
use thiserror::Error;

/// Customers read and written per round trip to the database.
const PAGE: i64 = 2_000;

/// Why a classification run stopped.
#[derive(Debug, Error)]
pub enum ClassifyRunError {
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A label configuration (given, or stored) could not be read.
    #[error("label configuration {0}")]
    Config(String),
    /// A stored labelling could not be read back.
    #[error("stored labels of customer {customer} are not valid JSON: {source}")]
    StoredLabels {
        /// The customer.
        customer: CustomerId,
        /// Why.
        source: serde_json::Error,
    },
}

/// Label thresholds from a JSON file (fields not named keep the defaults),
/// or the defaults without one.
pub fn config_from_file(path: Option<&std::path::Path>) -> Result<LabelConfig, ClassifyRunError> {
    let Some(path) = path else { return Ok(LabelConfig::default()) };
    let text =
        std::fs::read_to_string(path).map_err(|e| ClassifyRunError::Config(format!("{}: {e}", path.display())))?;
    LabelConfig::from_json(&text).map_err(|e| ClassifyRunError::Config(format!("{}: {e}", path.display())))
}

impl domain::ErrorCode for ClassifyRunError {
    fn code(&self) -> domain::Code {
        match self {
            ClassifyRunError::Store(e) => e.code(),
            ClassifyRunError::Config(_) | ClassifyRunError::StoredLabels { .. } => domain::codes::INTERNAL,
        }
    }
}

/// What a run found.
#[derive(Debug, Default)]
pub struct ClassifyReport {
    /// Customers labelled.
    pub customers: u64,
    /// Trades left out, each with its reason (the rest of the customer's history counts).
    pub refused: Vec<String>,
    /// Customers who had labels before and moved on some dimension.
    pub moved_customers: u64,
    /// Every move: customer and what changed, with the reasons.
    pub moves: Vec<(CustomerId, Move)>,
    /// Customers per service tier.
    pub tiers: BTreeMap<&'static str, u64>,
}

/// A customer's day, as the brokerage counts it (Beijing time).
fn local_day(time: DateTime<Utc>) -> i32 {
    let beijing = FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset");
    day_of(time.with_timezone(&beijing).date_naive())
}

/// One customer's [`Activity`] fed with stored trades and logins: the unit
/// both the batch (a history folded at once) and the incremental path (events
/// as they arrive, interleaved across customers) use.
#[derive(Debug, Clone, Default)]
pub struct CustomerFeed {
    activity: Activity,
    /// Instruments numbered within the customer, in order of first trade.
    codes: Vec<String>,
}

impl CustomerFeed {
    /// A trade; a refused one is answered with why (the customer's other trades still count).
    pub fn on_trade(&mut self, customer: CustomerId, t: &TradeRecord) -> Result<(), String> {
        let side = t.side.parse::<Side>().map_err(|e| format!("customer {customer}: trade {}: {e}", t.id))?;
        let kind = t.kind.parse::<InstrumentKind>().ok();
        let instrument = match self.codes.iter().position(|c| *c == t.instrument) {
            Some(k) => k as u32,
            None => {
                self.codes.push(t.instrument.clone());
                (self.codes.len() - 1) as u32
            }
        };
        let event = TradeEvent {
            id: t.id,
            account: t.account_id,
            instrument,
            side,
            quantity: t.quantity,
            price: t.price,
            fee: t.fee,
            day: local_day(t.time),
            t_plus_zero: kind.is_some_and(|k| {
                let fund = t.fund_class.as_deref().and_then(|f| f.parse().ok());
                settlement_of(k, fund) == Settlement::TPlus0
            }),
        };
        self.activity.on_trade(&event).map_err(|e| refusal(customer, &e))
    }

    /// A login.
    pub fn on_login(&mut self, time: DateTime<Utc>) {
        self.activity.on_login(local_day(time));
    }

    /// The features on `as_of`, with the holdings and cash in `h`.
    pub fn features(&self, h: &CustomerHistory, as_of: NaiveDate) -> Features {
        let holdings: Vec<Holding> = h
            .holdings
            .iter()
            .map(|&(quantity, cost, close)| Holding { value: quantity * close, cost: quantity * cost })
            .collect();
        let profile = Profile { market_entry: h.market_entry, opened: opened_day(h.opened_at) };
        self.activity.features(as_of, &profile, &holdings, h.cash)
    }
}

/// A customer's features from their stored history, all at once; trades it refuses are reported.
pub fn features_of(h: &CustomerHistory, as_of: NaiveDate, refused: &mut Vec<String>) -> Features {
    let mut feed = CustomerFeed::default();
    for t in &h.trades {
        if let Err(why) = feed.on_trade(h.customer_id, t) {
            refused.push(why);
        }
    }
    for &time in &h.logins {
        feed.on_login(time);
    }
    feed.features(h, as_of)
}

/// A time's day in Beijing time.
fn opened_day(time: DateTime<Utc>) -> NaiveDate {
    let beijing = FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset");
    time.with_timezone(&beijing).date_naive()
}

fn refusal(customer: CustomerId, e: &ClassifyError) -> String {
    format!("customer {customer}: {e}")
}

/// The day of the newest trade or login in Beijing time: the day a loaded
/// book was taken, which classification defaults to (none in an empty book).
pub async fn book_day(db: &Db) -> Result<Option<NaiveDate>, StoreError> {
    Ok(db.newest_activity().await?.map(opened_day))
}

/// What the labels read beyond the features. The age is the year's age
/// (as pages show it): an age that changed on the birthday would, relabelled
/// day by day and shown with its reason, give the birthday away.
pub fn given_of(h: &CustomerHistory, as_of: NaiveDate) -> Given {
    let gender = h.gender.parse::<Gender>().map_or("unknown", |g| g.as_str());
    Given { age: u32::try_from(domain::age_in_year(h.birth_date.year(), as_of)).unwrap_or(0), gender }
}

/// Labels every customer as of `as_of`, stores features and labels, and
/// reports who moved since the last run. `progress` draws a bar on stderr.
pub async fn classify_all(
    db: &Db,
    config: &LabelConfig,
    as_of: NaiveDate,
    progress: bool,
) -> Result<ClassifyReport, ClassifyRunError> {
    let total = db.stats().await?.counts.iter().find(|c| c.0 == "customers").map_or(0, |c| c.1);
    let bar = if progress { ProgressBar::new(total.max(0) as u64) } else { ProgressBar::hidden() };
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} customers {per_sec} eta {eta}")
            .expect("a valid progress template"),
    );
    let text = serde_json::to_string(config).expect("a configuration serializes");
    db.record_label_config(&config.version, &text).await?;
    let mut report = ClassifyReport::default();
    let mut after = CustomerId(i64::MIN);
    loop {
        let ids = db.customer_ids(after, PAGE).await?;
        let (Some(&first), Some(&last)) = (ids.first(), ids.last()) else { break };
        let histories = db.customer_histories(first, last).await?;
        let revenue = recent_revenue(db, first.0, last.0, as_of).await?;
        let before = db.stored_labels(first, last).await?;
        let mut before = before.into_iter().peekable();
        let mut rows = Vec::with_capacity(histories.len());
        for h in &histories {
            let mut features = features_of(h, as_of, &mut report.refused);
            features.revenue_3m = revenue.get(&h.customer_id.0).copied().unwrap_or(0);
            let labelling = label(&features, given_of(h, as_of), config);
            if let Some(old) = before.next_if(|b| b.customer_id == h.customer_id) {
                let stored = stored_pairs(&old)?;
                let moved = moves(&stored, &labelling);
                report.moved_customers += u64::from(!moved.is_empty());
                report.moves.extend(moved.into_iter().map(|m| (h.customer_id, m)));
            }
            *report.tiers.entry(labelling.label("service_tier")).or_default() += 1;
            rows.push(stored_row(h.customer_id, as_of, &features, &labelling));
        }
        db.store_labels(&rows).await?;
        report.customers += histories.len() as u64;
        bar.inc(histories.len() as u64);
        after = last;
    }
    bar.finish_and_clear();
    Ok(report)
}

/// Brings the stored features and labels of these customers up to date as
/// of `as_of` (after their trades or logins arrived), with the thresholds of
/// the last `brokerdesk classify` run; nothing when no run has happened.
/// Answers how many were relabelled.
pub async fn refresh(db: &Db, customers: &[CustomerId], as_of: NaiveDate) -> Result<u64, ClassifyRunError> {
    let Some(text) = db.latest_label_config().await? else { return Ok(0) };
    let config =
        LabelConfig::from_json(&text).map_err(|e| ClassifyRunError::Config(format!("stored with the labels: {e}")))?;
    let mut ids = customers.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let mut rows = Vec::with_capacity(ids.len());
    for &id in &ids {
        let revenue = recent_revenue(db, id.0, id.0, as_of).await?;
        for h in db.customer_histories(id, id).await? {
            let mut features = features_of(&h, as_of, &mut Vec::new());
            features.revenue_3m = revenue.get(&h.customer_id.0).copied().unwrap_or(0);
            let labelling = label(&features, given_of(&h, as_of), &config);
            rows.push(stored_row(h.customer_id, as_of, &features, &labelling));
        }
    }
    db.store_labels(&rows).await?;
    Ok(rows.len() as u64)
}

/// Revenue to the firm in the three calendar months to `as_of`'s, per
/// customer with ids in `lo..=hi` (from the analytics counts).
async fn recent_revenue(
    db: &Db,
    lo: i64,
    hi: i64,
    as_of: NaiveDate,
) -> Result<std::collections::HashMap<i64, i64>, StoreError> {
    let month = analytics::Month::of(as_of);
    db.revenue_of(lo, hi, month.plus(-2), month).await
}

/// A labelling as stored.
fn stored_row(customer_id: CustomerId, as_of: NaiveDate, features: &Features, labelling: &Labelling) -> StoredLabels {
    StoredLabels {
        customer_id,
        version: labelling.version.clone(),
        as_of: as_of.to_string(),
        features: serde_json::to_string(features).expect("features serialize"),
        labels: serde_json::to_string(&labelling.labels).expect("labels serialize"),
    }
}

/// (dimension, label) pairs of a stored labelling.
pub fn stored_pairs(stored: &StoredLabels) -> Result<Vec<(String, String)>, ClassifyRunError> {
    label_pairs(stored.customer_id, &stored.labels)
}

/// A stored label with its reasons, read back for showing.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct ShownLabel {
    /// The label's stable text.
    pub label: String,
    /// What decided it.
    pub reasons: Vec<ShownReason>,
}

/// A stored reason (see [`classify::labels::Reason`]).
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct ShownReason {
    /// The feature's name.
    pub feature: String,
    /// Its value ("" for none).
    pub value: String,
    /// The comparison.
    pub test: String,
    /// The threshold's name.
    pub threshold: String,
    /// The threshold's value.
    pub limit: String,
}

/// A customer's labels as stored (JSON), dimension by dimension.
pub fn shown_labels(customer: CustomerId, labels: &str) -> Result<Vec<(String, ShownLabel)>, ClassifyRunError> {
    serde_json::from_str(labels).map_err(|source| ClassifyRunError::StoredLabels { customer, source })
}

/// A customer's stored labels as staff read them: the labelling, its
/// features (JSON) and each label with its reasons. Customers do not read
/// them (the firm's own notes); a customer outside the scope is not found.
pub async fn labels_of(
    db: &Db,
    principal: &access::Principal,
    customer: CustomerId,
) -> Result<(store::StoredLabels, serde_json::Value, Vec<(String, ShownLabel)>), crate::Error> {
    // Scope first, so that nobody learns whether a customer outside it exists.
    crate::customers::record(db, principal, customer).await?;
    if principal.role == access::Role::Customer {
        return Err(crate::codes::STAFF_ONLY.refuse().with("what", "labels").into());
    }
    let stored = db
        .stored_labels(customer, customer)
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| crate::Error::from(crate::codes::LABELS_NOT_FOUND.refuse()))?;
    let labels = shown_labels(customer, &stored.labels)?;
    let features =
        serde_json::from_str(&stored.features).map_err(|source| ClassifyRunError::StoredLabels { customer, source })?;
    Ok((stored, features, labels))
}

/// (dimension, label) pairs of a customer's labels as stored (JSON).
pub fn label_pairs(customer: CustomerId, labels: &str) -> Result<Vec<(String, String)>, ClassifyRunError> {
    Ok(shown_labels(customer, labels)?.into_iter().map(|(d, l)| (d, l.label)).collect())
}
