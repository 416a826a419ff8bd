//! BYOD core: the one flow of DESIGN.md as pure functions, bytes in and values out.
//!
//! ```text
//! bytes ──ingest──▶ Table ──profile──▶ Profile ──guard──▶ SafeProfile (may leave)
//! SafeProfile ──template──▶ Spec ──plan──▶ Plan ──generate──▶ Table ──export──▶ bytes
//! (real Table, synthetic Table) ──evaluate──▶ Report (fidelity + privacy, stays local)
//! ```
//!
//! The steps live in three crates, and this one puts them together:
//!
//! - `shared-base`: the value-free vocabulary both sides name ([`vocabulary`]), the
//!   [`SafeProfile`] ([`wire`]), [`Table`] and [`Error`].
//! - `shared-reading`: [`ingest`], [`profile`], [`guard`]. The only code that sees the
//!   user's values.
//! - `shared-making`: [`template`], [`spec`], [`plan`], [`generate`], [`export`]. Sees
//!   the SafeProfile and the spec, never a real value.
//!
//! Reading and making do not depend on each other, so the privacy wall of DESIGN.md is
//! a compile-time fact: a making module that names a `Profile` does not build. This
//! crate sits above both and adds what needs the two sides at once:
//!
//! - [`pipeline`]: the one assembly of the steps (inspect, synthesize, score) that the
//!   CLI, the relay and the page's worker call, with one seed policy.
//! - [`contract`]: the shapes the page, the worker, the relay and the CLI exchange,
//!   defined once (the `/api/spec` body and answer, health, manifests, cache entries).
//! - [`fingerprint`]: the keys a spec cache finds a SafeProfile by (hashes, features).
//! - [`evaluate`]: score synthetic data against the real table as SDMetrics does,
//!   plus the privacy checks SDMetrics leaves out. It reads both tables by design: the
//!   report stays on the user's machine and never crosses the wall.
//!
//! Nothing here does I/O, reads a clock or draws from an unseeded random source, so the
//! same input gives the same output natively and in WebAssembly.
#![deny(missing_docs)]

pub mod contract;
pub mod evaluate;
#[cfg(not(target_arch = "wasm32"))]
pub mod file;
pub mod fingerprint;
pub mod pipeline;

pub use shared_base::{datetime_text, error, vocabulary, wire, written};
pub use shared_making::{export, generate, plan, spec, template};
pub use shared_reading::{guard, ingest, profile};

pub use contract::{ColumnSummary, Strictness};
pub use evaluate::{EvaluateOptions, Report, evaluate};
pub use guard::{GuardOptions, Withheld};
pub use ingest::{IngestOptions, Limits, read};
pub use profile::{ColumnKind, Profile, ProfileOptions, Semantic, SemanticType};
pub use shared_base::{ColumnInfo, Error, ErrorKind, FileFormat, LogicalType, Result, Table};
pub use wire::SafeProfile;

// The steps' own paths inside this crate (`crate::table`, `crate::math`).
use shared_base::table;
