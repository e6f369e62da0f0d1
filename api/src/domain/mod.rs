//! Pure domain logic and validated input types: no database, no I/O.

pub mod calendar;
pub mod criteria;
pub mod deal_registration;
pub mod email;
pub mod global_id;
pub mod handoff;
pub mod money;
pub mod period;
pub mod pipeline;
pub mod text;
pub mod web_domain;

pub use email::Email;
pub use global_id::GlobalId;
pub use period::Period;
