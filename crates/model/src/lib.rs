//! Typed serde models of the five vendors' event APIs: events, nested objects,
//! list envelopes and error bodies.
//!
//! # Layout
//! - [`vendor`]: the [`Vendor`] enum, the one registry of supported vendors.
//! - [`probely`]: Probely `GET /events/{id}/`, its content objects, list and errors.
//! - [`authentik`]: authentik `/api/v3/events/events/`, actions, pagination and errors.
//! - [`halo`]: Halo Security `/api/v1/event/*.json` bodies and the event-type list.
//! - [`instavm`]: InstaVM `/v1/audit/` events, list, catalog and FastAPI errors.
//! - [`cf`]: Cloud Foundry v2 `/v2/events`, errors, root document and UAA token.
//! - [`json`]: compact JSON output, byte-identical to serde_json's and faster for events.
//! - [`timestamp`]: the time formats timestamp fields must have when deserialized.
//!
//! Field order in every struct is the vendor's documented order: serialization order is
//! the byte output of the mock. Timestamps are kept as the vendor's exact strings;
//! deserializing checks they are times in the vendor's format.
//!
//! Architecture invariant: this crate does no I/O and knows nothing of HTTP.

pub mod authentik;
pub mod cf;
pub mod halo;
pub mod instavm;
pub mod json;
pub mod probely;
pub mod timestamp;
pub mod vendor;

pub use vendor::Vendor;

#[cfg(test)]
mod test_util;
