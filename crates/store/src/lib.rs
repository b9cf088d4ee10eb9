//! Persistence for Brokerdesk on SQLite (embedded, the default) and
//! PostgreSQL (production), chosen by the database URL.
//!
//! One repository API serves both: every query is written once and compiled
//! for each backend by [`with_pool!`], so the two cannot drift apart. Money is
//! stored as integer counts of 0.0001 CNY ([`domain::FixedPoint`]), which both
//! backends sum exactly.

mod audit;
mod chat;
mod content;
mod custody;
mod error;
mod groups;
mod history;
mod keys;
mod labels;
mod personal;
mod plan;
mod pool;
mod quotes;
mod read;
mod reminders;
mod tokens;
mod users;
mod work;
mod write;

pub use chat::{ActionRow, MemberCounts, MessageRow, NewAction, NewMessage, QuestionRow, ReportRow};
pub use content::{ContentVersion, DuePublication, FollowUpRow, PublicationRow};
pub use custody::{Handover, HandoverRefusal};
pub use error::StoreError;
pub use groups::{ApplicationRow, EntryFacts, GroupRow, MemberRow, NewGroup, OwnApplication};
pub use history::{ServiceLine, TradeLine};
pub use keys::Keys;
pub use labels::{CustomerHistory, StoredLabels, TradeRecord};
pub use personal::Reseal;
pub use plan::{PlanInput, PlanRow};
pub use pool::{Backend, Db, Pool};
pub use quotes::InstrumentRow;
pub use read::{
    CustomerDetail, CustomerPage, CustomerQuery, CustomerRow, FirmOverview, KeySet, PositionRow, StoreStats,
};
pub use reminders::{NewReminder, ReminderQuery, ReminderRow, ReminderVolume, WatchBook};
pub use tokens::ApiToken;
pub use users::{NewUser, SignInRecord};
pub use work::{NewTask, TaskRow};
pub use write::Rows;
