//! Persisted operations. Apollo's automatic persisted queries (APQ): a client sends a
//! document's SHA-256 instead of its text and the text only when the server asks for it
//! (`PERSISTED_QUERY_NOT_FOUND`); the texts are kept in a cache bounded in bytes. And a
//! trusted-documents mode for production: only the documents of a file registered at
//! build time run (sent by hash, as `documentId` or APQ's hash), nothing else.
//!
//! Resolution happens before any other check, so every limit runs on the document that
//! will execute, whichever way it arrived.

use std::{
    collections::{HashMap, VecDeque},
    sync::{Arc, Mutex, PoisonError},
};

use async_graphql::{Request, Value};
use sha2::{Digest, Sha256};

use crate::error::AppError;

/// Where `documentId` (a top-level request field, not part of async-graphql's
/// `Request`) travels from the HTTP body to resolution.
pub const DOCUMENT_ID_KEY: &str = "documentId";

pub struct PersistedDocuments {
    /// Trusted mode when set: hash (lower-case hex) → document.
    trusted: Option<HashMap<String, Arc<str>>>,
    cache: Mutex<Cache>,
}

/// Documents by hash, evicted oldest first once their texts pass `max_bytes`.
struct Cache {
    docs: HashMap<String, Arc<str>>,
    order: VecDeque<String>,
    bytes: usize,
    max_bytes: usize,
}

impl Cache {
    fn insert(&mut self, hash: String, doc: Arc<str>) {
        if doc.len() > self.max_bytes || self.docs.contains_key(&hash) {
            return;
        }
        self.bytes += doc.len();
        self.docs.insert(hash.clone(), doc);
        self.order.push_back(hash);
        while self.bytes > self.max_bytes {
            let Some(old) = self.order.pop_front() else {
                break;
            };
            if let Some(d) = self.docs.remove(&old) {
                self.bytes -= d.len();
            }
        }
    }
}

/// Moves a trusted document's `documentId` into the extensions, where resolution finds it.
pub fn carry_document_id(item: &mut serde_json::Value) {
    let Some(obj) = item.as_object_mut() else {
        return;
    };
    if let Some(id) = obj.remove(DOCUMENT_ID_KEY) {
        let ext = obj
            .entry("extensions")
            .or_insert_with(|| serde_json::Value::Object(Default::default()));
        if let Some(ext) = ext.as_object_mut() {
            ext.insert(DOCUMENT_ID_KEY.into(), id);
        }
    }
}

pub fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `sha256:<hex>` or bare hex, as graphql-codegen and Apollo write them.
fn normalize_hash(raw: &str) -> Option<String> {
    let hex = raw
        .strip_prefix("sha256:")
        .unwrap_or(raw)
        .to_ascii_lowercase();
    (hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit())).then_some(hex)
}

impl PersistedDocuments {
    pub fn new(
        trusted: Option<HashMap<String, String>>,
        cache_bytes: usize,
    ) -> Result<Self, String> {
        let trusted = match trusted {
            None => None,
            Some(entries) => {
                let mut docs = HashMap::with_capacity(entries.len());
                for (key, doc) in entries {
                    let hash = normalize_hash(&key)
                        .ok_or_else(|| format!("`{key}` is not a sha256 hash"))?;
                    if sha256_hex(&doc) != hash {
                        return Err(format!("the document of `{key}` does not have that hash"));
                    }
                    docs.insert(hash, Arc::from(doc));
                }
                Some(docs)
            }
        };
        Ok(Self {
            trusted,
            cache: Mutex::new(Cache {
                docs: HashMap::new(),
                order: VecDeque::new(),
                bytes: 0,
                max_bytes: cache_bytes,
            }),
        })
    }

    /// Reads a trusted-documents file: a JSON object of hash → document.
    pub fn load_trusted(path: &std::path::Path) -> Result<HashMap<String, String>, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        serde_json::from_str(&text).map_err(|e| {
            format!(
                "{} is not a JSON object of hash → document: {e}",
                path.display()
            )
        })
    }

    pub fn is_trusted_mode(&self) -> bool {
        self.trusted.is_some()
    }

    /// Puts the document to execute into `request.query`, or says why there is none.
    pub fn resolve(&self, request: &mut Request) -> Result<(), AppError> {
        let document_id = request
            .extensions
            .remove(DOCUMENT_ID_KEY)
            .map(|v| match v {
                Value::String(s) => Ok(s),
                _ => Err(AppError::bad_input("documentId", "must be a string")),
            })
            .transpose()?;
        let apq_hash = match request.extensions.get("persistedQuery") {
            None => None,
            Some(pq) => Some(apq_hash(pq)?),
        };
        let hash = match (&document_id, apq_hash) {
            (Some(id), _) => Some(
                normalize_hash(id)
                    .ok_or_else(|| AppError::bad_input("documentId", "is not a sha256 hash"))?,
            ),
            (None, hash) => hash,
        };
        if let Some(trusted) = &self.trusted {
            let doc = hash.and_then(|h| trusted.get(&h).cloned()).ok_or_else(|| {
                match (&document_id, request.query.is_empty()) {
                    // A hash alone asks for its text; the text will be refused next.
                    (_, true) => AppError::PersistedQueryNotFound,
                    _ => AppError::Forbidden(
                        "this server runs only operations registered at build time".into(),
                    ),
                }
            })?;
            request.query = doc.to_string();
            return Ok(());
        }
        let Some(hash) = hash else {
            return Ok(());
        };
        let mut cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
        if request.query.is_empty() {
            let doc = cache
                .docs
                .get(&hash)
                .cloned()
                .ok_or(AppError::PersistedQueryNotFound)?;
            request.query = doc.to_string();
        } else {
            if sha256_hex(&request.query) != hash {
                return Err(AppError::bad_input(
                    "extensions.persistedQuery.sha256Hash",
                    "does not match the query's SHA-256",
                ));
            }
            cache.insert(hash, Arc::from(request.query.as_str()));
        }
        Ok(())
    }
}

