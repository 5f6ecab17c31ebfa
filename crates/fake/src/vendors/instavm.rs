//! InstaVM audit events: `http_status` agrees with `status`, `error_message` only on failures,
//! request fields only for events that came through the API.

use eventmock_model::Vendor;
use eventmock_model::instavm::AuditEvent;
use std::cell::RefCell;

use serde_json::{Value, json};

use super::reuse::{keep, put_joined, put_opt, put_parts, put_str, put_value_str, with_spare};
use super::{uuid4, uuid4_into};
use crate::codec::IdFormat;
use crate::dataset::{Context, Generator, Scratch};
use crate::realism::{Weights, skewed};
use crate::rng::EventRng;
use crate::time::rfc3339_micros_into;

/// How often each [`CATALOG`] entry appears (same order): code runs and sessions dominate,
/// API key changes are rare.
pub const CATALOG_WEIGHTS: &[u32] = &[12, 6, 1, 1, 6, 8, 7, 4, 2, 10, 9, 20, 6, 4, 3, 5];

/// `(event_group, event_type, http_method, path template, resource_type)` of the catalog.
pub const CATALOG: &[(&str, &str, &str, &str, &str)] = &[
    ("auth", "auth.login", "POST", "/v1/auth/login", "user"),
    ("auth", "auth.logout", "POST", "/v1/auth/logout", "user"),
    (
        "auth",
        "auth.api_key.create",
        "POST",
        "/v1/api-keys",
        "api_key",
    ),
    (
        "auth",
        "auth.api_key.revoke",
        "DELETE",
        "/v1/api-keys/{id}",
        "api_key",
    ),
    ("vm", "vm.create", "POST", "/v1/vms", "vm"),
    ("vm", "vm.start", "POST", "/v1/vms/{id}/start", "vm"),
    ("vm", "vm.stop", "POST", "/v1/vms/{id}/stop", "vm"),
    ("vm", "vm.delete", "DELETE", "/v1/vms/{id}", "vm"),
    (
        "vm",
        "vm.snapshot",
        "POST",
        "/v1/vms/{id}/snapshots",
        "snapshot",
    ),
    (
        "session",
        "session.create",
        "POST",
        "/v1/sessions",
        "session",
    ),
    (
        "session",
        "session.close",
        "DELETE",
        "/v1/sessions/{id}",
        "session",
    ),
    ("execution", "execution.run", "POST", "/v1/execute", "task"),
    (
        "execution",
        "execution.async_run",
        "POST",
        "/v1/execute_async",
        "task",
    ),
    ("file", "file.upload", "POST", "/v1/upload", "file"),
    ("file", "file.download", "GET", "/v1/download/{id}", "file"),
    (
        "billing",
        "billing.usage_recorded",
        "POST",
        "/v1/billing/usage",
        "invoice",
    ),
];
const STATUSES: &[(&str, i64, Option<&str>)] = &[
    ("success", 200, None),
    ("success", 201, None),
    ("success", 204, None),
    ("failure", 400, Some("Invalid request payload")),
    ("failure", 403, Some("Permission denied for this resource")),
    ("failure", 404, Some("Resource not found")),
    ("failure", 409, Some("Resource is in a conflicting state")),
    ("error", 500, Some("Internal error: worker did not respond")),
    ("error", 503, Some("Upstream VM host unavailable")),
];
const WORKERS: usize = 8;

/// Generates InstaVM audit events.
pub struct InstavmGen {
    /// Stable VM ids, so `vm_id` filters find several events.
    vms: Vec<String>,
    /// Stable session ids.
    sessions: Vec<String>,
    /// Node IPs of the workers.
    nodes: Vec<String>,
    /// The shares of [`CATALOG_WEIGHTS`].
    catalog: Weights,
}

impl Generator for InstavmGen {
    type Event = AuditEvent;
    const VENDOR: Vendor = Vendor::Instavm;
    const ID_FORMAT: IdFormat = IdFormat::UuidV7;

