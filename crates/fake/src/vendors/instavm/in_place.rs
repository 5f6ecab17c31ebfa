//! InstaVM audit events built into a reused event
//! ([`crate::dataset::Generator::generate_into`]): every string rewritten in place; the
//! actor, session, VM and error strings only some events carry wait in per-thread spare
//! parts. Events built anew ([`crate::dataset::Generator::generate`], what the server's list
//! pages build) keep their own code, as fast as before; the vendors'
//! `building_into_a_reused_event_equals_building_anew` test holds the two equal.

use std::cell::RefCell;

use eventmock_model::instavm::AuditEvent;
use serde_json::{Value, json};

use super::{CATALOG, InstavmGen, STATUSES, WORKERS};
use crate::dataset::Context;
use crate::realism::skewed;
use crate::rng::EventRng;
use crate::time::rfc3339_micros_into;
use crate::vendors::reuse::{keep, put_joined, put_opt, put_parts, put_str, put_value_str};
use crate::vendors::uuid4_into;

thread_local! {
    /// This thread's spare parts of reused InstaVM events.
    pub(super) static SPARE: RefCell<Spare> = RefCell::new(Spare::default());
}

/// The strings of an event only some events carry, set aside while the reused event holds an
/// event without them.
#[derive(Default)]
pub(super) struct Spare {
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
    /// `Generator::generate_into` with this thread's spare parts.
    pub(super) fn build(
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
        if path.capacity() == 0 {
            *path = String::with_capacity(template.len() + resource_id.len());
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
