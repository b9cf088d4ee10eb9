//! The monitor: the engine, the rules and what was sent, together. Every update
//! (a quote, a market sweep, a trade, the day's close) revalues what it must
//! and answers the reminders it makes due, each once.

use crate::guard::{self, AccountLines, Arming, Limit, Reaches, ShareRule, Triggers};
use crate::rules::Rule;
use crate::rules::{
    at_least, at_limit_down, evaluate_into, month_care, next_step_line, stock_drop, take_profit, take_profit_ceiling,
    BelowCostLine, Bp, InstrumentState, RuleConfig, ShareLine, Trigger,
};
use crate::sent::{
    admit_account, admit_holding, bit, instrument_fires, instrument_news, new_for_account, sent_step, trend_fires,
    AccountMark, HoldingMark, MONTHLY,
};
use crate::{AccountFigures, HoldingDetail, Positions, Watch, WatchError};
use market::indicators::{Indicator, Macd, MacdValue, Ohlcv};
use std::sync::Mutex;

/// A row the screen (firm thresholds, the first 8 positions' masks) cannot
/// read, judged in full instead: its account has its own thresholds, or a
/// position past the 8th is trapped long enough or passes the disclosure line.
const JUDGE_IN_FULL: u8 = 1;

/// A row flag: the account's customer is of a class take-profit reminders are for.
const TAKE_PROFIT: u8 = 2;

/// What the screen knows of an instrument under the firm's thresholds,
/// refreshed when its price moves: 8 bytes, so the popular ones stay in L1.
#[derive(Debug, Clone, Copy, Default)]
struct Board {
    /// Price now.
    price: i32,
    /// Stocks only: the drop step and limit-down now, as a holding mark (see `sent`).
    fires: HoldingMark,
    /// The trend rules its signals today fire for a heavy holder, as a holding mark.
    trend: HoldingMark,
}

/// Reminders a judging thread hands over at a time.
const BATCH: usize = 1 << 16;

/// Admitting cannot panic while holding the overflow marks' lock.
const POISON: &str = "the overflow marks' lock is never poisoned";

/// What the monitor keeps per storage row, side by side because the screen
/// reads all of it for every row on every sweep (one stream, not three).
#[derive(Debug, Clone, Copy, Default)]
struct RowState {
    /// The account's profit or loss on the month's earlier days.
    month_prior: i64,
    /// What was sent to the account today (see `sent`).
    sent: AccountMark,
    /// `JUDGE_IN_FULL`.
    flags: u8,
    /// Bit k: the row's k-th position has been trapped long enough to fire
    /// once far enough under its cost (fixed within a day).
    long_trapped: u8,
    /// Bit k: the row's k-th position holds enough of its instrument's shares
    /// to pass the disclosure line (fixed but for trades).
    discloses: u8,
}

/// The sent marks a judging thread may write: its rows' and their main positions'.
struct Sent<'a> {
    main: &'a mut [HoldingMark],
    main_base: usize,
    rows: &'a mut [RowState],
    row_base: usize,
}

/// The sent marks read-only, laid out as in [`Sent`].
#[derive(Clone, Copy)]
struct SentView<'a> {
    main: &'a [HoldingMark],
    main_base: usize,
    rows: &'a [RowState],
    row_base: usize,
}

impl Sent<'_> {
    fn view(&self) -> SentView<'_> {
        SentView { main: self.main, main_base: self.main_base, rows: self.rows, row_base: self.row_base }
    }
}

/// An instrument's price limits for a day (0.001 CNY), when it has a band.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DayLimits {
    /// Limit-down.
    pub down: Option<i32>,
    /// Limit-up.
    pub up: Option<i32>,
}

/// What the monitor knows of an instrument beyond its prices.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct InstrumentProfile {
    /// Only stocks trigger the held-stock rules.
    pub is_stock: bool,
    /// Today's limit-down price (0.001 CNY), when the instrument has a band.
    pub limit_down: Option<i32>,
    /// Today's limit-up price (0.001 CNY), when the instrument has a band.
    pub limit_up: Option<i32>,
    /// Shares outstanding, for the disclosure threshold (0 when unknown).
    pub outstanding_shares: i64,
    /// Past closes, oldest first, the last being yesterday's: as many as are
    /// known (MA20 needs 20, MACD's signal line 34).
    pub closes: Vec<i32>,
}

/// An instrument's trend signals as of yesterday's close, from which today's
/// price decides whether a cross happens today.
#[derive(Debug, Clone)]
struct Trend {
    /// The last 19 closes (oldest first), for today's MA20 with today's price.
    last19: Vec<i64>,
    /// Yesterday's close was at or above yesterday's MA20.
    above_ma20: bool,
    /// MACD after yesterday's close, and whether its line was at or above the signal.
    macd: Macd,
    macd_above: bool,
    /// At an indicator top as of yesterday's close (see [`top_signal`]).
    top: bool,
}

/// RSI(14) at or above this is overbought.
const RSI_OVERBOUGHT: f64 = 80.0;
/// KDJ's J at or above this is overbought.
const KDJ_J_OVERBOUGHT: f64 = 100.0;
/// A MACD death cross counts as a top after the close rose this much (10%) over 20 sessions.
const RISE_BEFORE_CROSS: f64 = 0.10;

/// Whether the closes (oldest first, the last yesterday's) end at an
/// indicator top: RSI(14) or KDJ(9,3,3)'s J overbought at the last close, or
/// MACD's line crossing below its signal there after a 10% rise over 20
/// sessions. KDJ reads the closes alone (the engine keeps no highs and
/// lows), its range the closes' own over nine sessions. The last 64
/// closes are read, as the day roll keeps.
pub fn top_signal(closes: &[i32]) -> bool {
    use market::indicators::{Kdj, Rsi};
    let closes = &closes[closes.len().saturating_sub(64)..];
    let (mut rsi, mut kdj, mut macd) = (Rsi::new(14), Kdj::new(9, 3, 3), Macd::new(12, 26, 9));
    let (mut last_rsi, mut last_j) = (None, None);
    let mut macd_values: Vec<Option<MacdValue>> = Vec::with_capacity(closes.len());
    for &c in closes {
        let b = bar(c);
        last_rsi = rsi.update(&b);
        last_j = kdj.update(&b).map(|v| v.j);
        macd_values.push(macd.update(&b));
    }
    let n = closes.len();
    let crossed = n >= 2
        && matches!((macd_values[n - 2], macd_values[n - 1]), (Some(a), Some(b)) if a.macd >= a.signal && b.macd < b.signal);
    let rose = n > 20 && f64::from(closes[n - 1]) >= f64::from(closes[n - 21]) * (1.0 + RISE_BEFORE_CROSS);
    last_rsi.is_some_and(|r| r >= RSI_OVERBOUGHT) || last_j.is_some_and(|j| j >= KDJ_J_OVERBOUGHT) || (crossed && rose)
}

