//! Personal data at rest: AES-256-GCM under a keyring held outside the
//! database, and keyed lookup hashes for exact search.
//!
//! A keyring is a small text file (or environment variable):
//!
//! ```text
//! # comments and blank lines are ignored
//! lookup 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
//! key k1 2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae
//! key k2 fcde2b2edba56bf408601fb721fe9b5c338d10ee429ea04fae5511b68fbf8fb9
//! ```
//!
//! The last `key` line seals new values; every listed key opens old ones, so a
//! rotation appends a key, re-seals the rows, and only then retires the old
//! line. The `lookup` key never rotates with them: exact search keeps working
//! while rows are being re-sealed.

use aes_gcm::aead::{Aead, Payload};
use aes_gcm::{Aes256Gcm, Key, KeyInit, Nonce};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::fmt;

/// Prefix of a sealed value; a stored value without it is legacy plaintext.
const SEALED_PREFIX: &str = "v1.";
/// AES-GCM nonce length in bytes.
const NONCE_BYTES: usize = 12;

/// Why a keyring could not be read, or a value could not be opened.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum KeyringError {
    /// A line of the keyring file is malformed.
    #[error("keyring line {line}: {reason}")]
    BadLine {
        /// 1-based line number.
        line: usize,
        /// What is wrong with it.
        reason: String,
    },
    /// The keyring has no `key` or no `lookup` line.
    #[error("keyring has no {0} line")]
    Missing(&'static str),
    /// A stored value names a key the keyring does not hold.
    #[error("no key {0:?} in the keyring (was it retired before every row was re-sealed?)")]
    UnknownKey(String),
    /// A stored value does not open: tampered, moved to another row, or the wrong key.
    #[error("a sealed value failed authentication")]
    Tampered,
}

/// One AES-256 key and the id that sealed values carry.
#[derive(Clone)]
struct SealingKey {
    id: String,
    cipher: Aes256Gcm,
}

/// The keys that seal and open personal data, and the key of its lookup hashes.
#[derive(Clone)]
pub struct Keyring {
    keys: Vec<SealingKey>,
    lookup: Vec<u8>,
}

impl fmt::Debug for Keyring {
    // Never print key material, only which keys there are.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ids: Vec<&str> = self.keys.iter().map(|k| k.id.as_str()).collect();
        f.debug_struct("Keyring").field("keys", &ids).finish_non_exhaustive()
    }
}

fn parse_hex_key(text: &str, line: usize) -> Result<[u8; 32], KeyringError> {
    let mut key = [0u8; 32];
    hex::decode_to_slice(text, &mut key)
        .map_err(|_| KeyringError::BadLine { line, reason: "a key is 64 hexadecimal digits (32 bytes)".into() })?;
    Ok(key)
}

fn random_key_hex() -> String {
    let mut key = [0u8; 32];
    getrandom::getrandom(&mut key).expect("the operating system's random source");
    hex::encode(key)
}

