//! The AFL++ harness: `eventmock-fuzz-afl <target>`, built by `cargo xtask fuzz` with
//! `cargo afl build --features afl` and run under `afl-fuzz` (persistent mode: many inputs per
//! process; the target's state is built once, before the fork server starts).

use std::process::ExitCode;

fn main() -> ExitCode {
    let name = std::env::args().nth(1).unwrap_or_default();
    let Some(target) = eventmock_fuzz::target(&name) else {
        let names: Vec<&str> = eventmock_fuzz::TARGETS.iter().map(|t| t.name).collect();
        eprintln!(
            "usage: eventmock-fuzz-afl <target>; targets: {}",
            names.join(", ")
        );
        return ExitCode::from(2);
    };
    // Builds the target's apps and datasets before AFL++ starts forking.
    (target.run)(b"");
    afl::fuzz!(|data: &[u8]| {
        (target.run)(data);
    });
    ExitCode::SUCCESS
}
