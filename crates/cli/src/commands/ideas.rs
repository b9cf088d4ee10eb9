//! `brokerdesk ideas ...`: an idea tracked on daily bars, and sources ranked by their ideas.

use std::path::PathBuf;

/// Ideas and their track records.
#[derive(Debug, clap::Subcommand)]
pub enum IdeasCommand {
    /// Track one idea from its publication on a bars directory, against the
    /// equal-weighted benchmark of every stock there.
    Track {
        /// The bars directory (e.g. data/ashare-daily).
        #[arg(long)]
        bars: PathBuf,
        /// The instrument, e.g. 600519 or 600519.SH.
        #[arg(long)]
        instrument: String,
        /// The day it was published (YYYY-MM-DD); entered at the first close from then.
        #[arg(long)]
        published: String,
        /// The target price.
        #[arg(long)]
        target: String,
        /// The stop price.
        #[arg(long)]
        stop: String,
        /// Trading days it is meant to run.
        #[arg(long, default_value_t = 60)]
        horizon: u32,
        /// A reduce (short) idea instead of a buy.
        #[arg(long)]
        short: bool,
    },
    /// Track a CSV of ideas (source, instrument, published, direction, target,
    /// stop, horizon_days) and rank their sources.
    Rank {
        /// The bars directory.
        #[arg(long)]
        bars: PathBuf,
        /// The ideas file.
        #[arg(long)]
        file: PathBuf,
    },
}

/// Prints the track or the ranking as JSON.
pub fn run(command: IdeasCommand) -> anyhow::Result<()> {
    match command {
        IdeasCommand::Track { bars, instrument, published, target, stop, horizon, short } => {
            let published =
                published.parse().map_err(|_| anyhow::anyhow!("--published: '{published}' is not a date"))?;
            let price = |flag: &str, v: &str| v.parse().map_err(|_| anyhow::anyhow!("--{flag}: '{v}' is not a price"));
            let terms = ideas::IdeaTerms {
                direction: if short { ideas::Direction::Short } else { ideas::Direction::Long },
                target: price("target", &target)?,
                stop: price("stop", &stop)?,
                horizon_days: horizon,
            };
            let tracked = app::ideas::track_on_dir(&bars, &instrument, published, &terms)?;
            println!("{}", serde_json::to_string_pretty(&tracked)?);
        }
        IdeasCommand::Rank { bars, file } => {
            let ranked = app::ideas::rank_file(&file, &bars)?;
            println!("{}", serde_json::to_string_pretty(&ranked)?);
        }
    }
    Ok(())
}
