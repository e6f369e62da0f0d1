//! The CSV download and the signed links: the same numbers as GraphQL cell by cell,
//! RFC 4180 quoting, formula neutralisation, and HTTP statuses for every refusal.

use entity::territories;
use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel, Set};
use serde_json::{Value, json};
use uuid::Uuid;

use super::{
    correctness::report,
    fixture::{at, build, spawn_february},
};
use crate::helpers::TestApp;

pub const COLUMNS: &str = "kind,subjectId,name,parentId,depth,quota,bookings,attainment,openPipeline,weightedPipeline,pipelinePipeline,pipelineBestCase,pipelineCommit,pipelineClosed,pipelineOmitted,coverage,wonCount,lostCount,winRate,averageDealSize,averageSalesCycleDays,leadsCreated,leadsConverted,conversionRate,handoffsAccepted,handoffsDecided,acceptanceRate,medianHoursToAccept,pacing";

/// An RFC 4180 parser: quoted fields, doubled quotes, CRLF records.
pub fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let (mut rows, mut row, mut field) = (Vec::new(), Vec::new(), String::new());
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => {
                assert_eq!(chars.next(), Some('\n'), "records end with CRLF");
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    assert!(
        field.is_empty() && row.is_empty(),
        "the last record ends with CRLF"
    );
    rows
}

/// The GraphQL value of a CSV column for a report row.
fn graphql_cell(row: &Value, column: &str) -> Value {
    let category = |c: &str| {
        row["pipelineByCategory"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["category"] == c)
            .unwrap()["amount"]
            .clone()
    };
    match column {
        "pipelinePipeline" => category("PIPELINE"),
        "pipelineBestCase" => category("BEST_CASE"),
        "pipelineCommit" => category("COMMIT"),
        "pipelineClosed" => category("CLOSED"),
        "pipelineOmitted" => category("OMITTED"),
        other => row[other].clone(),
    }
}

/// Compares every cell of `csv` with the GraphQL report `gql`; returns the mismatches.
pub fn compare_cells(csv: &[Vec<String>], gql: &Value) -> Vec<String> {
    let header = &csv[0];
    let rows: Vec<&Value> = gql["territories"]
        .as_array()
        .unwrap()
        .iter()
        .chain(gql["reps"].as_array().unwrap())
        .collect();
    let mut out = Vec::new();
    if csv.len() - 1 != rows.len() {
        out.push(format!(
            "{} CSV rows, {} GraphQL rows",
            csv.len() - 1,
            rows.len()
        ));
    }
    for (line, row) in csv[1..].iter().zip(rows) {
        for (col, cell) in header.iter().zip(line) {
            let want = graphql_cell(row, col);
            let same = match &want {
                Value::Null => cell.is_empty(),
                Value::String(s) => s == cell,
                Value::Number(n) => cell.parse::<f64>().ok() == n.as_f64(),
                other => serde_json::to_string(other).is_ok_and(|s| s == *cell),
            };
            if !same {
                out.push(format!(
                    "{} {col}: csv {cell:?}, graphql {want}",
                    row["name"]
                ));
            }
        }
    }
    out
}

pub async fn get(app: &TestApp, path: &str, token: Option<&str>) -> reqwest::Response {
    let mut req = app.client.get(format!("{}{path}", app.addr));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    req.send().await.unwrap()
}

pub fn csv_path(root: Uuid, period: &str) -> String {
    format!(
        "/reports/territories.csv?rootId={}&period={period}",
        TestApp::gid("Territory", root)
    )
}

#[tokio::test]
async fn the_csv_has_the_graphql_numbers_cell_by_cell() {
    let app = spawn_february().await;
    let built = build(&app).await;
    app.state.clock.set(Some(at(2026, 3, 16, 12, 0)));
    // A territory name a spreadsheet would run as a formula.
    let mut a = territories::Entity::find_by_id(built.t["A"])
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .into_active_model();
    a.name = Set("=HYPERLINK(\"http://evil.example\",\"A\")".into());
    a.update(&app.db).await.unwrap();

    let gql = report(&app, "manager", built.t["R"], "FY2026-Q1").await;
    assert!(gql["errors"].is_null(), "{gql}");
    let resp = get(
        &app,
        &csv_path(built.t["R"], "FY2026-Q1"),
        Some(&app.token("manager")),
    )
    .await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "text/csv; charset=utf-8");
    assert_eq!(
        resp.headers()["content-disposition"],
        "attachment; filename=\"territory-report-r-fy2026-q1.csv\""
    );
    let text = resp.text().await.unwrap();
    assert!(text.starts_with(&format!("{COLUMNS}\r\n")), "{text}");
    // The formula is quoted (it holds commas and quotes) and neutralised.
    assert!(
        text.contains("\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"A\"\")\""),
        "{text}"
    );
    let mut csv = parse_csv(&text);
    let a_row = csv.iter_mut().find(|r| r[2].contains("HYPERLINK")).unwrap();
    assert_eq!(a_row[2], "'=HYPERLINK(\"http://evil.example\",\"A\")");
    a_row[2] = a_row[2][1..].to_string();
    let mismatches = compare_cells(&csv, &gql["data"]["territoryReport"]);
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
    assert_eq!(csv.len(), 1 + 4 + 3);
}

