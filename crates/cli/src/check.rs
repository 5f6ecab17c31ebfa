//! `eventmock check FILE|DIR…` (validate scenarios without serving) and
//! `eventmock schema scenario` (the JSON Schema of the scenario format, for editors) and
//! `eventmock openapi --vendor V` (a vendor's OpenAPI 3.1 document).

use std::path::PathBuf;

use anyhow::Result;
use clap::{Args, ValueEnum};

/// Flags of `eventmock check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Scenario files or directories of `*.yaml` files.
    #[arg(required = true, value_name = "FILE|DIR")]
    paths: Vec<PathBuf>,
}

/// Validates scenarios; prints every diagnostic. `Ok(false)` when any file is broken.
pub fn run(args: CheckArgs) -> Result<bool> {
    let (loaded, diagnostics) = eventmock_scenario::load_all(&args.paths);
    for (path, scenario) in &loaded {
        println!("ok: {} (scenario `{}`)", path.display(), scenario.name);
    }
    for d in &diagnostics {
        eprintln!("{d}");
    }
    if loaded.is_empty() && diagnostics.is_empty() {
        eprintln!("no scenario files (*.yaml, *.yml) found");
        return Ok(false);
    }
    if !diagnostics.is_empty() {
        eprintln!("{} error(s)", diagnostics.len());
    }
    Ok(diagnostics.is_empty())
}

/// Flags of `eventmock openapi`.
#[derive(Debug, Args)]
pub struct OpenapiArgs {
    /// Vendor: probely, authentik, halo, instavm or cf.
    #[arg(long)]
    vendor: String,
}

/// Prints the vendor's OpenAPI 3.1 document (the committed `openapi/<vendor>.json`).
pub fn openapi(args: OpenapiArgs) -> Result<()> {
    let vendor: eventmock_model::Vendor = args
        .vendor
        .parse()
        .map_err(|e| crate::UsageError(format!("--vendor: {e}")))?;
    print!("{}", eventmock_contract::openapi::document_text(vendor));
    Ok(())
}

/// What `eventmock schema` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SchemaKind {
    /// The scenario file format.
    Scenario,
}

/// Flags of `eventmock schema`.
#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// Which schema.
    #[arg(value_enum)]
    kind: SchemaKind,
}

/// Prints the schema, pretty, with a trailing newline.
pub fn schema(args: SchemaArgs) -> Result<()> {
    match args.kind {
        SchemaKind::Scenario => {
            let text = serde_json::to_string_pretty(&eventmock_scenario::json_schema())?;
            println!("{text}");
        }
    }
    Ok(())
}
