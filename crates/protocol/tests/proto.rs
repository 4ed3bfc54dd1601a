//! Protobuf messages: field numbers and wire types (checked against hand-assembled bytes and a
//! tiny independent wire reader), round trips, tolerance of unknown fields, secret redaction.

// Test helpers outside #[test] functions unwrap too; a panic is a test failure.
#![allow(clippy::unwrap_used)]

use proptest::prelude::*;
use session_protocol::proto::*;

/// One field as read off the wire: (field number, wire type, payload bytes or varint value).
#[derive(Debug, PartialEq)]
enum Raw {
    Varint(u64),
    Fixed64(u64),
    Bytes(Vec<u8>),
}

fn read_varint(buf: &[u8], pos: &mut usize) -> u64 {
    let mut value = 0u64;
    let mut shift = 0;
    loop {
        let byte = buf[*pos];
        *pos += 1;
        value |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return value;
        }
        shift += 7;
    }
}

/// Splits a serialized message into its top-level fields, independently of prost.
fn fields(buf: &[u8]) -> Vec<(u32, Raw)> {
    let mut pos = 0;
    let mut out = Vec::new();
    while pos < buf.len() {
        let key = read_varint(buf, &mut pos);
        let number = u32::try_from(key >> 3).unwrap();
        let raw = match key & 7 {
            0 => Raw::Varint(read_varint(buf, &mut pos)),
            1 => {
                let v = u64::from_le_bytes(buf[pos..pos + 8].try_into().unwrap());
                pos += 8;
                Raw::Fixed64(v)
            }
            2 => {
                let len = usize::try_from(read_varint(buf, &mut pos)).unwrap();
                let v = buf[pos..pos + len].to_vec();
                pos += len;
                Raw::Bytes(v)
            }
            other => panic!("unexpected wire type {other}"),
        };
        out.push((number, raw));
    }
    out
}

fn numbers(buf: &[u8]) -> Vec<u32> {
    fields(buf).into_iter().map(|(n, _)| n).collect()
}

fn s(v: &str) -> Option<String> {
    Some(v.to_owned())
}

fn full_attachment() -> AttachmentPointer {
    AttachmentPointer {
        id: 0x0102_0304_0506_0708,
        content_type: s("image/png"),
        key: Some(vec![1; 64]),
        size: Some(1234),
        thumbnail: Some(vec![9]),
        digest: Some(vec![2; 32]),
        file_name: s("a.png"),
        flags: Some(AttachmentFlags::VoiceMessage as u32),
        width: Some(640),
        height: Some(480),
        caption: s("cap"),
        url: s("http://filev2.getsession.org/file/123#p=ab&d="),
    }
}

fn full_profile() -> LokiProfile {
    LokiProfile {
        display_name: s("Alice"),
        profile_picture: s("http://example/avatar"),
        last_profile_update_seconds: Some(1_700_000_000),
    }
}

