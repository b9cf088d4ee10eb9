//! Plain types shared by every Brokerdesk context. No I/O lives here.
//!
//! Values that have rules (a national ID, a phone number, an instrument code)
//! are newtypes with a `parse` constructor, so that a value of the type is
//! always valid and the rest of the code need not check again.

mod community;
pub mod error;
mod ids;
pub(crate) mod instrument;
mod money;
mod party;
mod person;
mod quotes;
mod suitability;
pub(crate) mod text;
mod time;
mod trading;

pub use community::{ApplicationStatus, ContentKind, ContentStatus, SenderKind};
pub use error::{codes, english, Code, DomainError, ErrorCode, ErrorKind, Refusal};
pub use ids::{
    AccountId, ActionId, ApplicationId, AssessmentId, BranchId, ConditionalId, ContentId, CustomerId, EventId, GroupId,
    IdeaId, MessageId, NoticeId, OrderId, PortfolioId, ProductId, PublicationId, PurchaseId, RebalanceId, ReminderId,
    ReportId, ResearchSourceId, SavedFilterId, SendId, StaffId, TaskId, TokenId, TradeId, UserId,
};
pub use instrument::{Board, Exchange, FundClass, Instrument, InstrumentCode, InstrumentKind};
pub use money::{FixedPoint, Money, FIXED_POINT_SCALE};
pub use party::{
    Branch, CashAccount, Customer, Gender, Horizon, Login, LoginChannel, RiskLevel, ServiceEvent, ServiceEventKind,
    Staff, StaffRole, TaskKind,
};
pub use person::{age_in_year, mask_name, mask_national_id, mask_phone, NationalId, PersonName, Phone};
pub use quotes::{DailyBar, Snapshot};
pub use suitability::{
    InvestorClass, Ladder, ProductKind, ProductRisk, ProductState, RestrictedBoard, Variety, Verdict,
};
pub use text::{
    AppealText, ContentBody, ContentTitle, GroupDescription, GroupName, LoginName, MessageText, Note, Outcome,
    TaskTitle, TokenName,
};
pub use time::{parse_date, parse_timestamp, shanghai, to_shanghai, Clock, SetClock, SystemClock};
pub use trading::{CashFlow, CashFlowKind, CorporateAction, Position, Side, Trade};
