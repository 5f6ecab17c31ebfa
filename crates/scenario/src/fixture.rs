//! Fixture events: a partial JSON object laid over a generated event, then checked against the
//! vendor's model. Shared by scenario validation (errors with line and column) and the server
//! (which adds the result to the vendor's overlay).

use eventmock_fake::{AnyDataset, DatasetConfig};
use eventmock_model::{Vendor, authentik, cf, halo, instavm, probely};
use serde_json::Value;

/// Merges `patch` into `base`: objects recursively, anything else replaced.
pub fn merge(base: &mut Value, patch: Value) {
    match (base, patch) {
        (Value::Object(b), Value::Object(p)) => {
            for (k, v) in p {
                match b.get_mut(&k) {
                    Some(slot) => merge(slot, v),
                    None => {
                        b.insert(k, v);
                    }
                }
            }
        }
        (slot, v) => *slot = v,
    }
}

/// A field of an event that does not fit the vendor's model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// Dotted path of the field (`entity.type`; `.` for the event itself).
    pub path: String,
    /// What is wrong with it.
    pub message: String,
}

/// Deserializes `value` as `T`, naming the failing field.
pub fn from_json<T: serde::de::DeserializeOwned>(value: Value) -> Result<T, FieldError> {
    serde_path_to_error::deserialize(value).map_err(|e| FieldError {
        path: e.path().to_string(),
        message: e.inner().to_string(),
    })
}

/// Checks that `value` is a complete, valid event of `vendor`.
pub fn check_event(vendor: Vendor, value: Value) -> Result<(), FieldError> {
    match vendor {
        Vendor::Probely => from_json::<probely::Event>(value).map(drop),
        Vendor::Authentik => from_json::<authentik::Event>(value).map(drop),
        Vendor::Halo => from_json::<halo::Event>(value).map(drop),
        Vendor::Instavm => from_json::<instavm::AuditEvent>(value).map(drop),
        Vendor::CloudFoundry => from_json::<cf::Event>(value).map(drop),
    }
}

/// How many generated events are searched for the best base of a fixture.
pub const BASE_SEARCH: u64 = 2000;

/// Leaf values of `patch` with their paths (objects flattened; arrays and scalars are leaves).
fn leaves<'a>(prefix: Vec<&'a str>, v: &'a Value, out: &mut Vec<(Vec<&'a str>, &'a Value)>) {
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                let mut p = prefix.clone();
                p.push(k);
                leaves(p, v, out);
            }
        }
        _ => out.push((prefix, v)),
    }
}

/// The generated event a fixture is laid over: the fixture id's own event when the id is a
/// generated one; otherwise, among the first [`BASE_SEARCH`] events, the one that already agrees
/// with most of the fixture's values (so a Probely `finding_detected` fixture gets a generated
/// finding as its `content`, an authentik `login` a login's context). `event(i)` builds event `i`.
pub fn base_index(
    own_index: Option<u64>,
    len: u64,
    patch: &serde_json::Map<String, Value>,
    event: &dyn Fn(u64) -> Option<Value>,
) -> u64 {
    if let Some(i) = own_index {
        return i;
    }
    let patch = Value::Object(patch.clone());
    let mut wanted = Vec::new();
    leaves(Vec::new(), &patch, &mut wanted);
    let mut best = (0usize, 0u64);
    for i in 0..len.min(BASE_SEARCH) {
        let Some(candidate) = event(i) else { continue };
        let score = wanted
            .iter()
            .filter(|(path, want)| {
                let mut v = Some(&candidate);
                for key in path {
                    v = v.and_then(|v| v.get(*key));
                }
                v == Some(*want)
            })
            .count();
        if score > best.0 {
            best = (score, i);
            if score == wanted.len() {
                break;
            }
        }
    }
    best.1
}

/// Checks a fixture: `patch` over the generated event it is based on (see [`base_index`])
/// must be a valid event of the vendor.
pub fn check_fixture(
    vendor: Vendor,
    config: DatasetConfig,
    id: &str,
    patch: &serde_json::Map<String, Value>,
) -> Result<(), FieldError> {
    let dataset = AnyDataset::new(vendor, config).map_err(|e| FieldError {
        path: ".".into(),
        message: e.to_string(),
    })?;
    let index = base_index(dataset.index(id).ok(), dataset.len(), patch, &|i| {
        dataset.event_value(i).ok()
    });
    let mut base = dataset.event_value(index).map_err(|e| FieldError {
        path: ".".into(),
        message: e.to_string(),
    })?;
    merge(&mut base, Value::Object(patch.clone()));
    check_event(vendor, base)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn merge_is_deep() {
        let mut base = json!({"a": {"b": 1, "c": 2}, "d": [1]});
        merge(&mut base, json!({"a": {"b": 9}, "d": [2, 3], "e": null}));
        assert_eq!(base, json!({"a": {"b": 9, "c": 2}, "d": [2, 3], "e": null}));
    }

    #[test]
    fn fixture_errors_name_the_field() {
        let config = DatasetConfig {
            len: 10,
            ..DatasetConfig::default()
        };
        let ok = json!({"action": "login"});
        let bad = json!({"action": "no_such_action"});
        let id = "3fa85f64-5717-4562-b3fc-2c963f66afa6";
        assert!(check_fixture(Vendor::Authentik, config, id, ok.as_object().unwrap()).is_ok());
        let err =
            check_fixture(Vendor::Authentik, config, id, bad.as_object().unwrap()).unwrap_err();
        assert_eq!(err.path, "action");
        assert!(
            err.message.contains("unknown variant `no_such_action`"),
            "{}",
            err.message
        );
        let wrong_type = json!({"entity": {"timestamp": 5}});
        let err = check_fixture(
            Vendor::CloudFoundry,
            config,
            id,
            wrong_type.as_object().unwrap(),
        )
        .unwrap_err();
        assert_eq!(err.path, "entity.timestamp");
    }
}
