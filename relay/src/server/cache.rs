//! The server-side spec cache in `LOCAL_CACHE_PATH`: SafeProfiles and specs only.
//!
//! One JSON file per (SafeProfile, strictness). A lookup tries, in order: the same
//! SafeProfile (full hash); then a file of the same structure (format hash: column
//! names, types and kinds) whose normalised features are nearly the same (cosine
//! similarity ≥ [`SIMILAR`]). The row count is a generation parameter: a cached spec's
//! `default_rows` is replaced by the caller's.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use shared::SafeProfile;
use shared::spec::Spec;
use std::path::{Path, PathBuf};

/// Smallest similarity at which a spec of another file of the same structure is reused.
pub const SIMILAR: f64 = 0.98;
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

fn sha(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Hash of a SafeProfile's structure.
pub fn format_hash(p: &SafeProfile) -> String {
    let mut s = String::new();
    for c in &p.columns {
        s += &format!(
            "{}\u{1f}{:?}\u{1f}{:?}\u{1e}",
            c.name, c.logical_type, c.kind
        );
    }
    sha(s.as_bytes())
}

/// Hash of a whole SafeProfile (its canonical JSON).
pub fn full_hash(p: &SafeProfile) -> String {
    sha(serde_json::to_string(p).unwrap_or_default().as_bytes())
}

/// Per column, in order: null rate, then the shape of the distribution as a few numbers
/// in 0..1 (numeric quartiles scaled to the range, or the top category shares).
pub fn features(p: &SafeProfile) -> Vec<f64> {
    let mut f = Vec::new();
    for c in &p.columns {
        f.push(c.null_rate);
        if let Some(n) = &c.numeric {
            let q = &n.quantiles;
            let (lo, hi) = (q[0], q[q.len() - 1]);
            let span = (hi - lo).abs().max(f64::MIN_POSITIVE);
            for k in [1, 2, 3] {
                let x = q[(q.len() - 1) * k / 4];
                f.push(((x - lo) / span).clamp(0.0, 1.0));
            }
        } else if let Some(cats) = &c.categories {
            for k in 0..3 {
                f.push(cats.values.get(k).map_or(0.0, |v| v.share));
            }
        } else {
            f.extend([0.0; 3]);
        }
    }
    f
}

fn cosine(a: &[f64], b: &[f64]) -> f64 {
    if a.len() != b.len() || a.is_empty() {
        return 0.0;
    }
    let dot: f64 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let na: f64 = a.iter().map(|x| x * x).sum::<f64>().sqrt();
    let nb: f64 = b.iter().map(|x| x * x).sum::<f64>().sqrt();
    if na == 0.0 || nb == 0.0 {
        return if na == nb { 1.0 } else { 0.0 };
    }
    dot / (na * nb)
}

/// Seconds since 1970, read at the server's edge.
#[allow(clippy::disallowed_methods)] // the relay is an I/O edge: it may read the clock
pub fn now_unix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn strictness_key(s: f64) -> f64 {
    (s * 100.0).round() / 100.0
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
        let (full, format, feats) = (full_hash(p), format_hash(p), features(p));
        let s = strictness_key(strictness);
        let mut best: Option<(f64, Entry)> = None;
        for (_, e) in self.entries() {
            if e.strictness != s || e.format_hash != format {
                continue;
            }
            let sim = if e.full_hash == full {
                1.0 + f64::EPSILON // exact beats any similar one
            } else {
                cosine(&e.features, &feats)
            };
            if sim >= SIMILAR && best.as_ref().is_none_or(|b| sim > b.0) {
                best = Some((sim, e));
            }
        }
        best.map(|(sim, e)| {
            let mut spec = e.spec;
            spec.default_rows = p.row_count;
            Hit {
                spec,
                kind: if e.full_hash == full {
                    "exact"
                } else {
                    "similar"
                },
                similarity: sim.min(1.0),
                source: e.source,
                created_unix: e.created_unix,
            }
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
            features: features(p),
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
