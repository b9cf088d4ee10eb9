//! The in-memory book and its two update paths.

use std::collections::HashMap;

/// Closes kept per instrument besides today's price: with today, a 20-day window.
pub const HISTORY_DAYS: usize = 19;

/// One instrument as the engine is built with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstrumentInput {
    /// Previous closes in 0.001 CNY, oldest first, the last being yesterday's;
    /// at least one. Fewer than [`HISTORY_DAYS`] are padded with the oldest.
    pub closes: Vec<i32>,
}

/// One position as the engine is built with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PositionInput {
    /// Account index, below the book's account count.
    pub account: u32,
    /// Instrument index, below the book's instrument count.
    pub instrument: u32,
    /// Shares held, not negative.
    pub quantity: i32,
    /// Average cost per share (0.001 CNY).
    pub cost: i32,
    /// Consecutive closes so far below cost by the book's trapped threshold.
    pub trapped_days: u16,
}

/// Everything the engine is built from.
#[derive(Debug, Clone, Default)]
pub struct BookInput {
    /// Accounts are 0..accounts.
    pub accounts: u32,
    /// Instruments, by index.
    pub instruments: Vec<InstrumentInput>,
    /// Positions, in any order; one per account and instrument.
    pub positions: Vec<PositionInput>,
    /// How far below cost a close must be to count a trapped day (3000 = 30%).
    pub trapped_below_cost_bp: i64,
}

/// One holding with its cost, as the rules read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HoldingDetail {
    /// Instrument index.
    pub instrument: u32,
    /// Shares.
    pub quantity: i32,
    /// Average cost per share (0.001 CNY).
    pub cost: i32,
    /// Consecutive closes below cost by the trapped threshold.
    pub trapped_days: u16,
}

/// Why the engine refuses an input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WatchError {
    /// An index is out of range.
    #[error("{what} {index} is out of range (there are {count})")]
    OutOfRange {
        /// account or instrument.
        what: &'static str,
        /// The index.
        index: u32,
        /// How many there are.
        count: u32,
    },
    /// A quantity or price is not allowed.
    #[error("{0}")]
    Invalid(String),
    /// Two positions for one account and instrument.
    #[error("account {account} holds instrument {instrument} twice")]
    Duplicate {
        /// Account.
        account: u32,
        /// Instrument.
        instrument: u32,
    },
    /// Selling more than is held.
    #[error("account {account} holds {held} of instrument {instrument}, cannot sell {selling}")]
    Oversell {
        /// Account.
        account: u32,
        /// Instrument.
        instrument: u32,
        /// Held.
        held: i32,
        /// Asked to sell.
        selling: i32,
    },
}

/// An account's figures, in 0.001 CNY.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AccountFigures {
    /// Market value of the positions at current prices.
    pub value: i64,
    /// Today's profit or loss: value now minus value at yesterday's close,
    /// net of today's buys and sells.
    pub day_pnl: i64,
    /// The holdings' highest value over the 20-day window (today and the 19
    /// closes before), valued with the current holdings.
    pub peak: i64,
    /// Value of the largest position.
    pub largest: i64,
}

impl AccountFigures {
    /// Largest position over value, 0 for an empty account.
    pub fn largest_weight(&self) -> f64 {
        if self.value > 0 {
            self.largest as f64 / self.value as f64
        } else {
            0.0
        }
    }

    /// Fall from the 20-day peak as a fraction (0.15 = 15% below), 0 at or above it.
    pub fn drawdown(&self) -> f64 {
        if self.peak > 0 && self.value < self.peak {
            (self.peak - self.value) as f64 / self.peak as f64
        } else {
            0.0
        }
    }

    /// Day P&L over the value at yesterday's close (plus today's net buying), 0 when that is 0.
    pub fn day_return(&self) -> f64 {
        let base = self.value - self.day_pnl;
        if base > 0 {
            self.day_pnl as f64 / base as f64
        } else {
            0.0
        }
    }
}

/// A stored row seen column by column (see [`Watch::row_view`]).
#[derive(Debug, Clone, Copy)]
pub struct RowView<'a> {
    /// The account stored in the row.
    pub account: u32,
    /// Its figures.
    pub figures: AccountFigures,
    /// Its main positions' instruments.
    pub instruments: &'a [u32],
    /// ... shares.
    pub quantities: &'a [i32],
    /// ... average costs.
    pub costs: &'a [i32],
    /// ... trapped days.
    pub trapped_days: &'a [u16],
    /// It also holds positions opened since the build (not in these columns).
    pub overflow: bool,
}

/// Rows a sweep revalues before visiting them: their positions (about 40 KB)
/// stay in the L2 cache between the two.
const SWEEP_BLOCK: usize = 1024;

/// The engine's positions without its figures: what a visitor may read while
/// a sweep writes the figures (see [`Watch::sweep_visiting`]).
#[derive(Debug, Clone, Copy)]
pub struct Positions<'a>(&'a Watch);

