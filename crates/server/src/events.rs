//! Adding events beside the generated ones (scenario fixtures, admin API): JSON in, validated
//! against the vendor's model, placed on the time axis by the event's own timestamp.

use eventmock_fake::Generator;
use eventmock_fake::time::parse_rfc3339;
use eventmock_model::{authentik, cf, halo, instavm, probely};
use serde_json::Value;

use eventmock_scenario::fixture::{base_index, from_json, merge};

use crate::store::Store;

/// Where a vendor's event keeps its id and its time.
pub trait EventMeta {
    /// The event's id.
    fn event_id(&self) -> &str;
    /// Sets the event's id (and anything derived from it, like Halo's `url`).
    fn set_event_id(&mut self, id: &str);
    /// The event's time in Unix microseconds, if its timestamp parses.
    fn time_micros(&self) -> Option<i64>;
}

impl EventMeta for probely::Event {
    fn event_id(&self) -> &str {
        &self.id
    }
    fn set_event_id(&mut self, id: &str) {
        id.clone_into(&mut self.id);
    }
    fn time_micros(&self) -> Option<i64> {
        parse_rfc3339(&self.occurred_at).ok()
    }
}

impl EventMeta for authentik::Event {
    fn event_id(&self) -> &str {
        &self.pk
    }
    fn set_event_id(&mut self, id: &str) {
        id.clone_into(&mut self.pk);
    }
    fn time_micros(&self) -> Option<i64> {
        parse_rfc3339(&self.created).ok()
    }
}

impl EventMeta for halo::Event {
    fn event_id(&self) -> &str {
        &self.event_id
    }
    fn set_event_id(&mut self, id: &str) {
        id.clone_into(&mut self.event_id);
        self.url = format!("{}{id}", eventmock_fake::vendors::halo::URL_PREFIX);
    }
    fn time_micros(&self) -> Option<i64> {
        // `YYYY-MM-DD HH:MM`
        let d = &self.date_created;
        parse_rfc3339(&format!("{}T{}:00Z", d.get(..10)?, d.get(11..16)?)).ok()
    }
}

impl EventMeta for instavm::AuditEvent {
    fn event_id(&self) -> &str {
        &self.id
    }
    fn set_event_id(&mut self, id: &str) {
        id.clone_into(&mut self.id);
    }
    fn time_micros(&self) -> Option<i64> {
        parse_rfc3339(&self.created_at).ok()
    }
}

impl EventMeta for cf::Event {
    fn event_id(&self) -> &str {
        &self.metadata.guid
    }
    fn set_event_id(&mut self, id: &str) {
        id.clone_into(&mut self.metadata.guid);
        self.metadata.url = format!("/v2/events/{id}");
    }
    fn time_micros(&self) -> Option<i64> {
        parse_rfc3339(&self.entity.timestamp).ok()
    }
}

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
}

/// Adds an event to `store`. With `partial`, `value` patches a generated event (the one of
/// index `base`, or of the id's own index when the id is a generated one) so unnamed fields are
/// generated; otherwise `value` must be a complete event. `id` (if given) wins over the JSON's;
/// a partial event without an id gets a new one minted past the dataset's end. `at` places the
/// event in time (default: the event's own timestamp, else the end). Returns the id.
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
    let (id, after, event) = prepare(store, value, partial, id, at)?;
    store
        .put_extra(id.clone(), after, event)
        .map_err(AddError::Full)?;
    Ok(id)
}

/// Adds several events all-or-nothing: every one is validated first (the first failure is
/// returned with its position), then all are placed in one overlay change, so readers see
/// either none or all of them (a full overlay refuses them all: position 0,
/// [`AddError::Full`]). Returns the ids in order.
pub fn add_all<G>(
    store: &Store<G>,
    values: Vec<Value>,
    partial: bool,
) -> Result<Vec<String>, (usize, AddError)>
where
    G: Generator,
    G::Event: EventMeta + serde::Serialize + serde::de::DeserializeOwned,
{
    let mut ready = Vec::with_capacity(values.len());
    for (n, value) in values.into_iter().enumerate() {
        ready.push(prepare(store, value, partial, None, None).map_err(|e| (n, e))?);
    }
    let ids = ready.iter().map(|(id, _, _)| id.clone()).collect();
    store
        .put_extras(ready)
        .map_err(|full| (0, AddError::Full(full)))?;
    Ok(ids)
}

/// Validates an event and places it without adding it: its id, how many generated indices lie
/// before it, and the typed event (see [`add`]).
pub fn prepare<G>(
    store: &Store<G>,
    value: Value,
    partial: bool,
    id: Option<&str>,
    at: Option<i64>,
) -> Result<(String, u64, G::Event), AddError>
where
    G: Generator,
    G::Event: EventMeta + serde::Serialize + serde::de::DeserializeOwned,
{
    let dataset = store.dataset();
    let mint = store.mint();
    let mut value = value;
    if partial {
        let own = id.and_then(|id| store.index(id).ok());
        let base_index = match &value {
            Value::Object(patch) => base_index(own, dataset.len(), patch, &|i| {
                serde_json::to_value(store.generate(i)).ok()
            }),
            _ => own.unwrap_or(mint % dataset.len()),
        };
        let mut base =
            serde_json::to_value(store.generate(base_index)).map_err(|e| AddError::Invalid {
                path: ".".into(),
                message: e.to_string(),
            })?;
        merge(&mut base, value);
        value = base;
    }
    let mut event: G::Event = from_json(value).map_err(|e| AddError::Invalid {
        path: e.path,
        message: e.message,
    })?;
    let id = match id {
        Some(id) => id.to_owned(),
        None if partial => dataset.id(Store::<G>::minted_index(mint)),
        None => event.event_id().to_owned(),
    };
    let format = G::ID_FORMAT;
    if !eventmock_scenario::ids::well_formed(format, &id) {
        return Err(AddError::BadId {
            field: id_field(G::VENDOR),
            id,
            vendor: G::VENDOR.name(),
        });
    }
    event.set_event_id(&id);
    let after = at
        .or_else(|| event.time_micros())
        .map_or(dataset.len(), |t| store.generated_at_or_before(t));
    Ok((id, after, event))
}

/// The name of the id field of a vendor's event.
pub fn id_field(vendor: eventmock_model::Vendor) -> &'static str {
    use eventmock_model::Vendor::*;
    match vendor {
        Probely | Instavm => "id",
        Authentik => "pk",
        Halo => "event_id",
        CloudFoundry => "metadata.guid",
    }
}
