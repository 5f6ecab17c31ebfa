//! Bulk adds as NDJSON (`Content-Type: application/x-ndjson` on
//! `POST /__eventmock/vendors/{vendor}/events`): one event per line, applied in batches of
//! [`NDJSON_BATCH`] lines (each line into an event by [`crate::add_lines`]: a complete event is
//! parsed once, the next batches while one is placed). Each batch is all-or-nothing; the first bad line or a full overlay stops the
//! request there, and the batches before it stay added (the answer lists their ids).

use serde_json::{Value, json};

use crate::events::AddError;
use crate::listing::heavy;
use crate::overlay::FULL_STATUS;
use crate::response::{Reply, reply};
use crate::vendors::VendorApi;
use hyper::StatusCode;

/// Lines applied together (all-or-nothing) by an NDJSON add.
pub const NDJSON_BATCH: usize = 1000;

/// Whether a request body is NDJSON by its `Content-Type`.
pub fn is_ndjson(headers: &hyper::HeaderMap) -> bool {
    headers
        .get(hyper::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/x-ndjson"))
}

fn json_reply(status: StatusCode, value: &Value) -> Reply {
    reply(
        status,
        "application/json",
        serde_json::to_vec(value).unwrap_or_default(),
    )
}

/// The answer to a request stopped at `line` (1-based) after `ids` were added.
fn stopped(line: usize, error: &AddError, ids: &[String]) -> Reply {
    let mut body = json!({
        "error": format!("line {line}: {error}"),
        "line": line,
        "accepted": ids.len(),
        "ids": ids,
    });
    let status = match error {
        AddError::Full(full) => {
            body["max_added"] = json!(full.max_added);
            body["added"] = json!(full.held);
            FULL_STATUS
        }
        AddError::Invalid { path, .. } => {
            body["field"] = json!(path);
            StatusCode::BAD_REQUEST
        }
        AddError::Exists { field, .. } => {
            body["field"] = json!(field);
            StatusCode::CONFLICT
        }
        AddError::BadId { field, .. } => {
            body["field"] = json!(field);
            StatusCode::BAD_REQUEST
        }
    };
    json_reply(status, &body)
}

/// Adds the NDJSON `body`'s events to `api` (see the module doc): 201 `{"ids":[…]}`, or the
/// error of the first bad line or full batch with the ids added before it.
pub fn add_ndjson(api: &dyn VendorApi, partial: bool, body: &[u8]) -> Reply {
    heavy(|| {
        let mut lines = Vec::new();
        let mut numbers = Vec::new();
        for (n, raw) in lines_of(body).enumerate() {
            let line = raw.trim_ascii();
            if !line.is_empty() {
                numbers.push(n + 1);
                lines.push(line);
            }
        }
        match api.add_lines(&lines, NDJSON_BATCH, partial) {
            (ids, None) => json_reply(StatusCode::CREATED, &json!({ "ids": ids })),
            (ids, Some((n, error))) => stopped(numbers.get(n).copied().unwrap_or(0), &error, &ids),
        }
    })
}

/// The lines of `body` split at each `\n` (the last one may be empty), found with `memchr`
/// (a byte-by-byte split costs several instructions per byte of a multi-megabyte body).
fn lines_of(body: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut from = 0;
    let ends = memchr::memchr_iter(b'\n', body).chain(std::iter::once(body.len()));
    ends.map(move |end| {
        let line = &body[from..end];
        from = end + 1;
        line
    })
}

#[cfg(test)]
mod tests {
    use super::lines_of;

    /// The lines are those of `split(b'\n')`, empty ones and a last one without `\n` included.
    #[test]
    fn lines_are_split_as_split_does() {
        for body in [
            &b""[..],
            b"\n",
            b"a",
            b"a\n",
            b"a\nb",
            b"\n\na\n\nbc\n",
            b"{}\r\n{}",
        ] {
            let ours: Vec<&[u8]> = lines_of(body).collect();
            let split: Vec<&[u8]> = body.split(|b| *b == b'\n').collect();
            assert_eq!(ours, split, "{body:?}");
        }
    }
}
