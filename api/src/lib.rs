//! salesgraph: a GraphQL API server for sales organizations.

pub mod auth;
pub mod cli;
pub mod clock;
pub mod config;
pub mod db;
pub mod domain;
pub mod error;
pub mod events;
pub mod graphiql;
pub mod graphql;
pub mod http;
pub mod metrics;
pub mod middleware;
pub mod persisted;
pub mod read;
pub mod reports_http;
pub mod seed;
pub mod services;
pub mod sockets;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod ws;
