//! `quotas`: Quota targets per user or territory, metric and period.

use sea_orm::entity::prelude::*;

use crate::enums::QuotaMetric;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "quotas")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub user_id: Option<Uuid>,
    pub territory_id: Option<Uuid>,
    #[sea_orm(column_type = "String(StringLen::N(100))")]
    pub assignee_key: String,
    pub metric: QuotaMetric,
    #[sea_orm(column_type = "String(StringLen::N(16))")]
    pub period: String,
    pub target_cents: i64,
    pub set_by_id: Uuid,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::users::Entity",
        from = "Column::UserId",
        to = "super::users::Column::Id",
        on_delete = "Cascade",
        fk_name = "fk_quotas_user_id"
    )]
    User,
    #[sea_orm(
        belongs_to = "super::territories::Entity",
        from = "Column::TerritoryId",
        to = "super::territories::Column::Id",
        on_delete = "Cascade",
        fk_name = "fk_quotas_territory_id"
    )]
    Territory,
    #[sea_orm(
        belongs_to = "super::users::Entity",
        from = "Column::SetById",
        to = "super::users::Column::Id",
        on_delete = "Restrict",
        fk_name = "fk_quotas_set_by_id"
    )]
    SetBy,
}

impl Related<super::territories::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Territory.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
