//! The spec cache in IndexedDB: SafeProfiles and specs only, never a row.
//!
//! One object store, `specs`, keyed by the SafeProfile's full hash and the strictness.
//! Entries are found the way the relay finds its own ([`shared::fingerprint`]): the
//! same SafeProfile, or one of the same structure with nearly the same features. They
//! survive reloads and are removed only from the cache panel.
//!
//! IndexedDB's API is callbacks on request objects; [`done`] turns one request into a
//! future. That is all this needs, so it is written here rather than pulling in a
//! wrapper crate.

use serde::{Deserialize, Serialize};
use shared::SafeProfile;
use shared::contract::{CachedSpec, Provenance, Strictness, best_cached};
use shared::fingerprint::Match;
use shared::spec::Spec;
use wasm_bindgen::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{IdbDatabase, IdbRequest, IdbTransactionMode};

const DB_NAME: &str = "byod";
// Entries written before the core's CachedSpec (no `cached` field) do not parse and are
// skipped by [`all`]; the cache panel's Clear removes them.
const DB_VERSION: u32 = 1;
const STORE: &str = "specs";

/// One cached spec: the core's [`CachedSpec`] (the same as the relay keeps) plus this
/// browser's bookkeeping.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// `FULLHASH-STRICTNESS`: one entry per SafeProfile and strictness.
    pub key: String,
    /// When stored, ms since 1970.
    pub created_ms: f64,
    /// When last reused, ms since 1970.
    pub used_ms: f64,
    /// Times reused.
    pub hits: u32,
    /// The SafeProfile, the spec and their keys.
    pub cached: CachedSpec,
    /// Its size as read from the store (0 for a new entry).
    #[serde(skip)]
    pub stored_bytes: u64,
}

impl Entry {
    /// A new entry, made now, for a spec from `provenance`.
    pub fn new(
        safe: SafeProfile,
        strictness: Strictness,
        spec: Spec,
        provenance: Provenance,
    ) -> Entry {
        let mut cached = CachedSpec::new(safe, strictness, spec, provenance.source);
        cached.edited = provenance.edited;
        Entry {
            key: cached.key(),
            created_ms: js_sys::Date::now(),
            used_ms: js_sys::Date::now(),
            hits: 0,
            cached,
            stored_bytes: 0,
        }
    }

    /// Who wrote the spec, as the page says it.
    pub fn provenance(&self) -> Provenance {
        Provenance {
            source: self.cached.source,
            reused: false,
            edited: self.cached.edited,
            by_relay: false,
        }
    }

    /// Its size as stored (its JSON), in bytes.
    pub fn bytes(&self) -> u64 {
        if self.stored_bytes > 0 {
            return self.stored_bytes;
        }
        serde_json::to_string(self).map_or(0, |s| s.len() as u64)
    }
}

/// A cache hit.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// The entry.
    pub entry: Entry,
    /// Exact or similar.
    pub kind: Match,
    /// 1 for exact.
    pub similarity: f64,
}

/// The best entry for this SafeProfile and strictness, if any.
pub fn find(entries: Vec<Entry>, safe: &SafeProfile, strictness: Strictness) -> Option<Hit> {
    let (kind, similarity, entry) =
        best_cached(entries.iter().map(|e| (&e.cached, e)), safe, strictness)?;
    Some(Hit {
        entry: entry.clone(),
        kind,
        similarity,
    })
}

fn js(e: JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.dyn_ref::<web_sys::DomException>().map(|e| e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| format!("{e:?}"))
}

/// Waits for an IndexedDB request to succeed (its result) or fail (its error).
async fn done(request: &IdbRequest) -> Result<JsValue, String> {
    let promise = js_sys::Promise::new(&mut |resolve, reject| {
        let ok = Closure::once_into_js(move |e: web_sys::Event| {
            let result = e
                .target()
                .and_then(|t| t.dyn_into::<IdbRequest>().ok())
                .and_then(|r| r.result().ok())
                .unwrap_or(JsValue::UNDEFINED);
            let _ = resolve.call1(&JsValue::NULL, &result);
        });
        let fail = Closure::once_into_js(move |e: web_sys::Event| {
            let error = e
                .target()
                .and_then(|t| t.dyn_into::<IdbRequest>().ok())
                .and_then(|r| r.error().ok().flatten())
                .map_or(JsValue::from_str("IndexedDB failed"), JsValue::from);
            let _ = reject.call1(&JsValue::NULL, &error);
        });
        request.set_onsuccess(Some(ok.unchecked_ref()));
        request.set_onerror(Some(fail.unchecked_ref()));
    });
    wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .map_err(js)
}

