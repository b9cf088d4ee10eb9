//! API tokens for machine feeds: each allows one kind of feed and nothing
//! else, and is kept only as a digest.

use serde::Serialize;
use std::fmt;
use std::str::FromStr;

/// The one thing a token lets a machine do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeedScope {
    /// Load book files (any of the CSV files of a book).
    Import,
    /// Send events as they happen: logins, service events, trades, cash flows.
    Events,
    /// Post points transfers from a points system (a rewards mall's
    /// redemptions, points carried over from an old system).
    Points,
}

impl FeedScope {
    /// Every scope.
    pub const ALL: [FeedScope; 3] = [FeedScope::Import, FeedScope::Events, FeedScope::Points];

    /// The stable text form.
    pub fn as_str(self) -> &'static str {
        match self {
            FeedScope::Import => "import",
            FeedScope::Events => "events",
            FeedScope::Points => "points",
        }
    }
}

impl FromStr for FeedScope {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        FeedScope::ALL
            .into_iter()
            .find(|f| f.as_str() == s)
            .ok_or_else(|| format!("'{s}' is not a token scope (import, events or points)"))
    }
}

impl fmt::Display for FeedScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Prefix of every API token, so that a leaked one is recognisable (and
/// secret scanners can be taught to find it).
pub const API_TOKEN_PREFIX: &str = "bdt_";

/// A new API token: the prefix and 256 random bits.
pub fn new_api_token() -> String {
    format!("{API_TOKEN_PREFIX}{}", crate::new_secret())
}

/// A machine caller, once its token has been checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FeedCaller {
    /// Token id.
    pub token_id: domain::TokenId,
    /// The name it was given.
    pub name: String,
    /// What it may do.
    pub scope: FeedScope,
}

impl FeedCaller {
    /// The audit trail's name for this caller.
    pub fn actor(&self) -> String {
        format!("token:{}:{}", self.token_id, self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_prefixed_random_and_scopes_parse() {
        let (a, b) = (new_api_token(), new_api_token());
        assert!(a.starts_with("bdt_") && a.len() == 68);
        assert_ne!(a, b);
        assert_eq!("events".parse::<FeedScope>(), Ok(FeedScope::Events));
        assert!("admin".parse::<FeedScope>().unwrap_err().contains("import, events or points"));
    }
}