impl<'a> Positions<'a> {
    /// The positions of an engine not being swept.
    pub fn of(watch: &'a Watch) -> Positions<'a> {
        Positions(watch)
    }

    /// A row seen column by column (see [`Watch::row_view`]), with the given figures.
    #[inline]
    pub fn row_view(self, row: usize, figures: AccountFigures) -> RowView<'a> {
        self.0.row_view_with(row, figures)
    }

    /// See [`Watch::row_start`].
    #[inline]
    pub fn row_start(self, row: usize) -> usize {
        self.0.row_start(row)
    }

    /// See [`Watch::row_overflow`].
    pub fn row_overflow(self, row: usize) -> &'a [u32] {
        self.0.row_overflow(row)
    }

    /// See [`Watch::row_details_into`].
    pub fn row_details_into(self, row: usize, out: &mut Vec<HoldingDetail>) {
        self.0.row_details_into(row, out)
    }
}

/// A position opened since the engine was built or last compacted.
#[derive(Debug, Clone, Copy)]
struct Extra {
    account: u32,
    instrument: u32,
    quantity: i32,
    cost: i32,
    trapped_days: u16,
}

/// The engine. See the crate documentation for its two paths.
#[derive(Debug, Clone)]
pub struct Watch {
    // Instruments.
    price: Vec<i32>,
    prev_close: Vec<i32>,
    /// `HISTORY_DAYS` closes per instrument, instrument-major, oldest first.
    history: Vec<i32>,
    /// Accounts are stored in rows ordered by how many positions they hold
    /// (then by id), so the sweep's inner loop runs the same number of times
    /// for long stretches and its exit branch is predicted: `order[row]` is
    /// the account, `row_of[account]` its row. Everything per account below
    /// (and the overflow's account fields) is indexed by row.
    order: Vec<u32>,
    row_of: Vec<u32>,
    // Positions grouped by row: row r holds pos[account_start[r]..account_start[r + 1]].
    account_start: Vec<u32>,
    pos_instrument: Vec<u32>,
    pos_quantity: Vec<i32>,
    // Cold per-position data, read by the rules and the day roll only.
    pos_cost: Vec<i32>,
    pos_trapped: Vec<u16>,
    trapped_below_cost_bp: i64,
    // Holders grouped by instrument: (account, quantity), a copy for locality.
    holder_start: Vec<u32>,
    holder_account: Vec<u32>,
    holder_quantity: Vec<i32>,
    // Positions opened since the build.
    extras: Vec<Extra>,
    extras_of_instrument: Vec<Vec<u32>>,
    extras_of_account: HashMap<u32, Vec<u32>>,
    // Accounts. Value and largest position sit together: the sweep writes one stream.
    live: Vec<Live>,
    open_value: Vec<i64>,
    trade_net: Vec<i64>,
    peak_prior: Vec<i64>,
}

/// What a sweep writes for an account.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Live {
    value: i64,
    largest: i64,
}

fn value_of(quantity: i32, price: i32) -> i64 {
    i64::from(quantity) * i64::from(price)
}

/// The average cost after a trade: buys average in (rounded to the nearest
/// 0.001 CNY, halves up), sells leave it, and a closed position has none.
pub fn average_cost(held: i32, cost: i32, traded: i32, price: i32) -> i32 {
    let after = i64::from(held) + i64::from(traded);
    if after <= 0 {
        0
    } else if traded > 0 {
        let total = i64::from(held) * i64::from(cost) + i64::from(traded) * i64::from(price);
        ((total * 2 + after) / (after * 2)) as i32
    } else {
        cost
    }
}

/// Positions being laid out in rows, column by column.
struct Rows {
    instrument: Vec<u32>,
    quantity: Vec<i32>,
    cost: Vec<i32>,
    trapped: Vec<u16>,
}

impl Rows {
    fn set(&mut self, at: usize, p: &PositionInput) {
        self.instrument[at] = p.instrument;
        self.quantity[at] = p.quantity;
        self.cost[at] = p.cost;
        self.trapped[at] = p.trapped_days;
    }

    fn push(&mut self, p: &PositionInput) {
        self.instrument.push(p.instrument);
        self.quantity.push(p.quantity);
        self.cost.push(p.cost);
        self.trapped.push(p.trapped_days);
    }
}

/// Refuses a position whose indexes or quantity are out of range.
fn check_position(p: &PositionInput, accounts: u32, instruments: usize) -> Result<(), WatchError> {
    if p.account >= accounts {
        return Err(WatchError::OutOfRange { what: "account", index: p.account, count: accounts });
    }
    if p.instrument as usize >= instruments {
        return Err(WatchError::OutOfRange { what: "instrument", index: p.instrument, count: instruments as u32 });
    }
    if p.quantity < 0 {
        return Err(WatchError::Invalid(format!("account {} has a negative quantity", p.account)));
    }
    Ok(())
}

