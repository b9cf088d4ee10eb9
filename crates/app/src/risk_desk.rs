//! The risk desk: the position watch running inside the server. It is built
//! from the database for a trading day, takes snapshots as they arrive,
//! stores every reminder they make due (with its sentences and figures), and
//! announces them to whoever listens (the server's WebSocket pages). An
//! outbox sends reminders held over the customer's quiet hours when they end.

use crate::book::Booked;
use crate::cluster::{BookedTrade, FeedBatch, Partition, QuoteOnBus, ReminderOnBus};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Timelike, Utc};
use domain::{Instrument, InstrumentKind, Money};
use rust_decimal::prelude::ToPrimitive;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use store::{Db, NewReminder, ReminderRow, StoreError};
use tokio::sync::{broadcast, Mutex};
use watch::rules::{Bp, QuietHours, Rule, RuleConfig, Trigger};
use watch::{DayLimits, InstrumentInput, InstrumentProfile, Monitor, Period, PositionInput, Watch, WatchError};

/// Accounts between two progress lines while the watch loads.
const LOAD_PROGRESS_EVERY: usize = 1_000_000;

/// Calendar days of daily bars read to seed the trend signals (MACD needs ~34 trading days).
const HISTORY_CALENDAR_DAYS: i64 = 120;

/// How long a server waits for a worker to say how an account stands now.
const LIVE_ASK_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

/// Quote calls slower than this are logged with what they cost.
const SLOW_QUOTES: std::time::Duration = std::time::Duration::from_millis(100);

/// What the load gathers while positions stream in.
#[derive(Debug, Default)]
struct Loading {
    /// Account ids by engine index, in the order they arrived.
    accounts: Vec<i64>,
    account_index: HashMap<i64, u32>,
    positions: Vec<PositionInput>,
    /// (account id, code) of positions large enough for the holder rule.
    large: Vec<(i64, String)>,
}

/// How the desk judges and when it may send.
#[derive(Debug, Clone, Default)]
pub struct DeskSettings {
    /// Thresholds: firm defaults and per-account overrides (keyed by account id).
    pub rules: RuleConfig,
    /// Hours (Asia/Shanghai) in which reminders wait before reaching customers.
    pub quiet: QuietHours,
    /// Threads for judging every account.
    pub threads: usize,
    /// The order tickets' checks and fees (issue 26), read with the desk's settings.
    pub orders: orders::CheckSettings,
    /// What earns points, the tiers and the referral reward's conditions (issue 27).
    pub growth: growth::GrowthRules,
    /// When groups' daily preview and review are due (issue 28).
    pub cadence: community::cadence::Cadence,
    /// Complaints' SLAs, bursts, attachments and retention (issue 29).
    pub service: service::ServiceSettings,
}

impl DeskSettings {
    /// Settings from a rule file (JSON: `version`, `firm`, `accounts`; fields
    /// not named keep the firm defaults) and quiet hours (`HH:MM-HH:MM`).
    pub fn from_files(rules: Option<&std::path::Path>, quiet_hours: &str) -> Result<DeskSettings, SettingsError> {
        let rules = match rules {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| SettingsError::Rules { path: path.to_owned(), reason: e.to_string() })?;
                serde_json::from_str(&text)
                    .map_err(|e| SettingsError::Rules { path: path.to_owned(), reason: e.to_string() })?
            }
            None => RuleConfig::default(),
        };
        let quiet = quiet_hours.parse().map_err(SettingsError::QuietHours)?;
        Ok(DeskSettings {
            rules,
            quiet,
            threads: 2,
            orders: Default::default(),
            growth: Default::default(),
            cadence: Default::default(),
            service: Default::default(),
        })
    }
}

/// Why the desk's settings could not be read.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// The rule file is missing or not a rule configuration.
    #[error("rules {path}: {reason}")]
    Rules {
        /// The file.
        path: std::path::PathBuf,
        /// Why.
        reason: String,
    },
    /// The quiet hours are not `HH:MM-HH:MM`.
    #[error("quiet hours: {0}")]
    QuietHours(String),
}

