//! Settings parsed from a map: defaults, production's refusals, named bad values.

use base64::Engine as _;

use super::{keys::DEV_SIGNING_KEY, *};

fn cfg(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Config::from_source(&map)
}

const STRONG: &str = "5yntPscwppJG5oYoTr/YgtYV4b+R/7US+LMdCb52pcQ="; // 32 random bytes

#[test]
fn defaults_match_the_spec() {
    let c = cfg(&[]).unwrap();
    assert_eq!(c.addr.to_string(), "127.0.0.1:8080");
    assert_eq!(c.database_url, "sqlite://salesgraph.db?mode=rwc");
    assert!(c.graphiql && c.introspection && c.seed_demo);
    assert_eq!(c.keys.current_kid, "dev");
    assert_eq!(c.fiscal_year_start_month, 1);
    let feb = cfg(&[("SALESGRAPH_FISCAL_YEAR_START_MONTH", "2")]).unwrap();
    assert_eq!(feb.fiscal_year_start_month, 2);
}

#[test]
fn production_refuses_missing_weak_or_dev_keys() {
    let e = cfg(&[("SALESGRAPH_ENV", "production")]).unwrap_err();
    assert!(e.0.contains("required"), "{e}");
    let e = cfg(&[
        ("SALESGRAPH_ENV", "production"),
        ("SALESGRAPH_JWT_KEYS", "k1:c2hvcnQ="),
    ])
    .unwrap_err();
    assert!(e.0.contains("too weak"), "{e}");
    let dev = base64::engine::general_purpose::STANDARD.encode(DEV_SIGNING_KEY);
    let e = cfg(&[
        ("SALESGRAPH_ENV", "production"),
        ("SALESGRAPH_JWT_KEYS", &format!("k:{dev}")),
    ])
    .unwrap_err();
    assert!(e.0.contains("development key"), "{e}");
    let c = cfg(&[
        ("SALESGRAPH_ENV", "production"),
        ("SALESGRAPH_JWT_KEYS", &format!("new:{STRONG},old:{STRONG}")),
    ])
    .unwrap();
    assert_eq!(c.keys.current_kid, "new");
    assert_eq!(c.keys.keys.len(), 2);
    assert!(!c.graphiql && !c.introspection && !c.seed_demo);
    assert!(!format!("{c:?}").contains(STRONG));
}

#[test]
fn metrics_move_to_a_loopback_address_in_development() {
    assert_eq!(
        cfg(&[("SALESGRAPH_METRICS_ADDR", "127.0.0.1:9090")])
            .unwrap()
            .metrics_addr
            .map(|a| a.port()),
        Some(9090)
    );
    let e = cfg(&[("SALESGRAPH_METRICS_ADDR", "0.0.0.0:9090")]).unwrap_err();
    assert!(e.0.contains("loopback"), "{e}");
    assert!(cfg(&[("SALESGRAPH_METRICS_ADDR", "nowhere")]).is_err());
}

#[test]
fn bad_values_are_named() {
    for (k, v) in [
        ("SALESGRAPH_ADDR", "nowhere"),
        ("SALESGRAPH_ENV", "staging"),
        ("DATABASE_URL", "mysql://x"),
        ("SALESGRAPH_ACCESS_TOKEN_TTL_SECS", "ten"),
        ("SALESGRAPH_ARGON2_MEMORY_KIB", "1024"),
        ("SALESGRAPH_GRAPHIQL", "maybe"),
        ("SALESGRAPH_JWT_KEYS", "no-colon"),
        ("SALESGRAPH_FISCAL_YEAR_START_MONTH", "13"),
        ("SALESGRAPH_FISCAL_YEAR_START_MONTH", "feb"),
    ] {
        let e = cfg(&[(k, v)]).unwrap_err();
        assert!(
            e.0.contains(k) || k == "SALESGRAPH_ADDR" && e.0.contains("SALESGRAPH_ADDR"),
            "{k}: {e}"
        );
    }
}
