//! Stable error codes. Every refusal in every crate has a code from its
//! crate's one table (a `codes` module, made with [`codes!`]), answered
//! through one trait, [`ErrorCode`]. Clients and tests match the code; the
//! message a person reads is the catalogue entry `error-<code>` in their
//! language (`messages`), filled with the refusal's values.

use std::fmt;

/// What sort of refusal a code is, which decides how each door answers it
/// (the HTTP status, for one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// A value in the request is malformed or out of range (400).
    Invalid,
    /// No session or token (401).
    Unauthenticated,
    /// The role, scope or CSRF check refuses it (403).
    Forbidden,
    /// No such row, or none the caller may see (404).
    NotFound,
    /// The row is not in a state that allows it (409).
    Conflict,
    /// The body is too large (413).
    TooLarge,
    /// The body is not in a form the route reads (415).
    Unsupported,
    /// A rule stopped it: admission, moderation, a stored row it conflicts with (422).
    Refused,
    /// Too many requests of its kind for now (429).
    TooMany,
    /// The service lacks something it needs, such as the keyring (503).
    Unavailable,
    /// Something failed inside; the cause is logged, never shown (500).
    Internal,
}

/// One stable error code and its kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Code {
    /// The code, snake_case, e.g. `group_not_found`; its message is `error-<code>`.
    pub code: &'static str,
    /// Its kind.
    pub kind: ErrorKind,
}

impl Code {
    /// A refusal with this code, no field and no values yet.
    pub fn refuse(self) -> Refusal {
        Refusal { code: self, field: None, args: Vec::new() }
    }

    /// The catalogue key of its message.
    pub fn message_key(self) -> String {
        format!("error-{}", self.code)
    }
}

/// Declares a crate's table of error codes: one constant per code, and
/// `ALL`, every code of the table (for the README, the OpenAPI document and
/// the catalogue test).
#[macro_export]
macro_rules! codes {
    ($( $(#[$doc:meta])* $name:ident = $code:literal : $kind:ident, )*) => {
        $( $(#[$doc])* pub const $name: $crate::Code = $crate::Code { code: $code, kind: $crate::ErrorKind::$kind }; )*
        /// Every code of this table.
        pub const ALL: &[$crate::Code] = &[$($name),*];
    };
}

/// An error as a caller is told of it: its stable code, the request field to
/// blame (if one), and the values its message names.
pub trait ErrorCode {
    /// The stable code.
    fn code(&self) -> Code;
    /// The request field to blame, if one is.
    fn field(&self) -> Option<&'static str> {
        None
    }
    /// The values the message names, by the catalogue's variable names.
    fn args(&self) -> Vec<(&'static str, String)> {
        Vec::new()
    }
}

/// A refusal: a code with its field and values. The error of most use cases.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    code: Code,
    field: Option<&'static str>,
    args: Vec<(&'static str, String)>,
}

impl Refusal {
    /// Blames a request field.
    pub fn on(mut self, field: &'static str) -> Refusal {
        self.field = Some(field);
        self
    }

    /// Adds a value the message names.
    pub fn with(mut self, name: &'static str, value: impl fmt::Display) -> Refusal {
        self.args.push((name, value.to_string()));
        self
    }

    /// Whether this is a refusal with this code.
    pub fn is(&self, code: Code) -> bool {
        self.code == code
    }
}

impl ErrorCode for Refusal {
    fn code(&self) -> Code {
        self.code
    }

    fn field(&self) -> Option<&'static str> {
        self.field
    }

    fn args(&self) -> Vec<(&'static str, String)> {
        self.args.clone()
    }
}

/// An error's message in English (for logs and the command line); pages and
/// the API read the reader's own language.
pub fn english(error: &dyn ErrorCode) -> String {
    let mut args = error.args();
    if let Some(field) = error.field() {
        args.push(("field", field.to_owned()));
    }
    messages::Locale::En.t_with(&error.code().message_key(), &args)
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&english(self))
    }
}

impl std::error::Error for Refusal {}

/// Why a value could not become a domain type: the field, and a refusal
/// saying which rule it broke.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainError {
    field: &'static str,
    refusal: Refusal,
}

impl DomainError {
    /// A field's value broke the rule of `code`.
    pub fn new(field: &'static str, code: Code) -> Self {
        DomainError { field, refusal: code.refuse().on(field) }
    }

