//! Full paths: build through three hops, peel hop by hop, answer and decode; tampering.

use rand::rngs::StdRng;
use rand::RngCore;
use session_protocol::onion::*;

use super::rng;

pub(crate) struct Node {
    ed25519: [u8; 32],
    x25519: X25519Keypair,
}

pub(crate) fn nodes(rng: &mut StdRng, n: usize) -> Vec<Node> {
    (0..n)
        .map(|_| {
            let mut ed25519 = [0u8; 32];
            rng.fill_bytes(&mut ed25519);
            Node {
                ed25519,
                x25519: X25519Keypair::generate(rng),
            }
        })
        .collect()
}

pub(crate) fn hop(node: &Node) -> PathHop {
    PathHop {
        ed25519: node.ed25519,
        x25519: *node.x25519.public(),
    }
}

/// Peels `body` through the path nodes, checking each forwards to the next; returns the
/// last node's action.
fn walk_path(path: &[Node], mut body: Vec<u8>, final_ed25519: Option<[u8; 32]>) -> PeeledLayer {
    for (i, node) in path.iter().enumerate() {
        let peeled = peel(&node.x25519, &body).unwrap();
        if i + 1 == path.len() && final_ed25519.is_none() {
            return peeled;
        }
        let LayerAction::Forward(fwd) = &peeled.action else {
            panic!("hop {i} should forward, got {:?}", peeled.action)
        };
        let expected = path
            .get(i + 1)
            .map(|n| n.ed25519)
            .or(final_ed25519)
            .unwrap();
        assert_eq!(fwd.next.destination, expected);
        body = fwd.onion_req_body(Some(i as u32 + 1)).unwrap();
        if i + 1 == path.len() {
            return PeeledLayer {
                header: peeled.header,
                reply_key: peeled.reply_key,
                action: LayerAction::Forward(fwd.clone()),
            };
        }
    }
    unreachable!()
}

#[test]
fn three_hops_to_a_snode_and_back() {
    for enc_type in [EncType::AesGcm, EncType::XChaCha20] {
        let mut rng = rng();
        let path = nodes(&mut rng, 3);
        let dest = &nodes(&mut rng, 1)[0];
        let rpc = br#"{"method":"retrieve","params":{"pubkey":"05ab"}}"#;
        let destination = OnionDestination::Snode(SnodeTarget {
            node: hop(dest),
            flags: SnodeFlags::default(),
        });
        let hops: Vec<PathHop> = path.iter().map(hop).collect();
        let request = build_onion_request(&hops, &destination, rpc, enc_type, &mut rng).unwrap();
        // The guard's header names the cipher.
        let outer = CombinedPayload::parse(&request.body).unwrap();
        assert_eq!(LayerHeader::parse(outer.json).unwrap().enc_type, enc_type);

        let last = walk_path(&path, request.body.clone(), Some(dest.ed25519));
        let LayerAction::Forward(fwd) = last.action else {
            panic!()
        };
        let body = fwd.onion_req_body(Some(3)).unwrap();
        let at_dest = peel(&dest.x25519, &body).unwrap();
        assert_eq!(at_dest.header.hop_no, Some(3));
        let LayerAction::SnodeDestination {
            request: rpc_in,
            flags,
        } = &at_dest.action
        else {
            panic!("destination should execute, got {:?}", at_dest.action)
        };
        assert_eq!(rpc_in, rpc);
        // A node on the path cannot decrypt the destination's layer.
        assert!(peel(&path[0].x25519, &body).is_err());

        let reply = encode_snode_reply(
            &at_dest.reply_key,
            200,
            &SnodeReplyBody::Json(serde_json::json!({"messages": []})),
            flags,
            &mut rng,
        )
        .unwrap();
        let decoded = decode_snode_reply(&request.reply_key, &reply).unwrap();
        assert_eq!(decoded.status, 200);
        assert_eq!(
            decoded.body_json().unwrap(),
            serde_json::json!({"messages": []})
        );
        // Only the destination's key opens the reply.
        assert!(matches!(
            decode_snode_reply(&last.reply_key, &reply),
            Err(OnionError::DecryptionFailed { .. })
        ));
    }
}

