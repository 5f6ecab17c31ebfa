//! authentik events: the `context` fits the action (logins carry `http_request`, the auth
//! method and the `geo` of their client address, `model_*` carry the model, system events a
//! message), `expires` is a year after `created` (authentik's default retention), or the
//! dataset's retention when it has one. Actions follow the shares of a real installation's log
//! ([`ACTION_WEIGHTS`]); a few users cause most events.

use std::borrow::Cow;
use std::cell::RefCell;

use eventmock_model::Vendor;
use eventmock_model::authentik::{
    Brand, Context as EventContext, Event, EventAction, HttpRequest, ModelRef, User,
};
use serde_json::{Map, Value, json};

use super::reuse::{keep, put_joined, put_opt, put_parts, put_str, put_value_str, with_spare};
use super::{hex32, hex32_into};
use crate::codec::IdFormat;
use crate::dataset::{Context, Generator};
use crate::realism::names::{APPLICATIONS, FLOWS, GROUPS, OUTPOSTS, POLICIES, STAGES, TOKENS};
use crate::realism::places::Place;
use crate::realism::{Weights, skewed};
use crate::rng::EventRng;
use crate::time::rfc3339_micros_into;

const YEAR_US: i64 = 365 * 86_400 * 1_000_000;

/// How often each action appears (relative shares; they sum to 906) in a typical log: logins,
/// application authorizations and model updates dominate; exceptions and reviews are rare.
/// Every action has a positive share, so a filter on any of them finds events.
pub const ACTION_WEIGHTS: &[(EventAction, u32)] = &[
    (EventAction::Login, 230),
    (EventAction::AuthorizeApplication, 160),
    (EventAction::ModelUpdated, 110),
    (EventAction::Logout, 80),
    (EventAction::SystemTaskExecution, 60),
    (EventAction::LoginFailed, 45),
    (EventAction::FlowExecution, 40),
    (EventAction::ModelCreated, 40),
    (EventAction::UserWrite, 30),
    (EventAction::EmailSent, 25),
    (EventAction::PolicyExecution, 20),
    (EventAction::ModelDeleted, 15),
    (EventAction::PasswordSet, 8),
    (EventAction::SecretView, 6),
    (EventAction::SourceLinked, 4),
    (EventAction::SuspiciousRequest, 3),
    (EventAction::InvitationUsed, 3),
    (EventAction::SystemTaskException, 3),
    (EventAction::SecretRotate, 2),
    (EventAction::PolicyException, 2),
    (EventAction::ConfigurationWarning, 2),
    (EventAction::AccessRequestCreated, 2),
    (EventAction::AccessRequestApproved, 2),
    (EventAction::UserOffboarded, 1),
    (EventAction::ImpersonationStarted, 1),
    (EventAction::ImpersonationEnded, 1),
    (EventAction::PropertyMappingException, 1),
    (EventAction::SystemException, 1),
    (EventAction::ConfigurationError, 1),
    (EventAction::UpdateAvailable, 1),
    (EventAction::ExportReady, 1),
    (EventAction::ReviewInitiated, 1),
    (EventAction::ReviewOverdue, 1),
    (EventAction::ReviewAttested, 1),
    (EventAction::ReviewCompleted, 1),
    (EventAction::AccessRequestDenied, 1),
    (EventAction::AccessRequestRevoked, 1),
];

/// Models whose changes authentik records: `(app, model_name, API path, names)`; `names`
/// empty means the model is a user (named by username).
const MODELS: &[(&str, &str, &str, &[&str])] = &[
    ("authentik_core", "user", "/api/v3/core/users/", &[]),
    ("authentik_core", "group", "/api/v3/core/groups/", GROUPS),
    (
        "authentik_core",
        "application",
        "/api/v3/core/applications/",
        APPLICATIONS,
    ),
    ("authentik_core", "token", "/api/v3/core/tokens/", TOKENS),
    ("authentik_flows", "flow", "/api/v3/flows/instances/", FLOWS),
    (
        "authentik_policies_expression",
        "expressionpolicy",
        "/api/v3/policies/expression/",
        POLICIES,
    ),
    (
        "authentik_providers_oauth2",
        "oauth2provider",
        "/api/v3/providers/oauth2/",
        APPLICATIONS,
    ),
    (
        "authentik_providers_saml",
        "samlprovider",
        "/api/v3/providers/saml/",
        APPLICATIONS,
    ),
    (
        "authentik_stages_password",
        "passwordstage",
        "/api/v3/stages/password/",
        STAGES,
    ),
    (
        "authentik_outposts",
        "outpost",
        "/api/v3/outposts/instances/",
        OUTPOSTS,
    ),
];
const TASKS: &[&str] = &[
    "clean_expired_models",
    "outpost_controller",
    "blueprints_discovery",
    "notification_cleanup",
    "update_latest_version",
];
const AUTH_METHODS: &[&str] = &["password", "token", "auth_mfa", "auth_webauthn_pwl"];

