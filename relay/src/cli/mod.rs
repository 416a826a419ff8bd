//! Command-line arguments and dispatch.

mod profile;

use clap::{Parser, Subcommand};

/// Privacy-first synthetic data: profile files locally; only metadata may leave.
#[derive(Debug, Parser)]
#[command(name = "byod", version, about)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Print the SafeProfile of a file (what may leave the machine), or the full local
    /// profile with --full, or what was withheld with --withheld.
    Profile(profile::ProfileArgs),
}

pub fn run(args: Args) -> anyhow::Result<()> {
    match args.command {
        Command::Profile(a) => profile::run(a),
    }
}
