//! Headless Chromium for the tests that need a real browser. Tests that need it say so
//! loudly when it is missing, and never skip under `CI=true` (`.ci/run` installs it).

pub mod cdp;
mod graphiql;

use std::path::PathBuf;

/// The Chromium binary, or `None` (after saying so) when a developer has none.
pub fn chromium(test: &str) -> Option<PathBuf> {
    let found = ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .flat_map(|name| {
            std::env::var_os("PATH")
                .map(|p| {
                    std::env::split_paths(&p)
                        .map(|d| d.join(name))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
        .find(|p| p.is_file());
    if found.is_none() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{test}: Chromium is required under CI (apt-get install chromium)"
        );
        eprintln!("SKIPPED {test}: no Chromium on PATH (apt-get install chromium)");
    }
    found
}
