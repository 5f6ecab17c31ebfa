//! Contract testing: OpenAPI 3.1 documents of the five vendors (derived from the model
//! types), validation of responses against them, and the scenario checks run both against the
//! mock (`cargo xtask contract`) and against a live vendor (`eventmock verify`).
//!
//! # Layout
//! - [`openapi`]: [`openapi::document`] builds a vendor's document: `components/schemas`
//!   from the `schemars` derives of `eventmock-model`, paths and responses from one small
//!   data module per vendor. The committed copies live in `openapi/<vendor>.json`.
//! - [`validate`]: [`Validator`] compiles a document's response schemas and checks a
//!   response (status, content type, body), naming the JSON pointer of every mismatch.
//! - [`checks`]: runs a scenario's `checks:` (placeholders, expectations, validation,
//!   snapshot text).
//! - [`transport`]: where checks go — the in-process app or a live server over HTTP/1.1.
//! - [`report`]: the drift report and JUnit XML of `eventmock verify`.

pub mod checks;
pub mod openapi;
pub mod report;
pub mod transport;
pub mod validate;

pub use validate::{BuildError, Mismatch, Validator};
