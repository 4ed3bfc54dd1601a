//! Onion requests: known-answer vectors from `vectors/onion.json` (LSU `test_onionreq.cpp`,
//! PySOGS v4 docstring), round trips through a full path, tamper detection, and decoders fed
//! arbitrary bytes.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use hmac::{Hmac, Mac};
use rand::rngs::StdRng;
use rand::SeedableRng;
use serde_json::Value;
use session_protocol::onion::*;
use sha2::Sha256;
use x25519_dalek::PublicKey;

#[cfg(test)]
#[path = "onion/path.rs"]
mod path;
#[cfg(test)]
#[path = "onion/props.rs"]
mod props;

const VECTORS: &str = include_str!("vectors/onion.json");

fn vectors() -> Value {
    serde_json::from_str(VECTORS).unwrap()
}

fn hex_field(v: &Value, name: &str) -> Vec<u8> {
    hex::decode(v[name].as_str().unwrap()).unwrap()
}

fn key32(v: &Value, name: &str) -> [u8; 32] {
    hex_field(v, name).try_into().unwrap()
}

fn rng() -> StdRng {
    StdRng::seed_from_u64(0x0_5e55_1011)
}

// ---------------------------------------------------------------- known answers

#[test]
fn hop_encryption_vectors_decrypt_and_rederive() {
    let v = &vectors()["hop_encryption"];
    let node = X25519Keypair::from_secret_bytes(key32(v, "node_sec_b"));
    let client = X25519Keypair::from_secret_bytes(key32(v, "client_eph_sec_a"));
    assert_eq!(node.public().as_bytes(), &key32(v, "node_pub_B"));
    assert_eq!(client.public().as_bytes(), &key32(v, "client_eph_pub_A"));
    let plaintext = v["plaintext"].as_str().unwrap().as_bytes();

    for (enc_type, field) in [
        (EncType::AesGcm, "aes_gcm_ct"),
        (EncType::XChaCha20, "xchacha20_ct"),
    ] {
        let ct = hex_field(v, field);
        let node_key = HopKey::node_side(enc_type, &node, client.public()).unwrap();
        let client_key = HopKey::client_side(enc_type, &client, node.public()).unwrap();
        assert_eq!(node_key.as_bytes(), client_key.as_bytes(), "{enc_type}");
        assert_eq!(node_key.decrypt(&ct).unwrap(), plaintext, "{enc_type}");
        assert_eq!(client_key.decrypt(&ct).unwrap(), plaintext, "{enc_type}");
        // Re-encrypting with the vector's nonce reproduces the vector byte for byte.
        let nonce = &ct[..enc_type.nonce_len()];
        assert_eq!(client_key.encrypt_with_nonce(nonce, plaintext).unwrap(), ct);
        assert_eq!(ct.len(), plaintext.len() + enc_type.overhead());
    }

    // The AES-GCM key is HMAC-SHA256(key="LOKI", X25519 shared secret), computed independently.
    let shared = node.secret().diffie_hellman(client.public());
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(b"LOKI").unwrap();
    mac.update(shared.as_bytes());
    let expected: [u8; 32] = mac.finalize().into_bytes().into();
    let key = HopKey::node_side(EncType::AesGcm, &node, client.public()).unwrap();
    assert_eq!(key.as_bytes(), &expected);
}