impl Trend {
    fn from_closes(closes: &[i32]) -> Trend {
        let mut macd = Macd::new(12, 26, 9);
        let mut last: Option<MacdValue> = None;
        for &c in closes {
            last = macd.update(&bar(c));
        }
        let n = closes.len();
        let above_ma20 = n >= 20 && {
            let sum: i64 = closes[n - 20..].iter().map(|&c| i64::from(c)).sum();
            i64::from(closes[n - 1]) * 20 >= sum
        };
        Trend {
            last19: closes[n.saturating_sub(19)..].iter().map(|&c| i64::from(c)).collect(),
            above_ma20,
            macd,
            macd_above: last.is_some_and(|v| v.macd >= v.signal),
            top: top_signal(closes),
        }
    }

    /// Today's price below today's MA20 (the 19 closes and today's price),
    /// having been at or above it yesterday.
    fn crosses_below_ma20(&self, price: i32) -> bool {
        // price < (sum + price) / 20  <=>  19 * price < sum
        self.above_ma20 && self.last19.len() == 19 && i64::from(price) * 19 < self.last19.iter().sum::<i64>()
    }

    /// Today's MACD line below its signal, having been at or above it yesterday.
    fn macd_death_cross(&self, price: i32) -> bool {
        self.macd_above && self.macd.clone().update(&bar(price)).is_some_and(|v| v.macd < v.signal)
    }
}

/// A close as the indicators read it.
fn bar(close: i32) -> Ohlcv {
    let c = f64::from(close) / 1000.0;
    Ohlcv { open: c, high: c, low: c, close: c, volume: 0.0 }
}

/// Buffers reused while judging one account after another.
#[derive(Debug, Default)]
struct Scratch {
    holdings: Vec<HoldingDetail>,
    held: Vec<Trigger>,
    /// A row's share rules not yet met (see `guard`).
    shares: Vec<ShareRule>,
}

/// The engine with its rules: see the module documentation.
#[derive(Debug)]
pub struct Monitor {
    watch: Watch,
    config: RuleConfig,
    /// What was sent today, per main position, per overflow position and
    /// per storage row (see `sent`).
    sent_main: Vec<HoldingMark>,
    sent_overflow: Mutex<Vec<HoldingMark>>,
    /// Per storage row: the month before today, what was sent, flags.
    rows: Vec<RowState>,
    profiles: Vec<InstrumentProfile>,
    trends: Vec<Trend>,
    /// Each instrument as the rules see it now (signals included).
    states: Vec<InstrumentState>,
    /// Each instrument as the screen reads it (see `Judge::pending`).
    boards: Vec<Board>,
    /// Per instrument, the trend signals its price has raised today and told
    /// all its holders (see `guard`), in a holding mark's layout.
    told: Vec<HoldingMark>,
    /// Each holding's trigger prices (see `guard`); `armed` once set.
    triggers: Triggers,
    armed: bool,
    /// See [`Monitor::quote_visits`].
    quote_visits: u64,
    /// See [`Monitor::reaches`].
    reaches: Reaches,
    day: u32,
    month: u32,
}

/// The sequence numbers of the trading day and month the monitor is in,
/// which the once-a-day and once-a-month rules count by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    /// Trading day number.
    pub day: u32,
    /// Month number.
    pub month: u32,
}

impl Monitor {
    /// A monitor over a built engine. `profiles` has one entry per
    /// instrument; `month_prior` one per account (the month's P&L before today).
    pub fn new(
        watch: Watch,
        profiles: Vec<InstrumentProfile>,
        month_prior: Vec<i64>,
        config: RuleConfig,
        period: Period,
    ) -> Result<Monitor, WatchError> {
        if profiles.len() != watch.instruments() {
            return Err(WatchError::Invalid(format!(
                "{} instrument profiles for {} instruments",
                profiles.len(),
                watch.instruments()
            )));
        }
        if month_prior.len() != watch.accounts() {
            return Err(WatchError::Invalid(format!(
                "{} month figures for {} accounts",
                month_prior.len(),
                watch.accounts()
            )));
        }
        let trends = profiles.iter().map(|p| Trend::from_closes(&p.closes)).collect();
        let mut rows = vec![RowState::default(); month_prior.len()];
        for (account, prior) in month_prior.into_iter().enumerate() {
            rows[watch.row_of(account as u32)].month_prior = prior;
        }
        let mut monitor = Monitor {
            watch,
            config,
            sent_main: Vec::new(),
            sent_overflow: Mutex::new(Vec::new()),
            rows,
            profiles,
            trends,
            states: Vec::new(),
            boards: Vec::new(),
            told: Vec::new(),
            triggers: Triggers::default(),
            armed: false,
            quote_visits: 0,
            reaches: Reaches::default(),
            day: period.day,
            month: period.month,
        };
        let instruments = monitor.watch.instruments();
        if monitor.watch.accounts() > guard::MAX_ROWS {
            return Err(WatchError::Invalid(format!(
                "{} accounts: at most {}",
                monitor.watch.accounts(),
                guard::MAX_ROWS
            )));
        }
        monitor.states = vec![InstrumentState::default(); instruments];
        monitor.boards = vec![Board::default(); instruments];
        monitor.told = vec![0; instruments];
        monitor.triggers = Triggers::built(instruments, monitor.watch.accounts(), std::iter::empty());
        for i in 0..instruments as u32 {
            monitor.refresh(i);
        }
        monitor.sent_main = vec![0; monitor.watch.row_start(monitor.watch.accounts())];
        *monitor.sent_overflow.get_mut().expect("not shared yet") = vec![0; monitor.watch.overflow_positions()];
        monitor.flag_rows();
        Ok(monitor)
    }

    /// The engine, for figures and holdings.
    pub fn watch(&self) -> &Watch {
        &self.watch
    }

    /// The rule configuration in force.
    pub fn config(&self) -> &RuleConfig {
        &self.config
    }

    /// The day and month the monitor is in.
    pub fn period(&self) -> Period {
        Period { day: self.day, month: self.month }
    }

    /// An instrument as the rules see it now.
    pub fn instrument_state(&self, instrument: u32) -> InstrumentState {
        self.states[instrument as usize]
    }

    /// An account's profit or loss since the month began (0.001 CNY).
    pub fn month_pnl(&self, account: u32) -> i64 {
        self.rows[self.watch.row_of(account)].month_prior + self.watch.figures(account).day_pnl
    }

    /// Every rule that holds for an account now, whether or not already sent.
    pub fn holding_rules(&self, account: u32) -> Vec<Trigger> {
        let holdings = self.watch.holding_details(account);
        let mut out = Vec::new();
        let prior = self.rows[self.watch.row_of(account)].month_prior;
        self.judge().evaluate(account, prior, self.watch.figures(account), &holdings, &mut out);
        out
    }