impl Keyring {
    /// Reads a keyring from its text form.
    pub fn parse(text: &str) -> Result<Keyring, KeyringError> {
        let mut keys = Vec::new();
        let mut lookup = None;
        for (i, raw) in text.lines().enumerate() {
            let line = i + 1;
            let words: Vec<&str> = raw.split_whitespace().collect();
            match words.as_slice() {
                [] => {}
                [first, ..] if first.starts_with('#') => {}
                ["lookup", hex] => lookup = Some(parse_hex_key(hex, line)?.to_vec()),
                ["key", id, hex] => {
                    if !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
                        return Err(KeyringError::BadLine {
                            line,
                            reason: format!("key id {id:?}: letters, digits, - and _ only"),
                        });
                    }
                    if keys.iter().any(|k: &SealingKey| k.id == *id) {
                        return Err(KeyringError::BadLine { line, reason: format!("key id {id:?} appears twice") });
                    }
                    let bytes = parse_hex_key(hex, line)?;
                    keys.push(SealingKey {
                        id: (*id).to_owned(),
                        cipher: Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&bytes)),
                    });
                }
                _ => {
                    return Err(KeyringError::BadLine {
                        line,
                        reason: "expected `key <id> <64 hex digits>` or `lookup <64 hex digits>`".into(),
                    })
                }
            }
        }
        if keys.is_empty() {
            return Err(KeyringError::Missing("key"));
        }
        let lookup = lookup.ok_or(KeyringError::Missing("lookup"))?;
        Ok(Keyring { keys, lookup })
    }

    /// The text of a new keyring: one fresh sealing key `k1` and a lookup key.
    pub fn generate() -> String {
        format!(
            "# Brokerdesk personal-data keyring. Keep it out of the database and its backups.\n\
             # The last `key` line seals; all keys open. `brokerdesk keys rotate` appends one.\n\
             lookup {}\nkey k1 {}\n",
            random_key_hex(),
            random_key_hex()
        )
    }

    /// `text` with a fresh sealing key appended, and the new key's id.
    pub fn with_new_key(text: &str) -> Result<(String, String), KeyringError> {
        let ring = Keyring::parse(text)?;
        let id = (1..).map(|n| format!("k{n}")).find(|id| ring.keys.iter().all(|k| &k.id != id)).expect("unbounded");
        let mut out = text.to_owned();
        if !out.ends_with('\n') {
            out.push('\n');
        }
        out.push_str(&format!("key {id} {}\n", random_key_hex()));
        Ok((out, id))
    }

    /// The id of the key that seals new values.
    pub fn current_key_id(&self) -> &str {
        &self.keys.last().expect("parse guarantees one key").id
    }

    /// True when the keyring holds a key with this id.
    pub fn has_key(&self, id: &str) -> bool {
        self.keys.iter().any(|k| k.id == id)
    }

    /// Seals `plaintext` under the current key. `context` (table, column and
    /// row) is authenticated with it, so a sealed value copied to another row
    /// or column no longer opens.
    pub fn seal(&self, plaintext: &str, context: &str) -> String {
        let key = self.keys.last().expect("parse guarantees one key");
        let mut nonce = [0u8; NONCE_BYTES];
        getrandom::getrandom(&mut nonce).expect("the operating system's random source");
        let sealed = key
            .cipher
            .encrypt(Nonce::from_slice(&nonce), Payload { msg: plaintext.as_bytes(), aad: context.as_bytes() })
            .expect("AES-GCM encryption of a short value cannot fail");
        let mut body = nonce.to_vec();
        body.extend_from_slice(&sealed);
        format!("{SEALED_PREFIX}{}.{}", key.id, hex::encode(body))
    }

    /// Opens a stored value sealed by [`Keyring::seal`] with the same context.
    /// A value without the sealed prefix is legacy plaintext and is returned as it is.
    pub fn open(&self, stored: &str, context: &str) -> Result<String, KeyringError> {
        let Some((id, body)) = sealed_parts(stored) else {
            return Ok(stored.to_owned());
        };
        let key = self.keys.iter().find(|k| k.id == id).ok_or_else(|| KeyringError::UnknownKey(id.to_owned()))?;
        let bytes = hex::decode(body).map_err(|_| KeyringError::Tampered)?;
        if bytes.len() < NONCE_BYTES {
            return Err(KeyringError::Tampered);
        }
        let (nonce, sealed) = bytes.split_at(NONCE_BYTES);
        let plain = key
            .cipher
            .decrypt(Nonce::from_slice(nonce), Payload { msg: sealed, aad: context.as_bytes() })
            .map_err(|_| KeyringError::Tampered)?;
        String::from_utf8(plain).map_err(|_| KeyringError::Tampered)
    }

    /// A keyed hash of a value for exact-match search: equal values give equal
    /// hashes, and without the lookup key nobody can test guesses against them.
    /// HMAC-SHA256 truncated to 128 bits: ample against collisions among a
    /// firm's customers, and half the index.
    pub fn lookup_hash(&self, field: &str, value: &str) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.lookup).expect("HMAC takes any key length");
        mac.update(field.as_bytes());
        mac.update(b"\0");
        mac.update(value.as_bytes());
        hex::encode(&mac.finalize().into_bytes()[..16])
    }
}

