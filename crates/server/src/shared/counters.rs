//! Sequence and fault call counters in Redis ([`crate::rules::CallCounters`]), so a sequence
//! steps once per call to the cluster and seeded faults draw from one call count: each call
//! of a matching rule is one `INCR` (in a Lua script that also lists the key for reset).
//! With Redis unreachable the replica's own counter counts instead (logged once per outage).

use std::sync::Arc;
use std::sync::atomic::Ordering;

use super::SharedState;
use super::windows::WINDOWS_KEY;
use crate::rules::CallCounters;

/// The call counters of a replica's rules, in Redis.
pub struct RedisCounters(pub Arc<SharedState>);

const SCRIPT: &str = r"
redis.call('SADD', KEYS[2], KEYS[1])
return redis.call('INCR', KEYS[1]) - 1
";

impl CallCounters for RedisCounters {
    fn next(&self, name: &str) -> Option<u64> {
        let shared = &self.0;
        let key = format!("eventmock:calls:{name}");
        let counted = shared.with_windows(|conn| {
            redis::Script::new(SCRIPT)
                .key(&key)
                .key(WINDOWS_KEY)
                .invoke::<u64>(conn)
        });
        match counted {
            Ok(n) => {
                if shared.counters_down.swap(false, Ordering::AcqRel) {
                    tracing::info!("sequence and fault counters: counting in Redis again");
                }
                Some(n)
            }
            Err(e) => {
                if !shared.counters_down.swap(true, Ordering::AcqRel) {
                    tracing::warn!(error = %e, "sequence and fault counters count per replica: Redis does not answer");
                }
                None
            }
        }
    }
}
