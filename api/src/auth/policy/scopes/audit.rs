//! Which audit events an actor may read: they follow the row scopes (spec §1).

use entity::{
    accounts, activities, audit_events, deal_registrations, enums::Role, handoffs, leads,
    opportunities, territories, users,
};
use sea_orm::{
    Condition,
    sea_query::{Expr, ExprTrait, IntoColumnRef, Query, SelectStatement},
};

use super::{
    account_scope, activity_scope, deal_registration_scope, handoff_scope, in_my_team, lead_scope,
    nothing, opportunity_scope, quota_scope, sealed, territory_scope,
};
use crate::auth::Actor;

use Role::*;

/// Audit events follow the row scopes (§1): directors read all of them; sales managers
/// the events about rows they may fetch now and about their team's users. An event
/// whose row is gone (deleted) or whose type has no row in [`audit_row_scopes`] is
/// the directors' alone, since nobody else could fetch that row.
pub fn audit_scope(actor: &Actor) -> Condition {
    sealed(audit_scope_rule(actor))
}

fn audit_scope_rule(actor: &Actor) -> Condition {
    match actor.role {
        Director => Condition::all(),
        SalesManager => {
            let e = |c: audit_events::Column| Expr::col((audit_events::Entity, c));
            audit_row_scopes(actor).into_iter().fold(
                Condition::any().add(nothing()),
                |any, (entity_type, rows)| {
                    any.add(
                        Condition::all()
                            .add(e(audit_events::Column::EntityType).eq(entity_type))
                            .add(e(audit_events::Column::EntityId).in_subquery(rows)),
                    )
                },
            )
        }
        _ => nothing(),
    }
}

/// The audited entity types a sales manager may read events about, each with the ids
/// of its rows in their scope. A new audited type stays director-only until it gets a
/// row here (deny by default).
fn audit_row_scopes(actor: &Actor) -> Vec<(&'static str, SelectStatement)> {
    fn ids<E: sea_orm::EntityTrait>(id: impl IntoColumnRef, scope: Condition) -> SelectStatement {
        Query::select()
            .column(id)
            .from(E::default())
            .cond_where(scope)
            .to_owned()
    }
    vec![
        (
            "User",
            ids::<users::Entity>(
                users::Column::Id,
                in_my_team((users::Entity, users::Column::Id), actor),
            ),
        ),
        (
            "Territory",
            ids::<territories::Entity>(territories::Column::Id, territory_scope(actor)),
        ),
        (
            "Account",
            ids::<accounts::Entity>(accounts::Column::Id, account_scope(actor)),
        ),
        (
            "Lead",
            ids::<leads::Entity>(leads::Column::Id, lead_scope(actor)),
        ),
        (
            "Opportunity",
            ids::<opportunities::Entity>(opportunities::Column::Id, opportunity_scope(actor)),
        ),
        (
            "Activity",
            ids::<activities::Entity>(activities::Column::Id, activity_scope(actor)),
        ),
        (
            "Handoff",
            ids::<handoffs::Entity>(handoffs::Column::Id, handoff_scope(actor)),
        ),
        (
            "Quota",
            ids::<entity::quotas::Entity>(entity::quotas::Column::Id, quota_scope(actor)),
        ),
        (
            "DealRegistration",
            ids::<deal_registrations::Entity>(
                deal_registrations::Column::Id,
                deal_registration_scope(actor),
            ),
        ),
    ]
}
