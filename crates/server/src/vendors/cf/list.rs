//! `GET /v2/events`: CC v2's `q` filters (`lib/vcap/rest_api/query.rb`), page /
//! `results-per-page` paging (`paginated_collection_renderer.rb`, Sequel's `pagination`) and the
//! list envelope.
//!
//! Checks, in CC's order (after authentication): an `order-by` other than `timestamp`/`id`
//! → `500 CF-OrderByParameterInvalid 10012` (`model_controller.rb#enumerate`; the events
//! controller orders by `timestamp, id` whatever is asked); `q` (a key CC does not query →
//! `400 BadQueryParameter` naming it; a timestamp `Time.parse` rejects → `500 UnknownError`);
//! `results-per-page` over 100 → `400 … results_per_page must be <= 100`; `order-direction`
//! other than `asc`/`desc` → `400 … order_direction must be 'asc' or 'desc' but was '…'`;
//! `page` or `results-per-page` below 1 → `500 UnknownError` (Sequel's pagination raises).
//! A repeated key counts by its last value (Rack), except `q`.
//!
//! `q` segments: `;` separates them (`;;` is a literal `;`), Ruby's `split(';')` drops empty
//! trailing ones, so `q=` and `q=type:x;` add no condition. A segment without an operator
//! (`q=type`) is the condition `type IS NULL`: nothing matches. Timestamps compare to the
//! second as CC does: `<` and `>=` against the value, `<=` and `>` against value + 0.99999 s,
//! `:` and `IN` as `BETWEEN value AND value + 0.99999 s`; a time given alone (`16:41:23`)
//! means that time on the day of the world clock's `now` (a frozen clock's start unless the
//! scenario sets `clock:`; never the wall clock unless the clock is `live`).

use eventmock_fake::time::{Micros, parse_rfc3339};
use eventmock_model::cf::{Event, EventList};
use hyper::StatusCode;

use super::{CT, CloudFoundry};
use crate::errors::{ErrorName, Holes};
use crate::header_name;
use crate::listing::{Order, SCAN_CAP, page};
use crate::request::Req;
use crate::response::{Reply, json, set_header};
use crate::vendors::dialects::cloud_controller::{
    ORDER_BY_INVALID, UNKNOWN_ERROR, page_count, parse_time, ruby_integer, styled,
};

/// Default `results-per-page`.
pub const DEFAULT_PER_PAGE: u64 = 50;
/// Largest `results-per-page`.
pub const MAX_PER_PAGE: u64 = 100;

/// The fields `q` may filter on (`query_parameters` of the events controller).
const FIELDS: &[&str] = &[
    "timestamp",
    "type",
    "actee",
    "space_guid",
    "organization_guid",
];
/// Operators, in the order of CC's split regex `(:|>=|<=|<|>| IN )`.
const OPS: &[&str] = &[":", ">=", "<=", "<", ">", " IN "];
/// CC widens a whole-second timestamp bound by 0.99999 s.
const WIDEN: Micros = 999_990;

/// A comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Eq,
    Ge,
    Le,
    Lt,
    Gt,
    In,
}

/// One parsed `q` segment.
#[derive(Debug)]
enum Cond {
    /// `field IS NULL`: no event matches.
    Null,
    /// A text column compared to values.
    Text {
        field: &'static str,
        op: Op,
        values: Vec<String>,
    },
    /// `timestamp` within one of these closed ranges (microseconds).
    Time(Vec<(Micros, Micros)>),
}

/// Why `q` was refused.
enum QueryError {
    /// `400 BadQueryParameter` naming this key.
    Key(String),
    /// `500 UnknownError` (an exception CC does not translate).
    Unknown,
}

/// Splits a segment at the leftmost operator (ties go to the earlier operator in [`OPS`]).
fn split_op(segment: &str) -> Option<(&str, Op, &str)> {
    for (pos, _) in segment.char_indices() {
        let rest = &segment[pos..];
        for (n, op) in OPS.iter().enumerate() {
            if let Some(value) = rest.strip_prefix(op) {
                let op_kind = [Op::Eq, Op::Ge, Op::Le, Op::Lt, Op::Gt, Op::In][n];
                return Some((&segment[..pos], op_kind, value));
            }
        }
    }
    None
}

