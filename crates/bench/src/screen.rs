//! `brokerdesk bench screen`: the screening every group message, piece of
//! content and advisor's conversation message goes through (issue 29),
//! texts per second on one core over the committed corpus, beside the exact
//! phrase check it replaced (lower-cased `contains` of every phrase) in the
//! same run; and what each catches of the corpus.

use community::corpus;
use community::moderation::{findings, GroupRules};
use community::screening::Lexicon;
use serde::Serialize;
use std::time::Instant;

/// The corpus the figures are taken over.
const CORPUS: &str = include_str!("../../../data/screening/corpus.tsv");

/// The figures.
#[derive(Debug, Clone, Serialize)]
pub struct ScreenBench {
    /// Texts in the corpus.
    pub texts: usize,
    /// Times each was screened.
    pub rounds: usize,
    /// Texts screened per second by the chat's check (normalized screen and group rules), one core.
    pub screen_texts_per_s: f64,
    /// Microseconds per text.
    pub screen_us_per_text: f64,
    /// Texts per second by the exact phrase check, the same texts, the same run.
    pub exact_texts_per_s: f64,
    /// How many times slower the screen is.
    pub slowdown: f64,
    /// The screen's recall on the corpus (chat path).
    pub screen_recall: f64,
    /// The screen's false-positive rate (chat path).
    pub screen_false_positive_rate: f64,
    /// The exact check's recall on the same corpus.
    pub exact_recall: f64,
    /// The exact check's false-positive rate.
    pub exact_false_positive_rate: f64,
}

/// The exact check: any phrase of the lexicon, lower-cased, in the lower-cased text.
fn exact(phrases: &[String], text: &str) -> bool {
    let lower = text.to_lowercase();
    phrases.iter().any(|p| lower.contains(p.as_str()))
}

/// Screens the corpus `rounds` times each way.
pub fn screen_bench(rounds: usize) -> ScreenBench {
    let (samples, _) = corpus::parse(CORPUS);
    let texts: Vec<&str> = samples.iter().map(|s| s.text.as_str()).collect();
    let rules = GroupRules::default();
    let lexicon = Lexicon::firm_default();
    let phrases: Vec<String> = lexicon.entries.iter().map(|e| e.phrase.to_lowercase()).collect();
    // Warm: the lexicon compiled, the tables paged in.
    let mut hits = 0usize;
    for t in &texts {
        hits += findings(&rules, t).len();
    }
    let started = Instant::now();
    for _ in 0..rounds {
        for t in &texts {
            hits += findings(&rules, t).len();
        }
    }
    let screen = started.elapsed().as_secs_f64();
    let started = Instant::now();
    for _ in 0..rounds {
        for t in &texts {
            hits += usize::from(exact(&phrases, t));
        }
    }
    let plain = started.elapsed().as_secs_f64();
    std::hint::black_box(hits);
    let n = (texts.len() * rounds) as f64;
    let score = corpus::evaluate(CORPUS);
    let (mut caught, mut banned, mut flagged, mut harmless) = (0usize, 0usize, 0usize, 0usize);
    for s in &samples {
        let found = exact(&phrases, &s.text);
        if s.banned {
            banned += 1;
            caught += usize::from(found);
        } else {
            harmless += 1;
            flagged += usize::from(found);
        }
    }
    ScreenBench {
        texts: texts.len(),
        rounds,
        screen_texts_per_s: n / screen,
        screen_us_per_text: screen * 1e6 / n,
        exact_texts_per_s: n / plain,
        slowdown: screen / plain,
        screen_recall: score.chat.recall,
        screen_false_positive_rate: score.chat.false_positive_rate,
        exact_recall: caught as f64 / banned.max(1) as f64,
        exact_false_positive_rate: flagged as f64 / harmless.max(1) as f64,
    }
}
