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
    /// Dotted path of the field (`entity.type`, `user.groups[0]`; `.` for the event itself).
    pub path: String,
    /// What is wrong with it.
    pub message: String,
    /// Whether the model has no such field there (the key is to blame, not its value).
    pub unknown: bool,
}

impl FieldError {
    /// An error about the value at `path`.
    pub fn invalid(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            message: message.into(),
            unknown: false,
        }
    }
}

/// The dotted path of a key the model ignored (`entity.bogus_key`, `list[2].x`).
fn ignored_path(path: &serde_ignored::Path<'_>) -> String {
    use serde_ignored::Path;
    match path {
        Path::Root => String::new(),
        Path::Seq { parent, index } => format!("{}[{index}]", ignored_path(parent)),
        Path::Map { parent, key } => {
            let parent = ignored_path(parent);
            if parent.is_empty() {
                key.clone()
            } else {
                format!("{parent}.{key}")
            }
        }
        Path::Some { parent }
        | Path::NewtypeStruct { parent }
        | Path::NewtypeVariant { parent } => ignored_path(parent),
    }
}

/// Where else a key named `key` sits in `value` (dotted paths), for "did you mean" hints.
fn places_of(key: &str, value: &Value, prefix: &str, out: &mut Vec<String>) {
    if let Value::Object(map) = value {
        for (k, v) in map {
            let path = if prefix.is_empty() {
                k.clone()
            } else {
                format!("{prefix}.{k}")
            };
            if k == key {
                out.push(path.clone());
            }
            places_of(key, v, &path, out);
        }
    }
}

/// Deserializes `value` as `T`, naming the failing field. A key the model has no field for
/// (and that no open object such as authentik's `context` or CF's `entity.metadata` takes) is
/// an error too, with a hint when a field of that name exists elsewhere in the event. The
/// first problem is returned (see [`check_event`] for all of them).
pub fn from_json<T>(value: Value) -> Result<T, FieldError>
where
    T: serde::de::DeserializeOwned + serde::Serialize,
{
    let (typed, mut unknown) = deserialize_noting::<T>(value);
    let typed = typed?;
    if unknown.is_empty() {
        Ok(typed)
    } else {
        Err(unknown.swap_remove(0))
    }
}

