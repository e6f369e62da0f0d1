//! Walks every element of the internal schema and asserts that what the partner
//! allowlist does not name is refused to partners exactly like a name that does not
//! exist: fields (in selections and fragments), arguments, input fields and enum values
//! (as literals and in variables), and whole types (in fragments and variables).

use std::collections::HashMap;

use api::{auth::policy::fields, graphql::schema::unserved_schemas};
use async_graphql::parser::{
    parse_schema,
    types::{BaseType, ServiceDocument, Type, TypeKind, TypeSystemDefinition},
};
use serde_json::{Value, json};

/// An input type of the partner schema: its fields with their types and defaults.
type Inputs = HashMap<String, Vec<(String, Type, bool)>>;

struct Partner {
    schema: api::graphql::PartnerSchema,
    inputs: Inputs,
    enums: HashMap<String, Vec<String>>,
    /// (operation keyword, root field, argument, argument type)
    root_args: Vec<(&'static str, String, String, Type)>,
}

fn parse(sdl: &str) -> ServiceDocument {
    parse_schema(sdl).unwrap()
}

fn base(ty: &Type) -> &str {
    match &ty.base {
        BaseType::Named(n) => n.as_str(),
        BaseType::List(inner) => base(inner),
    }
}

impl Partner {
    fn new() -> Self {
        let schema = unserved_schemas().partner;
        let doc = parse(&schema.sdl());
        let (mut inputs, mut enums, mut root_args) = (Inputs::new(), HashMap::new(), vec![]);
        for def in &doc.definitions {
            let TypeSystemDefinition::Type(t) = def else {
                continue;
            };
            let name = t.node.name.node.to_string();
            match &t.node.kind {
                TypeKind::InputObject(o) => {
                    inputs.insert(
                        name,
                        o.fields
                            .iter()
                            .map(|f| {
                                (
                                    f.node.name.node.to_string(),
                                    f.node.ty.node.clone(),
                                    f.node.default_value.is_some(),
                                )
                            })
                            .collect(),
                    );
                }
                TypeKind::Enum(e) => {
                    enums.insert(
                        name,
                        e.values
                            .iter()
                            .map(|v| v.node.value.node.to_string())
                            .collect(),
                    );
                }
                TypeKind::Object(o) if name == "Query" || name == "Mutation" => {
                    let op = if name == "Query" { "query" } else { "mutation" };
                    for f in &o.fields {
                        for a in &f.node.arguments {
                            root_args.push((
                                op,
                                f.node.name.node.to_string(),
                                a.node.name.node.to_string(),
                                a.node.ty.node.clone(),
                            ));
                        }
                    }
                }
                _ => {}
            }
        }
        Self {
            schema,
            inputs,
            enums,
            root_args,
        }
    }

    async fn errors(&self, query: &str, variables: Value) -> Vec<String> {
        let request = async_graphql::Request::new(query)
            .variables(async_graphql::Variables::from_json(variables));
        let response = self.schema.execute(request).await;
        response.errors.into_iter().map(|e| e.message).collect()
    }

    /// A valid value of `ty` (required fields filled), for the parts of a variable that
    /// are not under test.
    fn sample(&self, ty: &str) -> Value {
        match ty {
            "String" | "ID" => json!("x"),
            "Int" => json!(1),
            "Float" => json!(1.0),
            "Boolean" => json!(true),
            "Decimal" => json!("1"),
            "Date" => json!("2030-01-01"),
            "DateTime" => json!("2030-01-01T00:00:00Z"),
            t if self.enums.contains_key(t) => json!(self.enums[t][0]),
            t => {
                let mut obj = serde_json::Map::new();
                for (name, fty, has_default) in self.inputs.get(t).into_iter().flatten() {
                    if fty.nullable || *has_default {
                        continue;
                    }
                    let v = self.sample(base(fty));
                    obj.insert(
                        name.clone(),
                        if matches!(fty.base, BaseType::List(_)) {
                            json!([v])
                        } else {
                            v
                        },
                    );
                }
                Value::Object(obj)
            }
        }
    }

