//! Company web domains, normalized so `https://www.Globex.example/about` and
//! `globex.example` are the same company.

use crate::error::AppError;

pub fn normalize(raw: &str, field: &str) -> Result<String, AppError> {
    let mut d = raw.trim().to_ascii_lowercase();
    for prefix in ["https://", "http://"] {
        if let Some(rest) = d.strip_prefix(prefix) {
            d = rest.to_string();
        }
    }
    if let Some(rest) = d.strip_prefix("www.") {
        d = rest.to_string();
    }
    if let Some(i) = d.find(['/', '?', '#']) {
        d.truncate(i);
    }
    let d = d.trim_end_matches('.').to_string();
    let valid = !d.is_empty()
        && d.len() <= 253
        && d.contains('.')
        && d.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
    if !valid {
        return Err(AppError::bad_input(
            field,
            format!("`{raw}` is not a valid domain"),
        ));
    }
    Ok(d)
}

/// An ISO 3166 alpha-2 code, upper-cased.
pub fn country(raw: &str, field: &str) -> Result<String, AppError> {
    let c = raw.trim().to_ascii_uppercase();
    if c.len() == 2 && c.chars().all(|ch| ch.is_ascii_uppercase()) {
        Ok(c)
    } else {
        Err(AppError::bad_input(
            field,
            format!("`{raw}` is not a two-letter country code"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes() {
        assert_eq!(
            normalize("https://www.Globex.example/about", "d").unwrap(),
            "globex.example"
        );
        assert_eq!(normalize("globex.example.", "d").unwrap(), "globex.example");
        for bad in ["", "globex", "-a.example", "a b.example", "a..example"] {
            assert!(normalize(bad, "d").is_err(), "{bad}");
        }
        assert_eq!(country(" us ", "c").unwrap(), "US");
        assert!(country("USA", "c").is_err());
    }
}
