//! The one convention of every update input: an omitted field is left unchanged, an
//! explicit `null` clears it. Fields that cannot be empty refuse an explicit `null`
//! rather than silently ignoring it.

use async_graphql::MaybeUndefined;

use crate::error::AppError;

/// Omitted → `None` (unchanged); `null` → `Some(None)` (clear); a value → `Some(Some(v))`.
pub fn patch<T>(value: MaybeUndefined<T>) -> Option<Option<T>> {
    value.into()
}

/// As [`patch`], converting a given value (an id, an amount) on the way.
pub fn patch_with<T, U>(
    value: MaybeUndefined<T>,
    convert: impl FnOnce(T) -> Result<U, AppError>,
) -> Result<Option<Option<U>>, AppError> {
    match value {
        MaybeUndefined::Undefined => Ok(None),
        MaybeUndefined::Null => Ok(Some(None)),
        MaybeUndefined::Value(v) => convert(v).map(|u| Some(Some(u))),
    }
}

/// A field that always has a value: omitted → unchanged, `null` → `BAD_USER_INPUT`.
pub fn required<T>(value: MaybeUndefined<T>, field: &str) -> Result<Option<T>, AppError> {
    match value {
        MaybeUndefined::Undefined => Ok(None),
        MaybeUndefined::Null => Err(AppError::bad_input(field, "cannot be cleared")),
        MaybeUndefined::Value(v) => Ok(Some(v)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn omitted_null_and_value() {
        assert_eq!(patch::<i32>(MaybeUndefined::Undefined), None);
        assert_eq!(patch::<i32>(MaybeUndefined::Null), Some(None));
        assert_eq!(patch(MaybeUndefined::Value(3)), Some(Some(3)));
        assert_eq!(
            required::<i32>(MaybeUndefined::Undefined, "x").unwrap(),
            None
        );
        assert_eq!(
            required::<i32>(MaybeUndefined::Null, "x")
                .unwrap_err()
                .code(),
            "BAD_USER_INPUT"
        );
        let doubled = patch_with(MaybeUndefined::Value(2), |v| Ok(v * 2)).unwrap();
        assert_eq!(doubled, Some(Some(4)));
    }
}
