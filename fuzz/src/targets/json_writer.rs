//! `eventmock_model::json`, the compact writer every answer and `eventmock generate` use,
//! against serde_json: the same bytes for any value, at any position of the output buffer.
//!
//! Values come from the input two ways: when it is JSON, that value, and every vendor event
//! model that accepts it (typed models take the writer's fast path); otherwise a value built
//! from the bytes (any string, any number, nesting), so the fuzzer reaches strings and numbers
//! that JSON text makes it spell out.

use eventmock_model::json::write_compact;
use eventmock_model::{authentik, cf, halo, instavm, probely};
use serde::Serialize;
use serde_json::{Map, Number, Value};

use crate::input::Input;

/// Deepest nesting built from bytes.
const MAX_DEPTH: u32 = 6;

/// Checks one value: the writer's bytes equal serde_json's, after a non-empty prefix too.
fn same_bytes<T: Serialize + ?Sized>(what: &str, value: &T) {
    let expected = serde_json::to_vec(value);
    let mut out = b"prefix".to_vec();
    let written = write_compact(&mut out, value);
    match (expected, written) {
        (Ok(expected), Ok(())) => assert!(
            out[6..] == expected[..] && out.starts_with(b"prefix"),
            "{what}: writer {:?} != serde_json {:?}",
            String::from_utf8_lossy(&out),
            String::from_utf8_lossy(&expected)
        ),
        (Err(_), Err(_)) => {}
        (expected, written) => panic!(
            "{what}: serde_json {:?}, writer {:?}",
            expected.map(|_| ()),
            written
        ),
    }
}

/// A value built from bytes.
fn value(input: &mut Input, depth: u32) -> Value {
    let tag = input.byte();
    match if depth >= MAX_DEPTH { tag % 6 } else { tag % 8 } {
        0 => Value::Null,
        1 => Value::Bool(tag & 0x80 != 0),
        2 => Value::from(input.u64() as i64),
        3 => Value::from(input.u64()),
        4 => Number::from_f64(f64::from_bits(input.u64())).map_or(Value::Null, Value::Number),
        5 => Value::String(input.string(64)),
        6 => {
            let n = usize::from(input.byte() % 6);
            Value::Array((0..n).map(|_| value(input, depth + 1)).collect())
        }
        _ => {
            let n = usize::from(input.byte() % 6);
            let mut map = Map::new();
            for _ in 0..n {
                let key = input.string(24);
                map.insert(key, value(input, depth + 1));
            }
            Value::Object(map)
        }
    }
}

/// Runs one input.
pub fn run(data: &[u8]) {
    if let Ok(parsed) = serde_json::from_slice::<Value>(data) {
        same_bytes("value", &parsed);
        typed::<probely::Event>("probely event", &parsed);
        typed::<authentik::Event>("authentik event", &parsed);
        typed::<halo::Event>("halo event", &parsed);
        typed::<instavm::AuditEvent>("instavm event", &parsed);
        typed::<cf::Event>("cf event", &parsed);
        return;
    }
    let mut input = Input::new(data);
    while !input.is_empty() {
        same_bytes("built value", &value(&mut input, 0));
    }
}

/// Checks the typed model `T` when it accepts `value`.
fn typed<T: Serialize + serde::de::DeserializeOwned>(what: &str, value: &Value) {
    if let Ok(event) = serde_json::from_value::<T>(value.clone()) {
        same_bytes(what, &event);
    }
}
