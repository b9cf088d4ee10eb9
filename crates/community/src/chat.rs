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
            if n.is_whitespace() || (n.is_ascii_punctuation() && n != '_' && n != '-') || "，。：；！？、".contains(n) {
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
