//! Cursors forged from real ones, and dates no database can hold: refused as the
//! client's input (`BAD_USER_INPUT`) before any SQL, never an internal error or an
//! outage, on every list.

use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use serde_json::{Value, json};

use crate::helpers::{TestApp, code};

/// A real cursor of the list, with its id part replaced by `id`.
fn forge(cursor: &str, id: &str) -> String {
    let text = String::from_utf8(URL_SAFE_NO_PAD.decode(cursor).unwrap()).unwrap();
    let mut parts: Vec<&str> = text.splitn(6, '|').collect();
    assert_eq!(parts.len(), 6, "{text}");
    parts[4] = id;
    URL_SAFE_NO_PAD.encode(parts.join("|"))
}

#[tokio::test]
async fn forged_cursor_ids_are_bad_input_on_every_list() {
    let app = TestApp::spawn().await;
    let lists = [
        ("director", "users"),
        ("director", "accounts"),
        ("director", "leads"),
        ("director", "opportunities"),
        ("director", "territories"),
        ("director", "activities"),
        ("director", "auditEvents"),
        ("director", "quotas"),
        ("director", "handoffs"),
        ("director", "dealRegistrations"),
        ("director", "partners"),
        ("partner", "dealRegistrations"),
        ("partner", "opportunities"),
    ];
    // A row in every list: a quota (audited too) and a deal registration.
    let quota = "mutation($i: SetQuotaInput!) { setQuota(input: $i) { id } }";
    let input = json!({ "i": { "userId": app.fx.gid("User", "ae"), "metric": "BOOKINGS",
                               "period": "FY2026-Q4", "target": "1000" } });
    assert!(app.gql_as("director", quota, input).await["errors"].is_null());
    crate::partners::registrations::register(
        &app,
        "partner",
        crate::partners::registrations::deal("Forged Co", "forged.example", "US"),
    )
    .await;
    let mut wrong = Vec::new();
    for (who, list) in lists {
        let body = app
            .gql_as(
                who,
                &format!("{{ {list}(first: 1) {{ edges {{ cursor }} }} }}"),
                json!({}),
            )
            .await;
        let Some(cursor) = body["data"][list]["edges"][0]["cursor"].as_str() else {
            wrong.push(format!(
                "{who} {list}: no row to take a cursor from: {body}"
            ));
            continue;
        };
        for id in ["i:5", "s:x", "b:1", "n"] {
            for arg in ["after", "before"] {
                let size = if arg == "after" { "first" } else { "last" };
                let q = format!(
                    "query($c: String!) {{ {list}({size}: 2, {arg}: $c) {{ edges {{ cursor }} }} }}"
                );
                let body = app.gql_as(who, &q, json!({ "c": forge(cursor, id) })).await;
                if code(&body) != Some("BAD_USER_INPUT")
                    || body["errors"][0]["extensions"]["field"] != arg
                {
                    wrong.push(format!("{who} {list} {arg} {id}: {body}"));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// The error a bad scalar gets: the client's input, naming where it was.
#[track_caller]
fn bad_date(body: &Value, names: &str) {
    assert_eq!(code(body), Some("BAD_USER_INPUT"), "{body}");
    assert_eq!(body["errors"][0]["extensions"]["field"], names, "{body}");
    let message = body["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(message.contains("0001 to 9999"), "{body}");
}

#[tokio::test]
async fn dates_outside_four_digit_years_are_refused_while_parsing() {
    let app = TestApp::spawn().await;
    for (q, vars, names) in [
        (
            r#"{ opportunities(filter: { closeDateFrom: "-9999-01-01" }) { totalCount } }"#,
            json!({}),
            "closeDateFrom",
        ),
        (
            "query($d: Date) { opportunities(filter: { closeDateTo: $d }) { totalCount } }",
            json!({ "d": "10000-01-01" }),
            "closeDateTo",
        ),
        (
            r#"{ handoffs(filter: { updatedSince: "-262143-01-01T00:00:00Z" }) { totalCount } }"#,
            json!({}),
            "updatedSince",
        ),
        (
            "query($t: DateTime) { handoffs(filter: { updatedSince: $t }) { totalCount } }",
            json!({ "t": "+262143-01-01T00:00:00Z" }),
            "updatedSince",
        ),
    ] {
        let body = app.gql_as("director", q, vars).await;
        bad_date(&body, names);
    }
    let account = app.fx.gid("Account", "acme");
    let create = "mutation($a: ID!, $d: Date!) { createOpportunity(input: { accountId: $a, name: \"Far\", type: NEW_BUSINESS, amount: \"1000\", closeDate: $d }) { id } }";
    for d in ["-9999-01-01", "0000-12-31", "+2026-01-01"] {
        let body = app
            .gql_as("ae", create, json!({ "a": account, "d": d }))
            .await;
        bad_date(&body, "closeDate");
    }
    let body = app
        .gql_as("ae", create, json!({ "a": account, "d": "2026-12-31" }))
        .await;
    assert!(body["errors"].is_null(), "{body}");
}
