//! Handlers: the user guide's REST API and the page's `/api/*`, one file per route.
//!
//! Uploads are read into memory (bounded by the route's body limit), processed on the
//! blocking pool through the core's one pipeline ([`shared::pipeline`]), and dropped
//! when the response is built: nothing of them is written anywhere. Form field names
//! are the user guide's, exactly; an unknown field is an error (a typo would otherwise
//! be silently ignored). Bodies and answers are the core's contract types
//! ([`shared::contract`]), the same ones the page uses.

mod cache;
mod files;
mod form;
mod generate;
mod health;
mod spec;
mod work;

pub use cache::clear_cache;
pub use files::{metadata, upload};
pub use generate::generate;
pub use health::health;
pub use spec::{embed, spec};
