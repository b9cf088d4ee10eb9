//! The screening corpus: evasive variants that must be caught and harmless
//! market sentences that must pass, each checked on both paths text takes
//! (published content, where many stock codes are allowed, and group chat),
//! giving recall and the false-positive rate (issue 29's goal: recall >= 95%,
//! false positives <= 1%).

use crate::moderation::{findings, GroupRules};
use serde::Serialize;
use std::collections::BTreeMap;

/// One line of the corpus.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sample {
    /// Its line number (from 1).
    pub line: usize,
    /// Must be caught.
    pub banned: bool,
    /// The category it was written for (banned lines).
    pub category: String,
    /// The text.
    pub text: String,
}

/// A line that is not a sample, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BadLine {
    /// Its line number (from 1).
    pub line: usize,
    /// Why it was not read.
    pub reason: String,
}

/// Reads `expect<TAB>category<TAB>text` lines (`#` comments, blank lines skipped);
/// a bad line is reported and the rest are read.
pub fn parse(text: &str) -> (Vec<Sample>, Vec<BadLine>) {
    let mut samples = Vec::new();
    let mut bad = Vec::new();
    for (k, raw) in text.lines().enumerate() {
        let line = k + 1;
        if raw.trim().is_empty() || raw.starts_with('#') {
            continue;
        }
        let mut cols = raw.splitn(3, '\t');
        let (expect, category, body) = (cols.next().unwrap_or(""), cols.next(), cols.next());
        let (Some(category), Some(body)) = (category, body) else {
            bad.push(BadLine { line, reason: "expected three tab-separated columns: expect, category, text".into() });
            continue;
        };
        let banned = match expect {
            "banned" => true,
            "harmless" => false,
            other => {
                bad.push(BadLine { line, reason: format!("expect is {other:?}, not banned or harmless") });
                continue;
            }
        };
        if body.trim().is_empty() {
            bad.push(BadLine { line, reason: "the text is empty".into() });
            continue;
        }
        samples.push(Sample { line, banned, category: category.to_string(), text: body.to_string() });
    }
    (samples, bad)
}

/// How one path did on the corpus.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PathScore {
    /// Banned samples caught / banned samples.
    pub recall: f64,
    /// Harmless samples flagged / harmless samples.
    pub false_positive_rate: f64,
    /// Recall per category written for.
    pub recall_by_category: BTreeMap<String, f64>,
    /// Banned samples that passed (line, text).
    pub missed: Vec<(usize, String)>,
    /// Harmless samples flagged (line, text, reason).
    pub flagged: Vec<(usize, String, String)>,
}

/// The corpus scored on both paths.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CorpusScore {
    /// The worse of the two paths' recall.
    pub recall: f64,
    /// The worse of the two paths' false-positive rate.
    pub false_positive_rate: f64,
    /// Banned samples.
    pub banned: usize,
    /// Harmless samples.
    pub harmless: usize,
    /// The lexicon's version.
    pub lexicon: String,
    /// Published content (an advisor's review may name many stocks).
    pub content: PathScore,
    /// A member's message in a group under the default rules.
    pub chat: PathScore,
    /// Lines not read.
    pub bad_lines: Vec<BadLine>,
}

fn score(samples: &[Sample], rules: &GroupRules) -> PathScore {
    let mut caught_by: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let (mut banned, mut caught, mut harmless) = (0usize, 0usize, 0usize);
    let mut missed = Vec::new();
    let mut flagged = Vec::new();
    for s in samples {
        let found = findings(rules, &s.text);
        if s.banned {
            banned += 1;
            let entry = caught_by.entry(s.category.clone()).or_default();
            entry.1 += 1;
            if found.is_empty() {
                missed.push((s.line, s.text.clone()));
            } else {
                caught += 1;
                entry.0 += 1;
            }
        } else {
            harmless += 1;
            if let Some(f) = found.first() {
                flagged.push((
                    s.line,
                    s.text.clone(),
                    format!("{}: {} [{}]", f.violation.as_str(), f.excerpt, f.reason),
                ));
            }
        }
    }
    let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    PathScore {
        recall: ratio(caught, banned),
        false_positive_rate: ratio(flagged.len(), harmless),
        recall_by_category: caught_by.into_iter().map(|(c, (a, b))| (c, ratio(a, b))).collect(),
        missed,
        flagged,
    }
}

/// Scores the corpus on content and on chat.
pub fn evaluate(text: &str) -> CorpusScore {
    let (samples, bad_lines) = parse(text);
    let content = score(&samples, &GroupRules { max_stock_codes: usize::MAX, ..GroupRules::default() });
    let chat = score(&samples, &GroupRules::default());
    CorpusScore {
        recall: content.recall.min(chat.recall),
        false_positive_rate: content.false_positive_rate.max(chat.false_positive_rate),
        banned: samples.iter().filter(|s| s.banned).count(),
        harmless: samples.iter().filter(|s| !s.banned).count(),
        lexicon: crate::screening::Screen::firm().version().to_string(),
        content,
        chat,
        bad_lines,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_lines_are_reported_and_the_rest_scored() {
        let score = evaluate("# c\nbanned\tx\t保 证 收 益\nharmless\t-\t今天收涨1%\nmaybe\t-\tx\nbanned\tonly two\n");
        assert_eq!((score.banned, score.harmless), (1, 1));
        assert_eq!(score.recall, 1.0);
        assert_eq!(score.false_positive_rate, 0.0);
        assert_eq!(score.bad_lines.iter().map(|b| b.line).collect::<Vec<_>>(), vec![4, 5]);
    }

    #[test]
    fn the_committed_corpus_meets_its_goals_on_content_and_chat() {
        let corpus = include_str!("../../../data/screening/corpus.tsv");
        let score = evaluate(corpus);
        assert!(score.banned >= 300 && score.harmless >= 300, "{} / {}", score.banned, score.harmless);
        for (path, s) in [("content", &score.content), ("chat", &score.chat)] {
            assert!(s.recall >= 0.95, "{path} recall {}: missed {:#?}", s.recall, s.missed);
            assert!(
                s.false_positive_rate <= 0.01,
                "{path} false positives {}: {:#?}",
                s.false_positive_rate,
                s.flagged
            );
        }
    }
}
