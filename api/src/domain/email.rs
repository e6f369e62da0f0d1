//! `Email`: a normalized (trimmed, lower-cased) address, the key for users and login throttling.

use crate::error::AppError;

pub const MAX_EMAIL_LEN: usize = 254;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    /// Normalizes and checks the shape; `field` names the input in the error.
    pub fn parse(raw: &str, field: &str) -> Result<Self, AppError> {
        let value = raw.trim().to_lowercase();
        if value.is_empty() {
            return Err(AppError::bad_input(field, "email is required"));
        }
        if value.len() > MAX_EMAIL_LEN {
            return Err(AppError::bad_input(
                field,
                format!("email is longer than {MAX_EMAIL_LEN} characters"),
            ));
        }
        let valid = match value.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && local.len() <= 64
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !domain.contains("..")
                    && !domain.contains('@')
                    && value.chars().all(|c| !c.is_whitespace() && !c.is_control())
            }
            None => false,
        };
        if !valid {
            return Err(AppError::bad_input(field, "is not a valid email address"));
        }
        Ok(Email(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_case_and_space() {
        assert_eq!(
            Email::parse("  Ana@Demo.Example ", "email")
                .unwrap()
                .as_str(),
            "ana@demo.example"
        );
    }

    #[test]
    fn rejects_malformed() {
        for bad in [
            "",
            "ana",
            "ana@",
            "@demo.example",
            "ana@demo",
            "a b@demo.example",
            "a@@b.c",
            "a@b..c",
        ] {
            assert!(Email::parse(bad, "email").is_err(), "{bad:?} accepted");
        }
        assert!(Email::parse(&format!("{}@x.io", "a".repeat(260)), "email").is_err());
    }
}
