//! Adding events beside the generated ones (scenario fixtures, admin API): JSON in, validated
//! against the vendor's model, placed on the time axis by the event's own timestamp.

use std::sync::Arc;

use eventmock_fake::Generator;
use serde_json::Value;

use eventmock_scenario::event_time::{Source, settle};
use eventmock_scenario::fixture::{base_index, from_json, merge};
use eventmock_scenario::ids::id_in;

use crate::store::{EventMeta, Store};

/// Why an event could not be added.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AddError {
    /// The JSON does not fit the vendor's model; `path` names the field (`entity.type`).
    #[error("{path}: {message}")]
    Invalid {
        /// Dotted path of the offending field (`.` for the whole event).
        path: String,
        /// What is wrong with it.
        message: String,
    },
    /// The overlay is full (`serve --max-added`); nothing of the write was added.
    #[error("{0}")]
    Full(crate::overlay::Full),
    /// The id is not in the vendor's id format.
    #[error("{field}: `{id}` is not a valid {vendor} id")]
    BadId {
        /// The id field's name.
        field: &'static str,
        /// The id given.
        id: String,
        /// The vendor.
        vendor: &'static str,
    },
    /// The id given is the id of an event that exists already (generated or added), or is
    /// given twice in one request.
    #[error("{field}: an event with id `{id}` exists already")]
    Exists {
        /// The id field's name.
        field: &'static str,
        /// The id given.
        id: String,
    },
}

impl AddError {
    /// The field the error is about (`entity.type`, `pk`).
    pub fn field(&self) -> String {
        match self {
            AddError::Invalid { path, .. } => path.clone(),
            AddError::BadId { field, .. } | AddError::Exists { field, .. } => (*field).to_owned(),
            AddError::Full(_) => String::new(),
        }
    }
}

/// Adds an event to `store`. With `partial`, `value` patches a generated event (the one of
/// index `base`, or of the id's own index when the id is a generated one) so unnamed fields are
/// generated; otherwise `value` must be a complete event. The id is `id` if given (a fixture's
/// own id, which may replace a generated event), else the one in the JSON, else (partial only) a
/// new one minted past the dataset's end. The event's time is settled from `at`, its time fields
/// and its id (see [`eventmock_scenario::event_time::settle`]) and places it in time. Returns
/// the id.
pub fn add<G>(
    store: &Store<G>,
    value: Value,
    partial: bool,
    id: Option<&str>,
    at: Option<i64>,
) -> Result<String, AddError>
where
    G: Generator,
    G::Event: EventMeta + serde::Serialize + serde::de::DeserializeOwned,
{
    let (id, after, event) = prepare(store, value, partial, id, at)?.into_parts();
    store
        .put_extras(vec![(id.clone(), after, event)])
        .map_err(AddError::Full)?;
    Ok(id)
}

/// Adds several events all-or-nothing: every one is validated first (the first failure is
/// returned with its position), then all are placed in one overlay change, so readers see
/// either none or all of them (a full overlay refuses them all: position 0,
/// [`AddError::Full`]). An id given in an event must be new: one of an existing
/// (generated or added) event, or given twice, is [`AddError::Exists`]. Returns the ids in
/// order.
pub fn add_all<G>(
    store: &Store<G>,
    values: Vec<Value>,
    partial: bool,
) -> Result<Vec<String>, (usize, AddError)>
where
    G: Generator,
    G::Event: EventMeta + serde::Serialize + serde::de::DeserializeOwned,
{
    add_prepared(
        store,
        values
            .into_iter()
            .map(|value| prepare(store, value, partial, None, None)),
    )
}

/// Adds events as [`add_all`] does, from each event's [`prepare`] result in order (the first
/// error is returned with its position; nothing is added then).
pub fn add_prepared<G>(
    store: &Store<G>,
    prepared: impl ExactSizeIterator<Item = Result<Prepared<G::Event>, AddError>>,
) -> Result<Vec<String>, (usize, AddError)>
where
    G: Generator,
    G::Event: EventMeta,
{
    // Every event up to the first that did not prepare, in order.
    let mut ready = Vec::with_capacity(prepared.len());
    let mut failed = None;
    for (n, prepared) in prepared.enumerate() {
        match prepared {
            Ok(p) => ready.push(p),
            Err(e) => {
                failed = Some((n, e));
                break;
            }
        }
    }
    // The first given id that is taken (held, or given twice) comes before that failure, if
    // it lies before it: the answer names the first bad line either way.
    let given: Vec<(usize, &str)> = ready
        .iter()
        .enumerate()
        .filter(|(_, p)| p.id_given)
        .map(|(n, p)| (n, p.id.as_str()))
        .collect();
    let texts: Vec<&str> = given.iter().map(|(_, id)| *id).collect();
    let held = store.first_taken(&texts).map(|k| given[k].0);
    let mut seen = std::collections::HashSet::with_capacity(given.len());
    let twice = given
        .iter()
        .find(|(_, id)| !seen.insert(*id))
        .map(|(n, _)| *n);
    let taken = match (held, twice) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    if let Some(n) = taken {
        return Err((
            n,
            AddError::Exists {
                field: id_field(G::VENDOR),
                id: ready[n].id.clone(),
            },
        ));
    }
    if let Some(failure) = failed {
        return Err(failure);
    }
    let ready: Vec<_> = ready.into_iter().map(Prepared::into_parts).collect();
    let ids = ready.iter().map(|(id, _, _)| id.clone()).collect();
    store
        .put_extras(ready)
        .map_err(|full| (0, AddError::Full(full)))?;
    Ok(ids)
}

