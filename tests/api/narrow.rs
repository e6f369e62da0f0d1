//! Lists read only the columns their selection needs (`services::narrow`), and the
//! fields nobody selected get placeholders. These tests prove each entry of the
//! field → columns tables (`graphql/projection.rs`): every field read alone, at the
//! top level and nested, answers what `node(id:)` (which reads whole rows) answers.

use std::collections::HashMap;

use chrono::{Duration, NaiveDate, Utc};
use entity::{
    accounts,
    enums::{ForecastCategory, Health, Lifecycle, OpportunityType, Stage},
    opportunities,
};
use sea_orm::{ActiveModelTrait, Set};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::TestApp;

/// Accounts and opportunities whose every column differs from row to row (and from the
/// placeholders), two of each value at least, under the fixture's territories.
pub(crate) async fn varied(app: &TestApp) {
    let now = Utc::now();
    let users = ["ae", "ae2", "am", "cs", "manager", "sdr"].map(|u| app.user(u).id);
    let territories = ["na_west", "amer", "emea"].map(|t| app.fx.territories[t]);
    let partners = [app.fx.partners["p1"].id, app.fx.partners["p2"].id];
    let lifecycles = [Lifecycle::Prospect, Lifecycle::Customer, Lifecycle::Churned];
    let health = [Some(Health::Healthy), Some(Health::AtRisk), None];
    let stages = [
        Stage::Discovery,
        Stage::Proposal,
        Stage::ClosedWon,
        Stage::ClosedLost,
    ];
    let types = [
        OpportunityType::NewBusiness,
        OpportunityType::Expansion,
        OpportunityType::Renewal,
    ];
    let forecast = [
        ForecastCategory::Pipeline,
        ForecastCategory::BestCase,
        ForecastCategory::Commit,
    ];
    for i in 0..6usize {
        let account = accounts::ActiveModel {
            id: Set(Uuid::new_v4()),
            name: Set(format!("Varied {i}")),
            domain: Set(format!("varied{i}.example")),
            industry: Set((i % 3 > 0).then(|| format!("Industry {i}"))),
            country: Set((i % 3 != 1).then(|| ["US", "DE", "FR"][i % 3].to_owned())),
            employee_count: Set((i % 2 == 0).then_some(10 * i as i32 + 5)),
            territory_id: Set((i % 4 > 0).then_some(territories[i % 3])),
            owner_id: Set((i % 3 > 0).then_some(users[i % 6])),
            account_manager_id: Set((i % 2 == 1).then_some(users[2])),
            csm_id: Set((i % 3 == 2).then_some(users[3])),
            partner_id: Set((i % 3 == 1).then_some(partners[i % 2])),
            lifecycle: Set(lifecycles[i % 3]),
            arr_cents: Set(1_000 * i as i64),
            contract_end_date: Set(
                (i % 2 == 0).then(|| NaiveDate::from_ymd_opt(2027, 1 + i as u32, 1).unwrap())
            ),
            health: Set(health[i % 3]),
            created_at: Set(now - Duration::days(i as i64)),
            updated_at: Set(now),
        }
        .insert(&app.db)
        .await
        .unwrap();
        for j in 0..2usize {
            let k = 2 * i + j;
            let stage = stages[k % 4];
            let closed = matches!(stage, Stage::ClosedWon | Stage::ClosedLost);
            opportunities::ActiveModel {
                id: Set(Uuid::new_v4()),
                name: Set(format!("Varied deal {k}")),
                account_id: Set(account.id),
                owner_id: Set(users[k % 6]),
                territory_id: Set((k % 3 > 0).then_some(territories[k % 3])),
                opportunity_type: Set(types[k % 3]),
                stage: Set(stage),
                amount_cents: Set(10_000 * (k as i64 + 1)),
                close_date: Set(NaiveDate::from_ymd_opt(2026, 1 + (k % 12) as u32, 10).unwrap()),
                probability: Set(5 * k as i32),
                forecast_category: Set(forecast[k % 3]),
                sourced_by_id: Set((k % 2 == 0).then_some(users[5])),
                partner_id: Set((k % 3 == 2).then_some(partners[k % 2])),
                lead_id: Set(None),
                lost_reason: Set((stage == Stage::ClosedLost).then(|| format!("Reason {k}"))),
                version: Set(1 + (k % 4) as i32),
                closed_at: Set(closed.then(|| now - Duration::hours(k as i64))),
                created_at: Set(now - Duration::minutes(k as i64)),
                updated_at: Set(now),
            }
            .insert(&app.db)
            .await
            .unwrap();
        }
    }
}

/// The selection of one field: objects by id, nested lists by their first ids.
fn select(field: &str) -> String {
    match field {
        "account" | "owner" | "territory" | "sourcedBy" | "partner" | "accountManager" | "csm" => {
            format!("{field} {{ id }}")
        }
        "opportunities" | "leads" | "handoffs" | "activities" => {
            format!("{field}(first: 3) {{ nodes {{ id }} }}")
        }
        _ => field.to_owned(),
    }
}

