//! Probely events built into a reused event
//! ([`crate::dataset::Generator::generate_into`]): every string rewritten in place; the
//! content objects of the other types, a started scan's missing `completed` time and surplus
//! webhooks wait in per-thread spare parts. Events built anew
//! ([`crate::dataset::Generator::generate`], what the server's list pages build) keep their
//! own code, as fast as before; the vendors' `building_into_a_reused_event_equals_building_anew`
//! test holds the two equal.

use std::cell::RefCell;

use eventmock_model::probely::{
    ApiVersion, Content, Definition, Event, EventType, Finding, ObjectType, Scan, Site, SiteRef,
    Target, TargetRef, User, Webhook, WebhookStatus,
};

use super::{DEFINITIONS, EVENT_WEIGHTS, PATHS, ProbelyGen};
use crate::dataset::Context;
use crate::realism::skewed;
use crate::rng::EventRng;
use crate::time::rfc3339_micros_into;
use crate::vendors::base58_id_into;
use crate::vendors::reuse::{keep, put_joined, put_opt, put_str};
thread_local! {
    /// This thread's spare parts of reused Probely events.
    pub(super) static SPARE: RefCell<Spare> = RefCell::new(Spare::default());
}

/// The objects of an event only some events carry, set aside while the reused event holds an
/// event without them.
#[derive(Default)]
pub(super) struct Spare {
    user: Option<User>,
    target: Option<Target>,
    scan: Option<Scan>,
    finding: Option<Finding>,
    /// A scan's `completed` time while a started scan (or no scan) is in the event.
    completed: Option<String>,
    webhooks: Vec<Webhook>,
}

impl ProbelyGen {
    /// `Generator::generate_into` with this thread's spare parts.
    pub(super) fn build(
        &self,
        ctx: &Context,
        index: u64,
        rng: &mut EventRng,
        out: &mut Event,
        spare: &mut Spare,
    ) {
        let t = ctx.time_of(index);
        rfc3339_micros_into(t, &mut out.occurred_at);
        let occurred_at = out.occurred_at.as_str();
        let event_type = EVENT_WEIGHTS[self.events.pick(rng.next_u64())].0;
        let target = &self.targets[skewed(rng.next_u64(), self.targets.len())];
        let object_type = event_type.object_type();
        swap_content(&mut out.content, object_type, spare);
        match &mut out.content {
            Content::User(u) => {
                let from = &self.users[skewed(rng.next_u64(), self.users.len())];
                copy_user(u, from);
                u.is_active = event_type != EventType::UserDeleted;
            }
            Content::Target(tg) => {
                copy_target(tg, target);
                tg.site.verified = match event_type {
                    EventType::TargetVerified => true,
                    EventType::TargetVerificationFailed => false,
                    _ => tg.site.verified,
                };
            }
            Content::Scan(scan) => {
                let started = t - rng.range(60, 7200) * 1_000_000;
                let status = match event_type {
                    EventType::ScanStarted => "started",
                    EventType::ScanCanceled => "canceled",
                    EventType::ScanFailed => "failed",
                    _ => "completed",
                };
                base58_id_into(rng, &mut scan.id);
                copy_target_ref(&mut scan.target, target);
                scan.status = status.into();
                rfc3339_micros_into(started - 1_000_000, &mut scan.created);
                let started_at = scan.started.get_or_insert_with(String::new);
                if event_type == EventType::ScanStarted {
                    put_str(started_at, occurred_at);
                    keep(&mut spare.completed, scan.completed.take());
                } else {
                    rfc3339_micros_into(started, started_at);
                    if scan.completed.is_none() {
                        scan.completed = spare.completed.take();
                    }
                    put_opt(&mut scan.completed, occurred_at);
                }
                scan.lows = rng.below(20) as u32;
                scan.mediums = rng.below(8) as u32;
                scan.highs = rng.below(3) as u32;
            }
            Content::Finding(f) => {
                let d = rng.below(DEFINITIONS.len() as u64) as usize;
                let (name, _, severity) = DEFINITIONS[d];
                let first = t - rng.range(0, 30 * 86_400) * 1_000_000;
                f.id = 1 + rng.below(99_999);
                copy_target_ref(&mut f.target, target);
                put_str(&mut f.definition.id, &self.definition_ids[d]);
                f.definition.name = name.into();
                let base = target.site.url.trim_end_matches('/');
                put_joined(&mut f.url, &[base, *rng.pick(PATHS)]);
                f.severity = severity;
                f.state = if event_type == EventType::FindingFixed {
                    "fixed"
                } else {
                    "notfixed"
                }
                .into();
                rfc3339_micros_into(first, &mut f.first_found);
                put_str(&mut f.last_found, occurred_at);
            }
        }
        let hooks = rng.below(3) as usize;
        while out.webhooks.len() > hooks {
            spare.webhooks.extend(out.webhooks.pop());
        }
        while out.webhooks.len() < hooks {
            let hook = spare.webhooks.pop().unwrap_or_else(|| Webhook {
                id: String::new(),
                api_version: ApiVersion::V1,
                status: WebhookStatus::Scheduled,
                next_try: String::new(),
                retries: 0,
            });
            out.webhooks.push(hook);
        }
        for hook in &mut out.webhooks {
            let status = *rng.pick(&WebhookStatus::ALL);
            let retries = match status {
                WebhookStatus::Scheduled => 0,
                WebhookStatus::Succeeded => rng.below(2) as i32,
                WebhookStatus::Rescheduled => 1 + rng.below(4) as i32,
                WebhookStatus::Failed => 5,
            };
            let delay = 1 + rng.below(120_000_000) as i64 + i64::from(retries) * 60_000_000;
            base58_id_into(rng, &mut hook.id);
            hook.api_version = ApiVersion::V1;
            hook.status = status;
            rfc3339_micros_into(t + delay, &mut hook.next_try);
            hook.retries = retries;
        }
        ctx.codec.encode_into(index, &mut out.id);
        out.event_type = event_type;
        out.object_type = object_type;
    }
}