/// A validated event, ready to be placed.
pub struct Prepared<E> {
    /// Its id.
    pub id: String,
    /// Whether the id was given (by the caller or in the JSON) rather than minted.
    pub id_given: bool,
    /// How many generated indices lie before it.
    pub after: u64,
    /// The typed event, already where the overlay will hold it (moving the event itself —
    /// over a kilobyte for authentik — between a bulk add's buffers cost more than parsing
    /// some of it).
    pub event: Arc<E>,
}

impl<E> Prepared<E> {
    /// `(id, after, event)`, what the store takes.
    pub fn into_parts(self) -> (String, u64, Arc<E>) {
        (self.id, self.after, self.event)
    }
}

/// Validates an event and places it without adding it (see [`add`]).
pub fn prepare<G>(
    store: &Store<G>,
    value: Value,
    partial: bool,
    id: Option<&str>,
    at: Option<i64>,
) -> Result<Prepared<G::Event>, AddError>
where
    G: Generator,
    G::Event: EventMeta + serde::Serialize + serde::de::DeserializeOwned,
{
    let vendor = G::VENDOR;
    let dataset = store.dataset();
    let Value::Object(mut patch) = value else {
        return Err(AddError::Invalid {
            path: ".".into(),
            message: format!(
                "expected a JSON object (an event), found {}",
                kind_of(&value)
            ),
        });
    };
    let field = id_field(vendor);
    let in_json = match id_in(vendor, &patch) {
        None => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(other) => {
            return Err(AddError::Invalid {
                path: field.into(),
                message: format!("expected a string id, found {}", kind_of(other)),
            });
        }
    };
    let supplied = match (id, in_json) {
        (Some(id), Some(j)) if id != j => {
            return Err(AddError::Invalid {
                path: field.into(),
                message: format!("`{j}` differs from the id `{id}` given for this event"),
            });
        }
        (Some(id), _) => Some(id.to_owned()),
        (None, j) => j,
    };
    if let Some(id) = &supplied
        && !eventmock_scenario::ids::well_formed(G::ID_FORMAT, id)
    {
        return Err(AddError::BadId {
            field,
            id: id.clone(),
            vendor: vendor.name(),
        });
    }
    let mint = (supplied.is_none() && partial).then(|| store.mint());
    let base_index = partial.then(|| {
        let own = supplied.as_deref().and_then(|id| store.index(id).ok());
        base_index(own, dataset.len(), &patch, &|i| {
            serde_json::to_value(store.generate(i)).ok()
        })
    });
    let codec = &dataset.context().codec;
    let default_time = base_index.map_or(dataset.context().config.anchor, |i| codec.time_of(i));
    let time = settle(vendor, at, supplied.as_deref(), default_time, &mut patch).map_err(|e| {
        let path = match e.source {
            Source::At => "at".to_owned(),
            Source::Id => field.to_owned(),
            Source::Field(f) => f,
        };
        AddError::Invalid {
            path,
            message: format!("{}: {} (expected {})", e.message, e.found, e.expected),
        }
    })?;
    let value = match base_index {
        Some(i) => {
            let mut base =
                serde_json::to_value(store.generate(i)).map_err(|e| AddError::Invalid {
                    path: ".".into(),
                    message: e.to_string(),
                })?;
            merge(&mut base, Value::Object(patch));
            base
        }
        None => Value::Object(patch),
    };
    let mut event: G::Event = from_json(value).map_err(|e| AddError::Invalid {
        path: e.path,
        message: e.message,
    })?;
    let id_given = supplied.is_some();
    let id = match (supplied, mint) {
        (Some(id), _) => id,
        (None, Some(n)) => codec.encode_at_time(Store::<G>::minted_index(n), time),
        (None, None) => {
            return Err(AddError::Invalid {
                path: field.into(),
                message: "missing: a complete event needs its id (or add it with ?partial=true to get a new one)".into(),
            });
        }
    };
    event.set_event_id(&id);
    let after = store.generated_at_or_before(time);
    Ok(Prepared {
        id,
        id_given,
        after,
        event: Arc::new(event),
    })
}

/// What kind of JSON value `v` is, for messages.
fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The name of the id field of a vendor's event (dotted: `metadata.guid`).
pub fn id_field(vendor: eventmock_model::Vendor) -> &'static str {
    use eventmock_model::Vendor::*;
    match vendor {
        Probely | Instavm => "id",
        Authentik => "pk",
        Halo => "event_id",
        CloudFoundry => "metadata.guid",
    }
}
