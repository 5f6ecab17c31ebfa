//! [`Input`]: structured values read from raw fuzz bytes. Reading past the end gives zeros, so
//! every input (even an empty one) is a valid value: the fuzzer never wastes runs on inputs
//! the harness rejects.

/// A cursor over the input bytes.
#[derive(Debug, Clone)]
pub struct Input<'a> {
    /// What is left to read.
    rest: &'a [u8],
}

impl<'a> Input<'a> {
    /// A cursor at the start of `data`.
    pub fn new(data: &'a [u8]) -> Self {
        Self { rest: data }
    }

    /// Whether everything was read.
    pub fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    /// The next byte (0 past the end).
    pub fn byte(&mut self) -> u8 {
        match self.rest.split_first() {
            Some((b, rest)) => {
                self.rest = rest;
                *b
            }
            None => 0,
        }
    }

    /// The next 8 bytes, little-endian (missing bytes are 0).
    pub fn u64(&mut self) -> u64 {
        let mut buf = [0u8; 8];
        for b in &mut buf {
            *b = self.byte();
        }
        u64::from_le_bytes(buf)
    }

    /// Up to `n` bytes.
    pub fn take(&mut self, n: usize) -> &'a [u8] {
        let (head, tail) = self.rest.split_at(n.min(self.rest.len()));
        self.rest = tail;
        head
    }

    /// Everything left.
    pub fn rest(&mut self) -> &'a [u8] {
        self.take(self.rest.len())
    }

    /// A string of up to `max` bytes (length from one byte; invalid UTF-8 replaced).
    pub fn string(&mut self, max: usize) -> String {
        let n = usize::from(self.byte()) % (max + 1);
        String::from_utf8_lossy(self.take(n)).into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reading_past_the_end_gives_zeros() {
        let mut input = Input::new(&[1, 2]);
        assert_eq!(input.u64(), 0x0201);
        assert_eq!(input.byte(), 0);
        assert!(input.is_empty());
        assert_eq!(input.string(10), "");
    }

    #[test]
    fn strings_take_their_length_from_one_byte() {
        let mut input = Input::new(b"\x03abcdef");
        assert_eq!(input.string(8), "abc");
        assert_eq!(input.rest(), b"def");
    }
}
