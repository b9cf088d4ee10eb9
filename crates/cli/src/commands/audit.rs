//! `brokerdesk audit verify`: walk the audit trail's hash chain.

use super::DbArgs;

/// The audit trail.
#[derive(Debug, clap::Subcommand)]
pub enum AuditCommand {
    /// Walk the hash chain; exit 1 and name the first broken record if any.
    Verify {
        #[command(flatten)]
        db: DbArgs,
    },
}

/// Verifies the chain; a broken one ends the process with status 1.
pub async fn run(command: AuditCommand) -> anyhow::Result<()> {
    let AuditCommand::Verify { db } = command;
    match app::audit::verify(&db.open().await?).await? {
        app::audit::Verdict::Intact(n) => {
            println!("audit trail intact: {n} records");
            Ok(())
        }
        app::audit::Verdict::Broken(b) => {
            println!("audit trail BROKEN at {b}");
            std::process::exit(1);
        }
    }
}
