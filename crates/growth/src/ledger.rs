//! The ledger: accounts, transfers and lots, as a state machine the store
//! mirrors row for row.

use chrono::{DateTime, Months, Utc};
use domain::CustomerId;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, VecDeque};

/// Months a lot of points lives after it was earned.
pub const LOT_LIFE_MONTHS: u32 = 24;

/// The firm's own accounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FirmAccount {
    /// Where earned points come from (its balance is minus every point ever issued).
    Issuance,
    /// Where expired points go.
    Expiry,
    /// Red-envelope points between sending and opening (or return).
    EnvelopeEscrow,
    /// Referral rewards awaiting their conditions.
    ReferralPending,
}

/// A ledger account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Account {
    /// A customer's points.
    Customer(CustomerId),
    /// One of the firm's.
    Firm(FirmAccount),
}

/// What a transfer does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "phase")]
pub enum Kind {
    /// Moves the points at once.
    Single,
    /// Reserves the points until posted or voided, or until `timeout` passes (then voided).
    Pending {
        /// When it is voided if still pending.
        timeout: DateTime<Utc>,
    },
}

/// A transfer as asked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Transfer {
    /// Unique id: the idempotency key from its source event (`login:42:2026-12-07`).
    pub id: String,
    /// The account the points leave.
    pub debit: Account,
    /// The account they reach.
    pub credit: Account,
    /// Points, above zero.
    pub amount: i64,
    /// Why, in words a statement shows (`daily_login`, `envelope_send`, ...).
    pub reason: String,
    /// Single or pending.
    pub kind: Kind,
    /// The transfer this one corrects, if any.
    pub corrects: Option<String>,
}

/// A transfer as the ledger holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Posted {
    /// As asked.
    pub transfer: Transfer,
    /// When it was applied.
    pub at: DateTime<Utc>,
    /// For a pending transfer: `pending`, `posted` or `voided`; `posted` for a single one.
    pub state: &'static str,
}

/// An account's figures, TigerBeetle's four.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Balance {
    /// Posted debits.
    pub debits_posted: i64,
    /// Posted credits.
    pub credits_posted: i64,
    /// Reserved by pending transfers out.
    pub debits_pending: i64,
    /// Promised by pending transfers in.
    pub credits_pending: i64,
}

impl Balance {
    /// Credits less debits, posted.
    pub fn net(&self) -> i64 {
        self.credits_posted - self.debits_posted
    }

    /// What may still be spent: posted net less pending debits.
    pub fn available(&self) -> i64 {
        self.net() - self.debits_pending
    }
}

/// Points earned together, spent and expired first in first out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Lot {
    /// When earned.
    pub earned_at: DateTime<Utc>,
    /// Of them, not yet spent or expired.
    pub remaining: i64,
}

/// Why a transfer is refused. A refused transfer leaves no trace: the same
/// id may be tried again.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LedgerError {
    /// Zero or negative points.
    #[error("a transfer moves more than zero points")]
    NotPositive,
    /// The same account on both sides.
    #[error("the debit and credit accounts are the same")]
    SameAccount,
    /// The id was used by a transfer with another body.
    #[error("transfer {0} exists with another body")]
    IdReused(String),
    /// More than the customer may spend.
    #[error("{account:?} has {available} points available, not {amount}")]
    Insufficient {
        /// The account.
        account: Account,
        /// Available.
        available: i64,
        /// Asked.
        amount: i64,
    },
    /// Posting or voiding a transfer that is not pending (unknown, single, or already decided).
    #[error("transfer {0} is not pending")]
    NotPending(String),
    /// A correction of a transfer that does not exist.
    #[error("transfer {0} does not exist")]
    NoSuchTransfer(String),
}

/// The ledger's whole state.
#[derive(Debug, Clone, Default)]
pub struct Ledger {
    balances: BTreeMap<Account, Balance>,
    transfers: HashMap<String, Posted>,
    /// Pending transfers by id, with their timeout.
    pending: BTreeMap<String, DateTime<Utc>>,
    lots: HashMap<CustomerId, VecDeque<Lot>>,
}

