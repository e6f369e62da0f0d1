//! `handoff_events`: Append-only history of handoff state changes.

use sea_orm::entity::prelude::*;

use crate::enums::{HandoffStatus, RejectReason};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "handoff_events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub handoff_id: Uuid,
    pub at: DateTimeUtc,
    pub actor_id: Uuid,
    pub from_status: Option<HandoffStatus>,
    pub to_status: HandoffStatus,
    pub to_user_id: Option<Uuid>,
    pub reason_code: Option<RejectReason>,
    #[sea_orm(column_type = "Text", nullable)]
    pub note: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::handoffs::Entity",
        from = "Column::HandoffId",
        to = "super::handoffs::Column::Id",
        on_delete = "Cascade",
        fk_name = "fk_handoff_events_handoff_id"
    )]
    Handoff,
    #[sea_orm(
        belongs_to = "super::users::Entity",
        from = "Column::ActorId",
        to = "super::users::Column::Id",
        on_delete = "Restrict",
        fk_name = "fk_handoff_events_actor_id"
    )]
    Actor,
    #[sea_orm(
        belongs_to = "super::users::Entity",
        from = "Column::ToUserId",
        to = "super::users::Column::Id",
        on_delete = "SetNull",
        fk_name = "fk_handoff_events_to_user_id"
    )]
    ToUser,
}

impl Related<super::handoffs::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Handoff.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