#[test]
fn parser_vectors_parse_decrypt_and_reencode() {
    let v = &vectors()["parser"];
    let node = X25519Keypair::from_secret_bytes(key32(v, "node_sec_b"));
    let client = X25519Keypair::from_secret_bytes(key32(v, "client_eph_sec_a"));
    assert_eq!(node.public().as_bytes(), &key32(v, "node_pub_B"));
    let expected_plain = v["decrypted_payload"].as_str().unwrap().as_bytes();

    for (enc_type, payload_field, json_field, nonce_len) in [
        (EncType::AesGcm, "aes_gcm_payload", "aes_gcm_json", 12),
        (
            EncType::XChaCha20,
            "xchacha20_payload",
            "xchacha20_json",
            24,
        ),
    ] {
        let payload = hex_field(v, payload_field);
        let combined = CombinedPayload::parse(&payload).unwrap();
        let n = u32::from_le_bytes(payload[..4].try_into().unwrap()) as usize;
        assert_eq!(combined.blob.len(), n);
        assert_eq!(n, nonce_len + expected_plain.len() + 16);
        let json: Value = serde_json::from_slice(combined.json).unwrap();
        assert_eq!(json, v[json_field]);
        assert_eq!(combined.encode().unwrap(), payload);

        let header = LayerHeader::parse(combined.json).unwrap();
        assert_eq!(header.enc_type, enc_type);
        assert_eq!(
            header.ephemeral_key.as_bytes(),
            &key32(v, "client_eph_pub_A")
        );
        assert_eq!(header.hop_no, None);

        let opened = open_layer(&node, &payload).unwrap();
        assert_eq!(opened.plaintext, expected_plain);
        assert_eq!(opened.reply_key.enc_type(), enc_type);

        // "Hello world" is not a combined payload: classification must fail cleanly.
        assert!(matches!(
            peel(&node, &payload),
            Err(OnionError::LengthExceedsPayload { .. })
        ));

        // encrypt_reply("Goodbye world"): nonce + 13 + tag, decryptable by the client.
        let reply = opened
            .reply_key
            .encrypt(b"Goodbye world", &mut rng())
            .unwrap();
        assert_eq!(reply.len(), nonce_len + 13 + 16);
        let client_key = HopKey::client_side(enc_type, &client, node.public()).unwrap();
        assert_eq!(client_key.decrypt(&reply).unwrap(), b"Goodbye world");
    }
}

