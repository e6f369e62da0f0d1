//! Checks for free-text inputs: required, trimmed, bounded.

use crate::error::AppError;

/// A trimmed, non-empty string of at most `max` characters.
pub fn required(raw: &str, field: &str, max: usize) -> Result<String, AppError> {
    let value = raw.trim();
    if value.is_empty() {
        return Err(AppError::bad_input(field, format!("{field} is required")));
    }
    bounded(value, field, max).map(str::to_string)
}

pub fn bounded<'a>(value: &'a str, field: &str, max: usize) -> Result<&'a str, AppError> {
    if value.chars().count() > max {
        return Err(AppError::bad_input(
            field,
            format!("{field} is longer than {max} characters"),
        ));
    }
    Ok(value)
}

/// Password rules of the security spec: 12 to 128 characters.
pub const PASSWORD_MIN: usize = 12;
pub const PASSWORD_MAX: usize = 128;

pub fn password(raw: &str, field: &str) -> Result<(), AppError> {
    let len = raw.chars().count();
    if len < PASSWORD_MIN {
        return Err(AppError::bad_input(
            field,
            format!("password must be at least {PASSWORD_MIN} characters"),
        ));
    }
    if len > PASSWORD_MAX {
        return Err(AppError::bad_input(
            field,
            format!("password must be at most {PASSWORD_MAX} characters"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_length_bounds() {
        assert!(password(&"x".repeat(11), "password").is_err());
        assert!(password(&"x".repeat(12), "password").is_ok());
        assert!(password(&"x".repeat(128), "password").is_ok());
        assert!(password(&"x".repeat(129), "password").is_err());
    }

    #[test]
    fn required_trims_and_bounds() {
        assert_eq!(required("  Ana ", "name", 10).unwrap(), "Ana");
        assert!(required("   ", "name", 10).is_err());
        assert!(required("abcdefghijk", "name", 10).is_err());
    }
}
