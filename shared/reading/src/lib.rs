//! BYOD core, reading side of the privacy wall: the only code that sees the user's
//! values.
//!
//! ```text
//! bytes ──ingest──▶ Table ──profile──▶ Profile ──guard──▶ SafeProfile (may leave)
//! ```
//!
//! - [`ingest`]: sniff the format, read CSV/TSV/JSON/NDJSON/Excel/Parquet, infer types.
//! - [`profile`]: per-column statistics, semantic (PII) types, correlations and rules.
//! - [`guard`]: reduce a profile to the [`SafeProfile`], the only thing that may leave
//!   the user's machine, and list what was withheld and why.
//!
//! This crate does not depend on `shared-making` (template, spec, plan, generate,
//! export), and that crate does not depend on this one: what they share is
//! `shared-base`. Nothing here does I/O, reads a clock or draws from an unseeded random
//! source.
#![deny(missing_docs)]

// The ground floor under its own names, so the steps say `crate::table` as before.
use shared_base::{datetime_text, error, table, vocabulary, wire, written};

pub mod guard;
pub mod ingest;
pub mod profile;

pub use guard::{GuardOptions, Withheld, guard};
pub use ingest::{IngestOptions, Limits, read};
pub use profile::{Profile, ProfileOptions, Semantic, profile};
pub use shared_base::SafeProfile;
