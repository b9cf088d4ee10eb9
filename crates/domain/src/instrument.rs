use crate::error::codes;
use crate::{DomainError, Money};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The exchange an instrument is listed on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Exchange {
    /// Shanghai Stock Exchange.
    SH,
    /// Shenzhen Stock Exchange.
    SZ,
    /// Beijing Stock Exchange.
    BJ,
}

/// An instrument code as brokerages write it: six digits and the exchange,
/// `600519.SH`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct InstrumentCode {
    digits: [u8; 6],
    exchange: Exchange,
}

impl InstrumentCode {
    /// Parses `600519.SH`; the suffix is case-insensitive.
    pub fn parse(text: &str) -> Result<Self, DomainError> {
        let t = text.trim();
        let (digits, exch) =
            t.split_once('.').ok_or_else(|| DomainError::new("instrument", codes::INSTRUMENT_CODE).with("value", t))?;
        let exchange = match exch.to_ascii_uppercase().as_str() {
            "SH" => Exchange::SH,
            "SZ" => Exchange::SZ,
            "BJ" => Exchange::BJ,
            _ => return Err(DomainError::new("instrument", codes::INSTRUMENT_CODE).with("value", t)),
        };
        let bytes = digits.as_bytes();
        if bytes.len() != 6 || !bytes.iter().all(u8::is_ascii_digit) {
            return Err(DomainError::new("instrument", codes::INSTRUMENT_CODE).with("value", t));
        }
        let mut d = [0u8; 6];
        d.copy_from_slice(bytes);
        Ok(InstrumentCode { digits: d, exchange })
    }

    /// Builds a code from six digits and an exchange.
    pub fn new(digits: &str, exchange: Exchange) -> Result<Self, DomainError> {
        let suffix = match exchange {
            Exchange::SH => "SH",
            Exchange::SZ => "SZ",
            Exchange::BJ => "BJ",
        };
        Self::parse(&format!("{digits}.{suffix}"))
    }

    /// The six digits.
    pub fn digits(&self) -> &str {
        std::str::from_utf8(&self.digits).expect("ascii digits")
    }

    /// The exchange.
    pub fn exchange(&self) -> Exchange {
        self.exchange
    }

    /// The board a stock with this code trades on, read from its prefix.
    pub fn stock_board(&self) -> Board {
        let d = self.digits();
        match self.exchange {
            Exchange::SH if d.starts_with("688") || d.starts_with("689") => Board::Star,
            Exchange::SH => Board::SseMain,
            Exchange::SZ if d.starts_with('3') => Board::ChiNext,
            Exchange::SZ => Board::SzseMain,
            Exchange::BJ => Board::Bse,
        }
    }
}

impl fmt::Display for InstrumentCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:?}", self.digits(), self.exchange)
    }
}

impl fmt::Debug for InstrumentCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self}")
    }
}

impl TryFrom<String> for InstrumentCode {
    type Error = DomainError;
    fn try_from(s: String) -> Result<Self, DomainError> {
        Self::parse(&s)
    }
}

impl From<InstrumentCode> for String {
    fn from(c: InstrumentCode) -> String {
        c.to_string()
    }
}

