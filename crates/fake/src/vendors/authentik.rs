//! authentik events: the `context` fits the action (logins carry `http_request` and the auth
//! method, `model_*` carry the model, system events a message), `expires` is a year after
//! `created` (authentik's default retention), or the dataset's retention when it has one.

use std::borrow::Cow;
use std::cell::RefCell;

use eventmock_model::Vendor;
use eventmock_model::authentik::{
    Brand, Context as EventContext, Event, EventAction, HttpRequest, ModelRef, User,
};
use serde_json::{Map, Value, json};

use super::{hex32, hex32_into};
use crate::codec::IdFormat;
use crate::dataset::{Context, Generator, Scratch};
use crate::rng::EventRng;
use crate::time::rfc3339_micros_into;

const USERS: usize = 64;
const YEAR_US: i64 = 365 * 86_400 * 1_000_000;

/// `(app, model_name, verbose name)` of models whose changes authentik records.
const MODELS: &[(&str, &str)] = &[
    ("authentik_core", "user"),
    ("authentik_core", "group"),
    ("authentik_core", "application"),
    ("authentik_core", "token"),
    ("authentik_flows", "flow"),
    ("authentik_policies_expression", "expressionpolicy"),
    ("authentik_providers_oauth2", "oauth2provider"),
    ("authentik_providers_saml", "samlprovider"),
    ("authentik_stages_password", "passwordstage"),
    ("authentik_outposts", "outpost"),
];
const TASKS: &[&str] = &[
    "clean_expired_models",
    "outpost_controller",
    "blueprints_discovery",
    "notification_cleanup",
    "update_latest_version",
];
const AUTH_METHODS: &[&str] = &["password", "token", "auth_mfa", "auth_webauthn_pwl"];
const COUNTRIES: &[(&str, &str, &str, f64, f64)] = &[
    ("EU", "DE", "Berlin", 52.52, 13.405),
    ("EU", "FR", "Paris", 48.8566, 2.3522),
    ("NA", "US", "Ashburn", 39.0438, -77.4874),
    ("AS", "JP", "Tokyo", 35.6762, 139.6503),
    ("OC", "AU", "Sydney", -33.8688, 151.2093),
];

/// Generates authentik events.
pub struct AuthentikGen {
    /// Stable users (pk, username, email).
    users: Vec<User>,
    /// The installation's brand.
    brand: Brand,
    /// The actions generated (all but the `custom_` prefix).
    actions: Vec<EventAction>,
}

impl Generator for AuthentikGen {
    type Event = Event;
    const VENDOR: Vendor = Vendor::Authentik;
    const ID_FORMAT: IdFormat = IdFormat::UuidV4;

    fn new(ctx: &Context) -> Self {
        let mut rng = ctx.streams.stream(u64::MAX - 1000);
        let users = (0..USERS)
            .map(|n| {
                let p = &ctx.pools.people[n % ctx.pools.people.len()];
                User {
                    pk: Some(n as i64 + 2),
                    email: Some(p.email.clone()),
                    username: Some(p.username.clone()),
                    ..User::default()
                }
            })
            .collect();
        let brand = Brand {
            pk: Some(hex32(&mut rng)),
            app: Some("authentik_brands".into()),
            name: Some("Default brand".into()),
            model_name: Some("brand".into()),
        };
        let actions = EventAction::ALL
            .into_iter()
            .filter(|a| *a != EventAction::CustomPrefix)
            .collect();
        Self {
            users,
            brand,
            actions,
        }
    }

    fn generate(&self, ctx: &Context, index: u64, rng: &mut EventRng) -> Event {
        let mut event = blank();
        self.generate_into(ctx, index, rng, &mut event);
        event
    }