/// Makes `content` an object of type `want`: the one it holds, or the spare one of that
/// type (or a blank one), putting the one it held aside.
fn swap_content(content: &mut Content, want: ObjectType, spare: &mut Spare) {
    if content.object_type() == want {
        return;
    }
    let fresh = match want {
        ObjectType::User => Content::User(spare.user.take().unwrap_or_else(blank_user)),
        ObjectType::Target => Content::Target(spare.target.take().unwrap_or_else(blank_target)),
        ObjectType::Scan => Content::Scan(spare.scan.take().unwrap_or_else(|| Scan {
            id: String::new(),
            target: blank_target_ref(),
            status: "".into(),
            created: String::new(),
            started: None,
            completed: None,
            lows: 0,
            mediums: 0,
            highs: 0,
        })),
        ObjectType::Finding => Content::Finding(spare.finding.take().unwrap_or_else(|| Finding {
            id: 0,
            target: blank_target_ref(),
            definition: Definition {
                id: String::new(),
                name: "".into(),
            },
            url: String::new(),
            severity: 0,
            state: "".into(),
            first_found: String::new(),
            last_found: String::new(),
        })),
    };
    match std::mem::replace(content, fresh) {
        Content::User(u) => spare.user = Some(u),
        Content::Target(t) => spare.target = Some(t),
        Content::Scan(s) => spare.scan = Some(s),
        Content::Finding(f) => spare.finding = Some(f),
    }
}

fn blank_user() -> User {
    User {
        id: String::new(),
        email: String::new(),
        name: String::new(),
        role: String::new(),
        is_active: false,
        date_joined: String::new(),
    }
}

fn blank_target() -> Target {
    Target {
        id: String::new(),
        site: Site {
            id: String::new(),
            name: String::new(),
            desc: String::new(),
            url: String::new(),
            host: String::new(),
            verified: false,
        },
        r#type: String::new(),
        risk: None,
        lows: 0,
        mediums: 0,
        highs: 0,
    }
}

fn blank_target_ref() -> TargetRef {
    TargetRef {
        id: String::new(),
        site: SiteRef {
            id: String::new(),
            name: String::new(),
            url: String::new(),
        },
    }
}

/// Makes `dst` equal to `src`, reusing `dst`'s strings.
fn copy_user(dst: &mut User, src: &User) {
    put_str(&mut dst.id, &src.id);
    put_str(&mut dst.email, &src.email);
    put_str(&mut dst.name, &src.name);
    put_str(&mut dst.role, &src.role);
    dst.is_active = src.is_active;
    put_str(&mut dst.date_joined, &src.date_joined);
}

/// Makes `dst` equal to `src`, reusing `dst`'s strings.
fn copy_target(dst: &mut Target, src: &Target) {
    put_str(&mut dst.id, &src.id);
    put_str(&mut dst.site.id, &src.site.id);
    put_str(&mut dst.site.name, &src.site.name);
    put_str(&mut dst.site.desc, &src.site.desc);
    put_str(&mut dst.site.url, &src.site.url);
    put_str(&mut dst.site.host, &src.site.host);
    dst.site.verified = src.site.verified;
    put_str(&mut dst.r#type, &src.r#type);
    dst.risk = src.risk;
    dst.lows = src.lows;
    dst.mediums = src.mediums;
    dst.highs = src.highs;
}

/// Makes `dst` the reference to `src` (its id, and its site's id, name and url).
fn copy_target_ref(dst: &mut TargetRef, src: &Target) {
    put_str(&mut dst.id, &src.id);
    put_str(&mut dst.site.id, &src.site.id);
    put_str(&mut dst.site.name, &src.site.name);
    put_str(&mut dst.site.url, &src.site.url);
}
