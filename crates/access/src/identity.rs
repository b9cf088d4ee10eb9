//! Who a request acts for: roles, the signed-in principal, the rows its role
//! lets it see, passwords, lockout and session tokens.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use chrono::{DateTime, Duration, Utc};
use domain::{BranchId, CustomerId, StaffId, UserId};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::fmt;
use std::str::FromStr;
use thiserror::Error;

/// What a user is to the firm; it sets what they may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A retail customer: sees only themselves.
    Customer,
    /// An investment advisor: sees only their own customers.
    Advisor,
    /// A branch manager: sees their branch.
    Manager,
    /// Compliance: reads everything.
    Compliance,
    /// Administrator: firm set-up; reads everything.
    Admin,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 5] = [Role::Customer, Role::Advisor, Role::Manager, Role::Compliance, Role::Admin];

    /// The stable text form.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Customer => "customer",
            Role::Advisor => "advisor",
            Role::Manager => "manager",
            Role::Compliance => "compliance",
            Role::Admin => "admin",
        }
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Role::ALL.into_iter().find(|r| r.as_str() == s).ok_or_else(|| format!("'{s}' is not a role"))
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The signed-in user a request acts for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Principal {
    /// User id.
    pub user_id: UserId,
    /// Login name.
    pub login: String,
    /// Role.
    pub role: Role,
    /// The staff member this user is, for staff roles.
    pub staff_id: Option<StaffId>,
    /// The staff member's branch, for staff roles.
    pub branch_id: Option<BranchId>,
    /// The customer this user is, for the customer role.
    pub customer_id: Option<CustomerId>,
}

impl Principal {
    /// Whoever runs the command line on the firm's machine: an admin over
    /// the whole firm (the database file or URL is theirs already).
    pub fn operator() -> Principal {
        Principal {
            user_id: UserId(0),
            login: "operator".to_owned(),
            role: Role::Admin,
            staff_id: None,
            branch_id: None,
            customer_id: None,
        }
    }

    /// The rows this principal may read. Built in one place, applied by the
    /// store to every query, so no handler can forget it.
    pub fn scope(&self) -> Scope {
        match self.role {
            Role::Compliance | Role::Admin => Scope::Firm,
            Role::Manager => self.branch_id.map_or(Scope::Nothing, Scope::Branch),
            Role::Advisor => self.staff_id.map_or(Scope::Nothing, Scope::Advisor),
            Role::Customer => self.customer_id.map_or(Scope::Nothing, Scope::Customer),
        }
    }

    /// An actor name for the audit trail.
    pub fn actor(&self) -> String {
        format!("user:{}", self.user_id)
    }
}

/// The customers a principal may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Scope {
    /// The whole firm.
    Firm,
    /// One branch's customers.
    Branch(BranchId),
    /// One advisor's customers.
    Advisor(StaffId),
    /// One customer.
    Customer(CustomerId),
    /// None (a user whose link to staff or customer is missing).
    Nothing,
}

/// Why a password could not be set.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PasswordError {
    /// Too short to resist guessing.
    #[error("a password needs at least {0} characters")]
    TooShort(usize),
    /// The hasher failed (no randomness, bad parameters).
    #[error("password hashing failed: {0}")]
    Hashing(String),
}

/// Shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 10;

/// Hashes a password with argon2id and a random salt (PHC string).
pub fn hash_password(password: &str) -> Result<String, PasswordError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(PasswordError::TooShort(MIN_PASSWORD_CHARS));
    }
    let mut salt = [0u8; 16];
    getrandom::getrandom(&mut salt).map_err(|e| PasswordError::Hashing(e.to_string()))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| PasswordError::Hashing(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| PasswordError::Hashing(e.to_string()))
}

/// True when the password matches the stored hash.
pub fn verify_password(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// Failed sign-ins allowed before a temporary lockout.
pub const MAX_FAILED_SIGN_INS: i64 = 5;
/// How long a lockout lasts.
pub fn lockout_period() -> Duration {
    Duration::minutes(15)
}
/// How long a session lasts without use.
pub fn session_lifetime() -> Duration {
    Duration::hours(8)
}

/// After a failed attempt: the new count, and the lockout end if it is reached.
pub fn after_failure(failed_before: i64, now: DateTime<Utc>) -> (i64, Option<DateTime<Utc>>) {
    let failed = failed_before + 1;
    if failed >= MAX_FAILED_SIGN_INS {
        (0, Some(now + lockout_period()))
    } else {
        (failed, None)
    }
}

/// A new random secret (session token, CSRF token), 256 bits in hex.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    getrandom::getrandom(&mut bytes).expect("the OS provides randomness");
    hex(&bytes)
}