    /// A quote: judges the holders whose trigger prices it passes (or all its
    /// holders, when its own price fires something new for them: see
    /// `guard`) and answers the reminders now due.
    pub fn quote(&mut self, instrument: u32, price: i32) -> Result<Vec<Trigger>, WatchError> {
        self.arm();
        self.watch.set_price(instrument, price)?;
        self.refresh(instrument);
        let i = instrument as usize;
        let board = self.boards[i];
        let trend = self.told[i];
        let mut rows = Vec::new();
        if board.trend & !trend != 0 {
            // A trend signal new today: told to every holder, to find the heavy ones.
            self.told[i] |= board.trend;
            rows.extend(self.watch.holders(instrument).map(|(account, _)| self.watch.row_of(account) as u32));
        } else {
            self.triggers.left_by(instrument, price, &mut rows);
        }
        let (mut due, mut scratch) = (Vec::new(), Scratch::default());
        self.quote_visits += rows.len() as u64;
        for row in rows {
            let account = self.watch.row_view(row as usize).account;
            self.judge_one(account, false, &mut scratch, &mut due);
            self.arm_row(row as usize, &mut scratch);
        }
        Ok(due)
    }

    /// A quote judging every holder of the instrument, without trigger
    /// prices: what [`Monitor::quote`] must agree with (tests, benchmarks).
    pub fn quote_judging_every_holder(&mut self, instrument: u32, price: i32) -> Result<Vec<Trigger>, WatchError> {
        let touched = self.watch.quote(instrument, price)?;
        self.refresh(instrument);
        let (mut due, mut scratch) = (Vec::new(), Scratch::default());
        for account in touched {
            self.judge_one(account, false, &mut scratch, &mut due);
        }
        self.armed = false;
        Ok(due)
    }

    /// Trigger prices held (live and stale), for memory figures.
    pub fn trigger_entries(&self) -> usize {
        self.triggers.entries()
    }

    /// How the rows were armed at the last full arming (see `guard`).
    pub fn reaches(&self) -> &Reaches {
        &self.reaches
    }

    /// Sets every holding's trigger prices now, if they are not set: after
    /// everyone was judged (a start, a day roll, a sweep) the first quote
    /// would otherwise do it (about a second per 10 M positions).
    pub fn arm(&mut self) {
        if !self.armed {
            self.arm_all();
        }
    }

    /// Accounts judged by [`Monitor::quote`] so far: what quotes cost.
    pub fn quote_visits(&self) -> u64 {
        self.quote_visits
    }

    /// A full-market update: new prices (instrument, price), one sweep, and
    /// every account judged, split over `threads`.
    pub fn sweep(&mut self, prices: &[(u32, i32)], threads: usize) -> Result<Vec<Trigger>, WatchError> {
        let mut due = Vec::new();
        self.sweep_into(prices, threads, &mut |batch| due.extend_from_slice(batch))?;
        Ok(due)
    }

    /// A trade (positive quantity buys), then the account judged.
    pub fn trade(
        &mut self,
        account: u32,
        instrument: u32,
        quantity: i32,
        price: i32,
    ) -> Result<Vec<Trigger>, WatchError> {
        self.trade_at_cost(account, instrument, quantity, price, None)
    }

    /// A trade with the book's average cost after it (see [`Watch::trade_at_cost`]), then the account judged.
    pub fn trade_at_cost(
        &mut self,
        account: u32,
        instrument: u32,
        quantity: i32,
        price: i32,
        cost_after: Option<i32>,
    ) -> Result<Vec<Trigger>, WatchError> {
        self.watch.trade_at_cost(account, instrument, quantity, price, cost_after)?;
        let row = self.watch.row_of(account);
        self.set_flags(row);
        let overflow = self.watch.overflow_positions();
        self.sent_overflow.get_mut().expect(POISON).resize(overflow, 0);
        let (mut due, mut scratch) = (Vec::new(), Scratch::default());
        self.judge_one(account, true, &mut scratch, &mut due);
        if self.armed {
            self.arm_row(row, &mut scratch);
        }
        Ok(due)
    }

    /// Closes the day at current prices and opens the next (a new month when
    /// `new_month`), with the next day's limit-down prices (one per
    /// instrument); then judges every account for the new day.
    pub fn roll_day(
        &mut self,
        limits: &[DayLimits],
        new_month: bool,
        threads: usize,
    ) -> Result<Vec<Trigger>, WatchError> {
        if limits.len() != self.profiles.len() {
            return Err(WatchError::Invalid(format!(
                "{} price limits for {} instruments",
                limits.len(),
                self.profiles.len()
            )));
        }
        for account in 0..self.watch.accounts() as u32 {
            let day_pnl = self.watch.figures(account).day_pnl;
            let prior = &mut self.rows[self.watch.row_of(account)].month_prior;
            *prior = if new_month { 0 } else { *prior + day_pnl };
        }
        for (i, profile) in self.profiles.iter_mut().enumerate() {
            profile.closes.push(self.watch.price(i as u32));
            // MACD's state carries the past; the rest needs 20 closes.
            if profile.closes.len() > 64 {
                profile.closes.drain(..profile.closes.len() - 64);
            }
            (profile.limit_down, profile.limit_up) = (limits[i].down, limits[i].up);
            let close = self.watch.price(i as u32);
            let trend = &mut self.trends[i];
            let value = trend.macd.update(&bar(close));
            trend.macd_above = value.is_some_and(|v| v.macd >= v.signal);
            let n = profile.closes.len();
            trend.above_ma20 = n >= 20 && {
                let sum: i64 = profile.closes[n - 20..].iter().map(|&c| i64::from(c)).sum();
                i64::from(close) * 20 >= sum
            };
            trend.last19 = profile.closes[n.saturating_sub(19)..].iter().map(|&c| i64::from(c)).collect();
            trend.top = top_signal(&profile.closes);
        }
        self.watch.roll_day();
        self.day += 1;
        self.month += u32::from(new_month);
        // A new day: what was sent is forgotten, but for the month's care task within the month.
        self.sent_main.iter_mut().for_each(|m| *m = 0);
        self.sent_overflow.get_mut().expect(POISON).iter_mut().for_each(|m| *m = 0);
        let keep = if new_month { 0 } else { MONTHLY };
        self.rows.iter_mut().for_each(|r| r.sent &= keep);
        self.told.iter_mut().for_each(|t| *t = 0);
        for i in 0..self.watch.instruments() as u32 {
            self.refresh(i);
        }
        self.flag_rows();
        Ok(self.judge_all(threads))
    }

