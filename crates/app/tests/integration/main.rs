//! The app crate's integration tests as one test binary: one module per
//! area. One binary links the product once instead of once per file, which
//! keeps a clean build's disk and link time small enough for CI.

mod analytics;
mod classify;
mod figures;
mod import;
mod question_clock;
mod seed_users;
mod units_of_work;
