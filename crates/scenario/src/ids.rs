//! Format-only checks of vendor ids (fixture ids must look like the vendor's real ids).

use eventmock_fake::Generator;
use eventmock_fake::codec::IdFormat;
use eventmock_fake::vendors::{AuthentikGen, CfGen, HaloGen, InstavmGen, ProbelyGen};
use eventmock_model::Vendor;

/// The Bitcoin Base58 alphabet (no `0`, `O`, `I`, `l`).
const BASE58: &str = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

/// The id format of a vendor, as its generator declares it.
pub fn id_format(vendor: Vendor) -> IdFormat {
    match vendor {
        Vendor::Probely => ProbelyGen::ID_FORMAT,
        Vendor::Authentik => AuthentikGen::ID_FORMAT,
        Vendor::Halo => HaloGen::ID_FORMAT,
        Vendor::Instavm => InstavmGen::ID_FORMAT,
        Vendor::CloudFoundry => CfGen::ID_FORMAT,
    }
}

/// Where a vendor's event keeps its id (`pk`, `metadata.guid`, ...).
pub fn id_path(vendor: Vendor) -> &'static [&'static str] {
    match vendor {
        Vendor::Probely | Vendor::Instavm => &["id"],
        Vendor::Authentik => &["pk"],
        Vendor::Halo => &["event_id"],
        Vendor::CloudFoundry => &["metadata", "guid"],
    }
}

/// The id in an event object of `vendor`, if the object has one.
pub fn id_in(
    vendor: Vendor,
    event: &serde_json::Map<String, serde_json::Value>,
) -> Option<&serde_json::Value> {
    let (first, rest) = id_path(vendor).split_first()?;
    let mut v = event.get(*first)?;
    for key in rest {
        v = v.get(*key)?;
    }
    Some(v)
}

/// Whether `id` has the shape of an id in `format` (it need not belong to any dataset):
/// Probely 12 Base58 characters; UUIDs hyphenated 8-4-4-4-12 hex of any version; Halo 14
/// digits then 35 lower-case hex digits.
pub fn well_formed(format: IdFormat, id: &str) -> bool {
    match format {
        IdFormat::Base58x12 => id.len() == 12 && id.chars().all(|c| BASE58.contains(c)),
        IdFormat::UuidV4 | IdFormat::UuidV7 => is_hyphenated_uuid(id),
        IdFormat::HaloTimestampHex => {
            let b = id.as_bytes();
            b.len() == 49
                && b[..14].iter().all(u8::is_ascii_digit)
                && b[14..]
                    .iter()
                    .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(c))
        }
    }
}

/// What an id of `format` looks like, for error messages.
pub fn describe(format: IdFormat) -> &'static str {
    match format {
        IdFormat::Base58x12 => "12 Base58 characters such as `8ZPSKwzYcMfh`",
        IdFormat::UuidV4 | IdFormat::UuidV7 => {
            "a hyphenated UUID such as `3fa85f64-5717-4562-b3fc-2c963f66afa6`"
        }
        IdFormat::HaloTimestampHex => "14 digits then 35 lower-case hex digits (49 characters)",
    }
}

/// `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` with hex digits of either case.
fn is_hyphenated_uuid(id: &str) -> bool {
    let b = id.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        let p = id_format(Vendor::Probely);
        assert!(well_formed(p, "8ZPSKwzYcMfh"));
        assert!(!well_formed(p, "8ZPSKwzYcMf0"));
        assert!(!well_formed(p, "8ZPSKwzYcMf"));
        let a = id_format(Vendor::Authentik);
        assert!(well_formed(a, "3fa85f64-5717-4562-b3fc-2c963f66afa6"));
        assert!(well_formed(a, "3FA85F64-5717-1562-B3FC-2C963F66AFA6"));
        assert!(!well_formed(a, "3fa85f6457174562b3fc2c963f66afa6"));
        let h = id_format(Vendor::Halo);
        let halo = format!("20251224100000{}", "a1".repeat(17) + "b");
        assert!(well_formed(h, &halo));
        assert!(!well_formed(h, &halo.to_uppercase()));
        assert!(well_formed(
            id_format(Vendor::Instavm),
            "0190b2c4-5e6f-7a8b-9c0d-1e2f3a4b5c6d"
        ));
    }

    #[test]
    fn generated_ids_are_well_formed() {
        for vendor in Vendor::ALL {
            let ds = eventmock_fake::AnyDataset::new(vendor, Default::default()).unwrap();
            for i in [0, 1, 999] {
                assert!(well_formed(id_format(vendor), &ds.id(i)), "{vendor} {i}");
            }
        }
    }
}
