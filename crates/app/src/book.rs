//! The book as events move it (issue 22): trades and cash flows from the
//! events feed are stored together with what they do to the positions and
//! the cash, in one unit of work, by the rules of the `book` crate. A trade
//! already stored has no second effect; a sell of more than may be sold
//! that day is refused with its reason and changes nothing.

use book::{BookError, Holding};
use domain::{CashFlow, FixedPoint, Position, Trade};
use std::collections::{HashMap, HashSet};
use store::{Db, HoldingKey, StoreError};

/// A trade the book took, with the holding it left.
#[derive(Debug, Clone, PartialEq)]
pub struct Booked {
    /// The trade.
    pub trade: Trade,
    /// The holding after it.
    pub after: Holding,
}

/// What a batch of events did to the book.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BookOutcome {
    /// Trades stored and applied, in the order applied (each account's by time).
    pub booked: Vec<Booked>,
    /// Cash flows stored and applied.
    pub flows: u64,
    /// Events refused: (id, why).
    pub refused: Vec<(i64, BookError)>,
}

/// Stores new trades and cash flows and applies them to positions and cash,
/// all in one unit of work. Ids already stored are skipped; each account's
/// trades apply in time order (arrival order within the same time).
pub async fn take(db: &Db, trades: &[Trade], flows: &[CashFlow]) -> Result<BookOutcome, StoreError> {
    let mut tx = db.begin().await?;
    let outcome = take_in(&mut tx, trades, flows).await?;
    tx.commit().await?;
    Ok(outcome)
}

/// [`take`] within a unit of work the caller commits (paper fills are booked
/// with their orders' fills in one).
pub async fn take_in(tx: &mut store::Tx, trades: &[Trade], flows: &[CashFlow]) -> Result<BookOutcome, StoreError> {
    let trade_ids: Vec<i64> = trades.iter().map(|t| t.id.0).collect();
    let flow_ids: Vec<i64> = flows.iter().map(|c| c.id.0).collect();
    let old_trades = tx.events_stored(false, &trade_ids).await?;
    let old_flows = tx.events_stored(true, &flow_ids).await?;
    let mut new: Vec<&Trade> = trades.iter().filter(|t| !old_trades.contains(&t.id.0)).collect();
    new.sort_by_key(|t| (t.account_id, t.time));
    let accounts: Vec<i64> = new.iter().map(|t| t.account_id.0).collect::<HashSet<_>>().into_iter().collect();
    let codes: Vec<String> = new.iter().map(|t| t.instrument.to_string()).collect::<HashSet<_>>().into_iter().collect();
    let mut holdings = tx.holdings_of(&accounts).await?;
    let kinds = tx.instrument_kinds(&codes).await?;
    let mut touched: HashSet<HoldingKey> = HashSet::new();
    let mut cash: HashMap<i64, i64> = HashMap::new();
    let mut outcome = BookOutcome::default();
    for t in new {
        let key = (t.account_id.0, t.instrument.to_string());
        let Some(&(kind, fund)) = kinds.get(&key.1) else { continue }; // the importer checked the instrument exists
        let held = holdings.get(&key).copied().unwrap_or(Holding::NONE);
        let applied = held
            .after(t, market::rules::settlement_of(kind, fund), book::trading_day(t.time))
            .and_then(|after| Ok((after, book::trade_cash_change(t)?)));
        match applied {
            Ok((after, change)) => {
                tx.insert_trade(t).await?;
                *cash.entry(t.account_id.0).or_default() += change;
                holdings.insert(key.clone(), after);
                touched.insert(key);
                outcome.booked.push(Booked { trade: t.clone(), after });
            }
            Err(e) => outcome.refused.push((t.id.0, e)),
        }
    }
    for c in flows.iter().filter(|c| !old_flows.contains(&c.id.0)) {
        match book::cash_flow_change(c) {
            Ok(change) => {
                tx.insert_cash_flow(c).await?;
                *cash.entry(c.account_id.0).or_default() += change;
                outcome.flows += 1;
            }
            Err(e) => outcome.refused.push((c.id.0, e)),
        }
    }
    for key in &touched {
        tx.put_holding(key.0, &key.1, &holdings[key]).await?;
    }
    let mut moved: Vec<i64> = touched.iter().map(|k| k.0).chain(cash.keys().copied()).collect();
    for (account, change) in cash {
        tx.add_cash(account, change).await?;
    }
    moved.sort_unstable();
    moved.dedup();
    tx.refresh_figures_of_accounts(&moved).await?;
    // A trade makes its customer active in its month and brings commission.
    let mut months: Vec<(i64, analytics::Month)> =
        outcome.booked.iter().map(|b| (b.trade.account_id.0, store::month_of(b.trade.time))).collect();
    months.sort_unstable();
    months.dedup();
    tx.refresh_activity_of_accounts(&months).await?;
    Ok(outcome)
}

