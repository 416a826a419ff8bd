//! `byod`: the command-line face of the BYOD core.
//!
//! One file per subcommand under `cli/`. Errors print as one line on stderr with a
//! non-zero exit code; a closed pipe (`byod profile f.csv | head`) is not an error.

use clap::Parser;
use relay::cli;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args = cli::Args::parse();
    match cli::run(args) {
        Ok(code) => code,
        Err(e) => {
            if is_broken_pipe(&e) {
                return ExitCode::SUCCESS;
            }
            eprintln!("byod: {e:#}");
            ExitCode::from(1)
        }
    }
}

/// The reader went away (`byod profile x.csv | head`): not an error.
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    use std::io::ErrorKind::BrokenPipe;
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == BrokenPipe)
            || c.downcast_ref::<serde_json::Error>()
                .is_some_and(|j| j.io_error_kind() == Some(BrokenPipe))
    })
}
