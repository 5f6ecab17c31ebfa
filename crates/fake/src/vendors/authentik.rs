//! authentik events: the `context` fits the action (logins carry `http_request` and the auth
//! method, `model_*` carry the model, system events a message), `expires` is a year after
//! `created`.

use std::borrow::Cow;

use eventmock_model::Vendor;
use eventmock_model::authentik::{
    Brand, Context as EventContext, Event, EventAction, HttpRequest, ModelRef, User,
};
use serde_json::{Map, Value, json};

use super::hex32;
use crate::codec::IdFormat;
use crate::dataset::{Context, Generator};
use crate::rng::EventRng;
use crate::time::rfc3339_micros;

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
        let t = ctx.time_of(index);
        let action = *rng.pick(&self.actions);
        let mut user = rng.pick(&self.users).clone();
        let ip = rng.pick(&ctx.pools.ips);
        let mut context = EventContext::default();
        let mut client_ip = Some(ip.clone());
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
                    user = User {
                        pk: Some(0),
                        username: Some("AnonymousUser".into()),
                        is_anonymous: Some(true),
                        email: Some(String::new()),
                        ..User::default()
                    };
                }
                context.http_request = Some(self.http_request(
                    ctx,
                    rng,
                    "/api/v3/flows/executor/default-authentication-flow/".into(),
                    "POST",
                ));
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
                context.http_request = Some(self.http_request(ctx, rng, path.into(), method));
            }
            EventAction::SystemTaskExecution
            | EventAction::SystemTaskException
            | EventAction::SystemException
            | EventAction::UpdateAvailable
            | EventAction::ConfigurationError
            | EventAction::ConfigurationWarning => {
                app = "authentik.events.system_tasks";
                let task = *rng.pick(TASKS);
                context.message = Some(match action {
                    EventAction::SystemTaskExecution => {
                        ["Task ", task, " finished successfully"].concat()
                    }
                    EventAction::UpdateAvailable => "New version 2026.2.1 available!".to_owned(),
                    EventAction::ConfigurationWarning | EventAction::ConfigurationError => {
                        ["Outpost ", task, " is not reachable"].concat()
                    }
                    _ => ["Task ", task, " encountered an error: ConnectionError"].concat(),
                });
                user = User {
                    pk: Some(1),
                    username: Some("akadmin".into()),
                    email: Some(["root@", &ctx.pools.domains[0]].concat()),
                    ..User::default()
                };
                client_ip = None;
            }
            _ => {
                app = "authentik.core.signals";
                // `concat`, not `format!`: one exact allocation, no formatting machinery.
                context.message = Some(
                    [
                        action.label(),
                        " by ",
                        user.username.as_deref().unwrap_or("unknown"),
                    ]
                    .concat(),
                );
                context.http_request =
                    Some(self.http_request(ctx, rng, "/api/v3/core/users/me/".into(), "GET"));
            }
        }
        Event {
            pk: ctx.codec.encode(index),
            user,
            action,
            app: app.into(),
            context,
            client_ip,
            created: rfc3339_micros(t),
            expires: rfc3339_micros(t + YEAR_US),
            brand: self.brand.clone(),
        }
    }
}

impl AuthentikGen {
    fn http_request(
        &self,
        ctx: &Context,
        rng: &mut EventRng,
        path: Cow<'static, str>,
        method: &'static str,
    ) -> HttpRequest {
        HttpRequest {
            args: Map::new(),
            path,
            method: method.into(),
            request_id: hex32(rng),
            user_agent: rng.pick(&ctx.pools.user_agents).clone(),
        }
    }
}
