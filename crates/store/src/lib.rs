//! Persistence for Brokerdesk on SQLite (embedded, the default) and
//! PostgreSQL (production), chosen by the database URL.
//!
//! One repository API serves both: every query is written once and compiled
//! for each backend by [`with_pool!`], so the two cannot drift apart. Money is
//! stored as integer counts of 0.0001 CNY ([`domain::FixedPoint`]), which both
//! backends sum exactly.

mod analytics;
mod audit;
mod book;
mod chat;
mod content;
mod conversations;
mod copy_in;
mod corporate;
mod customers;
mod disclosure;
mod envelopes;
mod error;
mod figures;
mod firm;
mod group_health;
mod groups;
mod handover;
mod history;
mod holdings;
mod ideas;
mod keys;
mod kpis;
mod labels;
mod market;
mod name_search;
mod notices;
mod orders;
mod outreach;
mod personal;
mod plan;
mod points;
mod pool;
mod portfolios;
mod referrals;
mod reminders;
mod segments;
mod service;
mod suitability;
mod tasks;
mod tiers;
mod tokens;
mod unit;
mod users;

pub use analytics::{month_of, month_start, ActivityKeys, MemberMonths, TeamMonth, REBUILD_ANALYTICS_ABOVE};
pub use book::Rows;
pub use chat::{ActionRow, MemberCounts, MessageRow, NewAction, NewMessage, QuestionRow, ReportRow};
pub use content::{ContentVersion, DuePublication, FollowUpRow, PublicationRow};
pub use conversations::{
    ArchiveSelection, ArchivedContent, ArchivedMessage, ConversationMessageRow, ConversationRow, ARCHIVE_PAGE,
};
pub use customers::{
    CustomerDetail, CustomerPage, CustomerQuery, CustomerRow, CustomerSort, ListCursor, ListPage, MonthStage,
    MonthStageKind, PositionRow, COUNT_UP_TO, SEARCH_COUNT_UP_TO,
};
pub use envelopes::{EnvelopeRow, NewEnvelope, OpenFound, ShareRow};
pub use error::{codes, StoreError};
pub use figures::{LoadedKeys, DORMANT_AFTER_DAYS, REBUILD_FIGURES_ABOVE};
pub use firm::{FirmOverview, KeySet, StoreStats};
pub use group_health::{QuestionTimes, RuleChangeRow};
pub use groups::{ApplicationRow, EntryFacts, GroupRow, MemberRow, NewGroup, OwnApplication};
pub use handover::{Handover, HandoverRefusal};
pub use history::{
    CashFlowLine, HistoryCursor, HistoryKind, HistoryLine, HistoryPage, LoginLine, ServiceLine, TradeLine,
};
pub use holdings::HoldingKey;
pub use ideas::{IdeaRow, NewIdea, ResearchSourceRow, SavedFilterRow};
pub use keys::Keys;
pub use kpis::AdvisorCounts;
pub use labels::{CustomerHistory, StoredLabels, TradeRecord};
pub use market::InstrumentRow;
pub use notices::{Holder, NewNotice, NoticeRow};
pub use orders::{
    ConditionalRow, FindingRow, NewConditional, NewOrder, OrderAccount, OrderRow, PreventedRow, TriggerRow,
};
pub use outreach::{InboxRow, NewSend, SendRow, SENDS_PER_ROUND};
pub use personal::Reseal;
pub use plan::{PlanInput, PlanRow};
pub use points::{LedgerOutcomes, LedgerTotals, StatementLine};
pub use pool::{Backend, BulkLoad, Db, Pool};
pub use portfolios::{PortfolioRow, RebalanceRow};
pub use referrals::{InvitePrompt, LeaderRow, NewReferral, PromptConversion, ReferralRow, ShareFigures};
pub use reminders::{
    AccountSlice, CustomerShares, NewReminder, ReminderQuery, ReminderRow, ReminderVolume, WatchBook,
    DELIVERIES_PER_ROUND,
};
pub use segments::{MapRow, SegmentRow};
pub use service::{AttachmentRow, FaultReportRow, IncidentRow, NewTicket, TicketEventRow, TicketFilter, TicketRow};
pub use suitability::{
    AssessmentRow, BookMovement, FunnelRow, GateException, GateLogRow, GateStep, NewProduct, PermissionRow, ProductRow,
    ProfessionalRow, PurchaseRow, StoredInvestor,
};
pub use tasks::{NewTask, TaskRow};
pub use tiers::{TierChangeRow, TierRow};
pub use tokens::ApiToken;
pub use unit::{Tx, TxConn};
pub use users::{NewUser, SignInRecord};
