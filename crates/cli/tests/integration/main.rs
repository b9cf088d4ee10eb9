//! The cli crate's integration tests as one test binary: one module per
//! area. One binary links the product once instead of once per file, which
//! keeps a clean build's disk and link time small enough for CI.

mod archive;
mod audit;
mod bench_chat;
mod cluster;
mod crate_map;
mod demo;
mod holidays;
mod ideas;
mod indicators;
mod keys;
mod kill_import;
mod kill_serve;
mod live_reminders;
mod orders_check;
mod orders_replay;
mod points_kill;
mod points_sweep;
mod questionnaire;
mod replay;
mod screen;
mod tokens;
