//! `GET /v2/events`: CC v2's `q` filters, page/`results-per-page` paging and the list envelope.

use eventmock_fake::time::{Micros, parse_rfc3339};
use eventmock_model::cf::{Event, EventList};
use hyper::StatusCode;

use super::{CT, CloudFoundry};
use crate::errors::ErrorName;
use crate::header_name;
use crate::listing::{Order, SCAN_CAP, page};
use crate::request::Req;
use crate::response::{Reply, json, set_header};

/// Default `results-per-page`.
pub const DEFAULT_PER_PAGE: u64 = 50;
/// Largest `results-per-page`.
pub const MAX_PER_PAGE: u64 = 100;

/// The fields `q` may filter on.
const FIELDS: &[&str] = &[
    "timestamp",
    "type",
    "actee",
    "space_guid",
    "organization_guid",
];
/// Operators, in the order of CC's split regex `(:|>=|<=|<|>| IN )`.
const OPS: &[&str] = &[":", ">=", "<=", "<", ">", " IN "];

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
struct Cond {
    field: &'static str,
    op: Op,
    values: Vec<String>,
    times: Vec<Micros>,
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

/// Parses every `q` (segments separated by `;`, `;;` standing for a literal `;`); on failure
/// the key to name in `BadQueryParameter`.
fn parse_q(req: &Req) -> Result<Vec<Cond>, String> {
    let mut conds = Vec::new();
    for q in req.params("q") {
        let escaped = q.replace(";;", "\u{0}");
        for segment in escaped.split(';') {
            let segment = segment.replace('\u{0}', ";");
            let Some((key, op, value)) = split_op(&segment) else {
                return Err(segment);
            };
            let Some(field) = FIELDS.iter().copied().find(|f| *f == key) else {
                return Err(key.to_owned());
            };
            let values: Vec<String> = if op == Op::In {
                value.split(',').map(str::to_owned).collect()
            } else {
                vec![value.to_owned()]
            };
            let values: Vec<String> = values.into_iter().filter(|v| !v.is_empty()).collect();
            let times = if field == "timestamp" {
                values
                    .iter()
                    .map(|v| parse_rfc3339(v).map_err(|_| field.to_owned()))
                    .collect::<Result<_, _>>()?
            } else {
                Vec::new()
            };
            conds.push(Cond {
                field,
                op,
                values,
                times,
            });
        }
    }
    Ok(conds)
}

fn field_of<'e>(e: &'e Event, field: &str) -> &'e str {
    match field {
        "timestamp" => &e.entity.timestamp,
        "type" => e.entity.r#type.as_str(),
        "actee" => &e.entity.actee,
        "space_guid" => &e.entity.space_guid,
        _ => &e.entity.organization_guid,
    }
}

fn compare<T: Ord>(op: Op, have: &T, want: &[T]) -> bool {
    match op {
        Op::Eq | Op::In => want.iter().any(|w| have == w),
        Op::Ge => want.iter().any(|w| have >= w),
        Op::Le => want.iter().any(|w| have <= w),
        Op::Lt => want.iter().any(|w| have < w),
        Op::Gt => want.iter().any(|w| have > w),
    }
}

fn matches(conds: &[Cond], e: &Event) -> bool {
    conds.iter().all(|c| {
        if c.field == "timestamp" {
            match parse_rfc3339(&e.entity.timestamp) {
                Ok(t) => compare(c.op, &t, &c.times),
                Err(_) => false,
            }
        } else {
            compare(
                c.op,
                &field_of(e, c.field),
                &c.values.iter().map(String::as_str).collect::<Vec<_>>(),
            )
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

/// A page URL: keys sorted as Addressable does (`order-direction`, `page`, `q`,
/// `results-per-page`).
fn page_url(direction: &str, page_no: u64, qs: &[&str], per_page: u64) -> String {
    let mut url = format!("/v2/events?order-direction={direction}&page={page_no}");
    for q in qs {
        url.push_str("&q=");
        url.push_str(&cc_encode(q));
    }
    url.push_str(&format!("&results-per-page={per_page}"));
    url
}

fn int_param(req: &Req, key: &'static str, default: u64, max: u64) -> Result<u64, &'static str> {
    match req.param(key) {
        None => Ok(default),
        Some(v) => match v.trim().parse::<u64>() {
            Ok(n) if (1..=max).contains(&n) => Ok(n),
            _ => Err(key),
        },
    }
}

/// Answers `GET /v2/events`.
pub(super) fn list(api: &CloudFoundry, req: &Req) -> Reply {
    let bad = |key: &str| api.err(ErrorName::BadQuery, "", key);
    let page_no = match int_param(req, "page", 1, u64::MAX) {
        Ok(n) => n,
        Err(k) => return bad(k),
    };
    let per_page = match int_param(req, "results-per-page", DEFAULT_PER_PAGE, MAX_PER_PAGE) {
        Ok(n) => n,
        Err(k) => return bad(k),
    };
    let (order, direction) = match req.param("order-direction") {
        None | Some("asc") => (Order::Ascending, "asc"),
        Some("desc") => (Order::Descending, "desc"),
        Some(_) => return bad("order-direction"),
    };
    if !matches!(req.param("order-by"), None | Some("timestamp" | "id")) {
        return bad("order-by");
    }
    let conds = match parse_q(req) {
        Ok(c) => c,
        Err(key) => return bad(&key),
    };
    let filter = |e: &Event| matches(&conds, e);
    let f: &dyn Fn(&Event) -> bool = &filter;
    let offset = (page_no - 1).saturating_mul(per_page);
    let result = page(
        api.store(),
        order,
        offset,
        per_page,
        (!conds.is_empty()).then_some(f),
    );
    let total_pages = result.total.div_ceil(per_page);
    let qs: Vec<&str> = req.params("q").collect();
    let body = EventList {
        total_results: result.total,
        total_pages,
        prev_url: (page_no > 1).then(|| page_url(direction, page_no - 1, &qs, per_page)),
        next_url: (page_no < total_pages).then(|| page_url(direction, page_no + 1, &qs, per_page)),
        resources: result.items.iter().map(|e| Event::clone(e)).collect(),
    };
    let mut res = json(StatusCode::OK, CT, &body, true);
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
