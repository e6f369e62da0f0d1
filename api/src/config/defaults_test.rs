//! Settings tests: `.env.example` documents every default, production refuses weak keys,
//! development serves only loopback addresses. Read as settings, `.env.example` changes
//! nothing, in development and production alike (its query limits are production's).

use std::collections::HashMap;

use super::Config;

fn example() -> HashMap<String, String> {
    include_str!("../../../.env.example")
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .filter_map(|l| l.split_once('='))
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect()
}

const STRONG: &str = "k:5yntPscwppJG5oYoTr/YgtYV4b+R/7US+LMdCb52pcQ=";

#[test]
fn the_example_settings_are_the_defaults() {
    let doc = example();
    assert!(doc.contains_key("SALESGRAPH_MAX_FIELDS"), "{doc:?}");
    assert!(doc.contains_key("SALESGRAPH_STATEMENT_TIMEOUT_MS"));
    let defaults = Config::from_source(&HashMap::<String, String>::new()).unwrap();
    let documented = Config::from_source(&doc).unwrap();
    assert_eq!(format!("{defaults:?}"), format!("{documented:?}"));

    let prod = |mut m: HashMap<String, String>| {
        m.insert("SALESGRAPH_ENV".into(), "production".into());
        m.insert("SALESGRAPH_JWT_KEYS".into(), STRONG.into());
        m.insert("SALESGRAPH_ADDR".into(), "127.0.0.1:8080".into());
        for k in [
            "SALESGRAPH_GRAPHIQL",
            "SALESGRAPH_INTROSPECTION",
            "SALESGRAPH_SEED_DEMO",
        ] {
            m.remove(k);
        }
        Config::from_source(&m).unwrap()
    };
    let (plain, documented) = (prod(HashMap::new()), prod(doc));
    assert_eq!(
        format!("{:?}", plain.limits),
        format!("{:?}", documented.limits)
    );
    let l = &plain.limits;
    assert_eq!(
        (
            l.max_depth,
            l.max_complexity,
            l.max_aliases,
            l.max_root_fields
        ),
        (12, 50_000, 30, 20)
    );
    assert_eq!((l.max_duplicate_fields, l.max_fields), (20, 20_000));
    assert_eq!(l.request_timeout.as_millis(), 10_000);
    assert_eq!(l.statement_timeout.as_millis(), 5_000);
}

fn settings(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn production_refuses_low_entropy_keys_of_any_length() {
    use base64::Engine as _;
    let b64 = |k: &[u8]| base64::engine::general_purpose::STANDARD.encode(k);
    let weak: [Vec<u8>; 4] = [
        vec![0u8; 32],
        vec![b'a'; 64],
        b"0123456789abcdef0123456789abcdef".to_vec(),
        b"passwordpasswordpasswordpassword".to_vec(),
    ];
    for key in weak {
        let e = Config::from_source(&settings(&[
            ("SALESGRAPH_ENV", "production"),
            ("SALESGRAPH_JWT_KEYS", &format!("k:{}", b64(&key))),
        ]))
        .unwrap_err();
        assert!(e.0.contains("too weak"), "{key:?}: {e}");
        assert!(!e.0.contains(&b64(&key)), "the key is never echoed: {e}");
    }
    assert!(
        Config::from_source(&settings(&[
            ("SALESGRAPH_ENV", "production"),
            ("SALESGRAPH_JWT_KEYS", STRONG),
        ]))
        .is_ok()
    );
}

#[test]
fn development_serves_only_loopback_addresses() {
    for addr in ["0.0.0.0:8080", "192.168.1.10:8080", "[::]:8080"] {
        let e = Config::from_source(&settings(&[("SALESGRAPH_ADDR", addr)])).unwrap_err();
        assert!(e.0.contains("SALESGRAPH_ENV=production"), "{addr}: {e}");
    }
    for addr in ["127.0.0.1:8080", "[::1]:0"] {
        assert!(Config::from_source(&settings(&[("SALESGRAPH_ADDR", addr)])).is_ok());
    }
    let prod = Config::from_source(&settings(&[
        ("SALESGRAPH_ENV", "production"),
        ("SALESGRAPH_JWT_KEYS", STRONG),
        ("SALESGRAPH_ADDR", "0.0.0.0:8080"),
    ]));
    assert!(prod.is_ok());
}

/// Every variable `.env.example` lists is in the README's configuration table, by name
/// or under a documented pattern (`SALESGRAPH_MAX_*`, `SALESGRAPH_HANDOFF_SLA_HOURS_<KIND>`).
#[test]
fn the_readme_documents_every_variable() {
    let readme = include_str!("../../../README.md");
    let table: Vec<&str> = readme
        .lines()
        .filter(|l| l.starts_with("| `"))
        .flat_map(|l| l.split('`').skip(1).step_by(2))
        .collect();
    let documented = |var: &str| {
        table.iter().any(|t| {
            *t == var
                || t.find(['*', '<'])
                    .is_some_and(|cut| cut > 0 && var.starts_with(&t[..cut]))
        })
    };
    let missing: Vec<String> = include_str!("../../../.env.example")
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .filter_map(|l| l.split_once('=').map(|(k, _)| k.trim().to_string()))
        .filter(|k| !documented(k))
        .collect();
    assert!(missing.is_empty(), "not in the README's table: {missing:?}");
}
