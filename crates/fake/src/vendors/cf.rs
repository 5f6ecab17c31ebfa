//! Cloud Foundry v2 events: `type` decides `actee_type`; actees, spaces and organizations come
//! from small stable pools (an app always lives in the same space and organization), so `q`
//! filters on `actee`, `space_guid` and `organization_guid` find several events. Types follow a
//! platform's real shares ([`TYPE_WEIGHTS`]: app updates, starts and uploads are common,
//! organization changes rare); a few users and apps cause most events.

mod in_place;
mod metadata;

use eventmock_model::Vendor;
use eventmock_model::cf::{Entity, Event, EventType, Metadata};
use serde_json::{Map, Value, json};

use super::reuse::with_spare;
use super::{hex32, uuid4};
use crate::codec::IdFormat;
use crate::dataset::{Context, Generator};
use crate::realism::names::{APP_KINDS, DOMAINS, SERVICE_KINDS, SPACES};
use crate::realism::{Weights, skewed};
use crate::rng::EventRng;
use crate::time::rfc3339_secs;

/// How often each event type appears, by wire string; a type not listed has share 1.
pub const TYPE_WEIGHTS: &[(&str, u32)] = &[
    ("audit.app.update", 15),
    ("audit.app.start", 10),
    ("audit.app.droplet.mapped", 8),
    ("audit.app.upload-bits", 8),
    ("audit.app.stop", 6),
    ("audit.app.restage", 4),
    ("audit.app.create", 4),
    ("audit.app.process.scale", 4),
    ("audit.app.ssh-authorized", 4),
    ("app.crash", 3),
    ("audit.app.process.crash", 3),
    ("audit.app.map-route", 3),
    ("audit.route.create", 3),
    ("audit.service_binding.create", 3),
    ("audit.service_binding.delete", 2),
    ("audit.service_instance.create", 2),
    ("audit.app.delete-request", 2),
];
/// A named thing with a guid, living in a space (`space` indexes [`CfGen::spaces`]).
#[derive(Debug, Clone)]
pub struct Resource {
    /// The guid.
    pub guid: String,
    /// The name.
    pub name: String,
    /// Index of its space.
    pub space: usize,
}

/// Generates Cloud Foundry v2 events.
pub struct CfGen {
    /// Organizations: `(guid, name)`.
    orgs: Vec<(String, String)>,
    /// Spaces; `space` of a space is its organization's index.
    spaces: Vec<Resource>,
    /// Applications.
    apps: Vec<Resource>,
    /// Routes (named by host name).
    routes: Vec<Resource>,
    /// Service instances, bindings and keys.
    services: Vec<Resource>,
    /// Users: `(guid, email, username)`, busiest first.
    users: Vec<(String, String, String)>,
    /// The event types generated.
    types: Vec<EventType>,
    /// The shares of `types`.
    type_weights: Weights,
}

impl CfGen {
    /// The organization guids of the pool.
    pub fn organization_guids(&self) -> impl Iterator<Item = &str> {
        self.orgs.iter().map(|o| o.0.as_str())
    }

    /// The space guids of the pool.
    pub fn space_guids(&self) -> impl Iterator<Item = &str> {
        self.spaces.iter().map(|s| s.guid.as_str())
    }

    fn org_of_space(&self, space: usize) -> &str {
        &self.orgs[self.spaces[space].space].0
    }
}

impl Generator for CfGen {
    type Event = Event;
    const VENDOR: Vendor = Vendor::CloudFoundry;
    const ID_FORMAT: IdFormat = IdFormat::UuidV4;

    fn new(ctx: &Context) -> Self {
        let mut rng = ctx.streams.stream(u64::MAX - 1000);
        let orgs: Vec<(String, String)> = (0..3)
            .map(|n| {
                // The company's platform orgs are named after its domain.
                let company = ctx.pools.domains[0].split('.').next().unwrap_or("acme");
                let name = [company, "-", ["platform", "data", "web"][n]].concat();
                (uuid4(&mut rng), name)
            })
            .collect();
        let spaces: Vec<Resource> = SPACES
            .iter()
            .flat_map(|name| (0..orgs.len()).map(move |o| (name, o)))
            .map(|(name, o)| Resource {
                guid: uuid4(&mut rng),
                name: (*name).to_owned(),
                space: o,
            })
            .collect();
        let apps = (0..24)
            .map(|n| Resource {
                guid: uuid4(&mut rng),
                name: [
                    DOMAINS[n % DOMAINS.len()],
                    "-",
                    APP_KINDS[n * 7 % APP_KINDS.len()],
                ]
                .concat(),
                space: rng.below(spaces.len() as u64) as usize,
            })
            .collect();
        let routes = (0..16)
            .map(|n| Resource {
                guid: uuid4(&mut rng),
                name: DOMAINS[(n + 3) % DOMAINS.len()].to_owned(),
                space: rng.below(spaces.len() as u64) as usize,
            })
            .collect();
        let services = (0..16)
            .map(|n| Resource {
                guid: uuid4(&mut rng),
                name: [
                    DOMAINS[(n + 5) % DOMAINS.len()],
                    "-",
                    SERVICE_KINDS[n % SERVICE_KINDS.len()],
                ]
                .concat(),
                space: rng.below(spaces.len() as u64) as usize,
            })
            .collect();
        let users = ctx
            .pools
            .people
            .iter()
            .map(|p| (uuid4(&mut rng), p.email.clone(), p.username.clone()))
            .collect();
        let types = EventType::KNOWN.to_vec();
        let type_weights = Weights::new(types.iter().map(|t| {
            TYPE_WEIGHTS
                .iter()
                .find(|(wire, _)| *wire == t.as_str())
                .map_or(1, |(_, w)| *w)
        }));
        Self {
            orgs,
            spaces,
            apps,
            routes,
            services,
            users,
            types,
            type_weights,
        }
    }

