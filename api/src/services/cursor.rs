//! Opaque keyset cursors: the sort key's value and the row's id, bound to the list (its
//! table) and its order (column and direction), so a cursor from another list or order
//! is refused rather than answered with a wrong page.

use std::borrow::Cow;

use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{SecondsFormat, Utc};
use sea_orm::{
    ColumnTrait, EntityTrait, IdenStatic, Value,
    sea_query::{ColumnType, OptionEnum},
};
use uuid::Uuid;

use crate::{domain::calendar, error::AppError};

/// Which list a cursor belongs to: a table, its sort column and direction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SortKey {
    pub list: &'static str,
    pub column: &'static str,
    pub descending: bool,
    /// The value kind the column holds (see `tag`), so a forged cursor cannot bind a
    /// value of another type.
    kind: char,
}

impl SortKey {
    pub fn of<E: EntityTrait>(column: E::Column, descending: bool) -> Self {
        let kind = match column.def().get_column_type() {
            ColumnType::Char(_) | ColumnType::String(_) | ColumnType::Text => 's',
            ColumnType::Enum { .. } => 's',
            ColumnType::TinyInteger
            | ColumnType::SmallInteger
            | ColumnType::Integer
            | ColumnType::BigInteger => 'i',
            ColumnType::Date => 'd',
            ColumnType::DateTime | ColumnType::Timestamp | ColumnType::TimestampWithTimeZone => 't',
            ColumnType::Uuid => 'u',
            ColumnType::Boolean => 'b',
            // String-backed enums and other custom types compare as text.
            _ => 's',
        };
        Self {
            list: E::default().table_name(),
            column: column.as_str(),
            descending,
            kind,
        }
    }
}

/// A position in a list: the row's sort key and id.
#[derive(Debug, Clone, PartialEq)]
pub struct Cursor {
    pub list: Cow<'static, str>,
    pub column: Cow<'static, str>,
    pub descending: bool,
    pub key: Value,
    pub id: Value,
}

const VERSION: &str = "k1";

impl Cursor {
    pub fn of_row(key: &SortKey, value: Value, id: Value) -> Self {
        Self {
            list: Cow::Borrowed(key.list),
            column: Cow::Borrowed(key.column),
            descending: key.descending,
            key: value,
            id,
        }
    }

    pub fn key_is_null(&self) -> bool {
        tag(&self.key).is_none()
    }

    pub fn encode(&self) -> String {
        let dir = if self.descending { "d" } else { "a" };
        let id = tag(&self.id).unwrap_or_else(|| "n".into());
        let key = tag(&self.key).unwrap_or_else(|| "n".into());
        // The key goes last: it is the only part that may contain the separator.
        URL_SAFE_NO_PAD.encode(format!(
            "{VERSION}|{}|{}|{dir}|{id}|{key}",
            self.list, self.column
        ))
    }

    /// Parses a cursor; `field` names the argument in the error.
    pub fn decode(raw: &str, field: &str) -> Result<Self, AppError> {
        let bad = || AppError::bad_input(field, format!("{field} is not a valid cursor"));
        let text = URL_SAFE_NO_PAD
            .decode(raw)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .ok_or_else(bad)?;
        let parts: Vec<&str> = text.splitn(6, '|').collect();
        let [version, list, column, dir, id, key] = parts[..] else {
            return Err(bad());
        };
        if version != VERSION || list.is_empty() || column.is_empty() {
            return Err(bad());
        }
        let descending = match dir {
            "a" => false,
            "d" => true,
            _ => return Err(bad()),
        };
        // Every list's rows are keyed by a UUID: any other id would reach SQL as a
        // comparison of a uuid with another type.
        let id = untag(id).ok_or_else(bad)?;
        if !matches!(id, Value::Uuid(Some(_))) {
            return Err(bad());
        }
        Ok(Self {
            list: Cow::Owned(list.to_owned()),
            column: Cow::Owned(column.to_owned()),
            descending,
            key: untag(key).ok_or_else(bad)?,
            id,
        })
    }

    /// This cursor, if it was issued by the list and order `key`.
    pub fn check(self, key: &SortKey, field: &str) -> Result<Self, AppError> {
        if self.list != key.list || self.column != key.column || self.descending != key.descending {
            return Err(AppError::bad_input(
                field,
                format!("{field} is a cursor of another list or sort order"),
            ));
        }
        match tag(&self.key) {
            Some(t) if !t.starts_with(key.kind) => Err(AppError::bad_input(
                field,
                format!("{field} is not a valid cursor"),
            )),
            _ => Ok(self),
        }
    }
}