/// Why the desk could not act.
#[derive(Debug, thiserror::Error)]
pub enum DeskError {
    /// Reading or writing the database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The book could not be built into an engine.
    #[error("the position watch refused the book: {0}")]
    Watch(#[from] WatchError),
    /// The bus (NATS JetStream) could not be used.
    #[error(transparent)]
    Bus(#[from] bus::BusError),
    /// A watch worker's runtime for its partitions could not be started.
    #[error("the partitions' runtime: {0}")]
    Runtime(#[from] std::io::Error),
}

impl domain::ErrorCode for DeskError {
    fn code(&self) -> domain::Code {
        match self {
            DeskError::Store(e) => e.code(),
            DeskError::Watch(_) | DeskError::Bus(_) | DeskError::Runtime(_) => domain::codes::INTERNAL,
        }
    }
}

/// 0.0001 CNY counts (as stored) to the engine's 0.001 CNY, rounded half up.
fn milli_of_fixed(fixed: i64) -> i32 {
    i32::try_from((fixed + 5).div_euclid(10)).unwrap_or(i32::MAX)
}

/// Money to the engine's 0.001 CNY.
fn milli(money: Money) -> i32 {
    (money * Money::from(1000)).round().to_i32().unwrap_or(i32::MAX)
}

/// The engine's 0.001 CNY as money text.
fn money_text(milli: i64) -> String {
    (Money::from(milli) / Money::from(1000)).normalize().to_string()
}

/// An instrument's limit prices on `day` after closing at `prev_close`, when it has a band
/// (by the band in force that day: the ST band's change of July 2026 included).
fn day_limits(i: &Instrument, prev_close: i32, day: NaiveDate) -> DayLimits {
    let calendar = market::TradingCalendar::current();
    let tick = market::rules::tick(i.kind);
    let prev = Money::from(prev_close) / Money::from(1000);
    match market::rules::band_on(i, day, calendar) {
        Some(band) => {
            let limits = market::rules::limit_prices(prev, band, tick);
            DayLimits { down: Some(milli(limits.down)), up: Some(milli(limits.up)) }
        }
        None => DayLimits::default(),
    }
}

/// Whether one account's holding could, with the customer's others, reach
/// the disclosure line: a stock and at least 1% of its voting shares alone
/// (a customer has a few accounts, not five of 1% each).
fn is_large(i: &Instrument, quantity: i64) -> bool {
    i.kind == InstrumentKind::Stock && i.outstanding_shares > 0 && quantity.saturating_mul(100) >= i.outstanding_shares
}

/// The customers behind these (account, instrument) holdings, each pair once,
/// with their shares over all their accounts.
async fn customer_shares(
    db: &Db,
    holdings: &[(i64, String)],
) -> Result<Vec<(String, store::CustomerShares)>, DeskError> {
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for (account, code) in holdings {
        if let Some(c) = db.customer_shares(*account, code).await? {
            if seen.insert((c.customer_id, code.clone())) {
                out.push((code.clone(), c));
            }
        }
    }
    Ok(out)
}

/// A price for an instrument at a moment: what the watch takes from a snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quote {
    /// Instrument code, e.g. 600519.SH.
    pub code: String,
    /// When.
    pub time: DateTime<Utc>,
    /// Last price.
    pub last: Money,
}

/// The watch for one trading day, with the ids behind its indexes.
pub struct LiveWatch {
    monitor: Monitor,
    session: NaiveDate,
    accounts: Vec<i64>,
    account_index: HashMap<i64, u32>,
    instruments: Vec<Instrument>,
    index: HashMap<String, u32>,
    /// The time of the latest quote taken per instrument: an older or repeated
    /// snapshot (sent again, or late) moves nothing.
    quoted_at: Vec<DateTime<Utc>>,
    /// The time of the newest quote taken: a reminder says which quote it
    /// was judged on (its figures' `quote_time`).
    quoted_through: Option<DateTime<Utc>>,
}

impl std::fmt::Debug for LiveWatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LiveWatch")
            .field("session", &self.session)
            .field("accounts", &self.accounts.len())
            .field("instruments", &self.instruments.len())
            .finish()
    }
}

