//! Calendar dates and instants as the API and the databases both accept them: years
//! of four digits, 0001 to 9999 — what `YYYY-MM-DD` and RFC 3339 allow, and what
//! PostgreSQL and SQLite store and compare alike.

use chrono::{DateTime, Datelike, NaiveDate, Utc};

/// Whether a year is one RFC 3339 and ISO 8601 calendar dates write with four digits.
pub fn four_digit_year(year: i32) -> bool {
    (1..=9999).contains(&year)
}

/// `YYYY-MM-DD` with a year of 0001–9999, or why not.
pub fn parse_date(text: &str) -> Result<NaiveDate, String> {
    let well_formed = text.len() == 10 && text.as_bytes()[..4].iter().all(u8::is_ascii_digit);
    let date = NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .filter(|d| well_formed && four_digit_year(d.year()));
    date.ok_or_else(|| format!("`{text}` is not a date YYYY-MM-DD with a year from 0001 to 9999"))
}

/// RFC 3339 with a year of 0001–9999 (in UTC and as written), or why not.
pub fn parse_instant(text: &str) -> Result<DateTime<Utc>, String> {
    let written = text
        .as_bytes()
        .get(..5)
        .is_some_and(|head| head[..4].iter().all(u8::is_ascii_digit) && head[4] == b'-');
    let at = DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
        .filter(|t| written && four_digit_year(t.year()));
    at.ok_or_else(|| format!("`{text}` is not an RFC 3339 date-time with a year from 0001 to 9999"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_have_four_digit_years() {
        assert!(parse_date("2026-03-01").is_ok());
        assert!(parse_date("0001-01-01").is_ok());
        assert!(parse_date("9999-12-31").is_ok());
        for bad in [
            "-9999-01-01",
            "0000-01-01",
            "+2026-03-01",
            "12026-03-01",
            "2026-3-1",
            "2026-02-30",
        ] {
            assert!(parse_date(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn instants_have_four_digit_years() {
        assert!(parse_instant("2026-03-01T09:30:00Z").is_ok());
        assert!(parse_instant("2026-03-01T09:30:00.5+02:00").is_ok());
        for bad in [
            "-262143-01-01T00:00:00Z",
            "0000-01-01T00:00:00Z",
            "0001-01-01T00:30:00+01:00",
            "9999-12-31T23:30:00-01:00",
            "2026-03-01",
        ] {
            assert!(parse_instant(bad).is_err(), "{bad}");
        }
    }
}
