//! The read path's floor (bench/read_path.sh): the nested account list answered from
//! memory by actix-web and async-graphql alone, so the CPU a request costs without SQL,
//! auth, loaders or the product's own layers is known. Never shipped: an example.
//!
//!   cargo build --release --example floor
//!   FLOOR_ADDR=127.0.0.1:18095 FLOOR_DATA=director.json target/release/examples/floor
//!
//! The types mirror the served ones (`Account`, `Opportunity`, `User`, Relay
//! connections, `Decimal` amounts, the same global ids and enum), and the HTTP handler
//! does what `api::http` does around execution: read the body, parse it as JSON, run
//! the request, serialise the response. `FLOOR_DATA` names a response of the real server
//! to the nested query; its rows become the in-memory data, so the floor answers the
//! same rows at the same size. Without it, 50 accounts × 10 opportunities are made up.

// The same allocator as the product binary (`src/main.rs`), or the floor would
// measure glibc's malloc instead of async-graphql.
#[cfg(feature = "mimalloc")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::{collections::HashMap, sync::Arc};

use actix_web::{App, HttpResponse, HttpServer, web};
use api::domain::{GlobalId, money};
use async_graphql::{
    ComplexObject, Context, EmptyMutation, EmptySubscription, ID, Object, Schema, SimpleObject,
    connection::{Connection, Edge},
};
use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use entity::enums::Stage;
use rust_decimal::Decimal;
use serde_json::Value;
use uuid::Uuid;

/// The rows, built once: what the database would have returned.
struct Data {
    accounts: Vec<AccountRow>,
    users: HashMap<Uuid, String>,
}

#[derive(Clone)]
struct AccountRow {
    id: Uuid,
    name: String,
    owner_id: Option<Uuid>,
    opportunities: Vec<OpportunityRow>,
}

#[derive(Clone)]
struct OpportunityRow {
    id: Uuid,
    amount_cents: i64,
    stage: Stage,
    owner_id: Option<Uuid>,
}

#[derive(SimpleObject)]
struct User {
    id: ID,
    name: String,
}

#[derive(SimpleObject)]
#[graphql(complex)]
struct Account {
    id: ID,
    name: String,
    #[graphql(skip)]
    row: AccountRow,
}

#[derive(SimpleObject)]
#[graphql(complex)]
struct Opportunity {
    id: ID,
    stage: Stage,
    #[graphql(skip)]
    row: OpportunityRow,
}

fn data<'a>(ctx: &Context<'a>) -> async_graphql::Result<&'a Arc<Data>> {
    ctx.data::<Arc<Data>>()
}

fn user(ctx: &Context<'_>, id: Option<Uuid>) -> async_graphql::Result<Option<User>> {
    let users = &data(ctx)?.users;
    Ok(id.and_then(|id| {
        users.get(&id).map(|name| User {
            id: ID(GlobalId::encode("User", id)),
            name: name.clone(),
        })
    }))
}

/// A keyset cursor of the served kind's length: list, sort key and id, encoded.
fn cursor(list: &str, key: &str, id: Uuid) -> String {
    URL_SAFE_NO_PAD.encode(format!("{list}|{key}|{id}"))
}

fn page(first: Option<i32>, len: usize) -> usize {
    usize::try_from(first.unwrap_or(20)).unwrap_or(0).min(len)
}

#[ComplexObject]
impl Account {
    async fn owner(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        user(ctx, self.row.owner_id)
    }

    async fn opportunities(
        &self,
        first: Option<i32>,
        _after: Option<String>,
    ) -> Connection<String, Opportunity> {
        let rows = &self.row.opportunities;
        let n = page(first, rows.len());
        let mut conn = Connection::new(false, n < rows.len());
        conn.edges.extend(rows[..n].iter().map(|o| {
            Edge::new(
                cursor("opportunities", "close_date", o.id),
                Opportunity {
                    id: ID(GlobalId::encode("Opportunity", o.id)),
                    stage: o.stage,
                    row: o.clone(),
                },
            )
        }));
        conn
    }
}

#[ComplexObject]
impl Opportunity {
    async fn amount(&self) -> Decimal {
        money::to_decimal(self.row.amount_cents)
    }

    async fn owner(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        user(ctx, self.row.owner_id)
    }
}

struct Query;

#[Object]
impl Query {
    async fn accounts(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        _after: Option<String>,
    ) -> async_graphql::Result<Connection<String, Account>> {
        let rows = &data(ctx)?.accounts;
        let n = page(first, rows.len());
        let mut conn = Connection::new(false, n < rows.len());
        conn.edges.extend(rows[..n].iter().map(|a| {
            Edge::new(
                cursor("accounts", &a.name, a.id),
                Account {
                    id: ID(GlobalId::encode("Account", a.id)),
                    name: a.name.clone(),
                    row: a.clone(),
                },
            )
        }));
        Ok(conn)
    }
}

type FloorSchema = Schema<Query, EmptyMutation, EmptySubscription>;

/// What `api::http::graphql_post` does around execution, without its checks.
async fn graphql(body: web::Bytes, schema: web::Data<FloorSchema>) -> HttpResponse {
    let request: async_graphql::Request = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => return HttpResponse::BadRequest().body(e.to_string()),
    };
    let response = schema.execute(request).await;
    HttpResponse::Ok()
        .content_type("application/json")
        .json(&response)
}

