//! The server-side spec cache in `LOCAL_CACHE_PATH`: SafeProfiles and specs only.
//!
//! One JSON file per (SafeProfile, strictness). A lookup tries, in order: the same
//! SafeProfile (full hash); then a file of the same structure (format hash: column
//! names, types and kinds) whose normalised features are nearly the same (cosine
//! similarity ≥ [`SIMILAR`]). The row count is a generation parameter: a cached spec's
//! `default_rows` is replaced by the caller's.

use serde::{Deserialize, Serialize};
use shared::SafeProfile;
pub use shared::fingerprint::SIMILAR;
use shared::fingerprint::{Fingerprint, Match, format_hash, full_hash, strictness_key};
use shared::spec::Spec;
use std::path::{Path, PathBuf};

const ENTRY_VERSION: u32 = 1;

/// One cached spec.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// Entry format version.
    pub version: u32,
    /// Seconds since 1970 when stored.
    pub created_unix: u64,
    /// Hash of the structure (names, types, kinds).
    pub format_hash: String,
    /// Hash of the whole SafeProfile.
    pub full_hash: String,
    /// The strictness the spec was made for (two decimals).
    pub strictness: f64,
    /// Normalised profile features for similarity.
    pub features: Vec<f64>,
    /// Who wrote the spec (`llm`, `llm_repaired`, `template`).
    pub source: String,
    /// The SafeProfile it was made from.
    pub safe_profile: SafeProfile,
    /// The spec.
    pub spec: Spec,
}

/// How a lookup matched.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hit {
    /// The spec, with the caller's row count.
    #[serde(skip)]
    pub spec: Spec,
    /// `exact` (same SafeProfile) or `similar` (same structure).
    pub kind: &'static str,
    /// 1 for exact.
    pub similarity: f64,
    /// Who wrote the spec originally.
    pub source: String,
    /// When it was stored (seconds since 1970).
    pub created_unix: u64,
}

/// The cache folder.
#[derive(Debug, Clone)]
pub struct SpecCache {
    dir: PathBuf,
}

/// Seconds since 1970, read at the server's edge.
#[allow(clippy::disallowed_methods)] // the relay is an I/O edge: it may read the clock
pub fn now_unix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl SpecCache {
    /// A cache in this folder (created on first store).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        SpecCache { dir: dir.into() }
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn entries(&self) -> Vec<(PathBuf, Entry)> {
        let Ok(read) = std::fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        let mut out: Vec<(PathBuf, Entry)> = read
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .filter_map(|p| {
                let text = std::fs::read_to_string(&p).ok()?;
                let e: Entry = serde_json::from_str(&text).ok()?;
                (e.version == ENTRY_VERSION).then_some((p, e))
            })
            .collect();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out
    }

    /// The best cached spec for this SafeProfile and strictness, if any.
    pub fn lookup(&self, p: &SafeProfile, strictness: f64) -> Option<Hit> {
        let wanted = shared::fingerprint::fingerprint(p);
        let s = strictness_key(strictness);
        let entries: Vec<(Fingerprint, Entry)> = self
            .entries()
            .into_iter()
            .filter(|(_, e)| e.strictness == s)
            .map(|(_, e)| {
                let fp = Fingerprint {
                    format_hash: e.format_hash.clone(),
                    full_hash: e.full_hash.clone(),
                    features: e.features.clone(),
                };
                (fp, e)
            })
            .collect();
        let (kind, similarity, e) =
            shared::fingerprint::best(&wanted, entries.iter().map(|(fp, e)| (fp, e)))?;
        let mut spec = e.spec.clone();
        spec.default_rows = p.row_count;
        Some(Hit {
            spec,
            kind: match kind {
                Match::Exact => "exact",
                Match::Similar => "similar",
            },
            similarity,
            source: e.source.clone(),
            created_unix: e.created_unix,
        })
    }

    /// Stores a spec for this SafeProfile and strictness (replacing an older one).
    pub fn store(
        &self,
        p: &SafeProfile,
        strictness: f64,
        spec: &Spec,
        source: &str,
    ) -> std::io::Result<()> {
        std::fs::create_dir_all(&self.dir)?;
        let s = strictness_key(strictness);
        let entry = Entry {
            version: ENTRY_VERSION,
            created_unix: now_unix(),
            format_hash: format_hash(p),
            full_hash: full_hash(p),
            strictness: s,
            features: shared::fingerprint::features(p),
            source: source.to_string(),
            safe_profile: p.clone(),
            spec: spec.clone(),
        };
        let name = format!("{}-{:03}.json", &entry.full_hash[..32], (s * 100.0) as u32);
        // Write then rename, so a reader never sees half an entry.
        let tmp = self.dir.join(format!(".{name}.tmp"));
        std::fs::write(&tmp, serde_json::to_vec(&entry)?)?;
        std::fs::rename(&tmp, self.dir.join(name))
    }

    /// Removes entries older than `days` (all with None); returns how many.
    pub fn clear(&self, older_than_days: Option<f64>) -> std::io::Result<usize> {
        let now = now_unix();
        let mut removed = 0;
        for (path, e) in self.entries() {
            let age_days = now.saturating_sub(e.created_unix) as f64 / 86_400.0;
            if older_than_days.is_none_or(|d| age_days > d) {
                std::fs::remove_file(&path)?;
                removed += 1;
            }
        }
        Ok(removed)
    }

    /// How many entries there are (counted, not read: `/health` asks on every call).
    pub fn len(&self) -> usize {
        std::fs::read_dir(&self.dir).map_or(0, |d| {
            d.flatten()
                .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
                .count()
        })
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
