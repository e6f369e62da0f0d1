//! Runs every migration up, down and up again, then round-trips one row per table through
//! the entities to prove that entity definitions and migrations agree.
//!
//! Uses an in-memory SQLite database unless `TEST_DATABASE_URL` is set, e.g.
//! `TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/scratch_mig cargo test -p migration`
//! (the database is reset: use a scratch database).

use chrono::{DateTime, NaiveDate, Utc};
use entity::enums::{
    ActivityKind, DealRegistrationStatus, ForecastCategory, HandoffKind, HandoffStatus, Health,
    LeadSource, LeadStatus, Lifecycle, OpportunityType, PartnerStatus, PartnerTier, QuotaMetric,
    RejectReason, Role, Stage, TerritoryRole,
};
use entity::{
    accounts, activities, audit_events, deal_registrations, handoff_events, handoffs, leads,
    login_throttles, opportunities, partners, quotas, refresh_tokens, territories,
    territory_members, users,
};
use migration::{Migrator, MigratorTrait, SchemaManager};
use sea_orm::{
    ActiveModelBehavior, ActiveModelTrait, Database, DatabaseConnection, DbErr, EntityTrait,
    IntoActiveModel, ModelTrait, SqlErr,
};
use serde_json::json;
use uuid::Uuid;

const TABLES: [&str; 15] = [
    "partners",
    "users",
    "login_throttles",
    "territories",
    "territory_members",
    "accounts",
    "leads",
    "opportunities",
    "activities",
    "handoffs",
    "handoff_events",
    "quotas",
    "deal_registrations",
    "audit_events",
    "refresh_tokens",
];

fn database_url() -> String {
    std::env::var("TEST_DATABASE_URL").unwrap_or_else(|_| "sqlite::memory:".to_owned())
}

fn fail(msg: impl Into<String>) -> DbErr {
    DbErr::Custom(msg.into())
}

async fn assert_tables(db: &DatabaseConnection, present: bool) -> Result<(), DbErr> {
    let manager = SchemaManager::new(db);
    for table in TABLES {
        let has = manager.has_table(table).await?;
        assert_eq!(has, present, "table {table}: expected present={present}");
    }
    Ok(())
}

/// Inserts `model` (all columns explicitly set), then checks that both the returned row and the
/// row read back from the table equal it.
async fn round_trip<A>(
    db: &DatabaseConnection,
    model: <A::Entity as EntityTrait>::Model,
) -> Result<(), DbErr>
where
    A: ActiveModelTrait + ActiveModelBehavior + Send,
    <A::Entity as EntityTrait>::Model: IntoActiveModel<A> + PartialEq + std::fmt::Debug + Clone,
{
    let active: A = model.clone().into_active_model().reset_all();
    let inserted = active.insert(db).await?;
    assert_eq!(inserted, model);
    let stored = <A::Entity as EntityTrait>::find().all(db).await?;
    assert!(stored.contains(&model), "{model:?} not found in {stored:?}");
    Ok(())
}

fn ts(secs: i64, micros: u32) -> Result<DateTime<Utc>, DbErr> {
    // Microsecond precision: PostgreSQL stores no more.
    DateTime::from_timestamp(secs, micros * 1000).ok_or_else(|| fail("bad timestamp"))
}

fn date(y: i32, m: u32, d: u32) -> Result<NaiveDate, DbErr> {
    NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| fail("bad date"))
}

