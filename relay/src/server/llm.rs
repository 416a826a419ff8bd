//! SafeProfile → spec through the LLM, with the cache before it and the template
//! behind it.
//!
//! The LLM receives the SafeProfile (long category lists trimmed) in the message of
//! `shared::contract::llm_message`, which the page shows before the user approves, and
//! the spec's JSON Schema, and must answer with a spec. The answer is compiled like any spec; a spec
//! that fails gets one repair round with the compiler's problems; then the template.
//! The answer always says which source produced the spec and why.

use super::AppState;
use super::cache::Namespace;
use super::config::NO_CREDENTIALS;
use serde_json::{Value, json};
use shared::SafeProfile;
use shared::contract::Strictness;
pub use shared::contract::{SpecAnswer, SpecSource};
use shared::spec::Spec;
use tokio::time::Instant;

const SYSTEM: &str = "You write generation specs for a synthetic data generator. You get \
the statistical profile of a table (metadata only: no rows) and answer with one JSON \
spec that follows the given JSON Schema exactly: version 1, one entry in `columns` per \
profile column, same names, same order. Reproduce each column's distribution from its \
quantiles or category shares, keep null rates, use the profile's correlations for a \
`copula`, its ordered pairs as `ordered` constraints, its conditionals as `by` groups \
(a conditional's `pairs` as the `by`'s `second_column` and `pairs`, each number twice), \
its null groups as `null_groups` and its offsets as `derived` columns (`add_offset` \
from `from` with the offset quantiles). Columns marked sensitive must get `semantic`, \
`pattern`, `sequence` or `uuid` generators, never values. Higher match_threshold means \
more of the structure must be kept. Answer with the JSON spec only.";

/// Parses and compiles the LLM's answer; the problems as text when it fails.
fn check(text: &str, profile: &SafeProfile) -> Result<(Spec, Vec<String>), String> {
    let spec = Spec::from_json(text).map_err(|e| e.to_string())?;
    let want: Vec<&str> = profile.columns.iter().map(|c| c.name.as_str()).collect();
    let got: Vec<&str> = spec.columns.iter().map(|c| c.name.as_str()).collect();
    if want != got {
        return Err(format!(
            "$.columns: the columns must be exactly {want:?} in this order, got {got:?}"
        ));
    }
    match shared::plan::compile(&spec) {
        Ok(plan) => Ok((spec, plan.warnings)),
        Err(problems) => Err(problems.to_string()),
    }
}

fn template(profile: &SafeProfile, strictness: Strictness, reason: String) -> SpecAnswer {
    let spec = shared::pipeline::template_spec(profile, strictness);
    let warnings = shared::plan::compile(&spec)
        .map(|p| p.warnings)
        .unwrap_or_default();
    SpecAnswer {
        spec,
        source: SpecSource::Template,
        reason,
        warnings,
        cache: None,
        rechecked: Vec::new(),
        notes: Vec::new(),
    }
}

/// The spec for a (server-side re-guarded) SafeProfile. Every spec returned compiles:
/// one that does not (a SafeProfile the template cannot turn into a usable spec) is an
/// error for the caller, and is never cached.
pub async fn spec_for(
    state: &AppState,
    profile: &SafeProfile,
    strictness: Strictness,
    locale: &str,
    use_cache: bool,
    ns: &Namespace,
) -> Result<SpecAnswer, super::error::ApiError> {
    if use_cache && let Some(hit) = state.cache.lookup(profile, strictness, ns) {
        let warnings = shared::plan::compile(&hit.spec)
            .map(|p| p.warnings)
            .unwrap_or_default();
        let m = &hit.matched;
        return Ok(SpecAnswer {
            reason: format!(
                "reused a cached spec ({} match, similarity {:.2}, first written by {})",
                m.kind.as_str(),
                m.similarity,
                m.source.as_str()
            ),
            spec: hit.spec,
            source: SpecSource::Cache,
            warnings,
            cache: Some(hit.matched),
            rechecked: Vec::new(),
            notes: Vec::new(),
        });
    }
    let answer = match &state.azure {
        None => template(profile, strictness, NO_CREDENTIALS.to_string()),
        Some(azure) => from_llm(state, azure, profile, strictness, locale).await,
    };
    if let Err(problems) = shared::plan::compile(&answer.spec) {
        let first = problems
            .0
            .first()
            .map_or(String::new(), |p| format!(" ({}: {})", p.path, p.message));
        return Err(super::error::ApiError::bad_request(
            "unusable_profile",
            format!("this SafeProfile makes a spec the generator cannot use{first}"),
        )
        .with_status(axum::http::StatusCode::UNPROCESSABLE_ENTITY)
        .with_hint("send the SafeProfile exactly as `byod profile` or the page produced it"));
    }
    if use_cache
        && let Err(e) = state
            .cache
            .store(profile, strictness, &answer.spec, answer.source, ns)
    {
        tracing::warn!(error = %e, "cannot store the spec in the cache");
    }
    Ok(answer)
}

