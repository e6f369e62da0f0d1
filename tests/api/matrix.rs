//! The authorization matrix: every role against every list, every `node(id:)`, every
//! mutation and the known leak paths. Expectations are tables written from the documented
//! visibility of the fixture (`Fixture` in helpers.rs) and the grant table, not from the
//! server; each test collects every mismatch before failing, so one run lists them all.

use std::collections::{BTreeSet, HashMap, HashSet};

use entity::{audit_events, opportunities};
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{ROLES, TestApp, code, unknown_name};

/// `ROLES`, the second team's manager and the second partner organization's user.
fn roles() -> impl Iterator<Item = &'static str> {
    ROLES.iter().copied().chain(["manager2", "partner2"])
}

/// What a role gets from a query or a mutation.
#[derive(Clone, Copy, Debug)]
enum Expect {
    /// A list answers exactly these fixture keys (and `node` finds exactly these).
    Rows(&'static [&'static str]),
    /// Answered without an error; the rows are not compared (audit log).
    Allowed,
    /// A mutation returns its object (and records one audit event).
    Data,
    Forbidden,
    NotFound,
    /// `BAD_USER_INPUT` naming this input field.
    Bad(&'static str),
    /// Not in the caller's schema (partners): refused by validation like a name that
    /// does not exist.
    Unknown,
}
use Expect::*;

/// The list queries with the type of their nodes: the columns of `READS`.
const LISTS: [(&str, &str); 7] = [
    ("territories", "Territory"),
    ("accounts", "Account"),
    ("leads", "Lead"),
    ("opportunities", "Opportunity"),
    ("activities", "Activity"),
    ("users", "User"),
    ("auditEvents", "AuditEvent"),
];

/// The directory internal users see: active internal users.
const STAFF: &[&str] = &[
    "director", "manager", "manager2", "sdr", "ae", "am", "cs", "ae2",
];
const EVERYONE: &[&str] = &[
    "director", "manager", "manager2", "sdr", "ae", "am", "cs", "ae2", "inactive", "partner",
    "partner2",
];

/// READ: what each role's lists answer (/tmp/scope-expectations.md; users as in users.rs).
#[rustfmt::skip]
const READS: &[(&str, [Expect; 7])] = &[
    //            territories                                   accounts                                         leads                                                               opportunities                                   activities                          users                auditEvents
    ("sdr",      [Rows(&["amer", "na_west"]),                  Rows(&["acme", "initech"]),                      Rows(&["sdr_own", "handed", "unowned_amer"]),                       Rows(&[]),                                      Rows(&["acme", "lead"]),            Rows(STAFF),         Forbidden]),
    ("ae",       [Rows(&["amer", "na_west"]),                  Rows(&["acme", "initech"]),                      Rows(&["handed"]),                                                  Rows(&["ae"]),                                  Rows(&["acme"]),                    Rows(STAFF),         Forbidden]),
    ("am",       [Rows(&["amer", "na_west"]),                  Rows(&["acme", "initech"]),                      Rows(&[]),                                                          Rows(&["am"]),                                  Rows(&["acme"]),                    Rows(STAFF),         Forbidden]),
    ("cs",       [Rows(&[]),                                   Rows(&["acme"]),                                 Rows(&[]),                                                          Rows(&[]),                                      Rows(&["acme"]),                    Rows(STAFF),         Forbidden]),
    ("manager",  [Rows(&["amer", "na_west"]),                  Rows(&["acme", "initech"]),                      Rows(&["sdr_own", "handed", "unowned_amer"]),                       Rows(&["ae", "am"]),                            Rows(&["acme", "lead"]),            Rows(STAFF),         Allowed]),
    ("manager2", [Rows(&["emea"]),                             Rows(&["globex", "umbrella"]),                   Rows(&["unowned_emea", "team2"]),                                   Rows(&["ae2", "partner", "partner2"]),          Rows(&["globex"]),                  Rows(STAFF),         Allowed]),
    ("director", [Rows(&["global", "amer", "emea", "na_west"]), Rows(&["acme", "initech", "globex", "umbrella"]), Rows(&["sdr_own", "handed", "unowned_amer", "unowned_emea", "team2"]), Rows(&["ae", "am", "ae2", "partner", "partner2"]), Rows(&["acme", "globex", "lead"]), Rows(EVERYONE),      Allowed]),
    ("partner",  [Unknown,                                     Unknown,                                         Unknown,                                                            Rows(&["partner"]),                             Unknown,                            Unknown,             Unknown]),
    ("partner2", [Unknown,                                     Unknown,                                         Unknown,                                                            Rows(&["partner2"]),                            Unknown,                            Unknown,             Unknown]),
];

fn read(role: &str, list: &str) -> Expect {
    let col = LISTS.iter().position(|(l, _)| *l == list).unwrap();
    READS.iter().find(|(r, _)| *r == role).unwrap().1[col]
}

/// The fixture keys of a type, sorted.
fn keys(app: &TestApp, kind: &str) -> Vec<&'static str> {
    let fx = &app.fx;
    let mut keys: Vec<&'static str> = match kind {
        "Territory" => fx.territories.keys().copied().collect(),
        "Account" => fx.accounts.keys().copied().collect(),
        "Lead" => fx.leads.keys().copied().collect(),
        "Opportunity" => fx.opportunities.keys().copied().collect(),
        "Activity" => fx.activities.keys().copied().collect(),
        _ => fx.users.keys().copied().collect(),
    };
    keys.sort_unstable();
    keys
}

