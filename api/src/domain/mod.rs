//! Pure domain logic and validated input types: no database, no I/O.

pub mod email;
pub mod global_id;
pub mod text;

pub use email::Email;
pub use global_id::GlobalId;
