//! `partners`: Reseller / referral partners (partner companies whose users register deals).

use sea_orm::entity::prelude::*;

use crate::enums::{PartnerStatus, PartnerTier};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "partners")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(column_type = "String(StringLen::N(200))", unique)]
    pub name: String,
    pub tier: PartnerTier,
    pub status: PartnerStatus,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl Related<super::deal_registrations::Entity> for Entity {
    fn to() -> RelationDef {
        super::deal_registrations::Relation::Partner.def().rev()
    }
}

impl ActiveModelBehavior for ActiveModel {}
