//! `handoffs`: Handoffs of a lead or account between teams (SDR to AE, AE to AM, ...).

use sea_orm::entity::prelude::*;

use crate::enums::{HandoffKind, HandoffStatus, RejectReason};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "handoffs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub kind: HandoffKind,
    pub status: HandoffStatus,
    pub from_user_id: Uuid,
    pub to_user_id: Uuid,
    pub lead_id: Option<Uuid>,
    pub account_id: Option<Uuid>,
    pub opportunity_id: Option<Uuid>,
    #[sea_orm(column_type = "String(StringLen::N(100))")]
    pub subject_key: String,
    #[sea_orm(column_type = "Text")]
    pub note: String,
    pub reason_code: Option<RejectReason>,
    #[sea_orm(column_type = "Text", nullable)]
    pub response_note: Option<String>,
    pub due_at: DateTimeUtc,
    pub resolved_at: Option<DateTimeUtc>,
    #[sea_orm(default_value = 1)]
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::users::Entity",
        from = "Column::FromUserId",
        to = "super::users::Column::Id",
        on_delete = "Restrict",
        fk_name = "fk_handoffs_from_user_id"
    )]
    FromUser,
    #[sea_orm(
        belongs_to = "super::users::Entity",
        from = "Column::ToUserId",
        to = "super::users::Column::Id",
        on_delete = "Restrict",
        fk_name = "fk_handoffs_to_user_id"
    )]
    ToUser,
    #[sea_orm(
        belongs_to = "super::leads::Entity",
        from = "Column::LeadId",
        to = "super::leads::Column::Id",
        on_delete = "Restrict",
        fk_name = "fk_handoffs_lead_id"
    )]
    Lead,
    #[sea_orm(
        belongs_to = "super::accounts::Entity",
        from = "Column::AccountId",
        to = "super::accounts::Column::Id",
        on_delete = "Restrict",
        fk_name = "fk_handoffs_account_id"
    )]
    Account,
    #[sea_orm(
        belongs_to = "super::opportunities::Entity",
        from = "Column::OpportunityId",
        to = "super::opportunities::Column::Id",
        on_delete = "SetNull",
        fk_name = "fk_handoffs_opportunity_id"
    )]
    Opportunity,
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

impl Related<super::handoff_events::Entity> for Entity {
    fn to() -> RelationDef {
        super::handoff_events::Relation::Handoff.def().rev()
    }
}

impl ActiveModelBehavior for ActiveModel {}
