//! The CSV files a brokerage book is exchanged in: names and columns, shared by
//! `gen` (which writes them) and `import` (which reads them). The README's
//! column reference documents the same list.

/// One file of a book: its name and its header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BookFile {
    /// File name inside the book directory.
    pub name: &'static str,
    /// Columns, in the order `gen` writes them; `import` reads by name.
    pub columns: &'static [&'static str],
    /// Columns a file may leave out of its header altogether.
    pub optional: &'static [&'static str],
}

/// Branch offices.
pub const BRANCHES: BookFile = BookFile { name: "branches.csv", columns: &["id", "name", "city"], optional: &[] };
/// Staff.
pub const STAFF: BookFile = BookFile {
    name: "staff.csv",
    columns: &["id", "branch_id", "role", "name", "licence_no"],
    optional: &["licence_no"],
};
/// Customers.
pub const CUSTOMERS: BookFile = BookFile {
    name: "customers.csv",
    columns: &[
        "id",
        "name",
        "national_id",
        "phone",
        "gender",
        "birth_date",
        "market_entry_date",
        "branch_id",
        "advisor_id",
        "risk_level",
        "horizon",
        "real_name_verified",
        "professional",
        "opened_at",
        "referred_by",
    ],
    optional: &["referred_by"],
};
/// Cash accounts.
pub const ACCOUNTS: BookFile =
    BookFile { name: "accounts.csv", columns: &["id", "customer_id", "cash"], optional: &[] };
/// Instruments.
pub const INSTRUMENTS: BookFile = BookFile {
    name: "instruments.csv",
    columns: &[
        "code",
        "name",
        "board",
        "kind",
        "lot",
        "tick",
        "limit_pct",
        "st",
        "list_date",
        "face_value",
        "outstanding_shares",
        "last_close",
        "fund_class",
        "delisting_from",
    ],
    optional: &["face_value", "fund_class", "delisting_from"],
};
/// Positions.
pub const POSITIONS: BookFile = BookFile {
    name: "positions.csv",
    columns: &["account_id", "instrument", "quantity", "sellable_quantity", "cost_price"],
    optional: &[],
};
/// Trades.
pub const TRADES: BookFile = BookFile {
    name: "trades.csv",
    columns: &["id", "account_id", "instrument", "side", "quantity", "price", "fee", "time"],
    optional: &[],
};
/// Cash flows.
pub const CASH_FLOWS: BookFile =
    BookFile { name: "cash_flows.csv", columns: &["id", "account_id", "kind", "amount", "time"], optional: &[] };
/// Logins.
pub const LOGINS: BookFile =
    BookFile { name: "logins.csv", columns: &["id", "customer_id", "time", "channel"], optional: &[] };
/// Service events.
pub const SERVICE_EVENTS: BookFile = BookFile {
    name: "service_events.csv",
    columns: &["id", "customer_id", "staff_id", "kind", "time"],
    optional: &["staff_id"],
};

/// Daily bars (volume in lots; amount, prev_close and adj_factor optional).
pub const DAILY_BARS: BookFile = BookFile {
    name: "daily_bars.csv",
    columns: &["code", "date", "open", "high", "low", "close", "volume", "amount", "prev_close", "adj_factor"],
    optional: &["amount", "prev_close", "adj_factor"],
};
/// Intraday snapshots (bid and ask optional).
pub const SNAPSHOTS: BookFile = BookFile {
    name: "snapshots.csv",
    columns: &["code", "time", "last", "prev_close", "high", "low", "volume", "bid", "ask"],
    optional: &["bid", "ask"],
};

/// Ex-rights and ex-dividend events: cash and new shares per share held.
pub const CORPORATE_ACTIONS: BookFile = BookFile {
    name: "corporate_actions.csv",
    columns: &["id", "instrument", "ex_date", "cash_per_share", "new_shares_per_share"],
    optional: &[],
};

/// Every file, in the order they must load (referenced before referencing).
pub const LOAD_ORDER: [BookFile; 13] = [
    BRANCHES,
    STAFF,
    CUSTOMERS,
    ACCOUNTS,
    INSTRUMENTS,
    CORPORATE_ACTIONS,
    DAILY_BARS,
    SNAPSHOTS,
    POSITIONS,
    TRADES,
    CASH_FLOWS,
    LOGINS,
    SERVICE_EVENTS,
];
