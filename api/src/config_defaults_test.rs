//! `.env.example` documents every default: read as settings it must change nothing, in
//! development and in production alike (so the documented query limits are the
//! production defaults).

use std::collections::HashMap;

use super::Config;

fn example() -> HashMap<String, String> {
    include_str!("../../.env.example")
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .filter_map(|l| l.split_once('='))
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect()
}

const STRONG: &str = "k:q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJCrze8SNFZ4kA==";

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
