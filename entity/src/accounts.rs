//! `accounts`: Companies we sell to (prospects, customers, churned customers).

use sea_orm::entity::prelude::*;

use crate::enums::{Health, Lifecycle};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "accounts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(column_type = "String(StringLen::N(200))")]
    pub name: String,
    #[sea_orm(column_type = "String(StringLen::N(253))", unique)]
    pub domain: String,
    #[sea_orm(column_type = "String(StringLen::N(100))", nullable)]
    pub industry: Option<String>,
    #[sea_orm(column_type = "String(StringLen::N(2))", nullable)]
    pub country: Option<String>,
    pub employee_count: Option<i32>,
    pub territory_id: Option<Uuid>,
    pub owner_id: Option<Uuid>,
    pub account_manager_id: Option<Uuid>,
    pub csm_id: Option<Uuid>,
    pub partner_id: Option<Uuid>,
    pub lifecycle: Lifecycle,
    #[sea_orm(default_value = 0)]
    pub arr_cents: i64,
    pub contract_end_date: Option<Date>,
    pub health: Option<Health>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::territories::Entity",
        from = "Column::TerritoryId",
        to = "super::territories::Column::Id",
        on_delete = "SetNull",
        fk_name = "fk_accounts_territory_id"
    )]
    Territory,
    #[sea_orm(
        belongs_to = "super::users::Entity",
        from = "Column::OwnerId",
        to = "super::users::Column::Id",
        on_delete = "SetNull",
        fk_name = "fk_accounts_owner_id"
    )]
    Owner,
    #[sea_orm(
        belongs_to = "super::users::Entity",
        from = "Column::AccountManagerId",
        to = "super::users::Column::Id",
        on_delete = "SetNull",
        fk_name = "fk_accounts_account_manager_id"
    )]
    AccountManager,
    #[sea_orm(
        belongs_to = "super::users::Entity",
        from = "Column::CsmId",
        to = "super::users::Column::Id",
        on_delete = "SetNull",
        fk_name = "fk_accounts_csm_id"
    )]
    Csm,
    #[sea_orm(
        belongs_to = "super::partners::Entity",
        from = "Column::PartnerId",
        to = "super::partners::Column::Id",
        on_delete = "SetNull",
        fk_name = "fk_accounts_partner_id"
    )]
    Partner,
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

impl Related<super::opportunities::Entity> for Entity {
    fn to() -> RelationDef {
        super::opportunities::Relation::Account.def().rev()
    }
}

impl Related<super::activities::Entity> for Entity {
    fn to() -> RelationDef {
        super::activities::Relation::Account.def().rev()
    }
}

impl ActiveModelBehavior for ActiveModel {}
