//! Seed users of a group (seed 001): the enthusiastic type (many messages,
//! quick replies to the advisor's topics, welcomes newcomers) and the expert
//! type (fewer, substantive messages that draw replies; a good track record
//! where classification knows one), each with the figures that decided it.

use serde::Serialize;

/// A member's activity in a group over the period looked at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MemberActivity {
    /// Member (customer) id.
    pub customer_id: i64,
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
    pub customer_id: i64,
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

    #[test]
    fn enthusiasts_and_experts_are_told_apart_with_reasons() {
        let mut members: Vec<MemberActivity> =
            (0..20).map(|i| MemberActivity { customer_id: i, messages: 5, ..Default::default() }).collect();
        // A chatty welcomer, a quiet expert, a chatty member who never engages, a proven trader.
        members[0] = MemberActivity { customer_id: 0, messages: 60, welcomes: 4, ..Default::default() };
        members[1] =
            MemberActivity { customer_id: 1, messages: 8, substantive: 6, replies_drawn: 15, ..Default::default() };
        members[2] = MemberActivity { customer_id: 2, messages: 55, ..Default::default() };
        members[3] = MemberActivity {
            customer_id: 3,
            messages: 6,
            substantive: 3,
            successful_trader: true,
            ..Default::default()
        };
        let seeds = seed_users(&members);
        let found: Vec<(i64, SeedKind)> = seeds.iter().map(|s| (s.customer_id, s.kind)).collect();
        assert_eq!(found, vec![(0, SeedKind::Enthusiastic), (1, SeedKind::Expert), (3, SeedKind::Expert)]);
        assert!(seeds[0].reasons[0].starts_with("messages 60"));
        assert!(seeds[2].reasons.contains(&"track_record successful".to_string()));
    }
}
