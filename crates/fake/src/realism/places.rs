//! Public client addresses and where they are: a small table of public unicast IPv4 /16
//! prefixes from the address registries of their region (ARIN, RIPE NCC, APNIC, LACNIC,
//! AFRINIC), each with the city a GeoIP lookup would name, weighted by how much traffic a
//! typical international company sees from there. No GeoIP download: an address's place is
//! the row its prefix came from, so `client_ip` and authentik's `context.geo` always agree.

use crate::mix::{below, mix64};

/// A place clients connect from, with the /16 prefix its addresses are drawn from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Place {
    /// The first two octets of every address of this place.
    pub prefix: [u8; 2],
    /// Continent code as GeoIP databases give it (`EU`, `NA`, …).
    pub continent: &'static str,
    /// ISO 3166-1 alpha-2 country code.
    pub country: &'static str,
    /// City.
    pub city: &'static str,
    /// Latitude of the city.
    pub lat: f64,
    /// Longitude of the city.
    pub long: f64,
    /// Relative share of clients.
    pub weight: u32,
}

const fn place(
    prefix: [u8; 2],
    continent: &'static str,
    country: &'static str,
    city: &'static str,
    lat: f64,
    long: f64,
    weight: u32,
) -> Place {
    Place {
        prefix,
        continent,
        country,
        city,
        lat,
        long,
        weight,
    }
}

/// Every place, with its prefix and share.
pub const PLACES: &[Place] = &[
    place(
        [73, 162],
        "NA",
        "US",
        "San Francisco",
        37.7749,
        -122.4194,
        9,
    ),
    place([71, 190], "NA", "US", "Dallas", 32.7767, -96.797, 6),
    place([3, 85], "NA", "US", "Ashburn", 39.0438, -77.4874, 8),
    place([34, 82], "NA", "US", "Council Bluffs", 41.2619, -95.8608, 4),
    place([108, 28], "NA", "US", "New York", 40.7128, -74.006, 8),
    place([99, 230], "NA", "CA", "Toronto", 43.6532, -79.3832, 3),
    place([86, 25], "EU", "GB", "London", 51.5074, -0.1278, 8),
    place([91, 64], "EU", "DE", "Berlin", 52.52, 13.405, 6),
    place([84, 153], "EU", "DE", "Munich", 48.1351, 11.582, 4),
    place([90, 24], "EU", "FR", "Paris", 48.8566, 2.3522, 5),
    place([83, 84], "EU", "NL", "Amsterdam", 52.3676, 4.9041, 4),
    place([83, 233], "EU", "SE", "Stockholm", 59.3293, 18.0686, 2),
    place([79, 19], "EU", "IT", "Milan", 45.4642, 9.19, 2),
    place([88, 12], "EU", "ES", "Madrid", 40.4168, -3.7038, 2),
    place([37, 228], "EU", "IE", "Dublin", 53.3498, -6.2603, 2),
    place([126, 72], "AS", "JP", "Tokyo", 35.6762, 139.6503, 4),
    place([49, 207], "AS", "IN", "Mumbai", 19.076, 72.8777, 4),
    place([175, 45], "AS", "SG", "Singapore", 1.3521, 103.8198, 2),
    place([1, 145], "OC", "AU", "Sydney", -33.8688, 151.2093, 2),
    place([177, 38], "SA", "BR", "São Paulo", -23.5505, -46.6333, 3),
    place([41, 190], "AF", "ZA", "Johannesburg", -26.2041, 28.0473, 1),
];

/// A public client address and its place, drawn from the random word `x`.
pub fn address(x: u64) -> (String, &'static Place) {
    let total: u64 = PLACES.iter().map(|p| u64::from(p.weight)).sum();
    let mut r = below(x, total);
    let mut chosen = &PLACES[0];
    for p in PLACES {
        if r < u64::from(p.weight) {
            chosen = p;
            break;
        }
        r -= u64::from(p.weight);
    }
    let host = mix64(x);
    let third = (host & 0xFF) as u8;
    // 1..=254: never the network's .0 or its .255.
    let fourth = 1 + below(mix64(host), 254) as u8;
    let ip = format!("{}.{}.{third}.{fourth}", chosen.prefix[0], chosen.prefix[1]);
    (ip, chosen)
}

/// The place an address of [`PLACES`] belongs to (`None` for any other address).
pub fn place_of(ip: &str) -> Option<&'static Place> {
    let mut parts = ip.split('.').map(|p| p.parse::<u8>().ok());
    let prefix = [parts.next()??, parts.next()??];
    PLACES.iter().find(|p| p.prefix == prefix)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    /// Public unicast: not private, loopback, link-local, multicast, broadcast, documentation,
    /// shared (100.64/10), benchmarking (198.18/15) or reserved (240/4), and not `0/8`.
    fn is_public_unicast(ip: Ipv4Addr) -> bool {
        let [a, b, ..] = ip.octets();
        !(ip.is_private()
            || ip.is_loopback()
            || ip.is_link_local()
            || ip.is_multicast()
            || ip.is_broadcast()
            || ip.is_documentation()
            || ip.is_unspecified()
            || a == 0
            || a >= 240
            || (a == 100 && (64..128).contains(&b))
            || (a == 198 && (b == 18 || b == 19)))
    }

    #[test]
    fn every_address_is_public_unicast_and_knows_its_place() {
        for x in 0..20_000u64 {
            let (ip, place) = address(mix64(x));
            let parsed: Ipv4Addr = ip.parse().expect("an IPv4 address");
            assert!(is_public_unicast(parsed), "{ip}");
            assert_eq!(place_of(&ip), Some(place), "{ip}");
            assert!(!ip.ends_with(".0") && !ip.ends_with(".255"), "{ip}");
        }
    }

    #[test]
    fn prefixes_are_distinct() {
        for (i, a) in PLACES.iter().enumerate() {
            for b in &PLACES[i + 1..] {
                assert_ne!(a.prefix, b.prefix, "{} and {}", a.city, b.city);
            }
        }
    }
}
