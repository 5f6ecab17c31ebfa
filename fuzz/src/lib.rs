//! Fuzz targets for every parser of untrusted input, and the corpus they grow.
//!
//! Layout:
//! - [`TARGETS`]: the registry, one [`Target`] per parser; each target is a plain function of
//!   the input bytes that panics when an invariant breaks (no panic inside the code under
//!   test; round trips where they exist; eventmock's JSON writer equal to serde_json).
//! - `targets/`: the target functions, one module per kind of input (vendor query strings, id
//!   codecs, scenario files, the JSON writer, admin API bodies).
//! - [`input`]: reads structured values out of raw fuzz bytes; [`http`]: asks an in-process
//!   [`App`](eventmock_server::App) and reads its answers.
//! - [`replay`]: runs files through a target, naming the file that fails (the corpus tests and
//!   the `eventmock-fuzz-replay` binary use it).
//! - `src/bin/afl.rs`: the AFL++ harness (feature `afl`, built by `cargo xtask fuzz`).
//!
//! The committed corpus lives in `fuzz/corpus/<target>/`, dictionaries in `fuzz/dict/`.

pub mod http;
pub mod input;
pub mod replay;
pub mod targets;

use std::path::PathBuf;

/// One fuzz target: a parser and the invariants it must keep.
#[derive(Debug, Clone, Copy)]
pub struct Target {
    /// The name (`query_cf`): also the corpus directory and the harness argument.
    pub name: &'static str,
    /// What it feeds and checks.
    pub about: &'static str,
    /// Runs one input; panics when an invariant is broken.
    pub run: fn(&[u8]),
}

/// Every target.
pub const TARGETS: &[Target] = &[
    Target {
        name: "query_probely",
        about: "GET /events/<input>: paths and query strings of Probely's routes",
        run: targets::query::probely,
    },
    Target {
        name: "query_authentik",
        about: "GET /api/v3/events/events/<input>: authentik's filters, ordering, page",
        run: targets::query::authentik,
    },
    Target {
        name: "query_halo",
        about: "GET /api/v1/event/<input>: Halo's list/get/delete/types.json parameters",
        run: targets::query::halo,
    },
    Target {
        name: "query_instavm",
        about: "GET /v1/audit/<input>: InstaVM's filters, cursor and limit",
        run: targets::query::instavm,
    },
    Target {
        name: "query_cf",
        about: "GET /v2/<input>: Cloud Foundry's q, paging and order",
        run: targets::query::cf,
    },
    Target {
        name: "id_codec",
        about: "id codecs: every id decodes to its index; an id that decodes is the one encoded",
        run: targets::codec::run,
    },
    Target {
        name: "scenario",
        about: "eventmock_scenario::parse, then the world built from it answering a request",
        run: targets::scenario::run,
    },
    Target {
        name: "json_writer",
        about: "eventmock_model::json against serde_json on arbitrary values and vendor events",
        run: targets::json_writer::run,
    },
    Target {
        name: "admin_pattern",
        about: "admin journal queries: GET /requests?<line 1>, POST /requests/count <rest>",
        run: targets::admin::pattern,
    },
    Target {
        name: "admin_events",
        about: "admin POST /vendors/<v>/events bodies; added events must be served",
        run: targets::admin::events,
    },
];

/// The target called `name`.
pub fn target(name: &str) -> Option<&'static Target> {
    TARGETS.iter().find(|t| t.name == name)
}

/// The committed corpus directory of a target (`fuzz/corpus/<name>`).
pub fn corpus_dir(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("corpus")
        .join(name)
}