impl Watch {
    /// Builds the engine; prices start at each instrument's last close.
    /// Accounts are laid out in rows ordered by position count.
    pub fn build(input: &BookInput) -> Result<Watch, WatchError> {
        let accounts = input.accounts as usize;
        let instruments = input.instruments.len();
        for p in &input.positions {
            check_position(p, input.accounts, instruments)?;
        }
        // Rows by position count (a counting sort, stable by account id), then
        // positions by row and holders by instrument, also counting sorts: O(n).
        let mut counts = vec![0u32; accounts];
        for p in &input.positions {
            counts[p.account as usize] += 1;
        }
        let most = counts.iter().copied().max().unwrap_or(0) as usize;
        let mut first_of_count = vec![0usize; most + 2];
        for &c in &counts {
            first_of_count[c as usize + 1] += 1;
        }
        for c in 0..=most {
            first_of_count[c + 1] += first_of_count[c];
        }
        let mut order = vec![0u32; accounts];
        for (a, &c) in counts.iter().enumerate() {
            order[first_of_count[c as usize]] = a as u32;
            first_of_count[c as usize] += 1;
        }
        let mut row_of = vec![0u32; accounts];
        for (row, &a) in order.iter().enumerate() {
            row_of[a as usize] = row as u32;
        }
        let mut account_start = vec![0u32; accounts + 1];
        for (row, &a) in order.iter().enumerate() {
            account_start[row + 1] = account_start[row] + counts[a as usize];
        }
        let n = input.positions.len();
        let mut rows =
            Rows { instrument: vec![0u32; n], quantity: vec![0i32; n], cost: vec![0i32; n], trapped: vec![0u16; n] };
        let mut fill = account_start.clone();
        for p in &input.positions {
            let row = row_of[p.account as usize] as usize;
            let at = fill[row] as usize;
            fill[row] += 1;
            rows.set(at, p);
        }
        drop(fill);
        Watch::assemble(&input.instruments, input.trapped_below_cost_bp, order, row_of, account_start, rows)
    }

    /// Builds the engine from positions streamed with each account's positions
    /// together (as a database query ordered by account delivers them), without
    /// holding the whole input: rows follow the order accounts arrive in, so
    /// streaming accounts grouped by their number of positions gives the fast
    /// sweep of [`Watch::build`]. Accounts that never arrive hold nothing.
    /// `positions_hint` sizes the arrays up front (0 if unknown).
    pub fn build_streaming(
        accounts: u32,
        instruments: &[InstrumentInput],
        trapped_below_cost_bp: i64,
        positions_hint: usize,
        positions: impl IntoIterator<Item = PositionInput>,
    ) -> Result<Watch, WatchError> {
        let n_accounts = accounts as usize;
        let mut order = Vec::with_capacity(n_accounts);
        let mut row_of = vec![u32::MAX; n_accounts];
        let mut account_start = Vec::with_capacity(n_accounts + 1);
        account_start.push(0u32);
        let mut rows = Rows {
            instrument: Vec::with_capacity(positions_hint),
            quantity: Vec::with_capacity(positions_hint),
            cost: Vec::with_capacity(positions_hint),
            trapped: Vec::with_capacity(positions_hint),
        };
        let mut current: Option<u32> = None;
        for p in positions {
            check_position(&p, accounts, instruments.len())?;
            if current != Some(p.account) {
                if row_of[p.account as usize] != u32::MAX {
                    return Err(WatchError::Invalid(format!(
                        "the positions of account {} are not together",
                        p.account
                    )));
                }
                if current.is_some() {
                    account_start.push(rows.instrument.len() as u32);
                }
                row_of[p.account as usize] = order.len() as u32;
                order.push(p.account);
                current = Some(p.account);
            }
            rows.push(&p);
        }
        if current.is_some() {
            account_start.push(rows.instrument.len() as u32);
        }
        for (account, row) in row_of.iter_mut().enumerate() {
            if *row == u32::MAX {
                *row = order.len() as u32;
                order.push(account as u32);
                account_start.push(rows.instrument.len() as u32);
            }
        }
        Watch::assemble(instruments, trapped_below_cost_bp, order, row_of, account_start, rows)
    }

