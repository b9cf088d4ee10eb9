//! A ticket and what the checks know about its instrument, its account and
//! the moment it is sent.

use crate::Fixed;
use chrono::{NaiveDate, NaiveTime};
use domain::{Board, InstrumentCode, InstrumentKind, Side};
use serde::{Deserialize, Serialize};
use std::str::FromStr;

/// How an order is priced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderType {
    /// At the limit price or better.
    Limit,
    /// At the market, within a protection price (保护限价).
    Market,
}

impl OrderType {
    /// The stable text form.
    pub fn as_str(self) -> &'static str {
        match self {
            OrderType::Limit => "limit",
            OrderType::Market => "market",
        }
    }
}

impl FromStr for OrderType {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim() {
            "limit" => Ok(OrderType::Limit),
            "market" => Ok(OrderType::Market),
            other => Err(format!("'{other}' is not one of limit, market")),
        }
    }
}

/// An order as a customer or advisor fills it in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ticket {
    /// Instrument.
    pub instrument: InstrumentCode,
    /// Buy or sell.
    pub side: Side,
    /// Limit or market.
    pub order_type: OrderType,
    /// Shares (or bond units).
    pub quantity: i64,
    /// The limit price; for a market order its protection price (0 when none given).
    pub price: Fixed,
}

/// What the checks know of the instrument on the ticket's day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InstrumentFacts {
    /// Board.
    pub board: Board,
    /// Kind.
    pub kind: InstrumentKind,
    /// Risk warning (ST, *ST).
    pub st: bool,
    /// In the delisting-consolidation period (its short name carries 退, or the book says since when).
    pub delisting: bool,
    /// The ticket's day is the n-th trading day of its delisting-consolidation period, when known.
    pub delisting_day: Option<u32>,
    /// The ticket's day is the n-th trading day since listing (1 = the first; u32::MAX when long listed).
    pub listing_day: u32,
    /// The previous close, the band's base.
    pub previous_close: Fixed,
    /// The latest price today, if any trade yet (0 when none): the reference for the cage.
    pub last: Fixed,
    /// Shares outstanding (0 when unknown).
    pub outstanding_shares: i64,
    /// What an ETF tracks (its band, its turnaround).
    pub fund: Option<domain::FundClass>,
}

impl InstrumentFacts {
    /// The reference price: the last trade today, else the previous close.
    pub fn reference(&self) -> Fixed {
        if self.last > 0 {
            self.last
        } else {
            self.previous_close
        }
    }
}

/// What the checks know of the account the ticket is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct AccountFacts {
    /// Cash available to buy with.
    pub cash: Fixed,
    /// Held of the instrument.
    pub held: i64,
    /// Of which sellable today (T+1).
    pub sellable: i64,
    /// The account's assets: cash and every position at its latest price.
    pub assets: Fixed,
    /// The most one instrument may be of the assets, in basis points (by the customer's risk level).
    pub concentration_limit_bp: i64,
    /// May trade on the instrument's board (STAR, ChiNext and BSE need a permission).
    pub board_permitted: bool,
    /// The customer's risk level is below the instrument's rating (R1..R5).
    pub above_tolerance: Option<(String, String)>,
    /// Has signed the risk-warning stocks' disclosure (needed before a first ST buy).
    pub st_disclosure_signed: bool,
    /// ST shares of this instrument bought today already (the daily cap counts them).
    pub bought_today: i64,
}

/// When a ticket is sent (Asia/Shanghai).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Moment {
    /// The trading day.
    pub day: NaiveDate,
    /// The local time.
    pub time: NaiveTime,
}