/// APQ's `{ "version": 1, "sha256Hash": "<hex>" }`.
fn apq_hash(pq: &Value) -> Result<String, AppError> {
    let field = "extensions.persistedQuery";
    let Value::Object(pq) = pq else {
        return Err(AppError::bad_input(field, "must be an object"));
    };
    match pq.get("version") {
        Some(Value::Number(n)) if n.as_i64() == Some(1) => {}
        _ => return Err(AppError::bad_input(field, "only version 1 is supported")),
    }
    match pq.get("sha256Hash") {
        Some(Value::String(h)) => {
            normalize_hash(h).ok_or_else(|| AppError::bad_input(field, "sha256Hash is not a hash"))
        }
        _ => Err(AppError::bad_input(field, "sha256Hash is required")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apq(hash: &str) -> Value {
        let mut m = async_graphql::indexmap::IndexMap::new();
        m.insert(async_graphql::Name::new("version"), Value::from(1));
        m.insert(async_graphql::Name::new("sha256Hash"), Value::from(hash));
        Value::Object(m)
    }

    fn hashed(query: &str, hash: &str) -> Request {
        let mut r = Request::new(query);
        r.extensions.insert("persistedQuery".into(), apq(hash));
        r
    }

    #[test]
    fn apq_asks_for_the_text_once_then_runs_by_hash() {
        let store = PersistedDocuments::new(None, 1 << 20).unwrap();
        let q = "{ __typename }";
        let h = sha256_hex(q);
        let err = store.resolve(&mut hashed("", &h)).unwrap_err();
        assert_eq!(err.code(), "PERSISTED_QUERY_NOT_FOUND");
        store.resolve(&mut hashed(q, &h)).unwrap();
        let mut r = hashed("", &h);
        store.resolve(&mut r).unwrap();
        assert_eq!(r.query, q);
        // A text that does not match its hash is refused, not stored.
        let err = store.resolve(&mut hashed("{ me { id } }", &h)).unwrap_err();
        assert_eq!(err.code(), "BAD_USER_INPUT");
    }

    #[test]
    fn the_cache_is_bounded_in_bytes() {
        let store = PersistedDocuments::new(None, 40).unwrap();
        let (a, b) = ("{ a: __typename }", "{ b: __typename }");
        for q in [a, b, "{ c: __typename }"] {
            store.resolve(&mut hashed(q, &sha256_hex(q))).unwrap();
        }
        assert!(store.cache.lock().unwrap().bytes <= 40);
        // The oldest went first.
        assert!(store.resolve(&mut hashed("", &sha256_hex(a))).is_err());
        assert!(store.resolve(&mut hashed("", &sha256_hex(b))).is_ok());
    }

    #[test]
    fn trusted_mode_runs_only_registered_documents() {
        let q = "query Me { me { id } }";
        let trusted = HashMap::from([(format!("sha256:{}", sha256_hex(q)), q.to_string())]);
        let store = PersistedDocuments::new(Some(trusted), 1 << 20).unwrap();
        let mut r = Request::new("");
        r.extensions.insert(
            DOCUMENT_ID_KEY.into(),
            Value::from(format!("sha256:{}", sha256_hex(q))),
        );
        store.resolve(&mut r).unwrap();
        assert_eq!(r.query, q);
        let mut by_apq = hashed("", &sha256_hex(q));
        store.resolve(&mut by_apq).unwrap();
        assert_eq!(by_apq.query, q);
        // Free text, or registering a new hash, is refused.
        let other = "{ __typename }";
        assert_eq!(
            store.resolve(&mut Request::new(other)).unwrap_err().code(),
            "FORBIDDEN"
        );
        assert_eq!(
            store
                .resolve(&mut hashed(other, &sha256_hex(other)))
                .unwrap_err()
                .code(),
            "FORBIDDEN"
        );
        assert_eq!(
            store
                .resolve(&mut hashed("", &sha256_hex(other)))
                .unwrap_err()
                .code(),
            "PERSISTED_QUERY_NOT_FOUND"
        );
        // A file whose hash does not match its document is refused at start.
        let bad = HashMap::from([(sha256_hex("x"), q.to_string())]);
        assert!(PersistedDocuments::new(Some(bad), 1).is_err());
    }
}
