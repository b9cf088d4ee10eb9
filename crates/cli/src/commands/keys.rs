//! `brokerdesk keys ...`: the keyring that seals customers' personal data.

use super::KeysArgs;
use std::path::PathBuf;

/// The keyring that seals customers' personal data.
#[derive(Debug, clap::Subcommand)]
pub enum KeysCommand {
    /// Write a new keyring file (readable by its owner only); never overwrites.
    New {
        /// The file to create.
        #[arg(long)]
        out: PathBuf,
    },
    /// Append a new key to the keyring file and re-seal every customer's
    /// personal data under it, while the application keeps serving.
    Rotate {
        /// Database: a SQLite file path, sqlite:PATH or postgres://...
        #[arg(long, env = "BROKERDESK_DB", default_value = "brokerdesk.db")]
        db: String,
        /// The keyring file to rotate.
        #[arg(long = "keys", env = "BROKERDESK_KEYS_FILE")]
        file: PathBuf,
        /// Do not add a key: finish an interrupted rotation, or seal data
        /// written before encryption at rest, under the current key.
        #[arg(long)]
        reseal_only: bool,
    },
}

/// Makes a keyring, or rotates one; an unfinished rotation exits with status 1.
pub async fn run(command: KeysCommand) -> anyhow::Result<()> {
    match command {
        KeysCommand::New { out } => {
            app::keys::create_keyring_file(&out)?;
            println!("keyring written to {}; keep it out of the database and its backups", out.display());
        }
        KeysCommand::Rotate { db, file, reseal_only } => {
            if !reseal_only {
                let id = app::keys::add_key(&file)?;
                println!("key {id} added to {}; new data is sealed under it", file.display());
            }
            let db = KeysArgs { file: Some(file.clone()) }.open(&db, true).await?;
            let rotation = app::keys::reseal_all(&db, "system:cli", true).await?;
            println!("{} customers re-sealed", rotation.resealed);
            if rotation.remaining > 0 {
                println!("{} customers are still under an older key: run again with --reseal-only", rotation.remaining);
                std::process::exit(1);
            }
            println!("every customer is sealed under the current key; older key lines may now be removed");
        }
    }
    Ok(())
}
