//! Recovery phrase encode/decode against the minimal straight-line computation.
//!
//! Baselines: encode = the 12 index computations + building the 36-byte prefix string + one
//! CRC-32 + joining 13 words; decode = splitting on spaces + 13 prefix-table lookups + the
//! triplet arithmetic + one CRC-32 over the 36-byte prefix string + the checksum comparison.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use session_protocol::identity::Seed;
use session_protocol::mnemonic::{phrase_to_seed, seed_to_phrase, word_at, WORD_COUNT};

const N: u64 = WORD_COUNT as u64;

fn words() -> Vec<&'static str> {
    (0..WORD_COUNT).map(|i| word_at(i).expect("word")).collect()
}

/// A direct prefix table, as the minimal lookup structure.
fn table() -> Vec<u16> {
    let mut t = vec![u16::MAX; 26 * 26 * 26];
    for (i, w) in words().iter().enumerate() {
        let b = w.as_bytes();
        let slot =
            ((b[0] - b'a') as usize * 26 + (b[1] - b'a') as usize) * 26 + (b[2] - b'a') as usize;
        t[slot] = i as u16;
    }
    t
}

fn raw_encode(seed: &[u8; 16], words: &[&'static str]) -> String {
    let mut idx = [0usize; 13];
    for k in 0..4 {
        let x = u32::from_le_bytes([
            seed[4 * k],
            seed[4 * k + 1],
            seed[4 * k + 2],
            seed[4 * k + 3],
        ]) as u64;
        let w1 = x % N;
        let w2 = (x / N + w1) % N;
        let w3 = (x / N / N + w2) % N;
        idx[3 * k] = w1 as usize;
        idx[3 * k + 1] = w2 as usize;
        idx[3 * k + 2] = w3 as usize;
    }
    let mut prefixes = [0u8; 36];
    for k in 0..12 {
        prefixes[3 * k..3 * k + 3].copy_from_slice(&words[idx[k]].as_bytes()[..3]);
    }
    idx[12] = idx[crc32fast::hash(&prefixes) as usize % 12];
    let mut out = String::with_capacity(13 * 9);
    for (k, &i) in idx.iter().enumerate() {
        if k > 0 {
            out.push(' ');
        }
        out.push_str(words[i]);
    }
    out
}

fn raw_decode(phrase: &str, table: &[u16], words: &[&'static str]) -> Option<[u8; 16]> {
    let mut idx = [0u64; 13];
    for (n, w) in phrase.split(' ').enumerate() {
        let b = w.as_bytes();
        let slot =
            ((b[0] - b'a') as usize * 26 + (b[1] - b'a') as usize) * 26 + (b[2] - b'a') as usize;
        idx[n] = table[slot] as u64;
    }
    let mut out = [0u8; 16];
    let mut prefixes = [0u8; 36];
    for k in 0..4 {
        let (w1, w2, w3) = (idx[3 * k], idx[3 * k + 1], idx[3 * k + 2]);
        let x = w1 + N * ((N - w1 + w2) % N) + N * N * ((N - w2 + w3) % N);
        if x % N != w1 || x > u32::MAX as u64 {
            return None;
        }
        out[4 * k..4 * k + 4].copy_from_slice(&(x as u32).to_le_bytes());
    }
    for k in 0..12 {
        prefixes[3 * k..3 * k + 3].copy_from_slice(&words[idx[k] as usize].as_bytes()[..3]);
    }
    (idx[crc32fast::hash(&prefixes) as usize % 12] == idx[12]).then_some(out)
}

fn mnemonic(c: &mut Criterion) {
    let seed =
        Seed::from_bytes(*b"\x9a\x13\x77\x01\xfe\x42\x00\x88\x10\xcc\x5d\x3e\x71\x0b\xa4\x29");
    let words = words();
    let table = table();
    let phrase = seed_to_phrase(&seed);
    assert_eq!(raw_encode(seed.as_bytes(), &words), phrase);
    assert_eq!(raw_decode(&phrase, &table, &words), Some(*seed.as_bytes()));

    let mut group = c.benchmark_group("mnemonic_encode");
    group.bench_function("seed_to_phrase", |b| {
        b.iter(|| seed_to_phrase(black_box(&seed)));
    });
    group.bench_function("raw_straight_line", |b| {
        b.iter(|| raw_encode(black_box(seed.as_bytes()), &words));
    });
    group.finish();

    let mut group = c.benchmark_group("mnemonic_decode");
    group.bench_function("phrase_to_seed", |b| {
        b.iter(|| phrase_to_seed(black_box(&phrase)));
    });
    group.bench_function("raw_straight_line", |b| {
        b.iter(|| raw_decode(black_box(&phrase), &table, &words));
    });
    group.finish();
}

criterion_group!(benches, mnemonic);
criterion_main!(benches);
