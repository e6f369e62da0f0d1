//! `Opportunity`: a deal in progress or closed.

use super::{
    Encoding::*,
    Field::{Derived, Id},
    TypeModel, children, plain, stored, to_one,
};

pub const OPPORTUNITY: TypeModel = TypeModel {
    name: "Opportunity",
    table: "opportunities",
    fields: &[
        ("id", Id),
        ("name", plain("name")),
        ("stage", plain("stage")),
        ("closeDate", stored("close_date", Date)),
        ("amount", stored("amount_cents", Money)),
        ("type", plain("opportunity_type")),
        ("probability", plain("probability")),
        ("forecastCategory", plain("forecast_category")),
        ("lostReason", plain("lost_reason")),
        ("version", plain("version")),
        ("closedAt", stored("closed_at", Instant)),
        ("createdAt", stored("created_at", Instant)),
        (
            "ownerName",
            Derived {
                reads: &["owner_id"],
            },
        ),
        ("account", to_one("Account", "account_id")),
        ("owner", to_one("User", "owner_id")),
        ("territory", to_one("Territory", "territory_id")),
        ("sourcedBy", to_one("User", "sourced_by_id")),
        ("partner", to_one("Partner", "partner_id")),
        ("activities", children("Activity")),
    ],
};