    /// The rest of a build, once positions are in their rows: prices and
    /// history, the holder lists, the figures.
    fn assemble(
        instrument_input: &[InstrumentInput],
        trapped_below_cost_bp: i64,
        order: Vec<u32>,
        row_of: Vec<u32>,
        account_start: Vec<u32>,
        rows: Rows,
    ) -> Result<Watch, WatchError> {
        let accounts = order.len();
        let instruments = instrument_input.len();
        let mut history = Vec::with_capacity(instruments * HISTORY_DAYS);
        let mut prev_close = Vec::with_capacity(instruments);
        for (i, inst) in instrument_input.iter().enumerate() {
            let Some(&last) = inst.closes.last() else {
                return Err(WatchError::Invalid(format!("instrument {i} has no close")));
            };
            if inst.closes.iter().any(|&c| c <= 0) {
                return Err(WatchError::Invalid(format!("instrument {i} has a close that is not positive")));
            }
            let kept = &inst.closes[inst.closes.len().saturating_sub(HISTORY_DAYS)..];
            history.extend(std::iter::repeat_n(kept[0], HISTORY_DAYS - kept.len()));
            history.extend_from_slice(kept);
            prev_close.push(last);
        }
        let Rows { instrument: pos_instrument, quantity: pos_quantity, cost: pos_cost, trapped: pos_trapped } = rows;
        let n = pos_instrument.len();
        for a in 0..accounts {
            let range = account_start[a] as usize..account_start[a + 1] as usize;
            let mut held: Vec<u32> = pos_instrument[range].to_vec();
            held.sort_unstable();
            if let Some(w) = held.windows(2).find(|w| w[0] == w[1]) {
                return Err(WatchError::Duplicate { account: order[a], instrument: w[0] });
            }
        }
        let mut holder_start = vec![0u32; instruments + 1];
        for &i in &pos_instrument {
            holder_start[i as usize + 1] += 1;
        }
        for i in 0..instruments {
            holder_start[i + 1] += holder_start[i];
        }
        let mut holder_account = vec![0u32; n];
        let mut holder_quantity = vec![0i32; n];
        let mut fill = holder_start.clone();
        for a in 0..accounts {
            for p in account_start[a] as usize..account_start[a + 1] as usize {
                let i = pos_instrument[p] as usize;
                let slot = fill[i];
                fill[i] += 1;
                holder_account[slot as usize] = a as u32;
                holder_quantity[slot as usize] = pos_quantity[p];
            }
        }
        let mut watch = Watch {
            order,
            row_of,
            price: prev_close.clone(),
            prev_close,
            history,
            account_start,
            pos_instrument,
            pos_quantity,
            pos_cost,
            pos_trapped,
            trapped_below_cost_bp,
            holder_start,
            holder_account,
            holder_quantity,
            extras: Vec::new(),
            extras_of_instrument: vec![Vec::new(); instruments],
            extras_of_account: HashMap::new(),
            live: vec![Live::default(); accounts],
            open_value: vec![0; accounts],
            trade_net: vec![0; accounts],
            peak_prior: vec![0; accounts],
        };
        watch.sweep(1);
        for (open, live) in watch.open_value.iter_mut().zip(&watch.live) {
            *open = live.value;
        }
        for a in 0..accounts {
            watch.peak_prior[a] = watch.prior_peak(a);
        }
        Ok(watch)
    }

    /// Accounts in the book.
    pub fn accounts(&self) -> usize {
        self.live.len()
    }

    /// Instruments in the book.
    pub fn instruments(&self) -> usize {
        self.price.len()
    }

    /// Positions held (main and overflow).
    pub fn positions(&self) -> usize {
        self.pos_instrument.len() + self.extras.len()
    }

    /// An instrument's current price.
    pub fn price(&self, instrument: u32) -> i32 {
        self.price[instrument as usize]
    }

    /// An instrument's previous close.
    pub fn prev_close(&self, instrument: u32) -> i32 {
        self.prev_close[instrument as usize]
    }

    /// The storage row an account is kept in (see [`Watch::visit_rows`]); rows change only on [`Watch::compact`].
    pub fn row_of(&self, account: u32) -> usize {
        self.row_of[account as usize] as usize
    }

    /// An account's current figures.
    pub fn figures(&self, account: u32) -> AccountFigures {
        self.row_figures(self.row_of[account as usize] as usize)
    }

    /// A row's current figures.
    #[inline]
    fn row_figures(&self, a: usize) -> AccountFigures {
        self.figures_of(a, self.valued(a))
    }

    /// A row's value and largest position at current prices, counted from its
    /// holdings: prices move without revaluing every holder (the monitor's
    /// trigger prices decide whom a quote concerns), so nothing stored is
    /// trusted for them.
    #[inline]
    fn valued(&self, a: usize) -> Live {
        let (mut value, mut largest) = (0i64, 0i64);
        let range = self.account_start[a] as usize..self.account_start[a + 1] as usize;
        for (&i, &q) in self.pos_instrument[range.clone()].iter().zip(&self.pos_quantity[range]) {
            let x = value_of(q, self.price[i as usize]);
            value += x;
            largest = largest.max(x);
        }
        for &e in self.row_overflow(a) {
            let e = self.extras[e as usize];
            let x = value_of(e.quantity, self.price[e.instrument as usize]);
            value += x;
            largest = largest.max(x);
        }
        Live { value, largest }
    }

    /// A row's figures given its value and largest position.
    #[inline]
    fn figures_of(&self, a: usize, live: Live) -> AccountFigures {
        AccountFigures {
            value: live.value,
            day_pnl: live.value - self.open_value[a] - self.trade_net[a],
            peak: self.peak_prior[a].max(live.value),
            largest: live.largest,
        }
    }

    /// An account's holdings as (instrument, shares), main ones first.
    pub fn holdings(&self, account: u32) -> Vec<(u32, i32)> {
        self.row_holdings(self.row_of[account as usize])
    }

    /// A row's holdings as (instrument, shares), main ones first.
    fn row_holdings(&self, row: u32) -> Vec<(u32, i32)> {
        let a = row as usize;
        let mut out: Vec<(u32, i32)> = (self.account_start[a] as usize..self.account_start[a + 1] as usize)
            .map(|p| (self.pos_instrument[p], self.pos_quantity[p]))
            .collect();
        if let Some(extras) = self.extras_of_account.get(&row) {
            out.extend(extras.iter().map(|&e| (self.extras[e as usize].instrument, self.extras[e as usize].quantity)));
        }
        out
    }

