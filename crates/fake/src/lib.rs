//! Deterministic, coherent fake events for the five vendors.
//!
//! Event `i` of a dataset is a pure function of `(seed, vendor, i)` and the dataset's size and
//! time axis: the same bytes on every run, thread and machine. Nothing is stored, so a dataset
//! of 10⁹ events costs the same memory as one of 10³.
//!
//! # Layout
//! - [`dataset`]: [`Dataset`], its [`DatasetConfig`] and the [`Generator`] trait.
//! - [`any`]: [`AnyDataset`], any vendor's dataset behind one type.
//! - [`vendors`]: one generator per vendor.
//! - [`codec`]: index ↔ id in each vendor's id format.
//! - [`pools`]: per-dataset pools of people, user agents, addresses and domains.
//! - [`realism`]: weighted choices, the skewed user population, public addresses with their
//!   places, current user agents and real-looking names.
//! - [`rng`]: the per-event ChaCha8 stream.
//! - [`time`]: the time axis and timestamp formatting.
//! - [`span`]: the one grammar of durations (`90s`) and rates (`5/s`) for flags, scenarios
//!   and the admin API.
//! - [`mix`]: pinned integer mixing (keys, tags, uniform draws).

pub mod any;
pub mod arrivals;
pub mod codec;
pub mod dataset;
pub mod mix;
pub mod pools;
pub mod realism;
pub mod rng;
pub mod span;
pub mod time;
pub mod vendors;

pub use any::AnyDataset;
pub use codec::{IdCodec, IdError, IdFormat};
pub use dataset::{Dataset, DatasetConfig, DatasetError, Generator};
pub use span::{Rate, Span, SpanError};
