//! The instruments a synthetic brokerage's customers hold: real stocks with
//! their real bars, and synthetic stocks, bonds, convertibles and ETFs (with
//! random-walk bars on the same calendar) to fill out a realistic universe.

use app::market_data::RealStock;
use chrono::{Duration, NaiveDate};
use domain::{Board, Exchange, FixedPoint, Instrument, InstrumentCode, InstrumentKind, Money};
use rand::seq::SliceRandom;
use rand::Rng;
use rand_distr::{Distribution, Normal};
use std::collections::HashSet;

/// Trading days of history the generator writes trades over (about a year).
pub const WINDOW_DAYS: usize = 250;

/// One day's trading range, in 0.0001 CNY.
#[derive(Debug, Clone, Copy)]
pub struct DayRange {
    /// Low.
    pub low: i64,
    /// High.
    pub high: i64,
    /// Close (the tests hold each day's range to the band around it).
    #[cfg_attr(not(test), allow(dead_code))]
    pub close: i64,
}

/// An instrument with its daily ranges over the window (None: suspended).
#[derive(Debug, Clone)]
pub struct Listed {
    /// Static data, last close included.
    pub instrument: Instrument,
    /// Ranges aligned with [`Universe::calendar`].
    pub days: Vec<Option<DayRange>>,
    /// Minimum price step in 0.0001 CNY.
    pub tick: i64,
    /// Last close in 0.0001 CNY.
    pub last_close: i64,
}

/// Everything the generator needs to know about the market.
#[derive(Debug, Clone)]
pub struct Universe {
    /// The window's trading days, oldest first.
    pub calendar: Vec<NaiveDate>,
    /// Instruments ordered by popularity: index 0 is the most held.
    pub listed: Vec<Listed>,
}

const STOCK_HEADS: &[&str] = &[
    "华", "中", "国", "新", "东", "海", "天", "金", "长", "恒", "宏", "瑞", "鑫", "博", "永", "安", "泰", "广", "德",
    "信",
];
const STOCK_TAILS: &[&str] = &[
    "科技", "电子", "医药", "股份", "能源", "材料", "传媒", "环保", "智能", "生物", "化工", "食品", "机械", "电气",
    "物流", "软件",
];
const ETF_INDICES: &[&str] = &[
    "沪深300",
    "中证500",
    "中证1000",
    "创业板",
    "科创50",
    "红利",
    "证券",
    "医药",
    "半导体",
    "新能源",
    "黄金",
    "消费",
    "银行",
    "军工",
    "纳指",
];
const FUND_HOUSES: &[&str] = &["华夏", "易方达", "南方", "嘉实", "广发", "富国", "华泰柏瑞", "博时", "汇添富", "国泰"];
const CITIES: &[&str] = &["沪", "京", "深", "穗", "杭", "宁", "蓉", "渝", "汉", "津"];

/// Builds the universe: every real stock, then synthetic instruments up to
/// `size`, shuffled into a popularity order that favours the real stocks.
pub fn build(rng: &mut impl Rng, real: &[RealStock], size: usize) -> Universe {
    let mut all_dates: Vec<NaiveDate> = real.iter().flat_map(|s| s.bars.iter().map(|b| b.date)).collect();
    all_dates.sort();
    all_dates.dedup();
    let calendar: Vec<NaiveDate> = all_dates[all_dates.len().saturating_sub(WINDOW_DAYS)..].to_vec();
    let first_day = calendar[0];

    let mut taken: HashSet<String> = real.iter().map(|s| s.code.digits().to_owned()).collect();
    let mut real_listed: Vec<Listed> = real.iter().filter_map(|s| real_listing(rng, s, &calendar)).collect();
    real_listed.shuffle(rng);

    let mut synthetic = Vec::new();
    let wanted = size.saturating_sub(real_listed.len());
    // Shares of the synthetic remainder: stocks, ETFs, convertibles, bonds.
    let (n_etf, n_cb, n_bond) = (wanted * 14 / 100, wanted * 10 / 100, wanted * 6 / 100);
    let n_stock = wanted - n_etf - n_cb - n_bond;
    for (kind, n) in [
        (InstrumentKind::Stock, n_stock),
        (InstrumentKind::Etf, n_etf),
        (InstrumentKind::ConvertibleBond, n_cb),
        (InstrumentKind::Bond, n_bond),
    ] {
        for _ in 0..n {
            let code = fresh_code(rng, kind, &mut taken);
            synthetic.push(synthetic_listing(rng, code, kind, &calendar, first_day));
        }
    }
    synthetic.shuffle(rng);
    // The best-known names are the most held: real stocks take most of the
    // top ranks, the synthetic ones mix in below.
    let mut listed = Vec::with_capacity(real_listed.len() + synthetic.len());
    let mut synth = synthetic.into_iter();
    for r in real_listed {
        listed.push(r);
        if rng.gen_bool(0.3) {
            listed.extend(synth.next());
        }
    }
    listed.extend(synth);
    Universe { calendar, listed }
}