impl LiveWatch {
    /// Builds the watch for trading day `session` from the database: prices
    /// start at each instrument's last close before that day. Answers the
    /// watch and the reminders already due at the start.
    pub async fn load(
        db: &Db,
        session: NaiveDate,
        settings: &DeskSettings,
        partition: Option<Partition>,
    ) -> Result<(LiveWatch, Vec<Trigger>), DeskError> {
        let mine = |account: i64| partition.is_none_or(|p| p.owns(account));
        // The book first takes the actions whose ex-date has come.
        crate::corporate::apply_due(db, session).await?;
        let instruments = db.all_instruments().await?;
        let index: HashMap<String, u32> =
            instruments.iter().enumerate().map(|(k, i)| (i.code.to_string(), k as u32)).collect();
        let mut closes: Vec<Vec<(NaiveDate, i32)>> = vec![Vec::new(); instruments.len()];
        for (code, date, close) in db.closes_between(session - Duration::days(HISTORY_CALENDAR_DAYS), session).await? {
            if let Some(&k) = index.get(&code) {
                closes[k as usize].push((date, milli_of_fixed(close)));
            }
        }
        for (i, c) in instruments.iter().zip(closes.iter_mut()) {
            if c.is_empty() {
                c.push((session.pred_opt().unwrap_or(session), milli(i.last_close).max(1)));
            }
        }
        // Closes before an ex-date are scaled to its reference price, so the
        // day starts from the reference (not the raw close) and the peaks,
        // trends and trapped days compare like with like.
        for a in db.corporate_actions_between(session - Duration::days(HISTORY_CALENDAR_DAYS), session).await? {
            let Some(&k) = index.get(&a.instrument.to_string()) else { continue };
            let c = &mut closes[k as usize];
            let Some(prev) = c.iter().rev().find(|(d, _)| *d < a.ex_date).map(|x| i64::from(x.1)) else { continue };
            let tick = market::rules::tick(instruments[k as usize].kind);
            let reference = i64::from(milli(book::reference_price(Money::from(prev) / Money::from(1000), &a, tick)));
            for (_, close) in c.iter_mut().filter(|(d, _)| *d < a.ex_date) {
                *close = ((i64::from(*close) * reference * 2 + prev) / (prev * 2)).max(1) as i32;
            }
        }
        let bp = settings.rules.firm.trapped_below_cost_bp;
        // Positions are read in two halves of the account ids on two
        // connections at once, and the account ids beside them (the database
        // works on both cores); each account is numbered as it arrives, and
        // the accounts holding nothing after them. Streamed into compact
        // inputs (the engine's indexes, not ids and codes), with a progress
        // line now and then.
        let total = db.count_rows("accounts").await?.max(0) as usize;
        let loading = std::sync::Mutex::new(Loading::default());
        let started = std::time::Instant::now();
        let each = |account: i64, code: &str, quantity: i64, cost: i64| {
            let Some(&i) = index.get(code) else { return Ok(()) };
            if !mine(account) {
                return Ok(());
            }
            let mut l = loading.lock().expect("the load's lock is never poisoned");
            let l = &mut *l;
            let next = l.accounts.len() as u32;
            let a = *l.account_index.entry(account).or_insert(next);
            if a == next {
                l.accounts.push(account);
                if l.accounts.len().is_multiple_of(LOAD_PROGRESS_EVERY) {
                    tracing::info!(
                        accounts = l.accounts.len(),
                        of = total,
                        positions = l.positions.len(),
                        seconds = started.elapsed().as_secs_f64(),
                        "loading the position watch"
                    );
                }
            }
            if is_large(&instruments[i as usize], quantity) {
                l.large.push((account, code.to_owned()));
            }
            let cost = milli_of_fixed(cost);
            // Trapped days so far: the trailing closes far enough below today's cost.
            let trapped_days = closes[i as usize]
                .iter()
                .rev()
                .take_while(|(_, c)| i64::from(*c) * 10_000 <= i64::from(cost) * (10_000 - bp))
                .count() as u16;
            let quantity = i32::try_from(quantity).unwrap_or(i32::MAX);
            l.positions.push(PositionInput { account: a, instrument: i, quantity, cost, trapped_days });
            Ok(())
        };
        let (from, until) = db.position_account_span().await?.map_or((0, 0), |(lo, hi)| (lo, hi + 1));
        let middle = from + (until - from) / 2;
        // A worker's partition is read alone: the database filters, not the load.
        let slice = partition.map_or(store::AccountSlice::ALL, |p| store::AccountSlice {
            index: i64::from(p.index),
            count: i64::from(p.count),
        });
        let (ids, _, _) = tokio::try_join!(
            db.watch_accounts_in(slice),
            db.watch_positions_between(from, middle, slice, each),
            db.watch_positions_between(middle, until, slice, each),
        )?;
        let Loading { mut accounts, mut account_index, positions, large } =
            loading.into_inner().expect("the load's lock is never poisoned");
        for id in ids.into_iter().filter(|id| mine(*id)) {
            let next = accounts.len() as u32;
            if *account_index.entry(id).or_insert(next) == next {
                accounts.push(id);
            }
        }
        let inputs: Vec<InstrumentInput> =
            closes.iter().map(|c| InstrumentInput { closes: c.iter().map(|x| x.1).collect() }).collect();
        let watch = Watch::build_streaming(accounts.len() as u32, &inputs, bp, positions.len(), positions)?;
        // The month's P&L before today: each holding valued at yesterday's close
        // against the last close of the previous month (as if held all month).
        let month_start = session.with_day(1).expect("day 1 exists");
        let mut month_move = vec![0i64; instruments.len()];
        for (k, c) in closes.iter().enumerate() {
            let before_month = c.iter().rev().find(|(d, _)| *d < month_start);
            if let (Some(base), Some(last)) = (before_month, c.last()) {
                month_move[k] = i64::from(last.1 - base.1);
            }
        }
        let mut month_prior = vec![0i64; accounts.len()];
        watch.for_each_position(|account, instrument, quantity| {
            month_prior[account as usize] += i64::from(quantity) * month_move[instrument as usize];
        });
        let profiles = instruments
            .iter()
            .zip(&closes)
            .map(|(i, c)| {
                let prev = c.last().map_or(1, |x| x.1);
                let limits = day_limits(i, prev, session);
                InstrumentProfile {
                    is_stock: i.kind == InstrumentKind::Stock,
                    limit_down: limits.down,
                    limit_up: limits.up,
                    outstanding_shares: i.outstanding_shares,
                    closes: c.iter().map(|x| x.1).collect(),
                }
            })
            .collect();
        // Overrides are written by account id; the engine counts accounts by index.
        let mut rules = settings.rules.clone();
        // The large-holder rule counts a customer's accounts together: the desk
        // judges it (see `holder_triggers`), not the engine account by account.
        rules.firm.disclosure_bp = Bp::MAX;
        for t in rules.accounts.values_mut() {
            t.disclosure_bp = Bp::MAX;
        }
        rules.accounts = settings
            .rules
            .accounts
            .iter()
            .filter_map(|(id, t)| account_index.get(&i64::from(*id)).map(|k| (*k, t.clone())))
            .collect();
        // Take-profit reminders go to the accounts of the customer classes the configuration names.
        rules.take_profit_accounts = db
            .accounts_labelled(&settings.rules.take_profit_for)
            .await?
            .into_iter()
            .filter_map(|id| account_index.get(&id).copied())
            .collect();
        let mut monitor = Monitor::new(watch, profiles, month_prior, rules, period_of(session))?;
        let mut due = monitor.judge_everyone(settings.threads.max(1));
        // Trigger prices now, at the start, not on the first quote.
        monitor.arm();
        let quoted_at = vec![DateTime::<Utc>::MIN_UTC; instruments.len()];
        let live = LiveWatch {
            monitor,
            session,
            accounts,
            account_index,
            instruments,
            index,
            quoted_at,
            quoted_through: None,
        };
        let shares = customer_shares(db, &large).await?;
        due.extend(live.holder_triggers(&shares));
        Ok((live, due))
    }

