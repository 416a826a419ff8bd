//! BYOD core, ground floor: what both sides of the privacy wall may name.
//!
//! ```text
//!            shared (facade: pipeline, contracts, fingerprint, evaluate)
//!           ╱                                                      ╲
//!   shared-reading                                          shared-making
//!   ingest · profile · guard ──SafeProfile──▶ template · spec · plan · generate · export
//!           ╲                                                      ╱
//!            shared-base: vocabulary · wire · table · error · math · datetime_text
//! ```
//!
//! The reading crate sees the user's values; the making crate sees only a
//! [`SafeProfile`] and a spec. Neither depends on the other, so a making module that
//! names a reading type (a `Profile`, a `ColumnProfile`, a reader) does not compile:
//! the wall is a fact of the manifests, not a convention. What both need lives here,
//! and nothing here holds or reads a user's value: the vocabulary is words (kinds,
//! semantic types, granularities, rules, released histograms), [`Table`] is the
//! container either side fills, [`SafeProfile`] is the released metadata.
#![deny(missing_docs)]

pub mod datetime_text;
pub mod error;
pub mod math;
pub mod strictness;
pub mod table;
pub mod vocabulary;
pub mod wire;
pub mod written;

pub use error::{Error, ErrorKind, Result};
pub use strictness::Strictness;
pub use table::{ColumnInfo, FileFormat, LogicalType, Table};
pub use wire::SafeProfile;
