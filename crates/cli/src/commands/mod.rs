//! One module per subcommand: its arguments and what it does, through the
//! use cases in `app` (and the server, the generator and the benchmarks).

pub mod audit;
pub mod bench;
pub mod classify;
pub mod demo;
pub mod gen;
pub mod ideas;
pub mod import;
pub mod indicators;
pub mod keys;
pub mod orders;
pub mod replay;
pub mod serve;
pub mod stats;
pub mod suitability;
pub mod tokens;
pub mod users;

use anyhow::Context;
use app::Db;
use std::path::PathBuf;

/// The database a command works on.
#[derive(Debug, clap::Args)]
pub struct DbArgs {
    /// Database: a SQLite file path, sqlite:PATH or postgres://...
    #[arg(long, env = "BROKERDESK_DB", default_value = "brokerdesk.db")]
    pub db: String,
}

impl DbArgs {
    /// Opens it without a keyring (the command needs no personal data).
    pub async fn open(&self) -> anyhow::Result<Db> {
        Db::open(&self.db).await.context("opening the database")
    }
}

/// Where the personal-data keyring comes from.
#[derive(Debug, clap::Args)]
pub struct KeysArgs {
    /// Keyring file sealing national IDs and phone numbers (make one with
    /// `brokerdesk keys new`). Without it, BROKERDESK_KEYS may hold the keyring's text.
    #[arg(long = "keys", env = "BROKERDESK_KEYS_FILE")]
    pub file: Option<PathBuf>,
}

impl KeysArgs {
    /// Opens the database with the keyring; `required` for commands that read or write personal data.
    pub async fn open(&self, url: &str, required: bool) -> anyhow::Result<Db> {
        let text = std::env::var("BROKERDESK_KEYS").ok();
        app::keys::open_database(url, self.file.as_deref(), text.as_deref(), required)
            .await
            .context("opening the database with its keyring")
    }
}

/// How the position watch judges and when reminders may reach customers.
#[derive(Debug, clap::Args)]
pub struct WatchArgs {
    /// Rule thresholds as JSON: {"version", "firm": {...}, "accounts": {"<account id>": {...}}};
    /// fields not named keep the firm defaults.
    #[arg(long = "rules", env = "BROKERDESK_RULES")]
    pub rules: Option<PathBuf>,
    /// Customers' quiet hours (Asia/Shanghai), HH:MM-HH:MM: reminders wait until they end.
    #[arg(long = "quiet-hours", default_value = "22:00-08:00")]
    pub quiet_hours: String,
}

impl WatchArgs {
    /// The risk desk's settings.
    pub fn settings(&self) -> anyhow::Result<app::risk_desk::DeskSettings> {
        Ok(app::risk_desk::DeskSettings::from_files(self.rules.as_deref(), &self.quiet_hours)?)
    }
}