    /// The large-holder reminders these customers' levels call for (see
    /// `watch::holders`): on reaching 5%, each further 5% and 1% step, and
    /// on falling below 5%, against the last one sent.
    fn holder_triggers(&self, shares: &[(String, store::CustomerShares)]) -> Vec<Trigger> {
        shares
            .iter()
            .filter_map(|(code, c)| {
                let i = *self.index.get(code)?;
                let account = *self.account_index.get(&c.account_id)?;
                let voting = self.instruments[i as usize].outstanding_shares;
                let level = watch::holders::level(c.shares, voting)?;
                let what = watch::holders::follows(c.last_percent, level.percent)?;
                Some(Trigger {
                    account,
                    rule: Rule::Disclosure,
                    instrument: Some(i),
                    step: watch::holders::step(level.percent, what),
                    measure: level.bp,
                })
            })
            .collect()
    }

    /// The trading day the watch is in.
    pub fn session(&self) -> NaiveDate {
        self.session
    }

    /// The monitor, for figures.
    pub fn monitor(&self) -> &Monitor {
        &self.monitor
    }

    /// Applies the quotes of one moment (a full-market snapshot, or a few
    /// instruments) one by one: each judges only the holders whose trigger
    /// prices it passes (see `watch::Monitor::quote`), so a moment costs in
    /// proportion to what it may cause, not to how many hold what moved.
    /// Unknown instruments, bad prices and quotes no newer than the last taken
    /// for their instrument are skipped. Answers the reminders now due.
    pub fn quote_moment(&mut self, quotes: &[Quote]) -> Vec<Trigger> {
        let mut prices: Vec<(u32, i32)> = Vec::with_capacity(quotes.len());
        for q in quotes {
            let Some(&i) = self.index.get(&q.code) else { continue };
            let price = milli(q.last);
            if price > 0 && q.time > self.quoted_at[i as usize] {
                self.quoted_at[i as usize] = q.time;
                self.quoted_through = self.quoted_through.max(Some(q.time));
                prices.push((i, price));
            }
        }
        prices.iter().flat_map(|&(i, price)| self.monitor.quote(i, price).unwrap_or_default()).collect()
    }

    /// Applies a trade the book has taken: the holding becomes what the book
    /// keeps after it (quantity and cost), so a trade the watch already
    /// holds (read with the book at a load, or taken again from the bus
    /// after a worker's failover) changes nothing. A trade the engine
    /// refuses (an account or instrument it does not know) is skipped with
    /// a warning: the book has it, and the next build reads it from there.
    pub fn trade(&mut self, t: &BookedTrade) -> Vec<Trigger> {
        let (Some(&a), Some(&i)) = (self.account_index.get(&t.account_id), self.index.get(&t.instrument)) else {
            return Vec::new();
        };
        let held = self.monitor.watch().holdings(a).into_iter().find(|h| h.0 == i).map_or(0, |h| i64::from(h.1));
        let Ok(quantity) = i32::try_from(t.after_quantity - held) else { return Vec::new() };
        if quantity == 0 {
            return Vec::new();
        }
        let cost = milli_of_fixed(t.after_cost);
        match self.monitor.trade_at_cost(a, i, quantity, milli(t.price), Some(cost)) {
            Ok(due) => due,
            Err(e) => {
                tracing::warn!(account = t.account_id, code = %t.instrument, error = %e, "the position watch skipped a trade");
                Vec::new()
            }
        }
    }

    /// Closes the session at current prices and opens `next`.
    pub fn roll_to(&mut self, next: NaiveDate, threads: usize) -> Result<Vec<Trigger>, DeskError> {
        let watch = self.monitor.watch();
        let limits: Vec<DayLimits> =
            self.instruments.iter().enumerate().map(|(k, i)| day_limits(i, watch.price(k as u32), next)).collect();
        let new_month = (next.year(), next.month()) != (self.session.year(), self.session.month());
        let due = self.monitor.roll_day(&limits, new_month, threads)?;
        self.monitor.arm();
        self.session = next;
        Ok(due)
    }

    /// A trigger as a reminder to store: ids, sentences, figures, delivery time.
    pub fn reminder(&self, t: &Trigger, now: DateTime<Utc>, quiet: &QuietHours, version: &str) -> NewReminder {
        let watch = self.monitor.watch();
        let f = watch.figures(t.account);
        let instrument = t.instrument.map(|i| &self.instruments[i as usize]);
        let price = t.instrument.map_or(0, |i| watch.price(i));
        let trapped_days = t
            .instrument
            .and_then(|i| watch.holding_details(t.account).into_iter().find(|h| h.instrument == i))
            .map_or(0, |h| h.trapped_days);
        let code = instrument.map(|i| i.code.to_string()).unwrap_or_default();
        let context = watch::wording::Context {
            name: instrument.map_or("", |i| i.name.as_str()),
            code: &code,
            price,
            trapped_days,
            day_loss: -f.day_pnl,
        };
        let (text_zh, text_en) = watch::wording::sentences(t, &context);
        let figures = serde_json::json!({
            "value": money_text(f.value),
            "day_pnl": money_text(f.day_pnl),
            "peak_20d": money_text(f.peak),
            "largest_position": money_text(f.largest),
            "month_pnl": money_text(self.monitor.month_pnl(t.account)),
            "price": t.instrument.map(|_| money_text(i64::from(price))),
            "prev_close": t.instrument.map(|i| money_text(i64::from(watch.prev_close(i)))),
            "quote_time": self.quoted_through.map(|q| q.to_rfc3339()),
        });
        let local = domain::to_shanghai(now);
        let minute = (local.hour() * 60 + local.minute()) as u16;
        NewReminder {
            account_id: domain::AccountId(self.accounts[t.account as usize]),
            rule: t.rule.as_str().into(),
            instrument: instrument.map(|i| i.code.to_string()),
            step: i32::from(t.step),
            measure: t.measure,
            figures: figures.to_string(),
            text_zh,
            text_en,
            rule_version: version.into(),
            trading_day: self.session,
            created_at: now,
            deliver_at: now + Duration::minutes(i64::from(quiet.wait(minute))),
            care_task: (t.rule == Rule::MonthLossCare).then(|| watch::wording::care_task_title(t)),
        }
    }
}