impl Ledger {
    /// An empty ledger.
    pub fn new() -> Ledger {
        Ledger::default()
    }

    /// An account's figures.
    pub fn balance(&self, account: Account) -> Balance {
        self.balances.get(&account).copied().unwrap_or_default()
    }

    /// Every account's figures.
    pub fn balances(&self) -> impl Iterator<Item = (&Account, &Balance)> {
        self.balances.iter()
    }

    /// A transfer by id.
    pub fn transfer(&self, id: &str) -> Option<&Posted> {
        self.transfers.get(id)
    }

    /// A customer's lots, oldest first.
    pub fn lots(&self, customer: CustomerId) -> Vec<Lot> {
        self.lots.get(&customer).map(|l| l.iter().copied().collect()).unwrap_or_default()
    }

    /// Applies a transfer at `now`: its first result again when the id was
    /// applied with the same body.
    pub fn apply(&mut self, t: Transfer, now: DateTime<Utc>) -> Result<Posted, LedgerError> {
        if let Some(first) = self.transfers.get(&t.id) {
            return if first.transfer == t { Ok(first.clone()) } else { Err(LedgerError::IdReused(t.id)) };
        }
        if t.amount <= 0 {
            return Err(LedgerError::NotPositive);
        }
        if t.debit == t.credit {
            return Err(LedgerError::SameAccount);
        }
        if let Some(first) = &t.corrects {
            if !self.transfers.contains_key(first) {
                return Err(LedgerError::NoSuchTransfer(first.clone()));
            }
        }
        if let Account::Customer(_) = t.debit {
            let available = self.balance(t.debit).available();
            if available < t.amount {
                return Err(LedgerError::Insufficient { account: t.debit, available, amount: t.amount });
            }
        }
        let state = match t.kind {
            Kind::Single => {
                self.post(t.debit, t.credit, t.amount, now);
                "posted"
            }
            Kind::Pending { timeout } => {
                self.balances.entry(t.debit).or_default().debits_pending += t.amount;
                self.balances.entry(t.credit).or_default().credits_pending += t.amount;
                self.pending.insert(t.id.clone(), timeout);
                "pending"
            }
        };
        let posted = Posted { transfer: t, at: now, state };
        self.transfers.insert(posted.transfer.id.clone(), posted.clone());
        Ok(posted)
    }

    /// Posts or voids a pending transfer, exactly once.
    pub fn decide(&mut self, id: &str, post: bool, now: DateTime<Utc>) -> Result<Posted, LedgerError> {
        if self.pending.remove(id).is_none() {
            return Err(LedgerError::NotPending(id.to_owned()));
        }
        let p = self.transfers.get(id).expect("a pending transfer is stored").transfer.clone();
        self.balances.entry(p.debit).or_default().debits_pending -= p.amount;
        self.balances.entry(p.credit).or_default().credits_pending -= p.amount;
        if post {
            self.post(p.debit, p.credit, p.amount, now);
        }
        let stored = self.transfers.get_mut(id).expect("stored");
        stored.state = if post { "posted" } else { "voided" };
        Ok(stored.clone())
    }

    /// Voids every pending transfer whose timeout has passed; their ids.
    pub fn void_timed_out(&mut self, now: DateTime<Utc>) -> Vec<String> {
        let due: Vec<String> = self.pending.iter().filter(|(_, t)| **t <= now).map(|(id, _)| id.clone()).collect();
        for id in &due {
            self.decide(id, false, now).expect("pending");
        }
        due
    }

