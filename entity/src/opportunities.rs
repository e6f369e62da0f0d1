//! `opportunities`: Deals in the pipeline (optimistic locking via `version`).

use sea_orm::entity::prelude::*;

use crate::enums::{ForecastCategory, OpportunityType, Stage};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "opportunities")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(column_type = "String(StringLen::N(200))")]
    pub name: String,
    pub account_id: Uuid,
    pub owner_id: Uuid,
    pub territory_id: Option<Uuid>,
    pub opportunity_type: OpportunityType,
    pub stage: Stage,
    pub amount_cents: i64,
    pub close_date: Date,
    pub probability: i32,
    pub forecast_category: ForecastCategory,
    pub sourced_by_id: Option<Uuid>,
    pub partner_id: Option<Uuid>,
    pub lead_id: Option<Uuid>,
    #[sea_orm(column_type = "Text", nullable)]
    pub lost_reason: Option<String>,
    #[sea_orm(default_value = 1)]
    pub version: i32,
    pub closed_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::accounts::Entity",
        from = "Column::AccountId",
        to = "super::accounts::Column::Id",
        on_delete = "Restrict",
        fk_name = "fk_opportunities_account_id"
    )]
    Account,
    #[sea_orm(
        belongs_to = "super::users::Entity",
        from = "Column::OwnerId",
        to = "super::users::Column::Id",
        on_delete = "Restrict",
        fk_name = "fk_opportunities_owner_id"
    )]
    Owner,
    #[sea_orm(
        belongs_to = "super::territories::Entity",
        from = "Column::TerritoryId",
        to = "super::territories::Column::Id",
        on_delete = "SetNull",
        fk_name = "fk_opportunities_territory_id"
    )]
    Territory,
    #[sea_orm(
        belongs_to = "super::users::Entity",
        from = "Column::SourcedById",
        to = "super::users::Column::Id",
        on_delete = "SetNull",
        fk_name = "fk_opportunities_sourced_by_id"
    )]
    SourcedBy,
    #[sea_orm(
        belongs_to = "super::partners::Entity",
        from = "Column::PartnerId",
        to = "super::partners::Column::Id",
        on_delete = "SetNull",
        fk_name = "fk_opportunities_partner_id"
    )]
    Partner,
    #[sea_orm(
        belongs_to = "super::leads::Entity",
        from = "Column::LeadId",
        to = "super::leads::Column::Id",
        on_delete = "SetNull",
        fk_name = "fk_opportunities_lead_id"
    )]
    Lead,
}

impl Related<super::accounts::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Account.def()
    }
}

impl Related<super::territories::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Territory.def()
    }
}

impl Related<super::partners::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Partner.def()
    }
}

impl Related<super::leads::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Lead.def()
    }
}

impl Related<super::activities::Entity> for Entity {
    fn to() -> RelationDef {
        super::activities::Relation::Opportunity.def().rev()
    }
}

impl ActiveModelBehavior for ActiveModel {}
