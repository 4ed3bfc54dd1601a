//! Feeds arbitrary bytes to every parser the client runs on what service nodes and seeds
//! answer: retrieve, store (with the member-signature checks), get_swarm / 421 bodies, info,
//! and the seed's oxend JSON-RPC answer with its node list. Nothing may panic.
#![no_main]

use session_protocol::rpc::response::{
    parse_response, GetSwarmResponse, InfoResponse, OxendResponse, RetrieveResponse,
    StoreResponse,
};
use session_protocol::rpc::snode::ServiceNodeList;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(retrieved) = parse_response::<RetrieveResponse>(data) {
        for message in &retrieved.messages {
            let _ = message.data.len();
        }
    }
    if let Ok(stored) = parse_response::<StoreResponse>(data) {
        for (node, result) in stored.successes() {
            let _ = result.verify(node);
        }
    }
    if let Ok(swarm) = parse_response::<GetSwarmResponse>(data) {
        for node in &swarm.snodes {
            let _ = (node.ed25519(), node.x25519(), node.https_port());
        }
    }
    let _ = parse_response::<InfoResponse>(data);
    if let Ok(answer) = parse_response::<OxendResponse>(data) {
        if let Ok(list) = serde_json::from_value::<ServiceNodeList>(answer.result) {
            for state in &list.service_node_states {
                let _ = (state.is_usable(), state.ed25519(), state.x25519());
            }
        }
    }
});
