//! `byod serve`: the relay on port 8201 (or `APP_PORT`, or `--port`).

use crate::server::{Config, serve};
use clap::Args;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Port to listen on (default: APP_PORT, else 8201).
    #[arg(long)]
    port: Option<u16>,
    /// Address to bind (default 127.0.0.1; 0.0.0.0 to serve other machines, with
    /// RELAY_TOKEN set).
    #[arg(long, default_value = "127.0.0.1")]
    bind: std::net::IpAddr,
    /// The built page (default: DIST_DIR, else ./dist).
    #[arg(long)]
    dist: Option<PathBuf>,
}

pub fn run(a: ServeArgs) -> anyhow::Result<()> {
    let mut config = Config::from_env()?;
    if let Some(p) = a.port {
        config.port = p;
    }
    if let Some(d) = a.dist {
        config.dist = d;
    }
    let _logs = crate::server::logging::init(&config)?;
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(serve(config, a.bind))
}