fn e4(m: Money) -> i64 {
    m.round_dp(4).to_fixed("price").unwrap_or(0)
}

fn real_listing(rng: &mut impl Rng, s: &RealStock, calendar: &[NaiveDate]) -> Option<Listed> {
    let last = s.bars.last()?;
    let board = s.code.stock_board();
    let mut by_date = s.bars.iter().peekable();
    let days = calendar
        .iter()
        .map(|d| {
            while by_date.peek().is_some_and(|b| b.date < *d) {
                by_date.next();
            }
            by_date.peek().filter(|b| b.date == *d).map(|b| DayRange {
                low: e4(b.low),
                high: e4(b.high),
                close: e4(b.close),
            })
        })
        .collect();
    // A stock whose bars start after the data set's first day listed then.
    let first = s.bars[0].date;
    let list_date = if first > NaiveDate::from_ymd_opt(2024, 1, 2).expect("date") {
        first
    } else {
        NaiveDate::from_ymd_opt(rng.gen_range(1991..2023), rng.gen_range(1..=12), rng.gen_range(1..=28)).expect("date")
    };
    let instrument = Instrument {
        code: s.code.clone(),
        name: s.name.clone().unwrap_or_else(|| format!("A股{}", s.code.digits())),
        board,
        kind: InstrumentKind::Stock,
        lot: if board == Board::Star { 200 } else { 100 },
        tick: Money::new(1, 2),
        limit_pct: stock_band(board, false, *calendar.last().expect("a calendar")),
        st: false,
        list_date,
        face_value: None,
        outstanding_shares: outstanding(rng, last.close),
        last_close: last.close,
        fund_class: None,
        delisting_from: None,
    };
    Some(Listed { tick: 100, last_close: e4(last.close), instrument, days })
}

/// A listed stock's band on `day`, by the rule in force then.
fn stock_band(board: Board, st: bool, day: NaiveDate) -> Money {
    market::rules::price_band(board, InstrumentKind::Stock, st, u32::MAX, day, None).map_or(Money::ZERO, |b| b.up)
}

/// Shares outstanding: market caps from about 2 to 2,000 billion yuan.
fn outstanding(rng: &mut impl Rng, price: Money) -> i64 {
    let cap = 10f64.powf(rng.gen_range(9.3..12.3));
    let p: f64 = price.try_into().unwrap_or(10.0);
    ((cap / p.max(0.5)) as i64 / 100 * 100).max(10_000_000)
}

