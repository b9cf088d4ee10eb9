//! A ticket: a customer's complaint or feedback (filed by them, or by staff
//! on their behalf from a phone call or the counter), routed by category to
//! the customer's advisor or the complaints team, answered within its SLA or
//! escalated to the branch manager and then compliance, closed with the
//! customer's satisfaction, and reopened when they are not satisfied.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

macro_rules! text_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vdoc])* $variant),+ }

        impl $name {
            /// Every value.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable text form.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// Reads the text form.
            pub fn parse(text: &str) -> Option<$name> {
                match text.trim() { $($text => Some($name::$variant),)+ _ => None }
            }
        }
    };
}

text_enum!(
    /// Complaint or product feedback: kept apart, counted apart.
    Kind {
        /// Something went wrong for the customer; handled under an SLA.
        Complaint = "complaint",
        /// A suggestion or a request for the product team; others vote for it.
        Feedback = "feedback",
    }
);

text_enum!(
    /// What a ticket is about.
    Category {
        /// Orders could not be placed or were handled wrongly.
        Trading = "trading",
        /// Signing in failed.
        Login = "login",
        /// Quotes were missing, late or wrong.
        Quotes = "quotes",
        /// Personal data: a leak, a wrong record.
        Data = "data",
        /// The advisor's service or advice.
        Advice = "advice",
        /// Commissions and fees.
        Fees = "fees",
        /// A product bought or offered.
        Product = "product",
        /// The app or site: a suggestion or a fault.
        App = "app",
        /// Anything else.
        Other = "other",
    }
);

text_enum!(
    /// How a ticket came in.
    Channel {
        /// The customer's own page or app.
        Online = "online",
        /// A phone call, entered by staff.
        Phone = "phone",
        /// At the branch counter, entered by staff.
        Counter = "counter",
    }
);

text_enum!(
    /// Who handles a ticket first.
    Queue {
        /// The customer's advisor.
        Advisor = "advisor",
        /// The complaints team (system faults, data, fees).
        Complaints = "complaints",
    }
);

text_enum!(
    /// Where a ticket stands.
    Status {
        /// Waiting for a reply.
        Open = "open",
        /// Replied to; the customer may close it or say it is not solved.
        Answered = "answered",
        /// Closed, with the customer's satisfaction.
        Closed = "closed",
    }
);

text_enum!(
    /// Who must act on an overdue ticket.
    Level {
        /// The queue it was routed to.
        Queue = "queue",
        /// The branch manager of the customer's branch: the SLA passed.
        Manager = "manager",
        /// Compliance: the SLA passed several times over.
        Compliance = "compliance",
    }
);

impl Category {
    /// The queue a category goes to: faults of the firm's systems, data,
    /// fees and the advisor's own service to the complaints team (an advisor
    /// does not judge a complaint about themselves); the rest to the advisor
    /// who serves the customer.
    pub fn queue(self) -> Queue {
        match self {
            Category::Trading
            | Category::Login
            | Category::Quotes
            | Category::Data
            | Category::Fees
            | Category::Advice => Queue::Complaints,
            Category::Product | Category::App | Category::Other => Queue::Advisor,
        }
    }
}

/// Where a ticket waiting since `waiting_since` stands at `now`: past its
/// SLA the branch manager, past `compliance_after` SLAs compliance. The clock
/// runs while the ticket waits for the firm (open), not while it waits for the customer.
pub fn escalation(waiting_since: DateTime<Utc>, now: DateTime<Utc>, sla: Duration, compliance_after: i64) -> Level {
    let waited = now - waiting_since;
    if waited < sla {
        Level::Queue
    } else if waited >= sla * compliance_after.clamp(1, i32::MAX as i64) as i32 && compliance_after > 1 {
        Level::Compliance
    } else {
        Level::Manager
    }
}

/// A step in a ticket's life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Staff reply.
    Reply,
    /// The customer closes it, satisfied or not (1..5).
    Close,
    /// The customer reopens a closed or answered ticket.
    Reopen,
    /// The customer adds to it.
    CustomerNote,
}

/// The status after `step`, or None when the step does not apply.
pub fn next(status: Status, step: Step) -> Option<Status> {
    match (status, step) {
        (Status::Open | Status::Answered, Step::Reply) => Some(Status::Answered),
        (Status::Open | Status::Answered, Step::Close) => Some(Status::Closed),
        (Status::Answered | Status::Closed, Step::Reopen) => Some(Status::Open),
        (Status::Open, Step::CustomerNote) => Some(Status::Open),
        (Status::Answered, Step::CustomerNote) => Some(Status::Open),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(h: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_780_000_000 + h * 3600, 0).unwrap()
    }

    #[test]
    fn an_unanswered_ticket_climbs_to_the_manager_then_compliance() {
        let sla = Duration::hours(2);
        assert_eq!(escalation(at(0), at(1), sla, 2), Level::Queue);
        assert_eq!(escalation(at(0), at(2), sla, 2), Level::Manager);
        assert_eq!(escalation(at(0), at(3), sla, 2), Level::Manager);
        assert_eq!(escalation(at(0), at(4), sla, 2), Level::Compliance);
    }

    #[test]
    fn routing_and_the_states_of_a_ticket() {
        assert_eq!(Category::Login.queue(), Queue::Complaints);
        assert_eq!(Category::Advice.queue(), Queue::Complaints, "not judged by the advisor complained of");
        assert_eq!(Category::Product.queue(), Queue::Advisor);
        assert_eq!(next(Status::Open, Step::Reply), Some(Status::Answered));
        assert_eq!(next(Status::Answered, Step::Close), Some(Status::Closed));
        assert_eq!(next(Status::Closed, Step::Reopen), Some(Status::Open));
        assert_eq!(next(Status::Closed, Step::Reply), None, "a closed ticket is reopened first");
        assert_eq!(next(Status::Open, Step::Reopen), None);
        for c in Category::ALL {
            assert_eq!(Category::parse(c.as_str()), Some(*c));
            assert_eq!(serde_json::to_value(c).unwrap(), c.as_str());
        }
    }
}
