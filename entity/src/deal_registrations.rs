//! `deal_registrations`: Partner deal registrations with conflict detection and review.

use sea_orm::entity::prelude::*;

use crate::enums::DealRegistrationStatus;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "deal_registrations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub partner_id: Uuid,
    pub submitted_by_id: Uuid,
    #[sea_orm(column_type = "String(StringLen::N(200))")]
    pub company_name: String,
    #[sea_orm(column_type = "String(StringLen::N(253))")]
    pub domain: String,
    #[sea_orm(column_type = "String(StringLen::N(200))")]
    pub contact_name: String,
    #[sea_orm(column_type = "String(StringLen::N(254))", nullable)]
    pub contact_email: Option<String>,
    pub estimated_amount_cents: i64,
    pub expected_close_date: Date,
    pub status: DealRegistrationStatus,
    pub conflicts: Json,
    #[sea_orm(column_type = "Text", nullable)]
    pub review_note: Option<String>,
    pub reviewed_by_id: Option<Uuid>,
    pub reviewed_at: Option<DateTimeUtc>,
    pub expires_at: DateTimeUtc,
    pub account_id: Option<Uuid>,
    pub opportunity_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// Placed by the territory criteria; decides the reviewers.
    pub territory_id: Option<Uuid>,
    #[sea_orm(column_type = "String(StringLen::N(2))", nullable)]
    pub country: Option<String>,
    #[sea_orm(column_type = "String(StringLen::N(100))", nullable)]
    pub industry: Option<String>,
    pub employee_count: Option<i32>,
    #[sea_orm(column_type = "Text", nullable)]
    pub notes: Option<String>,
    /// Optimistic locking for review.
    pub version: i32,
    /// The partner-facing reason code of a rejection.
    #[sea_orm(column_type = "String(StringLen::N(32))", nullable)]
    pub rejection_reason: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::partners::Entity",
        from = "Column::PartnerId",
        to = "super::partners::Column::Id",
        on_delete = "Restrict",
        fk_name = "fk_deal_registrations_partner_id"
    )]
    Partner,
    #[sea_orm(
        belongs_to = "super::users::Entity",
        from = "Column::SubmittedById",
        to = "super::users::Column::Id",
        on_delete = "Restrict",
        fk_name = "fk_deal_registrations_submitted_by_id"
    )]
    SubmittedBy,
    #[sea_orm(
        belongs_to = "super::users::Entity",
        from = "Column::ReviewedById",
        to = "super::users::Column::Id",
        on_delete = "SetNull",
        fk_name = "fk_deal_registrations_reviewed_by_id"
    )]
    ReviewedBy,
    #[sea_orm(
        belongs_to = "super::accounts::Entity",
        from = "Column::AccountId",
        to = "super::accounts::Column::Id",
        on_delete = "SetNull",
        fk_name = "fk_deal_registrations_account_id"
    )]
    Account,
    #[sea_orm(
        belongs_to = "super::opportunities::Entity",
        from = "Column::OpportunityId",
        to = "super::opportunities::Column::Id",
        on_delete = "SetNull",
        fk_name = "fk_deal_registrations_opportunity_id"
    )]
    Opportunity,
}

impl Related<super::partners::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Partner.def()
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
