//! Rate-limit windows counted in Redis, so a limit holds for the whole cluster (a 5-per-minute
//! limit is 5 for all replicas together, not per replica). One Lua script per request counts
//! atomically, in the vendor framework's way ([`Window`]): a fixed window in a hash
//! (`until`, `count`), a sliding one in a sorted set of request times. Times are the world
//! clock's `limits_now`, which every replica agrees on (a manual clock is shared; wall time
//! otherwise).
//!
//! This costs a Redis round trip per rate-limited request (only mounts with a `rate_limit`).
//! With Redis unreachable the limit **fails open**: the request is allowed, and the log says so
//! once per outage.

use std::sync::atomic::Ordering;

use eventmock_fake::time::Micros;

use super::SharedState;
use crate::ratelimit::{RateLimiter, Verdict, Window, verdict_of};

/// Where every window key is listed (reset and `PUT /scenario` delete them all).
pub const WINDOWS_KEY: &str = "eventmock:windows";

const SCRIPT: &str = r"
local now = tonumber(ARGV[1])
local per = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
redis.call('SADD', KEYS[2], KEYS[1])
if ARGV[4] == 'sliding' then
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', string.format('%.0f', now - per))
  local n = redis.call('ZCARD', KEYS[1])
  local allowed = 0
  if n < limit then
    redis.call('ZADD', KEYS[1], string.format('%.0f', now), ARGV[5])
    n = n + 1
    allowed = 1
  end
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  local o = now
  if oldest[2] then o = tonumber(oldest[2]) end
  return {allowed, n, string.format('%.0f', o)}
end
local v = redis.call('HMGET', KEYS[1], 'until', 'count')
local u = tonumber(v[1])
local c = tonumber(v[2])
if (not u) or now >= u then
  u = now + per
  c = 0
end
local allowed = 0
if c < limit then
  c = c + 1
  allowed = 1
end
redis.call('HSET', KEYS[1], 'until', string.format('%.0f', u), 'count', c)
return {allowed, c, string.format('%.0f', u)}
";

/// Counts a request of `client` on the mount named `mount` at `now` in the cluster's window;
/// an allowing verdict (fail open, logged once per outage) when Redis does not answer.
pub fn check(
    shared: &SharedState,
    mount: &str,
    limiter: &RateLimiter,
    client: &str,
    now: Micros,
) -> Verdict {
    let limit = limiter.limit();
    let window = limiter.window();
    let per = limit.per.micros();
    let key = format!("eventmock:window:{mount}:{client}");
    let sliding = window == Window::Sliding;
    let counted = shared.with_windows(|conn| {
        redis::Script::new(SCRIPT)
            .key(&key)
            .key(WINDOWS_KEY)
            .arg(now)
            .arg(per)
            .arg(limit.requests)
            .arg(if sliding { "sliding" } else { "fixed" })
            .arg(format!("{now}:{:x}", super::random_u64()))
            .invoke::<(u8, u64, String)>(conn)
    });
    match counted {
        Ok((allowed, count, edge)) => {
            if shared.windows_down.swap(false, Ordering::AcqRel) {
                tracing::info!("rate limits: counting in Redis again");
            }
            let edge: Micros = edge.parse().unwrap_or(now);
            // Fixed: `edge` is when the window ends; sliding: the oldest request's time.
            let reset = if sliding { edge + per } else { edge };
            verdict_of(limit.requests, allowed == 1, count, reset, now)
        }
        Err(e) => {
            if !shared.windows_down.swap(true, Ordering::AcqRel) {
                tracing::warn!(error = %e, "rate limits FAIL OPEN: Redis does not answer, requests are not counted until it does");
            }
            verdict_of(limit.requests, true, 0, now + per, now)
        }
    }
}
