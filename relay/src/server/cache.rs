//! The server-side spec cache: SafeProfiles and specs only, indexed in memory and kept
//! in `LOCAL_CACHE_PATH` (readable by the relay's user only) when `USE_LOCAL_STORAGE`
//! is on.
//!
//! A relay may serve several clients, and a spec made from one client's SafeProfile
//! carries that client's category values. So:
//! - an **exact** match (the same full hash: the caller already holds the very same
//!   SafeProfile, so the spec tells it nothing new) is served to anyone;
//! - a **similar** match (same structure, nearly the same statistics) is served only
//!   within the namespace of the token that stored it, and never to callers without a
//!   token;
//! - a spec that does not compile is never stored (nor served, if one is found on disk);
//! - entries, bytes and age are bounded, the oldest going first.
//!
//! The row count is a generation parameter: a cached spec's `default_rows` is replaced
//! by the caller's.

use serde::{Deserialize, Serialize};
use shared::SafeProfile;
use shared::contract::{CacheMatch, CachedSpec, SpecSource, Strictness, best_cached};
pub use shared::fingerprint::SIMILAR;
use shared::spec::Spec;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

/// 3: the spec and its keys as the core's [`CachedSpec`], shared with the page's cache.
const ENTRY_VERSION: u32 = 3;
/// A cache file larger than this is not a spec of ours: it is not read.
const MAX_FILE_BYTES: u64 = 16 << 20;

/// Who is asking: the hash of their access token, or nobody in particular.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Namespace(Option<String>);

impl Namespace {
    /// A caller without a token: exact matches only.
    pub fn anonymous() -> Self {
        Namespace(None)
    }

    /// A caller with this token (only its hash is kept).
    pub fn of_token(token: &str) -> Self {
        use sha2::Digest;
        let digest = sha2::Sha256::digest(token.as_bytes());
        Namespace(Some(
            digest.iter().take(12).map(|b| format!("{b:02x}")).collect(),
        ))
    }

    fn key(&self) -> &str {
        self.0.as_deref().unwrap_or("-")
    }
}

/// One cached spec: the core's [`CachedSpec`] plus who stored it and when.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// Entry format version.
    pub version: u32,
    /// Seconds since 1970 when stored.
    pub created_unix: u64,
    /// The namespace that stored it (`-` for callers without a token).
    pub namespace: String,
    /// The SafeProfile, the spec and their keys.
    pub cached: CachedSpec,
}

impl Entry {
    fn file_name(&self) -> String {
        format!(
            "{}-{:03}-{}.json",
            &self.cached.fingerprint.full_hash[..32.min(self.cached.fingerprint.full_hash.len())],
            (self.cached.strictness * 100.0).round() as u32,
            self.namespace
        )
    }
}

/// A cached spec served for a request.
#[derive(Debug, Clone)]
pub struct Hit {
    /// The spec, with the caller's row count.
    pub spec: Spec,
    /// How it matched.
    pub matched: CacheMatch,
}

/// Bounds of the cache.
#[derive(Debug, Clone, Copy)]
pub struct Bounds {
    /// Most entries.
    pub entries: usize,
    /// Most bytes (of serialized entries).
    pub bytes: u64,
    /// Oldest entry used.
    pub max_age: Duration,
}

/// The cache: an in-memory index, mirrored to a folder when one is given.
#[derive(Debug)]
pub struct SpecCache {
    dir: Option<PathBuf>,
    bounds: Bounds,
    entries: Mutex<Vec<(Entry, u64)>>,
}

/// Seconds since 1970, read at the server's edge.
#[allow(clippy::disallowed_methods)] // the relay is an I/O edge: it may read the clock
pub fn now_unix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn compiles(spec: &Spec) -> bool {
    shared::plan::compile(spec).is_ok()
}

impl SpecCache {
    /// A cache kept in this folder (None: in memory only), loading what the folder
    /// holds: entries of this version whose spec compiles, within the bounds.
    pub fn new(dir: Option<PathBuf>, bounds: Bounds) -> Self {
        let cache = SpecCache {
            dir,
            bounds,
            entries: Mutex::new(Vec::new()),
        };
        if let Some(dir) = &cache.dir {
            let mut loaded = load(dir);
            loaded.sort_by_key(|(e, _)| e.created_unix);
            let mut entries = cache.lock();
            *entries = loaded;
            drop(entries);
            cache.evict();
        }
        cache
    }

