//! Who may enter a group: only real-name-verified customers of the firm,
//! not banned by the group's advisor, while the group has room, by an
//! application or an invite link that has not expired. Every refusal says
//! why in words a customer understands.

use crate::codes;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// Members a group holds unless its advisor sets otherwise.
pub const DEFAULT_CAPACITY: u32 = 500;
/// Co-admins a group may have besides its advisor.
pub const MAX_CO_ADMINS: usize = 3;

/// How the customer came to the group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// Applied; the advisor approves or rejects.
    Application,
    /// Followed an invite link that expires at this moment.
    Invite {
        /// When the link stops working.
        expires_at: DateTime<Utc>,
    },
}

/// What is known of the customer and the group when they ask to enter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Applicant {
    /// A customer of this firm (not a stranger with a link).
    pub firm_customer: bool,
    /// Real-name verification done.
    pub real_name_verified: bool,
    /// Banned from this advisor's groups.
    pub banned_by_advisor: bool,
    /// Already a member.
    pub member: bool,
}

/// Why a customer may not enter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryRefusal {
    /// Not a customer of the firm.
    NotACustomer,
    /// Real-name verification is not done.
    NotVerified,
    /// The advisor has banned them from their groups.
    Banned,
    /// The group is full.
    Full,
    /// The invite link has expired.
    InviteExpired,
    /// Already in the group.
    AlreadyMember,
}

impl EntryRefusal {
    /// Its stable code; the customer reads the catalogue's `error-<code>`.
    pub fn code(self) -> domain::Code {
        match self {
            EntryRefusal::NotACustomer => codes::NOT_A_CUSTOMER,
            EntryRefusal::NotVerified => codes::REAL_NAME_REQUIRED,
            EntryRefusal::Banned => codes::BANNED_BY_ADVISOR,
            EntryRefusal::Full => codes::GROUP_FULL,
            EntryRefusal::InviteExpired => codes::INVITE_EXPIRED,
            EntryRefusal::AlreadyMember => codes::ALREADY_MEMBER,
        }
    }
}

/// What becomes of a request to enter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Admission {
    /// In at once (a valid invite).
    Admitted,
    /// Waits for the advisor's approval (an application).
    AwaitsApproval,
    /// Refused, and why.
    Refused(EntryRefusal),
}

/// Decides a request to enter a group with `members` of `capacity`, at `now`.
pub fn decide(applicant: Applicant, route: Route, members: u32, capacity: u32, now: DateTime<Utc>) -> Admission {
    let refused = |r| Admission::Refused(r);
    if !applicant.firm_customer {
        return refused(EntryRefusal::NotACustomer);
    }
    if !applicant.real_name_verified {
        return refused(EntryRefusal::NotVerified);
    }
    if applicant.banned_by_advisor {
        return refused(EntryRefusal::Banned);
    }
    if applicant.member {
        return refused(EntryRefusal::AlreadyMember);
    }
    if members >= capacity {
        return refused(EntryRefusal::Full);
    }
    match route {
        Route::Application => Admission::AwaitsApproval,
        Route::Invite { expires_at } if now >= expires_at => refused(EntryRefusal::InviteExpired),
        Route::Invite { .. } => Admission::Admitted,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: Applicant =
        Applicant { firm_customer: true, real_name_verified: true, banned_by_advisor: false, member: false };

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().to_utc()
    }

    #[test]
    fn verified_customers_apply_or_follow_a_live_invite() {
        let now = at("2026-11-23T02:00:00Z");
        assert_eq!(decide(GOOD, Route::Application, 10, DEFAULT_CAPACITY, now), Admission::AwaitsApproval);
        let live = Route::Invite { expires_at: at("2026-11-24T02:00:00Z") };
        assert_eq!(decide(GOOD, live, 10, DEFAULT_CAPACITY, now), Admission::Admitted);
        let dead = Route::Invite { expires_at: now };
        assert_eq!(decide(GOOD, dead, 10, DEFAULT_CAPACITY, now), Admission::Refused(EntryRefusal::InviteExpired));
    }

    #[test]
    fn refusals_say_why() {
        let now = at("2026-11-23T02:00:00Z");
        let unverified = Applicant { real_name_verified: false, ..GOOD };
        let refusal = decide(unverified, Route::Application, 0, DEFAULT_CAPACITY, now);
        assert_eq!(refusal, Admission::Refused(EntryRefusal::NotVerified));
        assert_eq!(
            domain::english(&EntryRefusal::NotVerified.code().refuse()),
            "complete real-name verification before joining a group"
        );
        let stranger = Applicant { firm_customer: false, ..GOOD };
        assert_eq!(decide(stranger, Route::Application, 0, 500, now), Admission::Refused(EntryRefusal::NotACustomer));
        let banned = Applicant { banned_by_advisor: true, ..GOOD };
        assert_eq!(decide(banned, Route::Application, 0, 500, now), Admission::Refused(EntryRefusal::Banned));
        assert_eq!(decide(GOOD, Route::Application, 500, 500, now), Admission::Refused(EntryRefusal::Full));
        let member = Applicant { member: true, ..GOOD };
        assert_eq!(decide(member, Route::Application, 1, 500, now), Admission::Refused(EntryRefusal::AlreadyMember));
    }
}