async fn insert_rows(db: &DatabaseConnection) -> Result<(), DbErr> {
    let now = ts(1_795_340_415, 123_456)?;
    let later = ts(1_795_945_215, 654_321)?;

    let partner = partners::Model {
        id: Uuid::new_v4(),
        name: "Acme Resellers".to_owned(),
        tier: PartnerTier::Gold,
        status: PartnerStatus::Active,
        created_at: now,
        updated_at: now,
    };
    round_trip::<partners::ActiveModel>(db, partner.clone()).await?;

    let manager = users::Model {
        id: Uuid::new_v4(),
        email: "director@example.com".to_owned(),
        name: "Dana Director".to_owned(),
        role: Role::Director,
        manager_id: None,
        partner_id: None,
        active: true,
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".to_owned(),
        created_at: now,
        updated_at: now,
        tokens_valid_after: None,
    };
    round_trip::<users::ActiveModel>(db, manager.clone()).await?;
    let user = users::Model {
        id: Uuid::new_v4(),
        email: "ae@example.com".to_owned(),
        name: "Alex Executive".to_owned(),
        role: Role::AccountExecutive,
        manager_id: Some(manager.id),
        partner_id: Some(partner.id),
        active: false,
        password_hash: "x".to_owned(),
        created_at: now,
        updated_at: later,
        tokens_valid_after: Some(later),
    };
    round_trip::<users::ActiveModel>(db, user.clone()).await?;

    round_trip::<login_throttles::ActiveModel>(
        db,
        login_throttles::Model {
            email: "nobody@example.com".to_owned(),
            failures: 3,
            last_failure_at: Some(now),
            locked_until: Some(later),
        },
    )
    .await?;

    let root_id = Uuid::new_v4();
    let root = territories::Model {
        id: root_id,
        name: "World".to_owned(),
        parent_id: None,
        path: format!("/{root_id}/"),
        depth: 0,
        manager_id: Some(manager.id),
        criteria_countries: json!([]),
        criteria_industries: json!([]),
        criteria_min_employees: None,
        criteria_max_employees: None,
        created_at: now,
        updated_at: now,
    };
    round_trip::<territories::ActiveModel>(db, root.clone()).await?;
    let child_id = Uuid::new_v4();
    let territory = territories::Model {
        id: child_id,
        name: "DACH Enterprise".to_owned(),
        parent_id: Some(root_id),
        path: format!("/{root_id}/{child_id}/"),
        depth: 1,
        manager_id: None,
        criteria_countries: json!(["DE", "AT", "CH"]),
        criteria_industries: json!(["Software"]),
        criteria_min_employees: Some(1000),
        criteria_max_employees: None,
        created_at: now,
        updated_at: now,
    };
    round_trip::<territories::ActiveModel>(db, territory.clone()).await?;

    round_trip::<territory_members::ActiveModel>(
        db,
        territory_members::Model {
            territory_id: territory.id,
            user_id: user.id,
            role_in_territory: TerritoryRole::Owner,
            created_at: now,
        },
    )
    .await?;

    let account = accounts::Model {
        id: Uuid::new_v4(),
        name: "Globex".to_owned(),
        domain: "globex.example".to_owned(),
        industry: Some("Software".to_owned()),
        country: Some("DE".to_owned()),
        employee_count: Some(5000),
        territory_id: Some(territory.id),
        owner_id: Some(user.id),
        account_manager_id: None,
        csm_id: None,
        partner_id: Some(partner.id),
        lifecycle: Lifecycle::Customer,
        arr_cents: 9_007_199_254_740_993, // > 2^53: must survive exactly
        contract_end_date: Some(date(2027, 6, 30)?),
        health: Some(Health::AtRisk),
        created_at: now,
        updated_at: now,
    };
    round_trip::<accounts::ActiveModel>(db, account.clone()).await?;

    let lead = leads::Model {
        id: Uuid::new_v4(),
        company_name: "Globex".to_owned(),
        domain: Some("globex.example".to_owned()),
        contact_name: "Hank Scorpio".to_owned(),
        contact_email: Some("hank@globex.example".to_owned()),
        country: Some("DE".to_owned()),
        industry: None,
        employee_count: Some(5000),
        source: LeadSource::Inbound,
        status: LeadStatus::Converted,
        owner_id: Some(user.id),
        territory_id: Some(territory.id),
        budget: Some("approved".to_owned()),
        budget_by_id: Some(user.id),
        budget_at: Some(now),
        authority: None,
        authority_by_id: None,
        authority_at: None,
        need: Some("x".repeat(5000)),
        need_by_id: Some(manager.id),
        need_at: Some(later),
        timeline: None,
        timeline_by_id: None,
        timeline_at: None,
        disqualify_reason: None,
        account_id: Some(account.id),
        created_at: now,
        updated_at: now,
    };
    round_trip::<leads::ActiveModel>(db, lead.clone()).await?;

    let opportunity = opportunities::Model {
        id: Uuid::new_v4(),
        name: "Globex expansion".to_owned(),
        account_id: account.id,
        owner_id: user.id,
        territory_id: Some(territory.id),
        opportunity_type: OpportunityType::Expansion,
        stage: Stage::ClosedWon,
        amount_cents: 12_345_678_901,
        close_date: date(2026, 12, 31)?,
        probability: 100,
        forecast_category: ForecastCategory::Closed,
        sourced_by_id: Some(manager.id),
        partner_id: None,
        lead_id: Some(lead.id),
        lost_reason: None,
        version: 3,
        closed_at: Some(later),
        created_at: now,
        updated_at: later,
    };
    round_trip::<opportunities::ActiveModel>(db, opportunity.clone()).await?;

    round_trip::<activities::ActiveModel>(
        db,
        activities::Model {
            id: Uuid::new_v4(),
            kind: ActivityKind::Demo,
            actor_id: user.id,
            occurred_at: now,
            summary: "Demoed the product".to_owned(),
            lead_id: None,
            account_id: Some(account.id),
            opportunity_id: Some(opportunity.id),
            created_at: now,
        },
    )
    .await?;

    let handoff = handoffs::Model {
        id: Uuid::new_v4(),
        kind: HandoffKind::SdrToAe,
        status: HandoffStatus::Pending,
        from_user_id: manager.id,
        to_user_id: user.id,
        lead_id: Some(lead.id),
        account_id: None,
        opportunity_id: None,
        subject_key: format!("lead:{}", lead.id),
        note: "Qualified, please take over".to_owned(),
        reason_code: None,
        response_note: None,
        due_at: later,
        resolved_at: None,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    round_trip::<handoffs::ActiveModel>(db, handoff.clone()).await?;
    check_pending_subject_index(db, &handoff).await?;

    round_trip::<handoff_events::ActiveModel>(
        db,
        handoff_events::Model {
            id: Uuid::new_v4(),
            handoff_id: handoff.id,
            at: now,
            actor_id: user.id,
            from_status: Some(HandoffStatus::Pending),
            to_status: HandoffStatus::Rejected,
            to_user_id: None,
            reason_code: Some(RejectReason::IncompleteQualification),
            note: Some("missing budget".to_owned()),
        },
    )
    .await?;

    round_trip::<quotas::ActiveModel>(
        db,
        quotas::Model {
            id: Uuid::new_v4(),
            user_id: Some(user.id),
            territory_id: None,
            assignee_key: format!("user:{}", user.id),
            metric: QuotaMetric::QualifiedHandoffs,
            period: "FY2026-Q3".to_owned(),
            target_cents: 40,
            set_by_id: manager.id,
            created_at: now,
            updated_at: now,
        },
    )
    .await?;

    round_trip::<deal_registrations::ActiveModel>(
        db,
        deal_registrations::Model {
            id: Uuid::new_v4(),
            partner_id: partner.id,
            submitted_by_id: user.id,
            company_name: "Initech".to_owned(),
            domain: "initech.example".to_owned(),
            contact_name: "Bill Lumbergh".to_owned(),
            contact_email: None,
            estimated_amount_cents: 5_000_000,
            expected_close_date: date(2027, 1, 15)?,
            status: DealRegistrationStatus::Submitted,
            conflicts: json!([{ "kind": "ACCOUNT", "id": account.id }]),
            review_note: None,
            reviewed_by_id: None,
            reviewed_at: None,
            expires_at: later,
            account_id: Some(account.id),
            opportunity_id: Some(opportunity.id),
            created_at: now,
            updated_at: now,
            territory_id: None,
            country: Some("US".to_owned()),
            industry: None,
            employee_count: Some(50),
            notes: None,
            version: 1,
            rejection_reason: None,
        },
    )
    .await?;

    round_trip::<audit_events::ActiveModel>(
        db,
        audit_events::Model {
            id: Uuid::new_v4(),
            at: now,
            actor_id: Some(user.id),
            action: "UPDATE".to_owned(),
            entity_type: "opportunity".to_owned(),
            entity_id: opportunity.id,
            changes: json!({ "stage": { "before": "NEGOTIATION", "after": "CLOSED_WON" } }),
        },
    )
    .await?;

    round_trip::<refresh_tokens::ActiveModel>(
        db,
        refresh_tokens::Model {
            id: Uuid::new_v4(),
            user_id: user.id,
            family_id: Uuid::new_v4(),
            token_hash: "ab".repeat(32),
            parent_id: None,
            expires_at: later,
            used_at: None,
            revoked_at: None,
            created_at: now,
        },
    )
    .await?;

    // ON DELETE RESTRICT is enforced (users.partner_id -> partners).
    let err = partner.clone().delete(db).await.err();
    assert!(
        err.as_ref().is_some_and(is_fk_violation),
        "deleting a referenced partner must fail, got {err:?}"
    );
    Ok(())
}

/// SQLite reports an `ON DELETE RESTRICT` violation with extended code 1811
/// (SQLITE_CONSTRAINT_TRIGGER), which `DbErr::sql_err` does not classify; PostgreSQL's
/// 23503 maps to `SqlErr::ForeignKeyConstraintViolation`.
fn is_fk_violation(err: &DbErr) -> bool {
    matches!(
        err.sql_err(),
        Some(SqlErr::ForeignKeyConstraintViolation(_))
    ) || err.to_string().contains("FOREIGN KEY constraint failed")
}

/// At most one PENDING handoff per subject; resolved ones do not count.
async fn check_pending_subject_index(
    db: &DatabaseConnection,
    pending: &handoffs::Model,
) -> Result<(), DbErr> {
    let duplicate = handoffs::Model {
        id: Uuid::new_v4(),
        ..pending.clone()
    };
    let err = duplicate
        .clone()
        .into_active_model()
        .reset_all()
        .insert(db)
        .await
        .err();
    assert!(
        matches!(
            err.as_ref().and_then(DbErr::sql_err),
            Some(SqlErr::UniqueConstraintViolation(_))
        ),
        "second PENDING handoff for a subject must fail, got {err:?}"
    );
    round_trip::<handoffs::ActiveModel>(
        db,
        handoffs::Model {
            status: HandoffStatus::Accepted,
            ..duplicate
        },
    )
    .await
}

#[tokio::test]
async fn migrations_up_down_up_and_entities_round_trip() -> Result<(), DbErr> {
    let db = Database::connect(database_url()).await?;
    // Start from a clean slate in case a previous run on a persistent database failed midway.
    Migrator::reset(&db).await?;

    Migrator::up(&db, None).await?;
    assert_tables(&db, true).await?;
    assert!(Migrator::get_pending_migrations(&db).await?.is_empty());

    Migrator::down(&db, None).await?;
    assert_tables(&db, false).await?;

    Migrator::up(&db, None).await?;
    assert_tables(&db, true).await?;

    insert_rows(&db).await?;

    // Rolling back works with data present, too.
    Migrator::down(&db, None).await?;
    assert_tables(&db, false).await?;
    Ok(())
}
