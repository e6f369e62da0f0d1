//! The HTTP answer for the requests' GraphQL responses: codes for the errors
//! async-graphql raised itself, errors counted by code, the status and headers the
//! GraphQL-over-HTTP specification gives for the media type, and a planned read's
//! `data` sent as the JSON it was written as.

use actix_web::{
    HttpResponse,
    http::{StatusCode, header},
};
use async_graphql::{Response, ServerError};

use super::{GRAPHQL_RESPONSE, RETRY_AFTER_SECS};
use crate::{
    error::{AppError, code_for_uncoded_error},
    state::AppState,
};

/// Codes errors that async-graphql raised itself, counts errors by code, and answers as
/// the GraphQL-over-HTTP specification says: a request that failed before execution
/// (parse, validation, variables) has no `data` key, and its status is 400 with
/// `application/graphql-response+json` but 200 with `application/json`.
/// The HTTP response for the requests' answers (one, unless the client sent a batch).
/// An answer may come with its `data` already written as JSON (a planned read).
pub(super) fn shape(
    answers: Vec<(Response, Option<String>)>,
    single: bool,
    media: &str,
    state: &AppState,
) -> HttpResponse {
    let mut request_error = false;
    // A dependency down: the client should retry (`Retry-After`); with no data at all,
    // the GraphQL media type says so in the status too.
    let (mut unavailable, mut no_data) = (false, false);
    let mut fix = |(mut resp, written): (Response, Option<String>)| {
        if let Some(data) = written
            && resp.errors.is_empty()
            && resp.extensions.is_empty()
        {
            // What serializing a response with this `data` and nothing else writes.
            let mut out = Vec::with_capacity(data.len() + 10);
            out.extend_from_slice(b"{\"data\":");
            out.extend_from_slice(data.as_bytes());
            out.push(b'}');
            return out;
        }
        if resp
            .errors
            .iter()
            .any(|e| code_of(e).as_deref() == Some(AppError::Unavailable.code()))
        {
            unavailable = true;
            no_data |= resp.data == async_graphql::Value::Null;
        }
        let before_execution = resp.data == async_graphql::Value::Null
            && !resp.errors.is_empty()
            && resp.errors.iter().all(|e| code_of(e).is_none());
        request_error |= before_execution;
        for e in &mut resp.errors {
            if code_of(e).is_none() {
                e.extensions
                    .get_or_insert_with(Default::default)
                    .set("code", code_for_uncoded_error());
            }
            if let Some(code) = code_of(e) {
                state
                    .metrics
                    .errors
                    .with_label_values(&[code.as_str()])
                    .inc();
            }
        }
        if !before_execution {
            // Straight to bytes: a response is large, a detour through
            // `serde_json::Value` would build it a second time.
            return serde_json::to_vec(&resp).unwrap_or_default();
        }
        // A request refused before execution has no `data` key at all.
        let mut json = serde_json::to_value(&resp).unwrap_or_default();
        if let Some(obj) = json.as_object_mut() {
            obj.remove("data");
        }
        serde_json::to_vec(&json).unwrap_or_default()
    };
    let body = if single {
        answers.into_iter().next().map(&mut fix).unwrap_or_default()
    } else {
        let mut out = b"[".to_vec();
        for (i, r) in answers.into_iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend(fix(r));
        }
        out.push(b']');
        out
    };
    let status = if request_error && single && media == GRAPHQL_RESPONSE {
        StatusCode::BAD_REQUEST
    } else if unavailable && no_data && single && media == GRAPHQL_RESPONSE {
        StatusCode::SERVICE_UNAVAILABLE
    } else {
        StatusCode::OK
    };
    let mut out = HttpResponse::build(status);
    if unavailable {
        out.insert_header((header::RETRY_AFTER, RETRY_AFTER_SECS.to_string()));
    }
    out.content_type(media).body(body)
}

fn code_of(e: &ServerError) -> Option<String> {
    match e.extensions.as_ref()?.get("code")? {
        async_graphql::Value::String(s) => Some(s.clone()),
        async_graphql::Value::Enum(s) => Some(s.to_string()),
        _ => None,
    }
}
