//! Seeded generators of hostile request bodies: pure random bytes, byte-level mutations of
//! valid requests, and JSON-level mutations (values replaced by other types or extreme values,
//! keys dropped or renamed) that reach deeper into the parsers than random bytes do.

use rand::rngs::StdRng;
use rand::Rng;
use serde_json::{Map, Value};

/// Tokens that tend to confuse JSON and number parsers.
const TOKENS: &[&[u8]] = &[
    b"\"",
    b"{",
    b"}",
    b"[",
    b"]",
    b",",
    b":",
    b"\\",
    b"\\u0000",
    b"\\ud800",
    b"null",
    b"true",
    b"-1",
    b"0",
    b"1e999",
    b"-0.0",
    b"18446744073709551616",
    b"-9223372036854775809",
    b"NaN",
    b"\xff\xfe",
    b"\x00",
    b"\r\n",
];

/// One garbage body: pure random bytes, a byte-mutated template or (when the templates are
/// JSON) a structurally mutated template.
pub fn body(rng: &mut StdRng, templates: &[Vec<u8>], json: bool) -> Vec<u8> {
    let pick = rng.gen_range(0..10);
    if templates.is_empty() || pick < 4 {
        return random_bytes(rng);
    }
    let template = &templates[rng.gen_range(0..templates.len())];
    if json && pick >= 7 {
        if let Ok(mut value) = serde_json::from_slice::<Value>(template) {
            for _ in 0..rng.gen_range(1..=3) {
                mutate_value(rng, &mut value, 0);
            }
            let mut out = value.to_string().into_bytes();
            if rng.gen_bool(0.2) {
                mutate_bytes(rng, &mut out);
            }
            return out;
        }
    }
    let mut out = template.clone();
    for _ in 0..rng.gen_range(1..=6) {
        mutate_bytes(rng, &mut out);
    }
    out
}

/// Random bytes of a random length: mostly short, sometimes up to 256 KiB; sometimes ASCII-ish.
pub fn random_bytes(rng: &mut StdRng) -> Vec<u8> {
    let len = match rng.gen_range(0..100) {
        0..=9 => rng.gen_range(0..8),
        10..=59 => rng.gen_range(0..256),
        60..=97 => rng.gen_range(0..4096),
        _ => rng.gen_range(4096..262_144),
    };
    let mut out = vec![0u8; len];
    rng.fill(out.as_mut_slice());
    if rng.gen_bool(0.3) {
        // Printable, with JSON punctuation overrepresented.
        const ALPHABET: &[u8] = b"{}[]\":,0123456789-+.eEabcdefnrtul \\\n";
        for b in &mut out {
            *b = ALPHABET[usize::from(*b) % ALPHABET.len()];
        }
    }
    out
}

/// One byte-level mutation in place.
pub fn mutate_bytes(rng: &mut StdRng, data: &mut Vec<u8>) {
    let len = data.len();
    match rng.gen_range(0..8) {
        0 if len > 0 => {
            let i = rng.gen_range(0..len);
            data[i] ^= 1 << rng.gen_range(0..8);
        }
        1 if len > 0 => {
            let i = rng.gen_range(0..len);
            data[i] = rng.gen();
        }
        2 => {
            let i = rng.gen_range(0..=len);
            let n = rng.gen_range(1..32);
            let extra: Vec<u8> = (0..n).map(|_| rng.gen()).collect();
            data.splice(i..i, extra);
        }
        3 if len > 0 => {
            let start = rng.gen_range(0..len);
            let end = rng.gen_range(start..=len.min(start + 64));
            data.drain(start..end);
        }
        4 if len > 0 => {
            let start = rng.gen_range(0..len);
            let end = rng.gen_range(start..=len.min(start + 256));
            let copy = data[start..end].to_vec();
            let at = rng.gen_range(0..=len);
            data.splice(at..at, copy);
        }
        5 if len > 0 => data.truncate(rng.gen_range(0..len)),
        6 => {
            let token = TOKENS[rng.gen_range(0..TOKENS.len())];
            let i = rng.gen_range(0..=len);
            data.splice(i..i, token.iter().copied());
        }
        _ => {
            let token = TOKENS[rng.gen_range(0..TOKENS.len())];
            if len > 0 {
                let i = rng.gen_range(0..len);
                let end = (i + token.len()).min(len);
                data.splice(i..end, token.iter().copied());
            } else {
                data.extend_from_slice(token);
            }
        }
    }
}

/// A value of a surprising type or size.
pub fn odd_value(rng: &mut StdRng) -> Value {
    match rng.gen_range(0..20) {
        0 => Value::Null,
        1 => Value::Bool(rng.gen()),
        2 => Value::from(-1),
        3 => Value::from(0),
        4 => Value::from(i64::MAX),
        5 => Value::from(u64::MAX),
        6 => Value::from(i64::MIN),
        7 => serde_json::json!(1.5),
        8 => serde_json::json!(1e308),
        9 => Value::String(String::new()),
        10 => Value::String("x".repeat(rng.gen_range(1..200_000))),
        11 => Value::String(hex::encode(
            (0..rng.gen_range(0..70))
                .map(|_| rng.gen::<u8>())
                .collect::<Vec<_>>(),
        )),
        12 => Value::String("\u{0}\u{ffff}\u{1F600}".into()),
        13 => Value::Array(Vec::new()),
        14 => Value::Object(Map::new()),
        15 => Value::Array((0..rng.gen_range(0..50)).map(Value::from).collect()),
        16 => {
            let mut v = Value::Null;
            for _ in 0..rng.gen_range(1..120) {
                v = Value::Array(vec![v]);
            }
            v
        }
        17 => Value::String("all".into()),
        18 => Value::from(rng.gen_range(-40_000i64..40_000)),
        _ => Value::String(base64::Engine::encode(
            &base64::engine::general_purpose::STANDARD,
            (0..rng.gen_range(0..100))
                .map(|_| rng.gen::<u8>())
                .collect::<Vec<_>>(),
        )),
    }
}

/// One structural mutation somewhere in `value`.
pub fn mutate_value(rng: &mut StdRng, value: &mut Value, depth: usize) {
    match value {
        Value::Object(map) if !map.is_empty() && depth < 8 => {
            let keys: Vec<String> = map.keys().cloned().collect();
            let key = keys[rng.gen_range(0..keys.len())].clone();
            match rng.gen_range(0..10) {
                0 => {
                    map.remove(&key);
                }
                1 => {
                    if let Some(v) = map.remove(&key) {
                        map.insert(format!("{key}{}", rng.gen::<u8>()), v);
                    }
                }
                2 => {
                    map.insert(key, odd_value(rng));
                }
                3 => {
                    map.insert(format!("extra{}", rng.gen::<u16>()), odd_value(rng));
                }
                _ => {
                    if let Some(v) = map.get_mut(&key) {
                        mutate_value(rng, v, depth + 1);
                    }
                }
            }
        }
        Value::Array(items) if !items.is_empty() && depth < 8 => {
            let i = rng.gen_range(0..items.len());
            match rng.gen_range(0..6) {
                0 => {
                    items.remove(i);
                }
                1 => {
                    let copy = items[i].clone();
                    for _ in 0..rng.gen_range(1..30) {
                        items.push(copy.clone());
                    }
                }
                2 => items[i] = odd_value(rng),
                _ => mutate_value(rng, &mut items[i], depth + 1),
            }
        }
        _ => *value = odd_value(rng),
    }
}
