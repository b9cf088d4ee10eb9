//! One module per subcommand: its arguments and what it does, through the
//! use cases in `app` (and the server, the generator and the benchmarks).

pub mod analytics;
pub mod archive;
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
pub mod points;
pub mod replay;
pub mod screen;
pub mod serve;
pub mod stats;
pub mod suitability;
pub mod tokens;
pub mod users;
pub mod worker;

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
    /// The order tickets' checks and fees as JSON (fees, far_*_bp, concentration_bp, st_daily_cap;
    /// fields not named keep their defaults), checked at start.
    #[arg(long = "order-settings", env = "BROKERDESK_ORDER_SETTINGS")]
    pub order_settings: Option<PathBuf>,
    /// Growth rules as JSON: `earning` (what activity earns: `version`, `daily_login`,
    /// `trading_day`, `content_read`, `question_answered`, `questionnaire`, `tenure_year`,
    /// `referral`), `tiers` (`grace_days`, `tiers`: name, min_points, benefits) and `referral`
    /// (`min_first_deposit_yuan`, `qualify_days`, `review_per_day`) and `envelopes`
    /// (`advisor_monthly_budget`); parts not named keep
    /// their defaults; refused at start when a rule is out of bounds or unknown.
    #[arg(long, env = "BROKERDESK_GROWTH_RULES")]
    pub growth_rules: Option<PathBuf>,
    /// Each trading day's pre-market preview is due in every group by this time (HH:MM, Shanghai);
    /// past it a missing one is called out to the advisor.
    #[arg(long, default_value = "09:15")]
    pub preview_by: String,
    /// The post-market review is due by this time (HH:MM, Shanghai).
    #[arg(long, default_value = "16:00")]
    pub review_by: String,
    /// Service settings as JSON: `sla_hours` by category, `default_sla_hours`,
    /// `compliance_after_slas`, `burst_count` and `burst_minutes` (an incident),
    /// `attachment_max_bytes`, `attachments_per_ticket`, `retention_years` (20 at least),
    /// `adoption_points`; parts not named keep their defaults.
    #[arg(long, env = "BROKERDESK_SERVICE_SETTINGS")]
    pub service_settings: Option<PathBuf>,
}

impl WatchArgs {
    /// The risk desk's settings.
    pub fn settings(&self) -> anyhow::Result<app::risk_desk::DeskSettings> {
        let mut settings = app::risk_desk::DeskSettings::from_files(self.rules.as_deref(), &self.quiet_hours)?;
        if let Some(path) = &self.order_settings {
            settings.orders = order_settings(path)?;
        }
        if let Some(path) = &self.growth_rules {
            settings.growth = growth_rules(path)?;
        }
        if let Some(path) = &self.service_settings {
            let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
            settings.service =
                service::ServiceSettings::parse(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        }
        let time = |text: &str, flag: &str| {
            community::cadence::Cadence::time(text).map_err(|e| anyhow::anyhow!("--{flag}: {e}"))
        };
        settings.cadence = community::cadence::Cadence {
            preview_by: time(&self.preview_by, "preview-by")?,
            review_by: time(&self.review_by, "review-by")?,
        };
        Ok(settings)
    }
}

/// Growth rules from a JSON file, refused with the file and the reason when they do not hold.
pub fn growth_rules(path: &std::path::Path) -> anyhow::Result<growth::GrowthRules> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let rules: growth::GrowthRules =
        serde_json::from_str(&text).with_context(|| format!("{}: not growth rules", path.display()))?;
    rules.validate().map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    Ok(rules)
}

/// Order check settings from a JSON file, refused with the file and the reason when they do not hold.
pub fn order_settings(path: &std::path::Path) -> anyhow::Result<::orders::CheckSettings> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let settings: ::orders::CheckSettings =
        serde_json::from_str(&text).with_context(|| format!("{}: not order settings", path.display()))?;
    settings.validate().map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    Ok(settings)
}
