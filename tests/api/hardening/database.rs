//! Database failures become client errors: bad strings are refused at the edge, the
//! territory tree's depth is bounded, and constraint violations pass through the one
//! table in `error.rs`.

use api::error::AppError;
use chrono::Utc;
use entity::{accounts, enums::Lifecycle};
use sea_orm::{ActiveModelTrait, ConnectionTrait, DbBackend, EntityTrait, PaginatorTrait, Set};
use serde_json::{Value, json};
use uuid::Uuid;

use super::{ok, refused_with};
use crate::helpers::TestApp;

#[tokio::test]
async fn nul_bytes_and_oversized_strings_are_refused_at_the_edge() {
    let app = TestApp::spawn_with(|s| {
        s.insert("SALESGRAPH_MAX_BODY_BYTES".into(), "262144".into());
    })
    .await;
    let before = accounts::Entity::find().count(&app.db).await.unwrap();
    let create = "mutation($i: CreateAccountInput!) { createAccount(input: $i) { id } }";
    let lead = "mutation($i: CreateLeadInput!) { createLead(input: $i) { id } }";
    let huge = "x".repeat(20_000);
    let cases: Vec<(&str, &str, Value, &str)> = vec![
        (
            "director",
            create,
            json!({ "i": { "name": "Nul\u{0}Corp", "domain": "nul.example" } }),
            "name",
        ),
        (
            "ae",
            create,
            json!({ "i": { "name": "Nul", "domain": "nul\u{0}.example" } }),
            "domain",
        ),
        (
            "sdr",
            lead,
            json!({ "i": { "companyName": "Lead", "contactName": "A\u{0}B" } }),
            "contactName",
        ),
        (
            "director",
            create,
            json!({ "i": { "name": huge, "domain": "huge.example" } }),
            "name",
        ),
        (
            "partner",
            "query($s: String) { opportunities(filter: { search: $s }) { totalCount } }",
            json!({ "s": "a\u{0}" }),
            "search",
        ),
        (
            "manager",
            "query($s: String) { accounts(filter: { search: $s }) { totalCount } }",
            json!({ "s": huge }),
            "search",
        ),
        (
            "director",
            "{ accounts(filter: { search: \"x\\u0000\" }) { totalCount } }",
            json!({}),
            "search",
        ),
    ];
    for (who, q, vars, field) in cases {
        let body = app.gql_as(who, q, vars).await;
        refused_with(&body, "BAD_USER_INPUT", field);
    }
    assert_eq!(
        accounts::Entity::find().count(&app.db).await.unwrap(),
        before
    );
    ok(&app.gql_as("director", "{ me { id } }", json!({})).await);
}

#[tokio::test]
async fn the_territory_tree_is_bounded_with_a_clear_error() {
    let app = TestApp::spawn().await;
    let create = "mutation($p: ID!, $n: String!) { createTerritory(input: { name: $n, parentId: $p }) { id depth } }";
    let mut parent = app.fx.gid("Territory", "global");
    let mut second = String::new();
    // global is level 1; 31 more make 32 levels.
    for level in 2..=32 {
        let body = app
            .gql_as(
                "director",
                create,
                json!({ "p": parent, "n": format!("Level {level}") }),
            )
            .await;
        parent = ok(&body)["createTerritory"]["id"]
            .as_str()
            .unwrap()
            .to_string();
        if level == 2 {
            second = parent.clone();
        }
    }
    let body = app
        .gql_as("director", create, json!({ "p": parent, "n": "Level 33" }))
        .await;
    refused_with(&body, "BAD_USER_INPUT", "parentId");
    assert!(body.to_string().contains("at most 32 levels"), "{body}");
    // Moving a branch under the deepest territory would pass the bound too.
    let body = app
        .gql_as(
            "director",
            "mutation($id: ID!, $p: ID) { moveTerritory(id: $id, parentId: $p) { id } }",
            json!({ "id": app.fx.gid("Territory", "amer"), "p": parent }),
        )
        .await;
    refused_with(&body, "BAD_USER_INPUT", "parentId");
    assert!(!second.is_empty());
}