const OPPORTUNITY: &[&str] = &[
    "name",
    "stage",
    "closeDate",
    "amount",
    "ownerName",
    "account",
    "owner",
    "territory",
    "type",
    "probability",
    "forecastCategory",
    "sourcedBy",
    "partner",
    "lostReason",
    "version",
    "closedAt",
    "createdAt",
    "activities",
];

const ACCOUNT: &[&str] = &[
    "name",
    "domain",
    "industry",
    "country",
    "employeeCount",
    "lifecycle",
    "arr",
    "health",
    "contractEndDate",
    "createdAt",
    "territory",
    "owner",
    "accountManager",
    "csm",
    "partner",
    "opportunities",
    "leads",
    "handoffs",
    "activities",
];

/// Every field of every row, read through `node(id:)` (whole rows), by id.
async fn whole_rows(
    app: &TestApp,
    type_name: &str,
    fields: &[&str],
    ids: &[String],
) -> HashMap<String, Value> {
    let all: Vec<String> = fields.iter().map(|f| select(f)).collect();
    let mut out = HashMap::new();
    // At most 10 aliases per operation.
    for chunk in ids.chunks(10) {
        let aliases: Vec<String> = chunk
            .iter()
            .enumerate()
            .map(|(i, id)| {
                format!(
                    "n{i}: node(id: \"{id}\") {{ id ... on {type_name} {{ {} }} }}",
                    all.join(" ")
                )
            })
            .collect();
        let body = app
            .gql_as(
                "director",
                &format!("{{ {} }}", aliases.join(" ")),
                json!({}),
            )
            .await;
        assert!(body["errors"].is_null(), "{body}");
        for (i, id) in chunk.iter().enumerate() {
            out.insert(id.clone(), body["data"][format!("n{i}")].clone());
        }
    }
    out
}

/// Reads each field alone through `list` (a query with `FIELD` where the rows' selection
/// goes, returning rows at `path`), and compares every row with its whole row.
async fn each_field_alone(
    app: &TestApp,
    type_name: &str,
    fields: &[&str],
    list: &str,
    rows_at: impl Fn(&Value) -> Vec<Value>,
) {
    let ids: Vec<String> = {
        let body = app
            .gql_as("director", &list.replace("FIELD", ""), json!({}))
            .await;
        assert!(body["errors"].is_null(), "{body}");
        rows_at(&body["data"])
            .iter()
            .map(|r| r["id"].as_str().unwrap().to_owned())
            .collect()
    };
    assert!(ids.len() >= 5, "too few rows to prove anything: {ids:?}");
    let whole = whole_rows(app, type_name, fields, &ids).await;
    for field in fields {
        let body = app
            .gql_as(
                "director",
                &list.replace("FIELD", &select(field)),
                json!({}),
            )
            .await;
        assert!(body["errors"].is_null(), "{field}: {body}");
        let rows = rows_at(&body["data"]);
        assert_eq!(rows.len(), ids.len(), "{field}");
        let mut distinct = std::collections::HashSet::new();
        for row in rows {
            let id = row["id"].as_str().unwrap();
            assert_eq!(
                row[*field], whole[id][*field],
                "{type_name}.{field} of {id} read alone"
            );
            distinct.insert(row[*field].to_string());
        }
        // A field whose rows all hold the same value could hide a placeholder (nested
        // lists read the id, which every page reads anyway).
        let nested_list = select(field).contains("nodes");
        assert!(
            nested_list || distinct.len() > 1,
            "{type_name}.{field}: the fixture needs rows that differ"
        );
    }
}

fn nested(data: &Value, outer: &str, inner: &str) -> Vec<Value> {
    data[outer]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p[inner]["nodes"].as_array().unwrap().clone())
        .collect()
}

/// Each field of `type_name` read alone from the top-level list `list` and from the
/// nested list `list` under each row of `parent`.
async fn top_level_and_nested(type_name: &str, fields: &[&str], list: &str, parent: &str) {
    let app = TestApp::spawn().await;
    varied(&app).await;
    let top = format!("{{ {list}(first: 100) {{ nodes {{ id FIELD }} }} }}");
    let rows = |d: &Value| d[list]["nodes"].as_array().unwrap().clone();
    each_field_alone(&app, type_name, fields, &top, rows).await;
    let under = format!(
        "{{ {parent}(first: 30) {{ nodes {{ id {list}(first: 20) {{ nodes {{ id FIELD }} }} }} }} }}"
    );
    let rows = |d: &Value| nested(d, parent, list);
    each_field_alone(&app, type_name, fields, &under, rows).await;
}

#[tokio::test]
async fn each_opportunity_field_read_alone_is_its_whole_row() {
    top_level_and_nested("Opportunity", OPPORTUNITY, "opportunities", "accounts").await;
}

#[tokio::test]
async fn each_account_field_read_alone_is_its_whole_row() {
    top_level_and_nested("Account", ACCOUNT, "accounts", "territories").await;
}
