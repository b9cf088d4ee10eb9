use crate::error::codes;
use crate::instrument::text_enum;
use crate::{AccountId, BranchId, CustomerId, DomainError, EventId, Money, NationalId, PersonName, Phone, StaffId};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A branch office (营业部).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Branch {
    /// Id.
    pub id: BranchId,
    /// Name, e.g. 上海浦东营业部.
    pub name: String,
    /// City.
    pub city: String,
}

text_enum!(
    /// What a member of staff does in the firm, which sets what they may see.
    StaffRole, "role" {
        /// Investment advisor (投顾): serves a book of customers.
        Advisor = "advisor",
        /// Branch manager: oversees a branch's advisors.
        Manager = "manager",
        /// Compliance officer: reviews content, reads everything.
        Compliance = "compliance",
        /// Administrator: firm set-up and rules.
        Admin = "admin",
    }
);

/// A member of the firm's staff.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Staff {
    /// Id.
    pub id: StaffId,
    /// Home branch.
    pub branch_id: BranchId,
    /// Role.
    pub role: StaffRole,
    /// Name.
    pub name: PersonName,
    /// SAC licence number; advisors must have one.
    pub licence_no: Option<String>,
}

impl Staff {
    /// Checks the rules that tie role and licence together.
    pub fn validate(&self) -> Result<(), DomainError> {
        if self.role == StaffRole::Advisor && self.licence_no.as_deref().is_none_or(str::is_empty) {
            return Err(DomainError::new("licence_no", codes::LICENCE_REQUIRED));
        }
        Ok(())
    }
}

/// A customer's risk tolerance from the suitability questionnaire, C1
/// (lowest) to C5 (highest). Read from JSON or a row, it is checked: no
/// value outside C1-C5 can be made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "i64")]
pub struct RiskLevel(u8);

impl TryFrom<i64> for RiskLevel {
    type Error = DomainError;
    fn try_from(n: i64) -> Result<Self, DomainError> {
        RiskLevel::from_number(n)
    }
}

impl From<RiskLevel> for i64 {
    fn from(r: RiskLevel) -> i64 {
        i64::from(r.0)
    }
}

/// Stored as its number, 1 to 5, and checked when read.
#[cfg(feature = "sqlx")]
mod stored_risk_level {
    use super::RiskLevel;

    impl<DB: sqlx::Database> sqlx::Type<DB> for RiskLevel
    where
        i32: sqlx::Type<DB>,
    {
        fn type_info() -> DB::TypeInfo {
            <i32 as sqlx::Type<DB>>::type_info()
        }

        fn compatible(ty: &DB::TypeInfo) -> bool {
            <i32 as sqlx::Type<DB>>::compatible(ty)
        }
    }

    impl<'q, DB: sqlx::Database> sqlx::Encode<'q, DB> for RiskLevel
    where
        i32: sqlx::Encode<'q, DB>,
    {
        fn encode_by_ref(
            &self,
            buf: &mut <DB as sqlx::Database>::ArgumentBuffer<'q>,
        ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
            <i32 as sqlx::Encode<'q, DB>>::encode(i32::from(self.0), buf)
        }
    }

    impl<'r, DB: sqlx::Database> sqlx::Decode<'r, DB> for RiskLevel
    where
        i32: sqlx::Decode<'r, DB>,
    {
        fn decode(value: <DB as sqlx::Database>::ValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
            Ok(RiskLevel::from_number(i64::from(<i32 as sqlx::Decode<'r, DB>>::decode(value)?))?)
        }
    }
}

impl RiskLevel {
    /// C1..C5 as 1..5.
    pub fn from_number(n: i64) -> Result<Self, DomainError> {
        if (1..=5).contains(&n) {
            Ok(RiskLevel(n as u8))
        } else {
            Err(DomainError::new("risk_level", codes::RISK_LEVEL).with("value", format!("C{n}")))
        }
    }

    /// 1..5.
    pub fn number(self) -> u8 {
        self.0
    }
}

impl FromStr for RiskLevel {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, DomainError> {
        let t = s.trim();
        let digits = t.strip_prefix(['C', 'c']).unwrap_or(t);
        let n: i64 = digits.parse().map_err(|_| DomainError::new("risk_level", codes::RISK_LEVEL).with("value", t))?;
        Self::from_number(n)
    }
}

impl fmt::Display for RiskLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "C{}", self.0)
    }
}

text_enum!(
    /// How long a customer means to invest.
    Horizon, "horizon" {
        /// Under a year.
        Short = "short",
        /// One to three years.
        Medium = "medium",
        /// Over three years.
        Long = "long",
    }
);