    fn new(ctx: &Context) -> Self {
        let mut rng = ctx.streams.stream(u64::MAX - 1000);
        Self {
            vms: (0..32)
                .map(|_| format!("vm-{}", &uuid4(&mut rng)[..8]))
                .collect(),
            sessions: (0..64).map(|_| uuid4(&mut rng)).collect(),
            nodes: (0..WORKERS)
                .map(|n| format!("10.0.{}.{}", n / 4, 10 + n))
                .collect(),
            catalog: Weights::new(CATALOG_WEIGHTS.iter().copied()),
        }
    }

    fn generate(&self, ctx: &Context, index: u64, rng: &mut EventRng) -> AuditEvent {
        let mut event = AuditEvent {
            id: String::new(),
            created_at: String::new(),
            user_id: None,
            actor_type: String::new(),
            actor_id: None,
            source: String::new(),
            event_group: String::new(),
            event_type: String::new(),
            status: String::new(),
            resource_type: None,
            resource_id: None,
            session_id: None,
            vm_id: None,
            task_id: None,
            request_id: None,
            correlation_id: None,
            http_method: None,
            path: None,
            http_status: None,
            latency_ms: None,
            ip_address: None,
            user_agent: None,
            node_ip: None,
            worker_id: None,
            event_payload: None,
            error_message: None,
        };
        self.generate_into(ctx, index, rng, &mut event);
        event
    }

    fn scratch() -> Option<&'static Scratch<AuditEvent>> {
        thread_local! {
            static SCRATCH: RefCell<Option<AuditEvent>> = const { RefCell::new(None) };
        }
        Some(&SCRATCH)
    }

    /// Writes every field of `out` in place; the fields only some events carry wait in this
    /// thread's spare parts while an event without them is in `out`.
    fn generate_into(&self, ctx: &Context, index: u64, rng: &mut EventRng, out: &mut AuditEvent) {
        with_spare(&SPARE, |spare| self.build(ctx, index, rng, out, spare));
    }
}

thread_local! {
    /// This thread's spare parts of reused InstaVM events.
    static SPARE: RefCell<Spare> = RefCell::new(Spare::default());
}

/// The strings of an event only some events carry, set aside while the reused event holds an
/// event without them.
#[derive(Default)]
struct Spare {
    actor_id: Option<String>,
    session_id: Option<String>,
    vm_id: Option<String>,
    error_message: Option<String>,
}

/// Sets `dst` to `Some(src)` (its string, or else the spare one, rewritten) or to `None`
/// (its string put aside in `spare`).
fn put_or_spare(dst: &mut Option<String>, spare: &mut Option<String>, src: Option<&str>) {
    match src {
        Some(src) => {
            if dst.is_none() {
                *dst = spare.take();
            }
            put_opt(dst, src);
        }
        None => keep(spare, dst.take()),
    }
}

/// Sets `dst` to `key_` and the lower-case hex digits of `v` (no leading zeros), as
/// `format!("key_{v:x}")` does.
fn put_key_id(dst: &mut String, v: u64) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut digits = [0u8; 16];
    let mut n = digits.len();
    let mut rest = v;
    loop {
        n -= 1;
        digits[n] = HEX[(rest & 0xF) as usize];
        rest >>= 4;
        if rest == 0 {
            break;
        }
    }
    put_joined(
        dst,
        &[
            "key_",
            std::str::from_utf8(&digits[n..]).unwrap_or_default(),
        ],
    );
}

