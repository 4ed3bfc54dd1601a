//! Onion requests to an external server (a v4 "lsrpc" endpoint like SOGS or the file server):
//! a small axum server in the test holds an X25519 key, opens the layer the last node posts
//! to it and answers with an encrypted v4 response.

#![allow(clippy::unwrap_used)] // tests may unwrap

mod onion_support;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use onion_support::{client, extra_node, hop, post_onion, start, text};
use rand::rngs::OsRng;
use session_protocol::onion::{
    build_onion_request, decode_snode_reply, decrypt_v4_reply, encode_combined, encrypt_v4_reply,
    open_layer, seal_for_node, EncType, LayerHeader, OnionDestination, PathError, PathHop,
    ServerRoute, ServerTarget, V4Request, V4Response, X25519Keypair, INVALID_URL_TEXT, V4_TARGET,
};

struct TestServer {
    key: X25519Keypair,
    delay: Duration,
}

/// Opens the layer, decodes the v4 request and echoes it back in a v4 response.
async fn lsrpc(State(server): State<Arc<TestServer>>, body: Bytes) -> Response {
    tokio::time::sleep(server.delay).await;
    let opened = match open_layer(&server.key, &body) {
        Ok(opened) => opened,
        Err(e) => return (StatusCode::BAD_REQUEST, format!("test server: {e}")).into_response(),
    };
    let request = match V4Request::decode(&opened.plaintext) {
        Ok(request) => request,
        Err(e) => return (StatusCode::BAD_REQUEST, format!("test server: {e}")).into_response(),
    };
    let echo = serde_json::json!({
        "method": request.method,
        "endpoint": request.endpoint,
        "headers": request.headers,
        "body": request.body.map(|b| String::from_utf8_lossy(&b).into_owned()),
    });
    let response = V4Response {
        code: 201,
        headers: vec![
            ("content-type".into(), "application/json".into()),
            ("x-test".into(), "onion".into()),
        ],
        body: echo.to_string().into_bytes(),
    };
    let encrypted = encrypt_v4_reply(&opened.reply_key, &response, &mut OsRng).unwrap();
    (
        StatusCode::OK,
        [("content-type", "application/octet-stream")],
        encrypted,
    )
        .into_response()
}