/// The key id a stored value is sealed under, or None for legacy plaintext.
pub fn sealed_key_id(stored: &str) -> Option<&str> {
    sealed_parts(stored).map(|(id, _)| id)
}

fn sealed_parts(stored: &str) -> Option<(&str, &str)> {
    stored.strip_prefix(SEALED_PREFIX)?.split_once('.')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ring() -> Keyring {
        Keyring::parse(&Keyring::generate()).unwrap()
    }

    #[test]
    fn a_sealed_value_opens_to_the_plaintext_and_does_not_contain_it() {
        let ring = ring();
        let sealed = ring.seal("13812345678", "customers.phone.7");
        assert!(sealed.starts_with("v1.k1."));
        assert!(!sealed.contains("13812345678"));
        assert_eq!(ring.open(&sealed, "customers.phone.7").unwrap(), "13812345678");
        // Fresh nonce each time: equal plaintexts do not give equal ciphertexts.
        assert_ne!(sealed, ring.seal("13812345678", "customers.phone.7"));
    }

    #[test]
    fn a_value_moved_to_another_row_or_altered_does_not_open() {
        let ring = ring();
        let sealed = ring.seal("13812345678", "customers.phone.7");
        assert_eq!(ring.open(&sealed, "customers.phone.8"), Err(KeyringError::Tampered));
        let mut flipped = sealed.clone();
        let last = flipped.pop().unwrap();
        flipped.push(if last == '0' { '1' } else { '0' });
        assert_eq!(ring.open(&flipped, "customers.phone.7"), Err(KeyringError::Tampered));
    }

    #[test]
    fn another_keyring_cannot_open_and_legacy_plaintext_passes_through() {
        let sealed = ring().seal("x", "c");
        assert_eq!(ring().open(&sealed, "c"), Err(KeyringError::Tampered));
        assert_eq!(ring().open("110105199001011234", "c").unwrap(), "110105199001011234");
    }

    #[test]
    fn a_rotated_keyring_seals_with_the_new_key_and_opens_both() {
        let text = Keyring::generate();
        let old = Keyring::parse(&text).unwrap();
        let before = old.seal("secret", "c");
        let (text, id) = Keyring::with_new_key(&text).unwrap();
        assert_eq!(id, "k2");
        let new = Keyring::parse(&text).unwrap();
        assert_eq!(new.current_key_id(), "k2");
        assert_eq!(new.open(&before, "c").unwrap(), "secret");
        let after = new.seal("secret", "c");
        assert_eq!(sealed_key_id(&after), Some("k2"));
        assert_eq!(old.open(&after, "c"), Err(KeyringError::UnknownKey("k2".into())));
        // The lookup key is kept, so search hashes do not change.
        assert_eq!(old.lookup_hash("phone", "1"), new.lookup_hash("phone", "1"));
    }

    #[test]
    fn lookup_hashes_are_keyed_and_separate_fields() {
        let ring = ring();
        assert_eq!(ring.lookup_hash("phone", "138"), ring.lookup_hash("phone", "138"));
        assert_ne!(ring.lookup_hash("phone", "138"), ring.lookup_hash("national_id", "138"));
        assert_ne!(ring.lookup_hash("phone", "138"), self::ring().lookup_hash("phone", "138"));
    }

    #[test]
    fn bad_keyrings_say_which_line_and_why() {
        assert_eq!(Keyring::parse("# nothing\n").unwrap_err(), KeyringError::Missing("key"));
        let err = Keyring::parse("lookup 00\n").unwrap_err();
        assert!(matches!(err, KeyringError::BadLine { line: 1, .. }), "{err}");
        let k = "00".repeat(32);
        let err = Keyring::parse(&format!("lookup {k}\nkey a {k}\nkey a {k}\n")).unwrap_err();
        assert!(err.to_string().contains("line 3") && err.to_string().contains("twice"), "{err}");
        assert_eq!(Keyring::parse(&format!("key a {k}\n")).unwrap_err(), KeyringError::Missing("lookup"));
        assert!(format!("{:?}", Keyring::parse(&format!("lookup {k}\nkey a {k}\n")).unwrap()).contains("\"a\""));
    }
}
