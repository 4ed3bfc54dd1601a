//! `session`: the desktop app. See the library crate for the structure.

use clap::Parser;

/// mimalloc, as in the node: the system allocator cost measurably more CPU per message in
/// `cargo bench -p session-client --bench e2e_latency` (which uses it too).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> anyhow::Result<()> {
    let args = session::cli::Args::parse();
    session::cli::init_logging();
    if let Some(dir) = args.run_devnet.clone() {
        return session::devnet::run_devnet(&dir, args.devnet_port);
    }
    session::app::run(args.into_config()?)
}
