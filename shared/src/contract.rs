//! The contracts between the page, its worker, the relay and the CLI: each shape is
//! defined here once and both sides serialize the same type, so a field renamed on one
//! side is a compile error on the other rather than a silent `null`.
//!
//! - `/api/spec`: [`SpecRequest`] in, [`SpecAnswer`] out, with [`SpecSource`].
//! - `/health`: [`Health`].
//! - `/metadata`, `/upload` and the page's file card: [`ColumnSummary`], [`Withheld`].
//! - the batch ZIP of `/generate` and of the page's *Download all*: [`BatchManifest`].
//! - the spec caches (relay folder, browser IndexedDB): [`CachedSpec`].
//! - strictness everywhere: [`Strictness`].

use crate::export::OutputFormat;
use crate::fingerprint::{Fingerprint, Match};
use crate::profile::ColumnProfile;
use crate::spec::Spec;
use crate::wire::SafeColumn;
use crate::{ColumnKind, LogicalType, SafeProfile, SemanticType};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use std::fmt;

pub use crate::guard::Withheld;
pub use shared_base::Strictness;

// ------------------------------------------------------------------ spec source

/// Who wrote a spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SpecSource {
    /// The built-in template (no LLM configured, or the LLM failed).
    Template,
    /// The LLM, first answer.
    Llm,
    /// The LLM, after one repair round.
    LlmRepaired,
    /// A spec the relay had cached (written by the LLM or the template earlier).
    Cache,
}

impl SpecSource {
    /// The wire name (`llm_repaired`), as headers and manifests carry it.
    pub fn as_str(self) -> &'static str {
        match self {
            SpecSource::Template => "template",
            SpecSource::Llm => "llm",
            SpecSource::LlmRepaired => "llm_repaired",
            SpecSource::Cache => "cache",
        }
    }

    /// Whether the LLM wrote it (now or, for a relay cache hit, earlier).
    pub fn is_llm(self) -> bool {
        !matches!(self, SpecSource::Template)
    }
}

/// Where the spec of one generation in the page came from, as the page, the report and
/// the manifest say it ("LLM (Azure OpenAI, through the relay), edited in this page").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provenance {
    /// Who wrote it.
    pub source: SpecSource,
    /// Taken from this browser's spec cache.
    pub reused: bool,
    /// Changed by the user in the review box.
    pub edited: bool,
    /// A template spec the relay wrote (LLM mode fell back), not this page.
    #[serde(default)]
    pub by_relay: bool,
}

impl Provenance {
    /// A spec fresh from `source`.
    pub fn new(source: SpecSource) -> Self {
        Provenance {
            source,
            reused: false,
            edited: false,
            by_relay: false,
        }
    }
}

impl fmt::Display for Provenance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self.source {
            SpecSource::Template if self.by_relay => {
                "template (written by the relay when LLM mode fell back)"
            }
            SpecSource::Template => "template (built in this page)",
            SpecSource::Llm | SpecSource::LlmRepaired => "LLM (Azure OpenAI, through the relay)",
            SpecSource::Cache => "LLM (a spec the relay had cached)",
        })?;
        if self.reused {
            f.write_str(", reused from the spec cache")?;
        }
        if self.edited {
            f.write_str(", edited in this page")?;
        }
        Ok(())
    }
}

// ------------------------------------------------------------------ /api/spec

/// Body of `POST /api/spec`.
///
/// The SafeProfile travels as raw JSON text: the page sends byte for byte the JSON the
/// user inspected, and the relay parses it with [`SpecRequest::safe_profile`].
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpecRequest {
    /// The SafeProfile, exactly as the page showed it.
    pub safe_profile: Box<RawValue>,
    /// Match strictness (default 0.8).
    #[serde(default)]
    pub strictness: Option<Strictness>,
    /// Locale of made-up values (only English today).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    /// Rows the caller will generate (sets the spec's default).
    #[serde(default)]
    pub rows: Option<u64>,
    /// Use and fill the server's spec cache (default true).
    #[serde(default)]
    pub use_cache: Option<bool>,
}

