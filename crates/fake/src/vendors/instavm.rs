//! InstaVM audit events: `http_status` agrees with `status`, `error_message` only on failures,
//! request fields only for events that came through the API.

mod in_place;

use eventmock_model::Vendor;
use eventmock_model::instavm::AuditEvent;
use serde_json::json;

use super::reuse::with_spare;
use super::uuid4;
use crate::codec::IdFormat;
use crate::dataset::{Context, Generator};
use crate::realism::{Weights, skewed};
use crate::rng::EventRng;
use crate::time::rfc3339_micros;

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
        let vm = self.vms[skewed(rng.next_u64(), self.vms.len())].clone();
        let users = ctx.pools.people.len();
        let user_id = 1000 + skewed(rng.next_u64(), users) as i64;
        let resource_id = match resource_type {
            "vm" => vm.clone(),
            "user" => itoa::Buffer::new().format(user_id).to_owned(),
            _ => uuid4(rng),
        };
        let path = template.replace("{id}", &resource_id);
        let api_key = rng.chance(30);
        let worker = rng.below(WORKERS as u64) as usize;
        let vm_scoped = matches!(group, "vm" | "session" | "execution" | "file");
        AuditEvent {
            id: ctx.codec.encode(index),
            created_at: rfc3339_micros(t),
            user_id: Some(user_id),
            actor_type: if api_key { "api_key" } else { "user" }.to_owned(),
            actor_id: Some(if api_key {
                format!("key_{:x}", rng.next_u64() >> 16)
            } else {
                user_id.to_string()
            }),
            source: "api".to_owned(),
            event_group: group.to_owned(),
            event_type: event_type.to_owned(),
            status: status.to_owned(),
            resource_type: Some(resource_type.to_owned()),
            resource_id: Some(resource_id),
            session_id: vm_scoped.then(|| rng.pick(&self.sessions).clone()),
            vm_id: vm_scoped.then_some(vm),
            task_id: (group == "execution").then(|| 1 + rng.below(1_000_000) as i64),
            request_id: Some(uuid4(rng)),
            correlation_id: Some(uuid4(rng)),
            http_method: Some(method.to_owned()),
            path: Some(path),
            http_status: Some(http_status),
            latency_ms: Some((1 + rng.below(250_000)) as f64 / 100.0),
            ip_address: Some(rng.pick(&ctx.pools.ips).ip.clone()),
            user_agent: Some(rng.pick(&ctx.pools.user_agents).clone()),
            node_ip: Some(self.nodes[worker].clone()),
            worker_id: Some(["worker-", itoa::Buffer::new().format(worker)].concat()),
            event_payload: Some(json!({"event_type": event_type, "result": status})),
            error_message: error.map(str::to_owned),
        }
    }

    crate::dataset::per_thread_scratch!(AuditEvent);

    /// Writes every field of `out` in place; the fields only some events carry wait in this
    /// thread's spare parts while an event without them is in `out`.
    fn generate_into(&self, ctx: &Context, index: u64, rng: &mut EventRng, out: &mut AuditEvent) {
        with_spare(&in_place::SPARE, |spare| {
            self.build(ctx, index, rng, out, spare);
        });
    }
}
