use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        #[cfg_attr(feature = "sqlx", derive(sqlx::Type), sqlx(transparent))]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = i64))]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::num::ParseIntError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.trim().parse().map($name)
            }
        }
    };
}

id_type!(
    /// A branch office (营业部) of the firm.
    BranchId
);
id_type!(
    /// A member of staff: advisor, manager, compliance officer or admin.
    StaffId
);
id_type!(
    /// A retail customer.
    CustomerId
);
id_type!(
    /// A customer's cash (capital) account, which holds positions.
    AccountId
);
id_type!(
    /// A trade, identified by the brokerage's own external id.
    TradeId
);
id_type!(
    /// A cash flow, login or service event, identified by its source's id.
    EventId
);
id_type!(
    /// An advisor's chat group.
    GroupId
);
id_type!(
    /// A message in a group.
    MessageId
);
id_type!(
    /// A moderation action in a group's log.
    ActionId
);
id_type!(
    /// A customer's application to join a group.
    ApplicationId
);
id_type!(
    /// A member's report of a message.
    ReportId
);
id_type!(
    /// An advisor's content item (all its versions).
    ContentId
);
id_type!(
    /// A content version's placement in a group at a moment.
    PublicationId
);
id_type!(
    /// A task in the work queue.
    TaskId
);
id_type!(
    /// A user who signs in.
    UserId
);
id_type!(
    /// An API token of a machine feed.
    TokenId
);
id_type!(
    /// A risk reminder.
    ReminderId
);
id_type!(
    /// A product in the catalogue.
    ProductId
);
id_type!(
    /// A customer's answers to the risk questionnaire, scored.
    AssessmentId
);
id_type!(
    /// A purchase of a product (paper), with the gate's verdict.
    PurchaseId
);
id_type!(
    /// An idea: an instrument, a direction, a target and a stop, tracked from publication.
    IdeaId
);
id_type!(
    /// A research source ideas come from (the firm's desk, an outside institution).
    ResearchSourceId
);
id_type!(
    /// One send of an idea, content or product to a segment of customers.
    SendId
);
id_type!(
    /// A notice on instruments: news or a dated corporate event.
    NoticeId
);
id_type!(
    /// A customer-list filter an advisor saved by name.
    SavedFilterId
);
id_type!(
    /// A model (paper) portfolio an advisor runs.
    PortfolioId
);
id_type!(
    /// One rebalance of a model portfolio.
    RebalanceId
);
id_type!(
    /// An order: a ticket as sent, with what the checks found, and its paper fills.
    OrderId
);
id_type!(
    /// A conditional order (条件单) waiting for its trigger.
    ConditionalId
);
