//! `brokerdesk demo`: one command from a fresh clone to a running brokerage.

use anyhow::Context;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use store::Db;

/// The demo's database file, in the working directory.
const DEMO_DB: &str = "brokerdesk-demo.db";
/// The demo's personal-data keyring, in the working directory.
const DEMO_KEYS: &str = "brokerdesk-demo.keys";
/// The demo's generated book, in the working directory.
const DEMO_BOOK: &str = "brokerdesk-demo";

/// Generates, imports and serves the demo brokerage.
pub async fn run(
    listen: SocketAddr,
    customers: u64,
    bars: Option<PathBuf>,
    settings: app::risk_desk::DeskSettings,
) -> anyhow::Result<()> {
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
    let keys = store::Keys::from_file(Path::new(DEMO_KEYS))?;
    let db = Db::open(DEMO_DB).await.context("opening the demo database")?.with_keys(keys);
    println!("Personal data is sealed under the keyring {DEMO_KEYS}");
    println!("Loading it into {DEMO_DB} ...");
    let mut import = app::ImportOptions::new(Path::new(DEMO_BOOK));
    import.rejects = Path::new(DEMO_BOOK).join("import-rejects.csv");
    let report = app::import_dir(&db, &import).await?;
    println!("  {} rows loaded, {} rejected", report.loaded(), report.rejected());
    println!("Sign in as (passwords are new each run):");
    for u in app::demo_users::create_demo_users(&db).await? {
        println!("  {:<11} login {:<11} password {}", u.role.as_str(), u.login, u.password);
    }
    // Every customer labelled as of the book's day, and this week's plan for each advisor.
    let as_of = app::classify::book_day(&db).await?.unwrap_or_else(|| chrono::Local::now().date_naive());
    println!("Classifying every customer as of {as_of} ...");
    let labels = classify::LabelConfig::default();
    let report = app::classify::classify_all(&db, &labels, as_of, true).await?;
    let tiers: Vec<String> = report.tiers.iter().map(|(tier, n)| format!("{tier} {n}")).collect();
    println!("  {} customers; service tiers: {}", report.customers, tiers.join(", "));
    let today = chrono::Local::now().date_naive();
    for (k, (advisor, name)) in db.advisors_in_scope(access::Scope::Firm).await?.into_iter().enumerate() {
        let settings = app::plan::PlanSettings::default();
        let Some(plan) = app::plan::plan_week(&db, advisor, today, settings).await? else { continue };
        if k == 0 {
            let customers = db.plan_inputs(advisor, plan.week_start).await?.len();
            let [core, maintaining, precipitating] = plan.adherence.planned;
            println!(
                "Weekly plan of {name} ({customers} customers) for the week of {}: {} contacts: \
                 {core} core and dormant, {maintaining} maintaining, {precipitating} precipitating (60/30/10)",
                plan.week_start,
                plan.contacts.len()
            );
        }
    }
    println!("  every advisor's plan is at http://{listen}/plan (CSV export there)");
    // The demo advisor's first group, with a conversation, a moderated breach and published content.
    let first_advisor = db.key_set(store::KeySet::Advisors).await?.into_iter().min();
    if let Some(advisor) = first_advisor {
        if let (_, Some(compliance), _, Some(customer)) = db.demo_links(advisor).await? {
            let group = app::demo_community::set_up(&db, advisor, compliance, customer).await?;
            println!(
                "Group chat of the advisor: http://{listen}/groups/{} ({} members, {} messages; \
                 moderation, admission and content pages linked there)",
                group.group_id, group.members, group.messages
            );
        }
    }
    // A feed token, so that a real day can be replayed into the demo at once.
    let token = access::new_api_token();
    db.create_api_token("system:demo", "demo replay", access::FeedScope::Events, &access::secret_digest(&token))
        .await?;
    println!("Sign in as the advisor and open http://{listen}/tasks: risk reminders arrive there live when you");
    println!("replay a real trading day into it (from another terminal):");
    println!("  cargo run --release -- replay --url http://{listen} --token {token}{bars_flag}");
    crate::serve(db, listen, settings).await
}