impl SpecRequest {
    /// A request for the SafeProfile JSON the user saw (`shown`, unchanged).
    pub fn new(
        shown: &str,
        strictness: Strictness,
        rows: Option<u64>,
        use_cache: bool,
    ) -> crate::Result<Self> {
        let safe_profile = RawValue::from_string(shown.to_string()).map_err(|e| {
            crate::Error::new(crate::ErrorKind::InvalidDocument, e.to_string())
                .at_path("safe_profile")
        })?;
        Ok(SpecRequest {
            safe_profile,
            strictness: Some(strictness),
            locale: None,
            rows,
            use_cache: Some(use_cache),
        })
    }

    /// The SafeProfile, parsed and checked.
    pub fn safe_profile(&self) -> crate::Result<SafeProfile> {
        let p: SafeProfile = serde_json::from_str(self.safe_profile.get()).map_err(|e| {
            crate::Error::new(crate::ErrorKind::InvalidDocument, e.to_string())
                .at_path("safe_profile")
                .with_hint("send the SafeProfile exactly as `byod profile` or the page produced it")
        })?;
        p.validate()?;
        Ok(p)
    }
}

/// A cached spec reused for a request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CacheMatch {
    /// `exact` (same SafeProfile) or `similar` (same structure, similar statistics).
    pub kind: Match,
    /// 1 for exact.
    pub similarity: f64,
    /// Who wrote the spec originally.
    pub source: SpecSource,
    /// When it was stored (seconds since 1970).
    pub created_unix: u64,
}

/// Answer of `POST /api/spec` (and the spec part of `/upload`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SpecAnswer {
    /// The spec (it compiles).
    pub spec: Spec,
    /// Who wrote it.
    pub source: SpecSource,
    /// Why this source.
    pub reason: String,
    /// Repairs the compiler made (such as a correlation matrix shrunk).
    #[serde(default)]
    pub warnings: Vec<String>,
    /// The cache entry reused, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache: Option<CacheMatch>,
    /// What the relay's own guard withheld from the SafeProfile it received.
    #[serde(default)]
    pub rechecked: Vec<Withheld>,
    /// Notes for the caller (a locale that is not available).
    #[serde(default)]
    pub notes: Vec<String>,
}

// ------------------------------------------------------------------ what Azure OpenAI reads

/// Category values the LLM is shown per column; the rest joins `other_share`.
pub const LLM_CATEGORIES: usize = 50;

/// The SafeProfile as the LLM sees it: long category lists cut to the most frequent
/// values (the rest is added to `other_share`), and conditionals naming only values
/// still shown. Less than the SafeProfile, never more.
pub fn llm_view(p: &SafeProfile) -> SafeProfile {
    let mut p = p.clone();
    for c in &mut p.columns {
        if let Some(cats) = &mut c.categories
            && cats.values.len() > LLM_CATEGORIES
        {
            let rest: f64 = cats.values[LLM_CATEGORIES..].iter().map(|v| v.share).sum();
            cats.other_distinct += (cats.values.len() - LLM_CATEGORIES) as u64;
            cats.values.truncate(LLM_CATEGORIES);
            cats.other_share = ((cats.other_share + rest) * 1e4).round() / 1e4;
        }
    }
    let named = |p: &SafeProfile, col: &str, v: &str| {
        p.columns.iter().any(|c| {
            c.name == col
                && c.categories
                    .as_ref()
                    .is_some_and(|cats| cats.values.iter().any(|x| x.value == v))
        })
    };
    let kept = p.clone();
    for d in &mut p.conditionals {
        d.groups.retain(|g| named(&kept, &d.by, &g.value));
        for g in &mut d.groups {
            g.values.retain(|v| named(&kept, &d.target, &v.value));
        }
        if let Some(second) = &d.second_by {
            d.pairs.retain(|pair| {
                named(&kept, &d.by, &pair.value) && named(&kept, second, &pair.second_value)
            });
        }
        if d.pairs.is_empty() {
            d.second_by = None;
        }
    }
    p.conditionals.retain(|d| d.groups.len() >= 2);
    p
}

/// The one message about the data that Azure OpenAI receives (the chat's user turn; the
/// system turn and the spec's JSON Schema are fixed text). The relay sends it for the
/// SafeProfile it re-guarded, and the page shows it before the user approves: one
/// function, so what is shown is what is sent.
pub fn llm_message(p: &SafeProfile, strictness: Strictness, locale: &str) -> serde_json::Value {
    serde_json::json!({
        "match_threshold": strictness.get(),
        "locale": locale,
        "safe_profile": llm_view(p),
    })
}

