//! Decoders fed arbitrary or mutated bytes must return, never panic.

use proptest::prelude::*;
use session_protocol::onion::*;

use super::path::{hop, nodes};
use super::rng;

fn valid_onion() -> (X25519Keypair, Vec<u8>) {
    let mut rng = rng();
    let guard = X25519Keypair::from_secret_bytes([9; 32]);
    let dest = nodes(&mut rng, 1).remove(0);
    let hops = [PathHop {
        ed25519: [4; 32],
        x25519: *guard.public(),
    }];
    let destination = OnionDestination::Snode(SnodeTarget {
        node: hop(&dest),
        flags: SnodeFlags::default(),
    });
    let req = build_onion_request(&hops, &destination, b"{}", EncType::AesGcm, &mut rng).unwrap();
    (guard, req.body)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn decoders_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let node = X25519Keypair::from_secret_bytes([9; 32]);
        let key = HopKey::from_bytes(EncType::XChaCha20, [3; 32]);
        let _ = CombinedPayload::parse(&bytes);
        let _ = LayerHeader::parse(&bytes);
        let _ = Routing::parse(&bytes);
        let _ = open_layer(&node, &bytes);
        let _ = peel(&node, &bytes);
        let _ = LayerAction::classify(bytes.clone());
        let _ = V4Request::decode(&bytes);
        let _ = V4Response::decode(&bytes);
        let _ = decode_snode_reply(&key, &bytes);
        let _ = decode_snode_reply_binary(&key, &bytes);
        let _ = decrypt_v4_reply(&key, &bytes);
        let _ = key.decrypt(&bytes);
        let _ = PathError::from_status_and_body(502, &bytes);
    }

    #[test]
    fn framed_garbage_never_panics(blob in proptest::collection::vec(any::<u8>(), 0..100),
                                   json in "\\PC{0,80}") {
        let node = X25519Keypair::from_secret_bytes([9; 32]);
        let body = encode_combined(&blob, json.as_bytes()).unwrap();
        let _ = peel(&node, &body);
        let _ = LayerAction::classify(body);
        let _ = V4Request::decode(format!("l{}:{json}e", json.len()).as_bytes());
        let _ = V4Response::decode(format!("l{}:{json}0:e", json.len()).as_bytes());
    }

    #[test]
    fn mutated_onion_never_panics(pos in any::<prop::sample::Index>(), xor in 1u8..) {
        let (guard, mut body) = valid_onion();
        let i = pos.index(body.len());
        body[i] ^= xor;
        let _ = peel(&guard, &body);
    }

    #[test]
    fn v4_round_trips(method in "[A-Z]{1,7}", path in "/\\PC{0,30}",
                      headers in proptest::collection::vec(("\\PC{1,12}", "\\PC{0,20}"), 0..4),
                      body in proptest::option::of(proptest::collection::vec(any::<u8>(), 0..64)),
                      code in any::<u16>()) {
        let req = V4Request { method, endpoint: path, headers: headers.clone(), body: body.clone() };
        prop_assert_eq!(V4Request::decode(&req.encode()).unwrap(), req);
        let resp = V4Response { code, headers, body: body.unwrap_or_default() };
        prop_assert_eq!(V4Response::decode(&resp.encode()).unwrap(), resp);
    }
}