fn account(domain: &str, owner: Option<Uuid>) -> accounts::ActiveModel {
    let now = Utc::now();
    accounts::ActiveModel {
        id: Set(Uuid::new_v4()),
        name: Set("Raw".into()),
        domain: Set(domain.into()),
        industry: Set(None),
        country: Set(None),
        employee_count: Set(None),
        territory_id: Set(None),
        owner_id: Set(owner),
        account_manager_id: Set(None),
        csm_id: Set(None),
        partner_id: Set(None),
        lifecycle: Set(Lifecycle::Prospect),
        arr_cents: Set(0),
        contract_end_date: Set(None),
        health: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
}

/// The failures a race or a stale reference leaves to the database itself map to the
/// same codes the services' own checks give (`updateAccount` included: its `?` goes
/// through this table).
#[tokio::test]
async fn constraint_violations_map_through_the_table() {
    let app = TestApp::spawn().await;
    account("taken.example", None)
        .insert(&app.db)
        .await
        .unwrap();
    let err = AppError::from(
        account("taken.example", None)
            .insert(&app.db)
            .await
            .unwrap_err(),
    );
    assert_eq!(err.code(), "BAD_USER_INPUT");
    assert!(
        matches!(&err, AppError::BadUserInput { field, message } if field == "domain" && message == "this domain is taken"),
        "{err:?}"
    );

    let err = AppError::from(
        account("ghost.example", Some(Uuid::new_v4()))
            .insert(&app.db)
            .await
            .unwrap_err(),
    );
    let expected_field = match app.db.get_database_backend() {
        DbBackend::Postgres => "ownerId",
        _ => "input", // SQLite does not say which key failed
    };
    assert!(
        matches!(&err, AppError::BadUserInput { field, .. } if field == expected_field),
        "{err:?}"
    );

    if app.db.get_database_backend() == DbBackend::Postgres {
        for (state, code) in [
            ("40001", "CONFLICT"),
            ("40P01", "CONFLICT"),
            ("22021", "BAD_USER_INPUT"),
        ] {
            let sql = format!("DO $$ BEGIN RAISE EXCEPTION 'x' USING ERRCODE = '{state}'; END $$");
            let err = AppError::from(app.db.execute_unprepared(&sql).await.unwrap_err());
            assert_eq!(err.code(), code, "{state}: {err:?}");
        }
    }
}

/// Replicas starting together on one PostgreSQL database migrate one at a time (an
/// advisory lock: sea-orm-migration takes none), and each finds the schema complete.
#[tokio::test]
async fn replicas_starting_together_migrate_once() {
    use migration::MigratorTrait as _;
    use sea_orm::{ConnectionTrait, Database};
    let Ok(base_url) = std::env::var("TEST_DATABASE_URL") else {
        return;
    };
    let name = format!(
        "{}_t{}_migrate",
        crate::helpers::base_db_name(&base_url),
        std::process::id()
    );
    let admin = Database::connect(&base_url).await.unwrap();
    admin
        .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
        .await
        .unwrap();
    admin
        .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
        .await
        .unwrap();
    let url = crate::helpers::replace_db_name(&base_url, &name);
    let (a, b, c) = (
        Database::connect(&url).await.unwrap(),
        Database::connect(&url).await.unwrap(),
        Database::connect(&url).await.unwrap(),
    );
    let (ra, rb, rc) = tokio::join!(
        api::db::migrate(&a),
        api::db::migrate(&b),
        api::db::migrate(&c)
    );
    assert!(
        ra.is_ok() && rb.is_ok() && rc.is_ok(),
        "{ra:?} {rb:?} {rc:?}"
    );
    let applied = a
        .query_one_raw(sea_orm::Statement::from_string(
            a.get_database_backend(),
            "SELECT count(*) AS n FROM seaql_migrations",
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get::<i64>("", "n")
        .unwrap();
    assert_eq!(applied as usize, migration::Migrator::migrations().len());
    for db in [a, b, c] {
        db.close().await.unwrap();
    }
    admin
        .execute_unprepared(&format!("DROP DATABASE \"{name}\" WITH (FORCE)"))
        .await
        .unwrap();
}
