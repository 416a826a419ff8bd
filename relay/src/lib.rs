//! The BYOD relay server and the `byod` command-line tool.
//!
//! A library as well as a binary so the end-to-end tests (`tests/` at the workspace
//! root) can start the server in-process against a fake Azure OpenAI.
//!
//! - [`server`]: the axum app on port 8201: the page, the LLM spec relay, and the
//!   REST API of the user guide.
//! - [`cli`]: `byod profile | evaluate | spec | generate | serve`.

pub mod cli;
pub mod server;
