//! Row scopes of the sales records: accounts, leads, opportunities, activities and
//! deal registrations.

use entity::{
    accounts, activities, deal_registrations,
    enums::{HandoffKind, HandoffStatus, Role},
    handoffs, leads, opportunities, users,
};
use sea_orm::{
    ColumnTrait, Condition,
    sea_query::{Expr, ExprTrait, IntoColumnRef, Query},
};
use uuid::Uuid;

use super::{in_my_team, in_own_territories, nothing, sealed};
use crate::auth::Actor;

use Role::*;

/// Accounts the actor may see. An account counts as owned by its owner, its account
/// manager and its CSM.
pub fn account_scope(actor: &Actor) -> Condition {
    sealed(account_scope_rule(actor))
}

fn account_scope_rule(actor: &Actor) -> Condition {
    use accounts::Column as A;
    let me = actor.user_id;
    let col = |c: A| (accounts::Entity, c);
    match actor.role {
        Director => Condition::all(),
        Sdr => in_own_territories(col(A::TerritoryId), actor),
        AccountExecutive => Condition::any()
            .add(Expr::col(col(A::OwnerId)).eq(me))
            .add(in_own_territories(col(A::TerritoryId), actor)),
        AccountManager => Condition::any()
            .add(Expr::col(col(A::AccountManagerId)).eq(me))
            .add(in_own_territories(col(A::TerritoryId), actor))
            .add(pending_to(col(A::Id), me)),
        CustomerSuccess => Condition::any()
            .add(Expr::col(col(A::CsmId)).eq(me))
            .add(pending_to(col(A::Id), me)),
        SalesManager => Condition::any()
            .add(in_my_team(col(A::OwnerId), actor))
            .add(in_my_team(col(A::AccountManagerId), actor))
            .add(in_my_team(col(A::CsmId), actor))
            .add(in_own_territories(col(A::TerritoryId), actor)),
        Partner => {
            let p = actor.partner_id.unwrap_or_default();
            Condition::any()
                .add(
                    Expr::col(col(A::Id)).in_subquery(
                        Query::select()
                            .column(opportunities::Column::AccountId)
                            .from(opportunities::Entity)
                            .and_where(Expr::col(opportunities::Column::PartnerId).eq(p))
                            .to_owned(),
                    ),
                )
                .add(
                    Expr::col(col(A::Id)).in_subquery(
                        Query::select()
                            .column(deal_registrations::Column::AccountId)
                            .from(deal_registrations::Entity)
                            .and_where(Expr::col(deal_registrations::Column::PartnerId).eq(p))
                            .and_where(
                                Expr::col(deal_registrations::Column::AccountId).is_not_null(),
                            )
                            .to_owned(),
                    ),
                )
        }
    }
}

/// Leads the actor may see.
pub fn lead_scope(actor: &Actor) -> Condition {
    sealed(lead_scope_rule(actor))
}

fn lead_scope_rule(actor: &Actor) -> Condition {
    use leads::Column as L;
    let me = actor.user_id;
    let col = |c: L| (leads::Entity, c);
    match actor.role {
        Director => Condition::all(),
        Sdr => Condition::any().add(Expr::col(col(L::OwnerId)).eq(me)).add(
            Condition::all()
                .add(Expr::col(col(L::OwnerId)).is_null())
                .add(in_own_territories(col(L::TerritoryId), actor)),
        ),
        // Leads handed to them — an SDR → AE handoff to them pending or accepted (a
        // rejected or cancelled one gives nothing) — and any they own.
        AccountExecutive => Condition::any().add(Expr::col(col(L::OwnerId)).eq(me)).add(
            Expr::col(col(L::Id)).in_subquery(
                Query::select()
                    .column(handoffs::Column::LeadId)
                    .from(handoffs::Entity)
                    .and_where(Expr::col(handoffs::Column::ToUserId).eq(me))
                    .and_where(Expr::col(handoffs::Column::Kind).eq(HandoffKind::SdrToAe))
                    .and_where(
                        Expr::col(handoffs::Column::Status)
                            .is_in([HandoffStatus::Pending, HandoffStatus::Accepted]),
                    )
                    .and_where(Expr::col(handoffs::Column::LeadId).is_not_null())
                    .to_owned(),
            ),
        ),
        AccountManager | CustomerSuccess => Condition::all().add(Expr::col(col(L::OwnerId)).eq(me)),
        SalesManager => Condition::any()
            .add(in_my_team(col(L::OwnerId), actor))
            .add(in_own_territories(col(L::TerritoryId), actor)),
        Partner => nothing(),
    }
}