/// Global id → fixture key, for readable failures.
fn names(app: &TestApp) -> HashMap<String, String> {
    let gids = |kind| {
        keys(app, kind)
            .into_iter()
            .map(move |k| (app.fx.gid(kind, k), k.into()))
    };
    LISTS[..6].iter().flat_map(|(_, kind)| gids(kind)).collect()
}

/// A list's answer as `["key", …] (totalCount n)`, or the error code.
fn listed(body: &Value, list: &str, names: &HashMap<String, String>) -> String {
    match code(body) {
        Some(c) => c.to_string(),
        None => connection(&body["data"][list], names),
    }
}

fn connection(conn: &Value, names: &HashMap<String, String>) -> String {
    let mut keys: Vec<&str> = conn["edges"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            names
                .get(e["node"]["id"].as_str().unwrap_or(""))
                .map_or("?", String::as_str)
        })
        .collect();
    keys.sort_unstable();
    format!("{keys:?} (totalCount {})", conn["totalCount"])
}

fn rows(keys: &[&str]) -> String {
    let mut keys = keys.to_vec();
    keys.sort_unstable();
    format!("{keys:?} (totalCount {})", keys.len())
}

fn report(failures: &[String]) {
    let n = failures.len();
    assert!(n == 0, "{n} mismatches:\n{}", failures.join("\n"));
}

#[tokio::test]
async fn read_matrix() {
    let app = TestApp::spawn().await;
    let names = names(&app);
    let mut failures = Vec::new();
    for role in roles() {
        for (list, _) in LISTS {
            let q = format!("{{ {list}(first: 100) {{ totalCount edges {{ node {{ id }} }} }} }}");
            let body = app.gql_as(role, &q, json!({})).await;
            let got = listed(&body, list, &names);
            let want = read(role, list);
            let ok = match want {
                Rows(keys) => got == rows(keys),
                Allowed => body["errors"].is_null() && body["data"][list]["totalCount"].is_u64(),
                Forbidden => got == "FORBIDDEN" && body["data"][list].is_null(),
                Unknown => unknown_name(&body),
                other => panic!("{other:?} in READS"),
            };
            if !ok {
                failures.push(format!("{list} as {role}: expected {want:?}, got {got}"));
            }
        }
    }
    report(&failures);
}

#[tokio::test]
async fn node_matrix() {
    let app = TestApp::spawn().await;
    let fx = &app.fx;
    let mut failures = Vec::new();
    for role in roles() {
        for (list, kind) in &LISTS[..5] {
            let visible = match (role, read(role, list)) {
                // No account list for partners, but their deals' accounts by id.
                ("partner", _) if *list == "accounts" => &["umbrella"][..],
                ("partner2", _) if *list == "accounts" => &["globex"][..],
                (_, Rows(keys)) => keys,
                _ => &[],
            };
            for key in keys(&app, kind) {
                let id = fx.gid(kind, key);
                let q = "query($id: ID!) { node(id: $id) { id } }";
                let body = app.gql_as(role, q, json!({ "id": id })).await;
                let (want, ok) = if visible.contains(&key) {
                    ("the row", body["data"]["node"]["id"] == id.as_str())
                } else {
                    ("NOT_FOUND", code(&body) == Some("NOT_FOUND"))
                };
                if !ok {
                    failures.push(format!(
                        "node({kind} {key}) as {role}: expected {want}, got {body}"
                    ));
                }
            }
        }
    }
    report(&failures);
}

