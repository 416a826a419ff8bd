//! BYOD core, making side of the privacy wall: from a [`SafeProfile`] to synthetic
//! bytes, without ever seeing a real value.
//!
//! ```text
//! SafeProfile ──template──▶ Spec ──plan──▶ Plan ──generate──▶ Table ──export──▶ bytes
//! ```
//!
//! - [`template`]: SafeProfile + strictness → Spec, deterministic, no network.
//! - [`spec`]: the declarative generation spec (serde, JSON Schema, validated).
//! - [`plan`]: a spec checked and compiled into what the generator runs.
//! - [`generate`]: Plan + seed + row range → Table, identical on every platform.
//! - [`export`]: Table → CSV, TSV, JSON, NDJSON, XLSX, Parquet, ZIP.
//!
//! This crate does not depend on `shared-reading` (ingest, profile, guard): a module
//! here that names a `Profile`, a `ColumnProfile` or a reader does not compile. What
//! crosses is the [`SafeProfile`] of `shared-base`, the same JSON the user inspects and
//! the relay forwards.
#![deny(missing_docs)]

// The ground floor under its own names, so the steps say `crate::table` as before.
use shared_base::{datetime_text, error, math, table, vocabulary, wire, written};

pub mod export;
pub mod generate;
mod kinds;
pub mod plan;
pub mod spec;
pub mod template;

pub use shared_base::SafeProfile;