    /// Adds a value the message names (usually the value given).
    pub fn with(mut self, name: &'static str, value: impl fmt::Display) -> Self {
        self.refusal = self.refusal.with(name, value);
        self
    }

    /// The same rule broken, said of another field (the request's name for it).
    pub fn for_field(mut self, field: &'static str) -> Self {
        self.field = field;
        self.refusal = self.refusal.on(field);
        self
    }

    /// The field the error is about.
    pub fn field(&self) -> &'static str {
        self.field
    }

    /// What is wrong, in English, without the field's name.
    pub fn reason(&self) -> String {
        messages::Locale::En.t_with(&self.refusal.code.message_key(), &self.refusal.args)
    }
}

impl ErrorCode for DomainError {
    fn code(&self) -> Code {
        self.refusal.code
    }

    fn field(&self) -> Option<&'static str> {
        Some(self.field)
    }

    fn args(&self) -> Vec<(&'static str, String)> {
        self.refusal.args.clone()
    }
}

impl fmt::Display for DomainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.reason())
    }
}

impl std::error::Error for DomainError {}

impl From<DomainError> for Refusal {
    fn from(e: DomainError) -> Refusal {
        e.refusal
    }
}

/// The domain's refusals: values that break the rules of their type.
pub mod codes {
    crate::codes! {
        /// A value must be above zero.
        MUST_BE_POSITIVE = "must_be_positive": Invalid,
        /// A value must not be below zero.
        NEGATIVE = "negative": Invalid,
        /// A bar's high is below its open or close.
        HIGH_BELOW_OPEN_CLOSE = "high_below_open_close": Invalid,
        /// A bar's low is above its open or close.
        LOW_ABOVE_OPEN_CLOSE = "low_above_open_close": Invalid,
        /// A last price outside the day's range.
        OUTSIDE_DAY_RANGE = "outside_day_range": Invalid,
        /// The best bid is above the best ask.
        BID_ABOVE_ASK = "bid_above_ask": Invalid,
        /// An advisor without a licence number.
        LICENCE_REQUIRED = "licence_required": Invalid,
        /// A risk level outside C1-C5.
        RISK_LEVEL = "risk_level": Invalid,
        /// A birth date that is not the national ID's.
        BIRTH_DATE_MISMATCH = "birth_date_mismatch": Invalid,
        /// Market entry before birth.
        ENTRY_BEFORE_BIRTH = "entry_before_birth": Invalid,
        /// An instrument code not of the form 600519.SH.
        INSTRUMENT_CODE = "instrument_code": Invalid,
        /// A sellable quantity outside 0..quantity.
        SELLABLE_RANGE = "sellable_range": Invalid,
        /// An amount too large to store.
        TOO_LARGE = "too_large": Invalid,
        /// A date not of the form YYYY-MM-DD.
        DATE_FORM = "date_form": Invalid,
        /// A time not in a form the README names.
        TIME_FORM = "time_form": Invalid,
        /// A number that is not one, or has too many decimals.
        NUMBER_FORM = "number_form": Invalid,
        /// A word that is not one of those the field takes.
        NOT_ONE_OF = "not_one_of": Invalid,
        /// An empty text.
        EMPTY = "empty": Invalid,
        /// A text longer than its limit.
        TOO_LONG = "too_long": Invalid,
        /// A text with control characters.
        CONTROL_CHARACTERS = "control_characters": Invalid,
        /// A national ID of the wrong length or characters.
        NATIONAL_ID_FORM = "national_id_form": Invalid,
        /// A national ID with no valid birth date.
        NATIONAL_ID_BIRTH_DATE = "national_id_birth_date": Invalid,
        /// A national ID whose check character does not match.
        NATIONAL_ID_CHECK = "national_id_check": Invalid,
        /// Not an 11-digit mobile number.
        PHONE_FORM = "phone_form": Invalid,
        /// A text outside its length limits.
        LENGTH = "length": Invalid,
        /// A decision that must say why, to the person it concerns.
        REASON_REQUIRED = "reason_required": Invalid,
        /// Not a whole number.
        NOT_A_NUMBER = "not_a_number": Invalid,
        /// A number outside its range.
        OUT_OF_RANGE = "out_of_range": Invalid,
        /// No such row, or none the caller may see.
        NOT_FOUND = "not_found": NotFound,
        /// Something failed inside; the cause is in the log.
        INTERNAL = "internal": Internal,
    }
}