/// Starts the test server on a free loopback port.
async fn serve(delay: Duration) -> (SocketAddr, X25519Keypair) {
    let key = X25519Keypair::generate(&mut OsRng);
    let state = Arc::new(TestServer {
        key: key.clone(),
        delay,
    });
    let router = Router::new()
        .route("/oxen/v4/lsrpc", post(lsrpc))
        .route("/loki/v3/lsrpc", post(lsrpc))
        .with_state(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (addr, key)
}

fn http_route(addr: SocketAddr, target: &str) -> ServerRoute {
    ServerRoute {
        host: addr.ip().to_string(),
        target: target.to_owned(),
        protocol: "http".to_owned(),
        port: addr.port(),
    }
}

fn to_server(route: ServerRoute, key: &X25519Keypair) -> OnionDestination {
    OnionDestination::Server(ServerTarget {
        route,
        x25519: *key.public(),
    })
}

fn v4_post() -> Vec<u8> {
    let mut request = V4Request::new("POST", "/room/lokinet/message");
    request.headers = vec![("Content-Type".into(), "application/json".into())];
    request.body = Some(br#"{"data":"aGk="}"#.to_vec());
    request.encode()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn v4_request_to_a_server_through_three_relays() {
    let net = start(3, 3).await;
    let nodes = net.nodes();
    let path: Vec<PathHop> = nodes.iter().map(hop).collect();
    let (addr, server_key) = serve(Duration::ZERO).await;
    let http = client();

    for enc_type in [EncType::AesGcm, EncType::XChaCha20] {
        let destination = to_server(http_route(addr, V4_TARGET), &server_key);
        let req =
            build_onion_request(&path, &destination, &v4_post(), enc_type, &mut OsRng).unwrap();
        let (status, body) = post_onion(&http, &nodes[0], req.body).await;
        assert_eq!(status, 200, "{enc_type}: {}", text(&body));
        let reply = decrypt_v4_reply(&req.reply_key, &body).unwrap();
        assert_eq!(reply.code, 201);
        assert_eq!(reply.content_type(), Some("application/json"));
        assert_eq!(reply.header("x-test"), Some("onion"));
        let echo: serde_json::Value = serde_json::from_slice(&reply.body).unwrap();
        assert_eq!(echo["method"], "POST");
        assert_eq!(echo["endpoint"], "/room/lokinet/message");
        assert_eq!(echo["body"], r#"{"data":"aGk="}"#);
        assert_eq!(
            echo["headers"],
            serde_json::json!([["Content-Type", "application/json"]])
        );

        // A GET without a body, over the legacy /loki/ prefix.
        let get = V4Request::new("GET", "/capabilities").encode();
        let destination = to_server(http_route(addr, "/loki/v3/lsrpc"), &server_key);
        let req = build_onion_request(&path, &destination, &get, enc_type, &mut OsRng).unwrap();
        let (status, body) = post_onion(&http, &nodes[0], req.body).await;
        assert_eq!(status, 200, "{}", text(&body));
        let reply = decrypt_v4_reply(&req.reply_key, &body).unwrap();
        let echo: serde_json::Value = serde_json::from_slice(&reply.body).unwrap();
        assert_eq!(
            (echo["method"].as_str(), echo["body"].is_null()),
            (Some("GET"), true)
        );
    }

    // The server's own error status and body come back unchanged (here: the layer was
    // encrypted to another key, so the server cannot open it).
    let wrong_key = X25519Keypair::generate(&mut OsRng);
    let destination = to_server(http_route(addr, V4_TARGET), &wrong_key);
    let req =
        build_onion_request(&path, &destination, &v4_post(), EncType::AesGcm, &mut OsRng).unwrap();
    let (status, body) = post_onion(&http, &nodes[0], req.body).await;
    assert_eq!(status, 400);
    assert!(text(&body).starts_with("test server: "), "{}", text(&body));
    net.stop().await;
}

/// A one-hop request whose only layer carries `route`, built by hand so the test holds that
/// layer's key (the node encrypts route errors with it).
fn one_hop_to_route(
    node: PathHop,
    route: &ServerRoute,
    enc_type: EncType,
) -> (Vec<u8>, session_protocol::onion::HopKey) {
    let server = X25519Keypair::generate(&mut OsRng);
    let inner = seal_for_node(enc_type, server.public(), b"for the server", &mut OsRng).unwrap();
    let plaintext = encode_combined(
        &inner.ciphertext,
        &route.to_json(&inner.ephemeral_public, enc_type),
    )
    .unwrap();
    let layer = seal_for_node(enc_type, &node.x25519, &plaintext, &mut OsRng).unwrap();
    let header = LayerHeader::new(layer.ephemeral_public, enc_type);
    let body = encode_combined(&layer.ciphertext, &header.to_json()).unwrap();
    (body, layer.key)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn disallowed_targets_get_an_encrypted_invalid_url() {
    let net = start(2, 2).await;
    let nodes = net.nodes();
    let (addr, server_key) = serve(Duration::ZERO).await;
    let http = client();

    let mut bad_protocol = http_route(addr, V4_TARGET);
    bad_protocol.protocol = "ftp".into();
    let routes = [
        http_route(addr, "/oxen/v4/lsrpc?x=1"),
        http_route(addr, "/session/v4/lsrpc"),
        http_route(addr, "/oxen/v4/other"),
        http_route(addr, "oxen/v4/lsrpc"),
        bad_protocol,
    ];
    for route in routes {
        for enc_type in [EncType::AesGcm, EncType::XChaCha20] {
            let (body, key) = one_hop_to_route(hop(&nodes[0]), &route, enc_type);
            let (status, reply) = post_onion(&http, &nodes[0], body).await;
            assert_eq!(status, 200, "{}", text(&reply));
            let reply = decode_snode_reply(&key, &reply).unwrap();
            assert_eq!(
                (reply.status, reply.body_text()),
                (400, Some(INVALID_URL_TEXT)),
                "{route:?}"
            );
        }
    }

    // Through a full path the error is encrypted for the last relay's layer, which a client
    // building with `build_onion_request` cannot open (upstream behaves the same).
    let path: Vec<PathHop> = nodes.iter().map(hop).collect();
    let destination = to_server(http_route(addr, "/oxen/v4/lsrpc?x=1"), &server_key);
    let req =
        build_onion_request(&path, &destination, &v4_post(), EncType::AesGcm, &mut OsRng).unwrap();
    let (status, reply) = post_onion(&http, &nodes[0], req.body).await;
    assert_eq!(status, 200);
    assert!(decrypt_v4_reply(&req.reply_key, &reply).is_err());
    net.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn slow_and_unreachable_servers() {
    let net = start(1, 1).await;
    let (slow_addr, slow_key) = serve(Duration::from_secs(5)).await;
    let closed_port = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap().port()
    };
    let (node, stop) = extra_node(&net, |config| config.onion_server_timeout_ms = 300).await;
    let http = client();
    let path = [hop(&node)];

    let destination = to_server(http_route(slow_addr, V4_TARGET), &slow_key);
    let req =
        build_onion_request(&path, &destination, &v4_post(), EncType::AesGcm, &mut OsRng).unwrap();
    // The server answers after 5 s; the node gave up after 300 ms (a 504, not the answer).
    let (status, body) = post_onion(&http, &node, req.body).await;
    assert_eq!((status, text(&body).as_str()), (504, "Request time out"));
    assert_eq!(
        PathError::from_status_and_body(status, &body),
        PathError::Timeout
    );

    let closed = SocketAddr::from(([127, 0, 0, 1], closed_port));
    let destination = to_server(http_route(closed, V4_TARGET), &slow_key);
    let req = build_onion_request(
        &path,
        &destination,
        &v4_post(),
        EncType::XChaCha20,
        &mut OsRng,
    )
    .unwrap();
    let (status, body) = post_onion(&http, &node, req.body).await;
    assert_eq!(status, 502, "{}", text(&body));
    assert!(matches!(
        PathError::from_status_and_body(status, &body),
        PathError::Other { status: 502, .. }
    ));

    stop.trigger();
    tokio::time::timeout(Duration::from_secs(15), node.join())
        .await
        .unwrap();
    net.stop().await;
}
