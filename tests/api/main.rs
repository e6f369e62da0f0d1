//! Integration tests through real HTTP, on SQLite (default) and PostgreSQL
//! (`TEST_DATABASE_URL`). One binary, so the crate links once.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod auth;
mod binary;
mod counts;
mod fixture;
mod hardening;
mod helpers;
mod http;
mod matrix;
mod paging;
mod sales;
mod schema;
mod tokens;
mod users;
