//! `Account`: a company we sell to.

use super::{Encoding::*, Field::Id, TypeModel, children, plain, stored, to_one};

pub const ACCOUNT: TypeModel = TypeModel {
    name: "Account",
    table: "accounts",
    fields: &[
        ("id", Id),
        ("name", plain("name")),
        ("domain", plain("domain")),
        ("industry", plain("industry")),
        ("country", plain("country")),
        ("employeeCount", plain("employee_count")),
        ("lifecycle", plain("lifecycle")),
        ("arr", stored("arr_cents", Money)),
        ("health", plain("health")),
        ("contractEndDate", stored("contract_end_date", Date)),
        ("createdAt", stored("created_at", Instant)),
        ("territory", to_one("Territory", "territory_id")),
        ("owner", to_one("User", "owner_id")),
        ("accountManager", to_one("User", "account_manager_id")),
        ("csm", to_one("User", "csm_id")),
        ("partner", to_one("Partner", "partner_id")),
        ("opportunities", children("Opportunity")),
        ("leads", children("Lead")),
        ("handoffs", children("Handoff")),
        ("activities", children("Activity")),
    ],
};