/// What the store keeps of a secret: its SHA-256, so a database leak gives no
/// usable session.
pub fn secret_digest(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_with_argon2id_and_verify() {
        let h = hash_password("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("correct horse batterY", &h));
        assert_ne!(hash_password("correct horse battery").unwrap(), h, "salted");
        assert_eq!(hash_password("short"), Err(PasswordError::TooShort(MIN_PASSWORD_CHARS)));
        assert!(!verify_password("anything", "not a hash"));
    }

    #[test]
    fn the_fifth_failure_locks_the_account() {
        let now = Utc::now();
        let mut failed = 0;
        for _ in 1..MAX_FAILED_SIGN_INS {
            let (n, lock) = after_failure(failed, now);
            assert!(lock.is_none());
            failed = n;
        }
        let (n, lock) = after_failure(failed, now);
        assert_eq!((n, lock), (0, Some(now + lockout_period())));
    }

    #[test]
    fn scope_follows_role() {
        let p = |role, staff: Option<i64>, branch: Option<i64>, customer: Option<i64>| Principal {
            user_id: UserId(1),
            login: "x".into(),
            role,
            staff_id: staff.map(StaffId),
            branch_id: branch.map(BranchId),
            customer_id: customer.map(CustomerId),
        };
        assert_eq!(p(Role::Advisor, Some(7), Some(2), None).scope(), Scope::Advisor(StaffId(7)));
        assert_eq!(p(Role::Manager, Some(1), Some(2), None).scope(), Scope::Branch(BranchId(2)));
        assert_eq!(p(Role::Customer, None, None, Some(9)).scope(), Scope::Customer(CustomerId(9)));
        assert_eq!(p(Role::Compliance, Some(3), Some(1), None).scope(), Scope::Firm);
        assert_eq!(p(Role::Advisor, None, None, None).scope(), Scope::Nothing);
    }

    #[test]
    fn secrets_are_random_and_stored_as_digests() {
        let (a, b) = (new_secret(), new_secret());
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        assert_ne!(secret_digest(&a), a);
        assert_eq!(secret_digest(&a), secret_digest(&a));
    }
}

/// A piece of personal data that is masked unless revealed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PiiField {
    /// The national ID number.
    NationalId,
    /// The mobile number.
    Phone,
}

impl PiiField {
    /// The stable text form.
    pub fn as_str(self) -> &'static str {
        match self {
            PiiField::NationalId => "national_id",
            PiiField::Phone => "phone",
        }
    }
}

impl std::str::FromStr for PiiField {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "national_id" => Ok(PiiField::NationalId),
            "phone" => Ok(PiiField::Phone),
            other => Err(format!("'{other}' is not national_id or phone")),
        }
    }
}

/// Exact searches by phone number or national ID a user may make a minute.
/// Each confirms or denies a guess, so at this rate completing a masked phone
/// number (10,000 candidates) by trying its hidden digits would take over
/// eight hours of searching, every try in the audit trail.
pub const LOOKUPS_PER_MINUTE: i64 = 20;

impl Principal {
    /// Is this principal the customer themselves? A customer sees their own
    /// data in full (the birth date); everyone else sees what masks leave.
    pub fn is_customer(&self, customer_id: CustomerId) -> bool {
        self.role == Role::Customer && self.customer_id == Some(customer_id)
    }

    /// May this principal reveal personal data of customers in their scope?
    /// Advisors (to serve), compliance (to review) and customers (their own)
    /// may; managers and admins run the firm without needing it.
    pub fn may_reveal(&self) -> bool {
        matches!(self.role, Role::Advisor | Role::Compliance | Role::Customer)
    }

    /// May this principal move a book between advisors of these branches?
    /// Admins anywhere; managers within their own branch.
    pub fn may_hand_over(&self, from_branch: BranchId, to_branch: BranchId) -> bool {
        match self.role {
            Role::Admin => true,
            Role::Manager => self.branch_id == Some(from_branch) && self.branch_id == Some(to_branch),
            _ => false,
        }
    }
}
