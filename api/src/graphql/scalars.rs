//! The schema's own scalars for calendar dates (`Date`) and instants (`DateTime`):
//! the library's chrono scalars accept any year chrono can hold (`-9999-01-01`,
//! `+262143-…`), which the databases cannot store or compare. Here a value is refused
//! while the scalar is parsed unless its year has four digits, 0001 to 9999 — what
//! `YYYY-MM-DD` and RFC 3339 allow — so such input never reaches a resolver or SQL.

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};
use chrono::{DateTime as ChronoDateTime, NaiveDate, Utc};

use crate::domain::calendar::{parse_date, parse_instant};

/// A calendar date, `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(pub NaiveDate);

/// An instant, RFC 3339; kept in UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DateTime(pub ChronoDateTime<Utc>);

#[Scalar(name = "Date")]
impl ScalarType for Date {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) => parse_date(s).map(Date).map_err(InputValueError::custom),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.format("%Y-%m-%d").to_string())
    }
}

#[Scalar(name = "DateTime")]
impl ScalarType for DateTime {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) => parse_instant(s)
                .map(DateTime)
                .map_err(InputValueError::custom),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.to_rfc3339())
    }
}

impl From<NaiveDate> for Date {
    fn from(d: NaiveDate) -> Self {
        Date(d)
    }
}

impl From<Date> for NaiveDate {
    fn from(d: Date) -> Self {
        d.0
    }
}

impl From<ChronoDateTime<Utc>> for DateTime {
    fn from(t: ChronoDateTime<Utc>) -> Self {
        DateTime(t)
    }
}

impl From<DateTime> for ChronoDateTime<Utc> {
    fn from(t: DateTime) -> Self {
        t.0
    }
}

/// Names where each `Date` or `DateTime` refused while parsing was given: the library
/// says only which input type held it, so the refused text (quoted in the message) is
/// looked up among the request's arguments and variables. Each such error becomes
/// `BAD_USER_INPUT` with `extensions.field`.
pub fn name_refused_values(
    errors: &mut [async_graphql::ServerError],
    query: &str,
    variables: &async_graphql::Variables,
) {
    let refused = |m: &str| {
        m.starts_with("Failed to parse \"Date\"") || m.starts_with("Failed to parse \"DateTime\"")
    };
    if !errors.iter().any(|e| refused(&e.message)) {
        return;
    }
    let Ok(doc) = async_graphql::parser::parse_query(query) else {
        return;
    };
    for e in errors.iter_mut().filter(|e| refused(&e.message)) {
        let text = e.message.split('`').nth(1).unwrap_or_default();
        let field = super::edge::field_holding(&doc, variables, text);
        let ext = e.extensions.get_or_insert_with(Default::default);
        ext.set("code", crate::error::code_for_uncoded_error());
        if let Some(field) = field {
            ext.set("field", field);
        }
    }
}
