//! A reproducible stream of ledger steps, as a broker's points see them:
//! earnings, spends, holds, red envelopes sent, opened and returned,
//! referral rewards pending then posted or voided, time-outs, expiry, and
//! repeats of each (some with another body). The model test runs it against
//! the pure ledger and the store side by side; the benchmark times it.

use crate::ledger::{Account, FirmAccount, Kind, Operation, Transfer};
use chrono::{DateTime, Duration, Utc};
use domain::CustomerId;
use rand::{Rng, SeedableRng};
use rand_pcg::Pcg64Mcg;
use serde::{Deserialize, Serialize};

/// What a step does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Work {
    /// A transfer or a decision.
    Run(Operation),
    /// Voids the pending transfers timed out by now.
    VoidTimedOut,
    /// Expires the lots past their life by now.
    ExpireLots,
}

/// One step at its moment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    /// When it happens.
    pub at: DateTime<Utc>,
    /// What it does.
    pub work: Work,
}

/// The generator's state: what it has asked for (not what the ledger made of it).
#[derive(Debug)]
pub struct Workload {
    rng: Pcg64Mcg,
    customers: i64,
    now: DateTime<Utc>,
    step: u64,
    /// Recent transfers asked for (to repeat, correct, decide).
    recent: Vec<Transfer>,
    /// Pending transfers asked for.
    pending: Vec<String>,
    /// Red envelopes sent: (id, sender, points not yet handed out).
    envelopes: Vec<(String, CustomerId, i64)>,
}

const RECENT: usize = 256;

impl Workload {
    /// A stream over `customers` customers from `start`, seeded.
    pub fn new(seed: u64, customers: i64, start: DateTime<Utc>) -> Workload {
        Workload {
            rng: Pcg64Mcg::seed_from_u64(seed),
            customers: customers.max(2),
            now: start,
            step: 0,
            recent: Vec::new(),
            pending: Vec::new(),
            envelopes: Vec::new(),
        }
    }

    fn customer(&mut self) -> CustomerId {
        CustomerId(self.rng.gen_range(1..=self.customers))
    }

    fn transfer(&mut self, debit: Account, credit: Account, amount: i64, reason: &str, kind: Kind) -> Transfer {
        Transfer { id: format!("w{}", self.step), debit, credit, amount, reason: reason.into(), kind, corrects: None }
    }

    fn remember(&mut self, t: Transfer) -> Work {
        if self.recent.len() == RECENT {
            let i = self.rng.gen_range(0..RECENT);
            self.recent.swap_remove(i);
        }
        self.recent.push(t.clone());
        Work::Run(Operation::Apply(t))
    }

