//! Serving an axum router on a bound listener, over HTTPS or plain HTTP, with graceful shutdown.
//! Also the HTTP client nodes use to talk to the seed and to each other.

use std::io;
use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use rustls::ServerConfig;
use tokio::task::JoinHandle;
use tracing::Instrument;

use crate::shutdown::Shutdown;

/// How long open connections get to finish once shutdown starts.
pub const GRACEFUL_SHUTDOWN: Duration = Duration::from_secs(5);

/// How a listener speaks.
#[derive(Debug, Clone)]
pub enum Transport {
    /// TLS with this configuration.
    Https(Arc<ServerConfig>),
    /// Plain HTTP (the seed's oxend-style RPC port, or a node's `--plain-http` debugging mode).
    PlainHttp,
}

/// Binds a TCP listener (port 0 picks a free port); binding early lets callers learn the real
/// port before announcing it.
pub fn bind(addr: SocketAddr) -> io::Result<TcpListener> {
    let listener = TcpListener::bind(addr)?;
    listener.set_nonblocking(true)?;
    Ok(listener)
}

/// Serves `router` on `listener` until `shutdown` fires, then drains open connections for up to
/// [`GRACEFUL_SHUTDOWN`]. Handlers can extract the peer address with
/// `ConnectInfo<SocketAddr>`.
pub fn spawn(
    listener: TcpListener,
    transport: Transport,
    router: Router,
    shutdown: Shutdown,
) -> JoinHandle<io::Result<()>> {
    let handle = axum_server::Handle::new();
    let stopper = handle.clone();
    tokio::spawn(async move {
        shutdown.wait().await;
        stopper.graceful_shutdown(Some(GRACEFUL_SHUTDOWN));
    });
    let service = router.into_make_service_with_connect_info::<SocketAddr>();
    let span = tracing::Span::current();
    let serve = async move {
        match transport {
            Transport::Https(config) => {
                let config = axum_server::tls_rustls::RustlsConfig::from_config(config);
                // TCP_NODELAY: without it the TLS 1.3 session ticket and the first answer on
                // a new connection wait out Nagle plus delayed ACK (about 40 ms).
                let acceptor = axum_server::tls_rustls::RustlsAcceptor::new(config)
                    .acceptor(axum_server::accept::NoDelayAcceptor::new());
                axum_server::from_tcp(listener)
                    .acceptor(acceptor)
                    .handle(handle)
                    .serve(service)
                    .await
            }
            Transport::PlainHttp => {
                axum_server::from_tcp(listener)
                    .acceptor(axum_server::accept::NoDelayAcceptor::new())
                    .handle(handle)
                    .serve(service)
                    .await
            }
        }
    };
    tokio::spawn(serve.instrument(span))
}

/// An HTTP client for node↔seed and node↔node traffic. It accepts self-signed certificates:
/// Session's nodes are addressed and authenticated by their keys, not by certificates.
pub fn http_client(timeout: Duration) -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .danger_accept_invalid_certs(true)
        .timeout(timeout)
        .connect_timeout(timeout.min(Duration::from_secs(5)))
        .pool_idle_timeout(Duration::from_secs(60))
        .user_agent(concat!("session-node/", env!("CARGO_PKG_VERSION")))
        .build()
}
