//! `activities`: Logged sales activities (calls, emails, meetings...) on leads, accounts or opportunities.

use sea_orm::entity::prelude::*;

use crate::enums::ActivityKind;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "activities")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub kind: ActivityKind,
    pub actor_id: Uuid,
    pub occurred_at: DateTimeUtc,
    #[sea_orm(column_type = "Text")]
    pub summary: String,
    pub lead_id: Option<Uuid>,
    pub account_id: Option<Uuid>,
    pub opportunity_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::users::Entity",
        from = "Column::ActorId",
        to = "super::users::Column::Id",
        on_delete = "Restrict",
        fk_name = "fk_activities_actor_id"
    )]
    Actor,
    #[sea_orm(
        belongs_to = "super::leads::Entity",
        from = "Column::LeadId",
        to = "super::leads::Column::Id",
        on_delete = "Cascade",
        fk_name = "fk_activities_lead_id"
    )]
    Lead,
    #[sea_orm(
        belongs_to = "super::accounts::Entity",
        from = "Column::AccountId",
        to = "super::accounts::Column::Id",
        on_delete = "Cascade",
        fk_name = "fk_activities_account_id"
    )]
    Account,
    #[sea_orm(
        belongs_to = "super::opportunities::Entity",
        from = "Column::OpportunityId",
        to = "super::opportunities::Column::Id",
        on_delete = "Cascade",
        fk_name = "fk_activities_opportunity_id"
    )]
    Opportunity,
}

impl Related<super::users::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Actor.def()
    }
}

impl Related<super::leads::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Lead.def()
    }
}

impl Related<super::accounts::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Account.def()
    }
}

impl Related<super::opportunities::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Opportunity.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
