//! eventmock's allocator, mimalloc, and the one call into it that needs `unsafe`:
//! [`release_free_memory`], which hands memory freed by a reset back to the operating system
//! at once. The rest of the workspace forbids unsafe code; this crate only denies it, and
//! allows it on that one call.

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
