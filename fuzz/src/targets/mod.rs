//! The target functions, one module per kind of input. Each panics (with what broke and the
//! input that broke it) when an invariant fails; anything else is a pass.

pub mod admin;
pub mod codec;
pub mod json_writer;
pub mod query;
pub mod scenario;
