//! Partner A against partner B on every path: lists and counts, `node(id:)`, nested
//! relations, filters, ordering, decision explanations and errors. Every mismatch is
//! collected before failing.

use serde_json::{Value, json};

use super::registrations::{APPROVE, REGISTER, deal, register};
use crate::helpers::{TestApp, code};

struct Org {
    user: &'static str,
    name: &'static str,
    company: &'static str,
    domain: &'static str,
    registration: String,
    opportunity: String,
}

async fn setup(app: &TestApp) -> [Org; 2] {
    let mut orgs = [
        (
            "partner",
            "Northwind Resellers",
            "Kilo Robotics",
            "kilo.example",
        ),
        ("partner2", "Contoso Channel", "Lima Foods", "lima.example"),
    ]
    .map(|(user, name, company, domain)| Org {
        user,
        name,
        company,
        domain,
        registration: String::new(),
        opportunity: String::new(),
    });
    for (org, country) in orgs.iter_mut().zip(["US", "GB"]) {
        org.registration = register(app, org.user, deal(org.company, org.domain, country)).await;
        let body = app
            .gql_as(
                "director",
                APPROVE,
                json!({ "id": org.registration, "v": 1 }),
            )
            .await;
        org.opportunity = body["data"]["approveDealRegistration"]["opportunity"]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("{body}"))
            .into();
    }
    orgs
}

fn ids(conn: &Value) -> Vec<String> {
    conn["edges"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| e["node"]["id"].as_str().unwrap_or("?").to_string())
        .collect()
}

#[tokio::test]
async fn partners_never_see_each_other() {
    let app = TestApp::spawn().await;
    let orgs = setup(&app).await;
    let mut failures = Vec::new();
    let random_reg = TestApp::gid("DealRegistration", uuid::Uuid::new_v4());
    let random_opp = TestApp::gid("Opportunity", uuid::Uuid::new_v4());
    for (me, other) in [(&orgs[0], &orgs[1]), (&orgs[1], &orgs[0])] {
        let who = me.user;
        // Lists and counts, with every filter and sort key partners have.
        let list = "query($f: DealRegistrationFilterInput, $o: DealRegistrationOrderInput) { dealRegistrations(first: 50, filter: $f, orderBy: $o) { totalCount edges { node { id } } } }";
        let mut cases = vec![
            (json!({}), vec![me.registration.clone()]),
            (json!({ "f": { "search": other.domain } }), vec![]),
            (json!({ "f": { "search": other.company } }), vec![]),
            (
                json!({ "f": { "status": ["APPROVED"] } }),
                vec![me.registration.clone()],
            ),
            (
                json!({ "f": { "status": ["SUBMITTED", "REJECTED", "EXPIRED"] } }),
                vec![],
            ),
        ];
        for field in [
            "SUBMITTED_AT",
            "EXPECTED_CLOSE_DATE",
            "ESTIMATED_AMOUNT",
            "COMPANY_NAME",
        ] {
            for dir in ["ASC", "DESC"] {
                cases.push((
                    json!({ "o": { "field": field, "direction": dir } }),
                    vec![me.registration.clone()],
                ));
            }
        }
        for (vars, want) in cases {
            let body = app.gql_as(who, list, vars.clone()).await;
            let conn = &body["data"]["dealRegistrations"];
            if ids(conn) != want || conn["totalCount"] != want.len() {
                failures.push(format!("{who} {vars}: expected {want:?}, got {body}"));
            }
        }
        // The opportunities list: their fixture deal and their approved one only.
        let body = app
            .gql_as(
                who,
                "{ opportunities(first: 50) { totalCount edges { node { id } } } }",
                json!({}),
            )
            .await;
        let got = ids(&body["data"]["opportunities"]);
        if got.contains(&other.opportunity) || !got.contains(&me.opportunity) || got.len() != 2 {
            failures.push(format!("opportunities as {who}: {body}"));
        }
        let q = "query($s: String) { opportunities(filter: { search: $s }) { totalCount } }";
        let body = app.gql_as(who, q, json!({ "s": other.company })).await;
        if body["data"]["opportunities"]["totalCount"] != 0 {
            failures.push(format!("opportunity search as {who}: {body}"));
        }
        // node(id:): the other's registration and opportunity answer exactly like a
        // random id.
        let node = "query($id: ID!) { node(id: $id) { id ... on DealRegistration { companyName } ... on Opportunity { name } } }";
        for (theirs, random) in [
            (&other.registration, &random_reg),
            (&other.opportunity, &random_opp),
        ] {
            let a = app.gql_as(who, node, json!({ "id": theirs })).await;
            let b = app.gql_as(who, node, json!({ "id": random })).await;
            if code(&a) != Some("NOT_FOUND")
                || a["errors"][0]["message"] != b["errors"][0]["message"]
                || !a["data"].is_null() && a["data"]["node"] != Value::Null
            {
                failures.push(format!("node(other's) as {who}: {a} vs random {b}"));
            }
        }
        // Their own through node, with the nested opportunity, account and partner.
        let own = "query($id: ID!) { node(id: $id) { ... on DealRegistration { partner { name } opportunity { id partner { name } account { domain } } decision { explanation } } } }";
        let body = app.gql_as(who, own, json!({ "id": me.registration })).await;
        let n = &body["data"]["node"];
        if n["partner"]["name"] != me.name
            || n["opportunity"]["id"] != me.opportunity.as_str()
            || n["opportunity"]["partner"]["name"] != me.name
            || n["opportunity"]["account"]["domain"] != me.domain
        {
            failures.push(format!("own registration as {who}: {body}"));
        }
        let everything = "{ me { name partner { name } } dealRegistrations(first: 50) { edges { node { companyName domain submittedByName partner { name } decision { explanation } opportunity { name ownerName partner { name } account { name domain } } } } } opportunities(first: 50) { edges { node { name ownerName partner { name } account { name domain } } } } }";
        let text = app.gql_as(who, everything, json!({})).await.to_string();
        let other_user = if who == "partner" {
            "Quinn Partner"
        } else {
            "Pat Partner"
        };
        for secret in [other.name, other.company, other.domain, other_user] {
            if text.contains(secret) {
                failures.push(format!("{secret} visible to {who}"));
            }
        }
        // Registering the other's domain: answered exactly like a fresh domain (the
        // conflict is for reviewers), and nothing the partner reads names the other.
        let probe = |d: &str| deal("Probe", d, "US");
        let a = app.gql_as(who, REGISTER, probe(other.domain)).await;
        let b = app
            .gql_as(who, REGISTER, probe(&format!("fresh-{who}.example")))
            .await;
        let shape = |v: &Value| {
            let r = &v["data"]["registerDeal"];
            (r["status"].clone(), r["decision"].clone())
        };
        if shape(&a) != shape(&b) || !a["errors"].is_null() {
            failures.push(format!("registering a taken domain as {who}: {a} vs {b}"));
        }
        // Review is not in a partner's schema at all.
        let body = app
            .gql_as(who, APPROVE, json!({ "id": me.registration, "v": 2 }))
            .await;
        if !crate::helpers::unknown_name(&body) {
            failures.push(format!("approve as {who}: {body}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