/// One holding as the watch sees it now.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LiveHolding {
    /// Instrument code.
    pub code: String,
    /// Shares held.
    pub quantity: i64,
    /// Average cost (0.001 CNY precision).
    pub cost: Money,
    /// Latest price.
    pub price: Money,
}

/// One account as the watch sees it now: valued at the latest prices.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LiveAccount {
    /// Account id.
    pub account_id: i64,
    /// The trading day the watch is in.
    pub session: NaiveDate,
    /// Market value at the latest prices.
    pub value: Money,
    /// Today's profit or loss (value now less value at the last close, net of today's trades).
    pub day_pnl: Money,
    /// Holdings, by instrument code.
    pub holdings: Vec<LiveHolding>,
}

impl LiveWatch {
    /// These accounts as the watch sees them now (those it does not hold are left out).
    pub fn accounts(&self, ids: &[i64]) -> Vec<LiveAccount> {
        let watch = self.monitor.watch();
        let money = |milli: i64| Money::from(milli) / Money::from(1000);
        ids.iter()
            .filter_map(|id| {
                let a = *self.account_index.get(id)?;
                let f = watch.figures(a);
                let mut holdings: Vec<LiveHolding> = watch
                    .holding_details(a)
                    .into_iter()
                    .filter(|h| h.quantity > 0)
                    .map(|h| LiveHolding {
                        code: self.instruments[h.instrument as usize].code.to_string(),
                        quantity: i64::from(h.quantity),
                        cost: money(i64::from(h.cost)),
                        price: money(i64::from(watch.price(h.instrument))),
                    })
                    .collect();
                holdings.sort_by(|x, y| x.code.cmp(&y.code));
                Some(LiveAccount {
                    account_id: *id,
                    session: self.session,
                    value: money(f.value),
                    day_pnl: money(f.day_pnl),
                    holdings,
                })
            })
            .collect()
    }
}

/// Day and month sequence numbers for the ledger.
fn period_of(day: NaiveDate) -> Period {
    Period { day: day.num_days_from_ce() as u32, month: (day.year() * 12 + day.month() as i32) as u32 }
}

/// What the desk announces to listeners.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeskEvent {
    /// A reminder was made (advisors see it at once).
    Made(ReminderRow),
    /// A reminder reached the customer's inbox (at once, or after quiet hours).
    Delivered(ReminderRow),
}

/// Where a desk's watch runs and where its reminders go.
#[derive(Debug, Clone)]
enum Placement {
    /// One process does everything: the watch judges here, the reminders
    /// go to this process's sockets (the embedded default).
    Embedded,
    /// A server past one machine: the feed's trades and quotes go to the
    /// watch workers on the bus; reminders come back from it.
    Server(bus::Bus),
    /// A watch worker: judges one partition's accounts, publishes the reminders.
    Worker(bus::Bus, Partition),
}

/// What a desk has taken and made, for the metrics.
#[derive(Debug, Default)]
pub struct DeskCounts {
    /// Quotes taken from the feed.
    pub quotes_in: AtomicU64,
    /// Reminders made (stored new).
    pub reminders_made: AtomicU64,
    /// Reminders delivered to customers' inboxes.
    pub reminders_delivered: AtomicU64,
}

/// The desk: one live watch behind a lock, the database and the listeners.
#[derive(Debug)]
pub struct RiskDesk {
    db: Db,
    settings: DeskSettings,
    live: Mutex<Option<LiveWatch>>,
    events: broadcast::Sender<DeskEvent>,
    ready: AtomicBool,
    /// What the start's judgement found due for a session that has not
    /// begun (a server started on a weekend): sent with its first quotes.
    held_for_session: Mutex<Vec<Trigger>>,
    placement: Placement,
    counts: DeskCounts,
}

impl RiskDesk {
    /// A desk; until [`RiskDesk::warm_start`] has run it is not ready, and a
    /// day's watch is built when the first snapshot of that day arrives.
    pub fn new(db: Db, settings: DeskSettings) -> RiskDesk {
        let (events, _) = broadcast::channel(4096);
        RiskDesk {
            db,
            settings,
            live: Mutex::new(None),
            events,
            ready: AtomicBool::new(false),
            held_for_session: Mutex::new(Vec::new()),
            placement: Placement::Embedded,
            counts: DeskCounts::default(),
        }
    }

    /// A server's desk past one machine: the feed's trades and quotes are
    /// published on `bus` for the watch workers, and the reminders the
    /// server makes itself (notices, the outbox's deliveries) go there too;
    /// what comes back is handed in with [`RiskDesk::receive`].
    pub fn for_workers(db: Db, settings: DeskSettings, bus: bus::Bus) -> RiskDesk {
        RiskDesk { placement: Placement::Server(bus), ..RiskDesk::new(db, settings) }
    }

