//! `brokerdesk gen`: a deterministic synthetic brokerage written as the CSV
//! files of [`app::book_files`].
//!
//! Shapes follow a Chinese retail brokerage: about 5,000 customers per
//! advisor, heavy-tailed assets (a lognormal body and a Pareto tail), ages
//! 18-80 bunched in the middle years, market entry over 20 years clustered in
//! bull markets, about 40% dormant (no trade in 90 days), 1-10 positions drawn
//! Zipf-like from about 5,000 instruments. Trades keep to the market's rules
//! (a test holds every one to `market::rules`): on trading days, in the
//! continuous sessions, at prices on the tick inside the day's range (real
//! bars, or a synthetic walk kept to each day's band, ST bands by the rule in
//! force that day), buys in lots, sells only of what may be sold that moment
//! (T+1 for stocks and ETFs, T+0 for bonds) in lots or the whole odd
//! remainder. Positions are where the trades leave each account's holdings.
//!
//! Every customer draws from a random stream seeded by (seed, customer id), so
//! customers can be generated on several threads in chunks and the output is
//! the same byte for byte whatever the thread count.

mod people;
mod universe;

use app::book_files::{self, BookFile};
use app::market_data::{embedded_stocks, stocks_in_dir, MarketDataError, RealStock};
use chrono::{Duration, NaiveDate, NaiveTime};
use domain::{FixedPoint, Gender, InstrumentKind, Money, NationalId};
use rand::{Rng, SeedableRng};
use rand_distr::{Distribution, LogNormal, Normal, Pareto, Zipf};
use rand_pcg::Pcg64Mcg;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration as StdDuration, Instant};
use thiserror::Error;
use universe::{Listed, Universe};

/// What to generate.
#[derive(Debug, Clone)]
pub struct GenOptions {
    /// Number of customers.
    pub customers: u64,
    /// Seed: the same seed gives the same files.
    pub seed: u64,
    /// Output directory (created if missing).
    pub out: PathBuf,
    /// A directory of real daily bars to use instead of the committed subset.
    pub bars: Option<PathBuf>,
    /// Instruments in the universe (real ones first).
    pub instruments: usize,
    /// Worker threads.
    pub threads: usize,
    /// Customers per unit of work on a thread; does not change the output.
    pub chunk_customers: u64,
    /// Customers each advisor serves (5,000 by default; tests use fewer to
    /// get several advisors and branches in a small book).
    pub customers_per_advisor: u64,
    /// The share of customers referred by another (1/16 by default; tests
    /// that count points use 0, so no referral reward lands in their books).
    pub referred_share: f64,
}

impl GenOptions {
    /// Defaults for a given size and seed: 5,000 instruments, all cores.
    pub fn new(customers: u64, seed: u64, out: impl Into<PathBuf>) -> Self {
        GenOptions {
            customers,
            seed,
            out: out.into(),
            bars: None,
            instruments: 5_000,
            threads: std::thread::available_parallelism().map_or(2, |n| n.get()),
            chunk_customers: 20_000,
            customers_per_advisor: CUSTOMERS_PER_ADVISOR,
            referred_share: 1.0 / 16.0,
        }
    }
}

/// What was generated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenSummary {
    /// Rows written per file, in load order.
    pub rows: Vec<(&'static str, u64)>,
    /// Wall time.
    pub elapsed: StdDuration,
}

