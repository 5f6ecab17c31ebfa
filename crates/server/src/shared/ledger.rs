//! The delivery ledger shared by the cluster: every replica appends what it served to Redis in
//! batches ([`super::flush`]), and `GET …/delivery` on any replica merges every replica's.
//!
//! Keys (a mount's key is `vendor prefix:port`, see [`crate::world::Mount::key`]):
//! - `eventmock:ledgers`: the set of mount registries;
//! - `eventmock:ledger:{mount}`: a mount's registry, members `{replica}\n{client}`;
//! - `eventmock:ledger:{mount}\n{replica}\n{client}`: what that replica served that client,
//!   as deltas appended one after another ([`crate::ledger::delta`]: index runs, so indices
//!   up to 2⁴⁰ and beyond cost a few bytes);
//! - `eventmock:ledger:bytes`: the bytes all deltas hold; past [`crate::ledger::MAX_BYTES`]
//!   appends stop and the mounts are marked in `eventmock:ledger:truncated` (a set of mount
//!   registries; their reports say `truncated` until cleared).
//!
//! **Clearing** (reset, `PUT /scenario`, `DELETE …/delivery`) happens twice: the write's own
//! Lua script deletes every replica's data when it is appended to the change log (the data of
//! replicas that are gone included), and each replica deletes its own again once its follower
//! applied the write ([`super::flush::FlushState::cleared`]) — so a batch a replica had taken
//! before it saw the write, and appended after the first deletion, does not survive.

use std::collections::BTreeMap;

use crate::ledger::{ClientLog, Notes, delta};

/// The set of mount registries.
pub const LEDGERS_KEY: &str = "eventmock:ledgers";
/// Bytes held by every delta.
pub const BYTES_KEY: &str = "eventmock:ledger:bytes";
/// Mount registries whose ledger stopped recording.
pub const TRUNCATED_KEY: &str = "eventmock:ledger:truncated";

/// A mount's registry key.
pub fn registry(mount: &str) -> String {
    format!("eventmock:ledger:{mount}")
}

/// What a clear removes from the shared ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LedgerClear {
    /// Every mount, every client (reset, `PUT /scenario`, a replay).
    All,
    /// One mount's clients: `client`, or every one with `None` (`DELETE …/delivery`).
    Mount {
        /// The mount's key.
        mount: String,
        /// The client, or every client.
        client: Option<String>,
    },
}

/// Lua: deletes the deltas that `ARGV[off+1..]` name — `ARGV[off+1]`: a registry (`''`: every
/// mount), `ARGV[off+2]`: a replica (`''`: every one), `ARGV[off+3]`: `'1'` when
/// `ARGV[off+4]` names one client. `KEYS`: the ledgers set, the bytes key, the truncated set
/// (at `koff+1..koff+3`). Used on its own and inside the change log's append.
pub const CLEAR_LUA: &str = r"
local function ledger_clear(koff, off)
  local regs
  if ARGV[off + 1] == '' then
    regs = redis.call('SMEMBERS', KEYS[koff + 1])
  else
    regs = {ARGV[off + 1]}
  end
  for _, reg in ipairs(regs) do
    for _, m in ipairs(redis.call('SMEMBERS', reg)) do
      local nl = string.find(m, '\n', 1, true)
      if nl then
        local r = string.sub(m, 1, nl - 1)
        local c = string.sub(m, nl + 1)
        if (ARGV[off + 2] == '' or r == ARGV[off + 2]) and (ARGV[off + 3] ~= '1' or c == ARGV[off + 4]) then
          local k = reg .. '\n' .. m
          redis.call('DECRBY', KEYS[koff + 2], redis.call('STRLEN', k))
          redis.call('DEL', k)
          redis.call('SREM', reg, m)
        end
      end
    end
    if ARGV[off + 2] == '' and ARGV[off + 3] ~= '1' then
      redis.call('SREM', KEYS[koff + 3], reg)
    end
  end
  if ARGV[off + 1] == '' and ARGV[off + 2] == '' then
    redis.call('DEL', KEYS[koff + 1], KEYS[koff + 2], KEYS[koff + 3])
  end
end
";

impl LedgerClear {
    /// The four arguments of [`CLEAR_LUA`] for this clear by `replica` (`''`: every one).
    pub fn args(&self, replica: &str) -> [String; 4] {
        match self {
            LedgerClear::All => [String::new(), replica.to_owned(), "0".into(), String::new()],
            LedgerClear::Mount { mount, client } => [
                registry(mount),
                replica.to_owned(),
                if client.is_some() { "1" } else { "0" }.into(),
                client.clone().unwrap_or_default(),
            ],
        }
    }
}

/// Deletes what `replica` (`""`: every replica) holds that `clear` names.
pub fn clear(
    conn: &mut redis::Connection,
    clear: &LedgerClear,
    replica: &str,
) -> redis::RedisResult<()> {
    let script = redis::Script::new(&format!("{CLEAR_LUA}\nledger_clear(0, 0)\nreturn 1"));
    let mut call = script.prepare_invoke();
    call.key(LEDGERS_KEY).key(BYTES_KEY).key(TRUNCATED_KEY);
    for arg in clear.args(replica) {
        call.arg(arg);
    }
    call.invoke::<i64>(conn).map(|_| ())
}

