//! The BYOD page: a Leptos app on the UI thread and a Web Worker that runs the core.
//!
//! ```text
//! UI thread: components ─▶ actions ─▶ services::worker_bridge ─▶ Worker: worker::flow
//!                                  └▶ services::relay (/health, /api/spec: SafeProfile only)
//! ```
//!
//! The UI thread never holds the user's rows: it keeps `File` handles, and the worker
//! sends back summaries, the SafeProfile, previews, figures and the output Blob
//! ([`protocol`]).

pub mod actions;
mod app;
pub mod components;
pub mod protocol;
pub mod services;
pub mod state;
pub mod worker;

pub use app::App;
