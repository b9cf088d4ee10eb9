//! Seed users of a group (seed 001): the enthusiastic type (many messages,
//! quick replies to the advisor's topics, welcomes newcomers) and the expert
//! type (fewer, substantive messages that draw replies; a good track record
//! where classification knows one), each with the figures that decided it.

use domain::CustomerId;
use serde::Serialize;

/// A member's activity in a group over the period looked at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemberActivity {
    /// Member (customer) id.
    pub customer_id: CustomerId,
    /// Messages sent.
    pub messages: u32,
    /// Replies to the advisor's messages within 10 minutes of them.
    pub quick_replies_to_advisor: u32,
    /// Welcomes to newcomers (replies to a join notice).
    pub welcomes: u32,
    /// Messages of at least 50 characters.
    pub substantive: u32,
    /// Replies others made to this member's messages.
    pub replies_drawn: u32,
    /// Classification says their track record is successful.
    pub successful_trader: bool,
}

/// The two kinds of seed user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SeedKind {
    /// Keeps the group alive.
    Enthusiastic,
    /// Gives the group substance.
    Expert,
}

/// A seed user and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Seed {
    /// Member id.
    pub customer_id: CustomerId,
    /// Which kind.
    pub kind: SeedKind,
    /// The figures that decided it, as "name value".
    pub reasons: Vec<String>,
}

/// Seed users among `members`: enthusiastic ones are in the top tenth of the
/// group by messages (and at least 20) with quick replies or welcomes;
/// experts have at least 5 substantive messages drawing on average two
/// replies each, or three substantive messages and a successful track record.
/// A member may be both.
pub fn seed_users(members: &[MemberActivity]) -> Vec<Seed> {
    let mut counts: Vec<u32> = members.iter().map(|m| m.messages).collect();
    counts.sort_unstable_by(|a, b| b.cmp(a));
    let top_tenth = counts.get(members.len() / 10).copied().unwrap_or(u32::MAX);
    let mut out = Vec::new();
    for m in members {
        if m.messages >= 20 && m.messages >= top_tenth && (m.quick_replies_to_advisor >= 3 || m.welcomes >= 2) {
            out.push(Seed {
                customer_id: m.customer_id,
                kind: SeedKind::Enthusiastic,
                reasons: vec![
                    format!("messages {} (top tenth from {top_tenth})", m.messages),
                    format!("quick_replies_to_advisor {}", m.quick_replies_to_advisor),
                    format!("welcomes {}", m.welcomes),
                ],
            });
        }
        let drawing = m.substantive >= 5 && m.replies_drawn >= 2 * m.substantive;
        let proven = m.substantive >= 3 && m.successful_trader;
        if drawing || proven {
            let mut reasons =
                vec![format!("substantive {}", m.substantive), format!("replies_drawn {}", m.replies_drawn)];
            if m.successful_trader {
                reasons.push("track_record successful".into());
            }
            out.push(Seed { customer_id: m.customer_id, kind: SeedKind::Expert, reasons });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A member who did nothing yet.
    fn quiet(id: i64) -> MemberActivity {
        MemberActivity {
            customer_id: CustomerId(id),
            messages: 0,
            quick_replies_to_advisor: 0,
            welcomes: 0,
            substantive: 0,
            replies_drawn: 0,
            successful_trader: false,
        }
    }

    #[test]
    fn enthusiasts_and_experts_are_told_apart_with_reasons() {
        let mut members: Vec<MemberActivity> = (0..20).map(|i| MemberActivity { messages: 5, ..quiet(i) }).collect();
        // A chatty welcomer, a quiet expert, a chatty member who never engages, a proven trader.
        members[0] = MemberActivity { messages: 60, welcomes: 4, ..quiet(0) };
        members[1] = MemberActivity { messages: 8, substantive: 6, replies_drawn: 15, ..quiet(1) };
        members[2] = MemberActivity { messages: 55, ..quiet(2) };
        members[3] = MemberActivity { messages: 6, substantive: 3, successful_trader: true, ..quiet(3) };
        let seeds = seed_users(&members);
        let found: Vec<(CustomerId, SeedKind)> = seeds.iter().map(|s| (s.customer_id, s.kind)).collect();
        let expected = [(0, SeedKind::Enthusiastic), (1, SeedKind::Expert), (3, SeedKind::Expert)];
        assert_eq!(found, expected.map(|(id, kind)| (CustomerId(id), kind)));
        assert!(seeds[0].reasons[0].starts_with("messages 60"));
        assert!(seeds[2].reasons.contains(&"track_record successful".to_string()));
    }
}
