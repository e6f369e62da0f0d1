//! The tracing subscriber: readable in development, JSON in production.

use tracing_subscriber::{EnvFilter, fmt, prelude::*};

use crate::config::{Config, Environment};

/// Installs the global subscriber once; later calls (tests) are ignored.
pub fn init(config: &Config) {
    let filter = EnvFilter::try_new(&config.log_filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let registry = tracing_subscriber::registry().with(filter);
    let _ = match config.env {
        Environment::Production => registry
            .with(fmt::layer().json().flatten_event(true))
            .try_init(),
        Environment::Development => registry.with(fmt::layer().compact()).try_init(),
    };
}

/// A client-supplied value made safe for a log line: control characters (a newline could
/// forge a line) are escaped, and the value is cut to a bounded length.
pub fn escaped(raw: &str) -> String {
    const MAX: usize = 200;
    let mut out = String::with_capacity(raw.len().min(MAX));
    for c in raw.chars().take(MAX) {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn control_characters_cannot_forge_a_line() {
        let s = super::escaped("op\nINFO forged\r\u{1b}[31m");
        assert!(!s.chars().any(char::is_control), "{s}");
        assert!(s.starts_with("op\\nINFO"), "{s}");
    }
}