/// Deserializes `value` as `T`, and every key the model ignored as an error.
fn deserialize_noting<T>(value: Value) -> (Result<T, FieldError>, Vec<FieldError>)
where
    T: serde::de::DeserializeOwned + serde::Serialize,
{
    let mut ignored = Vec::new();
    let mut note = |path: serde_ignored::Path<'_>| ignored.push(ignored_path(&path));
    let typed: Result<T, FieldError> =
        serde_path_to_error::deserialize(serde_ignored::Deserializer::new(value, &mut note))
            .map_err(|e| FieldError::invalid(e.path().to_string(), e.inner().to_string()));
    let written = typed
        .as_ref()
        .ok()
        .and_then(|t| serde_json::to_value(t).ok());
    let unknown = ignored
        .into_iter()
        .map(|path| {
            let key = path.rsplit('.').next().unwrap_or(&path).to_owned();
            let mut elsewhere = Vec::new();
            if let Some(v) = &written {
                places_of(&key, v, "", &mut elsewhere);
            }
            let hint = match elsewhere.as_slice() {
                [] => String::new(),
                places => format!(
                    " (a field `{key}` exists at {})",
                    places
                        .iter()
                        .map(|p| format!("`{p}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            FieldError {
                message: format!("unknown field `{key}`: the model has no such field here{hint}"),
                path,
                unknown: true,
            }
        })
        .collect();
    (typed, unknown)
}

/// Every problem of `value` as an event of `vendor`: the field that does not fit (one: decoding
/// stops there), or every key the model has no field for. Empty when it is a valid event.
pub fn check_event(vendor: Vendor, value: Value) -> Vec<FieldError> {
    fn all<T: serde::de::DeserializeOwned + serde::Serialize>(value: Value) -> Vec<FieldError> {
        match deserialize_noting::<T>(value) {
            (Err(e), _) => vec![e],
            (Ok(_), unknown) => unknown,
        }
    }
    match vendor {
        Vendor::Probely => all::<probely::Event>(value),
        Vendor::Authentik => all::<authentik::Event>(value),
        Vendor::Halo => all::<halo::Event>(value),
        Vendor::Instavm => all::<instavm::AuditEvent>(value),
        Vendor::CloudFoundry => all::<cf::Event>(value),
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
/// must be a valid event of the vendor. Returns every problem found (see [`check_event`]).
pub fn check_fixture(
    vendor: Vendor,
    config: DatasetConfig,
    id: &str,
    patch: &serde_json::Map<String, Value>,
) -> Vec<FieldError> {
    let dataset = match AnyDataset::new(vendor, config) {
        Ok(d) => d,
        Err(e) => return vec![FieldError::invalid(".", e.to_string())],
    };
    let index = base_index(dataset.index(id).ok(), dataset.len(), patch, &|i| {
        dataset.event_value(i).ok()
    });
    let mut base = match dataset.event_value(index) {
        Ok(b) => b,
        Err(e) => return vec![FieldError::invalid(".", e.to_string())],
    };
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
        assert!(check_fixture(Vendor::Authentik, config, id, ok.as_object().unwrap()).is_empty());
        let err = check_fixture(Vendor::Authentik, config, id, bad.as_object().unwrap()).remove(0);
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
        .remove(0);
        assert_eq!(err.path, "entity.timestamp");
    }

    fn problems(vendor: Vendor, patch: Value) -> Vec<(String, bool)> {
        let config = DatasetConfig {
            len: 50,
            ..DatasetConfig::default()
        };
        let id = AnyDataset::new(vendor, config).unwrap().id(3);
        check_fixture(vendor, config, &id, patch.as_object().unwrap())
            .into_iter()
            .map(|e| (e.path, e.unknown))
            .collect()
    }

    #[test]
    fn unknown_and_misplaced_keys_are_errors_at_their_place() {
        let found = problems(
            Vendor::CloudFoundry,
            json!({"entity": {"bogus_key": 1}, "actor_name": "x", "metadata": {"nope": 1}}),
        );
        assert_eq!(
            found,
            [
                ("metadata.nope".to_owned(), true),
                ("entity.bogus_key".to_owned(), true),
                ("actor_name".to_owned(), true),
            ]
        );
        let config = DatasetConfig::default();
        let id = AnyDataset::new(Vendor::CloudFoundry, config).unwrap().id(0);
        let misplaced = json!({"actor_name": "x"});
        let e = check_fixture(
            Vendor::CloudFoundry,
            config,
            &id,
            misplaced.as_object().unwrap(),
        )
        .remove(0);
        assert!(
            e.message
                .contains("a field `actor_name` exists at `entity.actor_name`"),
            "{}",
            e.message
        );
        assert_eq!(
            problems(Vendor::Authentik, json!({"actoin": "login"})),
            [("actoin".to_owned(), true)]
        );
        assert_eq!(
            problems(Vendor::Halo, json!({"target": {"target_ip": "x"}})),
            [("target.target_ip".to_owned(), true)]
        );
        assert_eq!(
            problems(Vendor::Instavm, json!({"vm": "x"})),
            [("vm".to_owned(), true)]
        );
        // Probely's content objects are closed too (no variant takes the key).
        assert_eq!(
            problems(Vendor::Probely, json!({"bogus": 1})),
            [("bogus".to_owned(), true)]
        );
        assert_eq!(
            problems(Vendor::Probely, json!({"content": {"bogus": 1}})),
            [("content".to_owned(), false)]
        );
    }

    #[test]
    fn open_objects_take_any_key() {
        // authentik: `context`, `user` and `brand` are free-form; CF `entity.metadata` too;
        // InstaVM's `event_payload` and Halo's nothing.
        for (vendor, patch) in [
            (
                Vendor::Authentik,
                json!({"context": {"anything": {"deep": 1}}, "user": {"extra": 1}}),
            ),
            (
                Vendor::CloudFoundry,
                json!({"entity": {"metadata": {"k": [1]}}}),
            ),
            (Vendor::Instavm, json!({"event_payload": {"k": 1}})),
        ] {
            assert_eq!(problems(vendor, patch.clone()), [], "{vendor:?} {patch}");
        }
    }
}
