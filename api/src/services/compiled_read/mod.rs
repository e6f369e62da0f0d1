//! A whole nested read in one statement (PostgreSQL and SQLite, `statement.rs` writes
//! each dialect): a planned selection of lists, their
//! rows' fields, the objects they point to and their nested lists becomes one SELECT,
//! each level filtered by its scope from the policy. Which documents can be planned is
//! `graphql::compiled`'s decision; every other document takes the resolvers' path, which
//! answers the same (`tests/api/compiled.rs`).
//!
//! PostgreSQL does what it is fast at: each level's rows come from the same keyset page
//! the resolvers read (`page::ordered`, `page::beyond`, one row more than asked for when
//! `hasNextPage` is selected) as plain records aggregated into a JSON array, the
//! stored values raw. The server does the rest while it reads the statement's JSON
//! (`render`): Relay's edges and page info, global ids, cursors and money, as the
//! resolvers encode them, written straight into the answer's JSON. (Building all of it
//! in SQL, measured, cost PostgreSQL twice the rows' own work: `json_build_object` per
//! object and base64 per id.) The statement's LIMITs are written into its text
//! (`sql::select`), so PostgreSQL keeps its plan. A level's table keeps its
//! own name as its alias, so the scope conditions the policy writes against that table
//! apply unchanged, and a nested level refers to its parent row by the parent's table
//! name, which always names the nearest enclosing level of that table.

use entity::{accounts, opportunities, users};
use sea_orm::{Condition, ConnectionTrait};

use super::{
    page::{Cursor, SortKey},
    sql,
};
use crate::{
    auth::{Actor, policy},
    error::{AppError, AppResult},
    read::{TypeModel, model},
};

/// The tables a planned read reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    Accounts,
    Opportunities,
    Users,
}

impl Table {
    /// The read model's declaration of the table's type.
    pub fn model(self) -> &'static TypeModel {
        match self {
            Table::Accounts => &model::ACCOUNT,
            Table::Opportunities => &model::OPPORTUNITY,
            Table::Users => &model::USER,
        }
    }

    /// The planned table of GraphQL type `name`, if it is one.
    pub fn of(name: &str) -> Option<Self> {
        [Table::Accounts, Table::Opportunities, Table::Users]
            .into_iter()
            .find(|t| t.model().name == name)
    }

    fn table_name(self) -> &'static str {
        self.model().table
    }

    /// The GraphQL type its rows are, for global ids and `__typename`.
    fn type_name(self) -> &'static str {
        self.model().name
    }

    /// The types of a list of its rows and of that list's edges, for `__typename`.
    fn connection_types(self) -> (&'static str, &'static str) {
        match self {
            Table::Accounts => ("AccountConnection", "AccountEdge"),
            Table::Opportunities => ("OpportunityConnection", "OpportunityEdge"),
            Table::Users => ("UserConnection", "UserEdge"),
        }
    }

    /// The order a list of this table is read in when no `orderBy` is given (the
    /// resolvers' default), which binds its cursors.
    pub fn sort_key(self) -> SortKey {
        match self {
            Table::Accounts => SortKey::of::<accounts::Entity>(accounts::Column::Name, false),
            Table::Opportunities => {
                SortKey::of::<opportunities::Entity>(opportunities::Column::CloseDate, false)
            }
            Table::Users => SortKey::of::<users::Entity>(users::Column::Name, false),
        }
    }

    /// The rows of this table the actor may see.
    fn scope(self, actor: &Actor) -> Condition {
        match self {
            Table::Accounts => policy::account_scope(actor),
            Table::Opportunities => policy::opportunity_scope(actor),
            Table::Users => policy::user_scope(actor),
        }
    }
}

/// A planned read: the root lists, each under its response key.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub roots: Vec<(String, Conn)>,
}

impl Plan {
    /// Whether some row reads an object or a list of its own (what the one statement
    /// saves the resolvers' loaders).
    pub fn nests(&self) -> bool {
        fn obj(o: &Obj) -> bool {
            o.fields
                .iter()
                .any(|(_, f)| matches!(f, Field::ToOne { .. } | Field::Children(_)))
        }
        self.roots.iter().any(|(_, c)| c.node().is_some_and(obj))
    }
}

