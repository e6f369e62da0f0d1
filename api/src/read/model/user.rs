//! `User`: a person of the sales organization or of a partner.

use super::{
    Encoding::*,
    Field::{Derived, Id},
    TypeModel, plain, stored, to_one,
};

pub const USER: TypeModel = TypeModel {
    name: "User",
    table: "users",
    fields: &[
        ("id", Id),
        ("email", plain("email")),
        ("name", plain("name")),
        ("role", plain("role")),
        ("active", plain("active")),
        ("createdAt", stored("created_at", Instant)),
        ("manager", to_one("User", "manager_id")),
        ("partner", to_one("Partner", "partner_id")),
        ("reports", Derived { reads: &["id"] }),
        ("quotas", Derived { reads: &["id"] }),
    ],
};
