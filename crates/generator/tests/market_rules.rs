//! Everything `gen` writes keeps to the market's own rules (issue 22): each
//! trade on a trading day, in the continuous sessions, on the tick, inside
//! the day's range (synthetic ranges keep to the band: see the universe's
//! unit test), in lots; no sell of more than may be sold that
//! moment (T+1); and the positions are where the trades leave the holdings.

use chrono::{DateTime, NaiveDate};
use domain::{Board, InstrumentKind, Money, Side};
use market::rules::{self, Phase, Settlement};
use std::collections::{BTreeMap, HashMap};
use std::str::FromStr;

struct Listing {
    board: Board,
    kind: InstrumentKind,
    tick: Money,
    fund: Option<domain::FundClass>,
}

fn rows(dir: &std::path::Path, file: &str) -> Vec<csv::StringRecord> {
    csv::Reader::from_path(dir.join(file)).unwrap().records().map(|r| r.unwrap()).collect()
}

#[test]
fn every_generated_trade_keeps_to_the_market_rules_and_positions_follow_the_trades() {
    let dir = tempfile::tempdir().unwrap();
    let mut opts = generator::GenOptions::new(3_000, 11, dir.path());
    opts.instruments = 1_500;
    generator::generate(&opts).unwrap();

    let listings: HashMap<String, Listing> = rows(dir.path(), "instruments.csv")
        .iter()
        .map(|r| {
            let l = Listing {
                board: r[2].parse().unwrap(),
                kind: r[3].parse().unwrap(),
                tick: Money::from_str(&r[5]).unwrap(),
                fund: Some(&r[12]).filter(|f| !f.is_empty()).map(|f| f.parse().unwrap()),
            };
            (r[0].to_owned(), l)
        })
        .collect();
    // Real stocks' bars: each day's range and the close before it.
    let mut bars: HashMap<String, BTreeMap<NaiveDate, (Money, Money, Money)>> = HashMap::new();
    for r in rows(dir.path(), "daily_bars.csv") {
        let (low, high, close) = (r[4].parse().unwrap(), r[3].parse().unwrap(), r[5].parse().unwrap());
        bars.entry(r[0].to_owned()).or_default().insert(r[1].parse().unwrap(), (low, high, close));
    }
    let calendar = market::TradingCalendar::current();

    // Trades by account, in time order.
    type Fill = (DateTime<chrono::FixedOffset>, i64, String, Side, i64, Money);
    let mut by_account: BTreeMap<i64, Vec<Fill>> = BTreeMap::new();
    let mut checked_ranges = 0;
    for r in rows(dir.path(), "trades.csv") {
        let (id, account, code) = (r[0].parse::<i64>().unwrap(), r[1].parse::<i64>().unwrap(), r[2].to_owned());
        let side: Side = r[3].parse().unwrap();
        let quantity: i64 = r[4].parse().unwrap();
        let price = Money::from_str(&r[5]).unwrap();
        let time = DateTime::parse_from_rfc3339(&r[7]).unwrap();
        let day = time.date_naive();
        let l = &listings[&code];
        assert!(calendar.is_trading_day(day), "trade {id} on {day}, a closed day");
        assert_eq!(rules::phase(time.time()), Phase::Continuous, "trade {id} at {time}");
        assert_eq!(price % l.tick, Money::ZERO, "trade {id}: {price} is not on the tick {}", l.tick);
        assert!(price > Money::ZERO);
        // A real stock trades inside its real day's range (the synthetic walks
        // are held to each day's band by the universe's own test).
        if let Some(days) = bars.get(&code) {
            let (low, high, _) = days[&day];
            assert!(low <= price && price <= high, "trade {id}: {price} outside {low}-{high} on {day}");
            checked_ranges += 1;
        }
        by_account.entry(account).or_default().push((time, id, code, side, quantity, price));
    }
    assert!(checked_ranges > 1_000, "real stocks' trades checked against their days: {checked_ranges}");

    let mut positions: HashMap<(i64, String), (i64, i64)> = HashMap::new();
    for r in rows(dir.path(), "positions.csv") {
        positions.insert((r[0].parse().unwrap(), r[1].to_owned()), (r[2].parse().unwrap(), r[3].parse().unwrap()));
    }
    let last_day = by_account.values().flatten().map(|f| f.0.date_naive()).max().unwrap();
    let (mut sells, mut t1_days) = (0, 0);
    for (account, fills) in &mut by_account {
        fills.sort_by_key(|f| (f.0, f.1));
        // Holdings before the window: the end, less what the trades did.
        let mut held: HashMap<String, i64> = HashMap::new();
        for (_, _, code, side, q, _) in fills.iter() {
            let signed = if *side == Side::Buy { *q } else { -*q };
            *held.entry(code.clone()).or_default() -= signed;
        }
        for (code, q) in held.iter_mut() {
            *q += positions.get(&(*account, code.clone())).map_or(0, |p| p.0);
            assert!(*q >= 0, "account {account} sold {code} it never held");
        }
        // Forward, holding each trade to T+1 and the lot rule.
        let mut bought_today: HashMap<String, (NaiveDate, i64)> = HashMap::new();
        for (time, id, code, side, q, _) in fills.iter() {
            let l = &listings[code];
            let day = time.date_naive();
            let today = bought_today.get(code).filter(|b| b.0 == day).map_or(0, |b| b.1);
            let t1 = rules::settlement_of(l.kind, l.fund) == Settlement::TPlus1;
            let quantity = held.get(code).copied().unwrap_or(0);
            let sellable = if t1 { quantity - today } else { quantity };
            let lots = rules::lot_rule(l.board, l.kind);
            if let Err(e) = rules::check_quantity(lots, *side, *q, sellable) {
                panic!("trade {id} ({side:?} {q} {code}, {sellable} sellable): {e}");
            }
            if *side == Side::Buy {
                *held.entry(code.clone()).or_default() += q;
                let entry = bought_today.entry(code.clone()).or_insert((day, 0));
                if entry.0 != day {
                    *entry = (day, 0);
                }
                entry.1 += q;
            } else {
                sells += 1;
                t1_days += usize::from(today > 0 && t1);
                *held.get_mut(code).unwrap() -= q;
            }
        }
        for (code, q) in &held {
            let stored = positions.get(&(*account, code.clone())).copied();
            if *q == 0 {
                assert!(stored.is_none(), "account {account}: a sold-out {code} is not a position");
                continue;
            }
            let today = bought_today.get(code).filter(|b| b.0 == last_day).map_or(0, |b| b.1);
            let t1 = rules::settlement_of(listings[code].kind, listings[code].fund) == Settlement::TPlus1;
            assert_eq!(stored, Some((*q, if t1 { q - today } else { *q })), "account {account} {code}");
        }
    }
    assert!(sells > 1_000, "the book sells as well as buys: {sells}");
    assert!(t1_days > 0, "some sells fall on a day the account also bought, of the older shares only");
}

