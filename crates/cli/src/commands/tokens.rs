//! `brokerdesk tokens ...`: API tokens for machine feeds.

use super::DbArgs;
use app::tokens::{FeedScope, Operator};

/// API tokens for machine feeds.
#[derive(Debug, clap::Subcommand)]
pub enum TokensCommand {
    /// Make a token; it is printed once and only its digest is kept.
    Add {
        #[command(flatten)]
        db: DbArgs,
        /// What it is for.
        #[arg(long)]
        name: String,
        /// import or events.
        #[arg(long)]
        scope: FeedScope,
    },
    /// List tokens (never their secrets).
    List {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Revoke a token at once.
    Revoke {
        #[command(flatten)]
        db: DbArgs,
        /// Token id.
        #[arg(long)]
        id: domain::TokenId,
    },
}

/// Runs the token command at the console.
pub async fn run(command: TokensCommand) -> anyhow::Result<()> {
    match command {
        TokensCommand::Add { db, name, scope } => {
            let made = app::tokens::create(&db.open().await?, Operator::Console, &name, scope).await?;
            println!("token {} ({}): {}", made.id, made.scope, made.token);
            println!("send it as `Authorization: Bearer {}`; it is not shown again", made.token);
        }
        TokensCommand::List { db } => {
            for t in app::tokens::list(&db.open().await?, Operator::Console).await? {
                let state = t.revoked_at.map_or("live".to_owned(), |at| format!("revoked {}", at.to_rfc3339()));
                println!("{:>5} {:<7} {:<30} {state}", t.id, t.scope.as_str(), t.name);
            }
        }
        TokensCommand::Revoke { db, id } => {
            match app::tokens::revoke(&db.open().await?, Operator::Console, id).await {
                Err(e) if e.is(app::codes::TOKEN_NOT_FOUND) => anyhow::bail!("no live token {id}"),
                revoked => revoked?,
            }
            println!("token {id} revoked");
        }
    }
    Ok(())
}
