//! `leads`: Inbound/outbound leads with BANT qualification, converted into accounts.

use sea_orm::entity::prelude::*;

use crate::enums::{LeadSource, LeadStatus};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "leads")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(column_type = "String(StringLen::N(200))")]
    pub company_name: String,
    #[sea_orm(column_type = "String(StringLen::N(253))", nullable)]
    pub domain: Option<String>,
    #[sea_orm(column_type = "String(StringLen::N(200))")]
    pub contact_name: String,
    #[sea_orm(column_type = "String(StringLen::N(254))", nullable)]
    pub contact_email: Option<String>,
    #[sea_orm(column_type = "String(StringLen::N(2))", nullable)]
    pub country: Option<String>,
    #[sea_orm(column_type = "String(StringLen::N(100))", nullable)]
    pub industry: Option<String>,
    pub employee_count: Option<i32>,
    pub source: LeadSource,
    pub status: LeadStatus,
    pub owner_id: Option<Uuid>,
    pub territory_id: Option<Uuid>,
    #[sea_orm(column_type = "Text", nullable)]
    pub budget: Option<String>,
    pub budget_by_id: Option<Uuid>,
    pub budget_at: Option<DateTimeUtc>,
    #[sea_orm(column_type = "Text", nullable)]
    pub authority: Option<String>,
    pub authority_by_id: Option<Uuid>,
    pub authority_at: Option<DateTimeUtc>,
    #[sea_orm(column_type = "Text", nullable)]
    pub need: Option<String>,
    pub need_by_id: Option<Uuid>,
    pub need_at: Option<DateTimeUtc>,
    #[sea_orm(column_type = "Text", nullable)]
    pub timeline: Option<String>,
    pub timeline_by_id: Option<Uuid>,
    pub timeline_at: Option<DateTimeUtc>,
    #[sea_orm(column_type = "Text", nullable)]
    pub disqualify_reason: Option<String>,
    pub account_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::users::Entity",
        from = "Column::OwnerId",
        to = "super::users::Column::Id",
        on_delete = "SetNull",
        fk_name = "fk_leads_owner_id"
    )]
    Owner,
    #[sea_orm(
        belongs_to = "super::territories::Entity",
        from = "Column::TerritoryId",
        to = "super::territories::Column::Id",
        on_delete = "SetNull",
        fk_name = "fk_leads_territory_id"
    )]
    Territory,
    #[sea_orm(
        belongs_to = "super::users::Entity",
        from = "Column::BudgetById",
        to = "super::users::Column::Id",
        on_delete = "SetNull",
        fk_name = "fk_leads_budget_by_id"
    )]
    BudgetBy,
    #[sea_orm(
        belongs_to = "super::users::Entity",
        from = "Column::AuthorityById",
        to = "super::users::Column::Id",
        on_delete = "SetNull",
        fk_name = "fk_leads_authority_by_id"
    )]
    AuthorityBy,
    #[sea_orm(
        belongs_to = "super::users::Entity",
        from = "Column::NeedById",
        to = "super::users::Column::Id",
        on_delete = "SetNull",
        fk_name = "fk_leads_need_by_id"
    )]
    NeedBy,
    #[sea_orm(
        belongs_to = "super::users::Entity",
        from = "Column::TimelineById",
        to = "super::users::Column::Id",
        on_delete = "SetNull",
        fk_name = "fk_leads_timeline_by_id"
    )]
    TimelineBy,
    #[sea_orm(
        belongs_to = "super::accounts::Entity",
        from = "Column::AccountId",
        to = "super::accounts::Column::Id",
        on_delete = "SetNull",
        fk_name = "fk_leads_account_id"
    )]
    Account,
}

impl Related<super::territories::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Territory.def()
    }
}

impl Related<super::accounts::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Account.def()
    }
}

impl Related<super::activities::Entity> for Entity {
    fn to() -> RelationDef {
        super::activities::Relation::Lead.def().rev()
    }
}

impl ActiveModelBehavior for ActiveModel {}