fn full_data_message() -> DataMessage {
    DataMessage {
        body: s("hello"),
        attachments: vec![full_attachment()],
        flags: Some(DataMessageFlags::ExpirationTimerUpdate as u32),
        profile_key: Some(vec![7; 32]),
        timestamp: Some(5),
        quote: Some(Quote {
            id: 42,
            author: "05ab".into(),
            text: s("quoted"),
            attachments: vec![QuotedAttachment {
                content_type: s("image/jpeg"),
                file_name: s("q.jpg"),
                thumbnail: Some(full_attachment()),
                flags: Some(1),
            }],
        }),
        preview: vec![Preview {
            url: "https://getsession.org".into(),
            title: s("Session"),
            image: Some(full_attachment()),
        }],
        reaction: Some(Reaction {
            id: 43,
            author: "05cd".into(),
            emoji: s("👍"),
            action: ReactionAction::Remove.into(),
        }),
        profile: Some(full_profile()),
        open_group_invitation: Some(OpenGroupInvitation {
            url: "https://open.getsession.org/session?public_key=aa".into(),
            name: "Session".into(),
        }),
        closed_group_control_message: Some(ClosedGroupControlMessage {
            r#type: ClosedGroupControlType::New.into(),
            public_key: Some(vec![5; 33]),
            name: s("old group"),
            encryption_key_pair: Some(KeyPair {
                public_key: vec![3; 32],
                private_key: vec![4; 32],
            }),
            members: vec![vec![5; 33]],
            admins: vec![vec![6; 33]],
            wrappers: vec![KeyPairWrapper {
                public_key: vec![5; 33],
                encrypted_key_pair: vec![8; 100],
            }],
            expiration_timer: Some(3600),
        }),
        sync_target: s("05ef"),
        blocks_community_message_requests: Some(true),
        group_update_message: Some(GroupUpdateMessage {
            invite_message: Some(GroupUpdateInviteMessage {
                group_session_id: "03aa".into(),
                name: "group".into(),
                member_auth_data: vec![1; 100],
                admin_signature: vec![2; 64],
            }),
            info_change_message: Some(GroupUpdateInfoChangeMessage {
                r#type: GroupInfoChangeType::Name.into(),
                updated_name: s("new"),
                updated_expiration: Some(60),
                admin_signature: vec![3; 64],
            }),
            member_change_message: Some(GroupUpdateMemberChangeMessage {
                r#type: GroupMemberChangeType::Added.into(),
                member_session_ids: vec!["05aa".into(), "05bb".into()],
                history_shared: Some(true),
                admin_signature: vec![4; 64],
            }),
            promote_message: Some(GroupUpdatePromoteMessage {
                group_identity_seed: vec![0x5e; 32],
                name: "group".into(),
            }),
            member_left_message: Some(GroupUpdateMemberLeftMessage {}),
            invite_response: Some(GroupUpdateInviteResponseMessage { is_approved: true }),
            delete_member_content: Some(GroupUpdateDeleteMemberContentMessage {
                member_session_ids: vec!["05aa".into()],
                message_hashes: vec!["hash".into()],
                admin_signature: Some(vec![5; 64]),
            }),
            member_left_notification_message: Some(GroupUpdateMemberLeftNotificationMessage {}),
        }),
    }
}

fn full_content() -> Content {
    Content {
        data_message: Some(full_data_message()),
        call_message: Some(CallMessage {
            r#type: CallMessageType::PreOffer.into(),
            sdps: vec!["v=0".into()],
            sdp_m_line_indexes: vec![0, 1],
            sdp_mids: vec!["audio".into()],
            uuid: "uuid-1".into(),
        }),
        receipt_message: Some(ReceiptMessage {
            r#type: ReceiptType::Read.into(),
            timestamp: vec![1, 2, 3],
        }),
        typing_message: Some(TypingMessage {
            timestamp: 9,
            action: TypingAction::Stopped.into(),
        }),
        configuration_message: Some(ConfigurationMessage {
            closed_groups: vec![ConfigurationClosedGroup {
                public_key: Some(vec![5; 33]),
                name: s("g"),
                encryption_key_pair: None,
                members: vec![vec![1]],
                admins: vec![vec![2]],
            }],
            open_groups: vec!["https://x".into()],
            display_name: s("me"),
            profile_picture: s("http://pic"),
            profile_key: Some(vec![1; 32]),
            contacts: vec![ConfigurationContact {
                public_key: vec![5; 33],
                name: "bob".into(),
                profile_picture: None,
                profile_key: None,
                is_approved: Some(true),
                is_blocked: Some(false),
                did_approve_me: Some(true),
            }],
        }),
        data_extraction_notification: Some(DataExtractionNotification {
            r#type: DataExtractionType::MediaSaved.into(),
            timestamp: Some(77),
        }),
        unsend_request: Some(UnsendRequest {
            timestamp: 78,
            author: "05aa".into(),
        }),
        message_request_response: Some(MessageRequestResponse {
            is_approved: true,
            profile_key: Some(vec![2; 32]),
            profile: Some(full_profile()),
        }),
        shared_config_message: Some(SharedConfigMessage {
            kind: SharedConfigKind::ConvoInfoVolatile.into(),
            seqno: -3,
            data: vec![1, 2, 3],
        }),
        expiration_type: Some(ExpirationType::DeleteAfterSend.into()),
        expiration_timer: Some(86_400),
        last_disappearing_message_change_timestamp: Some(10),
        sig_timestamp: Some(1_700_000_000_123),
        pro_message: Some(ProMessage {
            proof: Some(ProProof {
                version: Some(0),
                revocation_tag: Some(vec![1; 32]),
                rotating_public_key: Some(vec![2; 32]),
                expiry: Some(1_800_000_000),
                sig: Some(vec![3; 64]),
            }),
            profile_bitset: Some(1),
            msg_bitset: Some(2),
        }),
        pro_sig_for_community_message_only: Some(vec![4; 64]),
    }
}