    /// A watch worker's desk for one partition of the accounts: it judges
    /// what [`RiskDesk::take_batch`] gives it and publishes the reminders on `bus`.
    pub fn for_partition(db: Db, settings: DeskSettings, bus: bus::Bus, partition: Partition) -> RiskDesk {
        RiskDesk { placement: Placement::Worker(bus, partition), ..RiskDesk::new(db, settings) }
    }

    /// The partition a worker's desk judges.
    fn partition(&self) -> Option<Partition> {
        match &self.placement {
            Placement::Worker(_, p) => Some(*p),
            _ => None,
        }
    }

    /// What the desk has taken and made so far.
    pub fn counts(&self) -> &DeskCounts {
        &self.counts
    }

    /// Hands in a reminder event from the bus: pushed to this process's listeners.
    pub fn receive(&self, event: DeskEvent) {
        let _ = self.events.send(event);
    }

    /// True once the watch is loaded (or found nothing to load): the feed
    /// takes events only then, so no quote waits behind a build.
    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::Acquire)
    }

    /// The trading day the clock is in, or the next one when the market is
    /// closed today: the day a started server watches.
    pub fn current_session(&self) -> NaiveDate {
        market::TradingCalendar::current().session_of(domain::to_shanghai(self.db.now()).date_naive())
    }

    /// Loads the watch for the current session from the database before the
    /// feed is opened, stores the reminders already due at the start (a
    /// restart stores none twice: the store keeps one per account, rule,
    /// instrument, step and day) and marks the desk ready. A failure is
    /// logged and the desk opens anyway, building on the first snapshot as
    /// before, rather than refusing the feed for ever.
    pub async fn warm_start(&self) -> Result<usize, DeskError> {
        if let Placement::Server(_) = self.placement {
            // The workers hold the watch; the feed goes to the bus at once.
            self.ready.store(true, Ordering::Release);
            return Ok(0);
        }
        let session = self.current_session();
        let started = std::time::Instant::now();
        tracing::info!(%session, "loading the position watch from the database");
        let outcome = async {
            let (w, due) = LiveWatch::load(&self.db, session, &self.settings, self.partition()).await?;
            tracing::info!(
                %session,
                accounts = w.accounts.len(),
                positions = w.monitor.watch().positions(),
                seconds = started.elapsed().as_secs_f64(),
                "the position watch is loaded"
            );
            let reaches = w.monitor.reaches();
            tracing::info!(
                visited_on_every_quote = reaches.always,
                by_limit = ?reaches.by_limit,
                by_width = ?reaches.by_width,
                "trigger prices: accounts by how far their holdings may move before they are judged again (0, <1%, <2%, <5%, <10%, wider)"
            );
            let now = self.db.now();
            if session != domain::to_shanghai(now).date_naive() {
                // Not today's: a weekend's start sends nothing until Monday's quotes.
                *self.held_for_session.lock().await = due;
                *self.live.lock().await = Some(w);
                return Ok(0);
            }
            let reminders: Vec<NewReminder> =
                due.iter().map(|t| w.reminder(t, now, &self.settings.quiet, &self.settings.rules.version)).collect();
            *self.live.lock().await = Some(w);
            self.store_and_announce(&reminders, now).await
        }
        .await;
        self.ready.store(true, Ordering::Release);
        outcome
    }

    /// Listens to reminders as they are made and delivered.
    pub fn subscribe(&self) -> broadcast::Receiver<DeskEvent> {
        self.events.subscribe()
    }

    /// Takes quotes (from snapshots already checked and stored by the feed):
    /// moves the watch to their trading day (rolling a day forward, or
    /// rebuilding for any other day), quotes them in time order, stores and
    /// announces the reminders they make due. Answers how many were made.
    pub async fn on_quotes(&self, mut snapshots: Vec<Quote>, now: DateTime<Utc>) -> Result<usize, DeskError> {
        self.counts.quotes_in.fetch_add(snapshots.len() as u64, Ordering::Relaxed);
        if let Placement::Server(bus) = &self.placement {
            let quotes =
                snapshots.iter().map(|q| QuoteOnBus { code: q.code.clone(), time: q.time, last: q.last }).collect();
            publish_batch(bus, &FeedBatch { quotes, ..Default::default() }).await?;
            return Ok(0);
        }
        snapshots.sort_by_key(|s| s.time);
        let threads = self.settings.threads.max(1);
        let started = std::time::Instant::now();
        let mut live = self.live.lock().await;
        let visits_before = live.as_ref().map_or(0, |w| w.monitor.quote_visits());
        let mut made = 0;
        let mut k = 0;
        while k < snapshots.len() {
            let day = domain::to_shanghai(snapshots[k].time).date_naive();
            let end = snapshots[k..]
                .iter()
                .position(|s| domain::to_shanghai(s.time).date_naive() != day)
                .map_or(snapshots.len(), |n| k + n);
            let mut due = Vec::new();
            let calendar = market::TradingCalendar::current();
            // Held start reminders belong to the watch's session: sent with its first quotes, else dropped.
            let held = std::mem::take(&mut *self.held_for_session.lock().await);
            // A new day with an ex-date in it is built afresh: the book and the prices adjust.
            let plain_roll = match live.as_ref() {
                Some(w) if calendar.next_trading_day(w.session) == day => {
                    self.db.corporate_actions_between(w.session, day).await?.is_empty()
                        && !self.db.corporate_actions_pending(day).await?
                }
                _ => false,
            };
            match live.as_mut() {
                Some(w) if w.session == day => due.extend(held),
                Some(w) if plain_roll => due.extend(w.roll_to(day, threads)?),
                _ => {
                    tracing::info!(%day, "building the position watch for a trading day");
                    let (w, start) = LiveWatch::load(&self.db, day, &self.settings, self.partition()).await?;
                    *live = Some(w);
                    due.extend(start);
                }
            }
            let w = live.as_mut().expect("built above");
            for moment in snapshots[k..end].chunk_by(|a, b| a.time == b.time) {
                due.extend(w.quote_moment(moment));
            }
            let reminders: Vec<NewReminder> =
                due.iter().map(|t| w.reminder(t, now, &self.settings.quiet, &self.settings.rules.version)).collect();
            made += self.store_and_announce(&reminders, now).await?;
            k = end;
        }
        let elapsed = started.elapsed();
        if elapsed > SLOW_QUOTES {
            let visits = live.as_ref().map_or(0, |w| w.monitor.quote_visits()).saturating_sub(visits_before);
            tracing::info!(
                quotes = snapshots.len(),
                accounts_judged = visits,
                reminders = made,
                ms = elapsed.as_millis() as u64,
                "slow quotes"
            );
        }
        Ok(made)
    }

    /// Takes the trades the book has taken (checked, stored, and applied to
    /// positions and cash): the watch follows the same holdings. Answers how
    /// many reminders were made.
    pub async fn on_trades(&self, booked: &[Booked], now: DateTime<Utc>) -> Result<usize, DeskError> {
        let trades: Vec<BookedTrade> = booked.iter().map(BookedTrade::from).collect();
        if let Placement::Server(bus) = &self.placement {
            publish_batch(bus, &FeedBatch { trades, ..Default::default() }).await?;
            return Ok(0);
        }
        self.take_trades(&trades, now).await
    }

    /// Takes trades (from this server's feed, or from the bus on a worker).
    async fn take_trades(&self, trades: &[BookedTrade], now: DateTime<Utc>) -> Result<usize, DeskError> {
        let mut live = self.live.lock().await;
        let Some(w) = live.as_mut() else { return Ok(0) };
        let mut due = Vec::new();
        let mut large = Vec::new();
        for t in trades {
            due.extend(w.trade(t));
            // Large before or after the trade: the customer's level may have moved.
            let before = t.after_quantity - t.signed_quantity.min(0);
            if let Some(&i) = w.index.get(&t.instrument) {
                if is_large(&w.instruments[i as usize], before.max(t.after_quantity)) {
                    large.push((t.account_id, t.instrument.clone()));
                }
            }
        }
        if !large.is_empty() {
            let shares = customer_shares(&self.db, &large).await?;
            due.extend(w.holder_triggers(&shares));
        }
        let reminders: Vec<NewReminder> =
            due.iter().map(|t| w.reminder(t, now, &self.settings.quiet, &self.settings.rules.version)).collect();
        drop(live);
        self.store_and_announce(&reminders, now).await
    }

    /// These accounts as the watch sees them now; empty before the watch is
    /// built. Past one machine a server asks the worker that owns each
    /// account (one that does not answer in time leaves its accounts out).
    pub async fn live_accounts(&self, ids: &[i64]) -> Vec<LiveAccount> {
        if let Placement::Server(bus) = &self.placement {
            let mut accounts = Vec::new();
            for id in ids {
                let asked = bus.ask(crate::cluster::live_account_subject(*id), Default::default(), LIVE_ASK_WAIT).await;
                match asked {
                    Ok(Some(answer)) => {
                        accounts.extend(serde_json::from_slice::<Vec<LiveAccount>>(&answer).unwrap_or_default())
                    }
                    Ok(None) => {}
                    Err(e) => tracing::warn!(account = id, error = %e, "the watch could not be asked"),
                }
            }
            return accounts;
        }
        self.live.lock().await.as_ref().map(|w| w.accounts(ids)).unwrap_or_default()
    }

    /// A worker answers what servers ask of its partition's accounts, until the task is stopped.
    pub async fn answer_live_accounts(self: std::sync::Arc<Self>) -> Result<tokio::task::JoinHandle<()>, DeskError> {
        let Placement::Worker(bus, partition) = &self.placement else { return Ok(tokio::spawn(async {})) };
        let partition = *partition;
        let questions = bus.questions(crate::cluster::LIVE_ACCOUNT_QUESTIONS).await?;
        Ok(tokio::spawn(async move {
            use futures_util::StreamExt;
            let mut questions = std::pin::pin!(questions);
            while let Some(q) = questions.next().await {
                let Some(id) = q.subject.rsplit('.').next().and_then(|id| id.parse::<i64>().ok()) else { continue };
                // Every worker hears it; the owner answers.
                if !partition.owns(id) {
                    continue;
                }
                let accounts = self.live_accounts(&[id]).await;
                let answer = serde_json::to_vec(&accounts).expect("accounts serialize");
                if let Err(e) = q.answer(answer.into()).await {
                    tracing::warn!(account = id, error = %e, "a question about an account went unanswered");
                }
            }
        }))
    }

    /// After corporate actions were stored: one whose ex-date has come
    /// (a late announcement) is applied now and the watch rebuilt for its
    /// session; later ones wait for their day. Answers how many reminders were made.
    pub async fn on_corporate_actions(&self, now: DateTime<Utc>) -> Result<usize, DeskError> {
        if let Placement::Server(bus) = &self.placement {
            publish_batch(bus, &FeedBatch { corporate_actions: true, ..Default::default() }).await?;
            return Ok(0);
        }
        let mut live = self.live.lock().await;
        let Some(session) = live.as_ref().map(|w| w.session) else { return Ok(0) };
        if !self.db.corporate_actions_pending(session).await? {
            return Ok(0);
        }
        let (w, due) = LiveWatch::load(&self.db, session, &self.settings, self.partition()).await?;
        let reminders: Vec<NewReminder> =
            due.iter().map(|t| w.reminder(t, now, &self.settings.quiet, &self.settings.rules.version)).collect();
        *live = Some(w);
        drop(live);
        self.store_and_announce(&reminders, now).await
    }

    /// The hours in which reminders wait before reaching customers.
    pub fn quiet_hours(&self) -> QuietHours {
        self.settings.quiet
    }

    /// Stores reminders made outside the watch (notices on holdings) and
    /// announces them as the watch's own; how many were new.
    pub async fn announce(&self, reminders: &[NewReminder], now: DateTime<Utc>) -> Result<usize, DeskError> {
        self.store_and_announce(reminders, now).await
    }

    /// A worker takes one feed call's batch: corporate actions, trades,
    /// then quotes, as the embedded server takes them. Answers how many
    /// reminders were made.
    pub async fn take_batch(&self, batch: &FeedBatch, now: DateTime<Utc>) -> Result<usize, DeskError> {
        let mut made = 0;
        if batch.corporate_actions {
            made += self.on_corporate_actions(now).await?;
        }
        if !batch.trades.is_empty() {
            made += self.take_trades(&batch.trades, now).await?;
        }
        if !batch.quotes.is_empty() {
            made += self.on_quotes(batch.quotes(), now).await?;
        }
        Ok(made)
    }

    async fn store_and_announce(&self, reminders: &[NewReminder], now: DateTime<Utc>) -> Result<usize, DeskError> {
        let stored = self.db.insert_reminders(reminders).await?;
        if stored.is_empty() {
            // Nothing new to deliver now: those held over quiet hours are the outbox's.
            return Ok(0);
        }
        self.counts.reminders_made.fetch_add(stored.len() as u64, Ordering::Relaxed);
        self.announce_rows(stored.iter().cloned().map(DeskEvent::Made).collect()).await?;
        self.deliver_due(now).await?;
        Ok(stored.len())
    }

    /// Announces reminder events: to this process's listeners, or on the
    /// bus (each under its own id, so that a repeat is stored once) for
    /// whichever server holds the reader's socket.
    async fn announce_rows(&self, events: Vec<DeskEvent>) -> Result<(), DeskError> {
        match &self.placement {
            Placement::Embedded => {
                for e in events {
                    // No listener is not an error: the reminder is stored.
                    let _ = self.events.send(e);
                }
            }
            Placement::Server(bus) | Placement::Worker(bus, _) => {
                let messages = events
                    .into_iter()
                    .map(|e| {
                        let on_bus = match e {
                            DeskEvent::Made(reminder) => ReminderOnBus { delivered: false, reminder },
                            DeskEvent::Delivered(reminder) => ReminderOnBus { delivered: true, reminder },
                        };
                        let (subject, id) = on_bus.address();
                        (subject, Some(id), serde_json::to_vec(&on_bus).expect("a reminder serializes").into())
                    })
                    .collect();
                bus.publish_all(messages).await?;
            }
        }
        Ok(())
    }

    /// The outbox: delivers every reminder due by `now` and announces it.
    pub async fn deliver_due(&self, now: DateTime<Utc>) -> Result<usize, DeskError> {
        let delivered = self.db.deliver_due_reminders(now).await?;
        self.counts.reminders_delivered.fetch_add(delivered.len() as u64, Ordering::Relaxed);
        let n = delivered.len();
        self.announce_rows(delivered.into_iter().map(DeskEvent::Delivered).collect()).await?;
        Ok(n)
    }

    /// A worker that has just taken its partition publishes again what was
    /// made or delivered for its accounts since `since`: a previous owner
    /// that died between storing a reminder and publishing it left it
    /// unannounced; one it did publish is a repeat the bus drops (its
    /// duplicate window is longer than any failover).
    pub async fn announce_again_since(&self, since: DateTime<Utc>) -> Result<usize, DeskError> {
        let Some(partition) = self.partition() else { return Ok(0) };
        let rows = self.db.reminders_touched_since(since).await?;
        let mut events = Vec::new();
        for r in rows.into_iter().filter(|r| partition.owns(r.account_id.0)) {
            if r.delivered_at.is_some_and(|d| d >= since) {
                events.push(DeskEvent::Delivered(r.clone()));
            }
            if r.created_at >= since {
                events.push(DeskEvent::Made(r));
            }
        }
        let n = events.len();
        // Made before delivered, as they happened.
        events.sort_by_key(|e| matches!(e, DeskEvent::Delivered(_)));
        self.announce_rows(events).await?;
        Ok(n)
    }
}

/// Publishes a feed call's batch for the watch workers.
async fn publish_batch(bus: &bus::Bus, batch: &FeedBatch) -> Result<(), DeskError> {
    let payload = serde_json::to_vec(batch).expect("a feed batch serializes");
    bus.publish(bus::FEED_SUBJECT.to_owned(), None, payload.into()).await?;
    Ok(())
}
