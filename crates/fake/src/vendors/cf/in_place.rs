//! Cloud Foundry events built into a reused event
//! ([`crate::dataset::Generator::generate_into`]): every string rewritten in place, and the
//! metadata object by kind ([`Meta`]): a map of the kind needed only has its values rewritten,
//! maps of the other kinds wait in per-thread spare parts. Events built anew
//! ([`crate::dataset::Generator::generate`], what the server's list pages build) keep their
//! own code, as fast as before; the vendors' `building_into_a_reused_event_equals_building_anew`
//! test holds the two equal.

use std::cell::RefCell;

use eventmock_model::cf::Event;
use serde_json::{Map, Value};

use super::CfGen;
use super::metadata::{KINDS, Meta, kind_of};
use crate::dataset::Context;
use crate::realism::skewed;
use crate::rng::EventRng;
use crate::time::rfc3339_secs_into;
use crate::vendors::hex32_bytes;
use crate::vendors::reuse::{put_joined, put_opt, put_str};

thread_local! {
    /// This thread's spare metadata maps, by kind.
    pub(super) static SPARE: RefCell<[Map<String, Value>; KINDS]> = RefCell::default();
}

impl CfGen {
    /// `Generator::generate_into` with this thread's spare metadata maps.
    pub(super) fn build(
        &self,
        ctx: &Context,
        index: u64,
        rng: &mut EventRng,
        out: &mut Event,
        spare: &mut [Map<String, Value>; KINDS],
    ) {
        let t = ctx.time_of(index);
        let r#type = &self.types[self.type_weights.pick(rng.next_u64())];
        let wire = r#type.as_str();
        let (user_guid, email, username) = &self.users[skewed(rng.next_u64(), self.users.len())];
        let e = &mut out.entity;
        // The acting user; an app's crash names the app instead.
        let mut actor = (
            user_guid.as_str(),
            "user",
            email.as_str(),
            username.as_str(),
        );
        let instance: [u8; 32];
        let meta;
        if wire.starts_with("audit.space.") {
            let s = rng.below(self.spaces.len() as u64) as usize;
            let space = &self.spaces[s];
            put_str(&mut e.actee, &space.guid);
            put_str(&mut e.actee_type, "space");
            put_str(&mut e.actee_name, &space.name);
            put_str(&mut e.space_guid, &space.guid);
            put_str(&mut e.organization_guid, self.org_of_space(s));
            meta = Meta::RequestName(&space.name);
        } else if wire.starts_with("audit.organization.") {
            let (g, name) = rng.pick(&self.orgs);
            put_str(&mut e.actee, g);
            put_str(&mut e.actee_type, "organization");
            put_str(&mut e.actee_name, name);
            e.space_guid.clear();
            put_str(&mut e.organization_guid, g);
            meta = Meta::RequestName(name);
        } else if wire.starts_with("audit.user.") {
            let (g, _, uname) = rng.pick(&self.users);
            let s = rng.below(self.spaces.len() as u64) as usize;
            put_str(&mut e.actee, g);
            put_str(&mut e.actee_type, "user");
            put_str(&mut e.actee_name, uname);
            put_str(&mut e.space_guid, &self.spaces[s].guid);
            put_str(&mut e.organization_guid, self.org_of_space(s));
            meta = Meta::RequestUsername(uname);
        } else if wire.starts_with("app.") || wire.starts_with("audit.app.") {
            let app = &self.apps[skewed(rng.next_u64(), self.apps.len())];
            put_str(&mut e.actee, &app.guid);
            put_str(&mut e.actee_type, "app");
            put_str(&mut e.actee_name, &app.name);
            let space_guid = &self.spaces[app.space].guid;
            put_str(&mut e.space_guid, space_guid);
            put_str(&mut e.organization_guid, self.org_of_space(app.space));
            if wire == "app.crash" || wire == "audit.app.process.crash" {
                actor = (&app.guid, "app", &app.name, "");
                let code = *rng.pick(&[1i64, 137, 143]);
                instance = hex32_bytes(rng);
                meta = Meta::Crash {
                    instance: std::str::from_utf8(&instance).unwrap_or_default(),
                    index: rng.below(3),
                    code,
                };
            } else if wire == "audit.app.create" {
                meta = Meta::Create {
                    name: &app.name,
                    space_guid,
                };
            } else {
                let state = if wire.ends_with(".stop") {
                    "STOPPED"
                } else {
                    "STARTED"
                };
                meta = Meta::RequestState(state);
            }
        } else {
            let r = if wire.starts_with("audit.route.") {
                rng.pick(&self.routes)
            } else {
                rng.pick(&self.services)
            };
            let kind = wire.trim_start_matches("audit.");
            put_str(&mut e.actee, &r.guid);
            put_str(
                &mut e.actee_type,
                kind.split('.').next().unwrap_or("resource"),
            );
            put_str(&mut e.actee_name, &r.name);
            put_str(&mut e.space_guid, &self.spaces[r.space].guid);
            put_str(&mut e.organization_guid, self.org_of_space(r.space));
            meta = Meta::RequestName(&r.name);
        }
        // The metadata map: the one of this kind kept aside (the event's own goes aside).
        let held = std::mem::take(&mut e.metadata);
        if let Some(kind) = kind_of(&held) {
            spare[kind] = held;
        }
        let mut map = std::mem::take(&mut spare[meta.kind()]);
        meta.write_into(&mut map);
        e.metadata = map;
        e.r#type.clone_from(r#type);
        put_str(&mut e.actor, actor.0);
        put_str(&mut e.actor_type, actor.1);
        put_str(&mut e.actor_name, actor.2);
        put_opt(&mut e.actor_username, actor.3);
        rfc3339_secs_into(t, &mut e.timestamp);
        let m = &mut out.metadata;
        ctx.codec.encode_into(index, &mut m.guid);
        put_joined(&mut m.url, &["/v2/events/", &m.guid]);
        put_str(&mut m.created_at, &e.timestamp);
        // Sequel's timestamps plugin with `update_on_create: true` (CC since 2016) sets
        // updated_at on insert.
        put_opt(&mut m.updated_at, &e.timestamp);
    }
}
