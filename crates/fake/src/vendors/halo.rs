//! Halo Security events: key and subject pair as in `types.json`, `url` embeds the event id,
//! `date_created` is `YYYY-MM-DD HH:MM` of the same instant the id starts with.

use eventmock_model::Vendor;
use eventmock_model::halo::{EVENT_TYPES, Event, Target};

use super::reuse::{put_joined, put_str};
use crate::codec::IdFormat;
use crate::dataset::{Context, Generator};
use crate::realism::names::SITES;
use crate::realism::{Weights, skewed};
use crate::rng::EventRng;
use crate::time::{Civil, date_minutes_civil, date_minutes_civil_into};

/// How often each event key appears: scans and what they find dominate; account changes, PCI
/// report steps and the website monitors' findings are rare. A key not listed has share 1.
pub const KEY_WEIGHTS: &[(&str, u32)] = &[
    ("target-scan-start", 10),
    ("target-scan-complete", 10),
    ("technology-add", 4),
    ("website-cert-expiring", 2),
    ("domain-scan-start", 14),
    ("domain-scan-complete", 14),
    ("network-scan-start", 12),
    ("network-scan-complete", 12),
    ("issue-add", 10),
    ("network-port-add", 6),
    ("network-port-close", 4),
    ("domain-host-add", 5),
    ("network-ip-add", 3),
    ("network-ip-offline", 2),
    ("firewall-port-open", 2),
    ("domain-add", 1),
    ("domain-tld-add", 1),
    ("network-add", 1),
    ("domain-scan-complete-first", 1),
    ("network-scan-complete-first", 1),
    ("account-user-add", 1),
    ("account-apikey-add", 1),
    ("project-state-change", 1),
    ("project-engineer-assign", 1),
    ("project-file-attach", 1),
    ("pci-report-approve", 1),
    ("pci-report-reject", 1),
    ("pci-report-expire-soon", 1),
    ("pci-report-expire-today", 1),
    ("pci-report-expire", 1),
];

const TARGETS: usize = 16;
/// The prefix of an event's `url`; the event id follows.
pub const URL_PREFIX: &str = "https://www.halosecurity.com/link?q=user-event&id=";

/// Generates Halo Security events.
pub struct HaloGen {
    /// Stable targets, so `target_id` filters find several events.
    targets: Vec<Target>,
    /// The shares of the event types, in [`EVENT_TYPES`] order.
    types: Weights,
}

impl HaloGen {
    /// The dataset's targets (ids 1001..).
    pub fn targets(&self) -> &[Target] {
        &self.targets
    }
}

impl Generator for HaloGen {
    type Event = Event;
    const VENDOR: Vendor = Vendor::Halo;
    const ID_FORMAT: IdFormat = IdFormat::HaloTimestampHex;

    fn new(ctx: &Context) -> Self {
        let targets = (0..TARGETS)
            .map(|n| {
                let domain = &ctx.pools.domains[n / SITES.len() % 3];
                let (sub, label) = SITES[n % SITES.len()];
                let (name, target) = match n % 3 {
                    0 => (String::new(), format!("{sub}.{domain}")),
                    1 => (label.to_owned(), format!("{sub}.{domain}")),
                    // The company's own addresses (Halo scans IPs as well as hosts).
                    _ => (String::new(), ctx.pools.ips[n].ip.clone()),
                };
                Target {
                    target_name: name,
                    target_id: 1001 + n as i64,
                    target,
                }
            })
            .collect();
        let types = Weights::new(EVENT_TYPES.iter().map(|(key, _)| {
            KEY_WEIGHTS
                .iter()
                .find(|(k, _)| k == key)
                .map_or(1, |(_, w)| *w)
        }));
        Self { targets, types }
    }

    fn generate(&self, ctx: &Context, index: u64, rng: &mut EventRng) -> Event {
        let (key, subject) = EVENT_TYPES[self.types.pick(rng.next_u64())];
        // The id starts with the same instant `date_created` shows: break it down once.
        let time = Civil::from_micros(ctx.time_of(index));
        let event_id = ctx.codec.encode_at(index, &time);
        let mut url = String::with_capacity(URL_PREFIX.len() + event_id.len());
        url.push_str(URL_PREFIX);
        url.push_str(&event_id);
        let target = if key.starts_with("account-") {
            Target {
                target_name: String::new(),
                target_id: 0,
                target: String::new(),
            }
        } else {
            self.targets[skewed(rng.next_u64(), self.targets.len())].clone()
        };
        Event {
            event_id,
            subject: subject.to_owned(),
            date_created: date_minutes_civil(&time),
            key: key.to_owned(),
            url,
            target,
        }
    }

    crate::dataset::per_thread_scratch!(Event);

    /// Writes every field of `out` in place (no allocation once its strings are long enough).
    fn generate_into(&self, ctx: &Context, index: u64, rng: &mut EventRng, out: &mut Event) {
        let (key, subject) = EVENT_TYPES[self.types.pick(rng.next_u64())];
        // The id starts with the same instant `date_created` shows: break it down once.
        let time = Civil::from_micros(ctx.time_of(index));
        ctx.codec.encode_at_into(index, &time, &mut out.event_id);
        put_joined(&mut out.url, &[URL_PREFIX, &out.event_id]);
        let target = &mut out.target;
        if key.starts_with("account-") {
            target.target_name.clear();
            target.target_id = 0;
            target.target.clear();
        } else {
            let from = &self.targets[skewed(rng.next_u64(), self.targets.len())];
            put_str(&mut target.target_name, &from.target_name);
            target.target_id = from.target_id;
            put_str(&mut target.target, &from.target);
        }
        put_str(&mut out.subject, subject);
        date_minutes_civil_into(&time, &mut out.date_created);
        put_str(&mut out.key, key);
    }
}
