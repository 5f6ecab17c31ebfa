//! [`EventMeta`]: where each vendor's event keeps its id and its time (what the store needs to
//! look an event up and place it on the time axis).

use eventmock_fake::time::parse_rfc3339;
use eventmock_model::{authentik, cf, halo, instavm, probely};

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