/// Made-up rows of the seed's shapes: 50 accounts × 10 opportunities.
fn made_up() -> Data {
    const WORDS: [&str; 8] = [
        "Apex", "Cedar", "Falcon", "Granite", "Harbor", "Juniper", "Lumen", "Pioneer",
    ];
    const PEOPLE: [&str; 6] = [
        "Ana Costa",
        "Farid Kowalski",
        "Hugo Nguyen",
        "Maya Okafor",
        "Noah Fischer",
        "Ines Dubois",
    ];
    const STAGES: [Stage; 4] = [
        Stage::Prospecting,
        Stage::Proposal,
        Stage::ClosedWon,
        Stage::Negotiation,
    ];
    let people: Vec<(Uuid, String)> = PEOPLE
        .iter()
        .map(|p| (Uuid::new_v4(), (*p).to_string()))
        .collect();
    let accounts = (0..50usize)
        .map(|a| AccountRow {
            id: Uuid::new_v4(),
            name: format!(
                "{} {} Holdings {}",
                WORDS[a % 8],
                WORDS[(a / 8) % 8],
                10_000 + a * 37
            ),
            owner_id: Some(people[a % people.len()].0),
            opportunities: (0..10usize)
                .map(|o| OpportunityRow {
                    id: Uuid::new_v4(),
                    amount_cents: (25_000 + ((a * 10 + o) as i64 * 7919) % 200_000) * 100,
                    stage: STAGES[o % 4],
                    owner_id: Some(people[(a + o) % people.len()].0),
                })
                .collect(),
        })
        .collect();
    Data {
        accounts,
        users: people.into_iter().collect(),
    }
}

/// The rows of a real response to the nested query. Owners are known by name only
/// there, so each distinct name becomes one user.
fn from_response(json: &Value) -> Result<Data, String> {
    let mut users: HashMap<Uuid, String> = HashMap::new();
    let mut by_name: HashMap<String, Uuid> = HashMap::new();
    let mut owner = |v: &Value| -> Option<Uuid> {
        let name = v.get("name")?.as_str()?.to_string();
        let id = *by_name.entry(name.clone()).or_insert_with(Uuid::new_v4);
        users.insert(id, name);
        Some(id)
    };
    let id = |v: &Value, ty: &str| -> Result<Uuid, String> {
        let raw = v
            .get("id")
            .and_then(Value::as_str)
            .ok_or("an id is missing")?;
        GlobalId::decode_as(raw, ty, "id").map_err(|e| e.to_string())
    };
    let edges = |v: &Value| -> Vec<Value> {
        v.get("edges")
            .and_then(Value::as_array)
            .map(|e| e.iter().filter_map(|e| e.get("node").cloned()).collect())
            .unwrap_or_default()
    };
    let list = json
        .pointer("/data/accounts")
        .ok_or("the response has no data.accounts")?;
    let mut accounts = Vec::new();
    for a in edges(list) {
        let mut opportunities = Vec::new();
        for o in edges(a.get("opportunities").unwrap_or(&Value::Null)) {
            let amount: Decimal = o
                .get("amount")
                .and_then(Value::as_str)
                .and_then(|s| s.parse().ok())
                .ok_or("an amount is missing")?;
            opportunities.push(OpportunityRow {
                id: id(&o, "Opportunity")?,
                amount_cents: money::to_cents(amount, "amount").map_err(|e| e.to_string())?,
                stage: serde_json::from_value(o.get("stage").cloned().unwrap_or_default())
                    .map_err(|e| e.to_string())?,
                owner_id: o.get("owner").and_then(&mut owner),
            });
        }
        accounts.push(AccountRow {
            id: id(&a, "Account")?,
            name: a
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            owner_id: a.get("owner").and_then(&mut owner),
            opportunities,
        });
    }
    Ok(Data { accounts, users })
}

fn load() -> Result<Data, String> {
    let Some(path) = std::env::var("FLOOR_DATA").ok().filter(|p| !p.is_empty()) else {
        return Ok(made_up());
    };
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
    let json: Value = serde_json::from_str(&text).map_err(|e| format!("{path}: {e}"))?;
    from_response(&json)
}

fn main() -> std::process::ExitCode {
    let data = match load() {
        Ok(d) => Arc::new(d),
        Err(e) => {
            eprintln!("floor: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let addr = std::env::var("FLOOR_ADDR").unwrap_or_else(|_| "127.0.0.1:18095".into());
    let schema = Schema::build(Query, EmptyMutation, EmptySubscription)
        .data(data)
        .finish();
    // The product's runtime: a multi-threaded tokio runtime driving actix's workers.
    let run = async move {
        HttpServer::new(move || {
            App::new()
                .app_data(web::Data::new(schema.clone()))
                .route("/graphql", web::post().to(graphql))
                .route("/healthz", web::get().to(HttpResponse::Ok))
        })
        .bind(&addr)?
        .run()
        .await
    };
    let result = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .and_then(|rt| rt.block_on(run));
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("floor: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
