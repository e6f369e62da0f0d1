//! Integration tests through real HTTP, on SQLite (default) and PostgreSQL
//! (`TEST_DATABASE_URL`). One binary, so the crate links once.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
// Optimised builds (`cargo test --release`) resolve async-graphql's trait impls for the
// partner schema's `PartnerView<QueryRoot>` deeper than the default limit of 128.
#![recursion_limit = "256"]

mod auth;
mod binary;
mod browser;
mod clients;
mod compiled;
mod counts;
mod fixture;
mod frontend;
mod handoffs;
mod hardening;
mod helpers;
mod http;
mod live;
mod matrix;
mod narrow;
mod paging;
mod partners;
mod persisted;
mod reports;
mod sales;
mod schema;
mod tokens;
mod users;