async fn from_llm(
    state: &AppState,
    azure: &super::azure::Azure,
    profile: &SafeProfile,
    strictness: Strictness,
    locale: &str,
) -> SpecAnswer {
    let deadline = Instant::now() + state.config.limits.azure_deadline;
    let payload = shared::contract::llm_message(profile, strictness, locale);
    let mut messages: Vec<Value> = vec![
        json!({"role": "system", "content": SYSTEM}),
        json!({"role": "user", "content": payload.to_string()}),
    ];
    let schema = Spec::json_schema();
    let first = match azure.chat(&messages, &schema, deadline).await {
        Ok(text) => text,
        Err(e) => {
            tracing::warn!(error = %e, "LLM spec failed; using the template");
            return template(
                profile,
                strictness,
                format!(
                    "the LLM was unavailable ({}); using template generation",
                    short(&e)
                ),
            );
        }
    };
    let problems = match check(&first, profile) {
        Ok((spec, warnings)) => {
            return SpecAnswer {
                spec,
                source: SpecSource::Llm,
                reason: "written by the LLM and validated".into(),
                warnings,
                cache: None,
                rechecked: Vec::new(),
                notes: Vec::new(),
            };
        }
        Err(p) => p,
    };
    tracing::info!("LLM spec failed validation; asking once more");
    messages.push(json!({"role": "assistant", "content": first}));
    messages.push(json!({"role": "user", "content": format!(
        "That spec does not validate:\n{problems}\nAnswer with the corrected spec only."
    )}));
    match azure.chat(&messages, &schema, deadline).await {
        Ok(text) => match check(&text, profile) {
            Ok((spec, warnings)) => SpecAnswer {
                spec,
                source: SpecSource::LlmRepaired,
                reason: "written by the LLM, corrected after one validation round".into(),
                warnings,
                cache: None,
                rechecked: Vec::new(),
                notes: Vec::new(),
            },
            Err(again) => template(
                profile,
                strictness,
                format!(
                    "the LLM's spec failed validation twice ({}); using template generation",
                    first_line(&again)
                ),
            ),
        },
        Err(e) => template(
            profile,
            strictness,
            format!(
                "the LLM's spec failed validation and the repair call failed ({}); using template generation",
                short(&e)
            ),
        ),
    }
}

/// A client-safe description of an Azure failure: the status or its kind, never
/// Azure's own words.
fn short(e: &super::azure::AzureError) -> String {
    use super::azure::AzureError as E;
    match e {
        E::Status(s) => format!("HTTP {s}"),
        E::Deadline => "timed out".into(),
        E::Transport(_) => "unreachable".into(),
        E::BadAnswer(_) => "malformed answer".into(),
        E::NotConfigured => "not configured".into(),
    }
}

/// The first problem of a failed spec, whole: cut only past 600 characters (an LLM may
/// answer with anything), and then at a space.
fn first_line(s: &str) -> String {
    const MAX: usize = 600;
    let line = s
        .lines()
        .find(|l| l.trim_start().starts_with('$'))
        .unwrap_or(s)
        .trim();
    if line.chars().count() <= MAX {
        return line.to_string();
    }
    let head: String = line.chars().take(MAX).collect();
    let cut = head.rfind(' ').unwrap_or(head.len());
    format!("{} …", &head[..cut])
}
