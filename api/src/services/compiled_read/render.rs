//! From the statement's rows to the response's `data`, as JSON text: connections with
//! their edges, cursors and page info, global ids and money encoded as the resolvers
//! encode them. It reads the statement's JSON once, walking the plan alongside, and
//! writes the answer as it goes: the stored values the answer shows unchanged (names,
//! enums, numbers, dates) are copied as the JSON text the database wrote, so no value
//! tree is built, neither of the rows nor of the answer (the resolvers' path builds
//! one and async-graphql serializes it).
use std::fmt;

use chrono::NaiveDate;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use uuid::Uuid;

use super::{Conn, ConnField, EdgeField, Field, Obj, PageInfoField, Plan, Scalar, Table};
use crate::{
    domain::{GlobalId, money},
    services::page::Cursor,
};

pub(super) fn data(plan: &Plan, text: &str) -> Result<String, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(text);
    let mut out = String::with_capacity(text.len() + text.len() / 2);
    Root {
        plan,
        out: &mut out,
    }
    .deserialize(&mut de)?;
    de.end()?;
    Ok(out)
}

/// The next key of a record, which must be `expected`: PostgreSQL writes a record's
/// keys in the order of its SELECT list, which is the plan's order.
fn key<'de, A: MapAccess<'de>>(map: &mut A, expected: &str) -> Result<(), A::Error> {
    match map.next_key::<&str>()? {
        Some(k) if k == expected => Ok(()),
        found => Err(de::Error::custom(format_args!(
            "expected the key {expected}, found {found:?}"
        ))),
    }
}

/// `"key":` (keys are GraphQL names and aliases: nothing to escape).
fn push_key(out: &mut String, first: bool, k: &str) {
    if !first {
        out.push(',');
    }
    out.push('"');
    out.push_str(k);
    out.push_str("\":");
}

/// A string that needs no escaping (base64url, decimals).
fn push_plain_str(out: &mut String, s: &str) {
    out.push('"');
    out.push_str(s);
    out.push('"');
}

/// The statement's one object: each root list under its response key.
struct Root<'p, 'o> {
    plan: &'p Plan,
    out: &'o mut String,
}

impl<'de> DeserializeSeed<'de> for Root<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Root<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the planned lists")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        self.out.push('{');
        for (i, (k, conn)) in self.plan.roots.iter().enumerate() {
            key(&mut map, k)?;
            let rows = map.next_value_seed(Rows { conn })?;
            push_key(self.out, i == 0, k);
            connection(self.out, conn, rows).map_err(de::Error::custom)?;
        }
        self.out.push('}');
        no_more(map)
    }
}

fn no_more<'de, A: MapAccess<'de>>(mut map: A) -> Result<(), A::Error> {
    match map.next_key::<IgnoredAny>()? {
        None => Ok(()),
        Some(_) => Err(de::Error::custom("a key the plan does not have")),
    }
}

/// A row as written into the answer, and what its cursor is made of (when a cursor
/// is selected).
struct Row {
    node: String,
    cursor: Option<(Option<String>, Uuid)>,
}

/// A page's rows (a JSON array of records).
struct Rows<'p> {
    conn: &'p Conn,
}

impl<'de> DeserializeSeed<'de> for Rows<'_> {
    type Value = Vec<Row>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Vec<Row>, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Rows<'_> {
    type Value = Vec<Row>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a page of rows")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<Row>, A::Error> {
        let seed = Record {
            table: self.conn.table,
            obj: self.conn.node(),
            cursor: self.conn.wants_cursors(),
        };
        let mut rows = Vec::with_capacity(usize::try_from(self.conn.first).unwrap_or(0) + 1);
        while let Some(row) = seq.next_element_seed(seed)? {
            rows.push(row);
        }
        Ok(rows)
    }
}

/// One record: the selected fields of `obj` in order, then (for a list's row whose
/// cursors are selected) its sort key `__k` and id `__i`.
#[derive(Clone, Copy)]
struct Record<'p> {
    table: Table,
    obj: Option<&'p Obj>,
    cursor: bool,
}

impl<'de> DeserializeSeed<'de> for Record<'_> {
    type Value = Row;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Row, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Record<'_> {
    type Value = Row;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a row")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Row, A::Error> {
        let mut node = String::with_capacity(160);
        node.push('{');
        let fields = self.obj.map_or(&[][..], |o| &o.fields[..]);
        for (i, (k, f)) in fields.iter().enumerate() {
            push_key(&mut node, i == 0, k);
            if matches!(f, Field::Typename) {
                push_plain_str(&mut node, self.table.type_name());
                continue;
            }
            key(&mut map, k)?;
            match f {
                Field::Scalar(Scalar::Column(_) | Scalar::Date(_)) => {
                    node.push_str(map.next_value::<&RawValue>()?.get());
                }
                Field::Scalar(Scalar::GlobalId) => {
                    let id = uuid(&mut map)?;
                    push_plain_str(&mut node, &GlobalId::encode(self.table.type_name(), id));
                }
                Field::Scalar(Scalar::Money(_)) => match map.next_value::<Option<i64>>()? {
                    Some(cents) => push_plain_str(&mut node, &money::to_decimal(cents).to_string()),
                    None => node.push_str("null"),
                },
                Field::ToOne { table, obj, .. } => {
                    let seed = Record {
                        table: *table,
                        obj: Some(obj),
                        cursor: false,
                    };
                    match map.next_value_seed(Nullable(seed))? {
                        Some(row) => node.push_str(&row.node),
                        None => node.push_str("null"),
                    }
                }
                Field::Children(conn) => {
                    let rows = map.next_value_seed(Rows { conn })?;
                    connection(&mut node, conn, rows).map_err(de::Error::custom)?;
                }
                Field::Typename => {}
            }
        }
        node.push('}');
        let cursor = if self.cursor {
            key(&mut map, "__k")?;
            let k = map.next_value::<Option<String>>()?;
            key(&mut map, "__i")?;
            let id = uuid(&mut map)?;
            Some((k, id))
        } else {
            None
        };
        no_more(map)?;
        Ok(Row { node, cursor })
    }
}