// ------------------------------------------------------------------ /health

/// Where specs come from on this relay.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Azure OpenAI writes specs (validated here).
    Llm,
    /// The built-in template writes specs.
    Template,
}

/// Answer of `GET /health`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Health {
    /// Always `ok` when the relay answers.
    pub status: String,
    /// The relay's version.
    pub version: String,
    /// `development` or `production`.
    pub environment: String,
    /// Where specs come from.
    pub mode: Mode,
    /// Whether Azure OpenAI credentials are configured.
    pub llm_configured: bool,
    /// Whether an embeddings deployment is configured.
    pub embeddings_configured: bool,
    /// A sentence for the user.
    pub message: String,
    /// Whether the API needs an access token.
    pub token_required: bool,
    /// Uploads being read or generated now.
    pub jobs: usize,
    /// Specs in the relay's cache.
    pub cache_entries: usize,
}

// ------------------------------------------------------------------ columns

/// One column as the page's card and `/metadata` summarise it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnSummary {
    /// The name.
    pub name: String,
    /// Storage type (integer, float, date, string...).
    pub logical_type: LogicalType,
    /// Statistical kind (numeric, categorical, identifier...).
    pub kind: ColumnKind,
    /// Detected personal-data type (email, ssn, person_name...).
    pub semantic_type: Option<SemanticType>,
    /// Whether the column holds personal data: no value of it leaves.
    pub sensitive: bool,
    /// Share of missing values, 0..=1.
    pub null_rate: f64,
    /// Distinct values in the profiled rows (the local summary only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distinct: Option<u64>,
}

impl ColumnSummary {
    /// The local summary, from the full profile (stays on the machine).
    pub fn local(c: &ColumnProfile) -> Self {
        ColumnSummary {
            name: c.name.clone(),
            logical_type: c.logical,
            kind: c.kind,
            semantic_type: c.semantic.as_ref().map(|s| s.kind),
            sensitive: c.semantic.as_ref().is_some_and(|s| s.kind.is_pii()),
            null_rate: c.null_rate,
            distinct: Some(c.distinct),
        }
    }

    /// The released summary, from the SafeProfile.
    pub fn released(c: &SafeColumn) -> Self {
        ColumnSummary {
            name: c.name.clone(),
            logical_type: c.logical_type,
            kind: c.kind,
            semantic_type: c.semantic_type,
            sensitive: c.sensitive,
            null_rate: c.null_rate,
            distinct: None,
        }
    }
}

// ------------------------------------------------------------------ batch manifest

/// `manifest.json` in a batch ZIP, from the relay's `/generate` or the page's
/// *Download all*.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchManifest {
    /// What made the ZIP ("BYOD relay", "BYOD page").
    pub generator: String,
    /// When (ISO 8601), where the maker knows the time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// Outputs in the ZIP.
    pub outputs: usize,
    /// Inputs that failed.
    pub failed: usize,
    /// One entry per input, in the order given.
    pub files: Vec<ManifestFile>,
}

impl BatchManifest {
    /// A manifest over these entries (the counts are taken from them).
    pub fn new(generator: &str, created: Option<String>, files: Vec<ManifestFile>) -> Self {
        BatchManifest {
            generator: generator.to_string(),
            created,
            outputs: files
                .iter()
                .filter(|f| f.status == FileStatus::Generated)
                .count(),
            failed: files
                .iter()
                .filter(|f| f.status == FileStatus::Failed)
                .count(),
            files,
        }
    }
}

/// What became of one input of a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileStatus {
    /// Its synthetic file is in the ZIP.
    Generated,
    /// It could not be read or generated; `error` says why.
    Failed,
    /// Nothing was asked for it (the page: not generated yet).
    NotGenerated,
}

/// A failure in a manifest: the same shape as the relay's error bodies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ManifestError {
    /// Stable machine-readable code, where there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// What went wrong, for a person.
    pub message: String,
    /// What to try.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

