//! The ledger: accounts, transfers and lots, as a state machine the store
//! mirrors row for row.

use chrono::{DateTime, Months, Utc};
use domain::CustomerId;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};

/// Months a lot of points lives after it was earned.
pub const LOT_LIFE_MONTHS: u32 = 24;

/// The firm's own accounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
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
    /// Where points spent on rewards go.
    Redemption,
}

/// A ledger account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Account {
    /// A customer's points.
    Customer(CustomerId),
    /// One of the firm's.
    Firm(FirmAccount),
}

impl Account {
    /// As stored: a customer's id, or below zero a firm account.
    pub fn code(self) -> i64 {
        match self {
            Account::Customer(c) => c.0,
            Account::Firm(FirmAccount::Issuance) => -1,
            Account::Firm(FirmAccount::Expiry) => -2,
            Account::Firm(FirmAccount::EnvelopeEscrow) => -3,
            Account::Firm(FirmAccount::ReferralPending) => -4,
            Account::Firm(FirmAccount::Redemption) => -5,
        }
    }

    /// From its stored form.
    pub fn from_code(code: i64) -> Option<Account> {
        Some(match code {
            c if c > 0 => Account::Customer(CustomerId(c)),
            -1 => Account::Firm(FirmAccount::Issuance),
            -2 => Account::Firm(FirmAccount::Expiry),
            -3 => Account::Firm(FirmAccount::EnvelopeEscrow),
            -4 => Account::Firm(FirmAccount::ReferralPending),
            -5 => Account::Firm(FirmAccount::Redemption),
            _ => return None,
        })
    }

    /// The customer whose account it is.
    pub fn customer(self) -> Option<CustomerId> {
        match self {
            Account::Customer(c) => Some(c),
            Account::Firm(_) => None,
        }
    }
}

/// What a transfer does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub corrects: Option<String>,
}

/// One thing done to the ledger: what a batch holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Operation {
    /// Applies a transfer (a repeat answers the first result).
    Apply(Transfer),
    /// Posts (`post`) or voids a pending transfer.
    Decide {
        /// The decision's own id.
        decision: String,
        /// The pending transfer.
        id: String,
        /// Post, or void.
        post: bool,
    },
}

/// Where a transfer stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Applied (a single transfer), or a pending one posted.
    Posted,
    /// Reserved, awaiting post or void.
    Pending,
    /// A pending transfer voided (by a decision or its timeout).
    Voided,
}

impl State {
    /// As stored.
    pub fn as_str(self) -> &'static str {
        match self {
            State::Posted => "posted",
            State::Pending => "pending",
            State::Voided => "voided",
        }
    }

    /// From its stored form.
    pub fn parse(s: &str) -> Option<State> {
        Some(match s {
            "posted" => State::Posted,
            "pending" => State::Pending,
            "voided" => State::Voided,
            _ => return None,
        })
    }
}

/// A transfer as the ledger holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Posted {
    /// As asked.
    pub transfer: Transfer,
    /// When it was applied.
    pub at: DateTime<Utc>,
    /// Where it stands.
    pub state: State,
    /// When a pending transfer was posted or voided.
    pub decided_at: Option<DateTime<Utc>>,
    /// The id of the decision that posted or voided it (a repeat of the
    /// decision answers its first result, as a repeated transfer does).
    pub decided_by: Option<String>,
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Lot {
    /// The transfer that earned them (one lot per transfer credited to a customer).
    pub source: String,
    /// When earned.
    pub earned_at: DateTime<Utc>,
    /// Of them, not yet spent or expired.
    pub remaining: i64,
}

impl Lot {
    /// When what is left of it expires.
    pub fn expires_at(&self) -> DateTime<Utc> {
        self.earned_at.checked_add_months(Months::new(LOT_LIFE_MONTHS)).unwrap_or(DateTime::<Utc>::MAX_UTC)
    }
}