    fn generate(&self, ctx: &Context, index: u64, rng: &mut EventRng) -> Event {
        let guid = ctx.codec.encode(index);
        let ts = rfc3339_secs(ctx.time_of(index));
        let r#type = &self.types[self.type_weights.pick(rng.next_u64())];
        let wire = r#type.as_str();
        let (user_guid, email, username) =
            self.users[skewed(rng.next_u64(), self.users.len())].clone();
        let mut actor = (user_guid, "user".to_owned(), email, Some(username));
        let mut metadata = Map::new();
        let (actee, actee_type, actee_name, space_guid, org_guid);
        if wire.starts_with("audit.space.") {
            let s = rng.below(self.spaces.len() as u64) as usize;
            let space = &self.spaces[s];
            actee = space.guid.clone();
            actee_type = "space";
            actee_name = space.name.clone();
            space_guid = space.guid.clone();
            org_guid = self.org_of_space(s).to_owned();
            metadata.insert("request".into(), json!({"name": space.name}));
        } else if wire.starts_with("audit.organization.") {
            let (g, name) = rng.pick(&self.orgs).clone();
            actee = g.clone();
            actee_type = "organization";
            actee_name = name.clone();
            space_guid = String::new();
            org_guid = g;
            metadata.insert("request".into(), json!({"name": name}));
        } else if wire.starts_with("audit.user.") {
            let (g, _, uname) = rng.pick(&self.users).clone();
            let s = rng.below(self.spaces.len() as u64) as usize;
            actee = g;
            actee_type = "user";
            actee_name = uname.clone();
            space_guid = self.spaces[s].guid.clone();
            org_guid = self.org_of_space(s).to_owned();
            metadata.insert("request".into(), json!({"username": uname}));
        } else if wire.starts_with("app.") || wire.starts_with("audit.app.") {
            let app = &self.apps[skewed(rng.next_u64(), self.apps.len())];
            actee = app.guid.clone();
            actee_type = "app";
            actee_name = app.name.clone();
            space_guid = self.spaces[app.space].guid.clone();
            org_guid = self.org_of_space(app.space).to_owned();
            if wire == "app.crash" || wire == "audit.app.process.crash" {
                actor = (app.guid.clone(), "app".to_owned(), app.name.clone(), None);
                let code = *rng.pick(&[1i64, 137, 143]);
                metadata.insert("instance".into(), Value::from(hex32(rng)));
                metadata.insert("index".into(), Value::from(rng.below(3)));
                metadata.insert("exit_status".into(), Value::from(code));
                metadata.insert(
                    "exit_description".into(),
                    Value::from(format!("APP/PROC/WEB: Exited with status {code}")),
                );
                metadata.insert("reason".into(), Value::from("CRASHED"));
            } else if wire == "audit.app.create" {
                metadata.insert("request".into(), json!({"name": app.name, "space_guid": space_guid, "instances": 1, "memory": 256, "state": "STOPPED", "console": false}));
            } else {
                let state = if wire.ends_with(".stop") {
                    "STOPPED"
                } else {
                    "STARTED"
                };
                metadata.insert("request".into(), json!({"state": state}));
            }
        } else {
            let r = if wire.starts_with("audit.route.") {
                rng.pick(&self.routes)
            } else {
                rng.pick(&self.services)
            };
            let kind = wire.trim_start_matches("audit.");
            actee = r.guid.clone();
            actee_type = kind.split('.').next().unwrap_or("resource");
            actee_name = r.name.clone();
            space_guid = self.spaces[r.space].guid.clone();
            org_guid = self.org_of_space(r.space).to_owned();
            metadata.insert("request".into(), json!({"name": r.name}));
        }
        Event {
            metadata: Metadata {
                url: ["/v2/events/", &guid].concat(),
                guid,
                created_at: ts.clone(),
                // Sequel's timestamps plugin with `update_on_create: true` (CC since 2016)
                // sets updated_at on insert.
                updated_at: Some(ts.clone()),
            },
            entity: Entity {
                r#type: r#type.clone(),
                actor: actor.0,
                actor_type: actor.1,
                actor_name: actor.2,
                actor_username: Some(actor.3.unwrap_or_default()),
                actee,
                actee_type: actee_type.to_owned(),
                actee_name,
                timestamp: ts,
                metadata,
                space_guid,
                organization_guid: org_guid,
            },
        }
    }

    crate::dataset::per_thread_scratch!(Event);

    /// Writes every field of `out` in place; the metadata maps of the other kinds wait in
    /// this thread's spare parts, so a map of the kind needed only has its values rewritten.
    fn generate_into(&self, ctx: &Context, index: u64, rng: &mut EventRng, out: &mut Event) {
        with_spare(&in_place::SPARE, |spare| {
            self.build(ctx, index, rng, out, spare);
        });
    }
}