/// One batch for one client of one mount, encoded.
#[derive(Debug, Clone)]
pub struct Batch {
    /// The mount's key.
    pub mount: String,
    /// The client.
    pub client: Box<str>,
    /// Its deltas.
    pub bytes: Vec<u8>,
}

/// Encodes what `clients` (one entry per shard that served a client) were served as one
/// batch per client of `mount`.
pub fn batches(mount: &str, clients: Vec<(Box<str>, Notes)>) -> Vec<Batch> {
    let mut by_client: BTreeMap<Box<str>, ClientLog> = BTreeMap::new();
    for (client, notes) in clients {
        by_client.entry(client).or_default().record(&notes);
    }
    by_client
        .into_iter()
        .map(|(client, log)| {
            let mut bytes = Vec::new();
            delta::encode(&log, &mut bytes);
            Batch {
                mount: mount.to_owned(),
                client,
                bytes,
            }
        })
        .collect()
}

const APPEND_LUA: &str = r"
local max = tonumber(ARGV[1])
local n = (#ARGV - 2) / 3
if ARGV[2] ~= '' then
  redis.call('SADD', KEYS[3], ARGV[2])
end
local size = 0
for i = 1, n do
  size = size + string.len(ARGV[2 + 3 * i])
end
local total = tonumber(redis.call('GET', KEYS[2]) or '0')
local stored = 0
for i = 1, n do
  local reg = ARGV[3 * i]
  if total + size > max then
    redis.call('SADD', KEYS[3], reg)
  elseif redis.call('SISMEMBER', KEYS[3], reg) == 0 then
    redis.call('SADD', KEYS[1], reg)
    redis.call('SADD', reg, ARGV[3 * i + 1])
    redis.call('APPEND', reg .. '\n' .. ARGV[3 * i + 1], ARGV[3 * i + 2])
    stored = stored + string.len(ARGV[3 * i + 2])
  end
end
redis.call('INCRBY', KEYS[2], stored)
return stored
";

/// Appends `batches` of `replica` in one script (past the byte bound nothing is stored and
/// their mounts are marked truncated; `lost`: a mount whose notes were dropped before they
/// could be sent, marked truncated too).
pub fn append(
    conn: &mut redis::Connection,
    replica: &str,
    batches: &[Batch],
    lost: Option<&str>,
) -> redis::RedisResult<()> {
    let script = redis::Script::new(APPEND_LUA);
    let mut call = script.prepare_invoke();
    call.key(LEDGERS_KEY).key(BYTES_KEY).key(TRUNCATED_KEY);
    call.arg(crate::ledger::MAX_BYTES)
        .arg(lost.map(registry).unwrap_or_default());
    for b in batches {
        call.arg(registry(&b.mount))
            .arg(format!("{replica}\n{}", b.client))
            .arg(&b.bytes[..]);
    }
    call.invoke::<i64>(conn).map(|_| ())
}

/// Raw shared-ledger data of a mount: each key's deltas, and whether it stopped recording.
pub type Raw = (Vec<(String, Vec<u8>)>, bool);

/// What the whole cluster holds for `mount`: `client`'s deltas (every client's, with `None`)
/// and whether the mount's shared ledger stopped recording. [`merge`] reads them.
pub fn read(
    conn: &mut redis::Connection,
    mount: &str,
    client: Option<&str>,
) -> redis::RedisResult<Raw> {
    let reg = registry(mount);
    let members: Vec<String> = redis::cmd("SMEMBERS").arg(&reg).query(conn)?;
    let keys: Vec<String> = members
        .iter()
        .filter(|m| client.is_none_or(|c| m.split_once('\n').is_some_and(|(_, mc)| mc == c)))
        .map(|m| format!("{reg}\n{m}"))
        .collect();
    let truncated: bool = redis::cmd("SISMEMBER")
        .arg(TRUNCATED_KEY)
        .arg(&reg)
        .query(conn)?;
    let mut raw = Vec::with_capacity(keys.len());
    for chunk in keys.chunks(64) {
        let values: Vec<Option<Vec<u8>>> = redis::cmd("MGET").arg(chunk).query(conn)?;
        raw.extend(
            chunk
                .iter()
                .zip(values)
                .filter_map(|(k, v)| Some((k.clone(), v?))),
        );
    }
    Ok((raw, truncated))
}

/// Merges what [`read`] returned into one log (and the truncation flag); an error names the
/// key whose bytes are not deltas.
pub fn merge((raw, truncated): Raw) -> Result<(ClientLog, bool), String> {
    let mut log = ClientLog::default();
    for (key, bytes) in raw {
        delta::decode_into(&bytes, &mut log)
            .map_err(|e| format!("shared ledger key `{}`: {e}", key.replace('\n', "|")))?;
    }
    Ok((log, truncated))
}

/// The clients the cluster recorded on `mount`, sorted, each once; at most `max`.
pub fn clients(
    conn: &mut redis::Connection,
    mount: &str,
    max: usize,
) -> redis::RedisResult<Vec<String>> {
    let members: Vec<String> = redis::cmd("SMEMBERS").arg(registry(mount)).query(conn)?;
    let names: std::collections::BTreeSet<String> = members
        .into_iter()
        .filter_map(|m| m.split_once('\n').map(|(_, c)| c.to_owned()))
        .collect();
    Ok(names.into_iter().take(max).collect())
}