/// Opportunities the actor may see; an opportunity lies in the territory it credits.
pub fn opportunity_scope(actor: &Actor) -> Condition {
    sealed(opportunity_scope_rule(actor))
}

fn opportunity_scope_rule(actor: &Actor) -> Condition {
    use opportunities::Column as O;
    let me = actor.user_id;
    let col = |c: O| (opportunities::Entity, c);
    match actor.role {
        Director => Condition::all(),
        Sdr | AccountExecutive | AccountManager | CustomerSuccess => {
            Condition::all().add(Expr::col(col(O::OwnerId)).eq(me))
        }
        SalesManager => Condition::any()
            .add(in_my_team(col(O::OwnerId), actor))
            .add(in_own_territories(col(O::TerritoryId), actor)),
        Partner => Condition::all()
            .add(Expr::col(col(O::PartnerId)).eq(actor.partner_id.unwrap_or_default())),
    }
}

/// Activities the actor may see: their own, and those on leads, accounts and
/// opportunities in their scope. Partners see none.
pub fn activity_scope(actor: &Actor) -> Condition {
    sealed(activity_scope_rule(actor))
}

fn activity_scope_rule(actor: &Actor) -> Condition {
    use activities::Column as Ac;
    let col = |c: Ac| (activities::Entity, c);
    match actor.role {
        Director => Condition::all(),
        Partner => nothing(),
        _ => Condition::any()
            .add(Expr::col(col(Ac::ActorId)).eq(actor.user_id))
            .add(
                Expr::col(col(Ac::LeadId)).in_subquery(
                    Query::select()
                        .column(leads::Column::Id)
                        .from(leads::Entity)
                        .cond_where(lead_scope(actor))
                        .to_owned(),
                ),
            )
            .add(
                Expr::col(col(Ac::AccountId)).in_subquery(
                    Query::select()
                        .column(accounts::Column::Id)
                        .from(accounts::Entity)
                        .cond_where(account_scope(actor))
                        .to_owned(),
                ),
            )
            .add(
                Expr::col(col(Ac::OpportunityId)).in_subquery(
                    Query::select()
                        .column(opportunities::Column::Id)
                        .from(opportunities::Entity)
                        .cond_where(opportunity_scope(actor))
                        .to_owned(),
                ),
            ),
    }
}

/// Users who may own the opportunity an approved deal registration creates: active
/// account executives (the territory rule then picks among them).
pub fn deal_owner_candidates() -> Condition {
    Condition::all()
        .add(users::Column::Role.eq(AccountExecutive))
        .add(users::Column::Active.eq(true))
}

/// Users an opportunity may credit as its sourcing SDR: SDRs (the caller's user scope
/// applies on top).
pub fn opportunity_source_candidates() -> Condition {
    Condition::all().add(users::Column::Role.eq(Sdr))
}

/// Deal registrations: partners their organization's, sales managers those placed in
/// their territories (which makes them the reviewers), directors all.
pub fn deal_registration_scope(actor: &Actor) -> Condition {
    sealed(deal_registration_scope_rule(actor))
}

fn deal_registration_scope_rule(actor: &Actor) -> Condition {
    use deal_registrations::Column as D;
    let col = |c: D| (deal_registrations::Entity, c);
    match actor.role {
        Director => Condition::all(),
        SalesManager => in_own_territories(col(D::TerritoryId), actor),
        Partner => Condition::all()
            .add(Expr::col(col(D::PartnerId)).eq(actor.partner_id.unwrap_or_default())),
        _ => nothing(),
    }
}

/// `account IN (accounts of handoffs pending to user)`: while a handoff is pending its
/// recipient reads the subject, as they must to decide.
fn pending_to(account: impl IntoColumnRef, user_id: Uuid) -> Condition {
    Condition::all().add(
        Expr::col(account).in_subquery(
            Query::select()
                .column(handoffs::Column::AccountId)
                .from(handoffs::Entity)
                .and_where(Expr::col(handoffs::Column::ToUserId).eq(user_id))
                .and_where(Expr::col(handoffs::Column::Status).eq(HandoffStatus::Pending))
                .and_where(Expr::col(handoffs::Column::AccountId).is_not_null())
                .to_owned(),
        ),
    )
}
