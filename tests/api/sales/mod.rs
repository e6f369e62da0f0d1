//! The sales graph under the policy: territories, accounts, leads, opportunities,
//! activities and the audit trail they leave.
//!
//! One file per domain; what several of them use lives here.

mod accounts;
mod activities;
mod audit;
mod leads;
mod opportunities;
mod patches;
mod races;
mod territories;

use entity::audit_events;
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::Value;
use uuid::Uuid;

use crate::helpers::{TestApp, code};

// ---------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------

/// `extensions.field` of the first error.
fn field(body: &Value) -> Option<&str> {
    body["errors"][0]["extensions"]["field"].as_str()
}

/// `data.<key>` of a response that must not have failed.
#[track_caller]
fn data<'a>(body: &'a Value, key: &str) -> &'a Value {
    assert!(body["errors"].is_null(), "unexpected errors: {body}");
    let v = &body["data"][key];
    assert!(!v.is_null(), "no data.{key}: {body}");
    v
}

/// Asserts the first error's code (and field, when given).
#[track_caller]
fn refused(body: &Value, expected_code: &str, expected_field: Option<&str>) {
    if expected_code == "UNKNOWN" {
        assert!(crate::helpers::unknown_name(body), "{body}");
        return;
    }
    assert_eq!(code(body), Some(expected_code), "{body}");
    if let Some(f) = expected_field {
        assert_eq!(field(body), Some(f), "{body}");
    }
    assert!(
        body["data"].is_null()
            || body["data"]
                .as_object()
                .is_some_and(|o| o.values().all(Value::is_null)),
        "a refused operation returned data: {body}"
    );
}

/// What a role gets for an operation it may never perform: `FORBIDDEN`, or for partners
/// a validation refusal, since the operation is not in their schema.
#[track_caller]
fn forbidden_to(who: &str, body: &Value) {
    refused(
        body,
        if who.starts_with("partner") {
            "UNKNOWN"
        } else {
            "FORBIDDEN"
        },
        None,
    );
}

/// `key` of every node of a connection (edges or nodes), in order.
#[track_caller]
fn list(conn: &Value, key: &str) -> Vec<String> {
    let items: Vec<&Value> = match conn["edges"].as_array() {
        Some(edges) => edges.iter().map(|e| &e["node"]).collect(),
        None => conn["nodes"]
            .as_array()
            .unwrap_or_else(|| panic!("not a connection: {conn}"))
            .iter()
            .collect(),
    };
    items
        .into_iter()
        .map(|n| {
            n[key]
                .as_str()
                .unwrap_or_else(|| panic!("no {key} in {n}"))
                .to_string()
        })
        .collect()
}

/// As `list`, sorted.
#[track_caller]
fn set(conn: &Value, key: &str) -> Vec<String> {
    let mut v = list(conn, key);
    v.sort();
    v
}

fn uuid_of(gid: &Value) -> Uuid {
    let raw = gid.as_str().unwrap_or_else(|| panic!("not an id: {gid}"));
    api::domain::GlobalId::decode(raw, "id").unwrap().id
}

async fn audit_count(app: &TestApp) -> u64 {
    audit_events::Entity::find().count(&app.db).await.unwrap()
}

fn user_gid(app: &TestApp, key: &str) -> String {
    TestApp::gid("User", app.user(key).id)
}

/// Problems with the stored tree: every path must be its parent's path plus its own id,
/// every depth its parent's plus one (so there is no cycle and no stale subtree).
async fn tree_problems(app: &TestApp) -> Vec<String> {
    let all = entity::territories::Entity::find()
        .all(&app.db)
        .await
        .unwrap();
    let by_id: std::collections::HashMap<Uuid, &entity::territories::Model> =
        all.iter().map(|t| (t.id, t)).collect();
    let mut problems = Vec::new();
    for t in &all {
        let (path, depth) = match t.parent_id {
            None => (format!("/{}/", t.id), 0),
            Some(p) => match by_id.get(&p) {
                Some(parent) => (format!("{}{}/", parent.path, t.id), parent.depth + 1),
                None => {
                    problems.push(format!("{}: parent {p} missing", t.name));
                    continue;
                }
            },
        };
        if t.path != path || t.depth != depth {
            problems.push(format!(
                "{}: depth {} (expected {depth}){}",
                t.name,
                t.depth,
                if t.path == path {
                    ""
                } else {
                    ", path does not extend its parent's"
                }
            ));
        }
    }
    problems
}

// ---------------------------------------------------------------------------------
// Territories
// ---------------------------------------------------------------------------------

const TERRITORY: &str = "query($id: ID!) { territory(id: $id) { id name depth parent { name } children { totalCount nodes { name depth } } manager { email } criteria { countries industries minEmployees maxEmployees } members { roleInTerritory user { email } } } }";
const CREATE_TERRITORY: &str = "mutation($i: CreateTerritoryInput!) { createTerritory(input: $i) { id name depth parent { name } manager { email } criteria { countries industries minEmployees maxEmployees } } }";
const MOVE_TERRITORY: &str = "mutation($id: ID!, $p: ID) { moveTerritory(id: $id, parentId: $p) { id name depth parent { name } } }";
const ADD_MEMBER: &str = "mutation($t: ID!, $u: ID!) { addTerritoryMember(territoryId: $t, userId: $u) { name members { roleInTerritory user { email } } } }";

fn member_emails(t: &Value) -> Vec<String> {
    let mut v: Vec<String> = t["members"]
        .as_array()
        .unwrap_or_else(|| panic!("no members: {t}"))
        .iter()
        .map(|m| m["user"]["email"].as_str().unwrap().to_string())
        .collect();
    v.sort();
    v
}

// ---------------------------------------------------------------------------------
// Accounts
// ---------------------------------------------------------------------------------

const ACCOUNT_FIELDS: &str = "id name domain industry country employeeCount lifecycle arr health contractEndDate territory { name } owner { email } accountManager { email } csm { email }";

fn create_account_q() -> String {
    format!(
        "mutation($i: CreateAccountInput!) {{ createAccount(input: $i) {{ {ACCOUNT_FIELDS} }} }}"
    )
}

fn update_account_q() -> String {
    format!(
        "mutation($id: ID!, $i: UpdateAccountInput!) {{ updateAccount(id: $id, input: $i) {{ {ACCOUNT_FIELDS} }} }}"
    )
}

// ---------------------------------------------------------------------------------
// Leads
// ---------------------------------------------------------------------------------

const LEAD_FIELDS: &str = "id companyName domain contactName contactEmail country industry source status disqualifyReason owner { email } territory { name } qualification { budget authority need timeline complete answers { criterion answer answeredBy { email } answeredAt } }";

fn lead_q(op: &str, args: &str) -> String {
    format!("mutation{args} {{ {op} {{ {LEAD_FIELDS} }} }}")
}

async fn lead_row(app: &TestApp, id: Uuid) -> entity::leads::Model {
    entity::leads::Entity::find_by_id(id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
}

// ---------------------------------------------------------------------------------
// Activities
// ---------------------------------------------------------------------------------

const LOG: &str = "mutation($i: LogActivityInput!) { logActivity(input: $i) { id kind summary occurredAt actor { email } lead { companyName } account { name } opportunity { name } } }";
