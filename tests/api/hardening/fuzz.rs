//! Property test: documents and variables generated from the served schema — valid,
//! mutated and malformed — sent as every role. Whatever comes in, the answer is never a
//! 5xx nor `INTERNAL_SERVER_ERROR`, nothing panics, and the server stays healthy.
//!
//! `SALESGRAPH_FUZZ_CASES` (default 1500) and `SALESGRAPH_FUZZ_SEED` run more or other
//! cases by hand; a failure prints the case to replay.

use std::collections::HashMap;

use proptest::{
    prelude::*,
    strategy::ValueTree,
    test_runner::{Config, RngAlgorithm, TestRng, TestRunner},
};
use serde_json::{Map, Value, json};

use super::limits::introspection_query;
use crate::helpers::TestApp;

const ROLES: [&str; 7] = ["sdr", "ae", "am", "cs", "manager", "director", "partner"];

/// The served schema, as introspection describes it.
struct Schema {
    types: HashMap<String, Value>,
    query: String,
    mutation: String,
}

/// Draws choices from a stream of numbers proptest generated.
struct Gen {
    seq: Vec<u32>,
    at: usize,
    ids: Vec<String>,
}

impl Gen {
    fn next(&mut self) -> u32 {
        let v = self.seq[self.at % self.seq.len()].rotate_left((self.at / self.seq.len()) as u32);
        self.at += 1;
        v
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() as usize) % n.max(1)
    }
    fn chance(&mut self, percent: u32) -> bool {
        self.next() % 100 < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

fn named(t: &Value) -> (String, bool, bool) {
    // (named type, non-null outermost, list somewhere)
    let mut t = t;
    let non_null = t["kind"] == "NON_NULL";
    let mut list = false;
    while t["name"].is_null() {
        list |= t["kind"] == "LIST";
        t = &t["ofType"];
    }
    (
        t["name"].as_str().unwrap_or_default().to_string(),
        non_null,
        list,
    )
}

fn type_text(t: &Value) -> String {
    match t["kind"].as_str() {
        Some("NON_NULL") => format!("{}!", type_text(&t["ofType"])),
        Some("LIST") => format!("[{}]", type_text(&t["ofType"])),
        _ => t["name"].as_str().unwrap_or_default().to_string(),
    }
}

const STRINGS: [&str; 12] = [
    "",
    "a",
    "Acme",
    "x\u{0}y",
    "line\nbreak",
    "' OR 1=1 --",
    "%_%",
    "\u{1F600}",
    "-1",
    "79228162514264337593543950335",
    "2026-13-45",
    "FY2026-Q3",
];

fn value(s: &Schema, g: &mut Gen, t: &Value, depth: usize) -> Value {
    let (name, non_null, _) = named(t);
    if t["kind"] == "NON_NULL" {
        return value(s, g, &t["ofType"], depth);
    }
    if !non_null && g.chance(10) {
        return Value::Null;
    }
    if t["kind"] == "LIST" {
        let n = g.below(4);
        return Value::Array(
            (0..n)
                .map(|_| value(s, g, &t["ofType"], depth + 1))
                .collect(),
        );
    }
    if g.chance(4) {
        // The wrong type altogether.
        return json!(*g.pick(&STRINGS));
    }
    match name.as_str() {
        "Int" => json!(*g.pick(&[
            0i64,
            1,
            2,
            5,
            20,
            100,
            101,
            -1,
            i64::from(i32::MAX),
            i64::from(i32::MIN),
            1 << 40
        ])),
        "Float" => json!(*g.pick(&[0.0, 1.5, -3.25, 1e300])),
        "Boolean" => json!(g.chance(50)),
        "String" => {
            if g.chance(5) {
                json!("y".repeat(g.below(20_000)))
            } else {
                json!(*g.pick(&STRINGS))
            }
        }
        "ID" => {
            if g.chance(70) && !g.ids.is_empty() {
                let ids = g.ids.clone();
                json!(g.pick(&ids))
            } else {
                json!(*g.pick(&["", "nope", "VXNlcjp4", "QWNjb3VudDo", "Tm9kZTox"]))
            }
        }
        "Decimal" => json!(*g.pick(&[
            "0",
            "12.5",
            "-1",
            "1e28",
            "79228162514264337593543950335",
            "0.001",
            "abc"
        ])),
        "DateTime" => json!(*g.pick(&[
            "2026-12-01T00:00:00Z",
            "1970-01-01T00:00:00Z",
            "9999-12-31T23:59:59Z",
            "yesterday"
        ])),
        "Date" => json!(*g.pick(&["2026-12-31", "0001-01-01", "2026-02-30", "9999-12-31"])),
        "JSON" => json!({ "a": [1, "b"] }),
        _ => {
            let ty = &s.types[&name];
            match ty["kind"].as_str() {
                Some("ENUM") => {
                    let values: Vec<&str> = ty["enumValues"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .filter_map(|v| v["name"].as_str())
                        .collect();
                    json!(if g.chance(95) {
                        *g.pick(&values)
                    } else {
                        "NOT_A_VALUE"
                    })
                }
                Some("INPUT_OBJECT") if depth < 4 => {
                    let mut obj = Map::new();
                    for f in ty["inputFields"].as_array().unwrap() {
                        let required = f["type"]["kind"] == "NON_NULL";
                        if required || g.chance(40) {
                            obj.insert(
                                f["name"].as_str().unwrap().to_string(),
                                value(s, g, &f["type"], depth + 1),
                            );
                        }
                    }
                    Value::Object(obj)
                }
                _ => Value::Null,
            }
        }
    }
}

/// `{ a b { c } }` for an output type, a few fields deep.
fn selection(
    s: &Schema,
    g: &mut Gen,
    type_name: &str,
    depth: usize,
    vars: &mut Vec<(String, String, Value)>,
) -> String {
    let ty = &s.types[type_name];
    let fields: Vec<&Value> = ty["fields"]
        .as_array()
        .map(|f| f.iter().collect())
        .unwrap_or_default();
    if fields.is_empty() {
        // An interface or union: its id through a fragment, or just the type name.
        let mut out = String::from("__typename");
        if let Some(p) = ty["possibleTypes"].as_array().filter(|p| !p.is_empty())
            && depth < 3
        {
            let t = g.pick(p)["name"].as_str().unwrap().to_string();
            out.push_str(&format!(
                " ... on {t} {{ {} }}",
                selection(s, g, &t, depth + 1, vars)
            ));
        }
        return out;
    }
    let n = 1 + g.below(4);
    let mut out = Vec::new();
    for _ in 0..n {
        let f = *g.pick(&fields);
        let (ret, _, _) = named(&f["type"]);
        let ret_kind = s
            .types
            .get(&ret)
            .map(|t| t["kind"].as_str().unwrap_or(""))
            .unwrap_or("SCALAR");
        let composite = matches!(ret_kind, "OBJECT" | "INTERFACE" | "UNION");
        if composite && depth >= 3 {
            continue;
        }
        let mut text = f["name"].as_str().unwrap().to_string();
        let args = arguments(s, g, f, vars);
        text.push_str(&args);
        if composite {
            text.push_str(&format!(
                " {{ {} }}",
                selection(s, g, &ret, depth + 1, vars)
            ));
        }
        out.push(text);
    }
    if out.is_empty() {
        "__typename".into()
    } else {
        out.join(" ")
    }
}

fn arguments(
    s: &Schema,
    g: &mut Gen,
    f: &Value,
    vars: &mut Vec<(String, String, Value)>,
) -> String {
    let mut args = Vec::new();
    for a in f["args"].as_array().into_iter().flatten() {
        let required = a["type"]["kind"] == "NON_NULL";
        if !(required || g.chance(35)) {
            continue;
        }
        let name = a["name"].as_str().unwrap();
        let v = value(s, g, &a["type"], 0);
        // Half through variables, half as literals in the document.
        if g.chance(50) {
            let var = format!("v{}", vars.len());
            args.push(format!("{name}: ${var}"));
            vars.push((var, type_text(&a["type"]), v));
        } else {
            args.push(format!("{name}: {}", literal(&v)));
        }
    }
    if args.is_empty() {
        String::new()
    } else {
        format!("({})", args.join(", "))
    }
}

/// A JSON value as a GraphQL literal (strings that name an enum value stay strings,
/// which is one of the ways a literal is wrong).
fn literal(v: &Value) -> String {
    match v {
        Value::Object(o) => format!(
            "{{ {} }}",
            o.iter()
                .map(|(k, v)| format!("{k}: {}", literal(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Value::Array(a) => format!("[{}]", a.iter().map(literal).collect::<Vec<_>>().join(", ")),
        Value::String(s)
            if s.chars().all(|c| c.is_ascii_uppercase() || c == '_') && !s.is_empty() =>
        {
            s.clone()
        }
        other => other.to_string(),
    }
}

fn document(s: &Schema, g: &mut Gen) -> (String, Value) {
    let mutation = g.chance(35);
    let root = if mutation { &s.mutation } else { &s.query };
    let mut vars = Vec::new();
    let body = selection(s, g, root, 0, &mut vars);
    let decls: Vec<String> = vars.iter().map(|(n, t, _)| format!("${n}: {t}")).collect();
    let head = if mutation { "mutation" } else { "query" };
    let doc = if decls.is_empty() {
        format!("{head} {{ {body} }}")
    } else {
        format!("{head}({}) {{ {body} }}", decls.join(", "))
    };
    let variables: Map<String, Value> = vars.into_iter().map(|(n, _, v)| (n, v)).collect();
    (doc, Value::Object(variables))
}

/// The families that once stalled a worker: many operations beside one named, fragments
/// that fan out level after level, long alias runs, deep nesting. Each stays under the
/// body limit; the selected operation's name, when the document names one.
fn hostile(g: &mut Gen) -> (String, Option<String>) {
    match g.below(5) {
        4 => {
            // A chain of fragments each spreading the next once: small, but as deep as
            // it is long.
            let n = 1 + g.below(1500);
            let chain: String = (0..n)
                .map(|i| format!("fragment F{i} on Query {{ ...F{} }} ", i + 1))
                .collect();
            (
                format!("{{ ...F0 }} {chain}fragment F{n} on Query {{ __typename }}"),
                None,
            )
        }
        0 => {
            let n = 2 + g.below(3000);
            let ops: String = (0..n)
                .map(|i| format!("query o{i} {{ me {{ id }} }} "))
                .collect();
            let name = g.chance(50).then(|| format!("o{}", g.below(n)));
            (ops, name)
        }
        1 => {
            let (levels, fan) = (2 + g.below(30), 2 + g.below(6));
            let spreads = |n: usize| (0..fan).map(|_| format!("...F{n} ")).collect::<String>();
            let chain: String = (0..levels)
                .map(|i| format!("fragment F{i} on Query {{ {}}} ", spreads(i + 1)))
                .collect();
            let ops = 1 + g.below(200);
            let queries: String = (0..ops)
                .map(|i| format!("query o{i} {{ ...F0 }} "))
                .collect();
            let doc = format!("{queries}{chain}fragment F{levels} on Query {{ __typename }}");
            (doc, Some("o0".into()))
        }
        2 => {
            let n = 1 + g.below(4000);
            let aliases: String = (0..n).map(|i| format!("a{i}: me {{ id }} ")).collect();
            (format!("{{ {aliases}}}"), None)
        }
        _ => {
            let depth = 1 + g.below(200);
            let doc = format!(
                "{{ {}id{} }}",
                "me { manager { ".repeat(depth),
                " } }".repeat(depth)
            );
            (doc, None)
        }
    }
}

/// Breaks a document the way a careless or hostile client would.
fn mutate(g: &mut Gen, doc: &str) -> String {
    let mut chars: Vec<char> = doc.chars().collect();
    for _ in 0..1 + g.below(3) {
        if chars.is_empty() {
            break;
        }
        let at = g.below(chars.len());
        match g.below(4) {
            0 => {
                chars.remove(at);
            }
            1 => chars.insert(
                at,
                *g.pick(&['{', '}', '(', ')', '$', '"', '@', '.', '\0', '\n', 'x']),
            ),
            2 => chars.truncate(at),
            _ => {
                let dup: Vec<char> = chars[at..].iter().take(40).copied().collect();
                chars.splice(at..at, dup);
            }
        }
    }
    chars.into_iter().collect()
}

async fn load_schema(app: &TestApp) -> Schema {
    let body = app
        .gql_as("director", &introspection_query(), json!({}))
        .await;
    let schema = &body["data"]["__schema"];
    let types = schema["types"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["name"].as_str().unwrap().to_string(), t.clone()))
        .collect();
    Schema {
        types,
        query: schema["queryType"]["name"].as_str().unwrap().to_string(),
        mutation: schema["mutationType"]["name"].as_str().unwrap().to_string(),
    }
}

#[tokio::test]
async fn generated_documents_never_break_the_server() {
    let app = TestApp::spawn_with(|s| {
        s.insert("SALESGRAPH_MAX_BODY_BYTES".into(), "65536".into());
    })
    .await;
    let schema = load_schema(&app).await;
    let cases: usize = std::env::var("SALESGRAPH_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1500);
    let seed: u64 = std::env::var("SALESGRAPH_FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x5a1e5);
    let mut seed_bytes = [0u8; 32];
    seed_bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes),
    );
    let strategy = (
        prop::collection::vec(any::<u32>(), 32..128),
        0usize..ROLES.len(),
        0u8..13,
    );
    let ids: Vec<String> = [
        "Account:acme",
        "Account:globex",
        "Lead:sdr_own",
        "Opportunity:ae",
        "Territory:amer",
        "User:sdr",
        "User:ae2",
    ]
    .iter()
    .map(|k| {
        let (kind, key) = k.split_once(':').unwrap();
        app.fx.gid(kind, key)
    })
    .collect();
    let mut failures = Vec::new();
    let (mut sent, mut answered) = (0usize, 0usize);
    for case in 0..cases {
        let (seq, role, shape) = strategy.new_tree(&mut runner).unwrap().current();
        let mut g = Gen {
            seq,
            at: 0,
            ids: ids.clone(),
        };
        let (mut doc, vars) = document(&schema, &mut g);
        let mut operation_name = None;
        match shape {
            0..=5 => {}
            6..=8 => doc = mutate(&mut g, &doc),
            10..=12 => (doc, operation_name) = hostile(&mut g),
            _ => {
                let reversed: String = doc.chars().rev().collect();
                let once = mutate(&mut g, &reversed);
                doc = mutate(&mut g, &once);
            }
        }
        // `logout` would end the role's own token and with it the rest of the run.
        if doc.contains("logout") {
            continue;
        }
        let who = ROLES[role];
        let resp = app
            .post_raw(
                json!({ "query": doc, "variables": vars, "operationName": operation_name }),
                Some(&app.token(who)),
            )
            .await;
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap_or_default();
        sent += 1;
        // Executed rather than refused before running: per GraphQL over HTTP a response
        // has a `data` key (null when an error reached a non-null root) exactly then.
        let executed = serde_json::from_str::<Value>(&text).is_ok_and(|b| b.get("data").is_some());
        if executed {
            answered += 1;
        }
        // The work before execution is linear in the document, and nothing whose
        // fragments expand past the budget reaches the library's validation.
        if let Ok(parsed) = async_graphql::parser::parse_query(&doc) {
            let budget = api::graphql::document::MAX_EXPANDED_FIELDS;
            let shape = api::graphql::document::inspect(&parsed, budget);
            let deep = shape.nesting > api::graphql::document::MAX_NESTING;
            if shape.work > 2 * doc.len() as u64
                || (executed && (shape.expanded_fields > budget || deep))
            {
                failures.push(format!(
                    "case {case}: {shape:?} for a document of {} bytes, executed: {executed}",
                    doc.len()
                ));
            }
        }
        if status >= 500
            || text.contains("INTERNAL_SERVER_ERROR")
            || serde_json::from_str::<Value>(&text).is_err()
        {
            failures.push(format!(
                "case {case} as {who}: {status} {}\n  query: {doc}\n  variables: {vars}",
                &text[..text.len().min(400)]
            ));
            if failures.len() >= 5 {
                break;
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failing cases (seed {seed}):\n{}",
        failures.len(),
        failures.join("\n")
    );
    // The generator reaches the resolvers, not only the parser.
    assert!(
        answered * 10 >= sent,
        "only {answered} of {sent} cases were answered with data"
    );
    // Still healthy and answering.
    let health = app
        .client
        .get(format!("{}/healthz", app.addr))
        .send()
        .await
        .unwrap();
    assert!(health.status().is_success());
    let body = app.gql_as("partner", "{ me { id } }", json!({})).await;
    assert!(body["errors"].is_null(), "{body}");
}
