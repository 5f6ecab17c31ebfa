//! The change log in Redis: its keys, its entries ([`Envelope`]: one write request), how a
//! write is appended (one Lua script: atomic) and how an entry is applied to a
//! [`Replica`].
//!
//! Keys (all under `eventmock:` in the URL's database):
//! - `eventmock:log`: the stream; each entry has one field `e`, the JSON of an [`Envelope`].
//! - `eventmock:epoch`: the stream's life; set (if absent) by every append and by every
//!   follower that connects, so a Redis that lost its data gets a new one.
//! - `eventmock:scenario`: the YAML of the last `PUT /scenario`, the world a replay starts
//!   from (with the replica's own scenario when absent).
//! - `eventmock:start`: a live clock's start, set by the first replica (`--clock live`).
//! - `eventmock:window:…` and `eventmock:windows` (their list): rate-limit windows
//!   ([`super::windows`]).
//! - `eventmock:ledger…` ([`super::ledger`]) and `eventmock:journal…` ([`super::journal`]):
//!   the cluster's delivery ledger and journal, cleared by the append of a write that clears
//!   them ([`Cleanup`]).
//!
//! `POST /reset` and `PUT /scenario` trim the stream to themselves: what came before them no
//! longer matters to a replay, so the log stays as long as the changes since the last reset.

use bytes::Bytes;
use hyper::{HeaderMap, Method, Request, StatusCode};
use redis::streams::{StreamId, StreamRangeReply, StreamReadReply};
use serde::{Deserialize, Serialize};

use super::follow::Replica;
use crate::response::{Reply, error_json};

/// The stream.
pub const LOG_KEY: &str = "eventmock:log";
/// The epoch key.
pub const EPOCH_KEY: &str = "eventmock:epoch";
/// The start of a live clock (Unix microseconds), the first replica's.
pub const START_KEY: &str = "eventmock:start";
/// The last `PUT /scenario`'s YAML.
pub const SCENARIO_KEY: &str = "eventmock:scenario";
/// Where a scenario write is applied: the admin API's `/scenario` (`crate::admin::PREFIX`;
/// a test there checks they agree).
pub const SCENARIO_URI: &str = "/__eventmock/scenario";

/// What kind of write an entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// An admin write that changes the world (adds, deletes, `POST /clock`).
    Admin,
    /// `POST /reset`: trims the log.
    Reset,
    /// `PUT /scenario`: trims the log and becomes the replay's start.
    Scenario,
    /// A vendor's own write (Halo's `delete.json`, authentik's `DELETE`).
    Vendor,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Admin => "admin",
            Kind::Reset => "reset",
            Kind::Scenario => "scenario",
            Kind::Vendor => "vendor",
        }
    }
}

/// One write, as every replica applies it: the request itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Envelope {
    /// The replica that wrote it (set by [`super::SharedState::submit`]).
    #[serde(rename = "o")]
    pub origin: u64,
    /// The writer's number for it (set by [`super::SharedState::submit`]).
    #[serde(rename = "n")]
    pub nonce: u64,
    /// What kind of write it is.
    pub kind: Kind,
    /// The HTTP method.
    pub method: String,
    /// Path and query.
    pub uri: String,
    /// The extra port a vendor write came on (`None`: the main port).
    #[serde(default)]
    pub port: Option<u16>,
    /// The headers that decide the answer (content type, credentials).
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    /// The body (UTF-8: admin bodies are JSON, NDJSON or YAML).
    #[serde(default)]
    pub body: String,
}

/// What else a write clears in Redis, in the script that appends it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cleanup {
    /// Nothing.
    Nothing,
    /// The cluster's delivery ledger, or part of it (reset, `PUT /scenario`,
    /// `DELETE …/delivery`).
    Ledger(super::ledger::LedgerClear),
    /// The cluster's journal (`DELETE /__eventmock/requests`).
    Journal,
}

