//! The risk questionnaire (风险测评): questions, options and points from a
//! versioned configuration, scored 0-100 and placed in a class by the
//! configured cut-offs (C1-lowest at 0, then C1 from 1, C2 from 20, C3 from
//! 37, C4 from 54, C5 from 83 by default). One question asks the horizon,
//! one the varieties. An answer marked `lowest` (no loss can be borne)
//! places the investor in C1-lowest whatever the score: that is what the
//! class means. A result holds for `valid_days`, then is asked again.

use crate::codes;
use chrono::{DateTime, Duration, Utc};
use domain::{Horizon, InvestorClass, Refusal, Variety};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The firm's questionnaire as shipped.
const STANDARD: &str = include_str!("../questionnaire.json");

/// A questionnaire that does not hold together.
#[derive(Debug, thiserror::Error)]
#[error("the questionnaire configuration: {0}")]
pub struct ConfigError(String);

/// The score each class starts at (C1-lowest is a score of 0).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cutoffs {
    /// C1 from this score.
    #[serde(rename = "C1")]
    pub c1: u8,
    /// C2 from this score.
    #[serde(rename = "C2")]
    pub c2: u8,
    /// C3 from this score.
    #[serde(rename = "C3")]
    pub c3: u8,
    /// C4 from this score.
    #[serde(rename = "C4")]
    pub c4: u8,
    /// C5 from this score.
    #[serde(rename = "C5")]
    pub c5: u8,
}

/// What a question asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuestionKind {
    /// One option, with points.
    Scored,
    /// One option, naming a horizon.
    Horizon,
    /// Any options (at least one), each naming a variety.
    Varieties,
}

/// One option of a question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    /// Its id within the question (`a`, `b`, ...).
    pub id: String,
    /// In Chinese.
    pub zh: String,
    /// In English.
    pub en: String,
    /// Points, for a scored question.
    #[serde(default)]
    pub points: u32,
    /// Whether choosing it places the investor in C1-lowest.
    #[serde(default)]
    pub lowest: bool,
    /// The horizon it names, for the horizon question.
    #[serde(default)]
    pub horizon: Option<Horizon>,
    /// The variety it names, for the varieties question.
    #[serde(default)]
    pub variety: Option<Variety>,
}

/// One question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Question {
    /// Stable id, the key of its answer.
    pub id: String,
    /// What it asks.
    pub kind: QuestionKind,
    /// In Chinese.
    pub zh: String,
    /// In English.
    pub en: String,
    /// Its options.
    pub options: Vec<Choice>,
}

impl Question {
    /// The question's text in a language.
    pub fn text(&self, locale: messages::Locale) -> &str {
        match locale {
            messages::Locale::Zh => &self.zh,
            messages::Locale::En => &self.en,
        }
    }
}

impl Choice {
    /// The option's text in a language.
    pub fn text(&self, locale: messages::Locale) -> &str {
        match locale {
            messages::Locale::Zh => &self.zh,
            messages::Locale::En => &self.en,
        }
    }
}

/// A versioned questionnaire with its scoring.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Questionnaire {
    /// Stored with every result, so a result says which questions it answered.
    pub version: String,
    /// Days a result holds before it is asked again.
    pub valid_days: u32,
    /// Where each class starts.
    pub cutoffs: Cutoffs,
    /// The questions, in order.
    pub questions: Vec<Question>,
}

/// Answers by question id: the chosen options' ids.
pub type Answers = BTreeMap<String, Vec<String>>;

/// A scored questionnaire: what the gate relies on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assessment {
    /// The questionnaire's version.
    pub version: String,
    /// 0 to 100.
    pub score: u8,
    /// The class the score (or a `lowest` answer) places the investor in.
    pub class: InvestorClass,
    /// How long they mean to invest.
    pub horizon: Horizon,
    /// What they mean to invest in.
    pub varieties: Vec<Variety>,
    /// The answers as given.
    pub answers: Answers,
    /// Whether a `lowest` answer decided the class.
    pub lowest_answer: bool,
}

impl Questionnaire {
    /// The firm's questionnaire as shipped.
    pub fn standard() -> Questionnaire {
        Questionnaire::from_json(STANDARD).expect("the shipped questionnaire holds together")
    }

    /// Reads a questionnaire from JSON and checks it.
    pub fn from_json(text: &str) -> Result<Questionnaire, ConfigError> {
        let q: Questionnaire = serde_json::from_str(text).map_err(|e| ConfigError(e.to_string()))?;
        q.check()?;
        Ok(q)
    }

