//! The page's edges: the worker, the relay, and downloads. Components call these; none
//! of them renders anything.

pub mod download;
pub mod relay;
pub mod worker_bridge;
