//! HTTP routes: `/graphql` (POST, GET, GraphiQL), `/healthz`, `/readyz`, `/metrics`.
//!
//! GraphQL over HTTP as its specification says: POST with JSON, GET for queries only,
//! the response media type chosen by `Accept`, status 400 for a request that does not
//! parse or validate, and every error carrying `extensions.code`.

use actix_web::{
    HttpRequest, HttpResponse,
    http::{StatusCode, header},
    web,
};
use async_graphql::{BatchRequest, Request};
use futures_util::StreamExt;
use serde_json::json;

use crate::{error::AppError, graphql::Schemas, persisted, state::AppState};

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";
const JSON: &str = "application/json";
/// What `Retry-After` says when the database is unavailable: about one pool timeout.
const RETRY_AFTER_SECS: u64 = 3;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/graphql", web::post().to(graphql_post))
        .route(
            "/graphql",
            web::get()
                .guard(actix_web::guard::Header("upgrade", "websocket"))
                .to(crate::ws::upgrade),
        )
        .route("/graphql", web::get().to(graphql_get))
        .route("/healthz", web::get().to(healthz))
        .route("/readyz", web::get().to(readyz))
        .route("/metrics", web::get().to(metrics))
        .configure(crate::reports_http::routes);
}

async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

/// Ready when the database answers. `liveEvents` says whether events committed now
/// reach this replica's subscribers (`listening`; on PostgreSQL once its `LISTEN` is in
/// place) or not yet (`connecting`); it does not change the status, since HTTP is served
/// either way.
async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let live = if state.hub.listening() {
        "listening"
    } else {
        "connecting"
    };
    match state.db.ping().await {
        Ok(()) => HttpResponse::Ok().json(json!({ "status": "ready", "liveEvents": live })),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            HttpResponse::ServiceUnavailable().json(json!({ "status": "database unavailable" }))
        }
    }
}

async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    // Checked above, so the pool getters (which panic on the wrong backend) are safe.
    match &state.db.inner {
        sea_orm::DatabaseConnectionType::SqlxPostgresPoolConnection(_) => {
            let pool = state.db.get_postgres_connection_pool();
            state.metrics.pool_size.set(i64::from(pool.size()));
            state.metrics.pool_idle.set(pool.num_idle() as i64);
        }
        sea_orm::DatabaseConnectionType::SqlxSqlitePoolConnection(_) => {
            let pool = state.db.get_sqlite_connection_pool();
            state.metrics.pool_size.set(i64::from(pool.size()));
            state.metrics.pool_idle.set(pool.num_idle() as i64);
        }
        _ => {}
    }
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(state.metrics.render())
}

/// The media type to answer with, or `None` when `Accept` allows neither.
fn response_type(req: &HttpRequest) -> Option<&'static str> {
    let Some(accept) = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
    else {
        return Some(JSON);
    };
    let accept = accept.to_ascii_lowercase();
    if accept.contains(GRAPHQL_RESPONSE) {
        Some(GRAPHQL_RESPONSE)
    } else if accept.contains(JSON) || accept.contains("*/*") || accept.contains("application/*") {
        Some(JSON)
    } else {
        None
    }
}

fn error_body(status: StatusCode, message: &str, media: &str) -> HttpResponse {
    HttpResponse::build(status).content_type(media).json(json!({
        "errors": [{ "message": message, "extensions": { "code": "BAD_USER_INPUT" } }]
    }))
}

