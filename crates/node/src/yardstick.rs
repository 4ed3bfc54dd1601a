//! A fixed CPU workload that says how fast the machine is at the moment of a benchmark.
//!
//! The 2-vCPU VM the benchmarks run on has given the same binary figures 1.5–1.8x apart on
//! different days at the same load. Requests per second and CPU per request depend on that, so
//! the node and client benches also print this workload's times, measured in the same run,
//! before and after: the primitives a replicated store and an onion hop are made of (one
//! Ed25519 signature, one strict verification, one X25519 exchange by the Montgomery ladder),
//! on one thread. Runs from different days are compared through these times.

use std::fmt;
use std::hint::black_box;
use std::time::{Duration, Instant};

use ed25519_dalek::{Signer, SigningKey};
use x25519_dalek::{PublicKey, StaticSecret};

/// Repetitions of each measurement; the median is kept.
const ROUNDS: usize = 7;
/// Operations timed together in one repetition.
const OPERATIONS_PER_ROUND: u32 = 100;

/// Median time of one operation of each kind.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Yardstick {
    /// One Ed25519 signature of 100 bytes (what each swarm member does per store).
    pub ed25519_sign: Duration,
    /// One strict Ed25519 verification of it (the client signature a node checks).
    pub ed25519_verify: Duration,
    /// One X25519 exchange with a key seen once (what a node does to peel an onion layer).
    pub x25519_ladder: Duration,
}

impl Yardstick {
    /// Runs the workload (about 0.1 s on one core of the benchmark VM).
    pub fn measure() -> Yardstick {
        let signing = SigningKey::from_bytes(&[7; 32]);
        let verifying = signing.verifying_key();
        let message = [0x5a_u8; 100];
        let signature = signing.sign(&message);
        let secret = StaticSecret::from([9; 32]);
        let peer = PublicKey::from(&StaticSecret::from([11; 32]));

        let ed25519_sign = median_per_operation(|| {
            black_box(signing.sign(black_box(&message)));
        });
        let ed25519_verify = median_per_operation(|| {
            let ok = verifying.verify_strict(black_box(&message), black_box(&signature));
            black_box(ok.is_ok());
        });
        let x25519_ladder = median_per_operation(|| {
            black_box(secret.diffie_hellman(black_box(&peer)));
        });
        Yardstick {
            ed25519_sign,
            ed25519_verify,
            x25519_ladder,
        }
    }

    /// Sum of the three: one unit of "crypto work", to compare machines with one number.
    pub fn total(&self) -> Duration {
        self.ed25519_sign + self.ed25519_verify + self.x25519_ladder
    }
}

impl fmt::Display for Yardstick {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Ed25519 sign {:.1} µs, verify {:.1} µs, X25519 ladder {:.1} µs (sum {:.1} µs)",
            micros(self.ed25519_sign),
            micros(self.ed25519_verify),
            micros(self.x25519_ladder),
            micros(self.total())
        )
    }
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

/// Median over [`ROUNDS`] of the time per call of `operation`, [`OPERATIONS_PER_ROUND`] calls
/// per round.
fn median_per_operation(mut operation: impl FnMut()) -> Duration {
    operation(); // warm caches and lazily built tables
    let mut per_operation: Vec<Duration> = (0..ROUNDS)
        .map(|_| {
            let started = Instant::now();
            for _ in 0..OPERATIONS_PER_ROUND {
                operation();
            }
            started.elapsed() / OPERATIONS_PER_ROUND
        })
        .collect();
    per_operation.sort_unstable();
    per_operation[ROUNDS / 2]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_takes_measurable_time_and_shows() {
        let y = Yardstick::measure();
        for d in [y.ed25519_sign, y.ed25519_verify, y.x25519_ladder] {
            assert!(d > Duration::ZERO, "{y:?}");
            // Even a debug build on a slow machine does one of these in well under 100 ms.
            assert!(d < Duration::from_millis(100), "{y:?}");
        }
        assert_eq!(
            y.total(),
            y.ed25519_sign + y.ed25519_verify + y.x25519_ladder
        );
        let text = y.to_string();
        assert!(text.starts_with("Ed25519 sign "), "{text}");
        assert!(text.contains("X25519 ladder"), "{text}");
    }

    #[test]
    fn the_median_ignores_one_slow_round() {
        let mut calls = 0u32;
        let d = median_per_operation(|| {
            calls += 1;
            // The first timed round is slow; the median must not be.
            if (2..=OPERATIONS_PER_ROUND + 1).contains(&calls) {
                std::thread::sleep(Duration::from_micros(200));
            }
        });
        assert!(d < Duration::from_micros(100), "{d:?}");
    }
}