    /// Checks that it can be scored: ascending cut-offs within 1..=100, one
    /// horizon and one varieties question, options that say what their kind needs.
    pub fn check(&self) -> Result<(), ConfigError> {
        let c = &self.cutoffs;
        let edges = [c.c1, c.c2, c.c3, c.c4, c.c5];
        if edges[0] < 1 || edges.windows(2).any(|w| w[0] >= w[1]) || edges[4] > 100 {
            return Err(ConfigError(format!("cut-offs must rise within 1..=100, not {edges:?}")));
        }
        if self.valid_days == 0 {
            return Err(ConfigError("valid_days must be above 0".into()));
        }
        let count = |k: QuestionKind| self.questions.iter().filter(|q| q.kind == k).count();
        if count(QuestionKind::Horizon) != 1 || count(QuestionKind::Varieties) != 1 {
            return Err(ConfigError("exactly one horizon and one varieties question".into()));
        }
        if self.max_points() == 0 {
            return Err(ConfigError("the scored questions carry no points".into()));
        }
        let mut ids = std::collections::HashSet::new();
        for q in &self.questions {
            if !ids.insert(&q.id) || q.options.is_empty() {
                return Err(ConfigError(format!("question {} is repeated or has no options", q.id)));
            }
            for o in &q.options {
                let fits = match q.kind {
                    QuestionKind::Scored => o.horizon.is_none() && o.variety.is_none(),
                    QuestionKind::Horizon => o.horizon.is_some() && o.variety.is_none() && o.points == 0,
                    QuestionKind::Varieties => o.variety.is_some() && o.horizon.is_none() && o.points == 0,
                };
                if !fits {
                    return Err(ConfigError(format!(
                        "option {} of {} does not fit a {:?} question",
                        o.id, q.id, q.kind
                    )));
                }
            }
        }
        Ok(())
    }

    fn max_points(&self) -> u32 {
        self.questions
            .iter()
            .filter(|q| q.kind == QuestionKind::Scored)
            .map(|q| q.options.iter().map(|o| o.points).max().unwrap_or(0))
            .sum()
    }

    /// The class a score places an investor in.
    pub fn class_of(&self, score: u8) -> InvestorClass {
        let c = &self.cutoffs;
        match score {
            s if s >= c.c5 => InvestorClass::C5,
            s if s >= c.c4 => InvestorClass::C4,
            s if s >= c.c3 => InvestorClass::C3,
            s if s >= c.c2 => InvestorClass::C2,
            s if s >= c.c1 => InvestorClass::C1,
            _ => InvestorClass::Lowest,
        }
    }

    /// Scores a set of answers: every question answered, each with its own
    /// options (one, or for the varieties any number from one).
    pub fn score(&self, answers: &Answers) -> Result<Assessment, Refusal> {
        if let Some(unknown) = answers.keys().find(|k| self.questions.iter().all(|q| &q.id != *k)) {
            return Err(codes::QUESTION_UNKNOWN.refuse().on("answers").with("question", unknown));
        }
        let (mut points, mut lowest_answer) = (0u32, false);
        let (mut horizon, mut varieties) = (None, Vec::new());
        for q in &self.questions {
            let chosen = answers.get(&q.id).filter(|c| !c.is_empty());
            let Some(chosen) = chosen else {
                return Err(codes::QUESTION_UNANSWERED.refuse().on("answers").with("question", &q.id));
            };
            if q.kind != QuestionKind::Varieties && chosen.len() > 1 {
                return Err(codes::ONE_OPTION_ONLY.refuse().on("answers").with("question", &q.id));
            }
            for id in chosen {
                let Some(o) = q.options.iter().find(|o| &o.id == id) else {
                    return Err(codes::OPTION_UNKNOWN
                        .refuse()
                        .on("answers")
                        .with("question", &q.id)
                        .with("option", id));
                };
                points += o.points;
                lowest_answer |= o.lowest;
                if let Some(h) = o.horizon {
                    horizon = Some(h);
                }
                if let Some(v) = o.variety.filter(|v| !varieties.contains(v)) {
                    varieties.push(v);
                }
            }
        }
        // Rounded to the nearest point: the cut-offs are whole points.
        let max = self.max_points();
        let score = ((points * 100 + max / 2) / max).min(100) as u8;
        let class = if lowest_answer { InvestorClass::Lowest } else { self.class_of(score) };
        varieties.sort_by_key(|v| Variety::ALL.iter().position(|w| w == v));
        Ok(Assessment {
            version: self.version.clone(),
            score,
            class,
            horizon: horizon.expect("the horizon question is answered"),
            varieties,
            answers: answers.clone(),
            lowest_answer,
        })
    }