#[test]
fn content_field_numbers_match_protocol_md() {
    let bytes = full_content().encode_to_vec();
    assert_eq!(
        numbers(&bytes),
        vec![1, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17]
    );
    let f = fields(&bytes);
    assert!(
        f.contains(&(12, Raw::Varint(2))),
        "expirationType DELETE_AFTER_SEND"
    );
    assert!(f.contains(&(13, Raw::Varint(86_400))));
    assert!(f.contains(&(15, Raw::Varint(1_700_000_000_123))));
}

#[test]
fn data_message_field_numbers_match_protocol_md() {
    let bytes = full_data_message().encode_to_vec();
    assert_eq!(
        numbers(&bytes),
        vec![1, 2, 4, 6, 7, 8, 10, 11, 101, 102, 104, 105, 106, 120]
    );
    let f = fields(&bytes);
    assert!(
        f.contains(&(4, Raw::Varint(2))),
        "EXPIRATION_TIMER_UPDATE = 2"
    );
    assert!(f.contains(&(106, Raw::Varint(1))));
}

#[test]
fn nested_field_numbers_match_protocol_md() {
    let att = full_attachment().encode_to_vec();
    assert_eq!(numbers(&att), vec![1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 101]);
    // id is fixed64, not a varint.
    assert_eq!(fields(&att)[0], (1, Raw::Fixed64(0x0102_0304_0506_0708)));

    let dm = full_data_message();
    assert_eq!(
        numbers(&dm.quote.unwrap().encode_to_vec()),
        vec![1, 2, 3, 4]
    );
    assert_eq!(numbers(&dm.preview[0].encode_to_vec()), vec![1, 2, 3]);
    let reaction = dm.reaction.unwrap().encode_to_vec();
    assert_eq!(numbers(&reaction), vec![1, 2, 3, 4]);
    assert_eq!(fields(&reaction)[3], (4, Raw::Varint(1)), "REMOVE = 1");
    assert_eq!(numbers(&dm.profile.unwrap().encode_to_vec()), vec![1, 2, 3]);
    assert_eq!(
        numbers(&dm.open_group_invitation.unwrap().encode_to_vec()),
        vec![1, 3]
    );
    let cgcm = dm.closed_group_control_message.unwrap();
    assert_eq!(numbers(&cgcm.encode_to_vec()), vec![1, 2, 3, 4, 5, 6, 7, 8]);
    let gum = dm.group_update_message.unwrap();
    assert_eq!(numbers(&gum.encode_to_vec()), vec![1, 2, 3, 4, 5, 6, 7, 8]);
    assert_eq!(
        numbers(&gum.invite_message.unwrap().encode_to_vec()),
        vec![1, 2, 3, 4]
    );
    assert_eq!(
        numbers(&gum.member_change_message.unwrap().encode_to_vec()),
        vec![1, 2, 2, 3, 4]
    );

    let c = full_content();
    let call = c.call_message.unwrap().encode_to_vec();
    assert_eq!(
        numbers(&call),
        vec![1, 2, 3, 3, 4, 5],
        "sdpMLineIndexes unpacked"
    );
    assert_eq!(fields(&call)[0], (1, Raw::Varint(6)), "PRE_OFFER = 6");
    let receipt = c.receipt_message.unwrap().encode_to_vec();
    // proto2 repeated uint64 is not packed: one field per timestamp.
    assert_eq!(numbers(&receipt), vec![1, 2, 2, 2]);
    assert_eq!(
        numbers(&c.typing_message.unwrap().encode_to_vec()),
        vec![1, 2]
    );
    assert_eq!(
        numbers(&c.message_request_response.unwrap().encode_to_vec()),
        vec![1, 2, 3]
    );
    let scm = c.shared_config_message.unwrap().encode_to_vec();
    assert_eq!(numbers(&scm), vec![1, 2, 3]);
    assert_eq!(
        fields(&scm)[0],
        (1, Raw::Varint(3)),
        "CONVO_INFO_VOLATILE = 3"
    );
    assert_eq!(
        numbers(&c.pro_message.unwrap().encode_to_vec()),
        vec![1, 2, 3]
    );
}