/// The earliest a lot may have been earned and be due at `now`, give or
/// take the ends of months: a store reads lots earned before it, and
/// [`Lot::expires_at`] decides.
pub fn expiry_candidates_before(now: DateTime<Utc>) -> DateTime<Utc> {
    now.checked_sub_months(Months::new(LOT_LIFE_MONTHS)).unwrap_or(DateTime::<Utc>::MIN_UTC) + chrono::Duration::days(4)
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
    /// An id empty or longer than [`MAX_ID_LEN`].
    #[error("a transfer id has 1 to 200 characters")]
    BadId,
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

/// The longest transfer id.
pub const MAX_ID_LEN: usize = 200;

impl Transfer {
    /// The rules a transfer keeps whatever the ledger holds.
    pub fn validate(&self) -> Result<(), LedgerError> {
        if self.id.is_empty() || self.id.len() > MAX_ID_LEN {
            return Err(LedgerError::BadId);
        }
        if self.amount <= 0 {
            return Err(LedgerError::NotPositive);
        }
        if self.debit == self.credit {
            return Err(LedgerError::SameAccount);
        }
        Ok(())
    }
}

/// What a run of operations changed, for a store to write back.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    /// Accounts touched, with their figures now.
    pub accounts: Vec<(Account, Balance)>,
    /// Transfers applied.
    pub inserted: Vec<Posted>,
    /// Pending transfers posted or voided.
    pub decided: Vec<Posted>,
    /// Lots earned (customer, lot).
    pub lots_added: Vec<(CustomerId, Lot)>,
    /// Lots partly used, with what is left of them.
    pub lots_reduced: Vec<(CustomerId, Lot)>,
    /// Lots used up or expired in full.
    pub lots_removed: Vec<(CustomerId, Lot)>,
}

/// The ledger's whole state, or the part of it a store loaded to decide a batch.
#[derive(Debug, Clone, Default)]
pub struct Ledger {
    balances: BTreeMap<Account, Balance>,
    transfers: HashMap<String, Posted>,
    /// Pending transfers by id, with their timeout.
    pending: BTreeMap<String, DateTime<Utc>>,
    lots: HashMap<CustomerId, VecDeque<Lot>>,
    /// Since the last [`Ledger::take_changes`]: what was touched.
    touched_accounts: BTreeSet<Account>,
    inserted: Vec<String>,
    decided: Vec<String>,
    touched_lots: BTreeSet<CustomerId>,
    /// Lots as loaded (source -> lot), to tell what changed.
    lots_loaded: HashMap<CustomerId, HashMap<String, Lot>>,
}

impl Ledger {
    /// An empty ledger.
    pub fn new() -> Ledger {
        Ledger::default()
    }

    /// Loads an account's figures (a store's batch, before deciding).
    pub fn seed_account(&mut self, account: Account, balance: Balance) {
        self.balances.insert(account, balance);
    }

    /// Loads a customer's lots, oldest first.
    pub fn seed_lots(&mut self, customer: CustomerId, lots: Vec<Lot>) {
        let loaded = self.lots_loaded.entry(customer).or_default();
        for lot in &lots {
            loaded.insert(lot.source.clone(), lot.clone());
        }
        self.lots.entry(customer).or_default().extend(lots);
    }

    /// Loads a stored transfer (to answer a repeat, or to decide a pending one).
    pub fn seed_transfer(&mut self, posted: Posted) {
        if let (State::Pending, Kind::Pending { timeout }) = (posted.state, posted.transfer.kind) {
            self.pending.insert(posted.transfer.id.clone(), timeout);
        }
        self.transfers.insert(posted.transfer.id.clone(), posted);
    }