/// `kind:text` for a non-null value, `None` for NULL.
fn tag(v: &Value) -> Option<String> {
    Some(match v {
        Value::Bool(Some(b)) => format!("b:{}", u8::from(*b)),
        Value::TinyInt(Some(n)) => format!("i:{n}"),
        Value::SmallInt(Some(n)) => format!("i:{n}"),
        Value::Int(Some(n)) => format!("i:{n}"),
        Value::BigInt(Some(n)) => format!("i:{n}"),
        Value::String(Some(s)) => format!("s:{s}"),
        Value::Enum(OptionEnum::Some(e)) => format!("s:{}", e.value),
        Value::ChronoDate(Some(d)) => format!("d:{}", d.format("%Y-%m-%d")),
        Value::ChronoDateTimeUtc(Some(t)) => {
            format!("t:{}", t.to_rfc3339_opts(SecondsFormat::AutoSi, true))
        }
        Value::ChronoDateTimeWithTimeZone(Some(t)) => format!(
            "t:{}",
            t.with_timezone(&Utc)
                .to_rfc3339_opts(SecondsFormat::AutoSi, true)
        ),
        Value::Uuid(Some(u)) => format!("u:{u}"),
        _ => return None,
    })
}

fn untag(text: &str) -> Option<Value> {
    if text == "n" {
        return Some(Value::String(None));
    }
    let (kind, rest) = text.split_once(':')?;
    Some(match kind {
        "b" => Value::Bool(Some(rest == "1")),
        "i" => Value::BigInt(Some(rest.parse().ok()?)),
        "s" => Value::String(Some(rest.to_owned())),
        "d" => Value::ChronoDate(Some(calendar::parse_date(rest).ok()?)),
        "t" => Value::ChronoDateTimeUtc(Some(calendar::parse_instant(rest).ok()?)),
        "u" => Value::Uuid(Some(rest.parse::<Uuid>().ok()?)),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> SortKey {
        SortKey::of::<entity::accounts::Entity>(entity::accounts::Column::Name, false)
    }

    #[test]
    fn round_trips_and_binds_to_its_list() {
        let id = Value::Uuid(Some(Uuid::new_v4()));
        let c = Cursor::of_row(&key(), Value::String(Some("a|b".into())), id.clone());
        let back = Cursor::decode(&c.encode(), "after").unwrap();
        assert_eq!(back, c);
        assert!(back.clone().check(&key(), "after").is_ok());
        let other = SortKey::of::<entity::accounts::Entity>(entity::accounts::Column::Name, true);
        assert!(back.clone().check(&other, "after").is_err());
        let other = SortKey::of::<entity::leads::Entity>(entity::leads::Column::CompanyName, false);
        assert!(back.check(&other, "after").is_err());
        let null = Cursor::of_row(&key(), Value::String(None), id);
        assert!(
            Cursor::decode(&null.encode(), "after")
                .unwrap()
                .key_is_null()
        );
    }

    #[test]
    fn refuses_garbage() {
        for raw in [
            "nope",
            "",
            "azE",
            &URL_SAFE_NO_PAD.encode("k1|accounts|name|a|n|s:x"),
            // Ids of another type, and dates no database holds.
            &URL_SAFE_NO_PAD.encode("k1|accounts|name|a|i:5|s:x"),
            &URL_SAFE_NO_PAD.encode("k1|accounts|name|a|s:x|s:x"),
            &URL_SAFE_NO_PAD.encode("k1|accounts|name|a|b:1|s:x"),
            &URL_SAFE_NO_PAD.encode(
                "k1|opportunities|close_date|a|u:8c1b6c3e-1f7e-4a53-9d0c-2d3e4f5a6b7c|d:-9999-01-01",
            ),
            &URL_SAFE_NO_PAD.encode(
                "k1|handoffs|updated_at|a|u:8c1b6c3e-1f7e-4a53-9d0c-2d3e4f5a6b7c|t:+262143-01-01T00:00:00Z",
            ),
        ] {
            assert!(Cursor::decode(raw, "after").is_err(), "{raw}");
        }
    }
}
