//! `territories`: Sales territories: a tree (materialized path) with assignment criteria.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "territories")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(column_type = "String(StringLen::N(200))")]
    pub name: String,
    pub parent_id: Option<Uuid>,
    #[sea_orm(column_type = "String(StringLen::N(2000))")]
    pub path: String,
    pub depth: i32,
    pub manager_id: Option<Uuid>,
    pub criteria_countries: Json,
    pub criteria_industries: Json,
    pub criteria_min_employees: Option<i32>,
    pub criteria_max_employees: Option<i32>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "Entity",
        from = "Column::ParentId",
        to = "Column::Id",
        on_delete = "Restrict",
        fk_name = "fk_territories_parent_id"
    )]
    Parent,
    #[sea_orm(
        belongs_to = "super::users::Entity",
        from = "Column::ManagerId",
        to = "super::users::Column::Id",
        on_delete = "SetNull",
        fk_name = "fk_territories_manager_id"
    )]
    Manager,
}

impl Related<super::users::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Manager.def()
    }
}

impl Related<super::territory_members::Entity> for Entity {
    fn to() -> RelationDef {
        super::territory_members::Relation::Territory.def().rev()
    }
}

impl ActiveModelBehavior for ActiveModel {}