    /// What changed since loading (or the last call), and forgets it.
    pub fn take_changes(&mut self) -> Changes {
        let mut c = Changes {
            accounts: std::mem::take(&mut self.touched_accounts).into_iter().map(|a| (a, self.balance(a))).collect(),
            inserted: std::mem::take(&mut self.inserted).into_iter().map(|id| self.transfers[&id].clone()).collect(),
            decided: std::mem::take(&mut self.decided).into_iter().map(|id| self.transfers[&id].clone()).collect(),
            ..Changes::default()
        };
        // A transfer applied and decided in one batch is written once, as it ends.
        let fresh: HashSet<&str> = c.inserted.iter().map(|p| p.transfer.id.as_str()).collect();
        c.decided.retain(|p| !fresh.contains(p.transfer.id.as_str()));
        let mut seen = HashSet::new();
        c.decided.retain(|p| seen.insert(p.transfer.id.clone()));
        for customer in std::mem::take(&mut self.touched_lots) {
            let loaded = self.lots_loaded.entry(customer).or_default();
            let now: Vec<Lot> = self.lots.get(&customer).map(|l| l.iter().cloned().collect()).unwrap_or_default();
            let present: HashSet<&str> = now.iter().map(|l| l.source.as_str()).collect();
            for (source, lot) in loaded.iter() {
                if !present.contains(source.as_str()) {
                    c.lots_removed.push((customer, lot.clone()));
                }
            }
            for lot in &now {
                match loaded.get(&lot.source) {
                    None => c.lots_added.push((customer, lot.clone())),
                    Some(was) if was.remaining != lot.remaining => c.lots_reduced.push((customer, lot.clone())),
                    Some(_) => {}
                }
            }
            *loaded = now.into_iter().map(|l| (l.source.clone(), l)).collect();
        }
        c
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
        self.lots.get(&customer).map(|l| l.iter().cloned().collect()).unwrap_or_default()
    }

    /// Pending transfers whose timeout has passed at `now`.
    pub fn timed_out(&self, now: DateTime<Utc>) -> Vec<String> {
        self.pending.iter().filter(|(_, t)| **t <= now).map(|(id, _)| id.clone()).collect()
    }

    /// Applies a transfer at `now`: its first result again when the id was
    /// applied with the same body.
    pub fn apply(&mut self, t: Transfer, now: DateTime<Utc>) -> Result<Posted, LedgerError> {
        if let Some(first) = self.transfers.get(&t.id) {
            return if first.transfer == t { Ok(first.clone()) } else { Err(LedgerError::IdReused(t.id)) };
        }
        t.validate()?;
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
        self.touched_accounts.extend([t.debit, t.credit]);
        let state = match t.kind {
            Kind::Single => {
                self.post(t.debit, t.credit, t.amount, &t.id, now);
                State::Posted
            }
            Kind::Pending { timeout } => {
                self.balances.entry(t.debit).or_default().debits_pending += t.amount;
                self.balances.entry(t.credit).or_default().credits_pending += t.amount;
                self.pending.insert(t.id.clone(), timeout);
                State::Pending
            }
        };
        let posted = Posted { transfer: t, at: now, state, decided_at: None, decided_by: None };
        self.inserted.push(posted.transfer.id.clone());
        self.transfers.insert(posted.transfer.id.clone(), posted.clone());
        Ok(posted)
    }

    /// Posts or voids a pending transfer, exactly once, by decision
    /// `decision` (an id of its own: the same decision again answers its
    /// first result).
    pub fn decide(&mut self, decision: &str, id: &str, post: bool, now: DateTime<Utc>) -> Result<Posted, LedgerError> {
        if let Some(p) = self.transfers.get(id) {
            if p.decided_by.as_deref() == Some(decision) {
                let same = (p.state == State::Posted) == post;
                return if same { Ok(p.clone()) } else { Err(LedgerError::IdReused(decision.to_owned())) };
            }
        }
        if decision.is_empty() || decision.len() > MAX_ID_LEN {
            return Err(LedgerError::BadId);
        }
        if self.pending.remove(id).is_none() {
            return Err(LedgerError::NotPending(id.to_owned()));
        }
        let p = self.transfers.get(id).expect("a pending transfer is stored").transfer.clone();
        self.touched_accounts.extend([p.debit, p.credit]);
        self.balances.entry(p.debit).or_default().debits_pending -= p.amount;
        self.balances.entry(p.credit).or_default().credits_pending -= p.amount;
        if post {
            self.post(p.debit, p.credit, p.amount, id, now);
        }
        let stored = self.transfers.get_mut(id).expect("stored");
        stored.state = if post { State::Posted } else { State::Voided };
        stored.decided_at = Some(now);
        stored.decided_by = Some(decision.to_owned());
        self.decided.push(id.to_owned());
        Ok(stored.clone())
    }