text_enum!(
    /// Gender as on the ID card.
    Gender, "gender" {
        /// Male.
        Male = "M",
        /// Female.
        Female = "F",
    }
);

/// A retail customer of the firm.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Customer {
    /// Id.
    pub id: CustomerId,
    /// Real name.
    pub name: PersonName,
    /// National ID; masked wherever shown.
    #[serde(skip)]
    pub national_id: NationalId,
    /// Mobile number; masked wherever shown.
    #[serde(skip)]
    pub phone: Phone,
    /// Gender.
    pub gender: Gender,
    /// Birth date.
    pub birth_date: NaiveDate,
    /// First day in the stock market (may predate the account here).
    pub market_entry_date: NaiveDate,
    /// Branch that holds the account.
    pub branch_id: BranchId,
    /// Advisor serving the customer.
    pub advisor_id: StaffId,
    /// Suitability risk level.
    pub risk_level: RiskLevel,
    /// Investment horizon.
    pub horizon: Horizon,
    /// Real-name verification done.
    pub real_name_verified: bool,
    /// Qualified professional investor.
    pub professional: bool,
    /// When the customer opened their account here.
    pub opened_at: DateTime<Utc>,
}

impl Customer {
    /// Checks the rules between fields: the ID's birth date, entry after birth.
    pub fn validate(&self) -> Result<(), DomainError> {
        if self.national_id.birth_date() != self.birth_date {
            return Err(DomainError::new("birth_date", codes::BIRTH_DATE_MISMATCH));
        }
        if self.market_entry_date < self.birth_date {
            return Err(DomainError::new("market_entry_date", codes::ENTRY_BEFORE_BIRTH));
        }
        Ok(())
    }
}

/// A customer's cash account (资金账户), which holds cash and positions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CashAccount {
    /// Id.
    pub id: AccountId,
    /// Owner.
    pub customer_id: CustomerId,
    /// Cash balance in CNY.
    pub cash: Money,
}

text_enum!(
    /// Where a customer signed in.
    LoginChannel, "channel" {
        /// Mobile app.
        App = "app",
        /// Web.
        Web = "web",
        /// Desktop trading terminal.
        Pc = "pc",
    }
);

/// A customer signing in to a brokerage channel.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Login {
    /// Id from the source system.
    pub id: EventId,
    /// Who.
    pub customer_id: CustomerId,
    /// When.
    pub time: DateTime<Utc>,
    /// Where.
    pub channel: LoginChannel,
}

text_enum!(
    /// A contact between the firm and a customer.
    ServiceEventKind, "kind" {
        /// Phone call.
        Call = "call",
        /// Chat or text message.
        Message = "message",
        /// Visit in person.
        Visit = "visit",
        /// The customer used an advisory service (a question, a report).
        Consultation = "consultation",
    }
);

/// One service contact.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServiceEvent {
    /// Id from the source system.
    pub id: EventId,
    /// Customer served.
    pub customer_id: CustomerId,
    /// Staff member who served, if any.
    pub staff_id: Option<StaffId>,
    /// What happened.
    pub kind: ServiceEventKind,
    /// When.
    pub time: DateTime<Utc>,
}

text_enum!(
    /// Why an advisor has something to do for a customer.
    TaskKind, "kind" {
        /// A follow-up the advisor promised or planned.
        FollowUp = "follow_up",
        /// Care for a customer losing money or in trouble.
        Care = "care",
        /// A risk reminder to talk through with the customer.
        RiskReminder = "risk_reminder",
        /// A customer's question waiting for an answer.
        Question = "question",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_risk_level_outside_c1_to_c5_cannot_be_read_from_json() {
        assert_eq!(serde_json::from_str::<RiskLevel>("3").unwrap(), RiskLevel::from_number(3).unwrap());
        assert!(serde_json::from_str::<RiskLevel>("9").is_err(), "C9 is no risk level");
        assert!(serde_json::from_str::<RiskLevel>("0").is_err());
        assert_eq!(serde_json::to_string(&"C5".parse::<RiskLevel>().unwrap()).unwrap(), "5");
    }

    #[test]
    fn a_closed_set_of_words_reads_only_its_words() {
        assert_eq!(serde_json::from_str::<Horizon>("\"long\"").unwrap(), Horizon::Long);
        assert!(serde_json::from_str::<Horizon>("\"forever\"").is_err());
        let e = "forever".parse::<Horizon>().unwrap_err();
        assert_eq!(crate::ErrorCode::code(&e).code, "not_one_of");
    }
}