    /// The folder, when the cache is kept on disk.
    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<(Entry, u64)>> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The best cached spec for this SafeProfile and strictness, for this caller.
    pub fn lookup(&self, p: &SafeProfile, strictness: Strictness, ns: &Namespace) -> Option<Hit> {
        let wanted_hash = shared::fingerprint::full_hash(p);
        let oldest = now_unix().saturating_sub(self.bounds.max_age.as_secs());
        let entries = self.lock();
        let candidates = entries
            .iter()
            .map(|(e, _)| e)
            .filter(|e| e.created_unix >= oldest)
            .filter(|e| {
                // Exact matches from anyone; similar ones only from the same token.
                e.cached.fingerprint.full_hash == wanted_hash
                    || (ns.0.is_some() && e.namespace == ns.key())
            })
            .map(|e| (&e.cached, e));
        let (kind, similarity, e) = best_cached(candidates, p, strictness)?;
        let mut spec = e.cached.spec.clone();
        spec.default_rows = p.row_count;
        Some(Hit {
            spec,
            matched: CacheMatch {
                kind,
                similarity,
                source: e.cached.source,
                created_unix: e.created_unix,
            },
        })
    }

    /// Stores a spec for this SafeProfile and strictness (replacing this namespace's
    /// older one). A spec that does not compile is not stored.
    pub fn store(
        &self,
        p: &SafeProfile,
        strictness: Strictness,
        spec: &Spec,
        source: SpecSource,
        ns: &Namespace,
    ) -> std::io::Result<bool> {
        if !compiles(spec) {
            return Ok(false);
        }
        let entry = Entry {
            version: ENTRY_VERSION,
            created_unix: now_unix(),
            namespace: ns.key().to_string(),
            cached: CachedSpec::new(p.clone(), strictness, spec.clone(), source),
        };
        let bytes = serde_json::to_vec(&entry)?;
        if bytes.len() as u64 > MAX_FILE_BYTES.min(self.bounds.bytes) {
            return Ok(false);
        }
        if let Some(dir) = &self.dir {
            write_private(dir, &entry.file_name(), &bytes)?;
        }
        let mut entries = self.lock();
        entries.retain(|(e, _)| e.file_name() != entry.file_name());
        entries.push((entry, bytes.len() as u64));
        drop(entries);
        self.evict();
        Ok(true)
    }

    /// Drops the oldest entries past the bounds (and past the age limit).
    fn evict(&self) {
        let oldest = now_unix().saturating_sub(self.bounds.max_age.as_secs());
        let mut entries = self.lock();
        let mut gone = Vec::new();
        entries.retain(|(e, _)| {
            let keep = e.created_unix >= oldest;
            if !keep {
                gone.push(e.file_name());
            }
            keep
        });
        while entries.len() > self.bounds.entries
            || entries.iter().map(|(_, b)| b).sum::<u64>() > self.bounds.bytes
        {
            let (e, _) = entries.remove(0);
            gone.push(e.file_name());
        }
        drop(entries);
        if let Some(dir) = &self.dir {
            for name in gone {
                let _ = std::fs::remove_file(dir.join(name));
            }
        }
    }

    /// Removes this namespace's entries older than `days` (all of them with None);
    /// returns how many.
    pub fn clear(&self, older_than_days: Option<f64>, ns: &Namespace) -> std::io::Result<usize> {
        let now = now_unix();
        let mut entries = self.lock();
        let mut gone = Vec::new();
        entries.retain(|(e, _)| {
            let age_days = now.saturating_sub(e.created_unix) as f64 / 86_400.0;
            let remove = e.namespace == ns.key() && older_than_days.is_none_or(|d| age_days > d);
            if remove {
                gone.push(e.file_name());
            }
            !remove
        });
        drop(entries);
        if let Some(dir) = &self.dir {
            for name in &gone {
                match std::fs::remove_file(dir.join(name)) {
                    Ok(()) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => return Err(e),
                }
            }
        }
        Ok(gone.len())
    }

    /// How many entries there are.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Reads the folder's entries: this version, a sane size, a spec that compiles.
fn load(dir: &Path) -> Vec<(Entry, u64)> {
    let Ok(read) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    read.flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .filter_map(|p| {
            let size = std::fs::metadata(&p).ok()?.len();
            if size > MAX_FILE_BYTES {
                return None;
            }
            let text = std::fs::read_to_string(&p).ok()?;
            let e: Entry = serde_json::from_str(&text).ok()?;
            (e.version == ENTRY_VERSION
                && p.file_name().is_some_and(|n| *n == *e.file_name())
                && compiles(&e.cached.spec))
            .then_some((e, size))
        })
        .collect()
}

/// Writes then renames (a reader never sees half an entry), readable by the relay's
/// user only.
fn write_private(dir: &Path, name: &str, bytes: &[u8]) -> std::io::Result<()> {
    create_private_dir(dir)?;
    let tmp = dir.join(format!(".{name}.tmp"));
    {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut f = options.open(&tmp)?;
        std::io::Write::write_all(&mut f, bytes)?;
    }
    std::fs::rename(&tmp, dir.join(name))
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}