/// Each mutation with the type of its target and its operation. `$id` is the target's
/// global id: the row changed or, for creations, the row referenced (parent territory,
/// account, manager). A `Membership` target is `territory:user` (`$id`, `$user`); a
/// `Subject` target is `Kind:key`, bound to `$Kind`. `updateAccount+owner` gives the
/// account to `am`; `$v` is the opportunity's current version.
#[rustfmt::skip]
const OPERATIONS: &[(&str, &str, &str)] = &[
    ("createTerritory", "Territory", r#"mutation($id: ID) { createTerritory(input: { name: "New", parentId: $id }) { id } }"#),
    ("updateTerritory", "Territory", r#"mutation($id: ID!) { updateTerritory(id: $id, input: { name: "Renamed" }) { id } }"#),
    ("moveTerritory", "Territory", "mutation($id: ID!, $global: ID) { moveTerritory(id: $id, parentId: $global) { id } }"),
    ("addTerritoryMember", "Membership", "mutation($id: ID!, $user: ID!) { addTerritoryMember(territoryId: $id, userId: $user) { id } }"),
    ("removeTerritoryMember", "Membership", "mutation($id: ID!, $user: ID!) { removeTerritoryMember(territoryId: $id, userId: $user) { id } }"),
    ("createAccount", "Territory", r#"mutation($id: ID, $domain: String!) { createAccount(input: { name: "New", domain: $domain, territoryId: $id }) { id } }"#),
    ("updateAccount", "Account", r#"mutation($id: ID!) { updateAccount(id: $id, input: { name: "Renamed" }) { id } }"#),
    ("updateAccount+owner", "Account", "mutation($id: ID!, $am: ID) { updateAccount(id: $id, input: { ownerId: $am }) { id } }"),
    ("createLead", "Territory", r#"mutation($id: ID) { createLead(input: { companyName: "New", contactName: "Casey", territoryId: $id }) { id } }"#),
    ("updateLead", "Lead", r#"mutation($id: ID!) { updateLead(id: $id, input: { companyName: "Renamed" }) { id } }"#),
    ("qualifyLead", "Lead", r#"mutation($id: ID!) { qualifyLead(id: $id, input: { budget: "100k" }) { id } }"#),
    ("disqualifyLead", "Lead", r#"mutation($id: ID!) { disqualifyLead(id: $id, reason: "No budget") { id } }"#),
    ("createOpportunity", "Account", r#"mutation($id: ID!) { createOpportunity(input: { accountId: $id, name: "New", type: NEW_BUSINESS, amount: "1000", closeDate: "2026-12-31" }) { id } }"#),
    ("updateOpportunity", "Opportunity", r#"mutation($id: ID!, $v: Int!) { updateOpportunity(id: $id, version: $v, input: { name: "Renamed" }) { id } }"#),
    ("closeOpportunity", "Opportunity", "mutation($id: ID!, $v: Int!) { closeOpportunity(id: $id, version: $v, input: { outcome: WON }) { id } }"),
    ("logActivity", "Subject", r#"mutation($Lead: ID, $Account: ID, $Opportunity: ID) { logActivity(input: { kind: CALL, summary: "Called", leadId: $Lead, accountId: $Account, opportunityId: $Opportunity }) { id } }"#),
    ("createUser", "User", r#"mutation($id: ID, $email: String!) { createUser(input: { email: $email, name: "New Person", role: SDR, password: "a-long-password", managerId: $id }) { id } }"#),
    ("updateUser", "User", r#"mutation($id: ID!) { updateUser(id: $id, input: { name: "Renamed" }) { id } }"#),
    ("deactivateUser", "User", "mutation($id: ID!) { deactivateUser(id: $id) { id } }"),
    ("createPartner", "Partner", "mutation($domain: String!) { createPartner(input: { name: $domain }) { id } }"),
    ("updatePartner", "Partner", "mutation($id: ID!) { updatePartner(id: $id, input: { tier: SILVER }) { id } }"),
];

const DESIGN: &str = "createTerritory updateTerritory";
const LEAD_WORK: &str = "updateLead qualifyLead disqualifyLead";
const DEAL_WORK: &str = "updateOpportunity closeOpportunity";
const USER_ADMIN: &str = "updateUser deactivateUser";
const PARTNER_ADMIN: &str = "createPartner updatePartner";

type MutationRow = (
    &'static str,
    &'static str,
    &'static [(&'static str, Expect)],
);

/// MUTATIONS: (mutations, roles, [(target, expected)]): a target in the role's scope where
/// there is one, then one outside it. Rows run in this order on one app (role by role,
/// mutation by mutation), so a success must not move a later row in or out of scope
/// (memberships and moves come last); a success on a row that an earlier success of the
/// same mutation changed gets a fresh app.
#[rustfmt::skip]
const MUTATIONS: &[MutationRow] = &[
    (DESIGN, "sdr ae am manager", &[("amer", Forbidden), ("emea", Forbidden)]),
    (DESIGN, "manager2", &[("emea", Forbidden), ("amer", Forbidden)]),
    (DESIGN, "cs", &[("amer", Forbidden)]),
    (DESIGN, "partner partner2", &[("amer", Unknown)]),
    (DESIGN, "director", &[("amer", Data)]),
    // The target is the new account's territory.
    ("createAccount", "sdr", &[("amer", Forbidden), ("emea", Forbidden)]),
    ("createAccount", "cs", &[("emea", Forbidden)]),
    ("createAccount", "partner partner2", &[("emea", Unknown)]),
    ("createAccount", "ae manager", &[("amer", Data), ("emea", Bad("territoryId"))]),
    ("createAccount", "am", &[("na_west", Data), ("emea", Bad("territoryId"))]),
    ("createAccount", "manager2", &[("emea", Data), ("amer", Bad("territoryId"))]),
    ("createAccount", "director", &[("global", Data)]),
    ("updateAccount", "sdr", &[("acme", Forbidden), ("globex", Forbidden)]),
    ("updateAccount", "ae", &[("acme", Data), ("globex", NotFound)]),
    ("updateAccount", "am manager", &[("initech", Data), ("globex", NotFound)]),
    ("updateAccount", "cs", &[("acme", Data), ("initech", NotFound)]),
    ("updateAccount", "manager2", &[("umbrella", Data), ("acme", NotFound)]),
    ("updateAccount", "director", &[("globex", Data)]),
    ("updateAccount", "partner", &[("umbrella", Unknown), ("acme", Unknown)]),
    ("updateAccount", "partner2", &[("globex", Unknown), ("acme", Unknown)]),
    // Owner → `am` (in manager's team, not in manager2's); the successes change no scope.
    ("updateAccount+owner", "sdr", &[("acme", Forbidden)]),
    ("updateAccount+owner", "ae am", &[("acme", Forbidden), ("globex", NotFound)]),
    ("updateAccount+owner", "cs", &[("acme", Forbidden), ("initech", NotFound)]),
    ("updateAccount+owner", "manager", &[("acme", Data), ("globex", NotFound)]),
    ("updateAccount+owner", "manager2", &[("umbrella", Bad("ownerId")), ("acme", NotFound)]),
    ("updateAccount+owner", "director", &[("initech", Data)]),
    ("updateAccount+owner", "partner", &[("umbrella", Unknown), ("acme", Unknown)]),
    ("updateAccount+owner", "partner2", &[("globex", Unknown), ("acme", Unknown)]),
    // The target is the new lead's territory.
    ("createLead", "sdr ae", &[("amer", Data), ("emea", Bad("territoryId"))]),
    ("createLead", "am", &[("amer", Forbidden), ("emea", Forbidden)]),
    ("createLead", "cs", &[("emea", Forbidden)]),
    ("createLead", "partner partner2", &[("emea", Unknown)]),
    ("createLead", "manager", &[("na_west", Data), ("emea", Bad("territoryId"))]),
    ("createLead", "manager2", &[("emea", Data), ("amer", Bad("territoryId"))]),
    ("createLead", "director", &[("global", Data)]),
    (LEAD_WORK, "sdr", &[("sdr_own", Data), ("team2", NotFound)]),
    (LEAD_WORK, "ae", &[("handed", Data), ("sdr_own", NotFound)]),
    (LEAD_WORK, "am cs", &[("sdr_own", Forbidden)]),
    (LEAD_WORK, "partner partner2", &[("sdr_own", Unknown)]),
    (LEAD_WORK, "manager", &[("unowned_amer", Data), ("team2", NotFound)]),
    (LEAD_WORK, "manager2", &[("team2", Data), ("sdr_own", NotFound)]),
    (LEAD_WORK, "director", &[("unowned_emea", Data)]),
    // The target is the new opportunity's account.
    ("createOpportunity", "sdr", &[("acme", Forbidden), ("globex", Forbidden)]),
    ("createOpportunity", "ae", &[("acme", Data), ("globex", Bad("accountId"))]),
    ("createOpportunity", "am manager", &[("initech", Data), ("umbrella", Bad("accountId"))]),
    ("createOpportunity", "cs", &[("acme", Data), ("initech", Bad("accountId"))]),
    ("createOpportunity", "manager2", &[("globex", Data), ("acme", Bad("accountId"))]),
    ("createOpportunity", "director", &[("umbrella", Data)]),
    ("createOpportunity", "partner", &[("umbrella", Unknown), ("acme", Unknown)]),
    ("createOpportunity", "partner2", &[("globex", Unknown), ("acme", Unknown)]),
    (DEAL_WORK, "sdr", &[("ae", Forbidden)]),
    (DEAL_WORK, "ae", &[("ae", Data), ("ae2", NotFound)]),
    (DEAL_WORK, "am manager", &[("am", Data), ("ae2", NotFound)]),
    (DEAL_WORK, "cs", &[("ae", NotFound)]),
    (DEAL_WORK, "manager2", &[("partner", Data), ("ae", NotFound)]),
    (DEAL_WORK, "director", &[("partner2", Data)]),
    (DEAL_WORK, "partner", &[("partner", Unknown), ("ae", Unknown)]),
    (DEAL_WORK, "partner2", &[("partner2", Unknown), ("ae", Unknown)]),
    ("logActivity", "sdr", &[("Lead:sdr_own", Data), ("Opportunity:ae", Bad("opportunityId"))]),
    ("logActivity", "ae", &[("Opportunity:ae", Data), ("Account:globex", Bad("accountId"))]),
    ("logActivity", "am", &[("Account:acme", Data), ("Lead:sdr_own", Bad("leadId"))]),
    ("logActivity", "cs", &[("Account:acme", Data), ("Opportunity:am", Bad("opportunityId"))]),
    ("logActivity", "manager", &[("Lead:unowned_amer", Data), ("Account:umbrella", Bad("accountId"))]),
    ("logActivity", "manager2", &[("Opportunity:partner", Data), ("Lead:handed", Bad("leadId"))]),
    ("logActivity", "director", &[("Account:globex", Data)]),
    ("logActivity", "partner", &[("Opportunity:partner", Unknown), ("Account:acme", Unknown)]),
    ("logActivity", "partner2", &[("Opportunity:partner2", Unknown), ("Account:acme", Unknown)]),
    // The target is the new user's manager.
    ("createUser", "sdr ae am cs manager manager2", &[("manager", Forbidden), ("inactive", Forbidden)]),
    ("createUser", "partner partner2", &[("manager", Unknown)]),
    ("createUser", "director", &[("manager", Data), ("inactive", Bad("managerId"))]),
    (USER_ADMIN, "sdr ae am cs manager manager2", &[("ae", Forbidden), ("inactive", Forbidden)]),
    (USER_ADMIN, "partner", &[("partner", Unknown), ("ae", Unknown)]),
    (USER_ADMIN, "partner2", &[("partner2", Unknown), ("ae", Unknown)]),
    (USER_ADMIN, "director", &[("ae2", Data)]),
    (PARTNER_ADMIN, "sdr ae am cs manager manager2", &[("p1", Forbidden)]),
    (PARTNER_ADMIN, "partner partner2", &[("p1", Unknown)]),
    (PARTNER_ADMIN, "director", &[("p2", Data)]),
    // Memberships and moves change scopes: last, in this order.
    ("addTerritoryMember", "sdr ae am", &[("amer:cs", Forbidden), ("emea:cs", Forbidden)]),
    ("addTerritoryMember", "cs", &[("amer:cs", Forbidden)]),
    ("addTerritoryMember", "partner partner2", &[("amer:cs", Unknown)]),
    ("addTerritoryMember", "manager", &[("na_west:cs", Data), ("emea:cs", NotFound)]),
    // Membership widens access: a manager adds only their own team (cs is manager's).
    ("addTerritoryMember", "manager2", &[("emea:cs", Bad("userId")), ("emea:manager2", Data), ("amer:cs", NotFound)]),
    ("addTerritoryMember", "director", &[("global:cs", Data)]),
    ("removeTerritoryMember", "sdr ae am", &[("amer:sdr", Forbidden), ("emea:ae2", Forbidden)]),
    ("removeTerritoryMember", "cs", &[("emea:ae2", Forbidden)]),
    ("removeTerritoryMember", "partner partner2", &[("emea:ae2", Unknown)]),
    ("removeTerritoryMember", "manager", &[("amer:sdr", Data), ("emea:ae2", NotFound)]),
    ("removeTerritoryMember", "manager2", &[("emea:ae2", Data), ("amer:ae", NotFound)]),
    ("removeTerritoryMember", "director", &[("amer:ae", Data)]),
    // The target moves under `global`.
    ("moveTerritory", "sdr ae am manager", &[("na_west", Forbidden), ("emea", Forbidden)]),
    ("moveTerritory", "manager2", &[("emea", Forbidden), ("na_west", Forbidden)]),
    ("moveTerritory", "cs", &[("na_west", Forbidden)]),
    ("moveTerritory", "partner partner2", &[("na_west", Unknown)]),
    ("moveTerritory", "director", &[("na_west", Data)]),
];

/// The operation of `name` and its variables for `role` on `target`.
async fn operation(app: &TestApp, name: &str, role: &str, target: &str) -> (&'static str, Value) {
    let &(_, kind, query) = OPERATIONS.iter().find(|(n, ..)| *n == name).unwrap();
    let fx = &app.fx;
    let tag = format!("{role}-{target}")
        .replace(['_', ':'], "-")
        .to_lowercase();
    let mut vars = json!({
        "global": fx.gid("Territory", "global"), "am": fx.gid("User", "am"),
        "domain": format!("{tag}.example"), "email": format!("{tag}@test.example"),
    });
    let pair = target.split_once(':');
    match (kind, pair) {
        ("Membership", Some((t, u))) => {
            vars["id"] = json!(fx.gid("Territory", t));
            vars["user"] = json!(fx.gid("User", u));
        }
        ("Subject", Some((k, key))) => vars[k] = json!(fx.gid(k, key)),
        _ => vars["id"] = json!(fx.gid(kind, target)),
    }
    if kind == "Opportunity" {
        let row = opportunities::Entity::find_by_id(fx.id(kind, target))
            .one(&app.db)
            .await;
        vars["v"] = json!(row.unwrap().unwrap().version);
    }
    (query, vars)
}

/// An answer as `data`, `CODE` or `BAD_USER_INPUT(field)`.
fn outcome(body: &Value, name: &str) -> String {
    let field = name.split('+').next().unwrap();
    if unknown_name(body) {
        return "UNKNOWN".into();
    }
    match code(body) {
        Some("BAD_USER_INPUT") => {
            format!(
                "BAD_USER_INPUT({})",
                body["errors"][0]["extensions"]["field"]
            )
        }
        Some(c) => c.to_string(),
        None if body["data"][field]["id"].is_string() => "data".to_string(),
        None => format!("no data: {body}"),
    }
}

fn expected(e: Expect) -> String {
    match e {
        Data => "data".into(),
        Forbidden => "FORBIDDEN".into(),
        NotFound => "NOT_FOUND".into(),
        Bad(field) => format!("BAD_USER_INPUT({})", json!(field)),
        Unknown => "UNKNOWN".into(),
        other => panic!("{other:?} is not a mutation outcome"),
    }
}

async fn audit_count(app: &TestApp) -> u64 {
    audit_events::Entity::find().count(&app.db).await.unwrap()
}

#[tokio::test]
async fn mutation_matrix() {
    let mut app = TestApp::spawn().await;
    let mut changed = HashSet::new(); // (mutation, target) of the successes on `app`
    let mut failures = Vec::new();
    let mut covered = HashSet::new();
    for (mutations, roles, cases) in MUTATIONS {
        for (role, name) in roles
            .split(' ')
            .flat_map(|r| mutations.split(' ').map(move |m| (r, m)))
        {
            covered.insert((name, role));
            for &(target, expect) in *cases {
                let data = matches!(expect, Data);
                if data && changed.contains(&(name, target)) {
                    app = TestApp::spawn().await;
                    changed.clear();
                }
                let (query, vars) = operation(&app, name, role, target).await;
                let before = audit_count(&app).await;
                let got = outcome(&app.gql_as(role, query, vars).await, name);
                let audited = audit_count(&app).await - before;
                if got != expected(expect) || audited != u64::from(data) {
                    let want = expected(expect);
                    failures.push(format!(
                        "{name} as {role} on {target}: expected {want}, got {got}; {audited} audit events"
                    ));
                }
                if data && !(name.starts_with("create") || name == "logActivity") {
                    changed.insert((name, target));
                }
            }
        }
    }
    for (name, ..) in OPERATIONS {
        let missing: Vec<_> = roles()
            .filter(|r| !covered.contains(&(*name, *r)))
            .collect();
        if !missing.is_empty() {
            failures.push(format!("{name}: no rows for {missing:?}"));
        }
    }
    report(&failures);
}

/// A sales manager who sees a territory without being accountable for it (a plain member)
/// may not manage its members: FORBIDDEN, where a territory they cannot see is NOT_FOUND.
#[tokio::test]
async fn members_are_managed_only_where_accountable() {
    let app = TestApp::spawn().await;
    let (q, vars) = operation(&app, "addTerritoryMember", "director", "emea:manager").await;
    let body = app.gql_as("director", q, vars).await;
    assert_eq!(outcome(&body, "addTerritoryMember"), "data", "{body}");
    let emea = json!({ "id": app.fx.gid("Territory", "emea") });
    let body = app
        .gql_as("manager", "query($id: ID!) { node(id: $id) { id } }", emea)
        .await;
    assert!(
        body["errors"].is_null(),
        "the manager now sees emea: {body}"
    );
    let before = audit_count(&app).await;
    let mut failures = Vec::new();
    for (name, role, target, expect) in [
        ("addTerritoryMember", "manager", "emea:cs", Forbidden),
        ("removeTerritoryMember", "manager", "emea:ae2", Forbidden),
        ("addTerritoryMember", "manager2", "amer:cs", NotFound),
        ("removeTerritoryMember", "manager2", "amer:sdr", NotFound),
    ] {
        let (q, vars) = operation(&app, name, role, target).await;
        let got = outcome(&app.gql_as(role, q, vars).await, name);
        if got != expected(expect) {
            failures.push(format!(
                "{name} as {role} on {target}: expected {expect:?}, got {got}"
            ));
        }
    }
    assert_eq!(
        audit_count(&app).await,
        before,
        "a refused call changed something"
    );
    report(&failures);
}

/// Internal fields of an opportunity and of its account, each asked alone by a partner.
#[rustfmt::skip]
const PARTNER_HIDDEN: &[&str] = &[
    "owner { email }", "territory { name }", "type", "probability", "forecastCategory",
    "sourcedBy { email }", "lostReason", "version", "closedAt", "createdAt",
    "activities { totalCount }", "account { arr }", "account { health }", "account { lifecycle }",
    "account { employeeCount }", "account { contractEndDate }", "account { createdAt }",
    "account { territory { name } }", "account { owner { email } }", "account { csm { email } }",
    "account { accountManager { email } }", "account { partner { name } }",
    "account { leads { totalCount } }", "account { activities { totalCount } }",
    "account { opportunities { totalCount } }",
];

/// Filters and orders on internal fields, refused to partners.
const PARTNER_REFUSED: &[&str] = &[
    "{ accounts(orderBy: { field: ARR }) { totalCount } }",
    "{ accounts(orderBy: { field: EMPLOYEE_COUNT }) { totalCount } }",
    "{ accounts(filter: { lifecycle: PROSPECT }) { totalCount } }",
    "query($u: ID) { accounts(filter: { ownerId: $u }) { totalCount } }",
    "query($t: ID) { accounts(filter: { territoryId: $t }) { totalCount } }",
    "query($u: ID) { opportunities(filter: { ownerId: $u }) { totalCount } }",
    "query($t: ID) { opportunities(filter: { territoryId: $t }) { totalCount } }",
    "{ opportunities(filter: { type: [NEW_BUSINESS] }) { totalCount } }",
    "{ opportunities(orderBy: { field: PROBABILITY }) { totalCount } }",
    "{ opportunities(orderBy: { field: CREATED_AT }) { totalCount } }",
    "{ users(first: 100) { totalCount edges { node { id } } } }",
    "{ viewerPermissions { action } }",
    "{ leads { totalCount } }",
];

#[tokio::test]
async fn partners_see_only_partner_safe_data() {
    let app = TestApp::spawn().await;
    let fx = &app.fx;
    let mut failures = Vec::new();
    let vars = json!({ "u": fx.gid("User", "ae2"), "t": fx.gid("Territory", "emea") });
    let all = "owner { email } account { arr health owner { email } } probability";
    for (who, deal, account, org) in [
        ("partner", "partner", "umbrella", "p1"),
        ("partner2", "partner2", "globex", "p2"),
    ] {
        // (a) Internal fields through their own opportunity do not exist for partners.
        for f in std::iter::once(&all).chain(PARTNER_HIDDEN) {
            let q = format!("{{ opportunities {{ edges {{ node {{ {f} }} }} }} }}");
            let body = app.gql_as(who, &q, json!({})).await;
            if !unknown_name(&body) {
                failures.push(format!(
                    "{q} as {who}: expected an unknown-field refusal and no data, got {body}"
                ));
            }
        }
        // … while the partner-safe fields answer, on their own deal only.
        let q = "{ opportunities { totalCount edges { node { id name stage amount closeDate ownerName partner { id name } account { id name domain industry country } } } } }";
        let body = app.gql_as(who, q, json!({})).await;
        let node = &body["data"]["opportunities"]["edges"][0]["node"];
        let ok = body["errors"].is_null()
            && body["data"]["opportunities"]["totalCount"] == 1
            && node["id"] == fx.gid("Opportunity", deal).as_str()
            && node["ownerName"] == "Erin Ae"
            && node["amount"].is_string()
            && node["stage"].is_string()
            && node["account"]["id"] == fx.gid("Account", account).as_str()
            && node["account"]["name"] == format!("{} Corp", account.to_uppercase())
            && node["partner"]["id"] == fx.gid("Partner", org).as_str();
        if !ok {
            failures.push(format!("partner-safe fields as {who}: got {body}"));
        }
        // (b) There is no user directory for partners (see PARTNER_REFUSED); other
        // users are NOT_FOUND.
        for other in ["ae", "director", "partner", "partner2"]
            .into_iter()
            .filter(|o| *o != who)
        {
            let q = "query($id: ID!) { node(id: $id) { id } }";
            let body = app
                .gql_as(who, q, json!({ "id": fx.gid("User", other) }))
                .await;
            if code(&body) != Some("NOT_FOUND") {
                failures.push(format!(
                    "node(User {other}) as {who}: expected NOT_FOUND, got {body}"
                ));
            }
        }
        // (f) Filtering or ordering by an internal field, internal lists.
        for q in PARTNER_REFUSED {
            let body = app.gql_as(who, q, vars.clone()).await;
            if !unknown_name(&body) {
                failures.push(format!(
                    "{q} as {who}: expected an unknown-name refusal, got {body}"
                ));
            }
        }
    }
    report(&failures);
}

/// Which account each fixture opportunity is on.
#[rustfmt::skip]
const OPPORTUNITY_ACCOUNT: &[(&str, &str)] = &[
    ("ae", "acme"), ("am", "acme"), ("ae2", "globex"), ("partner", "umbrella"), ("partner2", "globex"),
];

/// (role, list, filter on `$v`, type and key of `$v`): filters naming rows outside the
/// caller's scope find nothing.
#[rustfmt::skip]
const FILTERS_FIND_NOTHING: &[(&str, &str, &str, &str, &str)] = &[
    ("ae", "accounts", "filter: { territoryId: $v }", "Territory", "emea"),
    ("ae", "opportunities", "filter: { ownerId: $v }", "User", "ae2"),
    ("ae", "leads", "filter: { territoryId: $v }", "Territory", "emea"),
    ("am", "accounts", "filter: { ownerId: $v }", "User", "ae2"),
    ("sdr", "activities", "filter: { accountId: $v }", "Account", "globex"),
    ("manager", "opportunities", "filter: { accountId: $v }", "Account", "globex"),
    ("manager2", "territories", "filter: { rootId: $v }", "Territory", "global"),
];

#[tokio::test]
async fn nested_relations_and_filters_respect_scope() {
    let app = TestApp::spawn().await;
    let names = names(&app);
    let mut failures = Vec::new();
    // (c) An account's opportunities are those in the caller's scope: none on acme for the
    // SDR, both for the manager. Partners reach accounts only through their deals, and
    // an account's opportunities not at all (`partners_see_only_partner_safe_data`).
    let q = "{ accounts(first: 100) { edges { node { id opportunities(first: 100) { totalCount edges { node { id } } } } } } }";
    for role in roles().filter(|r| !r.starts_with("partner")) {
        let Rows(visible) = read(role, "opportunities") else {
            panic!("{role}")
        };
        let body = app.gql_as(role, q, json!({})).await;
        if !body["errors"].is_null() {
            failures.push(format!("nested opportunities as {role}: {body}"));
        }
        for edge in body["data"]["accounts"]["edges"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let account = &names[edge["node"]["id"].as_str().unwrap()];
            let want: Vec<&str> = OPPORTUNITY_ACCOUNT
                .iter()
                .filter(|(o, a)| *a == account.as_str() && visible.contains(o))
                .map(|(o, _)| *o)
                .collect();
            let got = connection(&edge["node"]["opportunities"], &names);
            if got != rows(&want) {
                let want = rows(&want);
                failures.push(format!(
                    "{account}.opportunities as {role}: expected {want}, got {got}"
                ));
            }
        }
    }
    // (e) Filters cannot reveal what the scope hides.
    for (role, list, filter, kind, key) in FILTERS_FIND_NOTHING {
        let q = format!(
            "query($v: ID) {{ {list}({filter}) {{ totalCount edges {{ node {{ id }} }} }} }}"
        );
        let body = app
            .gql_as(role, &q, json!({ "v": app.fx.gid(kind, key) }))
            .await;
        let got = listed(&body, list, &names);
        if got != rows(&[]) {
            failures.push(format!("{q} as {role}: expected nothing, got {got}"));
        }
    }
    report(&failures);
}

/// One operation per `Action`, for `viewerPermissions`: a role without the grant must get
/// FORBIDDEN, a role with it anything else. Ids of rows that do not exist (`$no…`) and
/// input refused after the grant check keep the permitted calls from changing anything.
#[rustfmt::skip]
const ACTION_PROBES: &[(&str, &str)] = &[
    ("READ_USERS", "{ users { totalCount } }"),
    ("CREATE_USER", r#"mutation { createUser(input: { email: "p@test.example", name: "P", role: SDR, password: "short" }) { id } }"#),
    ("UPDATE_USER", r#"mutation($noUser: ID!) { updateUser(id: $noUser, input: { name: "P" }) { id } }"#),
    ("DEACTIVATE_USER", "mutation($noUser: ID!) { deactivateUser(id: $noUser) { id } }"),
    ("READ_AUDIT_LOG", "{ auditEvents { totalCount } }"),
    ("READ_TERRITORIES", "{ territories { totalCount } }"),
    ("DESIGN_TERRITORIES", r#"mutation($noTerritory: ID!) { updateTerritory(id: $noTerritory, input: { name: "P" }) { id } }"#),
    ("MANAGE_TERRITORY_MEMBERS", "mutation($noTerritory: ID!, $partner: ID!) { addTerritoryMember(territoryId: $noTerritory, userId: $partner) { id } }"),
    ("READ_ACCOUNTS", "{ accounts { totalCount } }"),
    ("CREATE_ACCOUNT", r#"mutation { createAccount(input: { name: " ", domain: "p.example" }) { id } }"#),
    ("UPDATE_ACCOUNT", r#"mutation($noAccount: ID!) { updateAccount(id: $noAccount, input: { name: "P" }) { id } }"#),
    ("REASSIGN_ACCOUNT", "mutation($acme: ID!, $partner: ID) { updateAccount(id: $acme, input: { ownerId: $partner }) { id } }"),
    ("READ_LEADS", "{ leads { totalCount } }"),
    ("CREATE_LEAD", r#"mutation { createLead(input: { companyName: " ", contactName: "P" }) { id } }"#),
    ("UPDATE_LEAD", r#"mutation($noLead: ID!) { updateLead(id: $noLead, input: { companyName: "P" }) { id } }"#),
    ("QUALIFY_LEAD", r#"mutation($noLead: ID!) { qualifyLead(id: $noLead, input: { budget: "P" }) { id } }"#),
    ("DISQUALIFY_LEAD", r#"mutation($noLead: ID!) { disqualifyLead(id: $noLead, reason: "P") { id } }"#),
    ("READ_OPPORTUNITIES", "{ opportunities { totalCount } }"),
    ("CREATE_OPPORTUNITY", r#"mutation($noAccount: ID!) { createOpportunity(input: { accountId: $noAccount, name: "P", type: NEW_BUSINESS, amount: "1", closeDate: "2026-12-31" }) { id } }"#),
    ("UPDATE_OPPORTUNITY", r#"mutation($noOpportunity: ID!) { updateOpportunity(id: $noOpportunity, version: 1, input: { name: "P" }) { id } }"#),
    ("CLOSE_OPPORTUNITY", "mutation($noOpportunity: ID!) { closeOpportunity(id: $noOpportunity, version: 1, input: { outcome: WON }) { id } }"),
    ("REASSIGN_OPPORTUNITY", r#"mutation($acme: ID!, $partner: ID) { createOpportunity(input: { accountId: $acme, name: "P", type: NEW_BUSINESS, amount: "1", closeDate: "2026-12-31", ownerId: $partner }) { id } }"#),
    ("READ_ACTIVITIES", "{ activities { totalCount } }"),
    ("LOG_ACTIVITY", r#"mutation($noAccount: ID!) { logActivity(input: { kind: NOTE, summary: "P", accountId: $noAccount }) { id } }"#),
    ("READ_QUOTAS", "{ quotas { totalCount } }"),
    ("SET_QUOTAS", "mutation($noQuota: ID!) { deleteQuota(id: $noQuota) }"),
    ("READ_TERRITORY_REPORTS", r#"query($noTerritory: ID!) { territoryReport(rootId: $noTerritory, period: "FY2026") { period } }"#),
    ("READ_PARTNERS", "{ partners { totalCount } }"),
    ("MANAGE_PARTNERS", "mutation($noPartner: ID!) { updatePartner(id: $noPartner, input: { tier: GOLD }) { id } }"),
    ("REGISTER_DEAL", r#"mutation { registerDeal(input: { companyName: "P", domain: "p.example", contactName: "P", estimatedAmount: "1", expectedCloseDate: "2000-01-01" }) { id } }"#),
    ("READ_DEAL_REGISTRATIONS", "{ dealRegistrations { totalCount } }"),
    ("REVIEW_DEAL_REGISTRATIONS", "mutation($noDealRegistration: ID!) { approveDealRegistration(id: $noDealRegistration, version: 1) { id } }"),
    ("READ_HANDOFFS", "{ handoffs { totalCount } }"),
    ("REQUEST_HANDOFF", r#"mutation($noLead: ID!, $noUser: ID!) { requestHandoff(input: { kind: SDR_TO_AE, leadId: $noLead, toUserId: $noUser, note: "P" }) { id } }"#),
    ("RESPOND_TO_HANDOFF", "mutation($noHandoff: ID!) { acceptHandoff(id: $noHandoff, version: 1) { id } }"),
    ("CANCEL_HANDOFF", "mutation($noHandoff: ID!) { cancelHandoff(id: $noHandoff, version: 1) { id } }"),
    ("REDIRECT_HANDOFF", "mutation($noHandoff: ID!, $noUser: ID!) { redirectHandoff(id: $noHandoff, version: 1, toUserId: $noUser) { id } }"),
];

#[tokio::test]
async fn viewer_permissions_match_enforcement() {
    let app = TestApp::spawn().await;
    let mut vars = json!({
        "acme": app.fx.gid("Account", "acme"), "partner": app.fx.gid("User", "partner"),
    });
    for kind in [
        "User",
        "Territory",
        "Account",
        "Lead",
        "Opportunity",
        "Quota",
        "Partner",
        "DealRegistration",
        "Handoff",
    ] {
        vars[format!("no{kind}")] = json!(TestApp::gid(kind, Uuid::new_v4()));
    }
    let before = audit_count(&app).await;
    let mut failures = Vec::new();
    for role in roles() {
        let q = "{ viewerPermissions { permissions { action allowed } } }";
        let body = app.gql_as(role, q, json!({})).await;
        if role.starts_with("partner") {
            // Not on the partner allowlist: partners' permissions are their schema.
            if !unknown_name(&body) {
                failures.push(format!("viewerPermissions as {role}: {body}"));
            }
            continue;
        }
        let granted: HashMap<&str, bool> = body["data"]["viewerPermissions"]["permissions"]
            .as_array()
            .unwrap_or_else(|| panic!("{role}: {body}"))
            .iter()
            .map(|p| {
                (
                    p["action"].as_str().unwrap(),
                    p["allowed"].as_bool().unwrap(),
                )
            })
            .collect();
        let probed: BTreeSet<&str> = ACTION_PROBES.iter().map(|(a, _)| *a).collect();
        assert_eq!(
            granted.keys().copied().collect::<BTreeSet<_>>(),
            probed,
            "{role}"
        );
        for (action, op) in ACTION_PROBES {
            let body = app.gql_as(role, op, vars.clone()).await;
            let answer = code(&body).unwrap_or("data");
            if granted[action] == (answer == "FORBIDDEN") {
                let allowed = granted[action];
                failures.push(format!(
                    "{action} as {role}: allowed={allowed}, {op} answered {answer}"
                ));
            }
        }
    }
    assert_eq!(audit_count(&app).await, before, "a probe changed something");
    report(&failures);
}
