//! `brokerdesk bench orders`: pre-trade checks per second on every core,
//! and conditional orders evaluated per quote through the trigger-price
//! index against a plain scan of every waiting order in the same run (and,
//! fairer, a scan of the quoted instrument's orders only).

use chrono::{NaiveDate, NaiveTime};
use domain::{Board, InstrumentCode, InstrumentKind, Side};
use orders::conditional::{Condition, ConditionKind, ConditionalOrder, TriggerBook};
use orders::{AccountFacts, CheckSettings, InstrumentFacts, Moment, OrderType, Ticket, YUAN};
use rand::{Rng, SeedableRng};
use rand_pcg::Pcg64Mcg;
use serde::Serialize;
use std::time::Instant;

/// What to measure.
#[derive(Debug, Clone)]
pub struct OrdersBenchOptions {
    /// Tickets to check.
    pub tickets: usize,
    /// Threads checking.
    pub threads: usize,
    /// Conditional orders waiting.
    pub conditionals: usize,
    /// Instruments.
    pub instruments: u32,
    /// Market rounds (one quote per instrument each) through the index.
    pub rounds: usize,
    /// Quotes judged by the full scan (each scans every order).
    pub scan_quotes: usize,
}

/// The figures.
#[derive(Debug, Clone, Serialize)]
pub struct OrdersBench {
    /// Tickets checked.
    pub tickets: usize,
    /// Threads.
    pub threads: usize,
    /// Tickets checked per second, all threads.
    pub checks_per_s: f64,
    /// Findings per ticket, on average (the tickets are varied, many with findings).
    pub findings_per_ticket: f64,
    /// Conditional orders waiting.
    pub conditionals: usize,
    /// Instruments.
    pub instruments: u32,
    /// Orders fired over the timed rounds.
    pub fired: usize,
    /// Nanoseconds per quote through the index, over full market rounds.
    pub conditional_ns_per_quote: f64,
    /// Nanoseconds per quote for a plain scan of every waiting order.
    pub scan_ns_per_quote: f64,
    /// scan / index.
    pub ratio_vs_scan: f64,
    /// Nanoseconds per quote scanning only the quoted instrument's orders (a fairer peer).
    pub bucket_scan_ns_per_quote: f64,
}

fn instrument(rng: &mut Pcg64Mcg, k: u32) -> (InstrumentCode, InstrumentFacts) {
    let (code, board) = match k % 5 {
        0 => (format!("{:06}.SH", 600_000 + k), Board::SseMain),
        1 => (format!("{:06}.SZ", k % 4_000), Board::SzseMain),
        2 => (format!("{:06}.SZ", 300_000 + k % 4_000), Board::ChiNext),
        3 => (format!("{:06}.SH", 688_000 + k % 1_000), Board::Star),
        _ => (format!("{:06}.BJ", 830_000 + k % 9_000), Board::Bse),
    };
    let close = rng.gen_range(200..20_000) * 100;
    let facts = InstrumentFacts {
        board,
        kind: InstrumentKind::Stock,
        st: rng.gen_bool(0.03),
        delisting: false,
        listing_day: if rng.gen_bool(0.01) { 3 } else { u32::MAX },
        previous_close: close,
        last: close + close / 100 * rng.gen_range(-5..=5) / 100 * 100,
        outstanding_shares: rng.gen_range(50_000_000..5_000_000_000),
        fund: None,
        delisting_day: None,
    };
    (InstrumentCode::parse(&code).expect("a code"), facts)
}