#[test]
fn three_hops_to_a_server_and_back() {
    for enc_type in [EncType::AesGcm, EncType::XChaCha20] {
        let mut rng = rng();
        let path = nodes(&mut rng, 3);
        let server = X25519Keypair::generate(&mut rng);
        let mut v4 = V4Request::new("POST", "/room/lokinet/message");
        v4.headers
            .push(("Content-Type".into(), "application/json".into()));
        v4.body = Some(br#"{"data":"aGk="}"#.to_vec());
        let destination = OnionDestination::Server(ServerTarget::v4_https(
            "open.getsession.org",
            *server.public(),
        ));
        let hops: Vec<PathHop> = path.iter().map(hop).collect();
        let request =
            build_onion_request(&hops, &destination, &v4.encode(), enc_type, &mut rng).unwrap();

        let last = walk_path(&path, request.body.clone(), None);
        let LayerAction::Server { route, payload } = &last.action else {
            panic!("last hop should relay to the server, got {:?}", last.action)
        };
        route.check_allowed().unwrap();
        assert_eq!(route.url(), "https://open.getsession.org/oxen/v4/lsrpc");

        // The server opens the whole relayed layer with its own key.
        let opened = open_layer(&server, payload).unwrap();
        assert_eq!(opened.header.enc_type, enc_type);
        assert_eq!(V4Request::decode(&opened.plaintext).unwrap(), v4);

        let resp = V4Response {
            code: 201,
            headers: vec![("content-type".into(), "application/json".into())],
            body: br#"{"id":7}"#.to_vec(),
        };
        let wire = encrypt_v4_reply(&opened.reply_key, &resp, &mut rng).unwrap();
        assert_eq!(decrypt_v4_reply(&request.reply_key, &wire).unwrap(), resp);
        // A flipped byte is caught.
        let mut bad = wire.clone();
        let last_byte = bad.len() - 1;
        bad[last_byte] ^= 1;
        assert_eq!(
            decrypt_v4_reply(&request.reply_key, &bad).unwrap_err(),
            OnionError::DecryptionFailed { enc_type }
        );
    }
}

#[test]
fn empty_path_goes_straight_to_the_destination() {
    let mut rng = rng();
    let dest = &nodes(&mut rng, 1)[0];
    let destination = OnionDestination::Snode(SnodeTarget {
        node: hop(dest),
        flags: SnodeFlags::default(),
    });
    let request = build_onion_request(&[], &destination, b"{}", EncType::AesGcm, &mut rng).unwrap();
    let peeled = peel(&dest.x25519, &request.body).unwrap();
    assert!(
        matches!(peeled.action, LayerAction::SnodeDestination { ref request, .. } if request == b"{}")
    );
    assert_eq!(peeled.reply_key.as_bytes(), request.reply_key.as_bytes());
}

#[test]
fn wrong_key_and_flipped_bytes_fail_authentication() {
    for enc_type in [EncType::AesGcm, EncType::XChaCha20] {
        let mut rng = rng();
        let path = nodes(&mut rng, 3);
        let dest = &nodes(&mut rng, 1)[0];
        let hops: Vec<PathHop> = path.iter().map(hop).collect();
        let destination = OnionDestination::Snode(SnodeTarget {
            node: hop(dest),
            flags: SnodeFlags::default(),
        });
        let request = build_onion_request(&hops, &destination, b"{}", enc_type, &mut rng).unwrap();
        assert_eq!(
            peel(&path[1].x25519, &request.body).unwrap_err(),
            OnionError::DecryptionFailed { enc_type }
        );
        let blob_len = CombinedPayload::parse(&request.body).unwrap().blob.len();
        for pos in [
            4,
            4 + enc_type.nonce_len(),
            4 + blob_len / 2,
            4 + blob_len - 1,
        ] {
            let mut bad = request.body.clone();
            bad[pos] ^= 0x80;
            assert_eq!(
                peel(&path[0].x25519, &bad).unwrap_err(),
                OnionError::DecryptionFailed { enc_type },
                "flipped byte {pos}"
            );
        }
        // The header's cipher must match the one used.
        let other = if enc_type == EncType::AesGcm {
            EncType::XChaCha20
        } else {
            EncType::AesGcm
        };
        let combined = CombinedPayload::parse(&request.body).unwrap();
        let mut header = LayerHeader::parse(combined.json).unwrap();
        header.enc_type = other;
        let swapped = encode_combined(combined.blob, &header.to_json()).unwrap();
        assert!(peel(&path[0].x25519, &swapped).is_err());
    }
}

#[test]
fn secrets_are_redacted_from_debug() {
    let kp = X25519Keypair::from_secret_bytes([0x42; 32]);
    let key = HopKey::from_bytes(EncType::AesGcm, [0x42; 32]);
    for text in [format!("{kp:?}"), format!("{key:?}")] {
        assert!(text.contains("redacted"));
        assert!(!text.contains(&hex::encode([0x42u8; 32])));
        assert!(!text.contains("66, 66"));
    }
}
