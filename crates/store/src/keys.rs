//! The keyring a running process seals and opens personal data with, and
//! where it came from, so a rotation made by another process is picked up.

use crate::StoreError;
use access::{Keyring, KeyringError};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

/// A keyring in use, reloadable from its file.
#[derive(Debug)]
pub struct Keys {
    ring: RwLock<Arc<Keyring>>,
    file: Option<PathBuf>,
}

impl Keys {
    /// A keyring given as text (an environment variable, a test). It cannot
    /// be reloaded: after a rotation the process must be restarted.
    pub fn from_text(text: &str) -> Result<Keys, StoreError> {
        Ok(Keys { ring: RwLock::new(Arc::new(Keyring::parse(text)?)), file: None })
    }

    /// A keyring read from a file, re-read when a value names a key it lacks.
    pub fn from_file(path: &Path) -> Result<Keys, StoreError> {
        let ring = read_file(path)?;
        Ok(Keys { ring: RwLock::new(Arc::new(ring)), file: Some(path.to_owned()) })
    }

    /// The keyring as it stands.
    pub fn ring(&self) -> Arc<Keyring> {
        self.ring.read().expect("keyring lock").clone()
    }

    /// Opens a stored value; if it names a key this process has not seen,
    /// re-reads the keyring file once (another process may have rotated).
    pub fn open(&self, stored: &str, context: &str) -> Result<String, StoreError> {
        match self.ring().open(stored, context) {
            Err(KeyringError::UnknownKey(id)) if self.file.is_some() => {
                let reread = read_file(self.file.as_deref().expect("checked"))?;
                if !reread.has_key(&id) {
                    return Err(KeyringError::UnknownKey(id).into());
                }
                let reread = Arc::new(reread);
                *self.ring.write().expect("keyring lock") = reread.clone();
                tracing::info!(key = %id, "keyring reloaded after a rotation");
                Ok(reread.open(stored, context)?)
            }
            other => Ok(other?),
        }
    }
}

fn read_file(path: &Path) -> Result<Keyring, StoreError> {
    let text = std::fs::read_to_string(path)
        .map_err(|source| StoreError::KeyFile { path: path.display().to_string(), source })?;
    Ok(Keyring::parse(&text)?)
}