/// The time ranges one timestamp condition accepts.
fn time_cond(op: Op, values: &[&str], now: Micros) -> Result<Cond, QueryError> {
    let times = values
        .iter()
        .filter(|v| !v.is_empty())
        .map(|v| parse_time(v, now).ok_or(QueryError::Unknown))
        .collect::<Result<Vec<_>, _>>()?;
    let Some(&first) = times.first() else {
        return Ok(Cond::Null);
    };
    Ok(Cond::Time(match op {
        Op::Lt => vec![(Micros::MIN, first - 1)],
        Op::Ge => vec![(first, Micros::MAX)],
        Op::Le => vec![(Micros::MIN, first + WIDEN)],
        Op::Gt => vec![(first + WIDEN + 1, Micros::MAX)],
        Op::Eq => vec![(first, first + WIDEN)],
        Op::In => times.iter().map(|t| (*t, *t + WIDEN)).collect(),
    }))
}

/// Parses every `q` (CC's `Query#parse` and `#query_filter`).
fn parse_q(req: &Req, now: Micros) -> Result<Vec<Cond>, QueryError> {
    let mut conds = Vec::new();
    for q in req.params("q") {
        let escaped = q.replace(";;", "\u{0}");
        let mut segments: Vec<&str> = escaped.split(';').collect();
        // Ruby's String#split drops trailing empty fields.
        while segments.last().is_some_and(|s| s.is_empty()) {
            segments.pop();
        }
        for segment in segments {
            let segment = segment.replace('\u{0}', ";");
            let (key, op, value) = match split_op(&segment) {
                Some((key, op, value)) => (key, Some(op), value),
                None => (segment.as_str(), None, ""),
            };
            let Some(field) = FIELDS.iter().copied().find(|f| *f == key) else {
                return Err(QueryError::Key(key.to_owned()));
            };
            let Some(op) = op else {
                // No operator: the value is nil. A text column becomes `IS NULL`; for the
                // timestamp CC calls `nil.empty?` and fails.
                if field == "timestamp" {
                    return Err(QueryError::Unknown);
                }
                conds.push(Cond::Null);
                continue;
            };
            let values: Vec<&str> = if op == Op::In {
                value.split(',').collect()
            } else {
                vec![value]
            };
            conds.push(if field == "timestamp" {
                time_cond(op, &values, now)?
            } else {
                Cond::Text {
                    field,
                    op,
                    values: values.into_iter().map(str::to_owned).collect(),
                }
            });
        }
    }
    Ok(conds)
}

fn field_of<'e>(e: &'e Event, field: &str) -> &'e str {
    match field {
        "type" => e.entity.r#type.as_str(),
        "actee" => &e.entity.actee,
        "space_guid" => &e.entity.space_guid,
        _ => &e.entity.organization_guid,
    }
}

fn matches(conds: &[Cond], e: &Event) -> bool {
    conds.iter().all(|c| match c {
        Cond::Null => false,
        Cond::Time(ranges) => parse_rfc3339(&e.entity.timestamp)
            .is_ok_and(|t| ranges.iter().any(|(lo, hi)| (*lo..=*hi).contains(&t))),
        Cond::Text { field, op, values } => {
            let have = field_of(e, field);
            // SQL compares against the first value (`col > ('a')`), IN against all.
            let first = values.first().map_or("", String::as_str);
            match op {
                Op::Eq | Op::In => values.iter().any(|w| have == w),
                Op::Ge => have >= first,
                Op::Le => have <= first,
                Op::Lt => have < first,
                Op::Gt => have > first,
            }
        }
    })
}

/// Percent-encodes a query value the way CC's `next_url` shows it (Addressable's encode, then
/// normalize: these characters stay literal, everything else is `%XX`).
pub fn cc_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~!$'()*,=:@/?".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A page URL: Addressable sorts the keys (`order-by`, `order-direction`, `page`, `q`,
/// `results-per-page`); `order-by` is the controller's forced `[timestamp, id]`.
fn page_url(direction: &str, page_no: u64, qs: &[&str], per_page: u64) -> String {
    let mut url = format!(
        "/v2/events?order-by=timestamp&order-by=id&order-direction={}&page={page_no}",
        cc_encode(direction)
    );
    for q in qs {
        url.push_str("&q=");
        url.push_str(&cc_encode(q));
    }
    url.push_str(&format!("&results-per-page={per_page}"));
    url
}

