//! Probely account events: `event_type` decides `object_type` and the `content` object; webhook
//! `next_try` always follows `occurred_at`.

mod in_place;

use eventmock_model::Vendor;
use eventmock_model::probely::{
    ApiVersion, Content, Definition, Event, EventType, Finding, ObjectType, Scan, Site, SiteRef,
    Target, TargetRef, User, Webhook, WebhookStatus,
};

use super::base58_id;
use super::reuse::with_spare;
use crate::codec::IdFormat;
use crate::dataset::{Context, Generator};
use crate::realism::names::SITES;
use crate::realism::{Weights, skewed};
use crate::rng::EventRng;
use crate::time::rfc3339_micros;

/// Web properties scanned: the company's sites on its own domain and two others it owns.
const TARGETS: usize = 24;

/// How often each event type appears: findings and scans dominate, account changes are rare.
pub const EVENT_WEIGHTS: &[(EventType, u32)] = &[
    (EventType::FindingDetected, 30),
    (EventType::ScanStarted, 20),
    (EventType::ScanCompleted, 18),
    (EventType::FindingFixed, 15),
    (EventType::TargetVerified, 3),
    (EventType::TargetCreated, 3),
    (EventType::ScanFailed, 2),
    (EventType::UserCreated, 2),
    (EventType::ScanCanceled, 1),
    (EventType::TargetDeleted, 1),
    (EventType::TargetVerificationFailed, 1),
    (EventType::UserDeleted, 1),
];

const ROLES: &[&str] = &["admin", "regular", "read_only"];
const DEFINITIONS: &[(&str, &str, i32)] = &[
    ("SQL Injection", "sqli", 30),
    ("Cross-Site Scripting (XSS)", "xss", 30),
    ("Cross-Site Request Forgery", "csrf", 20),
    ("Missing Content Security Policy header", "csp", 10),
    ("Cookie without Secure flag", "cookie-secure", 10),
    ("Outdated TLS version supported", "tls-old", 20),
    ("Directory listing enabled", "dir-listing", 10),
    ("Server-Side Request Forgery", "ssrf", 30),
    ("Open Redirect", "open-redirect", 20),
    ("Exposed .git directory", "git-exposed", 30),
];
const PATHS: &[&str] = &[
    "/login",
    "/search",
    "/api/v1/users",
    "/admin",
    "/cart",
    "/account/settings",
];

/// Generates Probely events.
pub struct ProbelyGen {
    /// Stable targets, so several events concern the same target.
    targets: Vec<Target>,
    /// Stable account users.
    users: Vec<User>,
    /// Stable definition ids, one per [`DEFINITIONS`] entry.
    definition_ids: Vec<String>,
    /// The shares of [`EVENT_WEIGHTS`].
    events: Weights,
}

impl Generator for ProbelyGen {
    type Event = Event;
    const VENDOR: Vendor = Vendor::Probely;
    const ID_FORMAT: IdFormat = IdFormat::Base58x12;

    fn new(ctx: &Context) -> Self {
        let mut rng = ctx.streams.stream(u64::MAX - 1000);
        let start = ctx.config.anchor - ctx.config.window * 2;
        let targets = (0..TARGETS)
            .map(|n| {
                let (sub, label) = SITES[n % SITES.len()];
                let domain = &ctx.pools.domains[n / SITES.len() % 3];
                let host = format!("{sub}.{domain}");
                Target {
                    id: base58_id(&mut rng),
                    site: Site {
                        id: base58_id(&mut rng),
                        name: format!("{label} ({domain})"),
                        desc: String::new(),
                        url: format!("https://{host}/"),
                        host,
                        verified: rng.chance(80),
                    },
                    r#type: if n % 5 == 4 { "api" } else { "single" }.to_owned(),
                    risk: Some([0, 10, 20, 30][rng.below(4) as usize]),
                    lows: rng.below(20) as u32,
                    mediums: rng.below(8) as u32,
                    highs: rng.below(3) as u32,
                }
            })
            .collect();
        let users = (0..ctx.pools.people.len())
            .map(|n| {
                let p = &ctx.pools.people[n];
                User {
                    id: base58_id(&mut rng),
                    email: p.email.clone(),
                    name: format!("{} {}", p.first, p.last),
                    role: (*rng.pick(ROLES)).to_owned(),
                    is_active: true,
                    date_joined: rfc3339_micros(start + rng.below(ctx.config.window as u64) as i64),
                }
            })
            .collect();
        let definition_ids = DEFINITIONS.iter().map(|_| base58_id(&mut rng)).collect();
        Self {
            targets,
            users,
            definition_ids,
            events: Weights::new(EVENT_WEIGHTS.iter().map(|(_, w)| *w)),
        }
    }