/// Generates authentik events.
pub struct AuthentikGen {
    /// Stable users (pk, username, email), busiest first.
    users: Vec<User>,
    /// The installation's brand.
    brand: Brand,
    /// The shares of [`ACTION_WEIGHTS`].
    actions: Weights,
}

impl Generator for AuthentikGen {
    type Event = Event;
    const VENDOR: Vendor = Vendor::Authentik;
    const ID_FORMAT: IdFormat = IdFormat::UuidV4;

    fn new(ctx: &Context) -> Self {
        let mut rng = ctx.streams.stream(u64::MAX - 1000);
        let users = (0..ctx.pools.people.len())
            .map(|n| {
                let p = &ctx.pools.people[n];
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
        let actions = Weights::new(ACTION_WEIGHTS.iter().map(|(_, w)| *w));
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

    crate::dataset::per_thread_scratch!(Event);

    /// Writes every field of `out` (strings in place, and the parts only some actions carry
    /// kept aside for the next event that carries them, so a reused event allocates nothing
    /// once it has held every kind of event).
    fn generate_into(&self, ctx: &Context, index: u64, rng: &mut EventRng, out: &mut Event) {
        with_spare(&SPARE, |spare| self.build(ctx, index, rng, out, spare));
    }
}

thread_local! {
    /// This thread's spare parts of reused authentik events.
    static SPARE: RefCell<Spare> = RefCell::new(Spare::default());
}

/// The parts of an event only some actions carry, set aside while the reused event holds an
/// event without them.
#[derive(Default)]
struct Spare {
    message: Option<String>,
    request: Option<HttpRequest>,
    geo: Option<Value>,
    model: Option<ModelRef>,
    client_ip: Option<String>,
    /// A failed login's extra context keys (`stage`, `password`, `username`).
    extra: Map<String, Value>,
}

impl AuthentikGen {
    /// [`Generator::generate_into`] with this thread's spare parts.
    fn build(
        &self,
        ctx: &Context,
        index: u64,
        rng: &mut EventRng,
        out: &mut Event,
        spare: &mut Spare,
    ) {
        let t = ctx.time_of(index);
        let action = ACTION_WEIGHTS[self.actions.pick(rng.next_u64())].0;
        let user = &self.users[skewed(rng.next_u64(), self.users.len())];
        let address = rng.pick(&ctx.pools.ips);
        // Set every optional part of the context aside; each branch takes back the ones it
        // uses.
        let context = &mut out.context;
        keep(&mut spare.message, context.message.take());
        keep(&mut spare.request, context.http_request.take());
        keep(&mut spare.geo, context.geo.take());
        keep(&mut spare.model, context.model.take());
        if !context.extra.is_empty() {
            spare.extra = std::mem::take(&mut context.extra);
        }
        context.auth_method = None;
        context.auth_method_args = None;
        context.asn = None;
        if out.client_ip.is_none() {
            out.client_ip = spare.client_ip.take();
        }
        put_opt(&mut out.client_ip, &address.ip);
        let app;
        match action {
            EventAction::Login | EventAction::Logout | EventAction::LoginFailed => {
                app = "authentik.events.signals";
                if action == EventAction::Login {
                    context.auth_method = Some((*rng.pick(AUTH_METHODS)).into());
                    context.auth_method_args = Some(Value::Object(Map::new()));
                }
                if action == EventAction::LoginFailed {
                    let mut extra = std::mem::take(&mut spare.extra);
                    put_login_failure(&mut extra, rng, user.username.as_deref());
                    context.extra = extra;
                    set_user(&mut out.user, 0, "AnonymousUser", &[""], Some(true));
                } else {
                    copy_user(&mut out.user, user);
                }
                let flow = if action == EventAction::Logout {
                    "/api/v3/flows/executor/default-invalidation-flow/"
                } else {
                    "/api/v3/flows/executor/default-authentication-flow/"
                };
                let mut request = spare.request.take();
                self.http_request(ctx, rng, Cow::Borrowed(flow), "POST", &mut request);
                context.http_request = request;
                let mut geo = spare.geo.take();
                put_geo(&mut geo, address.place);
                context.geo = geo;
            }
            EventAction::ModelCreated | EventAction::ModelUpdated | EventAction::ModelDeleted => {
                app = "authentik.events.middleware";
                copy_user(&mut out.user, user);
                let &(mapp, model_name, path, names) = rng.pick(MODELS);
                let mut model = spare.model.take().unwrap_or_else(|| ModelRef {
                    app: "".into(),
                    name: String::new(),
                    pk: Value::Null,
                    model_name: "".into(),
                });
                if names.is_empty() {
                    let person = &self.users[skewed(rng.next_u64(), self.users.len())];
                    put_str(
                        &mut model.name,
                        person.username.as_deref().unwrap_or_default(),
                    );
                } else {
                    let base = *rng.pick(names);
                    let suffix = match model_name {
                        "oauth2provider" => " OAuth2",
                        "samlprovider" => " SAML",
                        _ => "",
                    };
                    put_joined(&mut model.name, &[base, suffix]);
                }
                model.app = mapp.into();
                model.pk = Value::from(1 + rng.below(500));
                model.model_name = model_name.into();
                context.model = Some(model);
                let method = match action {
                    EventAction::ModelCreated => "POST",
                    EventAction::ModelUpdated => "PATCH",
                    _ => "DELETE",
                };
                let mut request = spare.request.take();
                self.http_request(ctx, rng, Cow::Borrowed(path), method, &mut request);
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
                let mut message = spare.message.take();
                put_parts(&mut message, text);
                context.message = message;
                set_user(
                    &mut out.user,
                    1,
                    "akadmin",
                    &["root@", ctx.pools.company_domain()],
                    None,
                );
                keep(&mut spare.client_ip, out.client_ip.take());
            }
            _ => {
                app = "authentik.core.signals";
                copy_user(&mut out.user, user);
                let label = action.label();
                let by = user.username.as_deref().unwrap_or("unknown");
                let mut message = spare.message.take();
                put_parts(&mut message, &[label, " by ", by]);
                context.message = message;
                let mut request = spare.request.take();
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

/// Sets `extra` to a failed login's extra context (the password stage that failed, the
/// masked password, the username tried), rewriting the map it held when it has that shape.
fn put_login_failure(extra: &mut Map<String, Value>, rng: &mut EventRng, username: Option<&str>) {
    let tried = || username.map_or(Value::Null, |u| Value::String(u.to_owned()));
    if extra.len() == 3 {
        let mut entries = extra.iter_mut();
        if let (Some((k1, Value::Object(stage))), Some((k2, _)), Some((k3, name))) =
            (entries.next(), entries.next(), entries.next())
            && (k1.as_str(), k2.as_str(), k3.as_str()) == ("stage", "password", "username")
            && stage.len() == 4
            && let Some(Value::String(pk)) = stage.get_mut("pk")
        {
            hex32_into(rng, pk);
            match (name, username) {
                (name @ Value::String(_), Some(u)) => put_value_str(name, u),
                (name, _) => *name = tried(),
            }
            return;
        }
    }
    extra.clear();
    extra.insert(
        "stage".into(),
        json!({"pk": hex32(rng), "app": "authentik_stages_password", "name": STAGES[0], "model_name": "passwordstage"}),
    );
    extra.insert("password".into(), json!("********************"));
    extra.insert("username".into(), tried());
}

/// Sets `dst` to a user of the installation's own (no extra keys, not on behalf of anyone),
/// reusing its strings: `email` is the parts joined.
fn set_user(dst: &mut User, pk: i64, username: &str, email: &[&str], anonymous: Option<bool>) {
    dst.pk = Some(pk);
    put_parts(&mut dst.email, email);
    put_opt(&mut dst.username, username);
    dst.is_anonymous = anonymous;
    dst.on_behalf_of = None;
    dst.extra.clear();
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

/// Sets `slot` to the `geo` object of `place` (authentik's GeoIP context: `lat`, `city`,
/// `long`, `country`, `continent`, in that order), reusing the object and strings it held.
fn put_geo(slot: &mut Option<Value>, place: &Place) {
    if let Some(Value::Object(map)) = slot
        && map.len() == 5
    {
        let mut fields = map.values_mut();
        if let (
            Some(lat),
            Some(Value::String(city)),
            Some(long),
            Some(Value::String(country)),
            Some(Value::String(continent)),
        ) = (
            fields.next(),
            fields.next(),
            fields.next(),
            fields.next(),
            fields.next(),
        ) {
            *lat = Value::from(place.lat);
            city.clear();
            city.push_str(place.city);
            *long = Value::from(place.long);
            country.clear();
            country.push_str(place.country);
            continent.clear();
            continent.push_str(place.continent);
            return;
        }
    }
    *slot = Some(
        json!({"lat": place.lat, "city": place.city, "long": place.long, "country": place.country, "continent": place.continent}),
    );
}

/// Makes `dst` equal to `src`, reusing `dst`'s strings.
fn copy_user(dst: &mut User, src: &User) {
    dst.pk = src.pk;
    dst.email.clone_from(&src.email);
    dst.username.clone_from(&src.username);
    dst.is_anonymous = src.is_anonymous;
    dst.on_behalf_of.clone_from(&src.on_behalf_of);
    if src.extra.is_empty() {
        dst.extra.clear();
    } else {
        dst.extra.clone_from(&src.extra);
    }
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