/// Runs the benchmark.
pub fn orders_bench(o: &OrdersBenchOptions) -> OrdersBench {
    let mut rng = Pcg64Mcg::seed_from_u64(26);
    let instruments: Vec<(InstrumentCode, InstrumentFacts)> =
        (0..o.instruments).map(|k| instrument(&mut rng, k)).collect();
    let settings = CheckSettings::default();
    // Tickets: varied sides, prices around the close (some outside the band or cage), lots (some odd).
    let tickets: Vec<(usize, Ticket, AccountFacts)> = (0..o.tickets)
        .map(|_| {
            let ix = rng.gen_range(0..instruments.len());
            let (code, facts) = &instruments[ix];
            let price =
                (facts.previous_close + facts.previous_close / 1_000 * rng.gen_range(-130..130) / 100 * 100).max(100);
            let quantity = if rng.gen_bool(0.9) { rng.gen_range(2..50) * 100 } else { rng.gen_range(1..5_000) };
            let held = rng.gen_range(0..20) * 100;
            let account = AccountFacts {
                cash: rng.gen_range(0..2_000_000) * YUAN,
                held,
                sellable: held - rng.gen_range(0..=held / 100) * 100,
                assets: rng.gen_range(10_000..5_000_000) * YUAN,
                concentration_limit_bp: 3_000,
                board_permitted: rng.gen_bool(0.9),
                above_tolerance: None,
                st_disclosure_signed: rng.gen_bool(0.5),
                bought_today: 0,
            };
            let side = if rng.gen_bool(0.5) { Side::Buy } else { Side::Sell };
            (ix, Ticket { instrument: code.clone(), side, order_type: OrderType::Limit, quantity, price }, account)
        })
        .collect();
    let at = Moment {
        day: NaiveDate::from_ymd_opt(2025, 6, 3).expect("a day"),
        time: NaiveTime::from_hms_opt(10, 30, 0).expect("a time"),
    };
    let threads = o.threads.max(1);
    let started = Instant::now();
    let findings: usize = std::thread::scope(|s| {
        let chunk = tickets.len().div_ceil(threads).max(1);
        let handles: Vec<_> = tickets
            .chunks(chunk)
            .map(|part| {
                let (instruments, settings) = (&instruments, &settings);
                s.spawn(move || {
                    part.iter()
                        .map(|(ix, t, a)| orders::check(t, &instruments[*ix].1, Some(a), at, settings).len())
                        .sum::<usize>()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("a checking thread")).sum()
    });
    let checks_per_s = tickets.len() as f64 / started.elapsed().as_secs_f64();

    // Conditional orders: every kind, triggers 1-20% from the price.
    let mut prices: Vec<i64> = instruments.iter().map(|(_, f)| f.previous_close).collect();
    let day = at.day;
    let make = |rng: &mut Pcg64Mcg, id: i64, prices: &[i64]| {
        let ix = rng.gen_range(0..prices.len()) as u32;
        let p = prices[ix as usize];
        let away = |rng: &mut Pcg64Mcg, up: bool| {
            let bp = rng.gen_range(100..2_000);
            if up {
                p + p / 10_000 * bp
            } else {
                p - p / 10_000 * bp
            }
        };
        let (kind, side, condition) = match rng.gen_range(0..6) {
            0 => (ConditionKind::PriceTrigger, Side::Buy, Condition::FallsTo { price: away(rng, false) }),
            1 => (ConditionKind::TakeProfit, Side::Sell, Condition::RisesTo { price: away(rng, true) }),
            2 => (ConditionKind::StopLoss, Side::Sell, Condition::FallsTo { price: away(rng, false) }),
            3 => (
                ConditionKind::ReboundBuy,
                Side::Buy,
                Condition::ReboundFromLow { bp: rng.gen_range(100..800), low: p, fall_to: away(rng, false) },
            ),
            4 => (
                ConditionKind::TrailingStop,
                Side::Sell,
                Condition::TrailFromHigh { bp: rng.gen_range(300..1_500), high: p },
            ),
            _ => (
                ConditionKind::Grid,
                Side::Buy,
                Condition::Grid { bp: rng.gen_range(200..800), base: p, floor: p / 2, ceiling: p * 2 },
            ),
        };
        ConditionalOrder { id, account: id, instrument: ix, kind, side, quantity: 100, valid_until: day, condition }
    };
    let mut book = TriggerBook::new();
    let mut next = 0i64;
    while (next as usize) < o.conditionals {
        book.insert(make(&mut rng, next, &prices));
        next += 1;
    }
    let mut fired = 0usize;
    let mut elapsed = std::time::Duration::ZERO;
    let mut quotes = 0usize;
    for _ in 0..o.rounds {
        // Each instrument moves up to 0.5% a quote.
        for p in prices.iter_mut() {
            *p = (*p + *p / 10_000 * rng.gen_range(-50..=50)).max(100);
        }
        let start = Instant::now();
        let mut done = Vec::new();
        for (ix, p) in prices.iter().enumerate() {
            let out = book.on_quote(ix as u32, *p, day);
            fired += out.fired.len();
            done.extend(out.fired.iter().filter(|f| f.done).map(|f| f.id));
        }
        elapsed += start.elapsed();
        quotes += prices.len();
        // Keep the book full: new orders for those that fired (not timed).
        for _ in done {
            book.insert(make(&mut rng, next, &prices));
            next += 1;
        }
    }
    let conditional_ns_per_quote = elapsed.as_nanos() as f64 / quotes.max(1) as f64;
    // The plain scan of every waiting order, for some quotes.
    let start = Instant::now();
    let mut seen = 0usize;
    for k in 0..o.scan_quotes {
        let ix = (k * 7_919) % prices.len();
        seen += book.scan(ix as u32, prices[ix]);
    }
    let scan_ns_per_quote = start.elapsed().as_nanos() as f64 / o.scan_quotes.max(1) as f64;
    // The quoted instrument's orders only: orders kept in per-instrument lists.
    let mut buckets: Vec<Vec<Condition>> = vec![Vec::new(); prices.len()];
    for id in 0..next {
        if let Some(c) = book.get(id) {
            buckets[c.instrument as usize].push(c.condition);
        }
    }
    let start = Instant::now();
    for (ix, p) in prices.iter().enumerate() {
        seen += buckets[ix].iter().filter(|c| c.fires_at(*p)).count();
    }
    let bucket_scan_ns_per_quote = start.elapsed().as_nanos() as f64 / prices.len().max(1) as f64;
    std::hint::black_box(seen);
    OrdersBench {
        tickets: tickets.len(),
        threads,
        checks_per_s,
        findings_per_ticket: findings as f64 / tickets.len().max(1) as f64,
        conditionals: book.len(),
        instruments: o.instruments,
        fired,
        conditional_ns_per_quote,
        scan_ns_per_quote,
        ratio_vs_scan: scan_ns_per_quote / conditional_ns_per_quote.max(f64::MIN_POSITIVE),
        bucket_scan_ns_per_quote,
    }
}
