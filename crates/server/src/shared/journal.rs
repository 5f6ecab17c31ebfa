//! The request journal shared by the cluster: each replica's flusher ([`super::flush`])
//! appends the requests it journaled since its last flush as one batch — the journal's own
//! compact records ([`crate::journal::Export`]), so nothing is decoded or re-encoded on the
//! way — and `GET /__eventmock/requests` on any replica reads them all back.
//!
//! Keys:
//! - `eventmock:journal`: a stream of batches, fields `r` (the replica), `n` (how many
//!   requests), `b` (the records);
//! - `eventmock:journal:held`: how many requests the stream holds. Each append drops the
//!   oldest batches while the requests left stay at or above the capacity, so the stream
//!   holds at most the capacity plus one batch (a batch holds at most the capacity);
//! - `eventmock:journal:cleared`: when the journal was last cleared (Redis time, Unix µs):
//!   requests received before it are not shown, even from a batch appended after the clear.

use crate::journal::{Journal, JournalEntry};

/// The stream of batches.
pub const JOURNAL_KEY: &str = "eventmock:journal";
/// How many requests the stream holds.
pub const HELD_KEY: &str = "eventmock:journal:held";
/// When the journal was last cleared.
pub const CLEARED_KEY: &str = "eventmock:journal:cleared";

/// Lua (inside the change log's append): clears the cluster's journal. `KEYS` at
/// `koff+1..koff+3`: the stream, the held count, the cleared time.
pub const CLEAR_LUA: &str = r"
local function journal_clear(koff)
  local t = redis.call('TIME')
  redis.call('DEL', KEYS[koff + 1], KEYS[koff + 2])
  redis.call('SET', KEYS[koff + 3], string.format('%d%06d', t[1], t[2]))
end
";

const APPEND_LUA: &str = r"
local id = redis.call('XADD', KEYS[1], '*', 'r', ARGV[1], 'n', ARGV[2], 'b', ARGV[3])
local total = redis.call('INCRBY', KEYS[2], ARGV[2])
local cap = tonumber(ARGV[4])
while true do
  local first = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 1)[1]
  if not first or first[1] == id then break end
  local n = 0
  for i = 1, #first[2], 2 do
    if first[2][i] == 'n' then n = tonumber(first[2][i + 1]) end
  end
  if total - n < cap then break end
  redis.call('XDEL', KEYS[1], first[1])
  total = redis.call('DECRBY', KEYS[2], n)
end
return total
";

/// Appends one batch of `count` requests (`records`: an export's bytes) from `replica`, the
/// stream kept to about `capacity` requests.
pub fn append(
    conn: &mut redis::Connection,
    replica: &str,
    count: usize,
    records: &[u8],
    capacity: usize,
) -> redis::RedisResult<()> {
    redis::Script::new(APPEND_LUA)
        .key(JOURNAL_KEY)
        .key(HELD_KEY)
        .arg(replica)
        .arg(count)
        .arg(records)
        .arg(capacity)
        .invoke::<i64>(conn)
        .map(|_| ())
}

/// A request of the cluster's journal and the replica that received it.
#[derive(Debug, Clone)]
pub struct ClusterEntry {
    /// The replica (its id in hex).
    pub replica: String,
    /// The request (its `ordinal` is the replica's own).
    pub entry: JournalEntry,
}

/// The cluster's journal: the newest `capacity` requests received since the last clear,
/// newest first (by receive time).
pub fn read(
    conn: &mut redis::Connection,
    capacity: usize,
) -> redis::RedisResult<Vec<ClusterEntry>> {
    let cleared: Option<i64> = redis::cmd("GET").arg(CLEARED_KEY).query(conn)?;
    let batches: Vec<(String, Vec<(String, redis::Value)>)> = redis::cmd("XRANGE")
        .arg(JOURNAL_KEY)
        .arg("-")
        .arg("+")
        .query(conn)?;
    let mut all = Vec::new();
    for (_, fields) in batches {
        let mut replica = String::new();
        let mut records: Vec<u8> = Vec::new();
        for (name, value) in fields {
            match name.as_str() {
                "r" => replica = redis::from_redis_value(value).unwrap_or_default(),
                "b" => records = redis::from_redis_value(value).unwrap_or_default(),
                _ => {}
            }
        }
        all.extend(
            Journal::import(&records)
                .into_iter()
                .filter(|e| cleared.is_none_or(|c| e.received_us >= c))
                .map(|entry| ClusterEntry {
                    replica: replica.clone(),
                    entry,
                }),
        );
    }
    all.sort_by(|a, b| {
        (b.entry.received_us, &b.replica, b.entry.ordinal).cmp(&(
            a.entry.received_us,
            &a.replica,
            a.entry.ordinal,
        ))
    });
    all.truncate(capacity);
    Ok(all)
}