    fn generate(&self, ctx: &Context, index: u64, rng: &mut EventRng) -> Event {
        let t = ctx.time_of(index);
        let occurred_at = rfc3339_micros(t);
        let event_type = EVENT_WEIGHTS[self.events.pick(rng.next_u64())].0;
        let target = &self.targets[skewed(rng.next_u64(), self.targets.len())];
        let content = match event_type.object_type() {
            ObjectType::User => {
                let mut u = self.users[skewed(rng.next_u64(), self.users.len())].clone();
                u.is_active = event_type != EventType::UserDeleted;
                Content::User(u)
            }
            ObjectType::Target => {
                let mut tg = target.clone();
                tg.site.verified = match event_type {
                    EventType::TargetVerified => true,
                    EventType::TargetVerificationFailed => false,
                    _ => tg.site.verified,
                };
                Content::Target(tg)
            }
            ObjectType::Scan => {
                let started = t - rng.range(60, 7200) * 1_000_000;
                let (status, completed) = match event_type {
                    EventType::ScanStarted => ("started", None),
                    EventType::ScanCanceled => ("canceled", Some(occurred_at.clone())),
                    EventType::ScanFailed => ("failed", Some(occurred_at.clone())),
                    _ => ("completed", Some(occurred_at.clone())),
                };
                let started_at = if event_type == EventType::ScanStarted {
                    occurred_at.clone()
                } else {
                    rfc3339_micros(started)
                };
                Content::Scan(Scan {
                    id: base58_id(rng),
                    target: Self::target_ref(target),
                    status: status.into(),
                    created: rfc3339_micros(started - 1_000_000),
                    started: Some(started_at),
                    completed,
                    lows: rng.below(20) as u32,
                    mediums: rng.below(8) as u32,
                    highs: rng.below(3) as u32,
                })
            }
            ObjectType::Finding => {
                let d = rng.below(DEFINITIONS.len() as u64) as usize;
                let (name, _, severity) = DEFINITIONS[d];
                let first = t - rng.range(0, 30 * 86_400) * 1_000_000;
                Content::Finding(Finding {
                    id: 1 + rng.below(99_999),
                    target: Self::target_ref(target),
                    definition: Definition {
                        id: self.definition_ids[d].clone(),
                        name: name.into(),
                    },
                    url: {
                        let base = target.site.url.trim_end_matches('/');
                        let path = rng.pick(PATHS);
                        let mut url = String::with_capacity(base.len() + path.len());
                        url.push_str(base);
                        url.push_str(path);
                        url
                    },
                    severity,
                    state: if event_type == EventType::FindingFixed {
                        "fixed"
                    } else {
                        "notfixed"
                    }
                    .into(),
                    first_found: rfc3339_micros(first),
                    last_found: occurred_at.clone(),
                })
            }
        };
        let hooks = rng.below(3) as usize;
        let webhooks = (0..hooks)
            .map(|_| {
                let status = *rng.pick(&WebhookStatus::ALL);
                let retries = match status {
                    WebhookStatus::Scheduled => 0,
                    WebhookStatus::Succeeded => rng.below(2) as i32,
                    WebhookStatus::Rescheduled => 1 + rng.below(4) as i32,
                    WebhookStatus::Failed => 5,
                };
                let delay = 1 + rng.below(120_000_000) as i64 + i64::from(retries) * 60_000_000;
                Webhook {
                    id: base58_id(rng),
                    api_version: ApiVersion::V1,
                    status,
                    next_try: rfc3339_micros(t + delay),
                    retries,
                }
            })
            .collect();
        Event {
            id: ctx.codec.encode(index),
            event_type,
            occurred_at,
            object_type: event_type.object_type(),
            content,
            webhooks,
        }
    }

    crate::dataset::per_thread_scratch!(Event);

    /// Writes every field of `out` in place; the content objects and webhooks an event does
    /// not carry wait in this thread's spare parts for the next event that does.
    fn generate_into(&self, ctx: &Context, index: u64, rng: &mut EventRng, out: &mut Event) {
        with_spare(&in_place::SPARE, |spare| {
            self.build(ctx, index, rng, out, spare);
        });
    }
}

impl ProbelyGen {
    fn target_ref(t: &Target) -> TargetRef {
        TargetRef {
            id: t.id.clone(),
            site: SiteRef {
                id: t.site.id.clone(),
                name: t.site.name.clone(),
                url: t.site.url.clone(),
            },
        }
    }
}
