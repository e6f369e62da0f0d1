//! One GraphQL request or batch over HTTP, from the admission gate to the shaped
//! answer: every document admitted (`graphql::admit`), the batch's cost, the caller,
//! then each request run — planned into one statement when it can be, through the
//! resolvers otherwise — within the request deadline.

use actix_web::{
    HttpRequest, HttpResponse,
    http::{StatusCode, header},
};
use async_graphql::{
    BatchRequest, Request, Response,
    parser::types::{ExecutableDocument, OperationType},
};
use serde_json::json;

use super::{error_body, refused, request_error, shape::shape};
use crate::{
    auth::{
        actor::{self, Caller},
        policy,
    },
    error::AppError,
    graphql::{
        Schemas, admit, compiled, context::RequestData, loaders::Loaders, nulls, order,
        panic_guard, scalars, schema,
    },
    middleware::{self, RequestInfo},
    state::AppState,
};

/// Checks the request-level limits the schema does not know about, attaches the caller,
/// runs the batch and shapes the HTTP answer.
pub(super) async fn execute(
    req: &HttpRequest,
    batch: BatchRequest,
    is_get: bool,
    state: &AppState,
    schema: &Schemas,
    media: &'static str,
) -> HttpResponse {
    let limits = &state.config.limits;
    let mut requests = match batch {
        BatchRequest::Single(r) => vec![r],
        BatchRequest::Batch(rs) => rs,
    };
    let single = requests.len() == 1;
    if requests.is_empty() || requests.len() > limits.max_batch {
        return error_body(
            StatusCode::BAD_REQUEST,
            &format!("a batch holds 1 to {} requests", limits.max_batch),
            media,
        );
    }
    let (docs, operation) = match admit_all(req, &mut requests, is_get, state, media) {
        Ok(admitted) => admitted,
        Err(refusal) => return *refusal,
    };
    let auth_header = req
        .headers()
        .get(header::AUTHORIZATION)
        .map(|v| v.to_str().unwrap_or("\u{0}invalid"));
    let caller = match actor::resolve(auth_header, &state.keys, &state.db).await {
        Ok(c) => c,
        Err(e) => {
            let body = Response::from_errors(vec![crate::error::request_error(e)]);
            return shape(vec![(body, None)], true, media, state);
        }
    };
    middleware::note(
        req,
        RequestInfo {
            operation,
            actor: caller.actor().ok().map(|a| a.user_id),
        },
    );
    // The deadline holds on both backends; dropping the work rolls back any open
    // transaction.
    let deadline = limits.request_timeout;
    let run = async {
        let mut responses = Vec::with_capacity(requests.len());
        for (r, doc) in requests.into_iter().zip(docs) {
            responses.push(run_one(state, schema, &caller, r, doc).await);
        }
        responses
    };
    let responses = match tokio::time::timeout(deadline, run).await {
        Ok(responses) => responses,
        Err(_) => {
            let err = AppError::TooExpensive(format!(
                "the request took longer than {} ms; ask for less",
                deadline.as_millis()
            ));
            let body = Response::from_errors(vec![crate::error::request_error(err)]);
            return shape(vec![(body, None)], true, media, state);
        }
    };
    shape(responses, single, media, state)
}

/// The batch's parsed documents (`None` where a text does not parse) and the first
/// request's operation name.
type Admitted = (Vec<Option<ExecutableDocument>>, Option<String>);

/// Every request of the batch through the one gate (`admit`: persisted documents
/// resolved first, so every check sees the document that will run), then the batch's
/// cost: a batch of cheap requests is as expensive as one request holding them all.
/// Each document is parsed once, here, and handed to execution. The first request's
/// operation name is noted for the access log; a refusal is the HTTP answer.
fn admit_all(
    req: &HttpRequest,
    requests: &mut [Request],
    is_get: bool,
    state: &AppState,
    media: &'static str,
) -> Result<Admitted, Box<HttpResponse>> {
    let mut docs: Vec<Option<ExecutableDocument>> = Vec::with_capacity(requests.len());
    let mut batch_complexity: u64 = 0;
    for r in requests.iter_mut() {
        let admitted = admit::admit(state, r).map_err(|e| {
            let operation = r.operation_name.clone();
            middleware::note(
                req,
                RequestInfo {
                    operation,
                    actor: None,
                },
            );
            Box::new(refused(e, media, state))
        })?;
        if is_get
            && let Some(doc) = &admitted.doc
            && selected_is_mutation(doc, r.operation_name.as_deref())
        {
            return Err(Box::new(HttpResponse::MethodNotAllowed()
                .insert_header((header::ALLOW, "POST"))
                .content_type(media)
                .json(json!({ "errors": [{ "message": "mutations are sent with POST", "extensions": { "code": "BAD_USER_INPUT" } }] }))));
        }
        batch_complexity = batch_complexity.saturating_add(admitted.complexity);
        docs.push(admitted.doc);
    }
    let operation = requests
        .first()
        .and_then(|r| operation_name(r, docs.first().and_then(Option::as_ref)));
    middleware::note(
        req,
        RequestInfo {
            operation: operation.clone(),
            actor: None,
        },
    );
    let max = schema::cost_limits(&state.config.limits).max_complexity;
    if batch_complexity > max {
        return Err(Box::new(request_error(
            &format!("the batch has complexity {batch_complexity}; at most {max} allowed"),
            media,
        )));
    }
    Ok((docs, operation))
}

