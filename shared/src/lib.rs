//! BYOD core: the one flow of DESIGN.md as pure functions, bytes in and values out.
//!
//! ```text
//! bytes ──ingest──▶ Table ──profile──▶ Profile ──guard──▶ SafeProfile (may leave)
//! (real Table, synthetic Table) ──evaluate──▶ Report (fidelity + privacy, stays local)
//! ```
//!
//! - [`ingest`]: sniff the format, read CSV/TSV/JSON/NDJSON/Excel/Parquet, infer types.
//! - [`profile`]: per-column statistics, semantic (PII) types, correlations and rules.
//! - [`guard`]: reduce a profile to the [`SafeProfile`], the only thing that may leave
//!   the user's machine, and list what was withheld and why.
//! - [`fingerprint`]: the keys a spec cache finds a SafeProfile by (hashes, features).
//! - [`evaluate`]: score synthetic data against the real table as SDMetrics does,
//!   plus the privacy checks SDMetrics leaves out.
//!
//! Nothing here does I/O, reads a clock or draws from an unseeded random source, so the
//! same input gives the same output natively and in WebAssembly.
#![deny(missing_docs)]

mod error;
pub mod evaluate;
pub mod export;
pub mod fingerprint;
pub mod generate;
pub mod guard;
pub mod ingest;
mod math;
pub mod plan;
pub mod profile;
pub mod spec;
mod table;
pub mod template;
pub mod vocabulary;
pub mod wire;

pub use error::{Error, ErrorKind, Result};
pub use evaluate::{EvaluateOptions, Report, evaluate};
pub use guard::{GuardOptions, Withheld, guard};
pub use ingest::{IngestOptions, Limits, read};
pub use profile::{ColumnKind, Profile, ProfileOptions, Semantic, SemanticType, profile};
pub use table::{ColumnInfo, FileFormat, LogicalType, Table};
pub use wire::SafeProfile;
