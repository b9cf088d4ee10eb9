//! `brokerdesk replay`: a real trading day, replayed as intraday snapshots.

use crate::market_data::RealStock;
use chrono::{NaiveDate, TimeZone};
use domain::{Money, Snapshot};

/// The snapshots of one replayed day, moment by moment: for each of about
/// `points` moments (see [`market::replay::intraday_path`]), one snapshot per
/// stock that traded that day. Stocks
/// without a bar before the day (no previous close) are left out.
pub fn day_snapshots(stocks: &[RealStock], date: NaiveDate, points: u32) -> Vec<Vec<Snapshot>> {
    let mut moments: Vec<Vec<Snapshot>> = Vec::new();
    for stock in stocks {
        let Some(at) = stock.bars.iter().position(|b| b.date == date) else { continue };
        let Some(previous) = at.checked_sub(1).map(|i| &stock.bars[i]) else { continue };
        let bar = &stock.bars[at];
        let tick = market::rules::tick(domain::InstrumentKind::Stock);
        let path = market::replay::intraday_path(bar.open, bar.high, bar.low, bar.close, bar.volume, tick, points);
        moments.resize(moments.len().max(path.len()), Vec::new());
        for (k, p) in path.into_iter().enumerate() {
            let local = date.and_time(p.time);
            let time = domain::shanghai().from_local_datetime(&local).single().expect("fixed offset").to_utc();
            moments[k].push(Snapshot {
                instrument: stock.code.clone(),
                time,
                last: p.last,
                prev_close: previous.close,
                high: p.high,
                low: p.low,
                volume: p.volume,
                bid: Some((p.last - tick).max(tick)),
                ask: Some(p.last + tick),
            });
        }
    }
    moments
}

/// The last date any stock has a bar for.
pub fn last_date(stocks: &[RealStock]) -> Option<NaiveDate> {
    stocks.iter().filter_map(|s| s.bars.last().map(|b| b.date)).max()
}

/// A snapshot as an event for the events feed.
pub fn as_event(s: &Snapshot) -> serde_json::Value {
    let text = |m: Money| m.to_string();
    serde_json::json!({
        "type": "snapshot",
        "code": s.instrument.to_string(),
        "time": s.time.to_rfc3339(),
        "last": text(s.last),
        "prev_close": text(s.prev_close),
        "high": text(s.high),
        "low": text(s.low),
        "volume": text(s.volume),
        "bid": s.bid.map(text),
        "ask": s.ask.map(text),
    })
}

/// Stores one moment's snapshots straight into a database (`replay --db`).
pub async fn store_moment(db: &store::Db, moment: &[Snapshot]) -> Result<u64, store::StoreError> {
    db.insert(&store::Rows::Snapshots(moment.to_vec())).await
}

/// A moment's time as a trader reads it: HH:MM in Beijing.
pub fn beijing_clock(time: chrono::DateTime<chrono::Utc>) -> String {
    domain::to_shanghai(time).format("%H:%M").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_real_day_replays_within_its_bar_and_ends_on_its_close() {
        let stocks = crate::market_data::embedded_stocks();
        let date = last_date(&stocks).unwrap();
        let moments = day_snapshots(&stocks, date, 9);
        assert_eq!(moments.len(), 10, "rounded up to 3n + 1");
        assert_eq!(moments[0].len(), stocks.len(), "every committed stock traded that day");
        let moutai = stocks.iter().find(|s| s.code.to_string() == "600519.SH").unwrap();
        let bar = moutai.bars.last().unwrap();
        let closing = moments[9].iter().find(|s| s.instrument == moutai.code).unwrap();
        assert_eq!((closing.last, closing.high, closing.low), (bar.close, bar.high, bar.low));
        assert_eq!(closing.prev_close, moutai.bars[moutai.bars.len() - 2].close);
        assert_eq!(as_event(closing)["type"], "snapshot");
    }
}
