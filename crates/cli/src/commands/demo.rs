//! `brokerdesk demo`: one command from a fresh clone to a running brokerage.

use super::WatchArgs;
use anyhow::Context;
use app::Db;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// The demo's database file, in the working directory.
const DEMO_DB: &str = "brokerdesk-demo.db";
/// The demo's personal-data keyring, in the working directory.
const DEMO_KEYS: &str = "brokerdesk-demo.keys";
/// The demo's generated book, in the working directory.
const DEMO_BOOK: &str = "brokerdesk-demo";

/// Generate a small brokerage, load it into ./brokerdesk-demo.db and serve it.
#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Customers to generate.
    #[arg(long, default_value_t = 20_000)]
    customers: u64,
    /// Real daily bars to use instead of the committed subset, e.g. ../shared/data/ashare-daily.
    #[arg(long)]
    bars: Option<PathBuf>,
    #[command(flatten)]
    watch: WatchArgs,
}

/// Generates, imports and serves the demo brokerage.
pub async fn run(args: DemoArgs) -> anyhow::Result<()> {
    let DemoArgs { listen, customers, bars, watch } = args;
    let settings = watch.settings()?;
    let bars_flag = bars.as_ref().map(|b| format!(" --bars {}", b.display())).unwrap_or_default();
    let mut opts = generator::GenOptions::new(customers, 2026, DEMO_BOOK);
    opts.bars = bars;
    println!("Generating a brokerage of {customers} customers into {DEMO_BOOK}/ ...");
    let summary = generator::generate(&opts)?;
    println!("  done in {:.1} s", summary.elapsed.as_secs_f64());
    // A fresh database each time, so that a changed --customers shows as asked.
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{DEMO_DB}{suffix}"));
    }
    let _ = std::fs::remove_file(DEMO_KEYS);
    app::keys::create_keyring_file(Path::new(DEMO_KEYS))?;
    let db: Db = app::keys::open_database(DEMO_DB, Some(Path::new(DEMO_KEYS)), None, true)
        .await
        .context("opening the demo database")?;
    println!("Personal data is sealed under the keyring {DEMO_KEYS}");
    println!("Loading it into {DEMO_DB} ...");
    let mut import = app::ImportOptions::new(Path::new(DEMO_BOOK));
    import.rejects = Path::new(DEMO_BOOK).join("import-rejects.csv");
    let report = app::import_dir(&db, &import).await?;
    println!("  {} rows loaded, {} rejected", report.loaded(), report.rejected());
    println!("Classifying every customer and planning each advisor's week ...");
    let demo = app::demo::set_up(&db).await?;
    println!("Sign in as (passwords are new each run):");
    for u in &demo.users {
        println!("  {:<11} login {:<11} password {}", u.role.as_str(), u.login, u.password);
    }
    let tiers: Vec<String> = demo.tiers.iter().map(|(tier, n)| format!("{tier} {n}")).collect();
    println!("  {} customers labelled as of {}; service tiers: {}", demo.customers, demo.as_of, tiers.join(", "));
    if let Some(p) = &demo.plan {
        let [core, maintaining, precipitating] = p.split;
        println!(
            "Weekly plan of {} ({} customers) for the week of {}: {} contacts: \
             {core} core and dormant, {maintaining} maintaining, {precipitating} precipitating (60/30/10)",
            p.advisor, p.customers, p.week_start, p.contacts
        );
    }
    println!("  every advisor's plan is at http://{listen}/plan (CSV export there)");
    if let Some((group, members, messages)) = demo.group {
        println!(
            "Group chat of the advisor: http://{listen}/groups/{group} ({members} members, {messages} messages; \
             moderation, admission and content pages linked there)"
        );
    }
    println!(
        "Products: http://{listen}/products ({} on sale, both rungs of the advisory ladder); the customer has taken \
         the risk questionnaire: their page shows recommendations, and a purchase goes through the suitability gate",
        demo.products
    );
    let i = &demo.ideas;
    println!(
        "Ideas: http://{listen}/ideas ({} published 2024-25 with their track records, from the advisors and {} research \
         sources; ranked at http://{listen}/ideas/ranking); model portfolio http://{listen}/portfolios ({} followers); \
         the newest idea was sent to {} customers (their inbox; counts at http://{listen}/sends)",
        i.ideas,
        i.sources,
        i.portfolio.map_or(0, |p| p.1),
        i.sent_to
    );
    let p = &demo.points;
    println!(
        "Points: {} earned from 200 of the first advisor's customers' sign-ins and trading days; {} referrals from the book \
         rewarded ({} qualified, {} refused); {} customers judged into tiers",
        p.earned, p.referrals.rewarded, p.referrals.posted, p.referrals.refused, p.tiers.judged
    );
    if let Some((balance, tier, code)) = &p.customer {
        println!(
            "  the customer's statement and tier at http://{listen}/points ({balance} points, tier {tier}); \
             their invite link http://{listen}/invite/{code}; referrals at http://{listen}/referrals (staff)"
        );
    }
    if let Some((id, points, opened)) = demo.envelope {
        println!("  a red envelope of {points} points in the group ({opened} shares opened; the customer can open envelope {id})");
    }
    if let Some((ticket, conversation)) = demo.service {
        println!(
            "Service: the customer's complaint http://{listen}/service/tickets/{ticket} (answered by their advisor; the \
             queues at http://{listen}/service for each role, suggestions at http://{listen}/service/feedback, \
             incidents at http://{listen}/incidents); their conversation with the advisor \
             http://{listen}/conversations/{conversation}; archive with `brokerdesk archive export`"
        );
    }
    let month = app::analytics::default_month(&db).await?;
    let tuv = app::analytics::tuv(&db, &access::Principal::operator(), month, app::analytics::Grouping::Firm).await?;
    if let Some(firm) = tuv.lines.first() {
        let f = &firm.figures;
        println!(
            "Analytics: TUV of {month} {} CNY ({} users, {} active, {} paying; {} CNY from the month before, split by factor) \
             at http://{listen}/analytics (by branch, advisor or group; lifecycle, cohorts, advisors' KPIs); \
             the customer map at http://{listen}/map",
            f.tuv.round_dp(2),
            f.users,
            f.active,
            f.paying,
            firm.change.change.round_dp(2)
        );
    }
    println!("Sign in as the advisor and open http://{listen}/tasks: risk reminders arrive there live when you");
    println!("replay a real trading day into it (from another terminal):");
    println!("  cargo run --release -- replay --url http://{listen} --token {}{bars_flag}", demo.token.token);
    super::serve::serve(db, listen, settings, None).await
}
