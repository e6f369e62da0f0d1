//! The read model: what each GraphQL object type reads, declared once (`model/`).
//!
//! A type's declaration says, per field, which column or relation it reads and how a
//! stored value is encoded. The pages that narrow their columns to the selection
//! (`graphql::projection`) and the planner that answers a whole read in one statement
//! (`graphql::compiled`) both read it, so a stored field is declared in one place.

pub mod model;

pub use model::{Encoding, Field, TypeModel};