    fn scratch() -> Option<&'static Scratch<Event>> {
        thread_local! {
            static SCRATCH: RefCell<Option<Event>> = const { RefCell::new(None) };
        }
        Some(&SCRATCH)
    }

    /// Writes every field of `out` (strings in place, so a reused event allocates nothing
    /// for the fields most events share).
    fn generate_into(&self, ctx: &Context, index: u64, rng: &mut EventRng, out: &mut Event) {
        let t = ctx.time_of(index);
        let action = *rng.pick(&self.actions);
        let user = rng.pick(&self.users);
        let ip = rng.pick(&ctx.pools.ips);
        copy_user(&mut out.user, user);
        put_opt(&mut out.client_ip, ip);
        // Keep the context's reusable parts (message, request) aside and reset the rest; each
        // branch puts back the parts it uses.
        let context = &mut out.context;
        let mut message = context.message.take();
        let mut request = context.http_request.take();
        *context = EventContext::default();
        let app;
        match action {
            EventAction::Login | EventAction::Logout | EventAction::LoginFailed => {
                app = "authentik.events.signals";
                if action == EventAction::Login {
                    context.auth_method = Some((*rng.pick(AUTH_METHODS)).into());
                    context.auth_method_args = Some(json!({}));
                }
                if action == EventAction::LoginFailed {
                    context.extra.insert("stage".into(), json!({"pk": hex32(rng), "app": "authentik_stages_password", "name": "default-authentication-password", "model_name": "passwordstage"}));
                    context
                        .extra
                        .insert("password".into(), json!("********************"));
                    context
                        .extra
                        .insert("username".into(), json!(user.username));
                    out.user = User {
                        pk: Some(0),
                        username: Some("AnonymousUser".into()),
                        is_anonymous: Some(true),
                        email: Some(String::new()),
                        ..User::default()
                    };
                }
                self.http_request(
                    ctx,
                    rng,
                    "/api/v3/flows/executor/default-authentication-flow/".into(),
                    "POST",
                    &mut request,
                );
                context.http_request = request;
                let (cont, country, city, lat, long) = *rng.pick(COUNTRIES);
                context.geo = Some(
                    json!({"lat": lat, "city": city, "long": long, "country": country, "continent": cont}),
                );
            }
            EventAction::ModelCreated | EventAction::ModelUpdated | EventAction::ModelDeleted => {
                app = "authentik.events.middleware";
                let (mapp, model_name) = *rng.pick(MODELS);
                let name = rng.pick(&ctx.pools.words).clone();
                context.model = Some(ModelRef {
                    app: mapp.into(),
                    name,
                    pk: Value::from(1 + rng.below(500)),
                    model_name: model_name.into(),
                });
                let path = ["/api/v3/", model_name, "/"].concat();
                let method = match action {
                    EventAction::ModelCreated => "POST",
                    EventAction::ModelUpdated => "PATCH",
                    _ => "DELETE",
                };
                self.http_request(ctx, rng, path.into(), method, &mut request);
                context.http_request = request;
            }
            EventAction::SystemTaskExecution
            | EventAction::SystemTaskException
            | EventAction::SystemException
            | EventAction::UpdateAvailable
            | EventAction::ConfigurationError
            | EventAction::ConfigurationWarning => {
                app = "authentik.events.system_tasks";
                let task = *rng.pick(TASKS);
                let text: &[&str] = match action {
                    EventAction::SystemTaskExecution => &["Task ", task, " finished successfully"],
                    EventAction::UpdateAvailable => &["New version 2026.2.1 available!"],
                    EventAction::ConfigurationWarning | EventAction::ConfigurationError => {
                        &["Outpost ", task, " is not reachable"]
                    }
                    _ => &["Task ", task, " encountered an error: ConnectionError"],
                };
                put_parts(&mut message, text);
                context.message = message;
                out.user = User {
                    pk: Some(1),
                    username: Some("akadmin".into()),
                    email: Some(["root@", &ctx.pools.domains[0]].concat()),
                    ..User::default()
                };
                out.client_ip = None;
            }
            _ => {
                app = "authentik.core.signals";
                let label = action.label();
                let by = user.username.as_deref().unwrap_or("unknown");
                put_parts(&mut message, &[label, " by ", by]);
                context.message = message;
                self.http_request(
                    ctx,
                    rng,
                    "/api/v3/core/users/me/".into(),
                    "GET",
                    &mut request,
                );
                context.http_request = request;
            }
        }
        ctx.codec.encode_into(index, &mut out.pk);
        out.action = action;
        out.app = app.into();
        rfc3339_micros_into(t, &mut out.created);
        rfc3339_micros_into(t + ctx.retention.unwrap_or(YEAR_US), &mut out.expires);
        copy_brand(&mut out.brand, &self.brand);
    }
}

/// An event with every field empty, to be filled by `generate_into`.
fn blank() -> Event {
    Event {
        pk: String::new(),
        user: User::default(),
        action: EventAction::Login,
        app: "".into(),
        context: EventContext::default(),
        client_ip: None,
        created: String::new(),
        expires: String::new(),
        brand: Brand::default(),
    }
}

/// Sets `dst` to `Some(src)`, reusing the string it held.
fn put_opt(dst: &mut Option<String>, src: &str) {
    match dst {
        Some(s) => {
            s.clear();
            s.push_str(src);
        }
        None => *dst = Some(src.to_owned()),
    }
}

/// Sets `dst` to `Some` of the parts joined, reusing the string it held.
fn put_parts(dst: &mut Option<String>, parts: &[&str]) {
    let s = dst.get_or_insert_with(String::new);
    s.clear();
    for part in parts {
        s.push_str(part);
    }
}

/// Makes `dst` equal to `src`, reusing `dst`'s strings.
fn copy_user(dst: &mut User, src: &User) {
    dst.pk = src.pk;
    dst.email.clone_from(&src.email);
    dst.username.clone_from(&src.username);
    dst.is_anonymous = src.is_anonymous;
    dst.on_behalf_of.clone_from(&src.on_behalf_of);
    dst.extra.clone_from(&src.extra);
}

/// Makes `dst` equal to `src`, reusing `dst`'s strings.
fn copy_brand(dst: &mut Brand, src: &Brand) {
    dst.pk.clone_from(&src.pk);
    dst.app.clone_from(&src.app);
    dst.name.clone_from(&src.name);
    dst.model_name.clone_from(&src.model_name);
}

impl AuthentikGen {
    /// Fills `slot` with the `http_request` of an event, reusing the request it held.
    fn http_request(
        &self,
        ctx: &Context,
        rng: &mut EventRng,
        path: Cow<'static, str>,
        method: &'static str,
        slot: &mut Option<HttpRequest>,
    ) {
        let request = slot.get_or_insert_with(|| HttpRequest {
            args: Map::new(),
            path: "".into(),
            method: "".into(),
            request_id: String::new(),
            user_agent: String::new(),
        });
        request.args.clear();
        request.path = path;
        request.method = method.into();
        hex32_into(rng, &mut request.request_id);
        let user_agent = rng.pick(&ctx.pools.user_agents);
        request.user_agent.clear();
        request.user_agent.push_str(user_agent);
    }
}