    /// Folds positions opened since the build into the engine's main arrays
    /// (see [`Watch::compact`]); judges nobody, since no figure changes and
    /// the sent marks move with their positions.
    pub fn compact(&mut self) {
        let accounts = self.watch.accounts() as u32;
        let by_account: Vec<RowState> = (0..accounts).map(|a| self.rows[self.watch.row_of(a)]).collect();
        // What each holding was sent today, by (account, instrument), to put back in its new place.
        let mut holding_marks = Vec::new();
        let mut holdings = Vec::new();
        let overflow_marks = self.sent_overflow.get_mut().expect(POISON).clone();
        for account in 0..accounts {
            let row = self.watch.row_of(account);
            holdings.clear();
            self.watch.row_details_into(row, &mut holdings);
            let main = self.watch.row_start(row + 1) - self.watch.row_start(row);
            let overflow = self.watch.row_overflow(row);
            for (k, h) in holdings.iter().enumerate() {
                let mark = if k < main {
                    self.sent_main[self.watch.row_start(row) + k]
                } else {
                    overflow_marks[overflow[k - main] as usize]
                };
                if mark != 0 {
                    holding_marks.push((account, h.instrument, mark));
                }
            }
        }
        self.watch.compact();
        for (a, state) in by_account.into_iter().enumerate() {
            self.rows[self.watch.row_of(a as u32)] = state;
        }
        self.sent_main = vec![0; self.watch.row_start(self.watch.accounts())];
        self.sent_overflow.get_mut().expect(POISON).clear();
        for (account, instrument, mark) in holding_marks {
            let row = self.watch.row_of(account);
            let start = self.watch.row_start(row);
            let k = self.watch.row_view(row).instruments.iter().position(|&i| i == instrument);
            self.sent_main[start + k.expect("a compacted holding stays in its row")] = mark;
        }
        self.flag_rows();
        self.armed = false;
    }

    /// Judges every account now (at the start, before the first update),
    /// split over `threads`, and answers the reminders due.
    pub fn judge_everyone(&mut self, threads: usize) -> Vec<Trigger> {
        self.judge_all(threads)
    }

    /// Judges every account, split over threads by storage row, and collects what is due.
    fn judge_all(&mut self, threads: usize) -> Vec<Trigger> {
        let mut due = Vec::new();
        self.judge_all_into(threads, &mut |batch| due.extend_from_slice(batch));
        due
    }

    /// Revalues and judges every account in one pass, split over threads by
    /// storage row: each block of rows is revalued, then screened while its
    /// positions are still in cache, and judged in full only where the screen
    /// finds something new. What is due goes to `sink` in batches as the
    /// threads find it, so a volatile open's millions of reminders need not
    /// all be held at once.
    fn judge_all_into(&mut self, threads: usize, sink: &mut dyn FnMut(&[Trigger])) {
        let chunks = self.watch.sweep_chunks(threads);
        let main_bounds: Vec<(usize, usize)> =
            chunks.iter().map(|r| (self.watch.row_start(r.start), self.watch.row_start(r.end))).collect();
        let Monitor { watch, config, sent_main, sent_overflow, rows, boards, states, .. } = self;
        let judge = Judge::new(config, boards, states, sent_overflow);
        let (batches, received) = std::sync::mpsc::sync_channel::<Vec<Trigger>>(chunks.len() * 2);
        // Each thread its rows, and the sent marks of those rows and of their positions.
        let (mut main_rest, mut rows_rest) = (&mut sent_main[..], &mut rows[..]);
        let mut workers = Vec::with_capacity(chunks.len());
        for (rows, (main_lo, main_hi)) in chunks.into_iter().zip(main_bounds) {
            let (main, others) = std::mem::take(&mut main_rest).split_at_mut(main_hi - main_lo);
            main_rest = others;
            let (mine, others) = std::mem::take(&mut rows_rest).split_at_mut(rows.len());
            rows_rest = others;
            workers.push(Worker {
                sent: Sent { main, main_base: main_lo, rows: mine, row_base: rows.start },
                scratch: Scratch::default(),
                due: Vec::with_capacity(BATCH),
                batches: batches.clone(),
            });
        }
        drop(batches);
        std::thread::scope(|scope| {
            scope.spawn(move || {
                let workers = watch.sweep_visiting(workers, |w, positions, row, figures| {
                    judge.judge_row(positions, row, figures, false, &mut w.scratch, &mut w.sent, &mut w.due);
                    if w.due.len() >= BATCH {
                        let full = std::mem::replace(&mut w.due, Vec::with_capacity(BATCH));
                        w.batches.send(full).expect("the caller receives until every thread is done");
                    }
                });
                for w in workers.into_iter().filter(|w| !w.due.is_empty()) {
                    w.batches.send(w.due).expect("the caller receives until every thread is done");
                }
            });
            for batch in received {
                sink(&batch);
            }
        });
        // Everyone was judged at the boards of now: that is told.
        for (told, board) in self.told.iter_mut().zip(&self.boards) {
            *told |= board.trend;
        }
        // Armed afresh before the next quote (see `Monitor::arm`).
        self.armed = false;
    }

    /// A full-market update like [`Monitor::sweep`], handing what is due to
    /// `sink` in batches instead of collecting it (for callers that store or
    /// count reminders as they come).
    pub fn sweep_into(
        &mut self,
        prices: &[(u32, i32)],
        threads: usize,
        sink: &mut dyn FnMut(&[Trigger]),
    ) -> Result<(), WatchError> {
        for &(instrument, price) in prices {
            self.watch.set_price(instrument, price)?;
        }
        for &(instrument, _) in prices {
            self.refresh(instrument);
        }
        self.judge_all_into(threads, sink);
        Ok(())
    }

    /// Judges one account (after a quote touched it, or in full after a trade).
    fn judge_one(&mut self, account: u32, full: bool, scratch: &mut Scratch, due: &mut Vec<Trigger>) {
        let row = self.watch.row_of(account);
        let (mut main, mut rows) = (std::mem::take(&mut self.sent_main), std::mem::take(&mut self.rows));
        let mut sent = Sent { main: &mut main, main_base: 0, rows: &mut rows, row_base: 0 };
        let figures = self.watch.figures(account);
        self.judge().judge_row(Positions::of(&self.watch), row, figures, full, scratch, &mut sent, due);
        (self.sent_main, self.rows) = (main, rows);
    }

    /// What judging reads, borrowed apart from the engine.
    fn judge(&self) -> Judge<'_> {
        Judge::new(&self.config, &self.boards, &self.states, &self.sent_overflow)
    }
}

/// The parts of the monitor that judging reads, borrowed apart from the
/// engine so that judging can run inside a sweep (which holds the engine).
#[derive(Clone, Copy)]
struct Judge<'a> {
    config: &'a RuleConfig,
    boards: &'a [Board],
    states: &'a [InstrumentState],
    sent_overflow: &'a Mutex<Vec<HoldingMark>>,
    /// The firm's trapped line, for the screen.
    trap: BelowCostLine,
}

/// One judging thread's own state during a sweep.
struct Worker<'a> {
    sent: Sent<'a>,
    scratch: Scratch,
    due: Vec<Trigger>,
    batches: std::sync::mpsc::SyncSender<Vec<Trigger>>,
}