#[test]
fn v4_examples_decode_and_reencode_byte_exact() {
    let v = &vectors()["v4_examples_from_pysogs_docstring"];
    let get = v["get_request"].as_str().unwrap().as_bytes();
    let req = V4Request::decode(get).unwrap();
    assert_eq!(req.method, "GET");
    assert_eq!(req.endpoint, "/room/some-room");
    assert_eq!(req.headers, vec![("Some-Header".into(), "12345".into())]);
    assert_eq!(req.body, None);
    assert_eq!(req.encode(), get);

    let post = v["post_request"].as_str().unwrap().as_bytes();
    let req = V4Request::decode(post).unwrap();
    assert_eq!(req.method, "POST");
    assert_eq!(req.endpoint, "/some/thing");
    assert_eq!(req.headers, vec![("Some-Header".into(), "a".into())]);
    assert_eq!(req.body.as_deref(), Some(&b"post body here"[..]));
    assert_eq!(req.encode(), post);

    let resp_bytes = v["response"].as_str().unwrap().as_bytes();
    let resp = V4Response::decode(resp_bytes).unwrap();
    assert_eq!(resp.code, 200);
    assert_eq!(resp.content_type(), Some("application/json"));
    assert_eq!(resp.header("Content-Type"), Some("application/json"));
    assert_eq!(resp.body, br#"{"id": 123}"#);
    assert_eq!(resp.encode(), resp_bytes);
}

// ---------------------------------------------------------------- enc_type and JSON forms

#[test]
fn enc_type_names_and_default() {
    assert_eq!(EncType::parse("aes-gcm").unwrap(), EncType::AesGcm);
    assert_eq!(EncType::parse("gcm").unwrap(), EncType::AesGcm);
    assert_eq!(EncType::parse("xchacha20").unwrap(), EncType::XChaCha20);
    assert_eq!(
        EncType::parse("xchacha20-poly1305").unwrap(),
        EncType::XChaCha20
    );
    assert!(matches!(
        EncType::parse("aes-cbc"),
        Err(OnionError::UnknownEncType { .. })
    ));
    assert_eq!(EncType::default(), EncType::AesGcm);
    assert_eq!(EncType::AesGcm.to_string(), "aes-gcm");
    assert_eq!(EncType::XChaCha20.as_str(), "xchacha20");

    let key = hex::encode([7u8; 32]);
    let header = LayerHeader::parse(format!(r#"{{"ephemeral_key":"{key}"}}"#).as_bytes()).unwrap();
    assert_eq!(header.enc_type, EncType::AesGcm);
    let header =
        LayerHeader::parse(format!(r#"{{"ephemeral_key":"{key}","hop_no":-3}}"#).as_bytes())
            .unwrap();
    assert_eq!(header.hop_no, Some(0));
}

#[test]
fn routing_json_forms_round_trip_and_classify() {
    let next = NextHop {
        destination: [1; 32],
        ephemeral_key: PublicKey::from([2; 32]),
        enc_type: EncType::XChaCha20,
    };
    let json = next.to_json();
    let v: Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(v["destination"], hex::encode([1u8; 32]));
    assert_eq!(v["enc_type"], "xchacha20");
    assert_eq!(Routing::parse(&json).unwrap(), Routing::Forward(next));

    assert_eq!(SnodeFlags::default().to_json(), br#"{"headers":""}"#);
    let flags = SnodeFlags {
        json: Some(true),
        base64: Some(false),
    };
    assert_eq!(
        Routing::parse(&flags.to_json()).unwrap(),
        Routing::SnodeDestination(flags)
    );
    assert!(flags.embed_json() && !flags.base64());
    // Any "headers" key wins over "host" (SSS checks it first).
    assert!(matches!(
        Routing::parse(br#"{"headers":{},"host":"x"}"#).unwrap(),
        Routing::SnodeDestination(_)
    ));

    let route = ServerRoute::https("open.getsession.org", V4_TARGET);
    let json = route.to_json(&PublicKey::from([3; 32]), EncType::AesGcm);
    let v: Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(v["method"], "POST");
    assert_eq!(v["port"], 443);
    assert_eq!(v["ephemeral_key"], hex::encode([3u8; 32]));
    assert_eq!(
        Routing::parse(&json).unwrap(),
        Routing::Server(route.clone())
    );
    assert_eq!(route.url(), "https://open.getsession.org/oxen/v4/lsrpc");
    route.check_allowed().unwrap();

    let Routing::Server(r) =
        Routing::parse(br#"{"host":"h","target":"/loki/v3/lsrpc","protocol":"http"}"#).unwrap()
    else {
        panic!("expected a server route")
    };
    assert_eq!(r.port, 80);
    let Routing::Server(r) =
        Routing::parse(br#"{"host":"h","target":"/oxen/v4/lsrpc","port":8080}"#).unwrap()
    else {
        panic!("expected a server route")
    };
    assert_eq!(r.url(), "https://h:8080/oxen/v4/lsrpc");
    for bad in ["/oxen/v4/lsrpc?x=1", "/other/lsrpc", "/oxen/v4/rpc"] {
        assert!(!is_onion_target_allowed(bad));
        let r = ServerRoute::https("h", bad);
        assert!(matches!(
            r.check_allowed(),
            Err(OnionError::RouteNotAllowed(_))
        ));
    }
    let mut r = ServerRoute::https("h", V4_TARGET);
    r.protocol = "ftp".into();
    assert!(r.check_allowed().is_err());
}

#[test]
fn typed_errors_for_bad_input() {
    let node = X25519Keypair::from_secret_bytes([9; 32]);
    assert_eq!(
        CombinedPayload::parse(&[1, 0]),
        Err(OnionError::TruncatedLengthPrefix { len: 2 })
    );
    assert_eq!(
        CombinedPayload::parse(&[5, 0, 0, 0, 1, 2]),
        Err(OnionError::LengthExceedsPayload {
            declared: 5,
            remaining: 2
        })
    );
    let frame = |json: &str| encode_combined(&[0u8; 40], json.as_bytes()).unwrap();
    assert!(matches!(
        peel(&node, &frame("{not json")),
        Err(OnionError::BadJson { .. })
    ));
    assert!(matches!(
        peel(&node, &frame("[1,2]")),
        Err(OnionError::BadJson { .. })
    ));
    assert_eq!(
        peel(&node, &frame("{}")).unwrap_err(),
        OnionError::MissingField {
            what: "onion layer JSON",
            field: "ephemeral_key"
        }
    );
    assert_eq!(
        peel(&node, &frame(r#"{"ephemeral_key":"zz"}"#)).unwrap_err(),
        OnionError::BadHexKey {
            field: "ephemeral_key"
        }
    );
    assert_eq!(
        peel(&node, &frame(r#"{"ephemeral_key":12}"#)).unwrap_err(),
        OnionError::BadField {
            field: "ephemeral_key",
            expected: "a string"
        }
    );
    let key = hex::encode(PublicKey::from([5; 32]).as_bytes());
    assert!(matches!(
        peel(&node, &frame(&format!(r#"{{"ephemeral_key":"{key}","enc_type":"rot13"}}"#))),
        Err(OnionError::UnknownEncType { found }) if found == "rot13"
    ));
    let short = encode_combined(
        &[0u8; 20],
        format!(r#"{{"ephemeral_key":"{key}"}}"#).as_bytes(),
    )
    .unwrap();
    assert_eq!(
        peel(&node, &short).unwrap_err(),
        OnionError::CiphertextTooShort {
            enc_type: EncType::AesGcm,
            len: 20,
            min: 28
        }
    );
    // Low-order (all-zero) ephemeral key.
    let zero = hex::encode([0u8; 32]);
    assert_eq!(
        peel(&node, &frame(&format!(r#"{{"ephemeral_key":"{zero}"}}"#))).unwrap_err(),
        OnionError::WeakKey
    );

    for bad in [
        &b""[..],
        b"x",
        b"l",
        b"le",
        b"l3:abc",
        b"l03:abce",
        b"l3:abcee",
        b"l5:abce",
        b"la:bce",
        b"l99999999999999999999:e",
    ] {
        assert!(
            matches!(V4Request::decode(bad), Err(OnionError::BadBencode(_))),
            "{bad:?}"
        );
        assert!(
            matches!(V4Response::decode(bad), Err(OnionError::BadBencode(_))),
            "{bad:?}"
        );
    }
    assert_eq!(
        V4Response::decode(br#"l14:{"headers":{}}0:e"#).unwrap_err(),
        OnionError::MissingField {
            what: "v4 response metadata",
            field: "code"
        }
    );
    assert!(matches!(
        V4Response::decode(br#"l12:{"code":200}e"#),
        Err(OnionError::BadBencode(_))
    ));
    assert!(matches!(
        V4Response::decode(br#"l14:{"code":"200"}0:e"#),
        Err(OnionError::BadJson { .. })
    ));
    assert!(matches!(
        V4Request::decode(br#"l31:{"method":"GET","endpoint":"x"}e"#),
        Err(OnionError::BadField {
            field: "endpoint",
            ..
        })
    ));
    assert!(matches!(
        V4Request::decode(br#"l16:{"method":"GET"}e"#),
        Err(OnionError::MissingField {
            field: "endpoint",
            ..
        })
    ));
    let key = HopKey::from_bytes(EncType::AesGcm, [1; 32]);
    assert_eq!(
        decode_snode_reply(&key, b"not base64!").unwrap_err(),
        OnionError::BadBase64
    );
}

// ---------------------------------------------------------------- replies

#[test]
fn snode_reply_round_trip_both_ciphers_and_encodings() {
    for enc_type in [EncType::AesGcm, EncType::XChaCha20] {
        let mut rng = rng();
        let node = X25519Keypair::generate(&mut rng);
        let sealed = seal_for_node(enc_type, node.public(), b"{}", &mut rng).unwrap();
        let node_key = HopKey::node_side(enc_type, &node, &sealed.ephemeral_public).unwrap();
        let rpc_result = serde_json::json!({"messages": [], "more": false});

        // Default flags: base64 text, JSON body double-encoded as a string.
        let flags = SnodeFlags::default();
        let body = SnodeReplyBody::Json(rpc_result.clone());
        let wire = encode_snode_reply(&node_key, 200, &body, &flags, &mut rng).unwrap();
        assert!(wire.iter().all(|b| b.is_ascii_graphic()));
        let reply = decode_snode_reply(&sealed.key, &wire).unwrap();
        assert_eq!(reply.status, 200);
        assert!(reply.body.is_string());
        assert_eq!(reply.body_json().unwrap(), rpc_result);

        // Desktop also accepts {"result": "<base64>"}.
        let wrapped = serde_json::json!({"result": String::from_utf8(wire).unwrap()});
        let reply = decode_snode_reply(&sealed.key, wrapped.to_string().as_bytes()).unwrap();
        assert_eq!(reply.body_json().unwrap(), rpc_result);

        // json=true, base64=false: raw bytes, embedded JSON.
        let flags = SnodeFlags {
            json: Some(true),
            base64: Some(false),
        };
        let wire = encode_snode_reply(&node_key, 421, &body, &flags, &mut rng).unwrap();
        let reply = decode_snode_reply_binary(&sealed.key, &wire).unwrap();
        assert_eq!(reply.status, 421);
        assert_eq!(reply.body, rpc_result);

        // Text body.
        let text = SnodeReplyBody::Text(INVALID_JSON_TEXT.into());
        let wire =
            encode_snode_reply(&node_key, 400, &text, &SnodeFlags::default(), &mut rng).unwrap();
        let reply = decode_snode_reply(&sealed.key, &wire).unwrap();
        assert_eq!(
            (reply.status, reply.body_text()),
            (400, Some("Invalid json"))
        );

        // v4 reply: raw bytes.
        let resp = V4Response {
            code: 404,
            headers: vec![("content-type".into(), "text/plain; charset=utf-8".into())],
            body: b"not found".to_vec(),
        };
        let wire = encrypt_v4_reply(&node_key, &resp, &mut rng).unwrap();
        assert_eq!(wire.len(), resp.encode().len() + enc_type.overhead());
        assert_eq!(decrypt_v4_reply(&sealed.key, &wire).unwrap(), resp);
    }
}

#[test]
fn path_error_texts_agree_between_node_and_client() {
    let ed = [0xab; 32];
    let body = next_node_not_found_body(&ed);
    assert_eq!(body, format!("Next node not found: {}", hex::encode(ed)));
    assert_eq!(
        PathError::from_status_and_body(502, body.as_bytes()),
        PathError::NextNodeNotFound { ed25519: ed }
    );
    for err in [
        PathError::NextNodeNotFound { ed25519: ed },
        PathError::Timeout,
        PathError::InvalidCiphertext,
        PathError::NotReady,
        PathError::Other {
            status: 500,
            body: "Invalid response from snode".into(),
        },
    ] {
        let (status, body) = err.status_and_body();
        assert_eq!(
            PathError::from_status_and_body(status, body.as_bytes()),
            err
        );
    }
    assert_eq!(
        PathError::from_status_and_body(504, b"Request time out"),
        PathError::Timeout
    );
    assert_eq!(
        PathError::from_status_and_body(400, b"Invalid ciphertext"),
        PathError::InvalidCiphertext
    );
    assert_eq!(
        PathError::from_status_and_body(503, snode_not_ready_body(&ed).as_bytes()),
        PathError::NotReady
    );
    assert!(matches!(
        PathError::from_status_and_body(502, b"Next node not found: nothex"),
        PathError::Other { status: 502, .. }
    ));
    assert!(matches!(
        PathError::from_status_and_body(400, b"Error parsing onion request: x"),
        PathError::Other { status: 400, .. }
    ));
}