/// Appends one write: sets the epoch if absent, clears what `cleanup` names, adds the entry,
/// trims the log before a reset or a scenario (and forgets the rate-limit windows then) and
/// remembers a scenario. Returns the entry's id.
pub fn append(
    conn: &mut redis::Connection,
    kind: Kind,
    payload: &str,
    envelope: &Envelope,
    cleanup: &Cleanup,
) -> redis::RedisResult<String> {
    let script = redis::Script::new(&format!(
        "{}{}{}",
        super::ledger::CLEAR_LUA,
        super::journal::CLEAR_LUA,
        r"
redis.call('SET', KEYS[2], ARGV[3], 'NX')
if ARGV[5] == 'ledger' then
  ledger_clear(4, 5)
elseif ARGV[5] == 'journal' then
  journal_clear(7)
end
local id = redis.call('XADD', KEYS[1], '*', 'e', ARGV[1])
if ARGV[2] == 'reset' or ARGV[2] == 'scenario' then
  redis.call('XTRIM', KEYS[1], 'MINID', id)
  for _, k in ipairs(redis.call('SMEMBERS', KEYS[4])) do
    redis.call('DEL', k)
  end
  redis.call('DEL', KEYS[4])
end
if ARGV[2] == 'scenario' then
  redis.call('SET', KEYS[3], ARGV[4])
end
return id
"
    ));
    let yaml = if kind == Kind::Scenario {
        envelope.body.as_str()
    } else {
        ""
    };
    let (what, clear) = match cleanup {
        Cleanup::Nothing => ("", Default::default()),
        Cleanup::Ledger(clear) => ("ledger", clear.args("")),
        Cleanup::Journal => ("journal", Default::default()),
    };
    let mut call = script.prepare_invoke();
    call.key(LOG_KEY)
        .key(EPOCH_KEY)
        .key(SCENARIO_KEY)
        .key(super::windows::WINDOWS_KEY)
        .key(super::ledger::LEDGERS_KEY)
        .key(super::ledger::BYTES_KEY)
        .key(super::ledger::TRUNCATED_KEY)
        .key(super::journal::JOURNAL_KEY)
        .key(super::journal::HELD_KEY)
        .key(super::journal::CLEARED_KEY)
        .arg(payload)
        .arg(kind.name())
        .arg(super::random_u64().to_string())
        .arg(yaml)
        .arg(what);
    for arg in clear {
        call.arg(arg);
    }
    call.invoke(conn)
}

/// The epoch (made now, as `fresh`, when Redis has none).
pub fn epoch(conn: &mut redis::Connection, fresh: u64) -> redis::RedisResult<String> {
    redis::cmd("SET")
        .arg(EPOCH_KEY)
        .arg(fresh.to_string())
        .arg("NX")
        .exec(conn)?;
    redis::cmd("GET").arg(EPOCH_KEY).query(conn)
}

/// The YAML of the last `PUT /scenario`, if any.
pub fn scenario(conn: &mut redis::Connection) -> redis::RedisResult<Option<String>> {
    redis::cmd("GET").arg(SCENARIO_KEY).query(conn)
}

/// Up to `count` entries after `after` (`0-0`: from the start), oldest first.
pub fn range(
    conn: &mut redis::Connection,
    after: &str,
    count: usize,
) -> redis::RedisResult<Vec<(String, Option<Envelope>)>> {
    let reply: StreamRangeReply = redis::cmd("XRANGE")
        .arg(LOG_KEY)
        .arg(format!("({after}"))
        .arg("+")
        .arg("COUNT")
        .arg(count)
        .query(conn)?;
    Ok(reply.ids.into_iter().map(decode).collect())
}

/// Entries after `after`, waiting up to `block_ms` for one.
pub fn read(
    conn: &mut redis::Connection,
    after: &str,
    block_ms: u64,
    count: usize,
) -> redis::RedisResult<Vec<(String, Option<Envelope>)>> {
    let reply: Option<StreamReadReply> = redis::cmd("XREAD")
        .arg("COUNT")
        .arg(count)
        .arg("BLOCK")
        .arg(block_ms)
        .arg("STREAMS")
        .arg(LOG_KEY)
        .arg(after)
        .query(conn)?;
    Ok(reply
        .into_iter()
        .flat_map(|r| r.keys)
        .flat_map(|k| k.ids)
        .map(decode)
        .collect())
}

/// An entry's id and envelope (`None` when it is not one this version reads).
fn decode(entry: StreamId) -> (String, Option<Envelope>) {
    let envelope = entry
        .map
        .get("e")
        .and_then(|v| redis::from_redis_value_ref::<String>(v).ok())
        .and_then(|text| serde_json::from_str(&text).ok());
    (entry.id, envelope)
}

/// Applies one write to `app` (as if it had arrived there, without journal or rate limits);
/// its answer.
pub fn apply<R: Replica>(app: &R, envelope: &Envelope) -> Reply {
    let Ok(method) = Method::from_bytes(envelope.method.as_bytes()) else {
        return error_json(
            StatusCode::BAD_REQUEST,
            format!("change log: bad method `{}`", envelope.method),
        );
    };
    let mut headers = HeaderMap::new();
    for (name, value) in &envelope.headers {
        if let (Ok(n), Ok(v)) = (
            hyper::header::HeaderName::from_bytes(name.as_bytes()),
            hyper::header::HeaderValue::from_str(value),
        ) {
            headers.append(n, v);
        }
    }
    let body = Bytes::from(envelope.body.clone());
    if envelope.kind == Kind::Vendor {
        return app.world().apply_vendor_write(
            envelope.port,
            &method,
            &envelope.uri,
            &headers,
            body,
        );
    }
    let mut req = Request::new(body);
    *req.method_mut() = method;
    match envelope.uri.parse() {
        Ok(uri) => *req.uri_mut() = uri,
        Err(_) => {
            return error_json(
                StatusCode::BAD_REQUEST,
                format!("change log: bad path `{}`", envelope.uri),
            );
        }
    }
    *req.headers_mut() = headers;
    app.apply_admin_write(req)
}
