//! Which parts of the schema exist for each role: the partner allowlist (spec §5).
//!
//! Deny by default: a type, field, argument, input field or enum value that is not
//! listed here does not exist in the partner schema — introspection does not show it
//! and validation refuses it like an unknown name. A new type or field is internal until
//! someone adds it here; nothing else needs to be done for it to stay hidden.

use entity::enums::Role;

/// Which schema a caller is served.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// The full schema (`schema.graphql`).
    Internal,
    /// The allowlisted schema (`schema.partner.graphql`).
    Partner,
}

/// The schema a role is served. Callers without a role (anonymous or refused) get the
/// internal one: they can only sign in, and that schema is public in the repository.
pub fn audience(role: Option<Role>) -> Audience {
    match role {
        Some(Role::Partner) => Audience::Partner,
        _ => Audience::Internal,
    }
}

/// The connection arguments every partner list takes.
macro_rules! page {
    ($name:literal) => {
        concat!($name, "(first,after,last,before,filter,orderBy)")
    };
}

/// The partner schema: each type with the members a partner may use. Members are
/// fields (`name`, or `name(arg,…)` listing the arguments allowed) for object types,
/// input fields for input types, values for enums; scalars and interfaces list none
/// or their fields. Built-in scalars and introspection types are always present.
pub const PARTNER_SCHEMA: &[(&str, &[&str])] = &[
    (
        "Query",
        &[
            "node(id)",
            "me",
            page!("opportunities"),
            page!("dealRegistrations"),
        ],
    ),
    (
        "Mutation",
        &[
            "login(email,password)",
            "refreshToken(token)",
            "logout(refreshToken)",
            "registerDeal(input)",
        ],
    ),
    ("Node", &["id"]),
    (
        "PageInfo",
        &["hasPreviousPage", "hasNextPage", "startCursor", "endCursor"],
    ),
    (
        "AuthPayload",
        &["accessToken", "refreshToken", "expiresAt", "user"],
    ),
    // `me`; other users are reached only as a name (`ownerName`, `submittedByName`).
    ("User", &["id", "email", "name", "role", "partner"]),
    ("Role", &["PARTNER"]),
    ("Partner", &["id", "name"]),
    (
        "Opportunity",
        &[
            "id",
            "name",
            "stage",
            "amount",
            "closeDate",
            "account",
            "ownerName",
            "partner",
        ],
    ),
    (
        "OpportunityConnection",
        &["pageInfo", "edges", "nodes", "totalCount"],
    ),
    ("OpportunityEdge", &["node", "cursor"]),
    (
        "OpportunityFilterInput",
        &[
            "accountId",
            "stage",
            "closeDateFrom",
            "closeDateTo",
            "amountMin",
            "amountMax",
            "search",
        ],
    ),
    ("OpportunityOrderInput", &["field", "direction"]),
    ("OpportunityOrderField", &["CLOSE_DATE", "AMOUNT", "NAME"]),
    ("OrderDirection", &["ASC", "DESC"]),
    (
        "Stage",
        &[
            "PROSPECTING",
            "DISCOVERY",
            "PROPOSAL",
            "NEGOTIATION",
            "CLOSED_WON",
            "CLOSED_LOST",
        ],
    ),
    ("Account", &["id", "name", "domain", "country", "industry"]),
    (
        "DealRegistration",
        &[
            "id",
            "partner",
            "submittedByName",
            "companyName",
            "domain",
            "country",
            "industry",
            "employeeCount",
            "contactName",
            "contactEmail",
            "estimatedAmount",
            "expectedCloseDate",
            "notes",
            "status",
            "decision",
            "submittedAt",
            "expiresAt",
            "opportunity",
            "version",
        ],
    ),
    ("DealDecision", &["status", "explanation", "decidedAt"]),
    (
        "DealRegistrationStatus",
        &["SUBMITTED", "APPROVED", "REJECTED", "EXPIRED"],
    ),
    (
        "DealRegistrationConnection",
        &["pageInfo", "edges", "nodes", "totalCount"],
    ),
    ("DealRegistrationEdge", &["node", "cursor"]),
    ("DealRegistrationFilterInput", &["status", "search"]),
    ("DealRegistrationOrderInput", &["field", "direction"]),
    (
        "DealRegistrationOrderField",
        &[
            "SUBMITTED_AT",
            "EXPECTED_CLOSE_DATE",
            "ESTIMATED_AMOUNT",
            "COMPANY_NAME",
        ],
    ),
    (
        "RegisterDealInput",
        &[
            "companyName",
            "domain",
            "country",
            "industry",
            "employeeCount",
            "contactName",
            "contactEmail",
            "estimatedAmount",
            "expectedCloseDate",
            "notes",
        ],
    ),
    ("Decimal", &[]),
    ("Date", &[]),
    ("DateTime", &[]),
];

/// Scalars every schema has (the GraphQL specification's).
const BUILT_IN_SCALARS: &[&str] = &["String", "Int", "Float", "Boolean", "ID"];

fn entry(type_name: &str) -> Option<&'static [&'static str]> {
    PARTNER_SCHEMA
        .iter()
        .find(|(t, _)| *t == type_name)
        .map(|(_, members)| *members)
}

/// Splits `name(a,b)` into `name` and its arguments.
fn split(member: &str) -> (&str, Option<&str>) {
    match member.split_once('(') {
        Some((name, args)) => (name, Some(args.trim_end_matches(')'))),
        None => (member, None),
    }
}

/// Whether the type exists for partners at all.
pub fn partner_type(type_name: &str) -> bool {
    type_name.starts_with("__")
        || BUILT_IN_SCALARS.contains(&type_name)
        || entry(type_name).is_some()
}

/// Whether a field, input field or enum value of an allowed type exists for partners.
pub fn partner_member(type_name: &str, member: &str) -> bool {
    member.starts_with("__")
        || entry(type_name).is_some_and(|ms| ms.iter().any(|m| split(m).0 == member))
}

/// Whether an argument of an allowed field exists for partners.
pub fn partner_argument(type_name: &str, field: &str, argument: &str) -> bool {
    // Introspection fields (`__type(name:)`) keep their arguments.
    field.starts_with("__")
        || entry(type_name).is_some_and(|ms| {
            ms.iter().any(|m| match split(m) {
                (name, Some(args)) => name == field && args.split(',').any(|a| a == argument),
                _ => false,
            })
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_and_arguments_parse() {
        assert!(partner_member("Query", "opportunities"));
        assert!(partner_argument("Query", "opportunities", "orderBy"));
        assert!(!partner_argument("Query", "me", "id"));
        assert!(!partner_member("Opportunity", "probability"));
        assert!(!partner_type("Territory"));
        assert!(partner_type("__Schema"));
    }

    #[test]
    fn only_partners_get_the_partner_schema() {
        assert_eq!(audience(Some(Role::Partner)), Audience::Partner);
        assert_eq!(audience(Some(Role::Director)), Audience::Internal);
        assert_eq!(audience(None), Audience::Internal);
    }
}
