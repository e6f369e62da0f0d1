//! Concurrent writers: racing requests leave what a serial order would leave.

use entity::accounts;
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::{Value, json};

use crate::helpers::{TestApp, code};

use super::{
    ADD_MEMBER, CREATE_TERRITORY, MOVE_TERRITORY, TERRITORY, create_account_q, data, field, lead_q,
    lead_row, member_emails, tree_problems, user_gid, uuid_of,
};

/// `ok` or the error code of a response, for compact failure messages.
fn outcome(body: &Value) -> String {
    match (body["errors"].is_null(), code(body), field(body)) {
        (true, _, _) => "ok".into(),
        (false, Some(c), Some(f)) => format!("{c} {f}"),
        (false, c, None) => c.unwrap_or("?").into(),
        (false, None, Some(f)) => format!("? {f}"),
    }
}

/// Writers racing each other get the answers they would get one after the other, and
/// leave what a serial order would leave: for one unique value, one wins and the other
/// is told which field is taken (the unique index never surfaces as an internal
/// error); crossing territory moves cannot make a cycle; BANT answers given at once
/// still qualify the lead; a disqualification racing a qualification ends disqualified.
/// On a database with several connections (a SQLite file, or PostgreSQL), where SQLite
/// once answered "database is locked" as an internal error.
#[tokio::test]
async fn racing_writers_get_the_answers_of_writers_in_turn() {
    use sea_orm::{ColumnTrait, QueryFilter};
    let app = TestApp::spawn_file().await;
    let director = app.token("director");
    let manager = app.token("manager");
    let sdr = app.token("sdr");
    // Every race is run; wrong outcomes are collected so one failure shows them all.
    let mut wrong: Vec<String> = Vec::new();

    // One domain, two creators.
    let q = create_account_q();
    for n in 0..10 {
        let domain = format!("race{n}.example");
        let v = json!({ "i": { "name": format!("Race {n}"), "domain": domain } });
        let (a, b) = tokio::join!(
            app.gql(&q, v.clone(), Some(&director)),
            app.gql(&q, v.clone(), Some(&manager))
        );
        let (oa, ob) = (outcome(&a), outcome(&b));
        let mut got = [oa.as_str(), ob.as_str()];
        got.sort_unstable();
        if got != ["BAD_USER_INPUT domain", "ok"] {
            wrong.push(format!("createAccount {domain}: {oa} / {ob}"));
        }
        // Whatever the answers, the domain stays unique.
        let rows = accounts::Entity::find()
            .filter(accounts::Column::Domain.eq(domain.as_str()))
            .count(&app.db)
            .await
            .unwrap();
        assert_eq!(rows, 1, "{domain}");
    }

    // One email, two user creations.
    let create_user = "mutation($i: CreateUserInput!) { createUser(input: $i) { id } }";
    for n in 0..5 {
        let email = format!("race{n}@test.example");
        let v = json!({ "i": { "email": email, "name": "Racer", "role": "SDR", "password": "a-long-password" } });
        let (a, b) = tokio::join!(
            app.gql(create_user, v.clone(), Some(&director)),
            app.gql(create_user, v.clone(), Some(&director))
        );
        let (oa, ob) = (outcome(&a), outcome(&b));
        let mut got = [oa.as_str(), ob.as_str()];
        got.sort_unstable();
        if got != ["BAD_USER_INPUT email", "ok"] {
            wrong.push(format!("createUser {email}: {oa} / {ob}"));
        }
    }

    // One member, added twice at once.
    let na_west = app.fx.gid("Territory", "na_west");
    for who in ["sdr", "ae", "am", "cs"] {
        let v = json!({ "t": na_west, "u": user_gid(&app, who) });
        let (a, b) = tokio::join!(
            app.gql(ADD_MEMBER, v.clone(), Some(&director)),
            app.gql(ADD_MEMBER, v.clone(), Some(&manager))
        );
        let (oa, ob) = (outcome(&a), outcome(&b));
        let mut got = [oa.as_str(), ob.as_str()];
        got.sort_unstable();
        if got != ["BAD_USER_INPUT userId", "ok"] {
            wrong.push(format!("addTerritoryMember {who}: {oa} / {ob}"));
        }
    }
    let body = app
        .gql_as("director", TERRITORY, json!({ "id": na_west }))
        .await;
    assert_eq!(
        member_emails(data(&body, "territory")),
        [
            "ae@test.example",
            "am@test.example",
            "cs@test.example",
            "sdr@test.example"
        ]
    );

    // Crossing moves: X under Y's child and Y under X's child, at once. One of them
    // must be refused, or the tree has a cycle.
    let create = |name: String, parent: Option<String>| {
        let app = &app;
        async move {
            let body = app
                .gql_as(
                    "director",
                    CREATE_TERRITORY,
                    json!({ "i": { "name": name, "parentId": parent } }),
                )
                .await;
            data(&body, "createTerritory")["id"]
                .as_str()
                .unwrap()
                .to_string()
        }
    };
    for n in 0..5 {
        let x = create(format!("X{n}"), None).await;
        let x_child = create(format!("X{n} child"), Some(x.clone())).await;
        let y = create(format!("Y{n}"), None).await;
        let y_child = create(format!("Y{n} child"), Some(y.clone())).await;
        let (a, b) = tokio::join!(
            app.gql(
                MOVE_TERRITORY,
                json!({ "id": x, "p": y_child }),
                Some(&director)
            ),
            app.gql(
                MOVE_TERRITORY,
                json!({ "id": y, "p": x_child }),
                Some(&director)
            )
        );
        let (oa, ob) = (outcome(&a), outcome(&b));
        let mut got = [oa.as_str(), ob.as_str()];
        got.sort_unstable();
        if got != ["BAD_USER_INPUT parentId", "ok"] && got != ["CONFLICT", "ok"] {
            wrong.push(format!("crossing moves {n}: {oa} / {ob}"));
        }
    }
    for problem in tree_problems(&app).await {
        wrong.push(format!("tree: {problem}"));
    }

    // BANT from two people at once: once all four are answered, the lead is qualified.
    let create_lead = lead_q("createLead(input: $i)", "($i: CreateLeadInput!)");
    let qualify = lead_q(
        "qualifyLead(id: $id, input: $i)",
        "($id: ID!, $i: QualifyLeadInput!)",
    );
    let disqualify = lead_q(
        "disqualifyLead(id: $id, reason: $r)",
        "($id: ID!, $r: String!)",
    );
    let new_lead = |n: String| {
        let (app, create_lead, sdr) = (&app, &create_lead, &sdr);
        async move {
            let body = app
                .gql(
                    create_lead,
                    json!({ "i": { "companyName": n, "contactName": "Casey" } }),
                    Some(sdr),
                )
                .await;
            let id = data(&body, "createLead")["id"].clone();
            (id.as_str().unwrap().to_string(), uuid_of(&id))
        }
    };
    for n in 0..5 {
        let (id, uuid) = new_lead(format!("Bant {n}")).await;
        let (a, b) = tokio::join!(
            app.gql(
                &qualify,
                json!({ "id": id, "i": { "budget": "50k", "need": "CRM" } }),
                Some(&sdr)
            ),
            app.gql(
                &qualify,
                json!({ "id": id, "i": { "authority": "CFO", "timeline": "Q3" } }),
                Some(&manager)
            )
        );
        let (oa, ob) = (outcome(&a), outcome(&b));
        let row = lead_row(&app, uuid).await;
        let all_four = row.budget.is_some()
            && row.authority.is_some()
            && row.need.is_some()
            && row.timeline.is_some();
        let answers_ok = [&oa, &ob].iter().all(|o| *o == "ok" || *o == "CONFLICT");
        let status_ok = all_four == (row.status == entity::enums::LeadStatus::Qualified);
        if !answers_ok || !status_ok {
            wrong.push(format!(
                "qualify + qualify {n}: {oa} / {ob}; all four answered: {all_four}, status {:?}",
                row.status
            ));
        }
    }

    // Qualifying and disqualifying at once: in either order a disqualification that
    // succeeded leaves the lead disqualified.
    for n in 0..5 {
        let (id, uuid) = new_lead(format!("Dq {n}")).await;
        let body = app
            .gql(
                &qualify,
                json!({ "id": id, "i": { "budget": "50k", "authority": "CFO", "need": "CRM" } }),
                Some(&sdr),
            )
            .await;
        assert_eq!(data(&body, "qualifyLead")["status"], "WORKING");
        let (a, b) = tokio::join!(
            app.gql(
                &qualify,
                json!({ "id": id, "i": { "timeline": "Q3" } }),
                Some(&sdr)
            ),
            app.gql(
                &disqualify,
                json!({ "id": id, "r": "Budget cut" }),
                Some(&manager)
            )
        );
        let (oa, ob) = (outcome(&a), outcome(&b));
        let row = lead_row(&app, uuid).await;
        use entity::enums::LeadStatus::{Disqualified, Qualified};
        let consistent = match (oa.as_str(), ob.as_str()) {
            (_, "ok") => {
                row.status == Disqualified && row.disqualify_reason.as_deref() == Some("Budget cut")
            }
            ("ok", "CONFLICT") => row.status == Qualified && row.disqualify_reason.is_none(),
            _ => false,
        };
        let qualify_ok = ["ok", "CONFLICT", "INVALID_STATE_TRANSITION"].contains(&oa.as_str());
        if !consistent || !qualify_ok {
            wrong.push(format!(
                "qualify + disqualify {n}: {oa} / {ob}; status {:?}, reason {:?}",
                row.status, row.disqualify_reason
            ));
        }
    }

    assert!(
        wrong.is_empty(),
        "{} races ended differently from any serial order:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

/// Twelve editors save the same version of one opportunity at once, on a database
/// with several connections (a SQLite file, or PostgreSQL): exactly one is saved, every
/// other is told `CONFLICT`, and none sees "database is locked" as an internal error.
#[tokio::test]
async fn concurrent_saves_of_one_version_leave_one_winner() {
    let app = TestApp::spawn_file().await;
    let id = app.fx.gid("Opportunity", "ae");
    let q = "mutation($id: ID!, $v: Int!, $i: UpdateOpportunityInput!) { updateOpportunity(id: $id, version: $v, input: $i) { version name } }";
    let token = app.token("ae");
    let calls = (0..12).map(|n| {
        let v = json!({ "id": id, "v": 1, "i": { "name": format!("Edit {n}") } });
        let (app, q, token) = (&app, q, token.clone());
        async move { app.gql(q, v, Some(&token)).await }
    });
    let answers = futures_util::future::join_all(calls).await;
    let mut outcomes: Vec<String> = answers.iter().map(outcome).collect();
    outcomes.sort();
    let mut expected = vec!["CONFLICT".to_string(); 11];
    expected.push("ok".into());
    assert_eq!(outcomes, expected, "{answers:?}");
    let row = entity::opportunities::Entity::find_by_id(app.fx.id("Opportunity", "ae"))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.version, 2);
}
