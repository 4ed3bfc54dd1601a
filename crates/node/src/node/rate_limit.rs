//! Per-client rate limiting, as Session's storage servers do it.
//!
//! Constants from session-storage-server `oxenss/rpc/rate_limiter.{h,cpp}`: a token bucket per
//! client IPv4 address holding up to 600 tokens, refilled at 300 tokens a second; a request
//! takes one token and is refused (429) when none is left; at most 10,000 client buckets, full
//! buckets being dropped first when the table is full; a new client starts with a full bucket.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Bucket capacity (requests).
pub const BUCKET_SIZE: u32 = 600;
/// Refill rate (requests per second).
pub const TOKEN_RATE: u32 = 300;
/// Most clients tracked at once.
pub const MAX_CLIENTS: usize = 10_000;

const TOKEN_PERIOD: Duration = Duration::from_micros(1_000_000 / TOKEN_RATE as u64);

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: u32,
    last: Instant,
}

impl Bucket {
    /// Adds the tokens earned since `last`; true when the bucket is full.
    fn fill(&mut self, now: Instant) -> bool {
        let elapsed = now.saturating_duration_since(self.last);
        let earned = elapsed.as_micros() / TOKEN_PERIOD.as_micros();
        let earned = u32::try_from(earned).unwrap_or(u32::MAX);
        if earned > 0 {
            // Keep the fractional remainder of the period by advancing `last` only by whole
            // tokens.
            self.last += TOKEN_PERIOD * earned.min(BUCKET_SIZE);
            if earned >= BUCKET_SIZE {
                self.last = now;
            }
        }
        self.tokens = self.tokens.saturating_add(earned).min(BUCKET_SIZE);
        self.tokens == BUCKET_SIZE
    }
}

/// Token buckets keyed by client IP.
#[derive(Debug, Default)]
pub struct RateLimiter {
    buckets: Mutex<HashMap<IpAddr, Bucket>>,
}

impl RateLimiter {
    /// An empty limiter.
    pub fn new() -> RateLimiter {
        RateLimiter::default()
    }

    /// Whether a request from `ip` at `now` should be refused.
    pub fn should_limit(&self, ip: IpAddr, now: Instant) -> bool {
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(bucket) = buckets.get_mut(&ip) {
            bucket.fill(now);
            if bucket.tokens == 0 {
                return true;
            }
            bucket.tokens -= 1;
            return false;
        }
        if buckets.len() >= MAX_CLIENTS {
            buckets.retain(|_, b| !b.fill(now));
            if buckets.len() >= MAX_CLIENTS {
                return true;
            }
        }
        buckets.insert(
            ip,
            Bucket {
                tokens: BUCKET_SIZE - 1,
                last: now,
            },
        );
        false
    }

    /// Drops buckets that have refilled completely (called periodically).
    pub fn clean(&self, now: Instant) {
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        buckets.retain(|_, b| !b.fill(now));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    #[test]
    fn bursts_up_to_the_bucket_then_refills_at_the_rate() {
        let rl = RateLimiter::new();
        let ip = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1));
        let other = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2));
        let t0 = Instant::now();
        for _ in 0..BUCKET_SIZE {
            assert!(!rl.should_limit(ip, t0));
        }
        assert!(rl.should_limit(ip, t0));
        // Another client is unaffected.
        assert!(!rl.should_limit(other, t0));
        // After 100 ms, 30 more requests pass.
        let t1 = t0 + Duration::from_millis(100);
        for _ in 0..30 {
            assert!(!rl.should_limit(ip, t1));
        }
        assert!(rl.should_limit(ip, t1));
        // After two seconds the bucket is full again and gets cleaned.
        let t2 = t1 + Duration::from_secs(3);
        rl.clean(t2);
        assert!(rl.buckets.lock().unwrap().is_empty());
    }
}
