//! A territory's placement criteria as given: checked and normalised before they are
//! stored.

use crate::{
    domain::{criteria::Criteria, text},
    error::{AppError, AppResult},
};
/// Checks and normalizes criteria: ISO country codes, bounded industry names, a sane band.
pub fn validate_criteria(c: Criteria) -> AppResult<Criteria> {
    let mut countries = Vec::new();
    for raw in c.countries {
        let code = raw.trim().to_ascii_uppercase();
        if code.len() != 2 || !code.chars().all(|ch| ch.is_ascii_uppercase()) {
            return Err(AppError::bad_input(
                "criteria.countries",
                format!("`{raw}` is not a two-letter country code"),
            ));
        }
        if !countries.contains(&code) {
            countries.push(code);
        }
    }
    let mut industries = Vec::new();
    for raw in c.industries {
        let name = text::required(&raw, "criteria.industries", 100)?;
        if !industries.contains(&name) {
            industries.push(name);
        }
    }
    if c.min_employees.is_some_and(|m| m < 0) || c.max_employees.is_some_and(|m| m < 0) {
        return Err(AppError::bad_input(
            "criteria.minEmployees",
            "employee counts must not be negative",
        ));
    }
    if let (Some(min), Some(max)) = (c.min_employees, c.max_employees)
        && min > max
    {
        return Err(AppError::bad_input(
            "criteria.maxEmployees",
            "must not be below minEmployees",
        ));
    }
    if countries.len() > 250 || industries.len() > 100 {
        return Err(AppError::bad_input("criteria", "too many entries"));
    }
    Ok(Criteria {
        countries,
        industries,
        ..c
    })
}
