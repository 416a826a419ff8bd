//! The BYOD page: a Leptos app on the UI thread and a Web Worker that runs the core.
//!
//! ```text
//! UI thread: components ─▶ actions ─▶ services::worker_bridge ─▶ Worker: worker::flow
//!                                  ├▶ services::relay (/health, /api/spec: SafeProfile only)
//!                                  └▶ services::cache (IndexedDB: SafeProfiles and specs)
//! ```
//!
//! The UI thread never holds the user's rows: it keeps `File` handles, and the worker
//! sends back summaries, the SafeProfile, previews, the report (figures, and category
//! labels for its charts) and the output Blob ([`protocol`]). [`report`] draws the
//! report as SVG and as a self-contained HTML file.

pub mod actions;
mod app;
pub mod components;
pub mod json_place;
pub mod protocol;
pub mod report;
pub mod services;
pub mod state;
pub mod worker;

pub use app::App;
