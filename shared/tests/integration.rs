//! The core's native integration tests, one module per file beside this one, in one
//! binary: as one binary per file, each linked the whole core with arrow and parquet,
//! and a change to the core relinked eighteen of them.

mod common;

mod attacks;
mod datasets;
mod demo;
mod dependence;
mod evaluate;
mod fuzz_regressions;
mod generate;
mod golden;
mod guard;
mod hostile;
mod offsets;
mod partitions;
mod pii;
mod pipeline;
mod readback;
mod sdmetrics;
mod streaming;
mod wall;
mod written;
