//! `territory_members`: Membership of users in territories (composite primary key).

use sea_orm::entity::prelude::*;

use crate::enums::TerritoryRole;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "territory_members")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub territory_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: Uuid,
    pub role_in_territory: TerritoryRole,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::territories::Entity",
        from = "Column::TerritoryId",
        to = "super::territories::Column::Id",
        on_delete = "Cascade",
        fk_name = "fk_territory_members_territory_id"
    )]
    Territory,
    #[sea_orm(
        belongs_to = "super::users::Entity",
        from = "Column::UserId",
        to = "super::users::Column::Id",
        on_delete = "Cascade",
        fk_name = "fk_territory_members_user_id"
    )]
    User,
}

impl Related<super::territories::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Territory.def()
    }
}

impl Related<super::users::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::User.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