/// The next value, a row id as the statement writes it (PostgreSQL's uuid text,
/// SQLite's blob in hex).
fn uuid<'de, A: MapAccess<'de>>(map: &mut A) -> Result<Uuid, A::Error> {
    Uuid::parse_str(map.next_value::<&str>()?).map_err(de::Error::custom)
}

/// `null`, or what `seed` reads.
struct Nullable<S>(S);

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for Nullable<S> {
    type Value = Option<S::Value>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de, S: DeserializeSeed<'de>> Visitor<'de> for Nullable<S> {
    type Value = Option<S::Value>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("null or a row")
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        self.0.deserialize(d).map(Some)
    }
}

/// Writes the connection the schema serves from a page's rows (one more than the
/// page when `hasNextPage` is selected).
fn connection(out: &mut String, conn: &Conn, mut rows: Vec<Row>) -> Result<(), String> {
    let first = usize::try_from(conn.first).map_err(|e| e.to_string())?;
    let has_next = rows.len() > first;
    rows.truncate(first);
    let cursors: Vec<String> = if conn.wants_cursors() {
        rows.iter()
            .map(|r| cursor(conn.table, r))
            .collect::<Result<_, _>>()?
    } else {
        Vec::new()
    };
    let cursor_or_null = |c: Option<&String>| match c {
        Some(c) => format!("\"{c}\""),
        None => "null".to_owned(),
    };
    out.push('{');
    for (i, (k, f)) in conn.fields.iter().enumerate() {
        push_key(out, i == 0, k);
        match f {
            ConnField::Edges(edge) => {
                out.push('[');
                for (j, row) in rows.iter().enumerate() {
                    if j > 0 {
                        out.push(',');
                    }
                    out.push('{');
                    for (m, (ek, ef)) in edge.iter().enumerate() {
                        push_key(out, m == 0, ek);
                        match ef {
                            EdgeField::Cursor => {
                                push_plain_str(out, cursors.get(j).ok_or("no cursor")?)
                            }
                            EdgeField::Node(_) => out.push_str(&row.node),
                            EdgeField::Typename => {
                                push_plain_str(out, conn.table.connection_types().1)
                            }
                        }
                    }
                    out.push('}');
                }
                out.push(']');
            }
            ConnField::Nodes(_) => {
                out.push('[');
                for (j, row) in rows.iter().enumerate() {
                    if j > 0 {
                        out.push(',');
                    }
                    out.push_str(&row.node);
                }
                out.push(']');
            }
            ConnField::PageInfo(info) => {
                out.push('{');
                for (m, (pk, pf)) in info.iter().enumerate() {
                    push_key(out, m == 0, pk);
                    match pf {
                        PageInfoField::HasNextPage => out.push_str(bool_text(has_next)),
                        PageInfoField::HasPreviousPage => {
                            out.push_str(bool_text(conn.after.is_some()))
                        }
                        PageInfoField::StartCursor => {
                            out.push_str(&cursor_or_null(cursors.first()))
                        }
                        PageInfoField::EndCursor => out.push_str(&cursor_or_null(cursors.last())),
                        PageInfoField::Typename => push_plain_str(out, "PageInfo"),
                    }
                }
                out.push('}');
            }
            ConnField::Typename => push_plain_str(out, conn.table.connection_types().0),
        }
    }
    out.push('}');
    Ok(())
}

fn bool_text(b: bool) -> &'static str {
    if b { "true" } else { "false" }
}

/// The cursor the resolvers give this row (its sort key and id, in the list's
/// default order).
fn cursor(table: Table, row: &Row) -> Result<String, String> {
    let (k, id) = row.cursor.as_ref().ok_or("a row without its cursor")?;
    let key = table.sort_key();
    let value = match (key.column, k) {
        ("close_date", Some(d)) => sea_orm::Value::ChronoDate(Some(
            NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|e| e.to_string())?,
        )),
        ("close_date", None) => sea_orm::Value::ChronoDate(None),
        (_, k) => sea_orm::Value::String(k.clone()),
    };
    Ok(Cursor::of_row(&key, value, sea_orm::Value::Uuid(Some(*id))).encode())
}
