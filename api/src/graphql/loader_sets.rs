//! One set of DataLoaders per field path of a request (list indices aside), so that a
//! batch only ever holds the keys of one level of one branch of the query.
//!
//! A DataLoader dispatches its batch a moment after its first key. When one loader
//! served several levels — a territory's accounts and its children's accounts — the
//! next level's keys joined the previous level's batch or not depending on whether
//! their parents' statement came back before that batch left, which varies with load:
//! the same query cost 10 statements one time and 11 the next. The keys of one path
//! all come from one parent statement and so arrive together; giving each path its
//! own loaders makes the number of statements a property of the query alone.

use std::{
    collections::HashMap,
    hash::{DefaultHasher, Hash, Hasher},
    sync::{Arc, Mutex, PoisonError},
};

use async_graphql::{QueryPathNode, QueryPathSegment};
use sea_orm::DatabaseConnection;

use super::loaders::{LoaderSet, Scope};
use crate::auth::Actor;

/// The loaders of one request: a [`LoaderSet`] per field path, made on first use.
pub struct Loaders {
    scope: Arc<Scope>,
    sets: Mutex<HashMap<u64, Arc<LoaderSet>>>,
}

impl Loaders {
    pub fn new(db: DatabaseConnection, actor: Option<Actor>) -> Self {
        Self {
            scope: Arc::new(Scope::new(db, actor)),
            sets: Mutex::new(HashMap::new()),
        }
    }

    /// The loaders for the field at `path` (the field being resolved).
    pub fn at(&self, path: Option<&QueryPathNode<'_>>) -> Arc<LoaderSet> {
        let mut sets = self.sets.lock().unwrap_or_else(PoisonError::into_inner);
        sets.entry(shape(path))
            .or_insert_with(|| Arc::new(LoaderSet::new(&self.scope)))
            .clone()
    }
}

/// A field path's response keys (aliases included), list indices left out: every
/// element of a list shares its siblings' loaders, and nothing else does.
fn shape(mut path: Option<&QueryPathNode<'_>>) -> u64 {
    let mut hasher = DefaultHasher::new();
    while let Some(node) = path {
        if let QueryPathSegment::Name(name) = node.segment {
            name.hash(&mut hasher);
        }
        path = node.parent;
    }
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path_shape(segments: &[QueryPathSegment<'_>]) -> u64 {
        fn build(parent: Option<&QueryPathNode<'_>>, rest: &[QueryPathSegment<'_>]) -> u64 {
            match rest.split_first() {
                None => shape(parent),
                Some((segment, rest)) => build(
                    Some(&QueryPathNode {
                        parent,
                        segment: *segment,
                    }),
                    rest,
                ),
            }
        }
        build(None, segments)
    }

    #[test]
    fn list_elements_share_a_shape_and_levels_do_not() {
        use QueryPathSegment::{Index, Name};
        let accounts_of = |i| {
            path_shape(&[
                Name("territory"),
                Name("children"),
                Name("nodes"),
                Index(i),
                Name("accounts"),
            ])
        };
        assert_eq!(accounts_of(0), accounts_of(7));
        assert_ne!(
            accounts_of(0),
            path_shape(&[Name("territory"), Name("accounts")])
        );
        // Aliases are separate branches, resolved at their own pace.
        assert_ne!(
            path_shape(&[Name("a"), Name("accounts")]),
            path_shape(&[Name("b"), Name("accounts")])
        );
        // Names are kept apart: `ab.c` is not `a.bc`.
        assert_ne!(
            path_shape(&[Name("ab"), Name("c")]),
            path_shape(&[Name("a"), Name("bc")])
        );
    }
}
