//! Use cases that combine the contexts and the store, shared by the server and
//! the CLI: generating a synthetic brokerage, importing a brokerage's files.

pub mod audit;
pub mod bench;
pub mod book_files;
pub mod classify;
pub mod community;
pub mod demo_community;
pub mod demo_users;
pub mod feeds;
pub mod gen;
pub mod import;
pub mod keys;
pub mod market_data;
pub mod plan;
pub mod replay;
pub mod risk_desk;

pub use gen::{generate, GenOptions, GenSummary};
pub use import::{import_dir, FileReport, ImportError, ImportOptions, ImportReport};
