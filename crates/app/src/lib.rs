//! Use cases that combine the contexts and the store, shared by the server and
//! the CLI: importing a brokerage's files, the event feeds, classification and
//! the plan, the risk desk, communities, key rotation.

pub mod advice;
pub mod analytics;
pub mod archive;
pub mod audit;
pub mod book;
pub mod book_files;
pub mod calendar;
pub mod classify;
pub mod cluster;
pub mod codes;
pub mod community;
pub mod conversations;
pub mod corporate;
pub mod customers;
pub mod demo;
pub mod demo_community;
pub mod demo_ideas;
pub mod demo_users;
mod error;
pub mod feeds;
pub mod growth;
pub mod handover;
pub mod ideas;
pub mod import;
pub mod instruments;
pub mod keys;
pub mod market_data;
pub mod notices;
pub mod orders;
pub mod outreach;
pub mod plan;
pub mod portfolios;
pub mod reminders;
pub mod replay;
pub mod risk_desk;
pub mod segments;
pub mod service;
pub mod sign_in;
pub mod tasks;
pub mod tokens;
pub mod users;

pub use error::Error;
pub use import::{import_dir, FileReport, ImportError, ImportOptions, ImportReport};
pub use store::Db;
