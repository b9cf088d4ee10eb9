//! What a chat message carries besides its words: the names it mentions,
//! and how response times are summarised.

/// The names mentioned with `@` (ASCII or full-width ＠), in order, each once.
/// A name runs to the next space or punctuation.
pub fn mentions(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '@' && c != '＠' {
            continue;
        }
        let mut name = String::new();
        while let Some(&n) = chars.peek() {
            if n.is_whitespace() || (n.is_ascii_punctuation() && n != '_' && n != '-') || "，。：；！？、".contains(n)
            {
                break;
            }
            name.push(n);
            chars.next();
        }
        if !name.is_empty() && !out.contains(&name) {
            out.push(name);
        }
    }
    out
}

/// A token bucket: at most `capacity` at once, refilled at `per_second`.
/// A chat socket uses one, so a client sending faster than anyone types is
/// answered "slow down" before its messages cost the group anything.
#[derive(Debug, Clone)]
pub struct RateLimit {
    capacity: f64,
    per_second: f64,
    tokens: f64,
    last: Option<std::time::Instant>,
}

impl RateLimit {
    /// A full bucket of `capacity`, refilled at `per_second`.
    pub fn new(capacity: u32, per_second: u32) -> RateLimit {
        RateLimit { capacity: capacity as f64, per_second: per_second as f64, tokens: capacity as f64, last: None }
    }

    /// Takes a token at `now`; false when none is left.
    pub fn admit(&mut self, now: std::time::Instant) -> bool {
        if let Some(last) = self.last {
            let refill = now.saturating_duration_since(last).as_secs_f64() * self.per_second;
            self.tokens = (self.tokens + refill).min(self.capacity);
        }
        self.last = Some(now);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// The `p`th percentile (1-100) of `values` by the nearest-rank method:
/// the smallest value at or below which `p`% of values lie. None when empty.
pub fn percentile(values: &[i64], p: u32) -> Option<i64> {
    if values.is_empty() || p == 0 || p > 100 {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    let rank = (p as usize * sorted.len()).div_ceil(100);
    sorted.get(rank.max(1) - 1).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mentions_are_found_once_each_in_either_alphabet() {
        assert_eq!(mentions("@王芳 看一下，＠Li_Wei: and @王芳 again"), vec!["王芳", "Li_Wei"]);
        assert_eq!(mentions("mail me at nobody@ or @ alone"), Vec::<String>::new());
        assert_eq!(mentions("@张伟，你好"), vec!["张伟"]);
    }

    #[test]
    fn the_rate_limit_allows_a_burst_then_the_refill_rate() {
        let start = std::time::Instant::now();
        let mut limit = RateLimit::new(3, 2);
        assert!((0..3).all(|_| limit.admit(start)));
        assert!(!limit.admit(start), "the burst is spent");
        let half = start + std::time::Duration::from_millis(500);
        assert!(limit.admit(half), "one token back after half a second at 2/s");
        assert!(!limit.admit(half));
        let later = start + std::time::Duration::from_secs(60);
        assert!((0..3).all(|_| limit.admit(later)), "never more than the capacity");
        assert!(!limit.admit(later));
    }

    #[test]
    fn nearest_rank_percentiles() {
        let v: Vec<i64> = (1..=100).rev().collect();
        assert_eq!(percentile(&v, 50), Some(50));
        assert_eq!(percentile(&v, 99), Some(99));
        assert_eq!(percentile(&v, 100), Some(100));
        assert_eq!(percentile(&[7], 99), Some(7));
        assert_eq!(percentile(&[3, 1, 2], 50), Some(2));
        assert_eq!(percentile(&[], 50), None);
        assert_eq!(percentile(&[1], 0), None);
    }
}