/// Runs one admitted request as `caller`: planned into one statement when the planner
/// can answer it (internal callers), through the resolvers otherwise. The answer comes
/// with its `data` written as JSON when planned.
async fn run_one(
    state: &AppState,
    schema: &Schemas,
    caller: &Caller,
    mut r: Request,
    doc: Option<ExecutableDocument>,
) -> (Response, Option<String>) {
    let limits = &state.config.limits;
    // The caller's role picks the schema: partners are served only the allowlist.
    let audience = policy::fields::audience(caller.actor().ok().map(|a| a.role));
    let planned = match (&schema.planned, audience, doc.as_ref()) {
        (Some(_), policy::fields::Audience::Internal, Some(d)) => compiled::plan(
            d,
            r.operation_name.as_deref(),
            &r.variables,
            limits.max_fields,
        ),
        _ => None,
    };
    // The resolvers' answer is put in the document's order afterwards (`order`); a
    // planned answer is written in it.
    let ordering = if planned.is_none() { doc.clone() } else { None };
    if let Some(doc) = doc {
        r.set_parsed_query(doc);
    }
    let actor = caller.actor().ok().cloned();
    let data = RequestData::new(
        caller.clone(),
        Loaders::new(state.db.clone(), actor),
        limits.max_fields,
    );
    let budget = data.budget.clone();
    let r: Request = r.data(data);
    let (query, operation_name) = (r.query.clone(), r.operation_name.clone());
    let variables = r.variables.clone();
    let (mut response, mut written) = match planned {
        Some(plan) => {
            let (planned, answer) = compiled::Planned::new(plan);
            let response = panic_guard::guarded(schema.execute_planned(r.data(planned))).await;
            (response, answer.take())
        }
        None => {
            let mut response = execute_guarded(schema, audience, r).await;
            if let Some(doc) = &ordering {
                order::reorder(
                    doc,
                    operation_name.as_deref(),
                    &variables,
                    &mut response.data,
                );
            }
            (response, None)
        }
    };
    if budget.spent() {
        // One error for the whole request, not one per list, and no partial data.
        response = Response::from_errors(vec![crate::error::request_error(budget.error())]);
        written = None;
    }
    scalars::name_refused_values(&mut response.errors, &query, &variables);
    if !response.errors.is_empty()
        && let (Some(types), Ok(doc)) = (
            nulls::TypeMap::served(),
            async_graphql::parser::parse_query(&query),
        )
    {
        nulls::propagate(types, &doc, operation_name.as_deref(), &mut response);
    }
    (response, written)
}

/// Runs one request; a panic inside a resolver is caught and answered as an internal
/// error (see `panic_guard`).
async fn execute_guarded(
    schema: &Schemas,
    audience: policy::fields::Audience,
    request: Request,
) -> Response {
    panic_guard::guarded(schema.execute(audience, request)).await
}

/// The operation's name for logs and metrics: the one the client selected, else the
/// name of the document's only operation.
fn operation_name(r: &Request, doc: Option<&ExecutableDocument>) -> Option<String> {
    use async_graphql::parser::types::DocumentOperations;
    if let Some(name) = &r.operation_name {
        return Some(name.clone());
    }
    match &doc?.operations {
        DocumentOperations::Multiple(ops) if ops.len() == 1 => {
            ops.keys().next().map(|k| k.to_string())
        }
        _ => None,
    }
}

fn selected_is_mutation(doc: &ExecutableDocument, name: Option<&str>) -> bool {
    use async_graphql::parser::types::DocumentOperations;
    match &doc.operations {
        DocumentOperations::Single(op) => op.node.ty != OperationType::Query,
        DocumentOperations::Multiple(ops) => match name {
            Some(n) => ops
                .iter()
                .any(|(k, op)| k.as_str() == n && op.node.ty != OperationType::Query),
            None => ops.values().any(|op| op.node.ty != OperationType::Query),
        },
    }
}
