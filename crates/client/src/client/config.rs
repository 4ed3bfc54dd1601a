//! How a [`Client`](super::Client) runs: network settings, poll intervals, retries, time.

use std::sync::Arc;
use std::time::Duration;

use crate::clock::{SharedClock, SystemClock};
use crate::net::NetworkConfig;
use crate::store::RetryPolicy;

/// Poll interval while the window is active.
pub const DEFAULT_POLL_ACTIVE: Duration = Duration::from_secs(2);
/// Longest poll interval while inactive and nothing arrives.
pub const DEFAULT_POLL_IDLE_MAX: Duration = Duration::from_secs(30);

/// Settings of a running client.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// Seeds, paths and timeouts of the network layer.
    pub network: NetworkConfig,
    /// Poll interval while active (the window is focused).
    pub poll_active: Duration,
    /// Back-off ceiling of the poll interval while inactive.
    pub poll_idle_max: Duration,
    /// Retries of the send queue.
    pub retry: RetryPolicy,
    /// Wall-clock time (injectable for tests).
    pub clock: SharedClock,
}

impl ClientConfig {
    /// Settings for a devnet whose seed answers at `seed_url` (e.g. `http://127.0.0.1:22000`).
    pub fn devnet(seed_url: &str) -> Self {
        ClientConfig {
            network: NetworkConfig::devnet(seed_url),
            poll_active: DEFAULT_POLL_ACTIVE,
            poll_idle_max: DEFAULT_POLL_IDLE_MAX,
            retry: RetryPolicy::default(),
            clock: Arc::new(SystemClock),
        }
    }

    /// Settings for Session's main network.
    pub fn session_mainnet() -> Self {
        ClientConfig {
            network: NetworkConfig::session_mainnet(),
            poll_active: DEFAULT_POLL_ACTIVE,
            poll_idle_max: DEFAULT_POLL_IDLE_MAX,
            retry: RetryPolicy::default(),
            clock: Arc::new(SystemClock),
        }
    }
}
