//! The server crate's integration tests as one test binary: one module per
//! area. One binary links the product once instead of once per file, which
//! keeps a clean build's disk and link time small enough for CI.

mod access;
mod analytics;
mod api;
mod browser;
mod browser_chat;
mod browser_envelopes;
mod browser_map;
mod browser_outreach;
mod browser_service;
mod browser_suitability;
mod chart;
mod clock;
mod communities;
mod corporate_actions;
mod customer_list;
mod customer_page;
mod envelopes;
mod every_route;
mod group_health;
mod instruments;
mod labels_follow_events;
mod languages;
mod large_holders;
mod late_quotes;
mod one_book;
mod orders;
mod outreach;
mod personal_data;
mod plan;
mod points;
mod referrals;
mod reminders;
mod route_list;
mod security_headers;
mod service;
mod suitability;
mod tokens;
