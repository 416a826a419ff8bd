//! `byod`: the command-line face of the BYOD core.
//!
//! One file per subcommand under `cli/`. Errors print as one line on stderr with a
//! non-zero exit code; a closed pipe (`byod profile f.csv | head`) is not an error.

mod cli;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args = cli::Args::parse();
    match cli::run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if e.downcast_ref::<std::io::Error>()
                .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            {
                return ExitCode::SUCCESS;
            }
            eprintln!("byod: {e:#}");
            ExitCode::from(1)
        }
    }
}
