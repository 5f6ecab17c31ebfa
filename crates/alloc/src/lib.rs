//! eventmock's allocator, mimalloc, and the two calls around it that need `unsafe`:
//! [`release_free_memory`], which hands memory freed by a reset back to the operating system
//! at once, and [`small_pages_only`], which turns transparent huge pages off for the server's
//! process. The rest of the workspace forbids unsafe code; this crate only denies it, and
//! allows it on those two calls.

/// Frees what mimalloc holds but no longer uses and returns it to the operating system now,
/// instead of after its purge delay and only once a thread allocates again (an idle server
/// would keep it). Called after a reset drops a large overlay. A no-op in effect when mimalloc
/// is not the global allocator (tests): its own heaps are then empty.
pub fn release_free_memory() {
    // SAFETY: `mi_collect` takes no pointers and only walks mimalloc's own heaps and arenas;
    // it is safe to call from any thread at any time.
    #[allow(unsafe_code)]
    unsafe {
        libmimalloc_sys::mi_collect(true);
    }
}

/// Turns transparent huge pages off for this process (Linux `PR_SET_THP_DISABLE`; nothing
/// elsewhere), as `MIMALLOC_ALLOW_THP=0` would if it were set before the process started.
/// Called when `eventmock serve` starts.
///
/// Why: a server filled by bulk adds allocates fast and frees short-lived memory (request
/// bodies, parse temporaries, tree nodes a write replaced); mimalloc hands freed memory back
/// (purges) after a delay, and under huge pages each later touch of it faults in and zeroes
/// a whole 2 MiB page again. Measured (`cargo xtask bench seed`, README): a third less server
/// CPU per seeded event with huge pages off, the same resident size, and no change on the
/// read path. Whether it took effect is returned (`false` on other systems or if refused).
pub fn small_pages_only() -> bool {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: `prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0)` takes no pointers; it only sets a
        // flag on this process's memory map.
        #[allow(unsafe_code)]
        let result = unsafe { libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0) };
        result == 0
    }
    #[cfg(not(target_os = "linux"))]
    {
        false
    }
}

#[cfg(test)]
mod tests {
    /// After the call the kernel reports huge pages off for the process (Linux).
    #[cfg(target_os = "linux")]
    #[test]
    fn huge_pages_are_off_after_the_call() {
        assert!(super::small_pages_only());
        let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
        let line = status.lines().find(|l| l.starts_with("THP_enabled:"));
        // Kernels before 6.3 do not show the flag; the call's result is all there is then.
        if let Some(line) = line {
            assert!(line.ends_with('0'), "{line}");
        }
    }
}
