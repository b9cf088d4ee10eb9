use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
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
