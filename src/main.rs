//! `session`: the desktop app. See the library crate for the structure.

use clap::Parser;

fn main() -> anyhow::Result<()> {
    let args = session::cli::Args::parse();
    session::cli::init_logging();
    if let Some(dir) = args.run_devnet.clone() {
        return session::devnet::run_devnet(&dir, args.devnet_port);
    }
    session::app::run(args.into_config()?)
}
