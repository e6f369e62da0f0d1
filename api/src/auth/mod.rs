//! Who is calling and what they may do: passwords, tokens, the actor and the policy.

pub mod actor;
pub mod jwt;
pub mod key_strength;
pub mod password;
pub mod policy;
pub mod report_link;

pub use actor::Actor;