async fn open() -> Result<IdbDatabase, String> {
    let unavailable = |why: String| format!("the browser's storage is not available ({why})");
    let factory = web_sys::window()
        .ok_or("no window")?
        .indexed_db()
        .map_err(|e| unavailable(js(e)))?
        .ok_or_else(|| unavailable("IndexedDB is off, as in some private windows".into()))?;
    let request = factory
        .open_with_u32(DB_NAME, DB_VERSION)
        .map_err(|e| unavailable(js(e)))?;
    let upgrade = Closure::once_into_js(move |e: web_sys::Event| {
        let db = e
            .target()
            .and_then(|t| t.dyn_into::<IdbRequest>().ok())
            .and_then(|r| r.result().ok())
            .and_then(|r| r.dyn_into::<IdbDatabase>().ok());
        // Version 1 is the first: upgrading means creating the store.
        if let Some(db) = db {
            let params = web_sys::IdbObjectStoreParameters::new();
            params.set_key_path(&JsValue::from_str("key"));
            let _ = db.create_object_store_with_optional_parameters(STORE, &params);
        }
    });
    request.set_onupgradeneeded(Some(upgrade.unchecked_ref()));
    done(&request).await?.dyn_into().map_err(js)
}

fn store(db: &IdbDatabase, mode: IdbTransactionMode) -> Result<web_sys::IdbObjectStore, String> {
    db.transaction_with_str_and_mode(STORE, mode)
        .and_then(|t| t.object_store(STORE))
        .map_err(js)
}

/// Every entry (unreadable ones, from another version, are skipped).
pub async fn all() -> Result<Vec<Entry>, String> {
    let db = open().await?;
    let values = done(
        &store(&db, IdbTransactionMode::Readonly)?
            .get_all()
            .map_err(js)?,
    )
    .await?;
    db.close();
    Ok(js_sys::Array::from(&values)
        .iter()
        .filter_map(|v| js_sys::JSON::stringify(&v).ok()?.as_string())
        .filter_map(|json| {
            let mut entry: Entry = serde_json::from_str(&json).ok()?;
            entry.stored_bytes = json.len() as u64;
            Some(entry)
        })
        .collect())
}

/// Stores an entry (replacing one with the same key).
pub async fn put(entry: &Entry) -> Result<(), String> {
    let json = serde_json::to_string(entry).map_err(|e| e.to_string())?;
    let value = js_sys::JSON::parse(&json).map_err(js)?;
    let db = open().await?;
    done(
        &store(&db, IdbTransactionMode::Readwrite)?
            .put(&value)
            .map_err(js)?,
    )
    .await?;
    db.close();
    Ok(())
}

/// Removes entries stored more than `days` ago (every entry with `None`); returns how
/// many went.
pub async fn clear(older_than_days: Option<f64>) -> Result<usize, String> {
    let now = js_sys::Date::now();
    let entries = all().await?;
    let db = open().await?;
    let store = store(&db, IdbTransactionMode::Readwrite)?;
    // Every request is made before the first wait: a transaction ends once it has no
    // pending request at the end of a task.
    let mut requests = Vec::new();
    for e in &entries {
        let age_days = (now - e.created_ms) / 86_400_000.0;
        if older_than_days.is_none_or(|d| age_days > d) {
            requests.push(store.delete(&JsValue::from_str(&e.key)).map_err(js)?);
        }
    }
    let removed = requests.len();
    if older_than_days.is_none() {
        // Entries another version could not read go too.
        requests.push(store.clear().map_err(js)?);
    }
    for r in &requests {
        done(r).await?;
    }
    db.close();
    Ok(removed)
}