/// A well-formed request refused before execution (a limit, like a validation error):
/// 400 with `application/graphql-response+json`, 200 with `application/json`, as the
/// GraphQL-over-HTTP specification gives for request errors.
fn request_error(message: &str, media: &str) -> HttpResponse {
    let status = if media == GRAPHQL_RESPONSE {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    error_body(status, message, media)
}

/// A request refused before execution with one of our codes, shaped as a request error.
/// `PERSISTED_QUERY_NOT_FOUND` is the APQ protocol's normal first answer, sent with 200
/// as Apollo's clients expect, whatever the media type.
fn refused(e: AppError, media: &str, state: &AppState) -> HttpResponse {
    state.metrics.errors.with_label_values(&[e.code()]).inc();
    let apq_miss = matches!(e, AppError::PersistedQueryNotFound);
    let err: async_graphql::Error = e.into();
    let err = crate::error::request_error(err);
    let status = if media == GRAPHQL_RESPONSE && !apq_miss {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    HttpResponse::build(status)
        .content_type(media)
        .json(json!({ "errors": [err] }))
}

async fn graphql_post(
    req: HttpRequest,
    mut payload: web::Payload,
    state: web::Data<AppState>,
    schema: web::Data<Schemas>,
) -> HttpResponse {
    let Some(media) = response_type(&req) else {
        return HttpResponse::NotAcceptable().finish();
    };
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    if !content_type.starts_with(JSON) {
        return error_body(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "send GraphQL requests as application/json",
            media,
        );
    }
    let limit = state.config.limits.max_body_bytes;
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let Ok(chunk) = chunk else {
            return error_body(
                StatusCode::BAD_REQUEST,
                "the request body could not be read",
                media,
            );
        };
        if body.len() + chunk.len() > limit {
            return error_body(
                StatusCode::PAYLOAD_TOO_LARGE,
                &format!("the request body is larger than {limit} bytes"),
                media,
            );
        }
        body.extend_from_slice(&chunk);
    }
    let batch = match parse_body(&body) {
        Ok(b) => b,
        Err(e) => {
            return error_body(
                StatusCode::BAD_REQUEST,
                &format!("the body is not a GraphQL request: {e}"),
                media,
            );
        }
    };
    execute(&req, batch, false, &state, &schema, media).await
}

/// A request is a JSON object, a batch a non-empty array of them. Checked before serde
/// maps the body onto `Request`, which would also accept a JSON array as a struct.
fn parse_body(body: &[u8]) -> Result<BatchRequest, String> {
    let mut value: serde_json::Value = serde_json::from_slice(body).map_err(|e| e.to_string())?;
    let well_formed = match &value {
        serde_json::Value::Object(_) => true,
        serde_json::Value::Array(items) => {
            !items.is_empty() && items.iter().all(serde_json::Value::is_object)
        }
        _ => false,
    };
    if !well_formed {
        return Err("expected a JSON object, or a non-empty array of them".into());
    }
    match &mut value {
        serde_json::Value::Array(items) => items.iter_mut().for_each(persisted::carry_document_id),
        item => persisted::carry_document_id(item),
    }
    serde_json::from_value(value).map_err(|e| e.to_string())
}

/// `GET /graphql?query=…&operationName=…&variables=…&extensions=…&documentId=…`.
fn parse_query_string(qs: &str) -> Result<Request, String> {
    let params = web::Query::<std::collections::HashMap<String, String>>::from_query(qs)
        .map_err(|e| e.to_string())?
        .into_inner();
    let json = |key: &str| -> Result<Option<serde_json::Value>, String> {
        params
            .get(key)
            .map(|raw| serde_json::from_str(raw).map_err(|e| format!("{key} is not JSON: {e}")))
            .transpose()
    };
    let mut body = serde_json::Map::new();
    body.insert(
        "query".into(),
        params.get("query").cloned().unwrap_or_default().into(),
    );
    if let Some(name) = params.get("operationName") {
        body.insert("operationName".into(), name.clone().into());
    }
    for key in ["variables", "extensions"] {
        if let Some(v) = json(key)? {
            body.insert(key.into(), v);
        }
    }
    if let Some(id) = params.get(persisted::DOCUMENT_ID_KEY) {
        body.insert(persisted::DOCUMENT_ID_KEY.into(), id.clone().into());
    }
    let mut value = serde_json::Value::Object(body);
    persisted::carry_document_id(&mut value);
    serde_json::from_value(value).map_err(|e| e.to_string())
}

async fn graphql_get(
    req: HttpRequest,
    state: web::Data<AppState>,
    schema: web::Data<Schemas>,
) -> HttpResponse {
    let wants_html = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"));
    if wants_html && req.query_string().is_empty() && state.config.graphiql {
        return crate::graphiql::page();
    }
    let Some(media) = response_type(&req) else {
        return HttpResponse::NotAcceptable().finish();
    };
    let request = match parse_query_string(req.query_string()) {
        Ok(r) => r,
        Err(e) => {
            return error_body(
                StatusCode::BAD_REQUEST,
                &format!("bad query string: {e}"),
                media,
            );
        }
    };
    execute(
        &req,
        BatchRequest::Single(request),
        true,
        &state,
        &schema,
        media,
    )
    .await
}

mod execute;
mod shape;

use execute::execute;
