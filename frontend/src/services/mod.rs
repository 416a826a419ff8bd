//! The page's edges: the worker, the relay, the spec cache (IndexedDB), and downloads. Components call these; none
//! of them renders anything.

pub mod cache;
pub mod download;
pub mod relay;
pub mod worker_bridge;