    /// An account's holdings with their costs and trapped days.
    pub fn holding_details(&self, account: u32) -> Vec<HoldingDetail> {
        let mut out = Vec::new();
        self.row_details_into(self.row_of[account as usize] as usize, &mut out);
        out
    }

    /// Appends a row's holdings with their costs and trapped days to `out`.
    pub fn row_details_into(&self, a: usize, out: &mut Vec<HoldingDetail>) {
        out.extend((self.account_start[a] as usize..self.account_start[a + 1] as usize).map(|p| HoldingDetail {
            instrument: self.pos_instrument[p],
            quantity: self.pos_quantity[p],
            cost: self.pos_cost[p],
            trapped_days: self.pos_trapped[p],
        }));
        if self.extras.is_empty() {
            return;
        }
        if let Some(extras) = self.extras_of_account.get(&(a as u32)) {
            out.extend(extras.iter().map(|&e| {
                let x = self.extras[e as usize];
                HoldingDetail {
                    instrument: x.instrument,
                    quantity: x.quantity,
                    cost: x.cost,
                    trapped_days: x.trapped_days,
                }
            }));
        }
    }

    /// Calls `f(account, figures, holdings)` for every account stored in
    /// `rows` (a range of `0..accounts()`), in storage order: the fast way to
    /// visit many accounts, one buffer reused throughout.
    pub fn visit_rows(&self, rows: std::ops::Range<usize>, mut f: impl FnMut(u32, AccountFigures, &[HoldingDetail])) {
        let mut holdings = Vec::with_capacity(16);
        for row in rows {
            holdings.clear();
            self.row_details_into(row, &mut holdings);
            f(self.order[row], self.row_figures(row), &holdings);
        }
    }