impl<'a> Judge<'a> {
    /// What judging reads, with the firm's lines the screen compares against.
    fn new(
        config: &'a RuleConfig,
        boards: &'a [Board],
        states: &'a [InstrumentState],
        sent_overflow: &'a Mutex<Vec<HoldingMark>>,
    ) -> Judge<'a> {
        let trap = BelowCostLine::new(config.firm.trapped_below_cost_bp);
        Judge { config, boards, states, sent_overflow, trap }
    }

    /// Judges the account in `row`: unless `full`, skipped when the screen
    /// finds nothing new due (see `Judge::pending`); otherwise every
    /// rule, each trigger admitted if not yet sent today at its step.
    #[allow(clippy::too_many_arguments)] // the row, its figures, and where to put what is due
    fn judge_row(
        &self,
        positions: Positions,
        row: usize,
        figures: AccountFigures,
        full: bool,
        scratch: &mut Scratch,
        sent: &mut Sent,
        due: &mut Vec<Trigger>,
    ) {
        if !full && !self.pending(positions, row, figures, sent.view()) {
            return;
        }
        let view = positions.row_view(row, figures);
        scratch.holdings.clear();
        scratch.held.clear();
        positions.row_details_into(row, &mut scratch.holdings);
        let prior = sent.rows[row - sent.row_base].month_prior;
        self.evaluate(view.account, prior, view.figures, &scratch.holdings, &mut scratch.held);
        let (start, main) = (positions.row_start(row), view.instruments.len());
        for t in &scratch.held {
            let new = match t.instrument {
                None => admit_account(&mut sent.rows[row - sent.row_base].sent, t.rule, t.step),
                Some(i) => {
                    let k = scratch.holdings.iter().position(|h| h.instrument == i).expect("a trigger names a holding");
                    if k < main {
                        admit_holding(&mut sent.main[start + k - sent.main_base], t.rule, t.step)
                    } else {
                        let e = positions.row_overflow(row)[k - main] as usize;
                        admit_holding(&mut self.sent_overflow.lock().expect(POISON)[e], t.rule, t.step)
                    }
                }
            };
            if new {
                due.push(*t);
            }
        }
    }

    /// Whether judging the account in `row` could make anything due: the
    /// rules under the firm's thresholds, read straight from the engine's
    /// columns and the instruments' boards, each compared with what was sent
    /// today. Exact, not a guess: false only when every rule that holds was
    /// already sent at its step. True for rows it cannot read (own
    /// thresholds, positions in the overflow, a long-trapped or disclosing
    /// position past the 8th: see `JUDGE_IN_FULL`), which are judged in full.
    fn pending(&self, positions: Positions, row: usize, figures: AccountFigures, sent: SentView) -> bool {
        let state = sent.rows[row - sent.row_base];
        let v = positions.row_view(row, figures);
        if v.overflow || state.flags & JUDGE_IN_FULL != 0 {
            return true;
        }
        let (t, f, account) = (&self.config.firm, v.figures, state.sent);
        // The stepped account rules against the line of their next step not yet
        // sent: a multiplication each, no division.
        let next = |rule, part, whole, threshold, step| {
            next_step_line(sent_step(account, rule), threshold, step).is_some_and(|line| at_least(part, whole, line))
        };
        let (threshold, step) = (t.account_day_loss_bp, t.account_day_loss_step_bp);
        if next(Rule::AccountDayLoss, -f.day_pnl, f.value - f.day_pnl, threshold, step)
            || next(Rule::Drawdown, f.peak - f.value, f.peak, t.drawdown_bp, t.drawdown_step_bp)
            || (month_care(t, state.month_prior + f.day_pnl) && new_for_account(account, Rule::MonthLossCare, 1))
        {
            return true;
        }
        let heavy = ShareLine::new(f.value, t.heavy_bp);
        let concentrates = if f.value >= t.concentration_min_value {
            ShareLine::new(f.value, t.concentration_bp)
        } else {
            ShareLine::NEVER
        };
        let start = positions.row_start(row) - sent.main_base;
        let marks = &sent.main[start..start + v.instruments.len()];
        // Every rule for every position, without a branch: which positions have
        // news is random, and a mispredicted branch costs more than the few
        // compares it would skip.
        let mut news = false;
        for ((&i, &quantity), &mark) in v.instruments.iter().zip(v.quantities).zip(marks) {
            let b = &self.boards[i as usize];
            let value = i64::from(quantity) * i64::from(b.price);
            let unsent = !mark;
            news |= (quantity > 0)
                & (instrument_news(b.fires, mark)
                    | ((unsent & b.trend != 0) & heavy.reached_by(value))
                    | ((unsent & bit(Rule::Concentration) != 0) & concentrates.reached_by(value)));
        }
        // The rules few positions can fire, only for those: trapped long
        // enough (their costs are read nowhere else in a sweep), large enough
        // to disclose.
        let mut long_trapped = state.long_trapped;
        while !news && long_trapped != 0 {
            let k = long_trapped.trailing_zeros() as usize;
            long_trapped &= long_trapped - 1;
            let price = self.boards[v.instruments[k] as usize].price;
            news = v.quantities[k] > 0 && marks[k] & bit(Rule::Trapped) == 0 && self.trap.reached_by(v.costs[k], price);
        }
        let mut discloses = state.discloses;
        while !news && discloses != 0 {
            let k = discloses.trailing_zeros() as usize;
            discloses &= discloses - 1;
            news = marks[k] & bit(Rule::Disclosure) == 0;
        }
        // Take-profit, for the rows of the classes it is for: the rule's own test.
        if !news && state.flags & TAKE_PROFIT != 0 {
            news = (0..v.instruments.len()).any(|k| {
                v.quantities[k] > 0
                    && marks[k] & bit(Rule::TakeProfit) == 0
                    && take_profit(t, v.costs[k], &self.states[v.instruments[k] as usize]).is_some()
            });
        }
        news
    }

    /// Every rule that holds for an account (`month_prior`: its month before today).
    fn evaluate(
        &self,
        account: u32,
        month_prior: i64,
        figures: AccountFigures,
        holdings: &[HoldingDetail],
        out: &mut Vec<Trigger>,
    ) {
        let state = crate::rules::AccountState { account, figures, holdings, month_pnl: month_prior + figures.day_pnl };
        evaluate_into(self.config, &state, |i| self.states[i as usize], out);
    }
}

/// One holding's trigger prices: instrument, lowest and highest price of its range.
type Range = (u32, i32, Option<i32>);

