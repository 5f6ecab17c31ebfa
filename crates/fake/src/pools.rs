//! Per-dataset pools of realistic values (people, user agents, addresses, hosts), built once
//! with the `fake` crate from the dataset's own ChaCha8 stream and then indexed per event.
//!
//! Building values with `fake` for every event would cost several microseconds; picking from a
//! pool costs one random draw and a clone, and a small pool also makes filters (by username,
//! by host) find several events, as in real data.

use fake::Fake;
use fake::faker::company::en::CompanyName;
use fake::faker::internet::en::{DomainSuffix, IPv4, UserAgent};
use fake::faker::lorem::en::Word;
use fake::faker::name::en::{FirstName, LastName};

use crate::rng::StreamFactory;

/// How many entries each pool holds.
pub const POOL_SIZE: usize = 256;

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
    /// People (users, actors).
    pub people: Vec<Person>,
    /// Browser and client user agents.
    pub user_agents: Vec<String>,
    /// Client IPv4 addresses.
    pub ips: Vec<String>,
    /// Organisation domains such as `acme-labs.com`.
    pub domains: Vec<String>,
    /// Short lower-case words (for names of apps, spaces, targets).
    pub words: Vec<String>,
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
    /// Builds the pools of a dataset from its stream factory.
    pub fn build(streams: &StreamFactory) -> Self {
        let mut rng = streams.pool_stream(0);
        let domains: Vec<String> = (0..POOL_SIZE / 8)
            .map(|_| {
                let company: String = CompanyName().fake_with_rng(&mut rng);
                let suffix: String = DomainSuffix().fake_with_rng(&mut rng);
                format!("{}.{}", slug(&company), suffix)
            })
            .collect();
        let people = (0..POOL_SIZE)
            .map(|n| {
                let first: String = FirstName().fake_with_rng(&mut rng);
                let last: String = LastName().fake_with_rng(&mut rng);
                let username = format!("{}.{}", slug(&first), slug(&last));
                let email = format!("{username}@{}", domains[n % domains.len()]);
                Person {
                    first,
                    last,
                    username,
                    email,
                }
            })
            .collect();
        let user_agents = (0..POOL_SIZE / 4)
            .map(|_| UserAgent().fake_with_rng(&mut rng))
            .collect();
        let ips = (0..POOL_SIZE)
            .map(|_| IPv4().fake_with_rng(&mut rng))
            .collect();
        let mut words: Vec<String> = (0..POOL_SIZE)
            .map(|_| slug(&Word().fake_with_rng::<String, _>(&mut rng)))
            .collect();
        words.dedup();
        Pools {
            people,
            user_agents,
            ips,
            domains,
            words,
        }
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
        let a = Pools::build(&f);
        let b = Pools::build(&f);
        assert_eq!(a.people, b.people);
        assert_eq!(a.ips, b.ips);
        assert!(
            a.people
                .iter()
                .all(|p| p.email.contains('@') && p.username.is_ascii())
        );
    }

    #[test]
    fn slugs_are_clean() {
        assert_eq!(slug("Smith, Jones and Sons"), "smith-jones-and-sons");
        assert_eq!(slug("--"), "example");
    }
}