    /// Moves every customer's points older than [`LOT_LIFE_MONTHS`] to the
    /// expiry account, oldest lot first, never below what pending debits
    /// hold; the transfers made (ids `expiry:<customer>:<earned at>`).
    pub fn expire_lots(&mut self, now: DateTime<Utc>) -> Vec<Posted> {
        let mut due: Vec<(CustomerId, DateTime<Utc>, i64)> = Vec::new();
        for (customer, lots) in &self.lots {
            for lot in lots {
                if lot.remaining > 0
                    && lot.earned_at.checked_add_months(Months::new(LOT_LIFE_MONTHS)).is_some_and(|end| end <= now)
                {
                    due.push((*customer, lot.earned_at, lot.remaining));
                }
            }
        }
        due.sort();
        let mut made = Vec::new();
        for (customer, earned_at, remaining) in due {
            let available = self.balance(Account::Customer(customer)).available();
            let amount = remaining.min(available);
            if amount <= 0 {
                continue;
            }
            let t = Transfer {
                id: format!("expiry:{customer}:{}", earned_at.timestamp()),
                debit: Account::Customer(customer),
                credit: Account::Firm(FirmAccount::Expiry),
                amount,
                reason: "expiry".into(),
                kind: Kind::Single,
                corrects: None,
            };
            if let Ok(p) = self.apply(t, now) {
                made.push(p);
            }
        }
        made
    }

