//! Test helpers shared by the vendor modules.
#![allow(clippy::expect_used)] // Panicking on a bad fixture is the point.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Parses `json` into `T`, re-serializes it and asserts the JSON value is unchanged.
/// Returns the typed value for further checks.
pub(crate) fn round_trip<T: Serialize + DeserializeOwned>(json: &str) -> T {
    let original: Value = serde_json::from_str(json).expect("example is valid JSON");
    let typed: T = serde_json::from_str(json).expect("example parses into the model");
    let again = serde_json::to_value(&typed).expect("model serializes");
    assert_eq!(original, again, "round trip changed the JSON");
    // Key order matters for the byte output of the mock: compare the serialized text too.
    assert_eq!(
        serde_json::to_string(&original).expect("serializes"),
        serde_json::to_string(&again).expect("serializes"),
        "round trip changed the key order"
    );
    typed
}
