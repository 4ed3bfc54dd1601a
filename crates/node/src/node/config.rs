//! Node settings, read from a TOML file by `session-node run --config FILE`.
//!
//! ```toml
//! data_dir = "/var/lib/session-node"   # identity, certificate, message database
//! listen = "0.0.0.0:22021"             # HTTPS storage port
//! public_ip = "203.0.113.5"            # IPv4 address announced to the network
//! seed_url = "http://seed.example:22023"
//! # optional:
//! lmq_port = 22020                     # OxenMQ port to report (nothing listens on it)
//! plain_http = false                   # debugging only: serve plain HTTP instead of HTTPS
//! rate_limit = true                    # per-client-IP rate limiting
//! onion_relay_timeout_ms = 30000       # onion: wait for the next node (then 504)
//! onion_server_timeout_ms = 25000      # onion: wait for an external server (then 504)
//! ```

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Errors reading a node config.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read the config file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not valid TOML for this config.
    #[error("the config file {path} is not valid: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// What is wrong, with its location.
        message: String,
    },
    /// No IPv4 address to announce.
    #[error(
        "the node listens on {listen}, which is not an address other machines can reach; set \
         public_ip to this machine's IPv4 address"
    )]
    NoPublicIp {
        /// The listen address.
        listen: SocketAddr,
    },
    /// The seed URL is not http(s).
    #[error("seed_url {0:?} must start with http:// or https://")]
    BadSeedUrl(String),
}

/// A node's settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NodeConfig {
    /// Directory holding the identity, TLS certificate and message database.
    pub data_dir: PathBuf,
    /// Storage (HTTPS) listener; port 0 picks a free port.
    pub listen: SocketAddr,
    /// IPv4 address announced to the seed; defaults to the listen address when that is a
    /// specific IPv4 address.
    pub public_ip: Option<Ipv4Addr>,
    /// OxenMQ port reported to the network (session-node does not speak OxenMQ); 0 if unset.
    pub lmq_port: Option<u16>,
    /// The seed to register with and learn the network from.
    pub seed_url: String,
    /// Serve plain HTTP instead of HTTPS (debugging only: Session clients expect HTTPS).
    pub plain_http: bool,
    /// Per-client-IP rate limiting as Session's storage servers do.
    pub rate_limit: bool,
    /// Seconds between expired-message sweeps.
    pub sweep_interval_secs: u64,
    /// Seconds between re-registrations (liveness, like oxend uptime proofs).
    pub register_interval_secs: u64,
    /// Seconds between refreshes of the network view from the seed.
    pub refresh_interval_secs: u64,
    /// Milliseconds an onion relay waits for the next node's answer (then 504).
    pub onion_relay_timeout_ms: u64,
    /// Milliseconds the last onion node waits for an external server (then 504).
    pub onion_server_timeout_ms: u64,
    /// Seconds between reconciliations with swarm peers (catch-up also runs at start-up and on
    /// every swarm membership change).
    pub sync_interval_secs: u64,
}

impl Default for NodeConfig {
    fn default() -> NodeConfig {
        NodeConfig {
            data_dir: PathBuf::from("node"),
            // session-storage-server's default HTTPS port.
            listen: SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), 22021),
            public_ip: None,
            lmq_port: None,
            seed_url: "http://127.0.0.1:22023".to_string(),
            plain_http: false,
            rate_limit: true,
            sweep_interval_secs: 10,
            register_interval_secs: 60,
            refresh_interval_secs: 15,
            // session-storage-server: 30 s per relay hop, 25 s to a server (shorter, so the
            // server's 504 reaches the client before the relays' own timers fire).
            onion_relay_timeout_ms: 30_000,
            onion_server_timeout_ms: 25_000,
            sync_interval_secs: 60,
        }
    }
}

impl NodeConfig {
    /// Reads a TOML config file.
    pub fn load(path: &Path) -> Result<NodeConfig, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        NodeConfig::parse(&text, path)
    }

    /// Parses TOML text (`path` is only used in error messages).
    pub fn parse(text: &str, path: &Path) -> Result<NodeConfig, ConfigError> {
        let config: NodeConfig = toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        config.validate()?;
        Ok(config)
    }

    /// Checks settings that cannot be checked by parsing alone.
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.announced_ip()?;
        if !(self.seed_url.starts_with("http://") || self.seed_url.starts_with("https://")) {
            return Err(ConfigError::BadSeedUrl(self.seed_url.clone()));
        }
        Ok(())
    }

    /// The IPv4 address announced to the network.
    pub fn announced_ip(&self) -> Result<Ipv4Addr, ConfigError> {
        match (self.public_ip, self.listen.ip()) {
            (Some(ip), _) => Ok(ip),
            (None, IpAddr::V4(ip)) if !ip.is_unspecified() => Ok(ip),
            _ => Err(ConfigError::NoPublicIp {
                listen: self.listen,
            }),
        }
    }

    pub(crate) fn sweep_interval(&self) -> Duration {
        Duration::from_secs(self.sweep_interval_secs.max(1))
    }

    pub(crate) fn onion_relay_timeout(&self) -> Duration {
        Duration::from_millis(self.onion_relay_timeout_ms.max(1))
    }

    pub(crate) fn onion_server_timeout(&self) -> Duration {
        Duration::from_millis(self.onion_server_timeout_ms.max(1))
    }

    pub(crate) fn register_interval(&self) -> Duration {
        Duration::from_secs(self.register_interval_secs.max(1))
    }

    pub(crate) fn refresh_interval(&self) -> Duration {
        Duration::from_secs(self.refresh_interval_secs.max(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_example() {
        let text = r#"
            data_dir = "/var/lib/session-node"
            listen = "0.0.0.0:22021"
            public_ip = "203.0.113.5"
            seed_url = "http://seed.example:22023"
            lmq_port = 22020
            plain_http = false
            rate_limit = true
        "#;
        let c = NodeConfig::parse(text, Path::new("x.toml")).unwrap();
        assert_eq!(c.announced_ip().unwrap(), Ipv4Addr::new(203, 0, 113, 5));
        assert_eq!(c.lmq_port, Some(22020));
        assert_eq!(c.sweep_interval_secs, 10);
    }

    #[test]
    fn errors_are_specific() {
        let err = NodeConfig::parse("listen = \"0.0.0.0:1\"", Path::new("x")).unwrap_err();
        assert!(matches!(err, ConfigError::NoPublicIp { .. }), "{err}");
        let err = NodeConfig::parse("bogus = 1", Path::new("x")).unwrap_err();
        assert!(matches!(err, ConfigError::Parse { .. }), "{err}");
        let err = NodeConfig::parse(
            "listen = \"127.0.0.1:1\"\nseed_url = \"ftp://x\"",
            Path::new("x"),
        )
        .unwrap_err();
        assert!(matches!(err, ConfigError::BadSeedUrl(_)), "{err}");
    }
}
