//! `brokerdesk users add`: a sign-in, audited.

use super::DbArgs;
use anyhow::Context;
use app::users::{add_user, Role, UserRequest};

/// Users who sign in.
#[derive(Debug, clap::Subcommand)]
pub enum UsersCommand {
    /// Add a user. The password is read from the first line of standard
    /// input; with empty input a random one is made and printed once.
    Add {
        #[command(flatten)]
        db: DbArgs,
        /// Login name.
        #[arg(long)]
        login: String,
        /// customer, advisor, manager, compliance or admin.
        #[arg(long)]
        role: Role,
        /// The staff member this user is (staff roles).
        #[arg(long)]
        staff_id: Option<domain::StaffId>,
        /// The customer this user is (customer role).
        #[arg(long)]
        customer_id: Option<domain::CustomerId>,
    },
}

/// Adds the user, and prints the password when one was made.
pub async fn run(command: UsersCommand) -> anyhow::Result<()> {
    let UsersCommand::Add { db, login, role, staff_id, customer_id } = command;
    let mut line = String::new();
    std::io::stdin().read_line(&mut line).context("reading the password from standard input")?;
    let typed = line.trim_end_matches(['\r', '\n']).to_owned();
    let password = (!typed.is_empty()).then_some(typed);
    let request = UserRequest { login: login.clone(), role, staff_id, customer_id, password };
    let added = match add_user(&db.open().await?, "system:cli", request).await {
        Err(e) if e.is(app::codes::USER_LINKS) => {
            anyhow::bail!("a customer user needs --customer-id, a staff user --staff-id (and not both)")
        }
        added => added?,
    };
    match added.made_password {
        Some(password) => println!("user {login} ({role}) added; password {password}"),
        None => println!("user {login} ({role}) added"),
    }
    Ok(())
}