fn fresh_code(rng: &mut impl Rng, kind: InstrumentKind, taken: &mut HashSet<String>) -> InstrumentCode {
    loop {
        let (prefix, exch): (&str, Exchange) = match kind {
            InstrumentKind::Stock => *[
                ("600", Exchange::SH),
                ("601", Exchange::SH),
                ("603", Exchange::SH),
                ("688", Exchange::SH),
                ("000", Exchange::SZ),
                ("002", Exchange::SZ),
                ("300", Exchange::SZ),
                ("301", Exchange::SZ),
            ]
            .choose(rng)
            .expect("non-empty"),
            InstrumentKind::Etf => {
                *[("510", Exchange::SH), ("512", Exchange::SH), ("588", Exchange::SH), ("159", Exchange::SZ)]
                    .choose(rng)
                    .expect("non-empty")
            }
            InstrumentKind::ConvertibleBond => *[
                ("113", Exchange::SH),
                ("118", Exchange::SH),
                ("123", Exchange::SZ),
                ("127", Exchange::SZ),
                ("128", Exchange::SZ),
            ]
            .choose(rng)
            .expect("non-empty"),
            InstrumentKind::Bond => {
                *[("019", Exchange::SH), ("240", Exchange::SH), ("148", Exchange::SZ)].choose(rng).expect("non-empty")
            }
        };
        let digits = format!("{prefix}{:03}", rng.gen_range(0..1000));
        if taken.insert(digits.clone()) {
            return InstrumentCode::new(&digits, exch).expect("six digits");
        }
    }
}