#[test]
fn envelope_and_websocket_bytes_are_exact() {
    let env = Envelope {
        r#type: EnvelopeType::SessionMessage.into(),
        source: None,
        timestamp: 1,
        source_device: Some(1),
        content: Some(vec![0xaa, 0xbb]),
        server_timestamp: None,
        pro_sig: Some(vec![0xcc]),
    };
    // type(1)=6, timestamp(5)=1, sourceDevice(7)=1, content(8), proSig(11)
    let expected = [
        0x08, 0x06, 0x28, 0x01, 0x38, 0x01, 0x42, 0x02, 0xaa, 0xbb, 0x5a, 0x01, 0xcc,
    ];
    assert_eq!(env.encode_to_vec(), expected);
    assert_eq!(Envelope::decode(&expected[..]).unwrap(), env);

    let ws = WebSocketMessage {
        r#type: Some(WebSocketMessageType::Request.into()),
        request: Some(WebSocketRequestMessage {
            verb: s("PUT"),
            path: s("/a"),
            body: Some(vec![0x01]),
            id: Some(0),
            headers: vec![],
        }),
        response: None,
    };
    let expected_ws = [
        0x08, 0x01, 0x12, 0x0e, // type REQUEST, request (14 bytes)
        0x0a, 0x03, b'P', b'U', b'T', 0x12, 0x02, b'/', b'a', 0x1a, 0x01, 0x01, 0x20, 0x00,
    ];
    assert_eq!(ws.encode_to_vec(), expected_ws);
    assert_eq!(WebSocketMessage::decode(&expected_ws[..]).unwrap(), ws);

    let resp = WebSocketResponseMessage {
        id: Some(1),
        status: Some(200),
        message: s("OK"),
        body: Some(vec![]),
        headers: vec!["h".into()],
    };
    assert_eq!(numbers(&resp.encode_to_vec()), vec![1, 2, 3, 4, 5]);
}

#[test]
fn hand_assembled_text_message_decodes() {
    // Content { dataMessage(1) { body(1) = "hi", profile(101) { displayName(1) = "A" } } }
    // Key for field 101, wire type 2 = (101 << 3) | 2 = 810 = varint 0xaa 0x06.
    let bytes = [
        0x0a, 0x0a, 0x0a, 0x02, b'h', b'i', 0xaa, 0x06, 0x03, 0x0a, 0x01, b'A',
    ];
    let content = Content::decode(&bytes[..]).unwrap();
    assert_eq!(content, Content::text("hi", Some(LokiProfile::named("A"))));
    assert_eq!(content.encode_to_vec(), bytes);
}

#[test]
fn every_message_round_trips() {
    let content = full_content();
    let decoded = Content::decode(content.encode_to_vec().as_slice()).unwrap();
    assert_eq!(decoded, content);
    assert_eq!(
        decoded.expiration_type(),
        ExpirationType::DeleteAfterSend,
        "typed getter"
    );
}