/// A stored position a book import found different, and what it now is.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Correction {
    /// Account id.
    pub account_id: i64,
    /// Instrument code.
    pub instrument: String,
    /// Quantity, sellable quantity and cost (0.0001 CNY) as stored.
    pub was: (i64, i64, i64),
    /// As the book says (and now stored).
    pub now: (i64, i64, i64),
}

/// The trading day a book import's positions open: the next session once
/// the day's market has closed (a nightly book), else the current one.
pub(crate) fn book_day(now: chrono::DateTime<chrono::Utc>) -> chrono::NaiveDate {
    use chrono::Timelike;
    let local = domain::to_shanghai(now);
    let calendar = market::TradingCalendar::current();
    if local.hour() >= 15 {
        calendar.next_trading_day(local.date_naive())
    } else {
        calendar.session_of(local.date_naive())
    }
}

/// Brings stored positions to a book import's figures where they differ
/// (quantity, sellable quantity or cost), in one unit of work with one
/// audit record per difference, and answers each. Positions the import
/// stored new, or found equal, are left alone.
pub async fn correct_positions(db: &Db, book: &[Position], actor: &str) -> Result<Vec<Correction>, StoreError> {
    let mut tx = db.begin().await?;
    let accounts: Vec<i64> = book.iter().map(|p| p.account_id.0).collect::<HashSet<_>>().into_iter().collect();
    let stored = tx.holdings_of(&accounts).await?;
    let day = book_day(tx.now());
    let mut corrections = Vec::new();
    for p in book {
        let code = p.instrument.to_string();
        let Some(h) = stored.get(&(p.account_id.0, code.clone())) else { continue };
        let cost = p
            .cost_price
            .to_fixed("cost_price")
            .map_err(|e| StoreError::Corrupt { what: "cost_price", reason: e.to_string() })?;
        let was = (h.quantity, h.sellable_on(day), h.cost);
        let now = (p.quantity, p.sellable_quantity, cost);
        if was == now {
            continue;
        }
        let after = Holding { quantity: p.quantity, sellable: p.sellable_quantity, sellable_day: None, cost };
        tx.put_holding(p.account_id.0, &code, &after).await?;
        let c = Correction { account_id: p.account_id.0, instrument: code, was, now };
        tx.audit(access::AuditEntry {
            actor: actor.to_owned(),
            action: "correct".into(),
            entity: "position".into(),
            entity_id: format!("{}/{}", c.account_id, c.instrument),
            detail: serde_json::json!({
                "was": { "quantity": was.0, "sellable_quantity": was.1, "cost_price": domain::Money::from_fixed(was.2) },
                "now": { "quantity": now.0, "sellable_quantity": now.1, "cost_price": domain::Money::from_fixed(now.2) },
            })
            .to_string(),
        })
        .await?;
        corrections.push(c);
    }
    let moved: Vec<i64> = corrections.iter().map(|c| c.account_id).collect::<HashSet<_>>().into_iter().collect();
    tx.refresh_figures_of_accounts(&moved).await?;
    tx.commit().await?;
    Ok(corrections)
}