/// One input of a batch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ManifestFile {
    /// The input file's name.
    pub file: String,
    /// What became of it.
    pub status: FileStatus,
    /// The output's name inside the ZIP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<String>,
    /// Rows made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rows: Option<u64>,
    /// Bytes of the output.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bytes: Option<u64>,
    /// Output format.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<OutputFormat>,
    /// The strictness asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strictness: Option<Strictness>,
    /// The generation seed (the same seed and spec give the same bytes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// Who wrote the spec.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spec_source: Option<String>,
    /// Why that source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spec_reason: Option<String>,
    /// Overall fidelity of the scored rows (SDMetrics' Quality Score).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fidelity: Option<f64>,
    /// Rows of the output that were scored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scored_rows: Option<u64>,
    /// Why it failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ManifestError>,
}

impl ManifestFile {
    /// An input with nothing known yet but its name and status.
    pub fn new(file: &str, status: FileStatus) -> Self {
        ManifestFile {
            file: file.to_string(),
            status,
            output: None,
            rows: None,
            bytes: None,
            format: None,
            strictness: None,
            seed: None,
            spec_source: None,
            spec_reason: None,
            fidelity: None,
            scored_rows: None,
            error: None,
        }
    }

    /// A failed input.
    pub fn failed(file: &str, error: ManifestError) -> Self {
        ManifestFile {
            error: Some(error),
            ..ManifestFile::new(file, FileStatus::Failed)
        }
    }
}

// ------------------------------------------------------------------ spec caches

/// What both spec caches (the relay's folder, the page's IndexedDB) keep of one spec:
/// SafeProfile, spec and keys, never a row. Each store adds its own bookkeeping.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CachedSpec {
    /// The SafeProfile's cache keys.
    pub fingerprint: Fingerprint,
    /// The strictness the spec was made for, to two decimals ([`Strictness::key`]).
    pub strictness: f64,
    /// Who wrote the spec.
    pub source: SpecSource,
    /// Whether the user edited it before it was used (the page's review box).
    #[serde(default)]
    pub edited: bool,
    /// What the spec was made from.
    pub safe_profile: SafeProfile,
    /// The spec.
    pub spec: Spec,
}

impl CachedSpec {
    /// An entry for this SafeProfile, strictness and spec.
    pub fn new(safe: SafeProfile, strictness: Strictness, spec: Spec, source: SpecSource) -> Self {
        CachedSpec {
            fingerprint: crate::fingerprint::fingerprint(&safe),
            strictness: strictness.key(),
            source,
            edited: false,
            safe_profile: safe,
            spec,
        }
    }

    /// `FULLHASH-STRICTNESS`: one entry per SafeProfile and strictness.
    pub fn key(&self) -> String {
        format!(
            "{}-{:03}",
            self.fingerprint.full_hash,
            (self.strictness * 100.0).round() as u32
        )
    }
}

