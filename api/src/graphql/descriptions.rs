//! Descriptions for the schema elements that no doc comment reaches: the built-in
//! scalars (whose default text shows Rust and chrono internals) and the Relay
//! connection types that async-graphql generates. Every element of the schema has a
//! description (`tests/api/schema.rs` checks it), written for frontend developers.

use async_graphql::{ObjectType, SchemaBuilder, SubscriptionType};

use super::{
    accounts::Account,
    activities::Activity,
    audit::AuditEvent,
    connection::Conn,
    deal_registrations::DealRegistration,
    handoffs::{Handoff, HandoffEvent},
    leads::Lead,
    opportunities::Opportunity,
    quotas::Quota,
    territories::Territory,
    users::Partner,
    users::User,
};

/// Adds the descriptions to a schema under construction (internal or partner).
pub fn describe<Q, M, S>(builder: SchemaBuilder<Q, M, S>) -> SchemaBuilder<Q, M, S>
where
    Q: ObjectType + 'static,
    M: ObjectType + 'static,
    S: SubscriptionType + 'static,
{
    builder
        .override_output_type_description::<super::scalars::DateTime>(
            "An instant in time: an ISO 8601 (RFC 3339) string. Responses are in UTC, for \
             example `2026-03-01T09:30:00+00:00` (fractional seconds may appear); inputs \
             may use any offset, `Z` included, and are converted to UTC. Years run from \
             0001 to 9999.",
        )
        .override_output_type_description::<super::scalars::Date>(
            "A calendar date without time or time zone: an ISO 8601 string `YYYY-MM-DD`, \
             for example `2026-03-01`. Years run from 0001 to 9999.",
        )
        .override_output_type_description::<async_graphql::Json<serde_json::Value>>(
            "Any JSON value, sent as JSON (not as a string). Audit events use it for \
             their changes: an object of field name to `{ \"before\": …, \"after\": … }`.",
        )
        .override_output_type_description::<rust_decimal::Decimal>(
            "An exact decimal number as a string, for example `\"12500.50\"`. Money is in \
             the reporting currency with at most two decimal places (cents); ratios are \
             fractions (0.25 means 25 %). Inputs may also be sent as a JSON number.",
        )
        .override_output_type_description::<Conn<Account>>(
            "One page of accounts, with the cursors to fetch the next or previous page.",
        )
        .override_output_type_description::<Conn<Activity>>(
            "One page of activities, with the cursors to fetch the next or previous page.",
        )
        .override_output_type_description::<Conn<AuditEvent>>(
            "One page of audit events, with the cursors to fetch the next or previous page.",
        )
        .override_output_type_description::<Conn<DealRegistration>>(
            "One page of deal registrations, with the cursors to fetch the next or previous \
             page.",
        )
        .override_output_type_description::<Conn<Handoff>>(
            "One page of handoffs, with the cursors to fetch the next or previous page.",
        )
        .override_output_type_description::<Conn<HandoffEvent>>(
            "One page of a handoff's transitions, with the cursor to fetch the next page.",
        )
        .override_output_type_description::<Conn<Lead>>(
            "One page of leads, with the cursors to fetch the next or previous page.",
        )
        .override_output_type_description::<Conn<Opportunity>>(
            "One page of opportunities, with the cursors to fetch the next or previous page.",
        )
        .override_output_type_description::<Conn<Partner>>(
            "One page of partner organizations, with the cursors to fetch the next or \
             previous page.",
        )
        .override_output_type_description::<Conn<Quota>>(
            "One page of quotas, with the cursors to fetch the next or previous page.",
        )
        .override_output_type_description::<Conn<Territory>>(
            "One page of territories, with the cursors to fetch the next or previous page.",
        )
        .override_output_type_description::<Conn<User>>(
            "One page of users, with the cursors to fetch the next or previous page.",
        )
}
