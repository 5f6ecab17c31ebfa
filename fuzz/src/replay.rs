//! Runs files through a target without instrumentation: the corpus tests, the
//! `eventmock-fuzz-replay` binary and the crash reports of `cargo xtask fuzz` use it.

use std::cell::RefCell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::Once;

use crate::Target;

/// A file that broke an invariant.
#[derive(Debug)]
pub struct Failure {
    /// The input file.
    pub file: PathBuf,
    /// The panic message.
    pub message: String,
}

/// The files of `dir` (not recursive), sorted; none when it does not exist.
pub fn files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    if !dir.exists() {
        return Ok(Vec::new());
    }
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_file()
            && !path
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

thread_local! {
    /// Where this thread's last panic happened (`file:line:column`).
    static LAST_PANIC: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Replaces the panic hook (once) by one that records where each panic happened instead of
/// printing it: a failure is reported once, by the caller, with its place.
fn record_panics() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            let place = info
                .location()
                .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()))
                .unwrap_or_default();
            LAST_PANIC.with(|last| *last.borrow_mut() = place);
        }));
    });
}

/// Runs one input, catching a panic as its message and place.
pub fn run_one(target: &Target, data: &[u8]) -> Result<(), String> {
    record_panics();
    catch_unwind(AssertUnwindSafe(|| (target.run)(data))).map_err(|payload| {
        let message = payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
            .unwrap_or_else(|| "a panic without a message".to_owned());
        let place = LAST_PANIC.with(|last| last.borrow().clone());
        format!("{message} (at {place})")
    })
}

/// Runs every file through `target`; the failures, each naming its file.
pub fn run_files(target: &Target, files: &[PathBuf]) -> std::io::Result<Vec<Failure>> {
    let mut failures = Vec::new();
    for file in files {
        let data = std::fs::read(file)?;
        if let Err(message) = run_one(target, &data) {
            failures.push(Failure {
                file: file.clone(),
                message,
            });
        }
    }
    Ok(failures)
}
