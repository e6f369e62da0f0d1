//! Deal registration end to end: submission (placement, conflicts, bad input, rate
//! limit), the partner's view, review (approve, reject, versions, races), expiry on read.

use entity::{audit_events, deal_registrations};
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::{Value, json};

use crate::helpers::{TestApp, code, unknown_name};

pub const REGISTER: &str = "mutation($i: RegisterDealInput!) { registerDeal(input: $i) { id status version decision { status explanation decidedAt } } }";
pub const APPROVE: &str = "mutation($id: ID!, $v: Int!, $i: ApproveDealRegistrationInput) { approveDealRegistration(id: $id, version: $v, input: $i) { id status version expiresAt opportunity { id stage } } }";
pub const REJECT: &str = "mutation($id: ID!, $v: Int!, $i: RejectDealRegistrationInput!) { rejectDealRegistration(id: $id, version: $v, input: $i) { id status version } }";
pub const PARTNER_VIEW: &str = "{ dealRegistrations(first: 50) { totalCount edges { node { id companyName domain status submittedByName decision { status explanation } opportunity { id name stage ownerName account { name domain } } } } } }";
pub const REVIEWER_VIEW: &str = "query($f: DealRegistrationFilterInput) { dealRegistrations(first: 50, filter: $f) { totalCount edges { node { id companyName status version territory { name } partner { name } reviewNote conflicts { signal strength matched matchedId } } } } }";

pub fn deal(company: &str, domain: &str, country: &str) -> Value {
    json!({ "i": {
        "companyName": company, "domain": domain, "country": country, "industry": "Software",
        "contactName": "Casey Buyer", "contactEmail": "casey@buyer.example",
        "estimatedAmount": "25000.50", "expectedCloseDate": "2099-06-30",
    } })
}

