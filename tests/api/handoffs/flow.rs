//! The journey from a qualified lead to an expansion, and every way a handoff is
//! refused, rejected, cancelled, redirected or overdue.

use chrono::TimeDelta;
use entity::{audit_events, handoff_events, opportunities};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

use super::{
    LIST_Q, accept_q, audit_count, cancel_q, data, outcome, qualified_lead, redirect_q, reject_q,
    request, uuid_of,
};
use crate::helpers::{TestApp, code};

const NODE_LEAD: &str =
    "query($id: ID!) { node(id: $id) { id ... on Lead { status owner { email } } } }";
const NODE_ACCOUNT: &str = "query($id: ID!) { node(id: $id) { id ... on Account { name } } }";

fn gid(v: &Value) -> String {
    v["id"].as_str().unwrap().to_string()
}

fn version(v: &Value) -> i64 {
    v["version"].as_i64().unwrap()
}

/// SDR qualifies and hands off, the AE accepts (lead converted, opportunity created),
/// closes won and hands to AM and CS at once, CS hands an expansion to AM.
#[tokio::test]
async fn the_journey_from_lead_to_expansion() {
    let app = TestApp::spawn().await;
    let lead = qualified_lead(&app, "na_west", "journey.example").await;

    let body = request(&app, "sdr", "SDR_TO_AE", ("leadId", &lead), "ae").await;
    let h = data(&body, "requestHandoff").clone();
    assert_eq!(h["status"], "PENDING");
    assert_eq!(h["overdue"], false);
    assert_eq!(h["events"]["totalCount"], 1);
    // The recipient reads the lead while the handoff is pending.
    let seen = app.gql_as("ae", NODE_LEAD, json!({ "id": lead })).await;
    assert_eq!(seen["data"]["node"]["status"], "QUALIFIED", "{seen}");

    let body = app
        .gql_as(
            "ae",
            &accept_q(),
            json!({ "id": gid(&h), "v": version(&h) }),
        )
        .await;
    let h = data(&body, "acceptHandoff").clone();
    assert_eq!(h["status"], "ACCEPTED");
    assert_eq!(h["lead"]["status"], "CONVERTED");
    let opp = &h["opportunity"];
    assert_eq!(opp["stage"], "DISCOVERY");
    assert_eq!(opp["type"], "NEW_BUSINESS");
    assert_eq!(opp["amount"], "0.00");
    assert_eq!(opp["owner"]["email"], "ae@test.example");
    assert_eq!(opp["sourcedBy"]["email"], "sdr@test.example");
    let cycle = (app.state.clock.now() + TimeDelta::days(90)).date_naive();
    assert_eq!(opp["closeDate"], cycle.to_string());
    assert_eq!(h["account"]["name"], "journey.example Inc");
    assert_eq!(h["account"]["lifecycle"], "PROSPECT");
    let events: Vec<(&Value, &Value)> = h["events"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (&e["fromStatus"], &e["toStatus"]))
        .collect();
    assert_eq!(
        events,
        [
            (&Value::Null, &json!("PENDING")),
            (&json!("PENDING"), &json!("ACCEPTED"))
        ]
    );
    // The lead links to its account and opportunity.
    let lead_id = uuid_of(&lead);
    let row = entity::leads::Entity::find_by_id(lead_id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let account = h["account"]["id"].as_str().unwrap().to_string();
    assert_eq!(
        Some(uuid_of(&account)),
        row.account_id,
        "lead links to the account"
    );
    let opp_row = opportunities::Entity::find_by_id(uuid_of(opp["id"].as_str().unwrap()))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(opp_row.lead_id, Some(lead_id));

    // The AE closes the deal won.
    let body = app
        .gql_as(
            "ae",
            "mutation($id: ID!) { closeOpportunity(id: $id, version: 1, input: { outcome: WON }) { stage } }",
            json!({ "id": opp["id"] }),
        )
        .await;
    assert_eq!(data(&body, "closeOpportunity")["stage"], "CLOSED_WON");

    // To AM and to CS at once: separate slots.
    let to_am = request(&app, "ae", "AE_TO_AM", ("accountId", &account), "am").await;
    let to_cs = request(&app, "ae", "AE_TO_CS", ("accountId", &account), "cs").await;
    let (to_am, to_cs) = (
        data(&to_am, "requestHandoff").clone(),
        data(&to_cs, "requestHandoff").clone(),
    );
    // A second AM handoff of the same account is refused while one is pending.
    let twice = request(&app, "ae", "AE_TO_AM", ("accountId", &account), "am").await;
    assert_eq!(outcome(&twice), "BAD_USER_INPUT accountId", "{twice}");
    // CS reads the account while its handoff is pending.
    let seen = app
        .gql_as("cs", NODE_ACCOUNT, json!({ "id": account }))
        .await;
    assert!(seen["errors"].is_null(), "{seen}");

    let body = app
        .gql_as("am", &accept_q(), json!({ "id": gid(&to_am), "v": 1 }))
        .await;
    assert_eq!(
        data(&body, "acceptHandoff")["account"]["accountManager"]["email"],
        "am@test.example"
    );
    let body = app
        .gql_as("cs", &accept_q(), json!({ "id": gid(&to_cs), "v": 1 }))
        .await;
    let a = &data(&body, "acceptHandoff")["account"];
    assert_eq!(a["csm"]["email"], "cs@test.example");
    assert_eq!(a["lifecycle"], "CUSTOMER");

    // CS spots an expansion and hands it to the AM.
    let body = request(&app, "cs", "CS_TO_AM", ("accountId", &account), "am").await;
    let exp = data(&body, "requestHandoff").clone();
    let body = app
        .gql_as("am", &accept_q(), json!({ "id": gid(&exp), "v": 1 }))
        .await;
    let o = &data(&body, "acceptHandoff")["opportunity"];
    assert_eq!(o["type"], "EXPANSION");
    assert_eq!(o["owner"]["email"], "am@test.example");

    // Every transition left its audit event.
    for action in ["requestHandoff", "acceptHandoff"] {
        let n = audit_events::Entity::find()
            .filter(audit_events::Column::Action.eq(action))
            .filter(audit_events::Column::EntityType.eq("Handoff"))
            .count(&app.db)
            .await
            .unwrap();
        assert_eq!(n, 4, "{action}");
    }
    // The account lists its handoffs; the lead its own.
    let body = app
        .gql_as(
            "ae",
            "query($id: ID!) { node(id: $id) { ... on Account { handoffs { totalCount } } } }",
            json!({ "id": account }),
        )
        .await;
    assert!(
        body["data"]["node"]["handoffs"]["totalCount"]
            .as_u64()
            .unwrap()
            >= 3,
        "{body}"
    );
    let body = app
        .gql_as(
            "sdr",
            "query($id: ID!) { node(id: $id) { ... on Lead { handoffs { nodes { status } } } } }",
            json!({ "id": lead }),
        )
        .await;
    assert_eq!(
        body["data"]["node"]["handoffs"]["nodes"][0]["status"], "ACCEPTED",
        "{body}"
    );
}

/// Handing off a lead that is not qualified, to the wrong role, outside the territory,
/// to oneself, twice; rejecting without a note; acting on a closed handoff or with a
/// stale version: each refused with its code, nothing written.
#[tokio::test]
async fn bad_handoffs_are_refused_and_change_nothing() {
    let app = TestApp::spawn().await;
    let lead = qualified_lead(&app, "na_west", "bad.example").await;
    let unqualified = app.fx.gid("Lead", "sdr_own");
    let before = audit_count(&app).await;
    let events_before = handoff_events::Entity::find().count(&app.db).await.unwrap();
    let mut wrong = Vec::new();
    macro_rules! expect {
        ($what:expr, $body:expr, $want:expr) => {
            if outcome($body) != $want {
                wrong.push(format!("{}: {} (want {})", $what, outcome($body), $want));
            }
        };
    }
    let r = request(&app, "sdr", "SDR_TO_AE", ("leadId", &unqualified), "ae").await;
    expect!("unqualified", &r, "BAD_USER_INPUT leadId");
    let r = request(&app, "sdr", "SDR_TO_AE", ("leadId", &lead), "am").await;
    expect!("wrong role", &r, "BAD_USER_INPUT toUserId");
    let r = request(&app, "sdr", "SDR_TO_AE", ("leadId", &lead), "ae2").await;
    expect!("outside the territory", &r, "BAD_USER_INPUT toUserId");
    let r = request(&app, "sdr", "SDR_TO_AE", ("leadId", &lead), "sdr").await;
    expect!("to oneself", &r, "BAD_USER_INPUT toUserId");
    let r = request(&app, "sdr", "SDR_TO_AE", ("leadId", &lead), "inactive").await;
    expect!("inactive recipient", &r, "BAD_USER_INPUT toUserId");
    let r = request(&app, "ae", "SDR_TO_AE", ("leadId", &lead), "ae").await;
    expect!("wrong sender role", &r, "BAD_USER_INPUT kind");
    let r = request(
        &app,
        "sdr",
        "SDR_TO_AE",
        ("accountId", &app.fx.gid("Account", "acme")),
        "ae",
    )
    .await;
    expect!("lead kind with an account", &r, "BAD_USER_INPUT leadId");
    let r = request(
        &app,
        "ae",
        "AE_TO_AM",
        ("accountId", &app.fx.gid("Account", "initech")),
        "am",
    )
    .await;
    expect!("no closed-won opportunity", &r, "BAD_USER_INPUT accountId");
    let r = request(
        &app,
        "am",
        "AM_TO_CS",
        ("accountId", &app.fx.gid("Account", "initech")),
        "cs",
    )
    .await;
    expect!("not a customer", &r, "BAD_USER_INPUT accountId");
    let r = request(
        &app,
        "cs",
        "CS_TO_AM",
        ("accountId", &app.fx.gid("Account", "globex")),
        "am",
    )
    .await;
    expect!("account out of scope", &r, "NOT_FOUND");
    let r = app
        .gql_as(
            "sdr",
            &super::request_q(),
            json!({ "i": { "kind": "SDR_TO_AE", "leadId": lead, "toUserId": app.fx.gid("User", "ae"), "note": "  " } }),
        )
        .await;
    expect!("blank note", &r, "BAD_USER_INPUT note");
    assert_eq!(audit_count(&app).await, before, "{wrong:?}");
    assert_eq!(
        handoff_events::Entity::find().count(&app.db).await.unwrap(),
        events_before
    );

    let h = data(
        &request(&app, "sdr", "SDR_TO_AE", ("leadId", &lead), "ae").await,
        "requestHandoff",
    )
    .clone();
    let r = request(&app, "sdr", "SDR_TO_AE", ("leadId", &lead), "ae").await;
    expect!("twice", &r, "BAD_USER_INPUT leadId");
    let before = audit_count(&app).await;
    let r = app
        .gql_as(
            "ae",
            &reject_q(),
            json!({ "id": gid(&h), "v": 1, "r": "NOT_A_FIT", "n": "" }),
        )
        .await;
    expect!("reject without a note", &r, "BAD_USER_INPUT note");
    let r = app
        .gql_as(
            "ae",
            "mutation($id: ID!) { rejectHandoff(id: $id, version: 1, note: \"x\") { id } }",
            json!({ "id": gid(&h) }),
        )
        .await;
    expect!("reject without a reason", &r, "BAD_USER_INPUT");
    let r = app
        .gql_as("ae", &accept_q(), json!({ "id": gid(&h), "v": 7 }))
        .await;
    expect!("stale version", &r, "CONFLICT");
    let r = app
        .gql_as("ae", &cancel_q(), json!({ "id": gid(&h), "v": 1 }))
        .await;
    expect!("recipient cancels", &r, "FORBIDDEN");
    let r = app
        .gql_as("am", &accept_q(), json!({ "id": gid(&h), "v": 1 }))
        .await;
    expect!("stranger accepts", &r, "NOT_FOUND");
    let r = app
        .gql_as("partner", &accept_q(), json!({ "id": gid(&h), "v": 1 }))
        .await;
    // Not in the partner schema: refused like an unknown field.
    expect!("partner accepts", &r, "UNKNOWN");
    assert_eq!(audit_count(&app).await, before, "{wrong:?}");

    let r = app
        .gql_as("sdr", &cancel_q(), json!({ "id": gid(&h), "v": 1 }))
        .await;
    expect!("sender cancels", &r, "ok");
    let r = app
        .gql_as("ae", &accept_q(), json!({ "id": gid(&h), "v": 2 }))
        .await;
    expect!("accept a cancelled handoff", &r, "INVALID_STATE_TRANSITION");
    // After a cancel the AE no longer sees the lead.
    let r = app.gql_as("ae", NODE_LEAD, json!({ "id": lead })).await;
    expect!("AE reads a lead after cancel", &r, "NOT_FOUND");
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// A rejection needs a reason; the lead goes back to WORKING with its SDR, and the AE
/// who rejected it loses it.
#[tokio::test]
async fn a_rejected_lead_returns_to_its_sdr() {
    let app = TestApp::spawn().await;
    let lead = qualified_lead(&app, "na_west", "reject.example").await;
    let h = data(
        &request(&app, "sdr", "SDR_TO_AE", ("leadId", &lead), "ae").await,
        "requestHandoff",
    )
    .clone();
    let body = app
        .gql_as(
            "ae",
            &reject_q(),
            json!({ "id": gid(&h), "v": 1, "r": "INCOMPLETE_QUALIFICATION", "n": "who signs?" }),
        )
        .await;
    let h = data(&body, "rejectHandoff");
    assert_eq!(h["status"], "REJECTED");
    assert_eq!(h["reasonCode"], "INCOMPLETE_QUALIFICATION");
    assert_eq!(h["responseNote"], "who signs?");
    assert!(h["lead"].is_null(), "the AE no longer sees the lead: {h}");
    let seen = app.gql_as("sdr", NODE_LEAD, json!({ "id": lead })).await;
    assert_eq!(seen["data"]["node"]["status"], "WORKING", "{seen}");
    assert_eq!(seen["data"]["node"]["owner"]["email"], "sdr@test.example");
    let r = app.gql_as("ae", NODE_LEAD, json!({ "id": lead })).await;
    assert_eq!(code(&r), Some("NOT_FOUND"), "{r}");
    let r = app
        .gql_as(
            "ae",
            "mutation($id: ID!) { updateLead(id: $id, input: { companyName: \"x\" }) { id } }",
            json!({ "id": lead }),
        )
        .await;
    assert_eq!(code(&r), Some("NOT_FOUND"), "{r}");
}

/// Past its SLA a pending handoff is overdue: the recipient's manager finds it in the
/// escalation queue; a manager of another team does not.
#[tokio::test]
async fn overdue_handoffs_reach_the_recipients_manager() {
    let app = TestApp::spawn().await;
    let lead = qualified_lead(&app, "na_west", "late.example").await;
    let h = data(
        &request(&app, "sdr", "SDR_TO_AE", ("leadId", &lead), "ae").await,
        "requestHandoff",
    )
    .clone();
    let overdue = json!({ "f": { "overdue": true } });
    let count = |body: &Value| body["data"]["handoffs"]["totalCount"].as_u64();
    // The fixture's own pending handoff is due in 24 hours too.
    let body = app.gql_as("manager", LIST_Q, overdue.clone()).await;
    assert_eq!(count(&body), Some(0), "{body}");
    app.state.clock.advance(TimeDelta::hours(25));
    let body = app.gql_as("manager", LIST_Q, overdue.clone()).await;
    assert_eq!(count(&body), Some(2), "{body}");
    assert_eq!(
        app.gql_as("manager2", LIST_Q, overdue.clone()).await["data"]["handoffs"]["totalCount"],
        0
    );
    let body = app
        .gql_as(
            "ae",
            LIST_Q,
            json!({ "f": { "overdue": true, "direction": "INCOMING" } }),
        )
        .await;
    assert_eq!(count(&body), Some(2), "{body}");
    let body = app
        .gql_as("ae", LIST_Q, json!({ "f": { "direction": "OUTGOING" } }))
        .await;
    assert_eq!(count(&body), Some(0), "{body}");
    let node = app
        .gql_as(
            "ae",
            "query($id: ID!) { node(id: $id) { ... on Handoff { overdue } } }",
            json!({ "id": gid(&h) }),
        )
        .await;
    assert_eq!(node["data"]["node"]["overdue"], true, "{node}");
    // Accepted, it is no longer overdue.
    app.gql_as("ae", &accept_q(), json!({ "id": gid(&h), "v": 1 }))
        .await;
    let body = app.gql_as("manager", LIST_Q, overdue).await;
    assert_eq!(count(&body), Some(1), "{body}");
    let since = (app.state.clock.now() - TimeDelta::minutes(1)).to_rfc3339();
    let body = app
        .gql_as("sdr", LIST_Q, json!({ "f": { "updatedSince": since } }))
        .await;
    assert_eq!(count(&body), Some(1), "{body}");
}

/// A manager above the recipient gives a pending handoff to another AE of the
/// territory in their team; the new recipient accepts.
#[tokio::test]
async fn a_manager_redirects_a_pending_handoff() {
    use entity::enums::Role;
    let app = TestApp::spawn().await;
    let manager = app.user("manager").id;
    let other = crate::fixture::insert_user(
        &app.db,
        "ae3@test.example",
        "Ari Ae",
        Role::AccountExecutive,
        Some(manager),
        None,
        true,
    )
    .await;
    let lead = qualified_lead(&app, "amer", "redirect.example").await;
    let h = data(
        &request(&app, "sdr", "SDR_TO_AE", ("leadId", &lead), "ae").await,
        "requestHandoff",
    )
    .clone();
    let to = TestApp::gid("User", other.id);
    // Not in the territory yet: refused.
    let r = app
        .gql_as(
            "manager",
            &redirect_q(),
            json!({ "id": gid(&h), "v": 1, "to": to }),
        )
        .await;
    assert_eq!(outcome(&r), "BAD_USER_INPUT toUserId", "{r}");
    let body = app
        .gql_as(
            "director",
            "mutation($t: ID!, $u: ID!) { addTerritoryMember(territoryId: $t, userId: $u) { id } }",
            json!({ "t": app.fx.gid("Territory", "amer"), "u": to }),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    for who in ["ae", "sdr", "manager2"] {
        let r = app
            .gql_as(
                who,
                &redirect_q(),
                json!({ "id": gid(&h), "v": 1, "to": to }),
            )
            .await;
        assert!(
            matches!(code(&r), Some("FORBIDDEN" | "NOT_FOUND")),
            "{who}: {r}"
        );
    }
    let body = app
        .gql_as(
            "manager",
            &redirect_q(),
            json!({ "id": gid(&h), "v": 1, "to": to }),
        )
        .await;
    let r = data(&body, "redirectHandoff");
    assert_eq!(r["status"], "PENDING");
    assert_eq!(r["to"]["email"], "ae3@test.example");
    assert_eq!(r["version"], 2);
    // The first AE lost the lead; the new one accepts.
    let seen = app.gql_as("ae", NODE_LEAD, json!({ "id": lead })).await;
    assert_eq!(code(&seen), Some("NOT_FOUND"), "{seen}");
    let token = app
        .state
        .keys
        .issue(other.id, Role::AccountExecutive)
        .unwrap()
        .token;
    let body = app
        .gql(&accept_q(), json!({ "id": gid(&h), "v": 2 }), Some(&token))
        .await;
    assert_eq!(
        data(&body, "acceptHandoff")["opportunity"]["owner"]["email"],
        "ae3@test.example"
    );
}
