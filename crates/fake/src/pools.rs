//! Per-dataset pools of realistic values (people, user agents, addresses, domains), built once
//! from the dataset's own ChaCha8 stream (names with the `fake` crate, the rest from the tables
//! of [`crate::realism`]) and then indexed per event.
//!
//! Building values for every event would cost several microseconds; picking from a pool costs
//! one random draw and a clone, and a bounded pool also makes filters (by username, by address)
//! find several events, as in real data. Pools whose entries have shares (user agents, places)
//! hold each entry as often as its share, so a uniform pick is a weighted one.

use fake::Fake;
use fake::faker::company::en::CompanyName;
use fake::faker::internet::en::DomainSuffix;
use fake::faker::name::en::{FirstName, LastName};
use rand::Rng;

use crate::realism::agents::AGENTS;
use crate::realism::places::{Place, address};
use crate::realism::{expand, skewed};
use crate::rng::StreamFactory;

/// How many client addresses a dataset's clients connect from.
pub const ADDRESSES: usize = 256;
/// Entries of the user-agent pool (each agent as often as its share).
const AGENT_SLOTS: usize = 100;
/// Organisation domains per dataset: the company's own first, then partners' and contractors'.
const DOMAINS: usize = 8;
/// The default size of a dataset's user population (scenario `users:`).
pub const DEFAULT_USERS: u32 = 200;
/// The largest user population a dataset may have.
pub const MAX_USERS: u32 = 100_000;

/// A client address and the place it belongs to.
#[derive(Debug, Clone, PartialEq)]
pub struct Address {
    /// Dotted IPv4.
    pub ip: String,
    /// Where it is (country, city, coordinates).
    pub place: &'static Place,
}

/// A fake person, with the identifiers systems derive from a name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    /// Given name.
    pub first: String,
    /// Family name.
    pub last: String,
    /// `first.last` in lower case, ASCII only.
    pub username: String,
    /// `username@domain`.
    pub email: String,
}

/// The value pools of one dataset.
#[derive(Debug, Clone)]
pub struct Pools {
    /// People (users, actors), busiest first: pick with [`Pools::person`].
    pub people: Vec<Person>,
    /// Browser and client user agents, each as often as its share.
    pub user_agents: Vec<String>,
    /// Public client addresses with their places.
    pub ips: Vec<Address>,
    /// Organisation domains such as `acme-labs.com`; the first is the company's own.
    pub domains: Vec<String>,
}

fn slug(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    if out.is_empty() {
        out.push_str("example");
    }
    out
}

impl Pools {
    /// Builds the pools of a dataset with `users` people (at least 1) from its stream factory.
    pub fn build(streams: &StreamFactory, users: u32) -> Self {
        let mut rng = streams.pool_stream(0);
        let domains: Vec<String> = (0..DOMAINS)
            .map(|_| {
                let company: String = CompanyName().fake_with_rng(&mut rng);
                let suffix: String = DomainSuffix().fake_with_rng(&mut rng);
                format!("{}.{}", slug(&company), suffix)
            })
            .collect();
        let mut seen = std::collections::HashSet::new();
        let people = (0..users.clamp(1, MAX_USERS) as usize)
            .map(|n| {
                let first: String = FirstName().fake_with_rng(&mut rng);
                let last: String = LastName().fake_with_rng(&mut rng);
                // Usernames are unique, as in a directory: a second John Smith is john.smith2.
                let base = format!("{}.{}", slug(&first), slug(&last));
                let mut username = base.clone();
                let mut k = 2;
                while !seen.insert(username.clone()) {
                    username = format!("{base}{k}");
                    k += 1;
                }
                // Most people work for the company; every tenth is a partner or contractor.
                let domain = if n % 10 == 9 {
                    &domains[1 + n / 10 % (DOMAINS - 1)]
                } else {
                    &domains[0]
                };
                let email = format!("{username}@{domain}");
                Person {
                    first,
                    last,
                    username,
                    email,
                }
            })
            .collect();
        let user_agents = expand(AGENTS, AGENT_SLOTS)
            .into_iter()
            .map(str::to_owned)
            .collect();
        let ips = (0..ADDRESSES)
            .map(|_| {
                let (ip, place) = address(rng.next_u64());
                Address { ip, place }
            })
            .collect();
        Pools {
            people,
            user_agents,
            ips,
            domains,
        }
    }

    /// The person of random word `x`: a few people cause most events ([`skewed`]).
    #[inline]
    pub fn person(&self, x: u64) -> &Person {
        &self.people[skewed(x, self.people.len())]
    }

    /// The company's own domain.
    pub fn company_domain(&self) -> &str {
        &self.domains[0]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::dataset_key;
    use eventmock_model::Vendor;

    #[test]
    fn pools_are_deterministic() {
        let f = StreamFactory::new(dataset_key(7, Vendor::Authentik));
        let a = Pools::build(&f, 500);
        let b = Pools::build(&f, 500);
        assert_eq!(a.people, b.people);
        assert_eq!(a.ips, b.ips);
        assert_eq!(a.people.len(), 500);
        assert!(
            a.people
                .iter()
                .all(|p| p.email.contains('@') && p.username.is_ascii())
        );
        let unique: std::collections::HashSet<_> = a.people.iter().map(|p| &p.username).collect();
        assert_eq!(unique.len(), 500, "usernames are unique");
        let own = a
            .people
            .iter()
            .filter(|p| p.email.ends_with(a.company_domain()))
            .count();
        assert_eq!(own, 450, "nine in ten work for the company");
        assert_eq!(Pools::build(&f, 0).people.len(), 1);
    }

    #[test]
    fn slugs_are_clean() {
        assert_eq!(slug("Smith, Jones and Sons"), "smith-jones-and-sons");
        assert_eq!(slug("--"), "example");
    }
}
