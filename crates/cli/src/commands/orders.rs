//! `brokerdesk orders check`: every pre-trade finding of one ticket, with
//! its code, severity and message, against a database's instrument and
//! account, or (without `--db`) against a previous close given here.

use super::DbArgs;
use anyhow::Context;
use chrono::{NaiveDate, NaiveTime, TimeZone};

/// Order tools.
#[derive(Debug, clap::Subcommand)]
pub enum OrdersCommand {
    /// Judge a ticket by every pre-trade check.
    Check(CheckArgs),
}

/// A ticket to judge.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Instrument, e.g. 600519.SH.
    #[arg(long)]
    instrument: String,
    /// buy or sell.
    #[arg(long)]
    side: String,
    /// The limit price (a market order's protection price).
    #[arg(long)]
    price: String,
    /// Shares (or bond units).
    #[arg(long)]
    quantity: i64,
    /// limit or market.
    #[arg(long, default_value = "limit")]
    order_type: String,
    /// The account whose cash, holding, permissions and limits apply (needs --db).
    #[arg(long)]
    account: Option<i64>,
    /// Database holding the instrument (and the account); without it, --previous-close is needed.
    #[arg(long)]
    db: Option<String>,
    /// The trading day (default: today).
    #[arg(long)]
    date: Option<NaiveDate>,
    /// Local time, HH:MM (default: 10:00, continuous trading).
    #[arg(long, default_value = "10:00")]
    time: String,
    /// Without --db: the previous close, the band's base.
    #[arg(long)]
    previous_close: Option<String>,
    /// Without --db: the latest price today.
    #[arg(long)]
    last: Option<String>,
    /// Without --db: stock, etf, bond or convertible.
    #[arg(long, default_value = "stock")]
    kind: String,
    /// Without --db: a risk-warning (ST) stock.
    #[arg(long)]
    st: bool,
    /// The checks' settings as JSON (as `serve --order-settings`); the defaults otherwise.
    #[arg(long)]
    settings: Option<std::path::PathBuf>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

/// Runs an orders command.
pub async fn run(command: OrdersCommand) -> anyhow::Result<()> {
    let OrdersCommand::Check(a) = command;
    let time =
        NaiveTime::parse_from_str(&a.time, "%H:%M").with_context(|| format!("--time: '{}' is not HH:MM", a.time))?;
    let day = a.date.unwrap_or_else(|| domain::to_shanghai(chrono::Utc::now()).date_naive());
    let now = domain::shanghai().from_local_datetime(&day.and_time(time)).single().context("a local time")?.to_utc();
    let request = app::orders::TicketRequest {
        account_id: a.account.unwrap_or(0),
        instrument: a.instrument.clone(),
        side: a.side.clone(),
        order_type: Some(a.order_type.clone()),
        price: Some(a.price.clone()),
        quantity: a.quantity,
        source: None,
        reminder_id: None,
    };
    let ticket = app::orders::read_ticket(&request).map_err(|e| anyhow::anyhow!("{}", domain::english(&e)))?;
    let settings = match &a.settings {
        Some(path) => super::order_settings(path)?,
        None => orders::CheckSettings::default(),
    };
    let placed = match &a.db {
        Some(db) => {
            let db = DbArgs { db: db.clone() }.open().await?;
            match a.account {
                Some(account) => {
                    let acct = db.order_account(account).await?.with_context(|| format!("no account {account}"))?;
                    let (i, facts) = app::orders::instrument_facts(&db, &ticket.instrument, now)
                        .await
                        .map_err(|e| anyhow::anyhow!("{}", domain::english(&e)))?;
                    let at = app::orders::moment_of(now);
                    let account = app::orders::account_facts(&db, &acct, &i, &settings, at.day)
                        .await
                        .map_err(|e| anyhow::anyhow!("{}", domain::english(&e)))?;
                    let findings = orders::check(&ticket, &facts, Some(&account), at, &settings);
                    findings.iter().map(app::orders::view).collect()
                }
                None => {
                    app::orders::check_instrument_only(&db, &ticket, &settings, now)
                        .await
                        .map_err(|e| anyhow::anyhow!("{}", domain::english(&e)))?
                        .findings
                }
            }
        }
        None => {
            anyhow::ensure!(a.account.is_none(), "--account needs --db");
            let money = |flag: &str, v: &str| -> anyhow::Result<i64> {
                let m: domain::Money = v.parse().with_context(|| format!("--{flag}: '{v}' is not a price"))?;
                Ok(domain::FixedPoint::to_fixed(&m, "price")?)
            };
            let previous = a.previous_close.as_deref().context("without --db, give --previous-close")?;
            let kind: domain::InstrumentKind = a.kind.parse().map_err(|e| anyhow::anyhow!("--kind: {e}"))?;
            let facts = orders::InstrumentFacts {
                board: ticket.instrument.stock_board(),
                kind,
                st: a.st,
                delisting: false,
                listing_day: u32::MAX,
                previous_close: money("previous-close", previous)?,
                last: a.last.as_deref().map(|l| money("last", l)).transpose()?.unwrap_or(0),
                outstanding_shares: 0,
                fund: None,
                delisting_day: None,
            };
            let at = app::orders::moment_of(now);
            orders::check(&ticket, &facts, None, at, &settings).iter().map(app::orders::view).collect::<Vec<_>>()
        }
    };
    if a.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({ "instrument": ticket.instrument, "findings": placed }))?
        );
    } else if placed.is_empty() {
        println!("every check passed");
    } else {
        for f in &placed {
            println!("{:7} {:28} {}", f.severity, f.rule, f.message_en);
        }
    }
    Ok(())
}