    /// Runs one operation.
    pub fn run(&mut self, op: &Operation, now: DateTime<Utc>) -> Result<Posted, LedgerError> {
        match op {
            Operation::Apply(t) => self.apply(t.clone(), now),
            Operation::Decide { decision, id, post } => self.decide(decision, id, *post, now),
        }
    }

    /// Voids every pending transfer whose timeout has passed (decisions
    /// `timeout:<id>`); their ids.
    pub fn void_timed_out(&mut self, now: DateTime<Utc>) -> Vec<String> {
        let due = self.timed_out(now);
        for id in &due {
            self.decide(&format!("timeout:{id}"), id, false, now).expect("pending");
        }
        due
    }

    /// Moves every customer's points older than [`LOT_LIFE_MONTHS`] to the
    /// expiry account, oldest lot first, never below what pending debits
    /// hold; the transfers made (ids `expiry:<the lot's source>:<what was left of it>`).
    pub fn expire_lots(&mut self, now: DateTime<Utc>) -> Vec<Posted> {
        let mut due: Vec<(CustomerId, DateTime<Utc>, String, i64)> = Vec::new();
        for (customer, lots) in &self.lots {
            for lot in lots {
                if lot.remaining > 0 && lot.expires_at() <= now {
                    due.push((*customer, lot.earned_at, lot.source.clone(), lot.remaining));
                }
            }
        }
        due.sort();
        let mut made = Vec::new();
        for (customer, _, source, remaining) in due {
            let available = self.balance(Account::Customer(customer)).available();
            let amount = remaining.min(available);
            if amount <= 0 {
                continue;
            }
            let t = Transfer {
                // What is left of a lot only falls, so a lot expired in part (held
                // points kept some back) and again later gets a new id each time.
                id: format!("expiry:{source}:{remaining}"),
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
    fn post(&mut self, debit: Account, credit: Account, amount: i64, source: &str, now: DateTime<Utc>) {
        self.balances.entry(debit).or_default().debits_posted += amount;
        self.balances.entry(credit).or_default().credits_posted += amount;
        if let Account::Customer(c) = debit {
            // Spent or expired: the oldest lots first.
            self.touched_lots.insert(c);
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
            self.touched_lots.insert(c);
            self.lots.entry(c).or_default().push_back(Lot {
                source: source.to_owned(),
                earned_at: now,
                remaining: amount,
            });
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
        let posted = l.decide("post-hold", "hold", true, at(0)).unwrap();
        assert_eq!(posted.state, State::Posted);
        assert_eq!(l.decide("post-hold", "hold", true, at(1)).unwrap(), posted, "the same decision again");
        assert_eq!(l.decide("post-hold", "hold", false, at(1)), Err(LedgerError::IdReused("post-hold".into())));
        assert_eq!(l.decide("void-hold", "hold", false, at(0)), Err(LedgerError::NotPending("hold".into())));
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

        // Held points are kept back from expiry; once the hold is voided they expire too, under another id.
        l.apply(earn("c", 2, 100), at(0)).unwrap();
        l.apply(Transfer { kind: Kind::Pending { timeout: at(800) }, ..spend("hold", 2, 70) }, at(10)).unwrap();
        let first = l.expire_lots(at(731));
        assert_eq!(
            first.iter().map(|p| (p.transfer.id.as_str(), p.transfer.amount)).collect::<Vec<_>>(),
            vec![("expiry:c:100", 30)]
        );
        l.void_timed_out(at(800));
        let second = l.expire_lots(at(800));
        assert_eq!(
            second.iter().map(|p| (p.transfer.id.as_str(), p.transfer.amount)).collect::<Vec<_>>(),
            vec![("expiry:c:70", 70)]
        );
        assert_eq!(
            l.balance(Account::Customer(CustomerId(2))),
            Balance { debits_posted: 100, credits_posted: 100, ..Balance::default() }
        );
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
                    3 => { let _ = l.decide(&format!("d{k}"), &id, true, now); }
                    4 => { let _ = l.decide(&format!("d{k}"), &id, false, now); }
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
