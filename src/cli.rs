//! Command-line options and where a profile's files live.

use std::path::PathBuf;

use session_client::DataDir;
use session_node::devnet::DEFAULT_BASE_PORT;

/// Command-line options of `session`.
#[derive(Debug, Clone, clap::Parser)]
#[command(
    name = "session",
    about = "A private desktop messenger compatible with Session"
)]
pub struct Args {
    /// Run a second account side by side: its own data directory under the app's folder.
    #[arg(long, value_name = "NAME", default_value = "default")]
    pub profile: String,
    /// Join another network through this seed (default: the local devnet).
    #[arg(long, value_name = "URL")]
    pub seed: Option<String>,
    /// The app's folder (profiles, the local devnet) instead of the platform default.
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Internal: run the local devnet in this directory (started by the app itself).
    #[arg(long, value_name = "DIR", hide = true)]
    pub run_devnet: Option<PathBuf>,
    /// Internal: the first port of the devnet `--run-devnet` runs (scripts pick a free range so
    /// they do not collide with a developer's devnet on the default ports).
    #[arg(long, value_name = "PORT", hide = true, default_value_t = DEFAULT_BASE_PORT)]
    pub devnet_port: u16,
}

/// Errors resolving the options.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// A profile name that would escape the profiles folder.
    #[error("a profile name may use only letters, digits, '-' and '_' (got {0:?})")]
    BadProfile(String),
    /// No home directory and no --data-dir.
    #[error(transparent)]
    NoDataDir(#[from] session_client::AccountError),
}

/// The default seed: the local devnet.
pub fn default_seed_url() -> String {
    format!("http://127.0.0.1:{DEFAULT_BASE_PORT}")
}

/// Where everything of one app instance lives and which network it uses.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AppConfig {
    /// The app's folder (all profiles and the local devnet).
    pub base_dir: PathBuf,
    /// The profile name.
    pub profile: String,
    /// The seed URL.
    pub seed_url: String,
    /// Whether the app may start a local devnet when the seed does not answer.
    pub start_devnet: bool,
}

impl AppConfig {
    /// A config with everything under `base_dir` (tests use a temporary directory).
    pub fn new(base_dir: PathBuf, profile: &str, seed_url: Option<String>) -> AppConfig {
        let start_devnet = seed_url.is_none();
        AppConfig {
            base_dir,
            profile: profile.to_owned(),
            seed_url: seed_url.unwrap_or_else(default_seed_url),
            start_devnet,
        }
    }

    /// The account's data directory for this profile.
    pub fn account_dir(&self) -> DataDir {
        DataDir::new(self.base_dir.join("profiles").join(&self.profile))
    }

    /// The local devnet's state directory (shared by all profiles).
    pub fn devnet_dir(&self) -> PathBuf {
        self.base_dir.join("devnet")
    }

    /// The app's own preferences file for this profile (theme, text size, language).
    pub fn prefs_path(&self) -> PathBuf {
        self.account_dir().root().join("app-preferences")
    }
}

impl Args {
    /// Resolves the options into an [`AppConfig`].
    pub fn into_config(self) -> Result<AppConfig, CliError> {
        let valid = !self.profile.is_empty()
            && self
                .profile
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !valid {
            return Err(CliError::BadProfile(self.profile));
        }
        let base = match self.data_dir {
            Some(dir) => dir,
            None => DataDir::platform_default()?.root().to_path_buf(),
        };
        Ok(AppConfig::new(base, &self.profile, self.seed))
    }
}

/// Logs to stderr; `RUST_LOG` sets the level (default: warnings, info for the app).
pub fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,session=info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}
