//! One declaration per GraphQL object type: its table and, per field, what it reads.

mod account;
mod opportunity;
mod user;

pub use account::ACCOUNT;
pub use opportunity::OPPORTUNITY;
pub use user::USER;

/// How a stored value becomes its GraphQL value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// As stored: text, enum names, integers, booleans.
    Plain,
    /// Integer cents, answered as a `Decimal` with two places.
    Money,
    /// A calendar date, `Date`.
    Date,
    /// An instant, `DateTime`.
    Instant,
}

/// What one field of a type reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// The row's global id (its `id` column and the type's name).
    Id,
    /// A column of the row.
    Stored {
        column: &'static str,
        encoding: Encoding,
    },
    /// The row of type `target` that this row's `key` column points to.
    ToOne {
        target: &'static str,
        key: &'static str,
    },
    /// The rows of type `target` that point to this row (a nested list).
    Children { target: &'static str },
    /// Computed by the type's resolver from these columns of the row.
    Derived { reads: &'static [&'static str] },
}

/// A GraphQL object type as rows of one table.
#[derive(Debug)]
pub struct TypeModel {
    /// The GraphQL type's name.
    pub name: &'static str,
    pub table: &'static str,
    /// Every field of the type that reads the row, by GraphQL name. A field missing
    /// here is not read from the row (or not known to read it): pages read every
    /// column for it, and the planner leaves its document to the resolvers.
    pub fields: &'static [(&'static str, Field)],
}

impl TypeModel {
    pub fn field(&self, name: &str) -> Option<Field> {
        self.fields
            .iter()
            .find_map(|(n, f)| (*n == name).then_some(*f))
    }

    /// The columns of the row that field `name` reads, or `None` when it is not
    /// declared.
    pub fn columns(&self, name: &str) -> Option<&'static [&'static str]> {
        let (_, field) = self.fields.iter().find(|(n, _)| *n == name)?;
        Some(match field {
            Field::Id | Field::Children { .. } => &["id"],
            Field::Stored { column, .. } => std::slice::from_ref(column),
            Field::ToOne { key, .. } => std::slice::from_ref(key),
            Field::Derived { reads } => reads,
        })
    }
}

/// A stored column as stored (`Plain`).
pub(super) const fn plain(column: &'static str) -> Field {
    Field::Stored {
        column,
        encoding: Encoding::Plain,
    }
}

/// A stored column with an encoding.
pub(super) const fn stored(column: &'static str, encoding: Encoding) -> Field {
    Field::Stored { column, encoding }
}

pub(super) const fn to_one(target: &'static str, key: &'static str) -> Field {
    Field::ToOne { target, key }
}

pub(super) const fn children(target: &'static str) -> Field {
    Field::Children { target }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_declared_column_exists_in_its_table() {
        use sea_orm::{EntityTrait, IdenStatic, Iterable};
        fn columns<E: EntityTrait>() -> Vec<&'static str> {
            E::Column::iter().map(|c| c.as_str()).collect()
        }
        for (model, table) in [
            (&ACCOUNT, columns::<entity::accounts::Entity>()),
            (&OPPORTUNITY, columns::<entity::opportunities::Entity>()),
            (&USER, columns::<entity::users::Entity>()),
        ] {
            for (name, _) in model.fields {
                for c in model.columns(name).unwrap_or_default() {
                    assert!(table.contains(c), "{}.{name} reads {c}", model.name);
                }
            }
        }
    }

    #[test]
    fn a_field_reads_its_column_or_key() {
        assert_eq!(OPPORTUNITY.columns("amount"), Some(&["amount_cents"][..]));
        assert_eq!(OPPORTUNITY.columns("owner"), Some(&["owner_id"][..]));
        assert_eq!(ACCOUNT.columns("opportunities"), Some(&["id"][..]));
        assert_eq!(ACCOUNT.columns("nope"), None);
    }
}
