//! fingerprint: SafeProfile → what a spec cache knows it by.
//!
//! Both spec caches (the relay's folder and the page's IndexedDB) key entries the same
//! way, so a spec made in one place is found the same way in the other:
//! - the **format hash**: column names, types and kinds, in order (same structure);
//! - the **full hash**: the whole SafeProfile (same statistics);
//! - **features**: per column, the null rate and the shape of its distribution as a few
//!   numbers in 0..1, compared by cosine [`similarity`] between files of the same
//!   structure.
//!
//! All three are computed from the SafeProfile alone, so a cache holds nothing the
//! guard did not already let out.

use crate::wire::SafeProfile;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Smallest similarity at which a spec made for another file of the same structure is
/// reused. High on purpose: features are coarse, and a wrong reuse costs fidelity.
pub const SIMILAR: f64 = 0.98;

/// A SafeProfile's cache keys.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fingerprint {
    /// Hash of the structure (names, types, kinds), hex.
    pub format_hash: String,
    /// Hash of the whole SafeProfile's JSON, hex.
    pub full_hash: String,
    /// Normalised profile features.
    pub features: Vec<f64>,
}

fn sha(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The fingerprint of a SafeProfile.
pub fn fingerprint(p: &SafeProfile) -> Fingerprint {
    Fingerprint {
        format_hash: format_hash(p),
        full_hash: full_hash(p),
        features: features(p),
    }
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

/// Cosine similarity of two feature (or embedding) vectors: 0 when their lengths
/// differ, 1 when both are zero.
pub fn similarity(a: &[f64], b: &[f64]) -> f64 {
    if a.len() != b.len() || a.is_empty() {
        return 0.0;
    }
    let dot: f64 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let na: f64 = a.iter().map(|x| x * x).sum::<f64>().sqrt();
    let nb: f64 = b.iter().map(|x| x * x).sum::<f64>().sqrt();
    if na == 0.0 || nb == 0.0 {
        return if na == nb { 1.0 } else { 0.0 };
    }
    (dot / (na * nb)).clamp(-1.0, 1.0)
}

/// How a cached entry matches a SafeProfile.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Match {
    /// The same SafeProfile.
    Exact,
    /// The same structure, similar statistics.
    Similar,
}

impl Match {
    /// The wire name: `exact` or `similar`.
    pub fn as_str(self) -> &'static str {
        match self {
            Match::Exact => "exact",
            Match::Similar => "similar",
        }
    }
}

/// Whether `entry` (a stored fingerprint) matches `wanted`, and how closely: exact on
/// the full hash, else similar when the format hash is the same and the features'
/// similarity reaches [`SIMILAR`].
///
/// Only files of the same structure can match: a spec names its columns, so it cannot
/// serve a file with other ones. (That is also why the relay's embeddings, which embed
/// the structure, do not rank entries here: within one structure they are all equal.)
pub fn compare(wanted: &Fingerprint, entry: &Fingerprint) -> Option<(Match, f64)> {
    if entry.format_hash != wanted.format_hash {
        return None;
    }
    if entry.full_hash == wanted.full_hash {
        return Some((Match::Exact, 1.0));
    }
    let sim = similarity(&wanted.features, &entry.features);
    (sim >= SIMILAR).then_some((Match::Similar, sim))
}

/// The best of `entries` for `wanted`: an exact match before any similar one, then the
/// most similar; ties go to the first.
pub fn best<'a, T>(
    wanted: &Fingerprint,
    entries: impl IntoIterator<Item = (&'a Fingerprint, T)>,
) -> Option<(Match, f64, T)> {
    let mut best: Option<(Match, f64, T)> = None;
    for (fp, item) in entries {
        let Some((kind, sim)) = compare(wanted, fp) else {
            continue;
        };
        let better = best.as_ref().is_none_or(|(bk, bs, _)| {
            (kind == Match::Exact && *bk != Match::Exact) || (kind == *bk && sim > *bs)
        });
        if better {
            best = Some((kind, sim, item));
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn safe(csv: &str) -> SafeProfile {
        let table = crate::read(csv.as_bytes(), "t.csv", &Default::default()).unwrap();
        crate::guard(&crate::profile(&table), &Default::default()).0
    }

    fn rows(scale: f64) -> String {
        let mut s = String::from("a,b\n");
        for i in 0..200 {
            s += &format!(
                "{},{}\n",
                f64::from(i) * scale,
                ["x", "y", "z"][i as usize % 3]
            );
        }
        s
    }

    #[test]
    fn same_structure_and_statistics_match_exactly_similar_ones_by_features() {
        let a = fingerprint(&safe(&rows(1.0)));
        assert_eq!(compare(&a, &a), Some((Match::Exact, 1.0)));
        // Scaled values: other statistics, the same shape.
        let b = fingerprint(&safe(&rows(2.0)));
        assert_eq!(a.format_hash, b.format_hash);
        assert_ne!(a.full_hash, b.full_hash);
        let (kind, sim) = compare(&a, &b).unwrap();
        assert_eq!(kind, Match::Similar);
        assert!(sim > SIMILAR, "{sim}");
        // Another column name: another structure, never a match.
        let c = fingerprint(&safe(&rows(1.0).replacen("a,b", "a,c", 1)));
        assert_eq!(compare(&a, &c), None);
        // The exact one wins over a similar one listed first.
        let found = best(&a, [(&b, "b"), (&c, "c"), (&a, "a")]).unwrap();
        assert_eq!((found.0, found.2), (Match::Exact, "a"));
        assert_eq!(best(&b, [(&c, "c")]), None);
    }

    #[test]
    fn similarity_is_a_cosine() {
        assert_eq!(similarity(&[1.0, 0.0], &[1.0, 0.0]), 1.0);
        assert_eq!(similarity(&[1.0, 0.0], &[0.0, 1.0]), 0.0);
        assert_eq!(similarity(&[1.0], &[1.0, 2.0]), 0.0);
        assert_eq!(similarity(&[0.0, 0.0], &[0.0, 0.0]), 1.0);
    }
}