/// Defines a closed set of values with a stable text form, used in CSV files,
/// the database and the API alike.
macro_rules! text_enum {
    ($(#[$doc:meta])* $name:ident, $field:literal { $($(#[$vdoc:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        pub enum $name {
            $($(#[$vdoc])* #[serde(rename = $text)] $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable text form.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl FromStr for $name {
            type Err = DomainError;
            fn from_str(s: &str) -> Result<Self, DomainError> {
                match s.trim() {
                    $($text => Ok($name::$variant),)+
                    other => Err($crate::DomainError::new($field, $crate::error::codes::NOT_ONE_OF)
                        .with("value", other)
                        .with("options", [$($text),+].join(", "))),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        $crate::instrument::stored_as_text!($name);
    };
}
pub(crate) use text_enum;

/// Stores a value as its text (`as_str`), read back through `FromStr`, so
/// that a row read back holds a valid value or fails to read (a stored word
/// outside its set, a text outside its limits, is corrupt). A closed set of
/// words encodes its `&'static str`; a text (`owned`) encodes its `String`.
#[cfg(feature = "sqlx")]
macro_rules! stored_as_text {
    ($name:ident) => {
        $crate::instrument::stored_as_text!(@type_and_decode $name);

        impl<'q, DB: sqlx::Database> sqlx::Encode<'q, DB> for $name
        where
            &'q str: sqlx::Encode<'q, DB>,
        {
            fn encode_by_ref(
                &self,
                buf: &mut <DB as sqlx::Database>::ArgumentBuffer<'q>,
            ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
                <&'q str as sqlx::Encode<'q, DB>>::encode(self.as_str(), buf)
            }
        }
    };
    ($name:ident, owned) => {
        $crate::instrument::stored_as_text!(@type_and_decode $name);

        impl<'q, DB: sqlx::Database> sqlx::Encode<'q, DB> for $name
        where
            String: sqlx::Encode<'q, DB>,
        {
            fn encode_by_ref(
                &self,
                buf: &mut <DB as sqlx::Database>::ArgumentBuffer<'q>,
            ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
                <String as sqlx::Encode<'q, DB>>::encode_by_ref(&self.as_str().to_owned(), buf)
            }
        }
    };
    (@type_and_decode $name:ident) => {
        impl<DB: sqlx::Database> sqlx::Type<DB> for $name
        where
            str: sqlx::Type<DB>,
        {
            fn type_info() -> DB::TypeInfo {
                <str as sqlx::Type<DB>>::type_info()
            }

            fn compatible(ty: &DB::TypeInfo) -> bool {
                <str as sqlx::Type<DB>>::compatible(ty)
            }
        }

        impl<'r, DB: sqlx::Database> sqlx::Decode<'r, DB> for $name
        where
            &'r str: sqlx::Decode<'r, DB>,
        {
            fn decode(value: <DB as sqlx::Database>::ValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
                let text = <&'r str as sqlx::Decode<'r, DB>>::decode(value)?;
                Ok(text.parse::<$name>()?)
            }
        }
    };
}
#[cfg(not(feature = "sqlx"))]
macro_rules! stored_as_text {
    ($name:ident $(, owned)?) => {};
}
pub(crate) use stored_as_text;

text_enum!(
    /// The market segment an instrument trades on; it sets price bands and lots.
    Board, "board" {
        /// Shanghai main board (600, 601, 603, 605).
        SseMain = "sse_main",
        /// Shanghai STAR Market (688, 689).
        Star = "star",
        /// Shenzhen main board (000, 001, 002, 003).
        SzseMain = "szse_main",
        /// Shenzhen ChiNext (300, 301, 302).
        ChiNext = "chinext",
        /// Beijing Stock Exchange.
        Bse = "bse",
    }
);

text_enum!(
    /// What kind of security an instrument is.
    InstrumentKind, "kind" {
        /// An A-share stock.
        Stock = "stock",
        /// A government or corporate bond (face value 100).
        Bond = "bond",
        /// A convertible bond (face value 100, T+0).
        ConvertibleBond = "convertible",
        /// An exchange-traded fund.
        Etf = "etf",
    }
);

text_enum!(
    /// What an ETF tracks: it sets the fund's daily band (20% for STAR and
    /// ChiNext indexes) and its turnaround (T+0 for cross-border, bond, gold,
    /// commodity and money-market funds).
    FundClass, "fund_class" {
        /// A main-board or broad equity index: 10%, T+1.
        Equity = "equity",
        /// A STAR Market index: 20%, T+1.
        StarIndex = "star_index",
        /// A ChiNext index: 20%, T+1.
        ChinextIndex = "chinext_index",
        /// Foreign (cross-border) stocks: T+0.
        CrossBorder = "cross_border",
        /// Bonds: T+0.
        Bond = "bond",
        /// Gold: T+0.
        Gold = "gold",
        /// Commodity futures: T+0.
        Commodity = "commodity",
        /// Money market: T+0.
        MoneyMarket = "money_market",
    }
);

/// A listed security with the trading rules that apply to it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Instrument {
    /// Code such as 600519.SH.
    pub code: InstrumentCode,
    /// Short name (简称).
    pub name: String,
    /// Board, for price bands and lots.
    pub board: Board,
    /// Stock, bond, convertible or ETF.
    pub kind: InstrumentKind,
    /// Shares (or bond units) per lot.
    pub lot: i64,
    /// Minimum price step.
    pub tick: Money,
    /// Daily price-limit band as a fraction (0.10 for 10%); none when zero.
    pub limit_pct: Money,
    /// Special treatment (ST): a 5% band and extra risk warnings.
    pub st: bool,
    /// Listing date.
    pub list_date: NaiveDate,
    /// Face value (100 for bonds), none for stocks.
    pub face_value: Option<Money>,
    /// Shares outstanding, for the 5% holding threshold.
    pub outstanding_shares: i64,
    /// Latest close, the reference price for valuation until quotes arrive.
    pub last_close: Money,
    /// What an ETF tracks (None for other kinds, and an ETF of unknown class: equity).
    pub fund_class: Option<FundClass>,
    /// The first trading day of its delisting-consolidation period (退市整理期), if it is in one.
    pub delisting_from: Option<NaiveDate>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boards_come_from_the_code() {
        let board = |c: &str| InstrumentCode::parse(c).unwrap().stock_board();
        assert_eq!(board("600519.SH"), Board::SseMain);
        assert_eq!(board("688981.SH"), Board::Star);
        assert_eq!(board("000001.SZ"), Board::SzseMain);
        assert_eq!(board("300750.sz"), Board::ChiNext);
        assert_eq!(board("430047.BJ"), Board::Bse);
    }

    #[test]
    fn codes_reject_malformed_text() {
        assert!(InstrumentCode::parse("600519").is_err());
        assert!(InstrumentCode::parse("60051.SH").is_err());
        assert!(InstrumentCode::parse("600519.HK").is_err());
        assert_eq!(InstrumentCode::parse(" 600519.sh ").unwrap().to_string(), "600519.SH");
    }

    #[test]
    fn kinds_parse_from_their_text() {
        assert_eq!("convertible".parse::<InstrumentKind>(), Ok(InstrumentKind::ConvertibleBond));
        let err = "warrant".parse::<InstrumentKind>().unwrap_err();
        assert!(err.to_string().contains("kind: 'warrant' is not one of stock, bond"));
    }
}
