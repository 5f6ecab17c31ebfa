//! Compact JSON output, byte for byte what `serde_json::to_writer` writes, but faster for the
//! shapes the models produce: a string that needs no escaping (almost every string of an event)
//! is checked and copied eight bytes at a time as whole words, where serde_json inspects it one
//! byte at a time.
//!
//! Anything unusual (floats, byte arrays, non-string map keys, raw values, a `Serialize` error)
//! is handed to serde_json itself, for that value or for the whole document, so the output never
//! differs from serde_json's. Tests compare both on every vendor's events.

use std::fmt::Display;

use serde::ser::{self, Serialize};

/// Appends the compact JSON of `value` to `out`, exactly as `serde_json::to_writer` would.
///
/// # Errors
/// The error serde_json reports for `value` (a `Serialize` impl that fails).
pub fn write_compact<T: Serialize + ?Sized>(
    out: &mut Vec<u8>,
    value: &T,
) -> Result<(), serde_json::Error> {
    let start = out.len();
    if value.serialize(&mut Writer { out }).is_ok() {
        return Ok(());
    }
    // Not a shape the fast path writes (or a failing `Serialize`): let serde_json decide.
    out.truncate(start);
    serde_json::to_writer(&mut *out, value)
}

/// Whether [`write_compact`] writes `value` itself, without handing it to serde_json (for
/// tests: the models' events must stay on the fast path).
pub fn fast_path_writes<T: Serialize + ?Sized>(value: &T) -> bool {
    value
        .serialize(&mut Writer {
            out: &mut Vec::new(),
        })
        .is_ok()
}

/// The compact JSON of `value` (see [`write_compact`]).
///
/// # Errors
/// As [`write_compact`].
pub fn to_vec_compact<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, serde_json::Error> {
    let mut out = Vec::with_capacity(512);
    write_compact(&mut out, value)?;
    Ok(out)
}

/// Why the fast path gave up (never seen by callers: they fall back to serde_json).
#[derive(Debug)]
struct GiveUp;

impl Display for GiveUp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("not written by the fast path")
    }
}

impl std::error::Error for GiveUp {}

impl ser::Error for GiveUp {
    fn custom<T: Display>(_msg: T) -> Self {
        GiveUp
    }
}

/// The serializer: appends to `out`.
struct Writer<'a> {
    out: &'a mut Vec<u8>,
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// The high bit of every byte of `v` that serde_json escapes (below 0x20, `"` or `\\`), and
/// possibly of bytes above such a byte: zero exactly when none of the eight bytes needs escaping.
#[inline(always)]
fn escaped_bytes(v: u64) -> u64 {
    let has_zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGH;
    // Bytes below 0x20 (the `!v` term clears bytes at or above 0x80).
    (v.wrapping_sub(ONES * 0x20) & !v & HIGH)
        | has_zero(v ^ (ONES * b'"' as u64))
        | has_zero(v ^ (ONES * b'\\' as u64))
}

/// `s` (shorter than eight bytes) as a little-endian word, padded with `a` (a byte that needs
/// no escaping): two overlapping loads, built in registers without a loop or a `memcpy` call.
#[inline(always)]
fn short_word(s: &[u8]) -> u64 {
    const PAD: u64 = u64::from_le_bytes([b'a'; 8]);
    let n = s.len();
    let word = match n {
        0 => return PAD,
        1 => u64::from(s[0]),
        2..=3 => {
            let lo = u64::from(u16::from_le_bytes([s[0], s[1]]));
            let hi = u64::from(u16::from_le_bytes([s[n - 2], s[n - 1]]));
            lo | hi << ((n - 2) * 8)
        }
        _ => {
            let lo = u64::from(u32::from_le_bytes([s[0], s[1], s[2], s[3]]));
            let hi = u64::from(u32::from_le_bytes([s[n - 4], s[n - 3], s[n - 2], s[n - 1]]));
            lo | hi << ((n - 4) * 8)
        }
    };
    // The bytes from `n` on are padding.
    word | (PAD & !(u64::MAX >> ((8 - n) * 8)))
}

/// Eight bytes at the start of `chunk` as a little-endian word.
#[inline(always)]
fn load(chunk: &[u8]) -> u64 {
    let mut word = [0u8; 8];
    word.copy_from_slice(&chunk[..8]);
    u64::from_le_bytes(word)
}