/// The last value of `key` (Rack keeps the last of a repeated key).
fn last<'r>(req: &'r Req, key: &'r str) -> Option<&'r str> {
    req.params(key).last()
}

/// A `CommonParams` integer (already checked by the caller to parse).
fn int_param(req: &Req, key: &str, default: i64) -> i64 {
    last(req, key).and_then(ruby_integer).unwrap_or(default)
}

/// Answers `GET /v2/events`.
pub(super) fn list(api: &CloudFoundry, req: &Req) -> Reply {
    let release = api.release();
    let unknown = || styled(UNKNOWN_ERROR, release).render(Holes::default());
    if let Some(by) = last(req, "order-by").filter(|v| !matches!(*v, "timestamp" | "id")) {
        return styled(ORDER_BY_INVALID, release).render(Holes {
            param: by,
            ..Holes::default()
        });
    }
    let now = api.now();
    let conds = match parse_q(req, now) {
        Ok(c) => c,
        Err(QueryError::Key(key)) => return api.err(ErrorName::BadQuery, "", &key),
        Err(QueryError::Unknown) => return unknown(),
    };
    let per_page = int_param(req, "results-per-page", DEFAULT_PER_PAGE as i64);
    if per_page > MAX_PER_PAGE as i64 {
        let message = format!("results_per_page must be <= {MAX_PER_PAGE}");
        return api.err(ErrorName::BadQuery, "", &message);
    }
    let direction = last(req, "order-direction").unwrap_or("asc");
    let order = match direction {
        "asc" => Order::Ascending,
        "desc" => Order::Descending,
        other => {
            let message = format!("order_direction must be 'asc' or 'desc' but was '{other}'");
            return api.err(ErrorName::BadQuery, "", &message);
        }
    };
    let page_no = int_param(req, "page", 1);
    if page_no < 1 || per_page < 1 {
        return unknown();
    }
    let (page_no, per_page) = (page_no as u64, per_page as u64);
    let filter = |e: &Event| matches(&conds, e);
    let f: &dyn Fn(&Event) -> bool = &filter;
    let offset = (page_no - 1).saturating_mul(per_page);
    let result = page(
        &api.store,
        order,
        offset,
        per_page,
        (!conds.is_empty()).then_some(f),
    );
    let total_pages = page_count(result.total, per_page);
    let qs: Vec<&str> = req.params("q").collect();
    let body = EventList {
        total_results: result.total,
        total_pages,
        prev_url: (page_no > 1).then(|| page_url(direction, page_no - 1, &qs, per_page)),
        next_url: (page_no < total_pages).then(|| page_url(direction, page_no + 1, &qs, per_page)),
        resources: result.items.iter().map(|e| Event::clone(e)).collect(),
    };
    let mut res = json(StatusCode::OK, CT, &body, release.pretty());
    if result.truncated {
        set_header(
            &mut res,
            header_name!("x-eventmock-scan-truncated"),
            &SCAN_CAP.to_string(),
        );
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_at_leftmost_operator() {
        assert_eq!(
            split_op("timestamp>=2016-06-08T16:41:23Z"),
            Some(("timestamp", Op::Ge, "2016-06-08T16:41:23Z"))
        );
        assert_eq!(split_op("type IN a,b"), Some(("type", Op::In, "a,b")));
        assert_eq!(split_op("type:x:y"), Some(("type", Op::Eq, "x:y")));
        assert_eq!(split_op("type"), None);
    }

    #[test]
    fn encodes_like_cc() {
        assert_eq!(
            cc_encode("timestamp>=2016-06-08T16:41:23+00:00;type IN a,b"),
            "timestamp%3E=2016-06-08T16:41:23%2B00:00%3Btype%20IN%20a,b"
        );
    }
}
