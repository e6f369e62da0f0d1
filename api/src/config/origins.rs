//! Browser access settings: the CORS origins and the extra request headers they may
//! send, each checked for its syntax at start.

use super::ConfigError;

/// `x-tenant,x-feature-flags`: HTTP header names (RFC 9110 tokens), lower-cased.
pub(super) fn header_names(raw: Option<String>) -> Result<Vec<String>, ConfigError> {
    let mut names = Vec::new();
    for h in raw.iter().flat_map(|r| r.split(',')).map(str::trim) {
        if h.is_empty() {
            continue;
        }
        if !h
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
        {
            return Err(ConfigError(format!(
                "SALESGRAPH_CORS_ALLOW_HEADERS: `{h}` is not a header name"
            )));
        }
        names.push(h.to_ascii_lowercase());
    }
    Ok(names)
}

/// `https://app.example.com,http://localhost:5173`: exact origins (scheme, host and
/// port), as browsers send them in `Origin`.
pub(super) fn cors_origins(raw: Option<String>) -> Result<Vec<String>, ConfigError> {
    let mut origins = Vec::new();
    for o in raw.iter().flat_map(|r| r.split(',')).map(str::trim) {
        if o.is_empty() {
            continue;
        }
        let valid = (o.starts_with("https://") || o.starts_with("http://"))
            && !o.ends_with('/')
            && o.split_once("://").is_some_and(|(_, host)| {
                !host.is_empty() && !host.contains('/') && !host.contains('*')
            });
        if !valid {
            return Err(ConfigError(format!(
                "SALESGRAPH_CORS_ORIGINS: `{o}` is not an origin like https://app.example.com"
            )));
        }
        origins.push(o.to_string());
    }
    Ok(origins)
}
