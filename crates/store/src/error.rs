use thiserror::Error;

/// What can go wrong in the store. Database text is kept for logs; callers
/// show users only the variant's own message.
#[derive(Debug, Error)]
pub enum StoreError {
    /// The URL names no backend we support.
    #[error("unsupported database URL '{0}': give a file path, sqlite:PATH or postgres://...")]
    BadUrl(String),
    /// The database could not be opened or reached.
    #[error("cannot open the {backend} database: {source}")]
    Connect {
        /// sqlite or postgres.
        backend: &'static str,
        /// The driver's error.
        #[source]
        source: sqlx::Error,
    },
    /// Applying the schema failed.
    #[error("schema migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A named constraint refused a write (e.g. `positions_quantity_check`).
    #[error("constraint {constraint} refused the write")]
    Constraint {
        /// The constraint's name, the same on both backends.
        constraint: String,
    },
    /// A query failed.
    #[error("database error: {0}")]
    Database(#[source] sqlx::Error),
    /// Personal data was to be sealed or opened, but no keyring was given.
    #[error("personal data needs a keyring: give --keys FILE, or set BROKERDESK_KEYS_FILE or BROKERDESK_KEYS")]
    NoKeyring,
    /// The keyring file cannot be read.
    #[error("cannot read the keyring {path}: {source}")]
    KeyFile {
        /// The file.
        path: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The keyring is malformed, or a sealed value does not open.
    #[error(transparent)]
    Keyring(#[from] access::KeyringError),
    /// Too many exact lookups by phone number or national ID in a minute:
    /// each could confirm a guess at a masked number.
    #[error("at most {per_minute} searches by phone number or national ID a minute; try again in {retry_after_s} s")]
    LookupLimit {
        /// The limit.
        per_minute: i64,
        /// Seconds until the next lookup is allowed.
        retry_after_s: u64,
    },
    /// A stored value no longer satisfies the domain's rules.
    #[error("stored {what} is invalid: {reason}")]
    Corrupt {
        /// Which value.
        what: &'static str,
        /// Why.
        reason: String,
    },
}

/// The store's refusals; any other store error is `internal`.
pub mod codes {
    domain::codes! {
        /// Personal data needs the keyring, and this process has none.
        KEYRING_MISSING = "keyring_missing": Unavailable,
        /// Too many exact searches by personal data in a minute.
        LOOKUP_LIMIT = "lookup_limit": TooMany,
        /// A write that conflicts with a stored row (the constraint names which).
        CONFLICTS_WITH_STORED = "conflicts_with_stored": Refused,
    }
}

impl domain::ErrorCode for StoreError {
    fn code(&self) -> domain::Code {
        match self {
            StoreError::NoKeyring => codes::KEYRING_MISSING,
            StoreError::LookupLimit { .. } => codes::LOOKUP_LIMIT,
            StoreError::Constraint { .. } => codes::CONFLICTS_WITH_STORED,
            _ => domain::codes::INTERNAL,
        }
    }

    fn field(&self) -> Option<&'static str> {
        match self {
            StoreError::LookupLimit { .. } => Some("q"),
            _ => None,
        }
    }

    fn args(&self) -> Vec<(&'static str, String)> {
        match self {
            StoreError::LookupLimit { per_minute, retry_after_s } => {
                vec![("limit", per_minute.to_string()), ("seconds", retry_after_s.to_string())]
            }
            StoreError::Constraint { constraint } => vec![("constraint", constraint.clone())],
            _ => Vec::new(),
        }
    }
}

/// PostgreSQL's name for a UNIQUE constraint (`users_login_key`) from
/// SQLite's words for it (`users.login`), so both backends name it alike.
fn unique_key_name(columns: &str) -> String {
    let mut parts = columns.split(',').map(str::trim);
    let first = parts.next().unwrap_or_default();
    let (table, column) = first.split_once('.').unwrap_or(("", first));
    let mut name = format!("{table}_{column}");
    for more in parts {
        name.push('_');
        name.push_str(more.split_once('.').map_or(more, |(_, c)| c));
    }
    name + "_key"
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        if let Some(db) = e.as_database_error() {
            // PostgreSQL names the constraint; SQLite only puts it in the
            // message ("CHECK constraint failed: positions_quantity_check").
            let named = db.constraint().map(str::to_owned).or_else(|| {
                let message = db.message();
                message
                    .strip_prefix("CHECK constraint failed: ")
                    .map(|name| name.trim().to_owned())
                    .or_else(|| message.strip_prefix("UNIQUE constraint failed: ").map(unique_key_name))
                    .or_else(|| message.contains("FOREIGN KEY constraint failed").then(|| "foreign_key".to_owned()))
            });
            if let Some(constraint) = named {
                return StoreError::Constraint { constraint };
            }
        }
        StoreError::Database(e)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn sqlites_unique_failures_get_postgresqls_names() {
        assert_eq!(super::unique_key_name("users.login"), "users_login_key");
        assert_eq!(
            super::unique_key_name("positions.account_id, positions.instrument"),
            "positions_account_id_instrument_key"
        );
    }
}
