//! Handoffs through the API: the journey from lead to expansion, bad input, SLAs,
//! races, and the authorization matrix of every handoff operation.

mod counts;
mod flow;
mod matrix;
mod races;

use serde_json::{Value, json};

use crate::helpers::{TestApp, code};

pub const H_FIELDS: &str = "id kind status version note reasonCode responseNote dueAt overdue from { email } to { email } lead { id status } account { id name lifecycle accountManager { email } csm { email } } opportunity { id name stage type amount closeDate owner { email } sourcedBy { email } } events { totalCount nodes { fromStatus toStatus reasonCode note actor { email } to { email } } }";

pub fn request_q() -> String {
    format!("mutation($i: RequestHandoffInput!) {{ requestHandoff(input: $i) {{ {H_FIELDS} }} }}")
}

pub fn accept_q() -> String {
    format!(
        "mutation($id: ID!, $v: Int!) {{ acceptHandoff(id: $id, version: $v) {{ {H_FIELDS} }} }}"
    )
}

pub fn reject_q() -> String {
    format!(
        "mutation($id: ID!, $v: Int!, $r: RejectReason!, $n: String!) {{ rejectHandoff(id: $id, version: $v, reasonCode: $r, note: $n) {{ {H_FIELDS} }} }}"
    )
}

pub fn cancel_q() -> String {
    format!(
        "mutation($id: ID!, $v: Int!) {{ cancelHandoff(id: $id, version: $v) {{ {H_FIELDS} }} }}"
    )
}

pub fn redirect_q() -> String {
    format!(
        "mutation($id: ID!, $v: Int!, $to: ID!) {{ redirectHandoff(id: $id, version: $v, toUserId: $to) {{ {H_FIELDS} }} }}"
    )
}

pub const LIST_Q: &str = "query($f: HandoffFilterInput) { handoffs(filter: $f, first: 100) { totalCount edges { node { id kind status overdue } } } }";

/// `data.<key>` of a response that must not have failed.
#[track_caller]
pub fn data<'a>(body: &'a Value, key: &str) -> &'a Value {
    assert!(body["errors"].is_null(), "unexpected errors: {body}");
    let v = &body["data"][key];
    assert!(!v.is_null(), "no data.{key}: {body}");
    v
}

/// `ok`, or the code (and field) of the first error.
/// The first error's code, or `UNKNOWN` when the operation is not in the caller's
/// schema at all (partners: refused by validation like an unknown field).
pub fn code_or_unknown(body: &Value) -> Option<&str> {
    if crate::helpers::unknown_name(body) {
        Some("UNKNOWN")
    } else {
        code(body)
    }
}

pub fn outcome(body: &Value) -> String {
    if crate::helpers::unknown_name(body) {
        return "UNKNOWN".into();
    }
    match (
        body["errors"].is_null(),
        code(body),
        body["errors"][0]["extensions"]["field"].as_str(),
    ) {
        (true, _, _) => "ok".into(),
        (false, Some(c), Some(f)) => format!("{c} {f}"),
        (false, c, None) => c.unwrap_or("?").into(),
        (false, None, Some(f)) => format!("? {f}"),
    }
}

/// A qualified lead of `sdr` in the territory `territory` (fixture key).
pub async fn qualified_lead(app: &TestApp, territory: &str, domain: &str) -> String {
    let body = app
        .gql_as(
            "sdr",
            "mutation($i: CreateLeadInput!) { createLead(input: $i) { id } }",
            json!({ "i": {
                "companyName": format!("{domain} Inc"), "domain": domain, "contactName": "Pat Buyer",
                "country": "US", "territoryId": app.fx.gid("Territory", territory)
            }}),
        )
        .await;
    let id = data(&body, "createLead")["id"]
        .as_str()
        .unwrap()
        .to_string();
    let body = app
        .gql_as(
            "sdr",
            "mutation($id: ID!, $i: QualifyLeadInput!) { qualifyLead(id: $id, input: $i) { status } }",
            json!({ "id": id, "i": { "budget": "80k", "authority": "VP Sales", "need": "pipeline visibility", "timeline": "this quarter" } }),
        )
        .await;
    assert_eq!(data(&body, "qualifyLead")["status"], "QUALIFIED");
    id
}

/// `requestHandoff` as `who`.
pub async fn request(
    app: &TestApp,
    who: &str,
    kind: &str,
    subject: (&str, &str),
    to: &str,
) -> Value {
    let (field, id) = subject;
    app.gql_as(
        who,
        &request_q(),
        json!({ "i": { "kind": kind, field: id, "toUserId": app.fx.gid("User", to), "note": "over to you" } }),
    )
    .await
}

pub fn uuid_of(gid: &str) -> uuid::Uuid {
    api::domain::GlobalId::decode(gid, "id").unwrap().id
}

pub async fn audit_count(app: &TestApp) -> u64 {
    use sea_orm::{EntityTrait, PaginatorTrait};
    entity::audit_events::Entity::find()
        .count(&app.db)
        .await
        .unwrap()
}

/// A pending AE → AM handoff in the second team (ae2 to a new account manager of
/// manager2), inserted directly; its global id.
pub async fn seed_team2(app: &TestApp) -> String {
    use chrono::Utc;
    use entity::enums::{HandoffKind, HandoffStatus, Role};
    use sea_orm::{ActiveModelTrait, Set};
    let am2 = crate::fixture::insert_user(
        &app.db,
        "am2@test.example",
        "Ann Am",
        Role::AccountManager,
        Some(app.user("manager2").id),
        None,
        true,
    )
    .await;
    let account = app.fx.id("Account", "globex");
    let now = Utc::now();
    let id = uuid::Uuid::new_v4();
    entity::handoffs::ActiveModel {
        id: Set(id),
        kind: Set(HandoffKind::AeToAm),
        status: Set(HandoffStatus::Pending),
        from_user_id: Set(app.user("ae2").id),
        to_user_id: Set(am2.id),
        lead_id: Set(None),
        account_id: Set(Some(account)),
        opportunity_id: Set(None),
        subject_key: Set(api::domain::handoff::slot_key(HandoffKind::AeToAm, account)),
        note: Set("team 2".into()),
        reason_code: Set(None),
        response_note: Set(None),
        due_at: Set(now + chrono::TimeDelta::hours(24)),
        resolved_at: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&app.db)
    .await
    .unwrap();
    TestApp::gid("Handoff", id)
}
