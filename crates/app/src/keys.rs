//! Keyrings for personal data: creating one, and rotating to a new key while
//! the application keeps serving.

use access::Keyring;
use indicatif::{ProgressBar, ProgressStyle};
use std::io::Write;
use std::path::{Path, PathBuf};
use store::{Db, Keys, StoreError};

/// Customers re-sealed per transaction during a rotation.
const RESEAL_BATCH: i64 = 2_000;

/// What can go wrong with a keyring file or a rotation.
#[derive(Debug, thiserror::Error)]
pub enum KeysError {
    /// The file cannot be read or written.
    #[error("keyring file {path}: {source}")]
    File {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The keyring is malformed.
    #[error("keyring file {path}: {source}")]
    Malformed {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        #[source]
        source: access::KeyringError,
    },
    /// `keys new` would overwrite a keyring, losing the keys its data needs.
    #[error("{0} exists already; a keyring is never overwritten (its keys open the data)")]
    Exists(PathBuf),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Writes a new keyring file, readable by its owner only. Refuses to overwrite.
pub fn create_keyring_file(path: &Path) -> Result<(), KeysError> {
    let file_err = |source| KeysError::File { path: path.to_owned(), source };
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::AlreadyExists => KeysError::Exists(path.to_owned()),
        _ => file_err(e),
    })?;
    file.write_all(Keyring::generate().as_bytes()).map_err(file_err)?;
    file.sync_all().map_err(file_err)
}

/// Appends a fresh sealing key to the keyring file (atomically: a new file
/// renamed over the old) and returns its id. Processes reading the file pick
/// it up the first time they meet a value sealed under it.
pub fn add_key(path: &Path) -> Result<String, KeysError> {
    let file_err = |source| KeysError::File { path: path.to_owned(), source };
    let text = std::fs::read_to_string(path).map_err(file_err)?;
    let (text, id) =
        Keyring::with_new_key(&text).map_err(|source| KeysError::Malformed { path: path.to_owned(), source })?;
    let staged = path.with_extension("keys-new");
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&staged).map_err(file_err)?;
    file.write_all(text.as_bytes()).map_err(file_err)?;
    file.sync_all().map_err(file_err)?;
    std::fs::rename(&staged, path).map_err(file_err)?;
    Ok(id)
}

/// Opens the keyring a process was pointed at: a file, else the text of an environment variable.
pub fn load(file: Option<&Path>, text: Option<&str>) -> Result<Option<Keys>, StoreError> {
    match (file, text) {
        (Some(path), _) => Keys::from_file(path).map(Some),
        (None, Some(text)) => Keys::from_text(text).map(Some),
        (None, None) => Ok(None),
    }
}

/// Opens the database at `url` with the keyring from `file` (else the text
/// in `text`). `required` for work that reads or writes personal data: without
/// a keyring it fails; otherwise the database opens without one (and says so
/// in the log), and only revealing and exact search are unavailable.
pub async fn open_database(
    url: &str,
    file: Option<&Path>,
    text: Option<&str>,
    required: bool,
) -> Result<Db, StoreError> {
    let db = Db::open(url).await?;
    match load(file, text)? {
        Some(keys) => Ok(db.with_keys(keys)),
        None if required => Err(StoreError::NoKeyring),
        None => {
            tracing::warn!("no keyring: personal data cannot be revealed or searched exactly");
            Ok(db)
        }
    }
}

/// What a rotation did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rotation {
    /// Customers re-sealed under the current key.
    pub resealed: u64,
    /// Customers still not under it (written concurrently under an old key); 0 when complete.
    pub remaining: i64,
}

/// Re-seals every customer's personal data under the keyring's current key,
/// batch by batch, while the application keeps serving; then sweeps again
/// for rows written meanwhile under an older key, and records it in the audit trail.
pub async fn reseal_all(db: &Db, actor: &str, progress: bool) -> Result<Rotation, KeysError> {
    let total = db.personal_data_not_under_current_key().await?;
    let bar = if progress { ProgressBar::new(total.max(0) as u64) } else { ProgressBar::hidden() };
    bar.set_style(
        ProgressStyle::with_template("re-sealing [{bar:30}] {pos}/{len} customers {per_sec} eta {eta}")
            .expect("valid template")
            .progress_chars("=> "),
    );
    let mut resealed = 0;
    // Concurrent writers that still hold the old keyring may seal a few rows
    // under the old key; a couple of sweeps catches them.
    for _sweep in 0..3 {
        let mut after = domain::CustomerId(i64::MIN);
        loop {
            let pass = db.reseal_personal_data(after, RESEAL_BATCH).await?;
            resealed += pass.resealed;
            bar.inc(pass.resealed);
            match pass.next_after {
                Some(id) => after = id,
                None => break,
            }
        }
        if db.personal_data_not_under_current_key().await? == 0 {
            break;
        }
    }
    bar.finish_and_clear();
    let remaining = db.personal_data_not_under_current_key().await?;
    db.record_rotation(actor, resealed).await?;
    Ok(Rotation { resealed, remaining })
}
