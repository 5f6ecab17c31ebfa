//! The [`Vendor`] enum: every vendor eventmock emulates, with its stable name.

use std::fmt;
use std::str::FromStr;

/// A vendor whose event API eventmock emulates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Vendor {
    /// Probely web scanner: `GET /events/{id}/`.
    Probely,
    /// authentik identity provider: `/api/v3/events/events/`.
    Authentik,
    /// Halo Security: `/api/v1/event/*.json`.
    Halo,
    /// InstaVM audit API: `/v1/audit/events/{event_id}`.
    Instavm,
    /// Cloud Foundry Cloud Controller v2: `/v2/events/{guid}`.
    CloudFoundry,
}

impl Vendor {
    /// Every vendor, in a fixed order (used for `--vendor all` and for output order).
    pub const ALL: [Vendor; 5] = [
        Vendor::Probely,
        Vendor::Authentik,
        Vendor::Halo,
        Vendor::Instavm,
        Vendor::CloudFoundry,
    ];

    /// The stable short name used on the command line, in scenarios and in URLs of the admin API.
    pub const fn name(self) -> &'static str {
        match self {
            Vendor::Probely => "probely",
            Vendor::Authentik => "authentik",
            Vendor::Halo => "halo",
            Vendor::Instavm => "instavm",
            Vendor::CloudFoundry => "cf",
        }
    }

    /// A small stable number per vendor, mixed into seeds so vendors never share random streams.
    pub const fn ordinal(self) -> u64 {
        match self {
            Vendor::Probely => 1,
            Vendor::Authentik => 2,
            Vendor::Halo => 3,
            Vendor::Instavm => 4,
            Vendor::CloudFoundry => 5,
        }
    }
}

impl fmt::Display for Vendor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The error returned when a vendor name is not known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownVendor(pub String);

impl fmt::Display for UnknownVendor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown vendor `{}` (expected one of: probely, authentik, halo, instavm, cf)",
            self.0
        )
    }
}

impl std::error::Error for UnknownVendor {}

impl FromStr for Vendor {
    type Err = UnknownVendor;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "probely" => Ok(Vendor::Probely),
            "authentik" => Ok(Vendor::Authentik),
            "halo" | "halosecurity" | "halo-security" => Ok(Vendor::Halo),
            "instavm" => Ok(Vendor::Instavm),
            "cf" | "cloudfoundry" | "cloud-foundry" => Ok(Vendor::CloudFoundry),
            _ => Err(UnknownVendor(s.to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for v in Vendor::ALL {
            assert_eq!(v.name().parse::<Vendor>(), Ok(v));
        }
        assert!("nope".parse::<Vendor>().is_err());
    }
}
