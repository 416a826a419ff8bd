//! The page's edges: the worker, the relay, the spec cache (IndexedDB), downloads and
//! files written as they are made. Components call these; none
//! of them renders anything.

pub mod cache;
pub mod disk;
pub mod download;
pub mod relay;
pub mod worker_bridge;