/// One page of a list (a Relay connection), paged forward in the default order.
#[derive(Debug, Clone, PartialEq)]
pub struct Conn {
    pub table: Table,
    pub first: u64,
    /// A cursor already checked against `table.sort_key()`.
    pub after: Option<Cursor>,
    pub fields: Vec<(String, ConnField)>,
}

impl Conn {
    /// Whether `pageInfo { hasNextPage }` is selected.
    pub fn wants_has_next(&self) -> bool {
        self.fields.iter().any(|(_, f)| {
            matches!(f, ConnField::PageInfo(info)
                if info.iter().any(|(_, p)| *p == PageInfoField::HasNextPage))
        })
    }

    /// Whether some cursor is selected (`edges { cursor }`, `pageInfo { startCursor
    /// endCursor }`): only then does the statement return each row's sort key and id.
    pub fn wants_cursors(&self) -> bool {
        self.fields.iter().any(|(_, f)| match f {
            ConnField::Edges(edge) => edge.iter().any(|(_, e)| *e == EdgeField::Cursor),
            ConnField::PageInfo(info) => info
                .iter()
                .any(|(_, p)| matches!(p, PageInfoField::StartCursor | PageInfoField::EndCursor)),
            ConnField::Nodes(_) | ConnField::Typename => false,
        })
    }

    /// The rows' selected fields: under `edges { node }` or `nodes` (the planner allows
    /// one of them per connection).
    pub fn node(&self) -> Option<&Obj> {
        self.fields.iter().find_map(|(_, f)| match f {
            ConnField::Edges(edge) => edge.iter().find_map(|(_, e)| match e {
                EdgeField::Node(obj) => Some(obj),
                EdgeField::Cursor | EdgeField::Typename => None,
            }),
            ConnField::Nodes(obj) => Some(obj),
            ConnField::PageInfo(_) | ConnField::Typename => None,
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum ConnField {
    Edges(Vec<(String, EdgeField)>),
    Nodes(Obj),
    PageInfo(Vec<(String, PageInfoField)>),
    /// `__typename` (what clients such as Apollo's add to every selection): written by
    /// the server, never read from the statement, as in `EdgeField`, `PageInfoField`
    /// and `Field`.
    Typename,
}

#[derive(Debug, Clone, PartialEq)]
pub enum EdgeField {
    Cursor,
    Node(Obj),
    Typename,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageInfoField {
    HasNextPage,
    HasPreviousPage,
    StartCursor,
    EndCursor,
    Typename,
}

/// An object's selected fields, in response order.
#[derive(Debug, Clone, PartialEq)]
pub struct Obj {
    pub fields: Vec<(String, Field)>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Field {
    Scalar(Scalar),
    /// The row of `table` this row's `fk` column points to, `null` when out of scope.
    ToOne {
        table: Table,
        fk: &'static str,
        obj: Obj,
    },
    /// This row's children in `conn.table` (a nested list).
    Children(Conn),
    /// `__typename`: the table's type.
    Typename,
}

/// How a column becomes its GraphQL value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scalar {
    /// As stored: text, enum names, integers, booleans.
    Column(&'static str),
    /// The row's Relay global id.
    GlobalId,
    /// Cents as a decimal string with two places (`Decimal::new(cents, 2)`).
    Money(&'static str),
    /// An ISO 8601 date.
    Date(&'static str),
}

/// The most keys one `json_build_object` call takes (PostgreSQL passes at most 100
/// arguments to a function); the planner leaves larger objects to the resolvers.
pub const MAX_KEYS: usize = 50;

/// Runs the plan: the response's `data` as JSON text, or `None` when the actor may not
/// read one of its root lists (the resolvers then answer with the proper error).
#[tracing::instrument(skip_all, fields(actor = %actor.user_id))]
pub async fn run<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    plan: &Plan,
) -> AppResult<Option<String>> {
    let Some(dialect) = Dialect::of(db.get_database_backend()) else {
        return Ok(None);
    };
    let Some(stmt) = statement(actor, plan, dialect) else {
        return Ok(None);
    };
    let Some(row) = db
        .query_one_raw(sql::select(dialect.backend(), &stmt))
        .await?
    else {
        return Ok(None);
    };
    let text: String = row.try_get_by_index(0)?;
    render::data(plan, &text).map(Some).map_err(|e| {
        AppError::internal(format!("a planned read's rows did not match its plan: {e}"))
    })
}

mod render;
mod statement;

pub use statement::{Dialect, statement};

#[cfg(test)]
mod tests;
