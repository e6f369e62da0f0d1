//! `users`: Sales-org users (and partner users) who log in to the API.

use sea_orm::entity::prelude::*;

use crate::enums::Role;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(column_type = "String(StringLen::N(254))", unique)]
    pub email: String,
    #[sea_orm(column_type = "String(StringLen::N(200))")]
    pub name: String,
    pub role: Role,
    pub manager_id: Option<Uuid>,
    pub partner_id: Option<Uuid>,
    #[sea_orm(default_value = true)]
    pub active: bool,
    #[sea_orm(column_type = "String(StringLen::N(255))")]
    pub password_hash: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// Access tokens issued before this instant are refused (sign-out, password reset).
    pub tokens_valid_after: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "Entity",
        from = "Column::ManagerId",
        to = "Column::Id",
        on_delete = "SetNull",
        fk_name = "fk_users_manager_id"
    )]
    Manager,
    #[sea_orm(
        belongs_to = "super::partners::Entity",
        from = "Column::PartnerId",
        to = "super::partners::Column::Id",
        on_delete = "Restrict",
        fk_name = "fk_users_partner_id"
    )]
    Partner,
}

impl Related<super::partners::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Partner.def()
    }
}

impl Related<super::territory_members::Entity> for Entity {
    fn to() -> RelationDef {
        super::territory_members::Relation::User.def().rev()
    }
}

impl Related<super::refresh_tokens::Entity> for Entity {
    fn to() -> RelationDef {
        super::refresh_tokens::Relation::User.def().rev()
    }
}

impl ActiveModelBehavior for ActiveModel {}
