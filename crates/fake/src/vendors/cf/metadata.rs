//! The `metadata` object of a Cloud Foundry event, one shape per kind of event, written into
//! a reused map: when the map already has the shape's keys in order, only its values are
//! rewritten (no hashing, no allocation); otherwise it is built anew.

use serde_json::{Map, Value, json};

use crate::vendors::reuse::{put_value_joined, put_value_str};

/// What an event's `metadata` says.
pub(super) enum Meta<'a> {
    /// `{"request": {"name": …}}` (spaces, organizations, routes, services).
    RequestName(&'a str),
    /// `{"request": {"username": …}}` (user roles).
    RequestUsername(&'a str),
    /// `{"request": {"state": …}}` (app changes).
    RequestState(&'static str),
    /// `{"request": {"name", "space_guid", "instances", "memory", "state", "console"}}`.
    Create {
        /// The app's name.
        name: &'a str,
        /// Its space's guid.
        space_guid: &'a str,
    },
    /// A crash: `instance`, `index`, `exit_status`, `exit_description`, `reason`.
    Crash {
        /// The instance guid (32 hex digits).
        instance: &'a str,
        /// The instance index.
        index: u64,
        /// The process's exit status.
        code: i64,
    },
}

/// How many kinds of metadata there are (see [`Meta::kind`]).
pub(super) const KINDS: usize = 5;

/// The text of a crash's `exit_description` before the exit status.
const EXITED: &str = "APP/PROC/WEB: Exited with status ";

impl Meta<'_> {
    /// The index of this kind (`0..KINDS`).
    pub(super) fn kind(&self) -> usize {
        match self {
            Meta::RequestName(_) => 0,
            Meta::RequestUsername(_) => 1,
            Meta::RequestState(_) => 2,
            Meta::Create { .. } => 3,
            Meta::Crash { .. } => 4,
        }
    }

    /// Makes `map` this metadata, rewriting its values in place when it has this kind's keys.
    pub(super) fn write_into(&self, map: &mut Map<String, Value>) {
        if !self.rewrite(map) {
            *map = self.build();
        }
    }

    /// This metadata as a new map.
    fn build(&self) -> Map<String, Value> {
        let value = match *self {
            Meta::RequestName(name) => json!({"request": {"name": name}}),
            Meta::RequestUsername(username) => json!({"request": {"username": username}}),
            Meta::RequestState(state) => json!({"request": {"state": state}}),
            Meta::Create { name, space_guid } => json!({"request": {
                "name": name, "space_guid": space_guid, "instances": 1, "memory": 256,
                "state": "STOPPED", "console": false
            }}),
            Meta::Crash {
                instance,
                index,
                code,
            } => {
                let mut map = Map::new();
                map.insert("instance".into(), Value::from(instance));
                map.insert("index".into(), Value::from(index));
                map.insert("exit_status".into(), Value::from(code));
                map.insert(
                    "exit_description".into(),
                    Value::from([EXITED, itoa::Buffer::new().format(code)].concat()),
                );
                map.insert("reason".into(), Value::from("CRASHED"));
                return map;
            }
        };
        match value {
            Value::Object(map) => map,
            _ => Map::new(),
        }
    }

    /// Rewrites the values of `map` when it has this kind's keys in order; `false` otherwise
    /// (`map` unchanged).
    fn rewrite(&self, map: &mut Map<String, Value>) -> bool {
        if let Meta::Crash {
            instance,
            index,
            code,
        } = *self
        {
            if !has_keys(map, CRASH_KEYS) {
                return false;
            }
            let mut values = map.values_mut();
            let (Some(i), Some(n), Some(c), Some(d), Some(r)) = (
                values.next(),
                values.next(),
                values.next(),
                values.next(),
                values.next(),
            ) else {
                return false;
            };
            put_value_str(i, instance);
            *n = Value::from(index);
            *c = Value::from(code);
            put_value_joined(d, &[EXITED, itoa::Buffer::new().format(code)]);
            put_value_str(r, "CRASHED");
            return true;
        }
        // The other kinds are `{"request": {…}}`.
        if map.len() != 1 {
            return false;
        }
        let Some((key, Value::Object(request))) = map.iter_mut().next() else {
            return false;
        };
        if key != "request" {
            return false;
        }
        match *self {
            Meta::RequestName(name) => put_single(request, "name", name),
            Meta::RequestUsername(username) => put_single(request, "username", username),
            Meta::RequestState(state) => put_single(request, "state", state),
            Meta::Create { name, space_guid } => {
                if !has_keys(request, CREATE_KEYS) {
                    return false;
                }
                let mut values = request.values_mut();
                let (Some(n), Some(g), Some(i), Some(m), Some(s), Some(c)) = (
                    values.next(),
                    values.next(),
                    values.next(),
                    values.next(),
                    values.next(),
                    values.next(),
                ) else {
                    return false;
                };
                put_value_str(n, name);
                put_value_str(g, space_guid);
                *i = Value::from(1);
                *m = Value::from(256);
                put_value_str(s, "STOPPED");
                *c = Value::Bool(false);
                true
            }
            Meta::Crash { .. } => false,
        }
    }
}

/// The keys of a crash's metadata, in order.
const CRASH_KEYS: &[&str] = &[
    "instance",
    "index",
    "exit_status",
    "exit_description",
    "reason",
];
/// The keys of an app creation's request, in order.
const CREATE_KEYS: &[&str] = &[
    "name",
    "space_guid",
    "instances",
    "memory",
    "state",
    "console",
];

/// Whether `map` has exactly `keys`, in that order.
fn has_keys(map: &Map<String, Value>, keys: &[&str]) -> bool {
    map.len() == keys.len() && map.keys().zip(keys).all(|(a, b)| a == b)
}

/// Rewrites the one string value of `map` when its one key is `key`.
fn put_single(map: &mut Map<String, Value>, key: &str, text: &str) -> bool {
    if !has_keys(map, &[key]) {
        return false;
    }
    map.values_mut().next().is_some_and(|v| {
        put_value_str(v, text);
        true
    })
}

/// The kind of an event's metadata map (see [`Meta::kind`]), if it is one of them.
pub(super) fn kind_of(map: &Map<String, Value>) -> Option<usize> {
    let (key, value) = map.iter().next()?;
    match (key.as_str(), value) {
        ("instance", _) => Some(4),
        ("request", Value::Object(request)) => match request.keys().next()?.as_str() {
            "name" if request.len() == 1 => Some(0),
            "name" => Some(3),
            "username" => Some(1),
            "state" => Some(2),
            _ => None,
        },
        _ => None,
    }
}
