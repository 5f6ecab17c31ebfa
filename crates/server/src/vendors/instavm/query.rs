//! The list endpoint's query parameters (validated as FastAPI/pydantic v2 do, see
//! [`fastapi`]) and the opaque cursor.

use eventmock_fake::mix::{mix64, subkey};

use crate::request::Req;
use crate::response::Reply;
use crate::vendors::dialects::fastapi::{self, Validation};

/// Default `limit` of `GET /v1/audit/events`.
pub const DEFAULT_LIMIT: u64 = 50;
/// Largest `limit` accepted (`le=200`).
pub const MAX_LIMIT: u64 = 200;

/// A string filter: absent and empty both mean "no filter" (the app tests `if value:`).
pub fn text<'a>(req: &'a Req, key: &str) -> Option<&'a str> {
    fastapi::last(req, key).filter(|v| !v.is_empty())
}

/// The validated parameters of `GET /v1/audit/events`.
#[derive(Debug)]
pub struct ListParams<'a> {
    /// `event_group` filter.
    pub event_group: Option<&'a str>,
    /// `event_type` filter.
    pub event_type: Option<&'a str>,
    /// `status` filter.
    pub status: Option<&'a str>,
    /// `user_id` filter.
    pub user_id: Option<i128>,
    /// `vm_id` filter.
    pub vm_id: Option<&'a str>,
    /// `session_id` filter.
    pub session_id: Option<&'a str>,
    /// The raw cursor (not yet decoded).
    pub cursor: Option<&'a str>,
    /// Page size, 1..=200.
    pub limit: u64,
}

impl<'a> ListParams<'a> {
    /// Validates in the endpoint's declaration order (`event_group`, `event_type`, `status`,
    /// `user_id`, `vm_id`, `session_id`, `cursor`, `limit`), collecting every error as
    /// FastAPI does.
    pub fn parse(req: &'a Req) -> Result<Self, Reply> {
        let mut validation = Validation::new();
        let user_id = validation.int(req, "user_id", None, None);
        let limit = validation.int(req, "limit", Some(1), Some(MAX_LIMIT as i128));
        validation.finish()?;
        let limit = limit.map_or(DEFAULT_LIMIT, |v| v as u64);
        Ok(Self {
            event_group: text(req, "event_group"),
            event_type: text(req, "event_type"),
            status: text(req, "status"),
            user_id,
            vm_id: text(req, "vm_id"),
            session_id: text(req, "session_id"),
            cursor: text(req, "cursor"),
            limit,
        })
    }
}

/// Opaque cursors: 16 hex digits of the masked position (counted from the newest event)
/// and 8 hex digits of a checksum, both keyed to the dataset, so cursors of another dataset
/// or garbled ones are rejected.
#[derive(Debug, Clone, Copy)]
pub struct CursorCodec {
    /// Masks the position.
    mask: u64,
    /// Keys the checksum.
    check: u64,
}

impl CursorCodec {
    /// A codec keyed by the dataset key.
    pub fn new(dataset_key: u64) -> Self {
        Self {
            mask: subkey(dataset_key, 0x1C5_C0DE),
            check: subkey(dataset_key, 0x1C5_C4EC),
        }
    }

    fn checksum(&self, pos: u64) -> u32 {
        (mix64(pos ^ self.check) >> 32) as u32
    }

    /// The cursor of position `pos`.
    pub fn encode(&self, pos: u64) -> String {
        format!("{:016x}{:08x}", pos ^ self.mask, self.checksum(pos))
    }

    /// The position of a cursor, `None` if it is not one of ours.
    pub fn decode(&self, cursor: &str) -> Option<u64> {
        let valid = cursor.len() == 24
            && cursor
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        if !valid {
            return None;
        }
        let masked = u64::from_str_radix(cursor.get(..16)?, 16).ok()?;
        let sum = u32::from_str_radix(cursor.get(16..)?, 16).ok()?;
        let pos = masked ^ self.mask;
        (self.checksum(pos) == sum).then_some(pos)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_forgeries() {
        let c = CursorCodec::new(7);
        for pos in [0, 1, 50, 999, u64::MAX] {
            assert_eq!(c.decode(&c.encode(pos)), Some(pos));
        }
        let good = c.encode(50);
        let mut bad = good.clone().into_bytes();
        bad[23] = if bad[23] == b'0' { b'1' } else { b'0' };
        assert_eq!(c.decode(std::str::from_utf8(&bad).unwrap()), None);
        assert_eq!(CursorCodec::new(8).decode(&good), None);
        assert_eq!(c.decode(&good.to_uppercase()), None);
        assert_eq!(c.decode("x"), None);
        assert_eq!(c.decode("é".repeat(12).as_str()), None);
    }
}