/// The best of `entries` for this SafeProfile and strictness: an exact match, or one of
/// the same structure with nearly the same features ([`crate::fingerprint::best`]).
pub fn best_cached<'a, T>(
    entries: impl IntoIterator<Item = (&'a CachedSpec, T)>,
    safe: &SafeProfile,
    strictness: Strictness,
) -> Option<(Match, f64, T)> {
    let wanted = crate::fingerprint::fingerprint(safe);
    let key = strictness.key();
    let candidates: Vec<(&CachedSpec, T)> = entries
        .into_iter()
        .filter(|(e, _)| e.strictness == key)
        .collect();
    let (kind, similarity, found) = crate::fingerprint::best(
        &wanted,
        candidates.into_iter().map(|(e, t)| (&e.fingerprint, t)),
    )?;
    Some((kind, similarity, found))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provenance_reads_as_the_page_always_said_it() {
        let mut p = Provenance::new(SpecSource::Llm);
        assert_eq!(p.to_string(), "LLM (Azure OpenAI, through the relay)");
        p.reused = true;
        p.edited = true;
        assert_eq!(
            p.to_string(),
            "LLM (Azure OpenAI, through the relay), reused from the spec cache, edited in this page"
        );
        assert_eq!(
            Provenance::new(SpecSource::Template).to_string(),
            "template (built in this page)"
        );
    }

    #[test]
    fn a_spec_request_carries_the_shown_text_unchanged_and_checks_strictness() {
        let shown = "{\n  \"columns\": []\n}";
        let req = SpecRequest::new(shown, Strictness::DEFAULT, Some(5), false).unwrap();
        let body = serde_json::to_string(&req).unwrap();
        assert!(body.contains(shown), "{body}");
        let back: SpecRequest = serde_json::from_str(&body).unwrap();
        assert_eq!(back.rows, Some(5));
        let bad = body.replace("0.8", "80");
        let e = serde_json::from_str::<SpecRequest>(&bad).unwrap_err();
        assert!(
            e.to_string().contains("strictness 80 is outside 0..1"),
            "{e}"
        );
    }

    #[test]
    fn a_manifest_counts_its_files() {
        let ok = ManifestFile {
            output: Some("synthetic_a.csv".into()),
            ..ManifestFile::new("a.csv", FileStatus::Generated)
        };
        let bad = ManifestFile::failed(
            "b.csv",
            ManifestError {
                code: None,
                message: "b.csv: not a table".into(),
                hint: None,
            },
        );
        let m = BatchManifest::new("BYOD page", None, vec![ok, bad]);
        assert_eq!((m.outputs, m.failed), (1, 1));
        let json = serde_json::to_value(&m).unwrap();
        assert_eq!(json["files"][1]["status"], "failed");
        assert_eq!(json["files"][1]["error"]["message"], "b.csv: not a table");
        assert!(json["files"][0].get("error").is_none());
    }

    #[test]
    fn the_llm_sees_no_conditional_value_it_cannot_see_in_the_column() {
        // 60 products, each in one of two regions: a strong dependence whose groups
        // name all 60 products, of which the LLM is shown 50.
        let mut csv = String::from("region,product\n");
        for p in 0..60 {
            let region = if p < 30 { "north" } else { "south" };
            for _ in 0..(10 + p % 7) {
                csv += &format!("{region},product-{p:02}\n");
            }
        }
        let options = crate::pipeline::InspectOptions::with_guard_seed(0);
        let safe = crate::pipeline::inspect(csv.as_bytes(), "sales.csv", &options)
            .unwrap()
            .safe;
        let d = safe.conditionals.iter().find(|d| d.target == "product");
        let all: usize = d.unwrap().groups.iter().map(|g| g.values.len()).sum();
        assert_eq!(all, 60, "the profile's conditional names every product");
        let seen = llm_view(&safe);
        let products = &seen.columns[1].categories.as_ref().unwrap().values;
        assert_eq!(products.len(), LLM_CATEGORIES);
        for d in &seen.conditionals {
            for g in &d.groups {
                for v in &g.values {
                    assert!(products.iter().any(|p| p.value == v.value), "{}", v.value);
                }
            }
        }
        let message = llm_message(&safe, Strictness::DEFAULT, "en");
        assert_eq!(
            message["safe_profile"],
            serde_json::to_value(&seen).unwrap()
        );
        assert_eq!(message["locale"], "en");
    }

    #[test]
    fn the_llm_sees_no_pair_naming_a_value_it_cannot_see() {
        // 60 destinations from two origins, each route at its own distance.
        let mut csv = String::from("origin,dest,distance\n");
        for d in 0..60 {
            for (o, origin) in ["EWR", "JFK"].iter().enumerate() {
                for _ in 0..(8 + (d + o) % 5) {
                    csv += &format!("{origin},D{d:02},{}\n", 100 + d * 40 + o * 9);
                }
            }
        }
        let options = crate::pipeline::InspectOptions::with_guard_seed(0);
        let safe = crate::pipeline::inspect(csv.as_bytes(), "routes.csv", &options)
            .unwrap()
            .safe;
        let pairs = |p: &SafeProfile| {
            p.conditionals
                .iter()
                .find(|d| d.target == "distance")
                .map_or(0, |d| d.pairs.len())
        };
        assert_eq!(pairs(&safe), 120, "the profile names every route");
        let seen = llm_view(&safe);
        let dests = &seen.columns[1].categories.as_ref().unwrap().values;
        assert_eq!(dests.len(), LLM_CATEGORIES);
        assert_eq!(pairs(&seen), 2 * LLM_CATEGORIES);
        for d in &seen.conditionals {
            for p in &d.pairs {
                assert!(dests.iter().any(|x| x.value == p.value), "{}", p.value);
            }
        }
    }
}