impl InstavmGen {
    /// [`Generator::generate_into`] with this thread's spare parts.
    fn build(
        &self,
        ctx: &Context,
        index: u64,
        rng: &mut EventRng,
        out: &mut AuditEvent,
        spare: &mut Spare,
    ) {
        let t = ctx.time_of(index);
        let (group, event_type, method, template, resource_type) =
            CATALOG[self.catalog.pick(rng.next_u64())];
        // Mostly successes, as in a real audit log; a success's status fits the method (a
        // POST that creates answers 201, a DELETE 204, anything else 200).
        let &(status, http_status, error) = if rng.chance(94) {
            match method {
                "DELETE" => &STATUSES[2],
                "POST" if !template.contains("{id}") && group != "execution" => &STATUSES[1],
                _ => &STATUSES[0],
            }
        } else {
            rng.pick(&STATUSES[3..])
        };
        let vm = &self.vms[skewed(rng.next_u64(), self.vms.len())];
        let users = ctx.pools.people.len();
        let user_id = 1000 + skewed(rng.next_u64(), users) as i64;
        let mut digits = itoa::Buffer::new();
        let resource_id = out.resource_id.get_or_insert_with(String::new);
        match resource_type {
            "vm" => put_str(resource_id, vm),
            "user" => put_str(resource_id, digits.format(user_id)),
            _ => uuid4_into(rng, resource_id),
        }
        // The template with `{id}` replaced by the resource id.
        let path = out.path.get_or_insert_with(String::new);
        let longest = template.len() + resource_id.len();
        if path.capacity() < longest {
            *path = String::with_capacity(longest);
        }
        path.clear();
        for (n, part) in template.split("{id}").enumerate() {
            if n > 0 {
                path.push_str(resource_id);
            }
            path.push_str(part);
        }
        let api_key = rng.chance(30);
        let worker = rng.below(WORKERS as u64) as usize;
        let vm_scoped = matches!(group, "vm" | "session" | "execution" | "file");
        ctx.codec.encode_into(index, &mut out.id);
        rfc3339_micros_into(t, &mut out.created_at);
        out.user_id = Some(user_id);
        put_str(
            &mut out.actor_type,
            if api_key { "api_key" } else { "user" },
        );
        if out.actor_id.is_none() {
            out.actor_id = spare.actor_id.take();
        }
        let actor_id = out.actor_id.get_or_insert_with(String::new);
        if api_key {
            put_key_id(actor_id, rng.next_u64() >> 16);
        } else {
            put_str(actor_id, digits.format(user_id));
        }
        put_str(&mut out.source, "api");
        put_str(&mut out.event_group, group);
        put_str(&mut out.event_type, event_type);
        put_str(&mut out.status, status);
        put_opt(&mut out.resource_type, resource_type);
        let session = vm_scoped.then(|| rng.pick(&self.sessions).as_str());
        put_or_spare(&mut out.session_id, &mut spare.session_id, session);
        put_or_spare(
            &mut out.vm_id,
            &mut spare.vm_id,
            vm_scoped.then_some(vm.as_str()),
        );
        out.task_id = (group == "execution").then(|| 1 + rng.below(1_000_000) as i64);
        uuid4_into(rng, out.request_id.get_or_insert_with(String::new));
        uuid4_into(rng, out.correlation_id.get_or_insert_with(String::new));
        put_opt(&mut out.http_method, method);
        out.http_status = Some(http_status);
        out.latency_ms = Some((1 + rng.below(250_000)) as f64 / 100.0);
        put_opt(&mut out.ip_address, &rng.pick(&ctx.pools.ips).ip);
        put_opt(
            &mut out.user_agent,
            rng.pick(&ctx.pools.user_agents).as_str(),
        );
        put_opt(&mut out.node_ip, &self.nodes[worker]);
        put_parts(
            &mut out.worker_id,
            &["worker-", itoa::Buffer::new().format(worker)],
        );
        put_payload(&mut out.event_payload, event_type, status);
        put_or_spare(&mut out.error_message, &mut spare.error_message, error);
    }
}

/// Sets `slot` to `{"event_type": …, "result": …}`, rewriting the object it held when it has
/// that shape.
fn put_payload(slot: &mut Option<Value>, event_type: &str, result: &str) {
    if let Some(Value::Object(map)) = slot
        && map.len() == 2
    {
        let mut entries = map.iter_mut();
        if let (Some((k1, v1)), Some((k2, v2))) = (entries.next(), entries.next())
            && (k1.as_str(), k2.as_str()) == ("event_type", "result")
        {
            put_value_str(v1, event_type);
            put_value_str(v2, result);
            return;
        }
    }
    *slot = Some(json!({"event_type": event_type, "result": result}));
}