    /// Moves posted points, with the lots that follow them.
    fn post(&mut self, debit: Account, credit: Account, amount: i64, now: DateTime<Utc>) {
        self.balances.entry(debit).or_default().debits_posted += amount;
        self.balances.entry(credit).or_default().credits_posted += amount;
        if let Account::Customer(c) = debit {
            // Spent or expired: the oldest lots first.
            let lots = self.lots.entry(c).or_default();
            let mut left = amount;
            while left > 0 {
                let Some(lot) = lots.front_mut() else { break };
                let take = lot.remaining.min(left);
                lot.remaining -= take;
                left -= take;
                if lot.remaining == 0 {
                    lots.pop_front();
                }
            }
        }
        if let Account::Customer(c) = credit {
            self.lots.entry(c).or_default().push_back(Lot { earned_at: now, remaining: amount });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn at(day: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap() + chrono::Duration::days(i64::from(day))
    }

    fn earn(id: &str, customer: i64, amount: i64) -> Transfer {
        let customer = CustomerId(customer);
        Transfer {
            id: id.into(),
            debit: Account::Firm(FirmAccount::Issuance),
            credit: Account::Customer(customer),
            amount,
            reason: "daily_login".into(),
            kind: Kind::Single,
            corrects: None,
        }
    }

    fn spend(id: &str, customer: i64, amount: i64) -> Transfer {
        let customer = CustomerId(customer);
        Transfer {
            id: id.into(),
            debit: Account::Customer(customer),
            credit: Account::Firm(FirmAccount::Expiry),
            amount,
            reason: "spend".into(),
            kind: Kind::Single,
            corrects: None,
        }
    }

    #[test]
    fn a_repeat_answers_the_first_result_and_another_body_is_refused() {
        let mut l = Ledger::new();
        let first = l.apply(earn("login:1:d1", 1, 10), at(0)).unwrap();
        assert_eq!(l.apply(earn("login:1:d1", 1, 10), at(1)).unwrap(), first, "no second effect");
        assert_eq!(l.balance(Account::Customer(CustomerId(1))).net(), 10);
        assert_eq!(l.apply(earn("login:1:d1", 1, 11), at(1)), Err(LedgerError::IdReused("login:1:d1".into())));
        assert_eq!(l.apply(earn("x", 1, 0), at(1)), Err(LedgerError::NotPositive));
        assert_eq!(
            l.apply(spend("y", 1, 11), at(1)).unwrap_err(),
            LedgerError::Insufficient { account: Account::Customer(CustomerId(1)), available: 10, amount: 11 }
        );
        // A refused transfer leaves no trace: the same id may go through later.
        l.apply(earn("more", 1, 5), at(1)).unwrap();
        l.apply(spend("y", 1, 11), at(1)).unwrap();
        assert_eq!(l.balance(Account::Customer(CustomerId(1))).net(), 4);
    }

    #[test]
    fn pending_transfers_reserve_then_post_or_void_exactly_once() {
        let mut l = Ledger::new();
        l.apply(earn("e", 1, 100), at(0)).unwrap();
        let hold = Transfer { kind: Kind::Pending { timeout: at(1) }, ..spend("hold", 1, 100) };
        l.apply(hold, at(0)).unwrap();
        // The reserved points cannot be spent twice.
        assert!(matches!(l.apply(spend("s", 1, 1), at(0)), Err(LedgerError::Insufficient { available: 0, .. })));
        assert_eq!(l.decide("hold", true, at(0)).unwrap().state, "posted");
        assert_eq!(l.decide("hold", false, at(0)), Err(LedgerError::NotPending("hold".into())));
        assert_eq!(l.balance(Account::Customer(CustomerId(1))).net(), 0);
        // A pending referral reward voided by its timeout.
        let reward = Transfer {
            id: "referral:7".into(),
            debit: Account::Firm(FirmAccount::ReferralPending),
            credit: Account::Customer(CustomerId(7)),
            amount: 500,
            reason: "referral".into(),
            kind: Kind::Pending { timeout: at(90) },
            corrects: None,
        };
        l.apply(reward, at(0)).unwrap();
        assert_eq!(l.void_timed_out(at(89)), Vec::<String>::new());
        assert_eq!(l.void_timed_out(at(90)), vec!["referral:7".to_owned()]);
        assert_eq!(l.balance(Account::Customer(CustomerId(7))), Balance::default());
    }

    #[test]
    fn lots_expire_after_24_months_oldest_first() {
        let mut l = Ledger::new();
        l.apply(earn("a", 1, 30), at(0)).unwrap();
        l.apply(earn("b", 1, 50), at(100)).unwrap();
        // Spending 40 uses all of the first lot and 10 of the second.
        l.apply(spend("s", 1, 40), at(200)).unwrap();
        assert_eq!(l.lots(CustomerId(1)).iter().map(|x| x.remaining).collect::<Vec<_>>(), vec![40]);
        // Two years after the first lot: nothing left of it to expire. After the second's: its 40.
        assert!(l.expire_lots(at(731)).is_empty());
        let made = l.expire_lots(at(100 + 731));
        assert_eq!(made.iter().map(|p| p.transfer.amount).collect::<Vec<_>>(), vec![40]);
        assert_eq!(l.balance(Account::Customer(CustomerId(1))).net(), 0);
        assert_eq!(l.balance(Account::Firm(FirmAccount::Expiry)).net(), 80);
        assert!(l.expire_lots(at(1_000)).is_empty(), "once");
    }

    proptest! {
        /// Whatever operations come (earn, spend, hold, post, void, time-outs, expiry, repeats), the
        /// balances sum to zero, no customer's is negative, and a customer's lots hold their balance.
        #[test]
        fn the_books_always_balance(ops in prop::collection::vec((0u8..7, 0i64..4, 1i64..200, 0u32..20), 1..300)) {
            let mut l = Ledger::new();
            let mut day = 0;
            for (k, (op, customer, amount, pick)) in ops.into_iter().enumerate() {
                day += 3;
                let now = at(day);
                let id = format!("t{}", k % 40 + pick as usize);
                match op {
                    0 => { let _ = l.apply(earn(&id, customer, amount), now); }
                    1 => { let _ = l.apply(spend(&id, customer, amount), now); }
                    2 => { let _ = l.apply(Transfer { kind: Kind::Pending { timeout: at(day + 30) }, ..spend(&id, customer, amount) }, now); }
                    3 => { let _ = l.decide(&id, true, now); }
                    4 => { let _ = l.decide(&id, false, now); }
                    5 => { l.void_timed_out(now); }
                    _ => { l.expire_lots(now); }
                }
                let total: i64 = l.balances().map(|(_, b)| b.net()).sum();
                prop_assert_eq!(total, 0);
                for (account, b) in l.balances() {
                    if let Account::Customer(c) = account {
                        prop_assert!(b.available() >= 0, "{:?} {:?}", account, b);
                        let in_lots: i64 = l.lots(*c).iter().map(|x| x.remaining).sum();
                        prop_assert_eq!(in_lots, b.net());
                    }
                }
            }
        }
    }
}