/// Every generated instrument stores the band the rules give it on the
/// window's last day: ST stocks on STAR, ChiNext and the BSE keep their
/// boards' 20%/20%/30%; ETFs on STAR or ChiNext indexes move within 20%.
#[test]
fn every_stored_band_comes_from_the_rules() {
    let dir = tempfile::tempdir().unwrap();
    let mut opts = generator::GenOptions::new(200, 5, dir.path());
    opts.instruments = 3_000;
    generator::generate(&opts).unwrap();
    let last_day: NaiveDate =
        rows(dir.path(), "daily_bars.csv").iter().map(|r| r[1].parse::<NaiveDate>().unwrap()).max().unwrap();
    let (mut st_wide, mut etf_wide) = (0, 0);
    for r in rows(dir.path(), "instruments.csv") {
        let (board, kind): (Board, InstrumentKind) = (r[2].parse().unwrap(), r[3].parse().unwrap());
        let st: bool = r[7].parse().unwrap();
        let fund: Option<domain::FundClass> = Some(&r[12]).filter(|f| !f.is_empty()).map(|f| f.parse().unwrap());
        let stored = Money::from_str(&r[6]).unwrap();
        let rule = rules::price_band(board, kind, st, u32::MAX, last_day, fund).map_or(Money::ZERO, |b| b.up);
        assert_eq!(stored, rule, "{}: {board:?} {kind:?} st={st} {fund:?}", &r[0]);
        st_wide += usize::from(st && board != Board::SseMain && board != Board::SzseMain);
        etf_wide += usize::from(kind == InstrumentKind::Etf && stored == Money::new(20, 2));
    }
    assert!(st_wide > 0 && etf_wide > 0, "the universe has both: {st_wide} ST on wide boards, {etf_wide} wide ETFs");
}