fn synthetic_listing(
    rng: &mut impl Rng,
    code: InstrumentCode,
    kind: InstrumentKind,
    calendar: &[NaiveDate],
    first_day: NaiveDate,
) -> Listed {
    let pick = |rng: &mut _, list: &[&'static str]| *list.choose(rng).expect("non-empty");
    let (start, vol, tick, lot, name) = match kind {
        InstrumentKind::Stock => {
            let p = (rng.gen_range(1.2f64..5.0)).exp();
            (
                p,
                0.025,
                100,
                100,
                format!("{}{}{}", pick(rng, STOCK_HEADS), pick(rng, STOCK_HEADS), pick(rng, STOCK_TAILS)),
            )
        }
        InstrumentKind::Etf => (
            rng.gen_range(0.6..5.0),
            0.012,
            10,
            100,
            format!("{}{}ETF", pick(rng, ETF_INDICES), pick(rng, FUND_HOUSES)),
        ),
        InstrumentKind::ConvertibleBond => (
            rng.gen_range(100.0..160.0),
            0.015,
            10,
            10,
            format!("{}{}转债", pick(rng, STOCK_HEADS), pick(rng, STOCK_HEADS)),
        ),
        InstrumentKind::Bond => (
            rng.gen_range(97.0..106.0),
            0.002,
            10,
            10,
            format!("{}{}债{}", pick(rng, CITIES), if rng.gen_bool(0.5) { "城投" } else { "国" }, rng.gen_range(1..40)),
        ),
    };
    let st = kind == InstrumentKind::Stock && rng.gen_bool(0.03);
    // What an ETF tracks: most broad equity indexes; some STAR or ChiNext (20% bands); some T+0 classes.
    // Drawn from the code, not the random stream, so the rest of the book is as before fund classes.
    let fund_class = (kind == InstrumentKind::Etf).then(|| {
        use domain::FundClass::*;
        let classes =
            [Equity, Equity, Equity, Equity, StarIndex, ChinextIndex, CrossBorder, Bond, Gold, Commodity, MoneyMarket];
        let n: u64 = code.digits().parse().unwrap_or(0);
        classes[(n.wrapping_mul(2_654_435_761) >> 7) as usize % classes.len()]
    });
    let board = match code.exchange() {
        Exchange::SH if kind == InstrumentKind::Stock => code.stock_board(),
        Exchange::SZ if kind == InstrumentKind::Stock => code.stock_board(),
        Exchange::SH => Board::SseMain,
        Exchange::SZ => Board::SzseMain,
        Exchange::BJ => Board::Bse,
    };
    let as_of = *calendar.last().expect("a calendar");
    // The stored band: the rule's, long after listing, on the window's last day.
    let limit_pct =
        market::rules::price_band(board, kind, st, u32::MAX, as_of, fund_class).map_or(Money::ZERO, |b| b.up);
    // Some synthetic instruments list during the window.
    let listed_from = if rng.gen_bool(0.05) { rng.gen_range(0..calendar.len() - 1) } else { 0 };
    let list_date =
        if listed_from > 0 { calendar[listed_from] } else { first_day - Duration::days(rng.gen_range(30..9000)) };
    let step = Normal::<f64>::new(0.0, vol).expect("valid sigma");
    let mut price = start;
    let round = |p: f64| (((p * 10_000.0) / tick as f64).round() as i64 * tick).max(tick);
    let mut last_close = round(price);
    let days = (0..calendar.len())
        .map(|i| {
            if i < listed_from || rng.gen_bool(0.005) {
                return None; // not yet listed, or suspended that day
            }
            let open = price;
            price *= step.sample(rng).exp();
            let (lo, hi) = (open.min(price), open.max(price));
            let mut low = round(lo * (1.0 - rng.gen_range(0.0..vol / 2.0)));
            let mut high = round(hi * (1.0 + rng.gen_range(0.0..vol / 2.0))).max(low);
            // The day's band around the last close, by the rule in force that day.
            let listing_day = if listed_from > 0 { (i - listed_from + 1) as u32 } else { u32::MAX };
            if let Some(band) = market::rules::price_band(board, kind, st, listing_day, calendar[i], fund_class) {
                let limits = market::rules::limit_prices(Money::from_fixed(last_close), band, Money::from_fixed(tick));
                let (down, up) = (e4(limits.down), e4(limits.up));
                low = low.clamp(down, up);
                high = high.clamp(low, up);
                let close = round(price).clamp(low, high);
                price = close as f64 / 10_000.0;
            }
            last_close = round(price).clamp(low, high);
            Some(DayRange { low, high, close: last_close })
        })
        .collect();
    let face_value = matches!(kind, InstrumentKind::Bond | InstrumentKind::ConvertibleBond).then(|| Money::from(100));
    let instrument = Instrument {
        name: if st { format!("ST{name}") } else { name },
        code,
        board,
        kind,
        lot: if board == Board::Star && kind == InstrumentKind::Stock { 200 } else { lot },
        tick: Money::from_fixed(tick),
        limit_pct,
        st,
        list_date,
        face_value,
        outstanding_shares: if kind == InstrumentKind::Stock {
            outstanding(rng, Money::from_fixed(last_close))
        } else {
            rng.gen_range(1_000_000..2_000_000_000)
        },
        last_close: Money::from_fixed(last_close),
        fund_class,
        delisting_from: None,
    };
    Listed { instrument, days, tick, last_close }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn synthetic_walks_keep_to_each_days_band() {
        let mut rng = rand_pcg::Pcg64Mcg::seed_from_u64(3);
        let universe = build(&mut rng, &app::market_data::embedded_stocks(), 3_000);
        let mut checked = 0;
        let real: std::collections::HashSet<String> =
            app::market_data::embedded_stocks().iter().map(|s| s.code.to_string()).collect();
        // Real bars are the exchange's own (their raw previous close is not the
        // reference on an ex-rights day); the synthetic walks are held here.
        for l in universe.listed.iter().filter(|l| !real.contains(&l.instrument.code.to_string())) {
            let i = &l.instrument;
            let mut prev: Option<i64> = None;
            for (k, day) in l.days.iter().enumerate() {
                let Some(d) = day else { continue };
                assert!(d.low <= d.close && d.close <= d.high, "{} on day {k}", i.code);
                // Listed in the window: the day's count since listing; else long listed.
                let listing_day = universe
                    .calendar
                    .iter()
                    .position(|d| *d >= i.list_date)
                    .filter(|_| i.list_date >= universe.calendar[0])
                    .map_or(u32::MAX, |first| (k + 1 - first.min(k)) as u32);
                let band =
                    market::rules::price_band(i.board, i.kind, i.st, listing_day, universe.calendar[k], i.fund_class);
                if let (Some(p), Some(band)) = (prev, band) {
                    let limits = market::rules::limit_prices(Money::from_fixed(p), band, i.tick);
                    assert!(
                        e4(limits.down) <= d.low && d.high <= e4(limits.up),
                        "{} on {}: {}-{} outside the band around {p}",
                        i.code,
                        universe.calendar[k],
                        d.low,
                        d.high
                    );
                    checked += 1;
                }
                prev = Some(d.close);
            }
        }
        assert!(checked > 100_000, "{checked}");
    }
}
