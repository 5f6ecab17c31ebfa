//! Building an event into a reused one ([`crate::dataset::Generator::generate_into`]):
//! strings rewritten in place, and the parts only some events carry kept aside in a
//! per-thread bin of spare parts while an event without them is in the reused event, so the
//! next event that carries them rewrites them instead of allocating them anew.

use std::cell::RefCell;
use std::thread::LocalKey;

use serde_json::Value;

/// Sets `dst` to `src`, reusing its allocation (growing it as `push_str` does, so a reused
/// string soon holds any of its texts); a string that has none yet gets one allocation of
/// the exact size, as `to_owned` makes, so an event built anew costs what it did before.
#[inline]
pub(crate) fn put_str(dst: &mut String, src: &str) {
    if dst.capacity() == 0 {
        *dst = src.to_owned();
    } else {
        dst.clear();
        dst.push_str(src);
    }
}

/// Sets `dst` to the parts joined, reusing its allocation (a string that has none yet gets
/// one of the exact size).
#[inline]
pub(crate) fn put_joined(dst: &mut String, parts: &[&str]) {
    if dst.capacity() == 0 {
        *dst = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    }
    dst.clear();
    for part in parts {
        dst.push_str(part);
    }
}

/// Sets `dst` to `Some(src)`, reusing the string it held.
#[inline]
pub(crate) fn put_opt(dst: &mut Option<String>, src: &str) {
    match dst {
        Some(s) => put_str(s, src),
        None => *dst = Some(src.to_owned()),
    }
}

/// Sets `dst` to `Some` of the parts joined, reusing the string it held.
#[inline]
pub(crate) fn put_parts(dst: &mut Option<String>, parts: &[&str]) {
    put_joined(dst.get_or_insert_with(String::new), parts);
}

/// Sets `slot` to `Value::String(src)`, reusing the string it held (any other value is
/// replaced).
#[inline]
pub(crate) fn put_value_str(slot: &mut Value, src: &str) {
    match slot {
        Value::String(s) => put_str(s, src),
        other => *other = Value::String(src.to_owned()),
    }
}

/// Sets `slot` to `Value::String` of the parts joined, reusing the string it held.
#[inline]
pub(crate) fn put_value_joined(slot: &mut Value, parts: &[&str]) {
    match slot {
        Value::String(s) => put_joined(s, parts),
        other => *other = Value::String(parts.concat()),
    }
}

/// Puts `part` aside in `spare` when there is one (an event's optional part it no longer
/// carries), keeping what `spare` held otherwise.
#[inline]
pub(crate) fn keep<T>(spare: &mut Option<T>, part: Option<T>) {
    if part.is_some() {
        *spare = part;
    }
}

/// Calls `f` with this thread's spare parts in `bin`, or with an empty bin when they are in
/// use further up the stack (an event built while another is being built).
#[inline]
pub(crate) fn with_spare<S: Default + 'static, R>(
    bin: &'static LocalKey<RefCell<S>>,
    f: impl FnOnce(&mut S) -> R,
) -> R {
    bin.with(|cell| match cell.try_borrow_mut() {
        Ok(mut spare) => f(&mut spare),
        Err(_) => f(&mut S::default()),
    })
}