impl Monitor {
    /// Every holding's range for the row in `row` into `out` (see `guard`),
    /// from its figures and what it was sent; a row the screen would judge
    /// now, or cannot read, gets ranges every move leaves.
    fn ranges_of(&self, row: usize, scratch: &mut Scratch, out: &mut Vec<Range>) -> Option<(f64, Limit)> {
        // One view: its figures count the row's holdings at current prices.
        let (state, view) = (self.rows[row], self.watch.row_view(row));
        let figures = view.figures;
        scratch.holdings.clear();
        self.watch.row_details_into(row, &mut scratch.holdings);
        let held = scratch.holdings.iter().filter(|h| h.quantity > 0);
        let t = &self.config.firm;
        let start = self.watch.row_start(row);
        let marks = &self.sent_main[start..start + view.instruments.len()];
        let sent = SentView { main: &self.sent_main, main_base: 0, rows: &self.rows, row_base: 0 };
        if view.overflow
            || state.flags & JUDGE_IN_FULL != 0
            || self.judge().pending(Positions::of(&self.watch), row, figures, sent)
        {
            // Visited on any quote of its holdings: a range no price is inside.
            out.extend(held.map(|h| (h.instrument, i32::MAX, None)));
            return None;
        }
        let may_concentrate = figures.value as f64 * (1.0 + guard::WIDEST) >= t.concentration_min_value as f64;
        // Too small to count as concentrated now, and kept so: rises are bounded too.
        let mut bounded_above = !may_concentrate && marks.iter().any(|&mark| mark & bit(Rule::Concentration) == 0);
        scratch.shares.clear();
        for (h, &mark) in scratch.holdings.iter().zip(marks).filter(|(h, _)| h.quantity > 0) {
            let b = &self.boards[h.instrument as usize];
            let part = i64::from(h.quantity) * i64::from(b.price);
            if (b.trend | self.told[h.instrument as usize]) & !mark != 0 {
                scratch.shares.push(ShareRule { part, line: t.heavy_bp, min_value: None });
            }
            if may_concentrate && mark & bit(Rule::Concentration) == 0 {
                let min_value = Some(t.concentration_min_value).filter(|&m| m > figures.value);
                scratch.shares.push(ShareRule { part, line: t.concentration_bp, min_value });
            }
        }
        // Only a share can rise past its line.
        bounded_above |= !scratch.shares.is_empty();
        let lines = AccountLines {
            thresholds: t,
            figures,
            peak_prior: self.watch.peak_before_today(view.account),
            month_prior: state.month_prior,
            sent: state.sent,
        };
        let (reach, limit) = guard::reach(&lines, scratch.shares.iter().copied());
        for (h, &mark) in scratch.holdings.iter().zip(marks).filter(|(h, _)| h.quantity > 0) {
            let i = h.instrument as usize;
            let price = self.boards[i].price;
            // The prices at or under which one of the holding's own rules fires
            // that it has not been sent: the trapped line (held long enough),
            // the next drop step and limit-down (stocks).
            let under = |line: Bp, of: i32| {
                i32::try_from((i64::from(of) * (10_000 - line)).div_euclid(10_000)).unwrap_or(i32::MAX)
            };
            let trapped = (h.trapped_days >= t.trapped_days && mark & bit(Rule::Trapped) == 0).then(|| {
                if t.trapped_below_cost_bp <= 0 {
                    price
                } else {
                    under(t.trapped_below_cost_bp, h.cost)
                }
            });
            let profile = &self.profiles[i];
            let drop = profile.is_stock.then(|| {
                match next_step_line(u32::from(mark & 0xff), t.stock_drop_bp, t.stock_drop_step_bp) {
                    Some(line) if line > 1 => under(line - 1, self.watch.prev_close(h.instrument)),
                    Some(_) => price,
                    None => 0,
                }
            });
            let limit = profile.limit_down.filter(|_| profile.is_stock && mark & bit(Rule::LimitDown) == 0);
            let floor = [trapped, drop, limit].into_iter().flatten().max();
            let (lo, mut hi) = guard::range(price, reach, floor, bounded_above);
            // The price at and over which a take-profit reminder is due.
            if state.flags & TAKE_PROFIT != 0 && mark & bit(Rule::TakeProfit) == 0 {
                let s = &self.states[i];
                if let Some(ceiling) = take_profit_ceiling(t, h.cost, s.limit_up, s.top_signal) {
                    hi = Some(hi.map_or(ceiling, |h| h.min(ceiling)));
                }
            }
            out.push((h.instrument, lo, hi));
        }
        Some((reach, limit))
    }

    /// Arms one row's holdings again after it was judged.
    fn arm_row(&mut self, row: usize, scratch: &mut Scratch) {
        let mut ranges = Vec::new();
        self.ranges_of(row, scratch, &mut ranges);
        self.triggers.disarm(row);
        for (instrument, lo, hi) in ranges {
            let holders = self.watch.holder_count(instrument);
            self.triggers.arm(instrument, row, lo, hi, holders);
        }
    }

    /// Arms every row afresh (after everyone was judged, or rows moved).
    fn arm_all(&mut self) {
        let rows = self.watch.accounts();
        let mut scratch = Scratch::default();
        let mut reaches = Reaches::default();
        let mut ranges = Vec::new();
        // The old heaps go before the new ones are filled: not both at once.
        self.triggers = Triggers::default();
        let holders = (0..self.watch.instruments() as u32).map(|i| self.watch.holder_count(i));
        let mut fresh = Arming::sized(holders, rows);
        for row in 0..rows {
            ranges.clear();
            reaches.count(self.ranges_of(row, &mut scratch, &mut ranges));
            for &(instrument, lo, hi) in &ranges {
                fresh.put(instrument, row as u32, lo, hi);
            }
        }
        self.triggers = fresh.finish();
        self.reaches = reaches;
        self.armed = true;
    }

    /// An instrument as the screen reads it, under the firm's thresholds.
    fn board_of(&self, s: &InstrumentState) -> Board {
        let t = &self.config.firm;
        let (step, _) = if s.is_stock { stock_drop(t, s) } else { (0, 0) };
        Board {
            price: s.price,
            fires: instrument_fires(step, s.is_stock && at_limit_down(s)),
            trend: trend_fires(s.crossed_below_ma20, s.macd_death_cross),
        }
    }

    /// Recomputes an instrument's state and board after its price moved.
    fn refresh(&mut self, instrument: u32) {
        let state = self.state_now(instrument);
        self.boards[instrument as usize] = self.board_of(&state);
        self.states[instrument as usize] = state;
    }

    /// Sets every row's flags.
    fn flag_rows(&mut self) {
        for row in 0..self.watch.accounts() {
            self.set_flags(row);
        }
    }

    /// Sets a row's flags and its masks of positions trapped long enough
    /// and of positions passing the disclosure line.
    fn set_flags(&mut self, row: usize) {
        let view = self.watch.row_view(row);
        let t = &self.config.firm;
        let own = !self.config.accounts.is_empty() && self.config.accounts.contains_key(&view.account);
        let long = |k: usize| view.trapped_days[k] >= t.trapped_days;
        let discloses = |k: usize| {
            let outstanding = self.profiles[view.instruments[k] as usize].outstanding_shares;
            view.quantities[k] > 0
                && outstanding > 0
                && at_least(i64::from(view.quantities[k]), outstanding, t.disclosure_bp)
        };
        let mask = |of: &dyn Fn(usize) -> bool| {
            (0..view.instruments.len().min(8)).filter(|&k| of(k)).fold(0u8, |m, k| m | 1 << k)
        };
        let beyond = (8..view.instruments.len()).any(|k| long(k) || discloses(k));
        let (long_trapped, discloses) = (mask(&long), mask(&discloses));
        let take_profit = self.config.take_profit_accounts.contains(&view.account);
        // A threshold at or under zero has no price line for the screen: such rows are judged in full.
        let full = own || beyond || (take_profit && t.take_profit_bp <= 0);
        let state = &mut self.rows[row];
        state.flags = (u8::from(full) * JUDGE_IN_FULL) | (u8::from(take_profit) * TAKE_PROFIT);
        (state.long_trapped, state.discloses) = (long_trapped, discloses);
    }