/// Appends `"s"` to `out` when `s` needs no escaping (almost always) and returns `true`;
/// otherwise leaves `out` as it was. With `comma` a `,` goes in front, with `colon` a `:`
/// after (an object key). Eight bytes are checked and copied at a time as whole words (a
/// short string as one padded word, a long one's tail as an overlapping last word): no loop
/// over bytes and no call to `memcpy`.
#[inline(always)]
fn write_plain(out: &mut Vec<u8>, s: &[u8], comma: bool, colon: bool) -> bool {
    let start = out.len();
    let n = s.len();
    if n < 8 {
        let word = short_word(s);
        if escaped_bytes(word) != 0 {
            return false;
        }
        // `,"` + word + `":` in one fixed-size write, then cut to what belongs.
        let c = usize::from(comma);
        let mut buf = [b','; 16];
        buf[c] = b'"';
        buf[c + 1..c + 9].copy_from_slice(&word.to_le_bytes());
        buf[c + 1 + n] = b'"';
        buf[c + 2 + n] = b':';
        out.extend_from_slice(&buf);
        out.truncate(start + c + n + 2 + usize::from(colon));
        return true;
    }
    out.reserve(n + 4);
    if comma {
        out.push(b',');
    }
    out.push(b'"');
    let mut found = 0u64;
    let mut chunks = s.chunks_exact(8);
    for chunk in &mut chunks {
        let word = load(chunk);
        found |= escaped_bytes(word);
        out.extend_from_slice(&word.to_le_bytes());
    }
    let rest = chunks.remainder().len();
    if rest != 0 {
        // The last eight bytes, overlapping those already written.
        let word = load(&s[n - 8..]);
        found |= escaped_bytes(word);
        out.truncate(out.len() - (8 - rest));
        out.extend_from_slice(&word.to_le_bytes());
    }
    if found != 0 {
        out.truncate(start);
        return false;
    }
    out.push(b'"');
    if colon {
        out.push(b':');
    }
    true
}

#[inline(always)]
fn write_str(out: &mut Vec<u8>, s: &str) -> Result<(), GiveUp> {
    if write_plain(out, s.as_bytes(), false, false) {
        Ok(())
    } else {
        write_escaped(out, s)
    }
}

/// An object key: `"key":`, after a `,` unless it is the first.
#[inline(always)]
fn write_key(out: &mut Vec<u8>, comma: bool, key: &str) -> Result<(), GiveUp> {
    if write_plain(out, key.as_bytes(), comma, true) {
        return Ok(());
    }
    if comma {
        out.push(b',');
    }
    write_escaped(out, key)?;
    out.push(b':');
    Ok(())
}

/// A string that needs escaping, written by serde_json (kept out of line: rare).
#[cold]
#[inline(never)]
fn write_escaped(out: &mut Vec<u8>, s: &str) -> Result<(), GiveUp> {
    serde_json::to_writer(&mut *out, s).map_err(|_| GiveUp)
}

fn write_int(out: &mut Vec<u8>, n: impl itoa::Integer) {
    out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
}

/// A sequence or map in progress.
struct Compound<'w, 'a> {
    w: &'w mut Writer<'a>,
    first: bool,
    /// Closing bytes (`]`, `}`, or `]}` / `}}` for an enum variant's content).
    close: &'static [u8],
}

impl Compound<'_, '_> {
    fn comma(&mut self) {
        if self.first {
            self.first = false;
        } else {
            self.w.out.push(b',');
        }
    }

    fn field<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) -> Result<(), GiveUp> {
        let comma = !std::mem::replace(&mut self.first, false);
        write_key(self.w.out, comma, key)?;
        value.serialize(&mut *self.w)
    }

    fn finish(self) -> Result<(), GiveUp> {
        self.w.out.extend_from_slice(self.close);
        Ok(())
    }
}

impl<'w, 'a> Writer<'a> {
    fn open(&'w mut self, open: &[u8], close: &'static [u8]) -> Compound<'w, 'a> {
        self.out.extend_from_slice(open);
        Compound {
            w: self,
            first: true,
            close,
        }
    }

    /// `{"variant":` before an enum variant's content.
    fn variant_key(&mut self, variant: &str) -> Result<(), GiveUp> {
        self.out.push(b'{');
        write_str(self.out, variant)?;
        self.out.push(b':');
        Ok(())
    }
}

impl<'w, 'a> ser::Serializer for &'w mut Writer<'a> {
    type Ok = ();
    type Error = GiveUp;
    type SerializeSeq = Compound<'w, 'a>;
    type SerializeTuple = Compound<'w, 'a>;
    type SerializeTupleStruct = Compound<'w, 'a>;
    type SerializeTupleVariant = Compound<'w, 'a>;
    type SerializeMap = Compound<'w, 'a>;
    type SerializeStruct = Compound<'w, 'a>;
    type SerializeStructVariant = Compound<'w, 'a>;

