//! `brokerdesk screen`: the screening that content and chat go through,
//! asked from the command line: one text, or a corpus scored for recall and
//! false positives on both paths (issue 29).

use anyhow::Context;
use community::screening::{Lexicon, Screen};
use std::path::PathBuf;

/// Screen a text, or score a corpus, with the firm's lexicon (or another).
#[derive(Debug, clap::Args)]
pub struct ScreenArgs {
    /// A corpus of `expect<TAB>category<TAB>text` lines (expect: banned or harmless).
    #[arg(long, conflicts_with = "text")]
    corpus: Option<PathBuf>,
    /// One text to screen.
    #[arg(long)]
    text: Option<String>,
    /// A lexicon (JSON) instead of the shipped one.
    #[arg(long)]
    lexicon: Option<PathBuf>,
    /// Print JSON (a corpus: recall, false_positive_rate, per path and category, misses).
    #[arg(long)]
    json: bool,
}

/// Screens the text or scores the corpus.
pub fn run(args: ScreenArgs) -> anyhow::Result<()> {
    if let Some(path) = &args.lexicon {
        let json = std::fs::read_to_string(path).with_context(|| format!("reading the lexicon {}", path.display()))?;
        let lexicon = Lexicon::parse(&json).with_context(|| format!("the lexicon {}", path.display()))?;
        Screen::install(&lexicon);
    }
    if let Some(path) = &args.corpus {
        let text = std::fs::read_to_string(path).with_context(|| format!("reading the corpus {}", path.display()))?;
        let score = community::corpus::evaluate(&text);
        for bad in &score.bad_lines {
            eprintln!("{}:{}: {}", path.display(), bad.line, bad.reason);
        }
        if args.json {
            println!("{}", serde_json::to_string_pretty(&score)?);
        } else {
            println!(
                "lexicon {}: {} banned, {} harmless; recall {:.2}%, false positives {:.2}%",
                score.lexicon,
                score.banned,
                score.harmless,
                score.recall * 100.0,
                score.false_positive_rate * 100.0
            );
            for (name, path_score) in [("content", &score.content), ("chat", &score.chat)] {
                println!(
                    "  {name}: recall {:.2}%, false positives {:.2}%",
                    path_score.recall * 100.0,
                    path_score.false_positive_rate * 100.0
                );
                for (line, text) in &path_score.missed {
                    println!("    missed, line {line}: {text}");
                }
                for (line, text, why) in &path_score.flagged {
                    println!("    flagged, line {line}: {text} ({why})");
                }
            }
        }
        return Ok(());
    }
    let Some(text) = &args.text else { anyhow::bail!("give --text TEXT or --corpus FILE") };
    let hits = Screen::firm().check(text, &[]);
    if args.json {
        println!("{}", serde_json::json!({ "lexicon": Screen::firm().version(), "hits": hits }));
    } else if hits.is_empty() {
        println!("passes (lexicon {})", Screen::firm().version());
    } else {
        for hit in &hits {
            println!("{}: \"{}\" matched {}", hit.category.as_str(), hit.matched, hit.reason());
        }
    }
    Ok(())
}