#[test]
fn unknown_fields_are_skipped() {
    let original = Content::text("hello", None);
    let mut bytes = original.encode_to_vec();
    // field 99 varint 5, field 200 length-delimited "xyz", field 98 fixed32
    bytes.extend_from_slice(&[0x98, 0x06, 0x05]);
    bytes.extend_from_slice(&[0xc2, 0x0c, 0x03, b'x', b'y', b'z']);
    bytes.extend_from_slice(&[0x95, 0x06, 1, 2, 3, 4]);
    assert_eq!(Content::decode(bytes.as_slice()).unwrap(), original);

    // Unknown field inside a nested DataMessage, too.
    let mut dm = original.data_message.clone().unwrap().encode_to_vec();
    dm.extend_from_slice(&[0x98, 0x06, 0x05]);
    let mut outer = vec![0x0a, u8::try_from(dm.len()).unwrap()];
    outer.extend_from_slice(&dm);
    assert_eq!(Content::decode(outer.as_slice()).unwrap(), original);

    // An unknown enum value is kept as its number, and the typed getter falls back.
    let env = Envelope::decode(&[0x08, 0x09, 0x28, 0x01][..]).unwrap();
    assert_eq!(env.r#type, 9);
    assert!(EnvelopeType::try_from(env.r#type).is_err());
}

#[test]
fn packed_receipts_also_decode() {
    // A packed encoding of repeated uint64 (what proto3 writers emit) is accepted too.
    let bytes = [0x08, 0x01, 0x12, 0x02, 0x05, 0x06];
    let receipt = ReceiptMessage::decode(&bytes[..]).unwrap();
    assert_eq!(receipt.timestamp, vec![5, 6]);
}

#[test]
fn builders_fill_the_right_fields() {
    let c = Content::read_receipt(&[10, 20]);
    let r = c.receipt_message.as_ref().unwrap();
    assert_eq!(r.r#type(), ReceiptType::Read);
    assert_eq!(r.timestamp, vec![10, 20]);
    assert!(c.has_payload());

    let t = Content::typing(true, 5).typing_message.unwrap();
    assert_eq!((t.timestamp, t.action()), (5, TypingAction::Started));
    let t = Content::typing(false, 6).typing_message.unwrap();
    assert_eq!(t.action(), TypingAction::Stopped);

    let m = Content::message_request_response(true, Some(LokiProfile::named("B")))
        .message_request_response
        .unwrap();
    assert!(m.is_approved);
    assert_eq!(m.profile.unwrap().display_name.as_deref(), Some("B"));

    let u = Content::unsend(77, "05ab").unsend_request.unwrap();
    assert_eq!((u.timestamp, u.author.as_str()), (77, "05ab"));

    let r = Content::reaction(1, "05cd", "❤", true)
        .data_message
        .unwrap()
        .reaction
        .unwrap();
    assert_eq!(r.action(), ReactionAction::Remove);
    assert_eq!(r.emoji.as_deref(), Some("❤"));

    let d = Content::data_extraction(DataExtractionType::Screenshot, None)
        .data_extraction_notification
        .unwrap();
    assert_eq!(d.r#type(), DataExtractionType::Screenshot);

    let c = Content::text("x", None).disappearing(ExpirationType::DeleteAfterRead, 30);
    assert_eq!(c.expiration_type(), ExpirationType::DeleteAfterRead);
    assert_eq!(c.expiration_timer, Some(30));

    let empty = Content {
        sig_timestamp: Some(1),
        expiration_timer: Some(5),
        ..Content::default()
    };
    assert!(!empty.has_payload());
}

#[test]
fn debug_output_hides_secrets() {
    let dm = full_data_message();
    let text = format!("{dm:?}");
    assert!(text.contains("hello"), "ordinary fields still shown");
    assert!(text.contains("<redacted>"));
    // profile key 7s, attachment key 1s (64 bytes), legacy private key 4s, promote seed 0x5e
    for secret in [[7u8; 32].as_slice(), &[1u8; 64], &[4u8; 32], &[0x5e; 32]] {
        assert!(!text.contains(&format!("{secret:?}")), "{text}");
        assert!(!text.contains(&hex::encode(secret)), "{text}");
    }
    let mrr = format!("{:?}", full_content().message_request_response.unwrap());
    assert!(!mrr.contains(&format!("{:?}", [2u8; 32])), "{mrr}");
    let cfg = format!("{:?}", full_content().configuration_message.unwrap());
    assert!(!cfg.contains(&format!("{:?}", [1u8; 32])), "{cfg}");
}

proptest! {
    #[test]
    fn decoders_never_panic(data in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = Envelope::decode(data.as_slice());
        let _ = WebSocketMessage::decode(data.as_slice());
        let _ = Content::decode(data.as_slice());
        let _ = DataMessage::decode(data.as_slice());
        let _ = GroupUpdateMessage::decode(data.as_slice());
    }

    #[test]
    fn text_round_trips(body in ".{0,200}", name in proptest::option::of(".{0,40}")) {
        let c = Content::text(&body, name.as_deref().map(LokiProfile::named));
        prop_assert_eq!(Content::decode(c.encode_to_vec().as_slice()).unwrap(), c);
    }
}
