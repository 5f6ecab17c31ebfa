//! eventmock scenario files: the YAML format, its parsing and validation, and its JSON Schema.
//!
//! A scenario says which vendors to serve (mount, port, dataset, auth, fixtures), which requests
//! to answer differently (`overrides`), which faults to inject (`faults`) and which contract
//! checks to run (`checks`). [`parse`] / [`load`] turn a file into a validated [`Scenario`] or
//! into every [`Diagnostic`] found, each with file, line and column.
//!
//! # Layout
//! - [`file`]: the format as written — serde + schemars types (the JSON Schema's source).
//! - [`scenario`]: the compiled [`Scenario`] the server consumes.
//! - [`matcher`]: path [`Template`]s and string-or-regex [`Matcher`]s, compiled at load.
//! - [`diagnostic`]: [`Diagnostic`] and the translation of YAML errors.
//! - `validate`: semantic checks, file → scenario.
//! - `locate`: node positions by path, from a second pass over the YAML events.
//! - [`ids`]: format-only checks of vendor ids.
//! - [`fixture`]: fixture events (partial JSON over a generated event) checked against the model.
//! - [`event_time`]: an event's time where `at:`, the time fields and time-bearing ids agree.
//!
//! # How positions are found
//! Syntax and type errors come from serde-saphyr with their location. Semantic errors are found
//! after deserialization on plain values; their position comes from a path → position map built
//! by walking the YAML parser's event stream once more (`vendors.cf.fixtures[1].id`).

pub mod diagnostic;
pub mod event_time;
pub mod file;
pub mod fixture;
pub mod ids;
mod locate;
pub mod matcher;
pub mod scenario;
mod validate;

use std::path::{Path, PathBuf};

pub use diagnostic::Diagnostic;
pub use file::ScenarioFile;
pub use ids::well_formed;
pub use matcher::{Matcher, PathMatcher, Template, TemplateError};
pub use scenario::{
    Action, AllowMethods, Auth, Body, CfApiVersion, Check, ClockMode, ClockSpec, ErrorHoles, Fault,
    Fixture, Latency, Override, RateLimit, RequestMatch, RequestParts, Response, Scenario,
    StatusFault, VendorMount, process_now,
};

/// The command that regenerates the committed JSON Schema.
pub const SCHEMA_COMMAND: &str =
    "cargo run -p eventmock -- schema scenario > crates/scenario/scenario.schema.json";

/// Parses and validates a scenario; `source_name` names it in diagnostics.
///
/// A syntax or type error stops parsing (one diagnostic); semantic problems are all collected,
/// sorted by position.
pub fn parse(source_name: &str, text: &str) -> Result<Scenario, Vec<Diagnostic>> {
    let raw = parse_file(source_name, text)?;
    validate::validate(source_name, text, &raw)
}

/// Parses a scenario into its as-written form, without semantic validation.
pub fn parse_file(source_name: &str, text: &str) -> Result<ScenarioFile, Vec<Diagnostic>> {
    serde_saphyr::from_str::<ScenarioFile>(text)
        .map_err(|e| vec![Diagnostic::from_yaml(source_name, text, &e)])
}

/// Reads and parses a scenario file (an unreadable file is a diagnostic too).
pub fn load(path: &Path) -> Result<Scenario, Vec<Diagnostic>> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| {
        vec![Diagnostic {
            file: name.clone(),
            line: 0,
            column: 0,
            message: format!("cannot read the scenario file: {e}"),
            expected: Some("a readable UTF-8 file".to_owned()),
            found: None,
        }]
    })?;
    parse(&name, &text)
}

/// Loads several scenarios; a directory stands for its `*.yaml` / `*.yml` files (sorted, not
/// recursive). Returns the scenarios that loaded and the diagnostics of all the others.
pub fn load_all(paths: &[PathBuf]) -> (Vec<(PathBuf, Scenario)>, Vec<Diagnostic>) {
    let mut files = Vec::new();
    let mut diags = Vec::new();
    for path in paths {
        if path.is_dir() {
            match std::fs::read_dir(path) {
                Ok(entries) => {
                    let mut found: Vec<PathBuf> = entries
                        .filter_map(|e| e.ok().map(|e| e.path()))
                        .filter(|p| {
                            p.is_file() && p.extension().is_some_and(|x| x == "yaml" || x == "yml")
                        })
                        .collect();
                    found.sort();
                    files.extend(found);
                }
                Err(e) => diags.push(Diagnostic {
                    file: path.display().to_string(),
                    line: 0,
                    column: 0,
                    message: format!("cannot read the scenario directory: {e}"),
                    expected: Some("a readable directory".to_owned()),
                    found: None,
                }),
            }
        } else {
            files.push(path.clone());
        }
    }
    let mut ok = Vec::new();
    for file in files {
        match load(&file) {
            Ok(s) => ok.push((file, s)),
            Err(d) => diags.extend(d),
        }
    }
    (ok, diags)
}

/// The JSON Schema of scenario files, generated from the [`file`] types.
pub fn json_schema() -> serde_json::Value {
    let schema = schemars::schema_for!(ScenarioFile);
    schema.to_value()
}