    /// Until when a result taken at `taken` holds.
    pub fn valid_until(&self, taken: DateTime<Utc>) -> DateTime<Utc> {
        taken + Duration::days(i64::from(self.valid_days))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answers(pick: &str) -> Answers {
        let q = Questionnaire::standard();
        q.questions
            .iter()
            .map(|question| {
                let chosen = match question.kind {
                    QuestionKind::Varieties => vec!["b".to_owned(), "c".to_owned()],
                    QuestionKind::Horizon => vec!["c".to_owned()],
                    QuestionKind::Scored => vec![pick.to_owned()],
                };
                (question.id.clone(), chosen)
            })
            .collect()
    }

    #[test]
    fn the_default_cutoffs_place_each_score_in_its_class() {
        let q = Questionnaire::standard();
        let expect = [
            (0, InvestorClass::Lowest),
            (1, InvestorClass::C1),
            (19, InvestorClass::C1),
            (20, InvestorClass::C2),
            (36, InvestorClass::C2),
            (37, InvestorClass::C3),
            (53, InvestorClass::C3),
            (54, InvestorClass::C4),
            (82, InvestorClass::C4),
            (83, InvestorClass::C5),
            (100, InvestorClass::C5),
        ];
        for (score, class) in expect {
            assert_eq!(q.class_of(score), class, "score {score}");
        }
    }

    #[test]
    fn answers_are_scored_to_a_class_horizon_and_varieties() {
        let q = Questionnaire::standard();
        let top = q.score(&answers("d")).unwrap();
        assert_eq!((top.score, top.class, top.horizon), (100, InvestorClass::C5, Horizon::Long));
        assert_eq!(top.varieties, vec![Variety::Stocks, Variety::Funds]);
        assert_eq!(top.version, "2026-1");
        let middle = q.score(&answers("c")).unwrap();
        assert_eq!((middle.score, middle.class), (67, InvestorClass::C4));
        let mut b = answers("b");
        assert_eq!(q.score(&b).unwrap().class, InvestorClass::C2, "a score of 33");
        // One answer that no loss can be borne makes the investor the lowest class.
        b.insert("loss_borne".into(), vec!["a".into()]);
        let lowest = q.score(&b).unwrap();
        assert_eq!((lowest.class, lowest.lowest_answer), (InvestorClass::Lowest, true));
        // All the least answers score 0: the lowest class by the cut-off alone.
        let mut none = answers("a");
        none.insert("goal".into(), vec!["b".into()]);
        none.insert("loss_borne".into(), vec!["b".into()]);
        let small = q.score(&none).unwrap();
        assert_eq!((small.score, small.class), (8, InvestorClass::C1));
    }

    #[test]
    fn a_missing_unknown_or_doubled_answer_is_refused_with_the_question() {
        let q = Questionnaire::standard();
        let mut a = answers("c");
        a.remove("income");
        let e = q.score(&a).unwrap_err();
        assert!(e.is(codes::QUESTION_UNANSWERED) && format!("{e:?}").contains("income"), "{e:?}");
        let mut a = answers("c");
        a.insert("income".into(), vec!["z".into()]);
        assert!(q.score(&a).unwrap_err().is(codes::OPTION_UNKNOWN));
        let mut a = answers("c");
        a.insert("income".into(), vec!["a".into(), "b".into()]);
        assert!(q.score(&a).unwrap_err().is(codes::ONE_OPTION_ONLY));
        let mut a = answers("c");
        a.insert("shoe_size".into(), vec!["a".into()]);
        assert!(q.score(&a).unwrap_err().is(codes::QUESTION_UNKNOWN));
    }

    #[test]
    fn a_questionnaire_that_cannot_be_scored_is_refused_when_read() {
        let mut q = Questionnaire::standard();
        q.cutoffs.c3 = 10;
        assert!(q.check().is_err(), "cut-offs out of order");
        let mut q = Questionnaire::standard();
        q.questions.retain(|q| q.kind != QuestionKind::Horizon);
        assert!(q.check().is_err(), "no horizon question");
        assert!(Questionnaire::from_json(r#"{"version":"x"}"#).is_err());
    }
}