    /// A document and variables that send `value` as the input type `target`, reached
    /// from a root argument through input fields. `None` when partners cannot send it.
    fn send_as(&self, target: &str, value: Value) -> Option<(String, Value)> {
        for (op, field, arg, ty) in &self.root_args {
            if let Some(v) = self.wrap(base(ty), target, value.clone(), 0) {
                let v = if matches!(ty.base, BaseType::List(_)) {
                    json!([v])
                } else {
                    v
                };
                let q = format!("{op}($v: {ty}) {{ {field}({arg}: $v) {{ __typename }} }}");
                return Some((q, json!({ "v": v })));
            }
        }
        None
    }

    fn wrap(&self, at: &str, target: &str, value: Value, depth: usize) -> Option<Value> {
        if at == target {
            return Some(value);
        }
        if depth > 3 {
            return None;
        }
        for (name, fty, _) in self.inputs.get(at)? {
            if let Some(inner) = self.wrap(base(fty), target, value.clone(), depth + 1) {
                let mut obj = self.sample(at);
                let inner = if matches!(fty.base, BaseType::List(_)) {
                    json!([inner])
                } else {
                    inner
                };
                obj.as_object_mut()?.insert(name.clone(), inner);
                return Some(obj);
            }
        }
        None
    }
}

fn refused(errors: &[String], expected: &str) -> bool {
    errors.iter().any(|e| e.contains(expected))
}

#[tokio::test]
async fn every_internal_element_off_the_allowlist_is_refused_to_partners() {
    let partner = Partner::new();
    let internal = parse(&unserved_schemas().internal.sdl());
    let mut mismatches = Vec::new();
    let mut checked = 0;

    // The baseline: what a name that exists nowhere gets.
    let baseline = partner
        .errors(
            "{ node(id: \"x\") { ... on NoSuchType { id } } }",
            json!({}),
        )
        .await;
    assert!(
        refused(&baseline, "Unknown type \"NoSuchType\""),
        "{baseline:?}"
    );
    let baseline = partner.errors("{ me { noSuchField } }", json!({})).await;
    assert!(
        refused(&baseline, "Unknown field \"noSuchField\" on type \"User\"."),
        "{baseline:?}"
    );

    for def in &internal.definitions {
        let TypeSystemDefinition::Type(t) = def else {
            continue;
        };
        let ty = t.node.name.node.as_str();
        let type_ok = fields::partner_type(ty);
        let unknown_type = format!("Unknown type \"{ty}\"");
        match &t.node.kind {
            TypeKind::Object(o) => {
                for f in &o.fields {
                    let name = f.node.name.node.as_str();
                    let in_fragment = |sel: &str| match ty {
                        "Query" => format!("{{ {sel} }}"),
                        "Mutation" => format!("mutation {{ {sel} }}"),
                        _ => format!(
                            "{{ node(id: \"x\") {{ ...F }} }} fragment F on {ty} {{ {sel} }}"
                        ),
                    };
                    if !(type_ok && fields::partner_member(ty, name)) {
                        checked += 1;
                        let expected = if type_ok {
                            format!("Unknown field \"{name}\" on type \"{ty}\".")
                        } else {
                            unknown_type.clone()
                        };
                        let errors = partner.errors(&in_fragment(name), json!({})).await;
                        if !refused(&errors, &expected) {
                            mismatches.push(format!("{ty}.{name}: {errors:?}"));
                        }
                        continue;
                    }
                    for a in &f.node.arguments {
                        let arg = a.node.name.node.as_str();
                        if fields::partner_argument(ty, name, arg) {
                            continue;
                        }
                        checked += 1;
                        let q = in_fragment(&format!("{name}({arg}: $v)"));
                        let q = format!(
                            "query($v: {}) {}",
                            a.node.ty.node,
                            q.trim_start_matches("mutation ")
                        );
                        let errors = partner.errors(&q, json!({ "v": null })).await;
                        let expected = format!("Unknown argument \"{arg}\" on field \"{name}\"");
                        if !refused(&errors, &expected) {
                            mismatches.push(format!("{ty}.{name}({arg}:): {errors:?}"));
                        }
                    }
                }
            }
            TypeKind::InputObject(o) => {
                if !type_ok {
                    checked += 1;
                    let errors = partner
                        .errors(&format!("query($v: {ty}) {{ __typename }}"), json!({}))
                        .await;
                    if !refused(&errors, &unknown_type) {
                        mismatches.push(format!("input {ty}: {errors:?}"));
                    }
                    continue;
                }
                for f in &o.fields {
                    let name = f.node.name.node.as_str();
                    if fields::partner_member(ty, name) {
                        continue;
                    }
                    checked += 1;
                    let mut value = partner.sample(ty);
                    value[name] = Value::Null;
                    let expected = format!("unknown field \"{name}\" of type \"{ty}\"");
                    match partner.send_as(ty, value) {
                        Some((q, vars)) => {
                            let errors = partner.errors(&q, vars).await;
                            if !refused(&errors, &expected) {
                                mismatches.push(format!("{ty}.{name} in variables: {errors:?}"));
                            }
                        }
                        None => {
                            mismatches.push(format!("{ty}: no path to send it; extend the walk"))
                        }
                    }
                }
            }
            TypeKind::Enum(e) => {
                for v in &e.values {
                    let value = v.node.value.node.as_str();
                    if type_ok && fields::partner_member(ty, value) {
                        continue;
                    }
                    checked += 1;
                    let expected = if type_ok {
                        format!("does not contain the value \"{value}\"")
                    } else {
                        unknown_type.clone()
                    };
                    let sent = if type_ok {
                        partner.send_as(ty, json!(value))
                    } else {
                        None
                    };
                    let errors = match sent {
                        Some((q, vars)) => partner.errors(&q, vars).await,
                        // Output-only for partners, or not a partner type: naming it as a
                        // variable's type is the only way to reach it.
                        None if !type_ok => {
                            partner
                                .errors(
                                    &format!("query($v: {ty}) {{ __typename }}"),
                                    json!({ "v": value }),
                                )
                                .await
                        }
                        None => {
                            let shown = partner
                                .enums
                                .get(ty)
                                .is_some_and(|vs| vs.iter().any(|x| x == value));
                            if shown {
                                mismatches.push(format!("{ty}.{value} is in the partner schema"));
                            }
                            continue;
                        }
                    };
                    if !refused(&errors, &expected) {
                        mismatches.push(format!("{ty}.{value}: {errors:?}"));
                    }
                }
            }
            TypeKind::Scalar | TypeKind::Union(_) | TypeKind::Interface(_) => {}
        }
    }
    assert!(checked > 100, "the walk checked only {checked} elements");
    assert!(
        mismatches.is_empty(),
        "{} not refused:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}

#[test]
fn every_allowlisted_name_exists_in_the_internal_schema() {
    let sdl = unserved_schemas().internal.sdl();
    let doc = parse(&sdl);
    let mut names: HashMap<String, Vec<String>> = HashMap::new();
    for def in &doc.definitions {
        let TypeSystemDefinition::Type(t) = def else {
            continue;
        };
        let members = match &t.node.kind {
            TypeKind::Object(o) => o
                .fields
                .iter()
                .map(|f| f.node.name.node.to_string())
                .collect(),
            TypeKind::Interface(o) => o
                .fields
                .iter()
                .map(|f| f.node.name.node.to_string())
                .collect(),
            TypeKind::InputObject(o) => o
                .fields
                .iter()
                .map(|f| f.node.name.node.to_string())
                .collect(),
            TypeKind::Enum(e) => e
                .values
                .iter()
                .map(|v| v.node.value.node.to_string())
                .collect(),
            _ => vec![],
        };
        names.insert(t.node.name.node.to_string(), members);
    }
    let mut missing = vec![];
    for (ty, members) in fields::PARTNER_SCHEMA {
        let Some(known) = names.get(*ty) else {
            missing.push(ty.to_string());
            continue;
        };
        for m in *members {
            let m = m.split('(').next().unwrap();
            if !known.iter().any(|k| k == m) {
                missing.push(format!("{ty}.{m}"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "the allowlist names what does not exist: {missing:?}"
    );
}

#[test]
fn schema_partner_graphql_matches_the_code() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schema.partner.graphql");
    let checked_in = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        checked_in == api::graphql::export_partner_sdl(),
        "schema.partner.graphql is stale: run `cargo run -- export-schema --role partner -o schema.partner.graphql`"
    );
}
