//! Money: exact minor units (cents) in storage, a decimal string at the API edge.

use rust_decimal::Decimal;

use crate::error::AppError;

/// The largest amount accepted: a trillion in the reporting currency.
const MAX_CENTS: i64 = 100_000_000_000_000;

pub fn to_decimal(cents: i64) -> Decimal {
    Decimal::new(cents, 2)
}

/// Parses a non-negative amount with at most two decimal places.
pub fn to_cents(value: Decimal, field: &str) -> Result<i64, AppError> {
    if value.is_sign_negative() && !value.is_zero() {
        return Err(AppError::bad_input(field, "must not be negative"));
    }
    let normalized = value.normalize();
    if normalized.scale() > 2 {
        return Err(AppError::bad_input(
            field,
            "has more than two decimal places",
        ));
    }
    // Checked: a decimal near its own maximum (7.9e28) overflows when scaled to
    // cents, and rust_decimal's `*` panics on overflow.
    let too_large = || AppError::bad_input(field, "is too large");
    let cents = normalized
        .checked_mul(Decimal::ONE_HUNDRED)
        .ok_or_else(too_large)?
        .trunc();
    let cents: i64 = cents.try_into().map_err(|_| too_large())?;
    if cents > MAX_CENTS {
        return Err(too_large());
    }
    Ok(cents)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn round_trips_and_refuses_bad_amounts() {
        assert_eq!(
            to_cents(Decimal::from_str("1234.5").unwrap(), "amount").unwrap(),
            123_450
        );
        assert_eq!(to_decimal(123_450).to_string(), "1234.50");
        assert_eq!(
            to_cents(Decimal::from_str("0").unwrap(), "amount").unwrap(),
            0
        );
        assert!(to_cents(Decimal::from_str("-1").unwrap(), "amount").is_err());
        assert!(to_cents(Decimal::from_str("1.005").unwrap(), "amount").is_err());
        assert!(to_cents(Decimal::from_str("1000000000000000").unwrap(), "amount").is_err());
    }

    #[test]
    fn the_largest_decimals_are_refused_not_a_panic() {
        for raw in [
            "79228162514264337593543950335",
            "10000000000000000000000000000",
            "7922816251426433759354395033.5",
        ] {
            let err = to_cents(Decimal::from_str(raw).unwrap(), "arr").unwrap_err();
            assert_eq!(err.code(), "BAD_USER_INPUT", "{raw}");
        }
        assert!(to_cents(Decimal::MAX, "arr").is_err());
        assert!(to_cents(Decimal::MIN, "arr").is_err());
    }
}