    fn state_now(&self, instrument: u32) -> InstrumentState {
        let i = instrument as usize;
        let (profile, trend) = (&self.profiles[i], &self.trends[i]);
        let price = self.watch.price(instrument);
        InstrumentState {
            price,
            prev_close: self.watch.prev_close(instrument),
            limit_down: profile.limit_down,
            limit_up: profile.limit_up,
            top_signal: trend.top,
            is_stock: profile.is_stock,
            crossed_below_ma20: trend.crosses_below_ma20(price),
            macd_death_cross: trend.macd_death_cross(price),
            outstanding_shares: profile.outstanding_shares,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Rule;
    use crate::{BookInput, InstrumentInput, PositionInput};

    fn closes(n: usize, from: i32, step: i32) -> Vec<i32> {
        (0..n as i32).map(|d| from + d * step).collect()
    }

    fn monitor(history: Vec<i32>) -> Monitor {
        let input = BookInput {
            accounts: 2,
            instruments: vec![InstrumentInput { closes: history.clone() }, InstrumentInput { closes: vec![5_000] }],
            positions: vec![
                // Account 0: all in instrument 0 (heavy); account 1: a little of it, mostly instrument 1.
                PositionInput { account: 0, instrument: 0, quantity: 1_000, cost: 10_000, trapped_days: 0 },
                PositionInput { account: 1, instrument: 0, quantity: 100, cost: 10_000, trapped_days: 0 },
                PositionInput { account: 1, instrument: 1, quantity: 100_000, cost: 5_000, trapped_days: 0 },
            ],
            trapped_below_cost_bp: 3000,
        };
        let watch = Watch::build(&input).unwrap();
        let last = *history.last().unwrap();
        let profiles = vec![
            InstrumentProfile {
                is_stock: true,
                limit_down: Some(last * 9 / 10),
                limit_up: None,
                outstanding_shares: 1_000_000_000,
                closes: history,
            },
            InstrumentProfile {
                is_stock: true,
                limit_down: Some(4_500),
                limit_up: None,
                outstanding_shares: 0,
                closes: vec![5_000],
            },
        ];
        Monitor::new(watch, profiles, vec![0, 0], RuleConfig::default(), Period { day: 1, month: 1 }).unwrap()
    }

    fn fired(triggers: &[Trigger]) -> Vec<(u32, Rule, u32)> {
        let mut v: Vec<_> = triggers.iter().map(|t| (t.account, t.rule, u32::from(t.step))).collect();
        v.sort();
        v
    }

    #[test]
    fn a_quote_fires_for_its_holders_once_and_again_when_worse() {
        // Flat at 10.000 for 40 days: any fall crosses the MA20 and the MACD signal (both lines at 0).
        let mut m = monitor(vec![10_000; 40]);
        // -4%: the trend signals for the heavy holder, and account 1 (touched: it holds some) is
        // found concentrated in instrument 1 (500,000 CNY of 500,960). -5%: a stock drop for both holders; account 0 also loses 5% of its value on the day.
        let t = m.quote(0, 9_600).unwrap();
        assert_eq!(
            fired(&t),
            vec![(0, Rule::HeavyBelowMa20, 1), (0, Rule::HeavyMacdDeathCross, 1), (1, Rule::Concentration, 1)]
        );
        let t = m.quote(0, 9_500).unwrap();
        assert!(fired(&t).contains(&(0, Rule::StockDrop, 1)) && fired(&t).contains(&(1, Rule::StockDrop, 1)));
        assert!(fired(&t).contains(&(0, Rule::AccountDayLoss, 1)));
        // Same level again: nothing new. Limit-down: one more for each holder, and the next steps.
        assert!(m.quote(0, 9_450).unwrap().is_empty());
        let t = fired(&m.quote(0, 9_000).unwrap());
        assert!(t.contains(&(0, Rule::LimitDown, 1)) && t.contains(&(1, Rule::LimitDown, 1)));
        assert!(t.contains(&(0, Rule::StockDrop, 3)), "{t:?}");
        // Instrument 1's quote touches account 1 only.
        assert!(m.quote(1, 5_010).unwrap().iter().all(|t| t.account == 1));
    }

    #[test]
    fn a_small_move_judges_nobody_and_a_step_judges_every_holder() {
        // 1,000 accounts each holding instrument 0 and a larger position in instrument 1.
        let input = BookInput {
            accounts: 1_000,
            instruments: vec![InstrumentInput { closes: vec![10_000; 40] }, InstrumentInput { closes: vec![5_000] }],
            positions: (0..1_000)
                .flat_map(|a| {
                    [
                        PositionInput { account: a, instrument: 0, quantity: 100, cost: 10_000, trapped_days: 0 },
                        PositionInput { account: a, instrument: 1, quantity: 1_000, cost: 5_000, trapped_days: 0 },
                    ]
                })
                .collect(),
            trapped_below_cost_bp: 3000,
        };
        let profiles = vec![
            InstrumentProfile {
                is_stock: true,
                limit_down: Some(9_000),
                limit_up: None,
                outstanding_shares: 0,
                closes: vec![10_000; 40],
            },
            InstrumentProfile {
                is_stock: true,
                limit_down: Some(4_500),
                limit_up: None,
                outstanding_shares: 0,
                closes: vec![5_000],
            },
        ];
        let watch = Watch::build(&input).unwrap();
        let mut m =
            Monitor::new(watch, profiles, vec![0; 1_000], RuleConfig::default(), Period { day: 1, month: 1 }).unwrap();
        m.judge_everyone(1);
        // Up and down by cents, a hundred times: nobody is near a line.
        for k in 0..100 {
            assert!(m.quote(1, 5_000 + (k % 7) * 10 - 30).unwrap().is_empty());
        }
        assert_eq!(m.quote_visits(), 0, "a quote inside every range judges nobody");
        // Instrument 1 down 5%: its drop step, for every holder, each judged once.
        let due = m.quote(1, 4_750).unwrap();
        assert_eq!(due.iter().filter(|t| t.rule == Rule::StockDrop).count(), 1_000);
        assert_eq!(m.quote_visits(), 1_000);
        // The same level again: told, nobody judged.
        assert!(m.quote(1, 4_740).unwrap().is_empty());
        assert_eq!(m.quote_visits(), 1_000);
    }

    #[test]
    fn limit_down_after_the_last_drop_step_is_seen() {
        let mut m = monitor(vec![10_000; 40]);
        // -9.5%: drop step 3 (9% and beyond) for both holders.
        let t = fired(&m.quote(0, 9_050).unwrap());
        assert!(t.contains(&(0, Rule::StockDrop, 3)) && t.contains(&(1, Rule::StockDrop, 3)), "{t:?}");
        // -10%: still step 3, and every account figure at the same step; only limit-down is new.
        let t = fired(&m.quote(0, 9_000).unwrap());
        assert_eq!(t, vec![(0, Rule::LimitDown, 1), (1, Rule::LimitDown, 1)]);
    }

    #[test]
    fn ma20_cross_fires_for_heavy_holders_only() {
        // Rising for 40 days: yesterday's close is above its MA20.
        let history = closes(40, 8_000, 50); // 8.000 .. 9.950
        let mut m = monitor(history.clone());
        let ma19: i64 = history[21..].iter().map(|&c| i64::from(c)).sum();
        let cut = (ma19 / 19) as i32; // today's price at which MA20 is crossed (just below)
        let t = m.quote(0, cut - 1).unwrap();
        let f = fired(&t);
        assert!(f.contains(&(0, Rule::HeavyBelowMa20, 1)), "account 0 holds it heavily: {f:?}");
        assert!(!f.iter().any(|x| x.0 == 1 && x.1 == Rule::HeavyBelowMa20), "account 1 holds 100 shares of it");
        // Above the line the signal goes away; below again the same day: nothing new.
        assert!(!m.instrument_state_at(0, cut + 10).crossed_below_ma20);
    }

    impl Monitor {
        fn instrument_state_at(&mut self, i: u32, price: i32) -> InstrumentState {
            self.quote(i, price).unwrap();
            self.instrument_state(i)
        }
    }

    #[test]
    fn month_loss_accumulates_over_days_and_restarts_with_the_month() {
        let mut m = monitor(vec![10_000; 30]);
        // Account 1: 100,000 shares of instrument 1 at 5.000 = 500,000 CNY. A 4% fall a day, three days.
        let mut care = Vec::new();
        let mut price = 5_000;
        for day in 0..3 {
            price = price * 96 / 100;
            let t = m.quote(1, price).unwrap();
            care.extend(t.iter().filter(|t| t.rule == Rule::MonthLossCare).map(|t| (day, t.measure)));
            m.roll_day(
                &[DayLimits { down: Some(9_000), up: None }, DayLimits { down: Some(price * 9 / 10), up: None }],
                false,
                1,
            )
            .unwrap();
        }
        // 5.000 -> 4.800 -> 4.608 -> 4.423: the month's loss is 20,000, 39,200, then 57,700 CNY (past 50,000).
        assert_eq!(care, vec![(2, 57_700_000)]);
        assert_eq!(m.month_pnl(1), -57_700_000);
        m.roll_day(
            &[DayLimits { down: Some(9_000), up: None }, DayLimits { down: Some(price * 9 / 10), up: None }],
            true,
            1,
        )
        .unwrap();
        assert_eq!(m.month_pnl(1), 0);
    }

    /// A monitor over one account's positions (instrument, shares, cost,
    /// trapped days), each instrument with its closes; instrument 0 a stock.
    fn one_account(instruments: Vec<Vec<i32>>, positions: &[(u32, i32, i32, u16)]) -> Monitor {
        let input = BookInput {
            accounts: 1,
            instruments: instruments.iter().map(|c| InstrumentInput { closes: c.clone() }).collect(),
            positions: positions
                .iter()
                .map(|&(instrument, quantity, cost, trapped_days)| PositionInput {
                    account: 0,
                    instrument,
                    quantity,
                    cost,
                    trapped_days,
                })
                .collect(),
            trapped_below_cost_bp: 3000,
        };
        let profiles = instruments
            .into_iter()
            .enumerate()
            .map(|(i, closes)| InstrumentProfile {
                is_stock: i == 0,
                limit_down: None,
                limit_up: None,
                outstanding_shares: 0,
                closes,
            })
            .collect();
        let watch = Watch::build(&input).unwrap();
        Monitor::new(watch, profiles, vec![0], RuleConfig::default(), Period { day: 1, month: 1 }).unwrap()
    }

    #[test]
    fn a_holding_sinking_past_the_trapped_line_alone_is_seen() {
        // Instrument 1 (not a stock: no drop steps) held 60 days far under cost; a big
        // position in instrument 2 keeps the account's day loss small.
        let mut m = one_account(
            vec![vec![10_000], vec![8_000], vec![5_000]],
            &[(1, 100, 10_000, 60), (2, 1_000_000, 5_000, 0)],
        );
        assert!(m.judge_everyone(1).iter().all(|t| t.rule == Rule::Concentration), "20% under cost: not yet");
        assert!(m.quote(1, 7_100).unwrap().is_empty(), "29% under");
        let t = m.quote(1, 6_900).unwrap();
        assert_eq!(fired(&t), vec![(0, Rule::Trapped, 1)], "31% under cost, nothing else changed");
    }

    #[test]
    fn a_tenth_holding_sinking_past_the_trapped_line_is_seen() {
        // Ten holdings (none a stock), the last held 60 days far under cost: past
        // the screen's 8-position masks, so the row is judged in full instead.
        let mut instruments = vec![vec![10_000]];
        instruments.extend((1..=10).map(|_| vec![8_000]));
        let mut positions: Vec<(u32, i32, i32, u16)> = (1..10).map(|i| (i, 10_000, 8_000, 0)).collect();
        positions.push((10, 100, 10_000, 60));
        let mut m = one_account(instruments, &positions);
        assert!(m.judge_everyone(1).iter().all(|t| t.rule != Rule::Trapped), "20% under cost: not yet");
        assert!(m.quote(10, 7_100).unwrap().is_empty(), "29% under");
        let t = m.quote(10, 6_900).unwrap();
        assert_eq!(fired(&t), vec![(0, Rule::Trapped, 1)], "31% under cost, nothing else changed");
    }

    #[test]
    fn a_holding_growing_heavy_under_a_trend_signal_alone_is_seen() {
        // Instrument 0 has crossed below its MA20 today; it is 19.8% of the account.
        let rising = closes(40, 8_000, 50);
        let ma19: i64 = rising[21..].iter().map(|&c| i64::from(c)).sum();
        let below = (ma19 / 19) as i32 - 10;
        // 198 x below vs instrument 1 (not a stock) for the rest, at 1.000.
        let zero = i64::from(198) * i64::from(below);
        let rest = (zero * 802 / 198 / 1_000) as i32;
        let mut m = one_account(vec![rising, vec![1_000]], &[(0, 198, below, 0), (1, rest, 1_000, 0)]);
        m.judge_everyone(1);
        let t = m.quote(0, below).unwrap();
        assert!(fired(&t).iter().all(|f| f.1 != Rule::HeavyBelowMa20), "19.8%: not heavy: {t:?}");
        // Instrument 1 falls 4%: the account 3.2% (no day-loss step), instrument 0 now 20.5%.
        let t = m.quote(1, 960).unwrap();
        assert!(fired(&t).contains(&(0, Rule::HeavyBelowMa20, 1)), "{t:?}");
    }
}
