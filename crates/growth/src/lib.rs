//! Growth, the pure part (issue 27, first slice): the points ledger. Points
//! are money-like, so the ledger follows TigerBeetle's model: every movement
//! is a transfer between two accounts (double entry, so the balances of all
//! accounts always sum to zero), each transfer has a unique id (a repeat
//! with the same body answers the first result; another body under the same
//! id is refused), transfers are immutable (a correction is a new transfer
//! linked to the first), and a transfer may be two-phase: pending, then
//! posted or voided exactly once, or voided when its timeout passes. A
//! customer's balance never goes below zero, pending debits included. Points
//! come in lots that expire 24 months after they were earned, first in first
//! out, by transfers to the firm's expiry account.

pub mod codes;
pub mod earning;
pub mod envelope;
pub mod ledger;
pub mod workload;

pub use ledger::{
    expiry_candidates_before, Account, Balance, Changes, FirmAccount, Kind, Ledger, LedgerError, Lot, Operation,
    Posted, State, Transfer, LOT_LIFE_MONTHS, MAX_ID_LEN,
};