    fn serialize_bool(self, v: bool) -> Result<(), GiveUp> {
        self.out
            .extend_from_slice(if v { b"true" } else { b"false" });
        Ok(())
    }
    fn serialize_i8(self, v: i8) -> Result<(), GiveUp> {
        write_int(self.out, v);
        Ok(())
    }
    fn serialize_i16(self, v: i16) -> Result<(), GiveUp> {
        write_int(self.out, v);
        Ok(())
    }
    fn serialize_i32(self, v: i32) -> Result<(), GiveUp> {
        write_int(self.out, v);
        Ok(())
    }
    fn serialize_i64(self, v: i64) -> Result<(), GiveUp> {
        write_int(self.out, v);
        Ok(())
    }
    fn serialize_i128(self, v: i128) -> Result<(), GiveUp> {
        write_int(self.out, v);
        Ok(())
    }
    fn serialize_u8(self, v: u8) -> Result<(), GiveUp> {
        write_int(self.out, v);
        Ok(())
    }
    fn serialize_u16(self, v: u16) -> Result<(), GiveUp> {
        write_int(self.out, v);
        Ok(())
    }
    fn serialize_u32(self, v: u32) -> Result<(), GiveUp> {
        write_int(self.out, v);
        Ok(())
    }
    fn serialize_u64(self, v: u64) -> Result<(), GiveUp> {
        write_int(self.out, v);
        Ok(())
    }
    fn serialize_u128(self, v: u128) -> Result<(), GiveUp> {
        write_int(self.out, v);
        Ok(())
    }
    fn serialize_f32(self, v: f32) -> Result<(), GiveUp> {
        serde_json::to_writer(&mut *self.out, &v).map_err(|_| GiveUp)
    }
    fn serialize_f64(self, v: f64) -> Result<(), GiveUp> {
        serde_json::to_writer(&mut *self.out, &v).map_err(|_| GiveUp)
    }
    fn serialize_char(self, v: char) -> Result<(), GiveUp> {
        write_str(self.out, v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_str(self, v: &str) -> Result<(), GiveUp> {
        write_str(self.out, v)
    }
    fn serialize_bytes(self, _v: &[u8]) -> Result<(), GiveUp> {
        Err(GiveUp)
    }
    fn serialize_none(self) -> Result<(), GiveUp> {
        self.out.extend_from_slice(b"null");
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), GiveUp> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), GiveUp> {
        self.serialize_none()
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), GiveUp> {
        self.serialize_none()
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<(), GiveUp> {
        write_str(self.out, variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &T,
    ) -> Result<(), GiveUp> {
        if name.starts_with("$serde_json") {
            // serde_json's raw values and arbitrary-precision numbers: its own business.
            return Err(GiveUp);
        }
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), GiveUp> {
        self.variant_key(variant)?;
        value.serialize(&mut *self)?;
        self.out.push(b'}');
        Ok(())
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq, GiveUp> {
        Ok(self.open(b"[", b"]"))
    }
    fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple, GiveUp> {
        Ok(self.open(b"[", b"]"))
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleStruct, GiveUp> {
        Ok(self.open(b"[", b"]"))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, GiveUp> {
        self.variant_key(variant)?;
        Ok(self.open(b"[", b"]}"))
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap, GiveUp> {
        Ok(self.open(b"{", b"}"))
    }
    fn serialize_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStruct, GiveUp> {
        Ok(self.open(b"{", b"}"))
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, GiveUp> {
        self.variant_key(variant)?;
        Ok(self.open(b"{", b"}}"))
    }
}

/// The serde traits of sequences, tuples and structs, all written by one [`Compound`]: each
/// element method writes a separator and the value, each keyed field method its key too.
macro_rules! compound_impls {
    ($($trait:ident :: $method:ident (elem)),* ; $($ktrait:ident :: $kmethod:ident (field)),*) => {
        $(impl ser::$trait for Compound<'_, '_> {
            type Ok = ();
            type Error = GiveUp;
            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), GiveUp> {
                self.comma();
                value.serialize(&mut *self.w)
            }
            fn end(self) -> Result<(), GiveUp> {
                self.finish()
            }
        })*
        $(impl ser::$ktrait for Compound<'_, '_> {
            type Ok = ();
            type Error = GiveUp;
            fn $kmethod<T: Serialize + ?Sized>(
                &mut self,
                key: &'static str,
                value: &T,
            ) -> Result<(), GiveUp> {
                self.field(key, value)
            }
            fn end(self) -> Result<(), GiveUp> {
                self.finish()
            }
        })*
    };
}

compound_impls! {
    SerializeSeq::serialize_element(elem),
    SerializeTuple::serialize_element(elem),
    SerializeTupleStruct::serialize_field(elem),
    SerializeTupleVariant::serialize_field(elem);
    SerializeStruct::serialize_field(field),
    SerializeStructVariant::serialize_field(field)
}

impl ser::SerializeMap for Compound<'_, '_> {
    type Ok = ();
    type Error = GiveUp;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), GiveUp> {
        let comma = !std::mem::replace(&mut self.first, false);
        key.serialize(KeyWriter {
            out: self.w.out,
            comma,
        })
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), GiveUp> {
        value.serialize(&mut *self.w)
    }
    fn end(self) -> Result<(), GiveUp> {
        self.finish()
    }
}

/// Serializer methods of one argument that give up (map keys serde_json quotes or rejects).
macro_rules! give_up {
    ($($method:ident($ty:ty)),* $(,)?) => {
        $(fn $method(self, _v: $ty) -> Result<(), GiveUp> {
            Err(GiveUp)
        })*
    };
}

/// Writes a map key with its `:` (and a `,` before it unless it is the first): strings (and
/// what serializes as one) only; anything else gives up.
struct KeyWriter<'a> {
    out: &'a mut Vec<u8>,
    comma: bool,
}

impl ser::Serializer for KeyWriter<'_> {
    type Ok = ();
    type Error = GiveUp;
    type SerializeSeq = ser::Impossible<(), GiveUp>;
    type SerializeTuple = ser::Impossible<(), GiveUp>;
    type SerializeTupleStruct = ser::Impossible<(), GiveUp>;
    type SerializeTupleVariant = ser::Impossible<(), GiveUp>;
    type SerializeMap = ser::Impossible<(), GiveUp>;
    type SerializeStruct = ser::Impossible<(), GiveUp>;
    type SerializeStructVariant = ser::Impossible<(), GiveUp>;

    fn serialize_str(self, v: &str) -> Result<(), GiveUp> {
        write_key(self.out, self.comma, v)
    }
    fn serialize_char(self, v: char) -> Result<(), GiveUp> {
        write_key(self.out, self.comma, v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<(), GiveUp> {
        write_key(self.out, self.comma, variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &T,
    ) -> Result<(), GiveUp> {
        if name.starts_with("$serde_json") {
            return Err(GiveUp);
        }
        value.serialize(self)
    }
    give_up! {
        serialize_bool(bool), serialize_i8(i8), serialize_i16(i16), serialize_i32(i32),
        serialize_i64(i64), serialize_u8(u8), serialize_u16(u16), serialize_u32(u32),
        serialize_u64(u64), serialize_f32(f32), serialize_f64(f64), serialize_bytes(&[u8]),
        serialize_unit_struct(&'static str)
    }
    fn serialize_none(self) -> Result<(), GiveUp> {
        Err(GiveUp)
    }
    fn serialize_unit(self) -> Result<(), GiveUp> {
        Err(GiveUp)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, _value: &T) -> Result<(), GiveUp> {
        Err(GiveUp)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result<(), GiveUp> {
        Err(GiveUp)
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq, GiveUp> {
        Err(GiveUp)
    }
    fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple, GiveUp> {
        Err(GiveUp)
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleStruct, GiveUp> {
        Err(GiveUp)
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, GiveUp> {
        Err(GiveUp)
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap, GiveUp> {
        Err(GiveUp)
    }
    fn serialize_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStruct, GiveUp> {
        Err(GiveUp)
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, GiveUp> {
        Err(GiveUp)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde::Serialize;
    use serde_json::json;

    use super::*;

    fn same<T: Serialize + ?Sized>(value: &T) {
        let fast = to_vec_compact(value).unwrap();
        let reference = serde_json::to_vec(value).unwrap();
        assert_eq!(
            String::from_utf8_lossy(&fast),
            String::from_utf8_lossy(&reference)
        );
    }

    #[derive(Serialize)]
    enum Shape {
        Unit,
        Newtype(u8),
        Tuple(i8, String),
        Struct { a: Option<u8>, b: Vec<()> },
    }

    #[derive(Serialize)]
    struct Everything {
        t: bool,
        f: bool,
        ints: (i8, i16, i32, i64, i128, u8, u16, u32, u64, u128),
        floats: (f32, f64, f64, f64, f64),
        c: char,
        escapes: &'static str,
        unicode: &'static str,
        bytes: &'static [u8],
        none: Option<String>,
        unit: (),
        shapes: Vec<Shape>,
        #[serde(flatten)]
        extra: BTreeMap<String, u8>,
        #[serde(skip_serializing_if = "Option::is_none")]
        skipped: Option<u8>,
        int_keys: BTreeMap<u32, &'static str>,
        empty_seq: Vec<u8>,
        empty_map: BTreeMap<String, u8>,
    }

    #[test]
    fn every_serde_shape_matches_serde_json() {
        same(&Everything {
            t: true,
            f: false,
            ints: (
                i8::MIN,
                -300,
                i32::MIN,
                i64::MIN,
                i128::MIN,
                255,
                65535,
                7,
                u64::MAX,
                u128::MAX,
            ),
            floats: (1.5, 0.1, -0.0, f64::NAN, 1e300),
            c: '"',
            escapes: "tab\tquote\" backslash\\ nl\n nul\u{0} del\u{7f} </script>",
            unicode: "žluťoučký kůň 🐎 \u{2028}",
            bytes: b"ab",
            none: None,
            unit: (),
            shapes: vec![
                Shape::Unit,
                Shape::Newtype(3),
                Shape::Tuple(-1, "x\"y".into()),
                Shape::Struct {
                    a: None,
                    b: vec![(), ()],
                },
            ],
            extra: [("k\n".to_owned(), 1), ("z".to_owned(), 2)].into(),
            skipped: None,
            int_keys: [(1, "a"), (20, "b")].into(),
            empty_seq: vec![],
            empty_map: BTreeMap::new(),
        });
    }

    #[test]
    fn json_values_match_serde_json() {
        same(&json!({
            "a": [1, -2, 3.25, null, true, "s\u{1}"],
            "nested": {"x": {"y": []}, "": {}},
            "big": 18446744073709551615u64,
            "neg": -9223372036854775808i64,
        }));
        same("plain");
        same(&[0.5f32]);
    }

    #[test]
    fn plain_writer_finds_every_escaped_byte_at_every_position() {
        for b in 0u8..=255 {
            let needs = b < 0x20 || b == b'"' || b == b'\\';
            for len in 1..=20 {
                for at in 0..len {
                    // Neighbours that stress the borrow of the SWAR subtraction.
                    for fill in [b'a', 0x80, 0xff, 0x21, 0x20] {
                        let mut s = vec![fill; len];
                        s[at] = b;
                        let mut out = b"kept".to_vec();
                        for (comma, colon) in [(false, false), (true, true), (true, false)] {
                            out.truncate(4);
                            let plain = write_plain(&mut out, &s, comma, colon);
                            assert_eq!(plain, !needs, "byte {b:#x} at {at} of {len}");
                            if plain {
                                let lead: &[u8] = if comma { b",\"" } else { b"\"" };
                                let tail: &[u8] = if colon { b"\":" } else { b"\"" };
                                assert_eq!(out[4..], [lead, &s, tail].concat());
                            } else {
                                assert_eq!(out, b"kept");
                            }
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn strings_of_every_length_and_byte_match_serde_json() {
        let mut out = Vec::new();
        for len in 0..=20 {
            for at in 0..len.max(1) {
                for b in (0u8..0x80).map(char::from).chain(['é', '€', '🐎']) {
                    let mut s: String = "x".repeat(len);
                    if len > 0 {
                        s.replace_range(at..=at, b.encode_utf8(&mut [0; 4]));
                    }
                    out.clear();
                    write_str(&mut out, &s).unwrap();
                    let quoted = serde_json::to_vec(&s).unwrap();
                    assert_eq!(out, quoted, "{s:?}");
                    out.clear();
                    write_key(&mut out, true, &s).unwrap();
                    assert_eq!(out, [&b","[..], &quoted, b":"].concat(), "key {s:?}");
                }
            }
        }
    }

    #[test]
    fn a_failing_serialize_reports_serde_json_s_error() {
        struct Fails;
        impl Serialize for Fails {
            fn serialize<S: serde::Serializer>(&self, _s: S) -> Result<S::Ok, S::Error> {
                Err(serde::ser::Error::custom("nope"))
            }
        }
        let mut out = b"kept".to_vec();
        let err = write_compact(&mut out, &vec![Fails]).unwrap_err();
        assert!(err.to_string().contains("nope"));
    }
}