#[tokio::test]
async fn csv_refusals_are_http_statuses() {
    let app = TestApp::spawn().await;
    let amer = app.fx.territories["amer"];
    for (path, who, status) in [
        (csv_path(amer, "FY2026-Q4"), None, 401),
        (csv_path(amer, "FY2026-Q4"), Some("manager"), 200),
        (csv_path(amer, "FY2026-Q5"), Some("manager"), 400),
        (csv_path(amer, "2026"), Some("manager"), 400),
        (
            "/reports/territories.csv?rootId=nope&period=FY2026".into(),
            Some("manager"),
            400,
        ),
        (
            "/reports/territories.csv?period=FY2026".into(),
            Some("manager"),
            400,
        ),
        (csv_path(amer, "FY2026-Q4"), Some("ae"), 403),
        (csv_path(amer, "FY2026-Q4"), Some("partner"), 403),
        (csv_path(amer, "FY2026-Q4"), Some("manager2"), 404),
        (csv_path(Uuid::new_v4(), "FY2026-Q4"), Some("manager"), 404),
        (
            csv_path(app.fx.territories["emea"], "FY2026-Q4"),
            Some("manager2"),
            200,
        ),
    ] {
        let token = who.map(|w| app.token(w));
        let resp = get(&app, &path, token.as_deref()).await;
        assert_eq!(resp.status().as_u16(), status, "{who:?} {path}");
    }
    let resp = app
        .client
        .get(format!("{}{}", app.addr, csv_path(amer, "FY2026")))
        .header("Authorization", "Bearer not-a-token")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
}

const LINK: &str = "query($k: ReportFormat!, $r: ID!, $p: String!) { reportLink(kind: $k, rootId: $r, period: $p) { url expiresAt } }";

pub async fn link(app: &TestApp, who: &str, kind: &str, root: Uuid, period: &str) -> Value {
    app.gql_as(
        who,
        LINK,
        json!({ "k": kind, "r": TestApp::gid("Territory", root), "p": period }),
    )
    .await
}

#[tokio::test]
async fn signed_links_work_without_a_header_and_only_as_issued() {
    let app = TestApp::spawn().await;
    let amer = app.fx.territories["amer"];
    let body = link(&app, "manager", "CSV", amer, "FY2026-Q4").await;
    let url = body["data"]["reportLink"]["url"]
        .as_str()
        .unwrap()
        .to_string();
    let expires: chrono::DateTime<chrono::Utc> = body["data"]["reportLink"]["expiresAt"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let ttl = expires - chrono::Utc::now();
    assert!(
        ttl > chrono::Duration::minutes(1) && ttl <= chrono::Duration::minutes(10),
        "{ttl}"
    );
    let by_link = get(&app, &url, None).await;
    assert_eq!(by_link.status(), 200);
    let by_header = get(
        &app,
        &csv_path(amer, "FY2026-Q4"),
        Some(&app.token("manager")),
    )
    .await;
    assert_eq!(
        by_link.text().await.unwrap(),
        by_header.text().await.unwrap()
    );

    // Bound to its parameters and its form.
    for tampered in [
        url.replace("FY2026-Q4", "FY2026-Q3"),
        url.replace(
            &TestApp::gid("Territory", amer),
            &TestApp::gid("Territory", app.fx.territories["na_west"]),
        ),
        url.replace("territories.csv", "territories.html"),
        format!("{}x", url),
    ] {
        assert_eq!(get(&app, &tampered, None).await.status(), 401, "{tampered}");
    }
    // An access token is not a link, and a link is not an access token.
    let token = url.split("link=").nth(1).unwrap();
    let as_bearer = app.gql("{ me { id } }", json!({}), Some(token)).await;
    assert_eq!(
        as_bearer["errors"][0]["extensions"]["code"],
        "UNAUTHENTICATED"
    );
    let with_access = format!(
        "{}&link={}",
        csv_path(amer, "FY2026-Q4"),
        app.token("manager")
    );
    assert_eq!(get(&app, &with_access, None).await.status(), 401);

    // No link for a report the caller may not run.
    for (who, root, code) in [
        ("manager", app.fx.territories["emea"], "NOT_FOUND"),
        ("ae", amer, "FORBIDDEN"),
    ] {
        let body = link(&app, who, "HTML", root, "FY2026").await;
        assert_eq!(
            body["errors"][0]["extensions"]["code"], code,
            "{who}: {body}"
        );
    }

    // Partners have no reports: `reportLink` is not in their schema.
    let body = link(&app, "partner", "HTML", amer, "FY2026").await;
    assert!(crate::helpers::unknown_name(&body), "partner: {body}");

    // A deactivated user's links die with their access.
    let mut manager = app.user("manager").clone().into_active_model();
    manager.active = Set(false);
    manager.update(&app.db).await.unwrap();
    assert_eq!(get(&app, &url, None).await.status(), 401);
}