/// Why generation failed.
#[derive(Debug, Error)]
pub enum GenError {
    /// Market data could not be read.
    #[error(transparent)]
    Market(#[from] MarketDataError),
    /// Writing output failed.
    #[error("cannot write {path}: {source}")]
    Write {
        /// File.
        path: PathBuf,
        /// Cause.
        #[source]
        source: std::io::Error,
    },
    /// The options cannot make a brokerage.
    #[error("{0}")]
    Options(String),
}

/// Customers an advisor serves, as the seeds describe.
pub const CUSTOMERS_PER_ADVISOR: u64 = 5_000;
/// Advisors per branch office.
const ADVISORS_PER_BRANCH: u64 = 6;

/// Writes a synthetic brokerage into `opts.out`.
pub fn generate(opts: &GenOptions) -> Result<GenSummary, GenError> {
    let started = Instant::now();
    if opts.customers == 0 {
        return Err(GenError::Options("--customers must be at least 1".into()));
    }
    if opts.customers >= 100_000_000 {
        return Err(GenError::Options("--customers must be below 100,000,000".into()));
    }
    let real: Vec<RealStock> = match &opts.bars {
        Some(dir) => stocks_in_dir(dir)?,
        None => embedded_stocks(),
    };
    let mut rng = Pcg64Mcg::seed_from_u64(opts.seed);
    let universe = universe::build(&mut rng, &real, opts.instruments.max(real.len()));
    std::fs::create_dir_all(&opts.out).map_err(|source| GenError::Write { path: opts.out.clone(), source })?;

    let mut out = Outputs::create(&opts.out)?;
    let per_advisor = opts.customers_per_advisor.max(1);
    let firm = Firm::build(&mut rng, opts.customers, per_advisor);
    firm.write(&mut out)?;
    for l in &universe.listed {
        let i = &l.instrument;
        out.row(
            book_files::INSTRUMENTS,
            &[
                i.code.to_string(),
                i.name.clone(),
                i.board.to_string(),
                i.kind.to_string(),
                i.lot.to_string(),
                i.tick.to_string(),
                i.limit_pct.to_string(),
                i.st.to_string(),
                i.list_date.to_string(),
                i.face_value.map(|f| f.to_string()).unwrap_or_default(),
                i.outstanding_shares.to_string(),
                i.last_close.to_string(),
                i.fund_class.map(|f| f.to_string()).unwrap_or_default(),
                i.delisting_from.map(|d| d.to_string()).unwrap_or_default(),
            ],
        )?;
    }

    // The real stocks' own daily bars, so that instrument pages show real prices.
    for stock in &real {
        let code = stock.code.to_string();
        for b in &stock.bars {
            let fields = [
                &code,
                &b.date.to_string(),
                &b.open.to_string(),
                &b.high.to_string(),
                &b.low.to_string(),
                &b.close.to_string(),
                &b.volume.to_string(),
                "",
                "",
                "",
            ];
            out.row(book_files::DAILY_BARS, &fields.map(str::to_owned))?;
        }
    }

    let ctx = Context {
        seed: opts.seed,
        zipf: Zipf::new(universe.listed.len() as u64, 1.1).expect("valid Zipf"),
        inviters: Zipf::new(opts.customers.max(1), 1.2).expect("valid Zipf"),
        customers: opts.customers,
        referred_share: opts.referred_share.clamp(0.0, 1.0),
        universe: &universe,
        advisors: &firm.advisors,
        per_advisor,
    };
    let threads = opts.threads.max(1) as u64;
    let chunk_size = opts.chunk_customers.max(1);
    let mut next = 1u64;
    while next <= opts.customers {
        // One round: each thread takes one chunk; chunks are written in order.
        let starts: Vec<u64> = (0..threads).map(|t| next + t * chunk_size).filter(|s| *s <= opts.customers).collect();
        let chunks: Vec<Chunk> = std::thread::scope(|scope| {
            let handles: Vec<_> = starts
                .iter()
                .map(|&start| {
                    let end = (start + chunk_size - 1).min(opts.customers);
                    let ctx = &ctx;
                    scope.spawn(move || {
                        let mut chunk = Chunk::default();
                        for id in start..=end {
                            ctx.customer(id, &mut chunk);
                        }
                        chunk
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().expect("generator thread panicked")).collect()
        });
        for chunk in chunks {
            out.append(chunk)?;
        }
        next += threads * chunk_size;
    }
    out.finish(started)
}

/// Writers for every file, counting rows.
struct Outputs {
    dir: PathBuf,
    files: Vec<(BookFile, BufWriter<File>, u64)>,
}

impl Outputs {
    fn create(dir: &Path) -> Result<Self, GenError> {
        let files = book_files::LOAD_ORDER
            .iter()
            .map(|f| {
                let path = dir.join(f.name);
                let mut w = BufWriter::with_capacity(
                    1 << 20,
                    File::create(&path).map_err(|source| GenError::Write { path: path.clone(), source })?,
                );
                writeln!(w, "{}", f.columns.join(",")).map_err(|source| GenError::Write { path, source })?;
                Ok((*f, w, 0))
            })
            .collect::<Result<_, GenError>>()?;
        Ok(Outputs { dir: dir.to_owned(), files })
    }

    fn slot(&mut self, file: BookFile) -> &mut (BookFile, BufWriter<File>, u64) {
        self.files.iter_mut().find(|(f, _, _)| *f == file).expect("every file is open")
    }

    fn error(&self, file: BookFile, source: std::io::Error) -> GenError {
        GenError::Write { path: self.dir.join(file.name), source }
    }

    fn row(&mut self, file: BookFile, fields: &[String]) -> Result<(), GenError> {
        let slot = self.slot(file);
        slot.2 += 1;
        let result = writeln!(slot.1, "{}", fields.join(","));
        result.map_err(|e| self.error(file, e))
    }

    fn append(&mut self, chunk: Chunk) -> Result<(), GenError> {
        for (file, text, rows) in chunk.into_parts() {
            let slot = self.slot(file);
            slot.2 += rows;
            let result = slot.1.write_all(text.as_bytes());
            result.map_err(|e| self.error(file, e))?;
        }
        Ok(())
    }

    fn finish(mut self, started: Instant) -> Result<GenSummary, GenError> {
        let mut rows = Vec::new();
        for i in 0..self.files.len() {
            let result = self.files[i].1.flush();
            let file = self.files[i].0;
            result.map_err(|e| self.error(file, e))?;
            rows.push((file.name, self.files[i].2));
        }
        Ok(GenSummary { rows, elapsed: started.elapsed() })
    }
}

/// The output of one chunk of customers, as CSV text per file.
#[derive(Default)]
struct Chunk {
    customers: (String, u64),
    accounts: (String, u64),
    positions: (String, u64),
    trades: (String, u64),
    cash_flows: (String, u64),
    logins: (String, u64),
    service_events: (String, u64),
}

impl Chunk {
    fn into_parts(self) -> [(BookFile, String, u64); 7] {
        [
            (book_files::CUSTOMERS, self.customers.0, self.customers.1),
            (book_files::ACCOUNTS, self.accounts.0, self.accounts.1),
            (book_files::POSITIONS, self.positions.0, self.positions.1),
            (book_files::TRADES, self.trades.0, self.trades.1),
            (book_files::CASH_FLOWS, self.cash_flows.0, self.cash_flows.1),
            (book_files::LOGINS, self.logins.0, self.logins.1),
            (book_files::SERVICE_EVENTS, self.service_events.0, self.service_events.1),
        ]
    }
}

/// Appends one CSV line to a chunk's buffer. Generated fields never contain
/// commas, quotes or newlines, so no quoting is needed.
macro_rules! line {
    ($buf:expr, $($arg:tt)*) => {{
        use std::fmt::Write as _;
        let _ = writeln!($buf.0, $($arg)*);
        $buf.1 += 1;
    }};
}

/// Branches and staff.
struct Firm {
    branches: Vec<(i64, String, String)>,
    staff: Vec<(i64, i64, &'static str, String, String)>,
    /// (advisor id, branch id).
    advisors: Vec<(i64, i64)>,
}

const CITIES: &[&str] = &[
    "上海", "北京", "深圳", "广州", "杭州", "南京", "成都", "武汉", "西安", "重庆", "天津", "苏州", "长沙", "郑州",
    "青岛", "厦门", "合肥", "济南", "福州", "宁波",
];
const ROADS: &[&str] =
    &["人民", "解放", "中山", "建设", "和平", "世纪", "长江", "滨江", "科技", "新华", "东风", "金融"];

impl Firm {
    fn build(rng: &mut Pcg64Mcg, customers: u64, per_advisor: u64) -> Firm {
        let n_advisors = customers.div_ceil(per_advisor).max(1);
        let n_branches = n_advisors.div_ceil(ADVISORS_PER_BRANCH).max(1);
        let mut staff = Vec::new();
        let mut advisors = Vec::new();
        let mut branches = Vec::new();
        let mut next_staff = 1i64;
        let person = |rng: &mut Pcg64Mcg| {
            let g = if rng.gen_bool(0.5) { Gender::Male } else { Gender::Female };
            people::name(rng, g)
        };
        for b in 1..=n_branches as i64 {
            let city = CITIES[(b as usize - 1) % CITIES.len()];
            let road = ROADS[rng.gen_range(0..ROADS.len())];
            branches.push((b, format!("{city}{road}路营业部"), city.to_owned()));
            staff.push((next_staff, b, "manager", person(rng), String::new()));
            next_staff += 1;
        }
        for a in 0..n_advisors as i64 {
            let branch = a / ADVISORS_PER_BRANCH as i64 + 1;
            // SAC registration numbers look like S + 13 digits.
            let licence = format!("S{:04}{:09}", rng.gen_range(1000..1300), rng.gen_range(0..1_000_000_000u64));
            staff.push((next_staff, branch, "advisor", person(rng), licence));
            advisors.push((next_staff, branch));
            next_staff += 1;
        }
        for role in ["compliance", "compliance", "admin"] {
            staff.push((next_staff, 1, role, person(rng), String::new()));
            next_staff += 1;
        }
        Firm { branches, staff, advisors }
    }

    fn write(&self, out: &mut Outputs) -> Result<(), GenError> {
        for (id, name, city) in &self.branches {
            out.row(book_files::BRANCHES, &[id.to_string(), name.clone(), city.clone()])?;
        }
        for (id, branch, role, name, licence) in &self.staff {
            out.row(
                book_files::STAFF,
                &[id.to_string(), branch.to_string(), role.to_string(), name.clone(), licence.clone()],
            )?;
        }
        Ok(())
    }
}

/// Shared, read-only inputs to every customer's generation.
struct Context<'a> {
    seed: u64,
    universe: &'a Universe,
    zipf: Zipf<f64>,
    /// Who invites: a few customers invite many friends, most none (seed 001's Matthew effect).
    inviters: Zipf<f64>,
    customers: u64,
    referred_share: f64,
    advisors: &'a [(i64, i64)],
    per_advisor: u64,
}

/// Years weighted by how many people opened stock accounts then (bull
/// markets of 2007, 2015, 2020-21 and the 2024 autumn rally stand out).
const ENTRY_YEARS: &[(i32, u32)] = &[
    (2005, 2),
    (2006, 5),
    (2007, 14),
    (2008, 4),
    (2009, 5),
    (2010, 4),
    (2011, 3),
    (2012, 2),
    (2013, 3),
    (2014, 6),
    (2015, 16),
    (2016, 6),
    (2017, 5),
    (2018, 4),
    (2019, 5),
    (2020, 9),
    (2021, 9),
    (2022, 5),
    (2023, 4),
    (2024, 8),
    (2025, 4),
];

/// Shanghai wall time of a random moment in the continuous sessions
/// (09:30-11:30 and 13:00-14:57; the closing call auction follows).
fn session_time(rng: &mut Pcg64Mcg, day: NaiveDate) -> String {
    let minute = rng.gen_range(0..237u32);
    let (h, m) = if minute < 120 {
        (9 + (30 + minute) / 60, (30 + minute) % 60)
    } else {
        (13 + (minute - 120) / 60, (minute - 120) % 60)
    };
    let t = NaiveTime::from_hms_opt(h, m, rng.gen_range(0..60)).expect("valid time");
    format!("{day}T{}+08:00", t.format("%H:%M:%S"))
}

/// Any time of day, Shanghai wall time.
fn any_time(rng: &mut Pcg64Mcg, day: NaiveDate) -> String {
    format!("{day}T{:02}:{:02}:{:02}+08:00", rng.gen_range(7..24), rng.gen_range(0..60), rng.gen_range(0..60))
}

fn money(units: i64) -> Money {
    Money::from_fixed(units)
}

/// Rounds yuan to the fen.
fn fen(yuan: f64) -> Money {
    Money::from_fixed((yuan * 100.0).round() as i64 * 100)
}

/// One holding as the generator moves it through the window.
struct Holding {
    /// Index in the universe.
    listed: usize,
    /// Shares held.
    quantity: i64,
    /// Average purchase price (0.0001 CNY).
    cost: i64,
    /// The window's day of the latest buys (`usize::MAX`: none).
    bought_day: usize,
    /// Shares bought that day.
    bought: i64,
}

impl Holding {
    /// What may be sold on `day`: not what was bought that day, unless T+0.
    fn sellable(&self, day: usize, t_plus_0: bool) -> i64 {
        if t_plus_0 || self.bought_day != day {
            self.quantity
        } else {
            self.quantity - self.bought
        }
    }

    fn trade(&mut self, sell: bool, quantity: i64, price: i64, day: usize) {
        if sell {
            self.quantity -= quantity;
            if self.quantity == 0 {
                self.cost = 0;
            }
            return;
        }
        let after = self.quantity + quantity;
        let total = i128::from(self.quantity) * i128::from(self.cost) + i128::from(quantity) * i128::from(price);
        self.cost = ((total * 2 + i128::from(after)) / (i128::from(after) * 2)) as i64;
        self.quantity = after;
        if self.bought_day != day {
            self.bought_day = day;
            self.bought = 0;
        }
        self.bought += quantity;
    }
}

impl Context<'_> {
    fn pick_instrument(&self, rng: &mut Pcg64Mcg) -> usize {
        (self.zipf.sample(rng) as usize - 1).min(self.universe.listed.len() - 1)
    }

    /// The customer who referred `id`, for `referred_share` of them: drawn
    /// heavy-tailed from a fixed order of customers, so a few invite many.
    /// A stream of its own, so adding it changed no other generated value.
    fn inviter_of(&self, id: u64) -> Option<u64> {
        let mut rng = Pcg64Mcg::seed_from_u64(self.seed ^ 0x5EED_F00D ^ id.wrapping_mul(0xA24B_AED4_963E_E407));
        if self.customers < 2 || !rng.gen_bool(self.referred_share) {
            return None;
        }
        let rank = self.inviters.sample(&mut rng) as u64 - 1;
        // A stride prime to the count walks every customer once.
        let stride = [7_919, 104_729, 1_299_709].into_iter().find(|p| !self.customers.is_multiple_of(*p)).unwrap_or(1);
        let inviter = (rank * stride) % self.customers + 1;
        (inviter != id).then_some(inviter)
    }

    fn customer(&self, id: u64, out: &mut Chunk) {
        let mut rng = Pcg64Mcg::seed_from_u64(self.seed ^ id.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let rng = &mut rng;
        let cal = &self.universe.calendar;
        let as_of = *cal.last().expect("calendar has days");
        let (advisor, branch) = self.advisors[((id - 1) / self.per_advisor) as usize % self.advisors.len()];

        let gender = if rng.gen_bool(0.56) { Gender::Male } else { Gender::Female };
        let age = Normal::<f64>::new(44.0, 12.5).expect("sigma").sample(rng).clamp(18.0, 80.0);
        let birth = as_of - Duration::days((age * 365.25) as i64) - Duration::days(rng.gen_range(0..365));
        let national_id = people::national_id(rng, birth, gender);
        debug_assert!(NationalId::parse(&national_id).is_ok());
        let adult_year = birth.checked_add_signed(Duration::days(18 * 366)).expect("date");
        let total_weight: u32 = ENTRY_YEARS.iter().map(|(_, w)| w).sum();
        let mut pick = rng.gen_range(0..total_weight);
        let year = ENTRY_YEARS
            .iter()
            .find(|(_, w)| {
                if pick < *w {
                    true
                } else {
                    pick -= w;
                    false
                }
            })
            .map_or(2015, |(y, _)| *y);
        let entry = NaiveDate::from_ymd_opt(year, rng.gen_range(1..=12), rng.gen_range(1..=28))
            .expect("date")
            .max(adult_year)
            .min(as_of);
        let opened_days = (as_of - entry).num_days().max(1);
        let opened = entry + Duration::days(if rng.gen_bool(0.7) { 0 } else { rng.gen_range(0..opened_days) });

        // Assets in yuan: lognormal body, and 1% of accounts in a Pareto tail.
        let assets: f64 = if rng.gen_bool(0.01) {
            (2_000_000.0 * Pareto::<f64>::new(1.0, 1.3).expect("pareto").sample(rng)).min(2e9)
        } else {
            LogNormal::<f64>::new(11.0, 1.3).expect("lognormal").sample(rng).clamp(1_000.0, 5e7)
        };
        let risk = [1, 2, 2, 3, 3, 3, 3, 4, 4, 4, 5, 5][rng.gen_range(0..12)];
        let horizon = ["short", "medium", "medium", "long"][rng.gen_range(0..4)];
        let professional = assets > 5_000_000.0 && rng.gen_bool(0.3);
        let referred_by = self.inviter_of(id).map_or_else(String::new, |i| i.to_string());
        line!(
            out.customers,
            "{id},{},{national_id},{},{},{birth},{entry},{branch},{advisor},C{risk},{horizon},{},{professional},{}T{:02}:{:02}:00+08:00,{referred_by}",
            people::name(rng, gender),
            people::phone(rng),
            gender.as_str(),
            rng.gen_bool(0.98),
            opened,
            rng.gen_range(9..17),
            rng.gen_range(0..60)
        );

        let account = id as i64 * 10 + 1;
        let cash_share = rng.gen_range(0.05..0.6);
        line!(out.accounts, "{account},{id},{}", fen(assets * cash_share));

        // Positions: 1 to 10, fewer more likely; weights split the invested part.
        let n_positions = [1, 1, 1, 2, 2, 2, 3, 3, 4, 4, 5, 6, 7, 8, 9, 10][rng.gen_range(0..16)];
        let mut held: Vec<usize> = Vec::with_capacity(n_positions);
        while held.len() < n_positions {
            let i = self.pick_instrument(rng);
            if !held.contains(&i) {
                held.push(i);
            }
        }
        let weights: Vec<f64> = held.iter().map(|_| rng.gen_range(0.2..1.0)).collect();
        let total: f64 = weights.iter().sum();
        // Holdings before the window (bought earlier): the allocation at today's
        // prices, at a cost around them (most retail books hold some losers).
        let mut book: Vec<Holding> = held
            .iter()
            .enumerate()
            .map(|(s, &li)| {
                let listed = &self.universe.listed[li];
                let lot = listed.instrument.lot;
                let price = listed.last_close as f64 / 10_000.0;
                let alloc = assets * (1.0 - cash_share) * weights[s] / total;
                let quantity = ((alloc / (price * lot as f64)) as i64).max(1) * lot;
                let cost = (price * Normal::<f64>::new(0.04, 0.25).expect("sigma").sample(rng).exp()).max(0.001);
                let cost = (cost * 1_000.0).round() as i64 * 10;
                Holding { listed: li, quantity, cost, bought_day: usize::MAX, bought: 0 }
            })
            .collect();

        // Trades over the window: 40% dormant (nothing in the last 90 days).
        let dormant = rng.gen_bool(0.4);
        let cutoff = as_of - Duration::days(90);
        let recent_from = cal.iter().position(|d| *d > cutoff).unwrap_or(0);
        let n_trades: usize = if dormant {
            if rng.gen_bool(0.5) {
                0
            } else {
                rng.gen_range(1..6)
            }
        } else {
            (LogNormal::new(1.6, 1.0).expect("lognormal").sample(rng) as usize).clamp(1, 400)
        };
        // When each trade happens, then what it is, in time order: a sell
        // only of what may be sold that moment (T+1), in lots or the whole odd
        // remainder, at a price inside the day's range (which keeps to the
        // band), in the continuous sessions.
        let mut moments: Vec<(usize, String)> = (0..n_trades)
            .filter_map(|k| {
                let day = if dormant {
                    if recent_from == 0 {
                        return None;
                    }
                    rng.gen_range(0..recent_from)
                } else if k == 0 {
                    rng.gen_range(recent_from..cal.len())
                } else {
                    rng.gen_range(0..cal.len())
                };
                Some((day, session_time(rng, cal[day])))
            })
            .collect();
        moments.sort();
        for (k, (day, time)) in moments.into_iter().enumerate() {
            let li = if rng.gen_bool(0.7) && !book.is_empty() {
                book[rng.gen_range(0..book.len())].listed
            } else {
                self.pick_instrument(rng)
            };
            let listed: &Listed = &self.universe.listed[li];
            let Some(range) = listed.days[day] else { continue };
            let steps = (range.high - range.low) / listed.tick;
            let price = range.low + rng.gen_range(0..=steps) * listed.tick;
            let rule = market::rules::lot_rule(listed.instrument.board, listed.instrument.kind);
            let t_plus_0 = market::rules::settlement_of(listed.instrument.kind, listed.instrument.fund_class)
                == market::rules::Settlement::TPlus0;
            let slot = book.iter().position(|h| h.listed == li);
            let sellable = slot.map_or(0, |s| book[s].sellable(day, t_plus_0));
            let sell = sellable > 0 && rng.gen_bool(0.45);
            let quantity = if sell {
                // Whole lots (at most one order's maximum), or all that may be sold, odd lot included.
                let lot = rule.step.max(rule.minimum);
                let whole_lots = sellable.min(rule.maximum) / lot * lot;
                if whole_lots == 0 || (sellable <= rule.maximum && rng.gen_bool(0.3)) {
                    sellable
                } else {
                    rng.gen_range(1..=whole_lots / lot) * lot
                }
            } else {
                let lot = listed.instrument.lot;
                let target = assets * rng.gen_range(0.03..0.25);
                let lots = ((target / (price as f64 / 10_000.0 * lot as f64)) as i64).clamp(1, rule.maximum / lot);
                lots * lot
            };
            debug_assert!(market::rules::check_quantity(
                rule,
                if sell { domain::Side::Sell } else { domain::Side::Buy },
                quantity,
                sellable
            )
            .is_ok());
            let amount = price as f64 / 10_000.0 * quantity as f64;
            let mut fee = (amount * 0.00025).max(5.0);
            if listed.instrument.kind == InstrumentKind::Stock {
                fee += amount * 0.00001; // transfer fee
                if sell {
                    fee += amount * 0.0005; // stamp duty, sells only
                }
            }
            let h = match slot {
                Some(s) => &mut book[s],
                None => {
                    book.push(Holding { listed: li, quantity: 0, cost: 0, bought_day: usize::MAX, bought: 0 });
                    book.last_mut().expect("just pushed")
                }
            };
            h.trade(sell, quantity, price, day);
            line!(
                out.trades,
                "{},{account},{},{},{quantity},{},{},{time}",
                id * 1000 + k as u64,
                listed.instrument.code,
                if sell { "sell" } else { "buy" },
                money(price),
                fen(fee),
            );
        }

        // The book at the end of the window's last day.
        let last_day = cal.len() - 1;
        for h in book.iter().filter(|h| h.quantity > 0) {
            let listed = &self.universe.listed[h.listed];
            let t_plus_0 = market::rules::settlement_of(listed.instrument.kind, listed.instrument.fund_class)
                == market::rules::Settlement::TPlus0;
            line!(
                out.positions,
                "{account},{},{},{},{}",
                listed.instrument.code,
                h.quantity,
                h.sellable(last_day, t_plus_0),
                Money::from_fixed(h.cost)
            );
        }

        // Cash flows: the opening deposit, then a few transfers and dividends.
        let mut flow = 0u64;
        let mut flow_line = |out: &mut Chunk, rng: &mut Pcg64Mcg, kind: &str, amount: Money, day: NaiveDate| {
            line!(out.cash_flows, "{},{account},{kind},{amount},{}", id * 100 + flow, any_time(rng, day));
            flow += 1;
        };
        let opening = fen(assets * rng.gen_range(0.5..1.0)).max(Money::ONE);
        flow_line(out, rng, "deposit", opening, opened);
        if !dormant {
            for _ in 0..rng.gen_range(0..4) {
                let kind = ["deposit", "withdrawal", "dividend"][rng.gen_range(0..3)];
                let day = cal[rng.gen_range(0..cal.len())];
                let amount = fen(assets * rng.gen_range(0.001..0.1)).max(Money::ONE);
                flow_line(out, rng, kind, amount, day);
            }
        }

        // Logins over the last 30 days: active customers come often.
        let login_days = 30;
        let n_logins = if dormant {
            if rng.gen_bool(0.15) {
                1
            } else {
                0
            }
        } else {
            rng.gen_range(1..12)
        };
        for k in 0..n_logins {
            let day = as_of - Duration::days(rng.gen_range(0..login_days));
            let channel = ["app", "app", "app", "web", "pc"][rng.gen_range(0..5)];
            line!(out.logins, "{},{id},{},{channel}", id * 1000 + k, any_time(rng, day));
        }

        // Service contacts from the advisor over the window.
        for k in 0..rng.gen_range(0..4) {
            let kind = ["call", "message", "message", "visit", "consultation"][rng.gen_range(0..5)];
            let day = cal[rng.gen_range(0..cal.len())];
            line!(out.service_events, "{},{id},{advisor},{kind},{}", id * 100 + k, any_time(rng, day));
        }
        let _ = branch;
    }
}
