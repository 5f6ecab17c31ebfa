//! `GET /__eventmock/clock` and `POST /__eventmock/clock`: read and move the world's clock.
//!
//! The answer is `{"mode","now","start","arrivals":{vendor: rate}}` (times RFC 3339 with
//! microseconds, rates in the span grammar such as `5/s`). A move is `{"advance":"90s"}` or
//! `{"now":"<RFC 3339>"}`; a bad body, a move backwards or any move of a clock that is not
//! manual is a 400 whose `error` says why, and changes nothing.

use eventmock_fake::Span;
use eventmock_fake::time::{parse_rfc3339, rfc3339_micros};
use hyper::StatusCode;
use serde_json::{Map, Value, json};

use crate::response::Reply;
use crate::world::World;

use super::routes::{error, json_reply};

/// The clock as JSON.
pub(super) fn describe(world: &World) -> Value {
    let clock = &world.time.clock;
    let arrivals: Map<String, Value> = world
        .time
        .arrivals
        .iter()
        .map(|(vendor, rate)| (vendor.name().to_owned(), json!(rate.to_string())))
        .collect();
    json!({
        "mode": clock.mode().name(),
        "now": rfc3339_micros(clock.now()),
        "start": rfc3339_micros(clock.start()),
        "arrivals": arrivals,
    })
}

/// `GET /clock`.
pub(super) fn get(world: &World) -> Reply {
    json_reply(StatusCode::OK, &describe(world))
}

/// What a `POST /clock` body asks for.
enum Move {
    Advance(Span),
    To(i64),
}

fn parse_move(body: &Value) -> Result<Move, String> {
    let Some(fields) = body.as_object() else {
        return Err(r#"expected a JSON object: {"advance":"90s"} or {"now":"<RFC 3339>"}"#.into());
    };
    if let Some(key) = fields.keys().find(|k| *k != "advance" && *k != "now") {
        return Err(format!(
            "unknown field `{key}`: expected exactly one of `advance` or `now`"
        ));
    }
    match (fields.get("advance"), fields.get("now")) {
        (Some(Value::String(span)), None) => span
            .parse::<Span>()
            .map(Move::Advance)
            .map_err(|e| format!("advance: {e}")),
        (Some(other), None) => Err(format!(
            "advance: expected a duration string such as \"90s\", found {other}"
        )),
        (None, Some(Value::String(t))) => parse_rfc3339(t)
            .map(Move::To)
            .map_err(|e| format!("now: {e}")),
        (None, Some(other)) => Err(format!(
            "now: expected an RFC 3339 string such as \"2026-01-01T00:01:30Z\", found {other}"
        )),
        (Some(_), Some(_)) => Err("give exactly one of `advance` or `now`, not both".into()),
        (None, None) => Err(r#"expected {"advance":"90s"} or {"now":"<RFC 3339>"}"#.into()),
    }
}

/// `POST /clock`.
pub(super) fn post(world: &World, body: &[u8]) -> Reply {
    let value = match super::routes::parse_json(body) {
        Ok(v) => v,
        Err(res) => return res,
    };
    let moved = match parse_move(&value) {
        Ok(Move::Advance(by)) => world.time.clock.advance(by),
        Ok(Move::To(t)) => world.time.clock.set(t),
        Err(message) => return error(StatusCode::BAD_REQUEST, message),
    };
    match moved {
        Ok(_) => get(world),
        Err(e) => error(StatusCode::BAD_REQUEST, e.to_string()),
    }
}
