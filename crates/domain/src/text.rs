//! Text people write, with its limits: a value of one of these types is
//! trimmed and within its length, so a use case that takes one need not
//! check again, and no request body can be read into one that is not.

use crate::error::codes;
use crate::DomainError;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Defines a trimmed text of `min` to `max` characters, refused on `field`
/// with the `length` code (naming the limits) when it is not.
macro_rules! bounded_text {
    ($(#[$doc:meta])* $name:ident, $field:literal, $min:literal ..= $max:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// The fewest characters.
            pub const MIN: usize = $min;
            /// The most characters.
            pub const MAX: usize = $max;

            /// The text trimmed, if it is within the limits.
            pub fn parse(text: &str) -> Result<Self, DomainError> {
                let text = text.trim();
                let n = text.chars().count();
                if !(Self::MIN..=Self::MAX).contains(&n) {
                    return Err(DomainError::new($field, codes::LENGTH).with("min", $min).with("max", $max));
                }
                Ok($name(text.to_owned()))
            }

            /// The text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl std::str::FromStr for $name {
            type Err = DomainError;
            fn from_str(text: &str) -> Result<Self, DomainError> {
                Self::parse(text)
            }
        }

        impl TryFrom<String> for $name {
            type Error = DomainError;
            fn try_from(text: String) -> Result<Self, DomainError> {
                Self::parse(&text)
            }
        }

        impl From<$name> for String {
            fn from(text: $name) -> String {
                text.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        $crate::instrument::stored_as_text!($name, owned);
    };
}

bounded_text!(
    /// A chat group's name.
    GroupName, "name", 1..=60
);
bounded_text!(
    /// What a chat group is for (may be empty).
    GroupDescription, "description", 0..=1_000
);
bounded_text!(
    /// A chat message as its sender writes it.
    MessageText, "text", 1..=2_000
);
bounded_text!(
    /// The title of an advisor's content item.
    ContentTitle, "title", 1..=120
);
bounded_text!(
    /// The body of an advisor's content item.
    ContentBody, "body", 1..=20_000
);
bounded_text!(
    /// A short note: a follow-up's, a report's reason, a decision's comment.
    Note, "note", 1..=500
);
bounded_text!(
    /// A member's appeal against a moderation action.
    AppealText, "text", 1..=1_000
);
bounded_text!(
    /// What a task asks, in a line.
    TaskTitle, "title", 1..=200
);
bounded_text!(
    /// What came of a task or a planned contact.
    Outcome, "outcome", 1..=500
);
bounded_text!(
    /// The name a user signs in with.
    LoginName, "login", 1..=100
);
bounded_text!(
    /// What an API token is for, in an admin's words.
    TokenName, "name", 1..=100
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;

    #[test]
    fn text_is_trimmed_and_held_to_its_limits_in_characters() {
        assert_eq!(GroupName::parse("  价值投资交流群 ").unwrap().as_str(), "价值投资交流群");
        assert!(GroupName::parse(&"群".repeat(60)).is_ok(), "60 Chinese characters are 60, not 180 bytes");
        let long = GroupName::parse(&"群".repeat(61)).unwrap_err();
        assert_eq!((long.field(), long.code()), ("name", codes::LENGTH));
        assert!(GroupName::parse("   ").is_err(), "blank is empty");
        assert_eq!(GroupDescription::parse("").unwrap().as_str(), "");
    }

    #[test]
    fn a_request_body_cannot_hold_text_outside_its_limits() {
        #[derive(Debug, Deserialize)]
        struct Body {
            #[allow(dead_code)]
            text: MessageText,
        }
        assert!(serde_json::from_str::<Body>(r#"{"text":"明天还能买吗"}"#).is_ok());
        assert!(serde_json::from_str::<Body>(r#"{"text":"  "}"#).is_err());
        let long = format!(r#"{{"text":"{}"}}"#, "x".repeat(MessageText::MAX + 1));
        assert!(serde_json::from_str::<Body>(&long).is_err());
        let text = MessageText::parse("hi").unwrap();
        assert_eq!(serde_json::to_string(&text).unwrap(), r#""hi""#);
    }
}