    /// A stored row's account, figures and main positions, column by column,
    /// for a fast screen of many accounts; `overflow` says it also holds
    /// positions opened since the build (not in these columns).
    #[inline]
    pub fn row_view(&self, row: usize) -> RowView<'_> {
        Positions(self).row_view(row, self.row_figures(row))
    }

    /// [`Watch::row_view`] with the given figures.
    #[inline(always)]
    fn row_view_with(&self, row: usize, figures: AccountFigures) -> RowView<'_> {
        let range = self.account_start[row] as usize..self.account_start[row + 1] as usize;
        RowView {
            account: self.order[row],
            figures,
            instruments: &self.pos_instrument[range.clone()],
            quantities: &self.pos_quantity[range.clone()],
            costs: &self.pos_cost[range.clone()],
            trapped_days: &self.pos_trapped[range],
            overflow: !self.extras.is_empty() && self.extras_of_account.contains_key(&(row as u32)),
        }
    }

    /// Where a row's main positions start among all main positions (`row ==
    /// accounts()` gives their number); positions keep their place until
    /// [`Watch::compact`].
    pub fn row_start(&self, row: usize) -> usize {
        self.account_start[row] as usize
    }

    /// The overflow positions of a row (indexes among all overflow positions),
    /// in the order its holdings list them after its main ones.
    pub fn row_overflow(&self, row: usize) -> &[u32] {
        if self.extras.is_empty() {
            return &[];
        }
        self.extras_of_account.get(&(row as u32)).map_or(&[], Vec::as_slice)
    }

    /// Positions in the overflow area.
    pub fn overflow_positions(&self) -> usize {
        self.extras.len()
    }

    /// Every instrument's current price, by index.
    pub fn prices(&self) -> &[i32] {
        &self.price
    }

    /// Every position as (account, instrument, shares), accounts in order (for exports).
    pub fn for_each_position(&self, mut f: impl FnMut(u32, u32, i32)) {
        for (row, &account) in self.order.iter().enumerate() {
            for (instrument, quantity) in self.row_holdings(row as u32) {
                f(account, instrument, quantity);
            }
        }
    }

    /// The highest value of an account's current holdings at the window's past closes.
    pub fn peak_before_today(&self, account: u32) -> i64 {
        self.peak_prior[self.row_of[account as usize] as usize]
    }

    /// How many accounts hold an instrument (what a quote of it revalues).
    pub fn holder_count(&self, instrument: u32) -> usize {
        let i = instrument as usize;
        (self.holder_start[i + 1] - self.holder_start[i]) as usize + self.extras_of_instrument[i].len()
    }

    /// The holders of an instrument as (account, shares).
    pub fn holders(&self, instrument: u32) -> impl Iterator<Item = (u32, i32)> + '_ {
        let i = instrument as usize;
        let range = self.holder_start[i] as usize..self.holder_start[i + 1] as usize;
        self.holder_account[range.clone()]
            .iter()
            .map(|&row| self.order[row as usize])
            .zip(self.holder_quantity[range].iter().copied())
            .chain(self.extras_of_instrument[i].iter().map(|&e| {
                let x = self.extras[e as usize];
                (self.order[x.account as usize], x.quantity)
            }))
    }

    /// Sets prices without revaluing (a full-market update before a [`Watch::sweep`]).
    pub fn set_price(&mut self, instrument: u32, price: i32) -> Result<(), WatchError> {
        self.check_instrument(instrument)?;
        if price <= 0 {
            return Err(WatchError::Invalid(format!("price {price} is not positive")));
        }
        self.price[instrument as usize] = price;
        Ok(())
    }

    /// Revalues every account at current prices in one in-order pass over the
    /// positions, split over `threads` threads by account.
    pub fn sweep(&mut self, threads: usize) {
        let states = vec![(); self.sweep_chunks(threads).len()];
        self.sweep_visiting(states, |_, _, _, _| {});
    }

    /// How a sweep over `threads` threads splits the rows: contiguous ranges, in order.
    pub fn sweep_chunks(&self, threads: usize) -> Vec<std::ops::Range<usize>> {
        let rows = self.live.len();
        let chunk = rows.div_ceil(threads.max(1)).max(1);
        (0..rows).step_by(chunk).map(|lo| lo..(lo + chunk).min(rows)).collect()
    }

    /// Revalues every account like [`Watch::sweep`], one thread per chunk of
    /// [`Watch::sweep_chunks`] (as many as `states`), and after each block of
    /// rows calls `visit(state, positions, row, figures)` for every row of the
    /// block, on the thread that revalued it and while its positions are
    /// still in cache. `figures` are the row's new figures; `positions`
    /// reads everything else. Answers the states.
    pub fn sweep_visiting<S: Send>(
        &mut self,
        states: Vec<S>,
        visit: impl Fn(&mut S, Positions<'_>, usize, AccountFigures) + Sync,
    ) -> Vec<S> {
        let chunks = self.sweep_chunks(states.len());
        // The figures being written are taken out, so the rest can be shared.
        let mut live = std::mem::take(&mut self.live);
        let this = &*self;
        let visit = &visit;
        let states = std::thread::scope(|scope| {
            let mut rest = &mut live[..];
            let workers: Vec<_> = chunks
                .into_iter()
                .zip(states)
                .map(|(rows, mut state)| {
                    let (mine, others) = std::mem::take(&mut rest).split_at_mut(rows.len());
                    rest = others;
                    scope.spawn(move || {
                        this.revalue_chunk(rows, mine, &mut state, visit);
                        state
                    })
                })
                .collect();
            workers.into_iter().map(|w| w.join().expect("a sweep thread does not panic")).collect()
        });
        self.live = live;
        states
    }

    /// One thread's part of [`Watch::sweep_visiting`]: its rows' figures into `live`, block by block.
    fn revalue_chunk<S>(
        &self,
        rows: std::ops::Range<usize>,
        live: &mut [Live],
        state: &mut S,
        visit: &impl Fn(&mut S, Positions<'_>, usize, AccountFigures),
    ) {
        let (price, start, instrument, quantity) =
            (&self.price, &self.account_start, &self.pos_instrument, &self.pos_quantity);
        let first = rows.start;
        for block in (0..live.len()).step_by(SWEEP_BLOCK) {
            let block = block..(block + SWEEP_BLOCK).min(live.len());
            let bounds = &start[first + block.start..first + block.end + 1];
            for (out, edge) in live[block.clone()].iter_mut().zip(bounds.windows(2)) {
                let (lo, hi) = (edge[0] as usize, edge[1] as usize);
                let (mut v, mut l) = (0i64, 0i64);
                // Slices, so the loop carries one bounds check (the price lookup).
                for (&i, &q) in instrument[lo..hi].iter().zip(&quantity[lo..hi]) {
                    let x = value_of(q, price[i as usize]);
                    v += x;
                    l = l.max(x);
                }
                *out = Live { value: v, largest: l };
            }
            if !self.extras.is_empty() {
                for (k, out) in live[block.clone()].iter_mut().enumerate() {
                    for &e in self.row_overflow(first + block.start + k) {
                        let e = self.extras[e as usize];
                        let x = value_of(e.quantity, price[e.instrument as usize]);
                        out.value += x;
                        out.largest = out.largest.max(x);
                    }
                }
            }
            for (k, out) in live[block.clone()].iter().enumerate() {
                let row = first + block.start + k;
                visit(state, Positions(self), row, self.figures_of(row, *out));
            }
        }
    }

    /// A quote for one instrument: revalues its holders only. Returns the
    /// accounts whose figures changed.
    pub fn quote(&mut self, instrument: u32, price: i32) -> Result<Vec<u32>, WatchError> {
        self.check_instrument(instrument)?;
        if price <= 0 {
            return Err(WatchError::Invalid(format!("price {price} is not positive")));
        }
        let i = instrument as usize;
        let old = std::mem::replace(&mut self.price[i], price);
        let delta = i64::from(price - old);
        let range = self.holder_start[i] as usize..self.holder_start[i + 1] as usize;
        let mut touched = Vec::with_capacity(range.len() + self.extras_of_instrument[i].len());
        let mut dirty = Vec::new();
        // Disjoint fields: read the holder lists while writing the accounts' figures.
        let (live, order) = (&mut self.live, &self.order);
        let main = self.holder_account[range.clone()].iter().copied().zip(self.holder_quantity[range].iter().copied());
        let extras = self.extras_of_instrument[i]
            .iter()
            .map(|&e| (self.extras[e as usize].account, self.extras[e as usize].quantity));
        for (row, quantity) in main.chain(extras) {
            let a = row as usize;
            let live = &mut live[a];
            live.value += i64::from(quantity) * delta;
            let (before, after) = (value_of(quantity, old), value_of(quantity, price));
            if after > live.largest {
                live.largest = after;
            } else if before == live.largest && after < before {
                dirty.push(row); // it may have been the largest: recount
            }
            touched.push(order[a]);
        }
        for a in dirty {
            self.recount(a);
        }
        Ok(touched)
    }

    /// A trade: `quantity` shares bought (positive) or sold (negative) at
    /// `price`. Updates the position on both paths and the account's figures.
    pub fn trade(&mut self, account: u32, instrument: u32, quantity: i32, price: i32) -> Result<(), WatchError> {
        self.trade_at_cost(account, instrument, quantity, price, None)
    }

    /// A trade, with the average cost the book gives the holding after it
    /// (the store keeps 0.0001 CNY, the engine 0.001: taking the book's figure
    /// keeps the two from drifting apart); `None` averages here.
    pub fn trade_at_cost(
        &mut self,
        account: u32,
        instrument: u32,
        quantity: i32,
        price: i32,
        cost_after: Option<i32>,
    ) -> Result<(), WatchError> {
        self.check_account(account)?;
        self.check_instrument(instrument)?;
        if quantity == 0 || price <= 0 {
            return Err(WatchError::Invalid("a trade needs a quantity and a positive price".into()));
        }
        let row = self.row_of[account as usize];
        let a = row as usize;
        let main = (self.account_start[a] as usize..self.account_start[a + 1] as usize)
            .find(|&p| self.pos_instrument[p] == instrument);
        let extra = self
            .extras_of_account
            .get(&row)
            .and_then(|list| list.iter().copied().find(|&e| self.extras[e as usize].instrument == instrument));
        let (held, cost) = match (main, extra) {
            (Some(p), _) => (self.pos_quantity[p], self.pos_cost[p]),
            (None, Some(e)) => (self.extras[e as usize].quantity, self.extras[e as usize].cost),
            (None, None) => (0, 0),
        };
        let after = held.checked_add(quantity).ok_or_else(|| WatchError::Invalid("quantity overflows".into()))?;
        if after < 0 {
            return Err(WatchError::Oversell { account, instrument, held, selling: -quantity });
        }
        let cost = match cost_after {
            Some(c) if after > 0 => c,
            _ => average_cost(held, cost, quantity, price),
        };
        match (main, extra) {
            (Some(p), _) => {
                self.pos_quantity[p] = after;
                self.pos_cost[p] = cost;
                // A holder list is in row order: find this row's slot by binary search.
                let i = instrument as usize;
                let range = self.holder_start[i] as usize..self.holder_start[i + 1] as usize;
                let at =
                    self.holder_account[range.clone()].binary_search(&row).expect("a main position has a holder slot");
                self.holder_quantity[range.start + at] = after;
            }
            (None, Some(e)) => {
                self.extras[e as usize].quantity = after;
                self.extras[e as usize].cost = cost;
            }
            (None, None) => {
                let e = self.extras.len() as u32;
                self.extras.push(Extra { account: row, instrument, quantity: after, cost, trapped_days: 0 });
                self.extras_of_instrument[instrument as usize].push(e);
                self.extras_of_account.entry(row).or_default().push(e);
            }
        }
        self.trade_net[a] += value_of(quantity, price);
        self.recount(row);
        self.peak_prior[a] = self.prior_peak(a);
        Ok(())
    }

    /// Closes the day: today's prices become the last close, the window moves
    /// on a day, and day P&L starts again from zero.
    pub fn roll_day(&mut self) {
        for i in 0..self.price.len() {
            let h = &mut self.history[i * HISTORY_DAYS..(i + 1) * HISTORY_DAYS];
            h.rotate_left(1);
            h[HISTORY_DAYS - 1] = self.price[i];
        }
        self.prev_close.copy_from_slice(&self.price);
        let bp = self.trapped_below_cost_bp;
        let trapped = |quantity: i32, cost: i32, close: i32, days: u16| {
            let below = quantity > 0 && i64::from(close) * 10_000 <= i64::from(cost) * (10_000 - bp);
            if below {
                days.saturating_add(1)
            } else {
                0
            }
        };
        for p in 0..self.pos_instrument.len() {
            let close = self.price[self.pos_instrument[p] as usize];
            self.pos_trapped[p] = trapped(self.pos_quantity[p], self.pos_cost[p], close, self.pos_trapped[p]);
        }
        for e in &mut self.extras {
            e.trapped_days = trapped(e.quantity, e.cost, self.price[e.instrument as usize], e.trapped_days);
        }
        self.sweep(1);
        for (open, live) in self.open_value.iter_mut().zip(&self.live) {
            *open = live.value;
        }
        self.trade_net.iter_mut().for_each(|t| *t = 0);
        for a in 0..self.live.len() {
            self.peak_prior[a] = self.prior_peak(a);
        }
    }

    /// Folds the overflow positions into the main arrays: a rebuild that
    /// keeps prices, history and every account's figures.
    pub fn compact(&mut self) {
        if self.extras.is_empty() {
            return;
        }
        let mut positions = Vec::with_capacity(self.positions());
        for &account in &self.order {
            for h in self.holding_details(account) {
                positions.push(PositionInput {
                    account,
                    instrument: h.instrument,
                    quantity: h.quantity,
                    cost: h.cost,
                    trapped_days: h.trapped_days,
                });
            }
        }
        let shell = BookInput {
            accounts: self.live.len() as u32,
            instruments: vec![InstrumentInput { closes: vec![1] }; self.price.len()],
            positions,
            trapped_below_cost_bp: self.trapped_below_cost_bp,
        };
        let mut fresh = Watch::build(&shell).expect("the positions of a valid engine are valid");
        fresh.price = std::mem::take(&mut self.price);
        fresh.prev_close = std::mem::take(&mut self.prev_close);
        fresh.history = std::mem::take(&mut self.history);
        for account in 0..self.live.len() {
            let (old, new) = (self.row_of[account] as usize, fresh.row_of[account] as usize);
            fresh.live[new] = self.live[old];
            fresh.open_value[new] = self.open_value[old];
            fresh.trade_net[new] = self.trade_net[old];
            fresh.peak_prior[new] = self.peak_prior[old];
        }
        *self = fresh;
    }

    /// Recounts one row's value and largest position from its holdings.
    fn recount(&mut self, row: u32) {
        let (mut v, mut l) = (0i64, 0i64);
        for (instrument, quantity) in self.row_holdings(row) {
            let x = value_of(quantity, self.price[instrument as usize]);
            v += x;
            l = l.max(x);
        }
        self.live[row as usize] = Live { value: v, largest: l };
    }

    /// The highest value of a row's current holdings at the window's past closes.
    fn prior_peak(&self, a: usize) -> i64 {
        let holdings = self.row_holdings(a as u32);
        (0..HISTORY_DAYS)
            .map(|d| {
                holdings.iter().map(|&(i, q)| value_of(q, self.history[i as usize * HISTORY_DAYS + d])).sum::<i64>()
            })
            .max()
            .unwrap_or(0)
    }

    fn check_account(&self, account: u32) -> Result<(), WatchError> {
        if (account as usize) < self.live.len() {
            Ok(())
        } else {
            Err(WatchError::OutOfRange { what: "account", index: account, count: self.live.len() as u32 })
        }
    }

    fn check_instrument(&self, instrument: u32) -> Result<(), WatchError> {
        if (instrument as usize) < self.price.len() {
            Ok(())
        } else {
            Err(WatchError::OutOfRange { what: "instrument", index: instrument, count: self.price.len() as u32 })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn book() -> Watch {
        let input = BookInput {
            accounts: 3,
            instruments: vec![
                InstrumentInput { closes: vec![10_000, 10_500, 10_000] },
                InstrumentInput { closes: vec![5_000] },
            ],
            positions: vec![
                PositionInput { account: 0, instrument: 0, quantity: 100, cost: 12_000, trapped_days: 0 },
                PositionInput { account: 0, instrument: 1, quantity: 400, cost: 5_000, trapped_days: 0 },
                PositionInput { account: 2, instrument: 1, quantity: 1000, cost: 4_000, trapped_days: 0 },
            ],
            trapped_below_cost_bp: 3000,
        };
        Watch::build(&input).unwrap()
    }

    #[test]
    fn figures_by_hand() {
        let mut w = book();
        // Account 0: 100 x 10.000 + 400 x 5.000 = 3,000 CNY; peak at 10.500: 3,050.
        assert_eq!(w.figures(0), AccountFigures { value: 3_000_000, day_pnl: 0, peak: 3_050_000, largest: 2_000_000 });
        w.quote(0, 9_000).unwrap(); // -10%
        let f = w.figures(0);
        assert_eq!((f.value, f.day_pnl, f.largest), (2_900_000, -100_000, 2_000_000));
        // Buy 100 more of instrument 0 at 9.000: value up, P&L unchanged.
        w.trade(0, 0, 100, 9_000).unwrap();
        assert_eq!(w.figures(0).day_pnl, -100_000);
        assert_eq!(w.figures(0).value, 3_800_000);
        // Account 1 opens a position (overflow) and both paths see it.
        w.trade(1, 1, 200, 5_000).unwrap();
        w.quote(1, 5_500).unwrap();
        assert_eq!(w.figures(1).value, 1_100_000);
        assert_eq!(w.figures(1).day_pnl, 100_000);
        w.sweep(2);
        assert_eq!(w.figures(1).value, 1_100_000);
        w.compact();
        w.sweep(2);
        assert_eq!(w.figures(1).value, 1_100_000);
        assert_eq!(w.holders(1).count(), 3);
        // Overselling is refused and changes nothing.
        assert!(matches!(w.trade(2, 1, -1001, 5_000), Err(WatchError::Oversell { held: 1000, .. })));
    }
}