    /// The next step.
    pub fn next_step(&mut self) -> Step {
        self.step += 1;
        // Half an hour a step: lots outlive 35,000 steps, referral rewards 4,300.
        self.now += Duration::minutes(30);
        let issuance = Account::Firm(FirmAccount::Issuance);
        let escrow = Account::Firm(FirmAccount::EnvelopeEscrow);
        let roll = self.rng.gen_range(0..1000);
        let work = match roll {
            0..=339 => {
                let (c, amount) = (self.customer(), self.rng.gen_range(1..=300));
                let t = self.transfer(issuance, Account::Customer(c), amount, "earn", Kind::Single);
                self.remember(t)
            }
            340..=519 => {
                let (c, amount) = (self.customer(), self.rng.gen_range(1..=400));
                let t = self.transfer(
                    Account::Customer(c),
                    Account::Firm(FirmAccount::Redemption),
                    amount,
                    "redeem",
                    Kind::Single,
                );
                self.remember(t)
            }
            520..=559 => {
                // A hold on points for a reward being prepared, a day to post or void.
                let (c, amount) = (self.customer(), self.rng.gen_range(1..=200));
                let kind = Kind::Pending { timeout: self.now + Duration::days(1) };
                let t =
                    self.transfer(Account::Customer(c), Account::Firm(FirmAccount::Redemption), amount, "hold", kind);
                self.pending.push(t.id.clone());
                self.remember(t)
            }
            560..=619 => {
                let (c, amount) = (self.customer(), self.rng.gen_range(10..=200));
                let t = self.transfer(Account::Customer(c), escrow, amount, "envelope_send", Kind::Single);
                self.envelopes.push((t.id.clone(), c, amount));
                self.remember(t)
            }
            620..=719 if !self.envelopes.is_empty() => {
                let i = self.rng.gen_range(0..self.envelopes.len());
                let (envelope, _, left) = self.envelopes[i].clone();
                let share = self.rng.gen_range(1..=left.clamp(1, 50));
                let c = self.customer();
                let mut t = self.transfer(escrow, Account::Customer(c), share.min(left), "envelope_open", Kind::Single);
                t.id = format!("{envelope}:open:{}", self.step);
                self.envelopes[i].2 -= t.amount;
                if self.envelopes[i].2 <= 0 {
                    self.envelopes.swap_remove(i);
                }
                self.remember(t)
            }
            720..=739 if !self.envelopes.is_empty() => {
                // Unopened points return to the sender.
                let i = self.rng.gen_range(0..self.envelopes.len());
                let (envelope, sender, left) = self.envelopes.swap_remove(i);
                let mut t = self.transfer(escrow, Account::Customer(sender), left, "envelope_return", Kind::Single);
                t.id = format!("{envelope}:return");
                self.remember(t)
            }
            740..=799 => {
                let (c, amount) = (self.customer(), self.rng.gen_range(100..=1000));
                let kind = Kind::Pending { timeout: self.now + Duration::days(90) };
                let t = self.transfer(
                    Account::Firm(FirmAccount::ReferralPending),
                    Account::Customer(c),
                    amount,
                    "referral",
                    kind,
                );
                self.pending.push(t.id.clone());
                self.remember(t)
            }
            800..=879 if !self.pending.is_empty() => {
                let i = self.rng.gen_range(0..self.pending.len());
                let id = if self.rng.gen_bool(0.8) { self.pending.swap_remove(i) } else { self.pending[i].clone() };
                let post = self.rng.gen_bool(0.6);
                // Some decisions repeat an earlier one's id (answered again, or refused).
                let decision =
                    if self.rng.gen_bool(0.1) { format!("decide:{id}") } else { format!("decide:{id}:{}", self.step) };
                Work::Run(Operation::Decide { decision, id, post })
            }
            880..=959 if !self.recent.is_empty() => {
                let i = self.rng.gen_range(0..self.recent.len());
                let mut t = self.recent[i].clone();
                if self.rng.gen_bool(0.3) {
                    t.amount += 1; // the same id with another body: refused
                }
                Work::Run(Operation::Apply(t))
            }
            960..=979 if !self.recent.is_empty() => {
                // A correction: points given in error taken back, linked to the first transfer.
                let i = self.rng.gen_range(0..self.recent.len());
                let first = self.recent[i].clone();
                let mut t = self.transfer(first.credit, first.debit, first.amount, "correction", Kind::Single);
                t.corrects = Some(first.id);
                self.remember(t)
            }
            980..=989 => Work::VoidTimedOut,
            990..=999 => Work::ExpireLots,
            _ => {
                let (c, amount) = (self.customer(), self.rng.gen_range(1..=50));
                let t = self.transfer(issuance, Account::Customer(c), amount, "earn", Kind::Single);
                self.remember(t)
            }
        };
        Step { at: self.now, work }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::{Ledger, LedgerError};
    use chrono::TimeZone;

    #[test]
    fn the_stream_is_reproducible_and_exercises_every_outcome() {
        let start = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
        let (mut a, mut b) = (Workload::new(7, 500, start), Workload::new(7, 500, start));
        let mut l = Ledger::new();
        let (mut ok, mut insufficient, mut reused, mut not_pending, mut expired) = (0, 0, 0, 0, 0);
        for _ in 0..60_000 {
            let s = a.next_step();
            assert_eq!(s, b.next_step());
            match &s.work {
                Work::Run(op) => match l.run(op, s.at) {
                    Ok(_) => ok += 1,
                    Err(LedgerError::Insufficient { .. }) => insufficient += 1,
                    Err(LedgerError::IdReused(_)) => reused += 1,
                    Err(LedgerError::NotPending(_)) => not_pending += 1,
                    Err(_) => {}
                },
                Work::VoidTimedOut => {
                    l.void_timed_out(s.at);
                }
                Work::ExpireLots => expired += l.expire_lots(s.at).len(),
            }
        }
        assert!(
            ok > 10_000 && insufficient > 100 && reused > 100 && not_pending > 10 && expired > 10,
            "{ok} {insufficient} {reused} {not_pending} {expired}"
        );
        assert_eq!(l.balances().map(|(_, b)| b.net()).sum::<i64>(), 0);
    }
}
