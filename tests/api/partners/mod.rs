//! The partner portal: the partner schema, partners, deal registration and isolation.

mod isolation;
mod matrix;
mod organizations;
pub mod registrations;
mod reports;
mod review;
mod schema_http;
mod schema_walk;