/// Registers as `who`; the new registration's id.
pub async fn register(app: &TestApp, who: &str, vars: Value) -> String {
    let body = app.gql_as(who, REGISTER, vars).await;
    body["data"]["registerDeal"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{body}"))
        .to_string()
}

pub async fn count(app: &TestApp) -> (u64, u64) {
    (
        deal_registrations::Entity::find()
            .count(&app.db)
            .await
            .unwrap(),
        audit_events::Entity::find().count(&app.db).await.unwrap(),
    )
}

fn nodes(body: &Value) -> Vec<Value> {
    body["data"]["dealRegistrations"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"))
        .iter()
        .map(|e| e["node"].clone())
        .collect()
}

#[tokio::test]
async fn a_partner_registers_follows_review_and_the_deal_through_approval() {
    let app = TestApp::spawn().await;
    let id = register(
        &app,
        "partner",
        deal("Rocket Works Inc", "https://www.RocketWorks.example/", "US"),
    )
    .await;
    // The partner sees it under review, and no conflict detail exists for them.
    let body = app.gql_as("partner", PARTNER_VIEW, json!({})).await;
    let mine = nodes(&body);
    assert_eq!(mine.len(), 1, "{body}");
    assert_eq!(mine[0]["domain"], "rocketworks.example");
    assert_eq!(mine[0]["status"], "SUBMITTED");
    assert_eq!(mine[0]["decision"]["explanation"], "Under review.");
    assert_eq!(mine[0]["submittedByName"], "Pat Partner");
    let body = app
        .gql_as(
            "partner",
            "{ dealRegistrations { edges { node { conflicts { signal } } } } }",
            json!({}),
        )
        .await;
    assert!(unknown_name(&body), "{body}");
    // Placed like a lead (US/Software → na_west): its manager reviews it, manager2 not.
    let body = app.gql_as("manager", REVIEWER_VIEW, json!({})).await;
    let seen = nodes(&body);
    assert_eq!(seen.len(), 1, "{body}");
    assert_eq!(seen[0]["territory"]["name"], "NA_WEST");
    assert_eq!(seen[0]["partner"]["name"], "Northwind Resellers");
    let body = app.gql_as("manager2", REVIEWER_VIEW, json!({})).await;
    assert_eq!(body["data"]["dealRegistrations"]["totalCount"], 0, "{body}");
    let refused = app
        .gql_as("manager2", APPROVE, json!({ "id": id, "v": 1 }))
        .await;
    assert_eq!(code(&refused), Some("NOT_FOUND"), "{refused}");
    // Approval: a new account (sourced by the partner), an opportunity owned by the
    // longest-standing AE of the nearest territory with one (amer's `ae`).
    let (_, audits) = count(&app).await;
    let body = app
        .gql_as(
            "manager",
            APPROVE,
            json!({ "id": id, "v": 1, "i": { "note": "Looks good" } }),
        )
        .await;
    let approved = &body["data"]["approveDealRegistration"];
    assert_eq!(approved["status"], "APPROVED", "{body}");
    assert_eq!(approved["version"], 2);
    assert!(approved["expiresAt"].is_string());
    assert_eq!(
        count(&app).await.1,
        audits + 3,
        "account, opportunity, registration"
    );
    let opp = approved["opportunity"]["id"].as_str().unwrap().to_string();
    let q = "query($id: ID!) { node(id: $id) { ... on Opportunity { owner { email } partner { name } account { partner { name } domain } } } }";
    let body = app.gql_as("director", q, json!({ "id": opp })).await;
    assert_eq!(
        body["data"]["node"]["owner"]["email"], "ae@test.example",
        "{body}"
    );
    assert_eq!(
        body["data"]["node"]["partner"]["name"],
        "Northwind Resellers"
    );
    assert_eq!(
        body["data"]["node"]["account"]["partner"]["name"],
        "Northwind Resellers"
    );
    // The partner follows it: approved, with the opportunity's stage and AE name.
    let body = app.gql_as("partner", PARTNER_VIEW, json!({})).await;
    let mine = &nodes(&body)[0];
    assert_eq!(mine["status"], "APPROVED", "{body}");
    assert_eq!(mine["opportunity"]["stage"], "PROSPECTING");
    assert_eq!(mine["opportunity"]["ownerName"], "Alex Ae");
    assert_eq!(
        mine["opportunity"]["account"]["domain"],
        "rocketworks.example"
    );
    // Deciding again: INVALID_STATE_TRANSITION, whatever the version.
    for v in [1, 2] {
        let body = app
            .gql_as(
                "director",
                REJECT,
                json!({ "id": id, "v": v, "i": { "reason": "OTHER", "note": "x" } }),
            )
            .await;
        assert_eq!(code(&body), Some("INVALID_STATE_TRANSITION"), "{body}");
    }
}

#[tokio::test]
async fn conflicts_are_recorded_for_reviewers_and_rejection_is_explained_to_partners() {
    let app = TestApp::spawn().await;
    // globex.example is an account with an open deal, and partner2's own registration.
    let first = register(
        &app,
        "partner2",
        deal("Something Else", "globex.example", "GB"),
    )
    .await;
    let id = register(
        &app,
        "partner",
        deal("Globex, Inc.", "globex.example", "GB"),
    )
    .await;
    let body = app
        .gql_as(
            "director",
            REVIEWER_VIEW,
            json!({ "f": { "search": "globex" } }),
        )
        .await;
    let reg = nodes(&body)
        .into_iter()
        .find(|n| n["id"] == id.as_str())
        .unwrap_or_else(|| panic!("{body}"));
    let signals: Vec<&str> = reg["conflicts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["signal"].as_str().unwrap())
        .collect();
    for s in [
        "DOMAIN_ACCOUNT",
        "DOMAIN_OPEN_OPPORTUNITY",
        "DOMAIN_REGISTRATION",
    ] {
        assert!(signals.contains(&s), "{s} missing: {reg}");
    }
    assert!(
        reg["conflicts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["matchedId"] == first.as_str()),
        "{reg}"
    );
    // A name-only match is a weak signal.
    let weak = register(
        &app,
        "partner",
        deal("The Initech Corporation", "initech-new.example", "US"),
    )
    .await;
    let body = app
        .gql_as(
            "director",
            REVIEWER_VIEW,
            json!({ "f": { "search": "initech-new" } }),
        )
        .await;
    let c = &nodes(&body)[0]["conflicts"];
    assert_eq!(c[0]["signal"], "COMPANY_NAME_ACCOUNT", "{body} {weak}");
    assert_eq!(c[0]["strength"], "WEAK");
    // Rejection needs a note; the partner reads the reason, never the note or names.
    let bad = app
        .gql_as(
            "manager2",
            REJECT,
            json!({ "id": id, "v": 1, "i": { "reason": "CHANNEL_CONFLICT", "note": "  " } }),
        )
        .await;
    assert_eq!(code(&bad), Some("BAD_USER_INPUT"), "{bad}");
    assert_eq!(bad["errors"][0]["extensions"]["field"], "note");
    let stale = app
        .gql_as(
            "manager2",
            REJECT,
            json!({ "id": id, "v": 7, "i": { "reason": "CHANNEL_CONFLICT", "note": "n" } }),
        )
        .await;
    assert_eq!(code(&stale), Some("CONFLICT"), "{stale}");
    let note = "Globex is ae2's customer; Contoso Channel registered it first.";
    let body = app
        .gql_as(
            "manager2",
            REJECT,
            json!({ "id": id, "v": 1, "i": { "reason": "CHANNEL_CONFLICT", "note": note } }),
        )
        .await;
    assert_eq!(
        body["data"]["rejectDealRegistration"]["status"], "REJECTED",
        "{body}"
    );
    let body = app.gql_as("partner", PARTNER_VIEW, json!({})).await;
    let text = body.to_string();
    let mine = nodes(&body)
        .into_iter()
        .find(|n| n["id"] == id.as_str())
        .unwrap();
    assert_eq!(mine["status"], "REJECTED");
    assert!(
        mine["decision"]["explanation"]
            .as_str()
            .unwrap()
            .contains("already being worked")
    );
    for secret in ["Contoso", "ae2", "GLOBEX Corp", "Erin", "customer"] {
        assert!(
            !text.contains(secret),
            "{secret} leaked to the partner: {text}"
        );
    }
}

#[tokio::test]
async fn approved_registrations_expire_on_read_unless_won() {
    let app = TestApp::spawn().await;
    let a = register(
        &app,
        "partner",
        deal("Alpha Labs", "alpha-labs.example", "US"),
    )
    .await;
    let b = register(
        &app,
        "partner",
        deal("Beta Labs", "beta-labs.example", "US"),
    )
    .await;
    let mut opp_b = String::new();
    for (id, opp) in [(&a, None), (&b, Some(&mut opp_b))] {
        let body = app
            .gql_as("director", APPROVE, json!({ "id": id, "v": 1 }))
            .await;
        if let Some(o) = opp {
            *o = body["data"]["approveDealRegistration"]["opportunity"]["id"]
                .as_str()
                .unwrap_or_else(|| panic!("{body}"))
                .into();
        }
    }
    // B is won.
    let close = "mutation($id: ID!) { closeOpportunity(id: $id, version: 1, input: { outcome: WON }) { stage } }";
    let body = app.gql_as("director", close, json!({ "id": opp_b })).await;
    assert_eq!(
        body["data"]["closeOpportunity"]["stage"], "CLOSED_WON",
        "{body}"
    );
    app.state.clock.advance(chrono::TimeDelta::days(91));
    let q = "query($s: [DealRegistrationStatus!]!) { dealRegistrations(filter: { status: $s }) { totalCount edges { node { id status decision { explanation } } } } }";
    let body = app.gql_as("partner", q, json!({ "s": ["EXPIRED"] })).await;
    let expired = nodes(&body);
    assert_eq!(expired.len(), 1, "{body}");
    assert_eq!(expired[0]["id"], a.as_str());
    assert_eq!(expired[0]["status"], "EXPIRED");
    let body = app.gql_as("partner", q, json!({ "s": ["APPROVED"] })).await;
    assert_eq!(nodes(&body)[0]["id"], b.as_str(), "{body}");
    // An expired registration no longer blocks the domain.
    register(
        &app,
        "partner",
        deal("Alpha Labs", "alpha-labs.example", "US"),
    )
    .await;
}

#[tokio::test]
async fn bad_registrations_are_refused_and_change_nothing() {
    let app = TestApp::spawn().await;
    register(&app, "partner", deal("Gamma", "gamma.example", "US")).await;
    let before = count(&app).await;
    let with = |k: &str, v: Value| {
        let mut d = deal("Gamma Two", "gamma-two.example", "US");
        d["i"][k] = v;
        d
    };
    for (vars, field) in [
        (deal("Gamma again", "https://gamma.example", "US"), "domain"),
        (
            with("expectedCloseDate", json!("2020-01-01")),
            "expectedCloseDate",
        ),
        (with("estimatedAmount", json!("-1")), "estimatedAmount"),
        (with("domain", json!("not a domain")), "domain"),
        (with("notes", json!("x".repeat(2_001))), "notes"),
        (with("companyName", json!("  ")), "companyName"),
        (with("contactEmail", json!("nope")), "contactEmail"),
        (with("employeeCount", json!(-5)), "employeeCount"),
    ] {
        let body = app.gql_as("partner", REGISTER, vars).await;
        assert_eq!(code(&body), Some("BAD_USER_INPUT"), "{field}: {body}");
        assert_eq!(body["errors"][0]["extensions"]["field"], field, "{body}");
    }
    // Only partner users register; reviewers' notes are bounded.
    for who in ["director", "manager", "ae"] {
        let body = app
            .gql_as(who, REGISTER, deal("X", "x-co.example", "US"))
            .await;
        assert_eq!(code(&body), Some("FORBIDDEN"), "{who}: {body}");
    }
    assert_eq!(count(&app).await, before);
    let id = register(&app, "partner", deal("Delta", "delta.example", "US")).await;
    let body = app
        .gql_as(
            "director",
            APPROVE,
            json!({ "id": id, "v": 1, "i": { "note": "x".repeat(2_001) } }),
        )
        .await;
    assert_eq!(body["errors"][0]["extensions"]["field"], "note", "{body}");
}

#[tokio::test]
async fn registrations_are_rate_limited_per_organization() {
    let app = TestApp::spawn_with(|s| {
        s.insert("SALESGRAPH_DEAL_REGISTRATIONS_PER_HOUR".into(), "2".into());
    })
    .await;
    for n in 0..2 {
        register(&app, "partner", deal("Co", &format!("co{n}.example"), "US")).await;
    }
    let body = app
        .gql_as("partner", REGISTER, deal("Co", "co9.example", "US"))
        .await;
    assert_eq!(code(&body), Some("RATE_LIMITED"), "{body}");
    // Another organization is not limited by it; an hour later the first is free again.
    register(&app, "partner2", deal("Co", "co9.example", "GB")).await;
    app.state.clock.advance(chrono::TimeDelta::minutes(61));
    register(&app, "partner", deal("Co", "co10.example", "US")).await;
}
