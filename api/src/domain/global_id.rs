//! Relay global object ids: base64url of `Type:uuid`, opaque to clients.

use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use uuid::Uuid;

use crate::error::AppError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GlobalId {
    pub type_name: &'static str,
    pub id: Uuid,
}

/// Every type that implements `Node`; a global id naming anything else is malformed.
pub const NODE_TYPES: &[&str] = &[
    "User",
    "Partner",
    "Territory",
    "Account",
    "Lead",
    "Opportunity",
    "Activity",
    "Handoff",
    "HandoffEvent",
    "Quota",
    "DealRegistration",
    "AuditEvent",
];

impl GlobalId {
    pub fn encode(type_name: &str, id: Uuid) -> String {
        URL_SAFE_NO_PAD.encode(format!("{type_name}:{id}"))
    }

    /// An opaque id of a computed object (a report row): its type and the parts that
    /// make it one of a kind, so a normalized client cache never merges it with the
    /// row or person it is about, nor with the same subject in another report. It does
    /// not resolve through `node(id:)`.
    pub fn encode_computed(type_name: &str, parts: &[&str]) -> String {
        URL_SAFE_NO_PAD.encode(format!("{type_name}:{}", parts.join(":")))
    }

    /// Decodes any node id; `field` names the argument in the error.
    pub fn decode(raw: &str, field: &str) -> Result<Self, AppError> {
        let bad = || AppError::bad_input(field, "is not a valid id");
        let bytes = URL_SAFE_NO_PAD.decode(raw.trim()).map_err(|_| bad())?;
        let text = String::from_utf8(bytes).map_err(|_| bad())?;
        let (type_name, id) = text.split_once(':').ok_or_else(bad)?;
        let type_name = NODE_TYPES
            .iter()
            .find(|t| **t == type_name)
            .ok_or_else(bad)?;
        let id = Uuid::parse_str(id).map_err(|_| bad())?;
        Ok(GlobalId { type_name, id })
    }

    /// Decodes an id that must name a `expected` object.
    pub fn decode_as(raw: &str, expected: &str, field: &str) -> Result<Uuid, AppError> {
        let gid = Self::decode(raw, field)?;
        if gid.type_name != expected {
            return Err(AppError::bad_input(
                field,
                format!("is not a {expected} id"),
            ));
        }
        Ok(gid.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_rejects_garbage() {
        let id = Uuid::new_v4();
        let enc = GlobalId::encode("User", id);
        assert_eq!(GlobalId::decode_as(&enc, "User", "id").unwrap(), id);
        assert!(GlobalId::decode_as(&enc, "Account", "id").is_err());
        for bad in [
            "",
            "!!!",
            "VXNlcjpub3QtYS11dWlk",
            &URL_SAFE_NO_PAD.encode(format!("Nope:{id}")),
        ] {
            assert!(GlobalId::decode(bad, "id").is_err(), "{bad}");
        }
    }
}
