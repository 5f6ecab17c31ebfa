//! [`App`]: the server's request handler. It finds the vendor mounted for a path, applies the
//! scenario's faults and overrides, lets the vendor answer, and adds the vendor's decorations.

use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::Instant;

use arc_swap::ArcSwap;
use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::http::request::Parts;
use hyper::{Request, StatusCode};

use crate::admin::Served;
use crate::errors::{ErrorName, Holes};
use crate::net::{ConnectionFault, Handler};
use crate::request::Req;
use crate::response::{Reply, reply};
use crate::rules::{FaultPlan, RuleMatch, status_reply};
use crate::tracking::{SharedWindows, tracked};
use crate::vendors::VendorApi;
use crate::world::World;

/// The request handler of the server.
pub struct App {
    /// The current world; swapped whole on reload.
    world: ArcSwap<World>,
    /// Requests received so far.
    counter: AtomicU64,
    /// Journal, metrics and admin settings.
    control: crate::admin::Control,
    /// Browser access to the vendor APIs (`serve --cors`), when the world sets none.
    cors: Option<crate::cors::Cors>,
    /// The state shared with other replicas (`serve --state`), if any.
    shared: Option<Arc<crate::shared::SharedState>>,
}

impl App {
    /// An app serving `world`.
    pub fn new(world: World) -> Self {
        Self {
            world: ArcSwap::from_pointee(world),
            counter: AtomicU64::new(0),
            control: crate::admin::Control::default(),
            cors: None,
            shared: None,
        }
    }

    /// Shares run-time changes with other replicas through `shared` (see [`crate::shared`];
    /// start its follower with [`crate::shared::follow::start`] once the app is in an `Arc`).
    pub fn with_shared(mut self, shared: Arc<crate::shared::SharedState>) -> Self {
        self.share_rules(&self.world.load(), &shared);
        self.shared = Some(shared);
        self
    }

    /// Lets `world`'s sequences and faults count in the shared state, and its ledgers keep
    /// what they record for the flusher.
    fn share_rules(&self, world: &World, shared: &Arc<crate::shared::SharedState>) {
        for m in &world.mounts {
            m.api.tracking().ledger.share();
        }
        if !world.rules.is_empty() {
            world
                .rules
                .share(Arc::new(crate::shared::counters::RedisCounters(
                    Arc::clone(shared),
                )));
        }
    }

    /// The state shared with other replicas, if any.
    pub fn shared(&self) -> Option<&Arc<crate::shared::SharedState>> {
        self.shared.as_ref()
    }

    /// Allows browser calls (CORS) to the vendor APIs (never to the admin API); a world whose
    /// scenarios say `cors:` uses theirs instead.
    pub fn with_cors(mut self, cors: crate::cors::Cors) -> Self {
        self.cors = Some(cors);
        self
    }

    /// Sets the control plane's settings (journal size, admin access, admin body limit).
    pub fn with_control(mut self, config: crate::admin::ControlConfig) -> Self {
        self.world.load().set_max_added(config.max_added);
        self.control = crate::admin::Control::new(config);
        self
    }

    /// The journal, metrics and admin settings.
    pub fn control(&self) -> &crate::admin::Control {
        &self.control
    }

    /// The current world.
    pub fn world(&self) -> Arc<World> {
        self.world.load_full()
    }

    /// Replaces the world (scenario reload); requests in flight finish on the old one.
    pub fn replace(&self, world: World) {
        world.set_max_added(self.control.config().max_added);
        if let Some(shared) = &self.shared {
            self.share_rules(&world, shared);
        }
        self.world.store(Arc::new(world));
    }

    /// Answers one request arriving on `port` (`None`: the main port), faults included.
    pub async fn respond(&self, port: Option<u16>, req: Request<Bytes>) -> Reply {
        let (parts, body) = req.into_parts();
        match self.answer_now(port, &parts, body) {
            Answer::Ready(res, _) => res,
            Answer::Faulted(res, _, plan) => Box::pin(apply_faults(res, plan)).await,
        }
    }

    /// Answers a request, vendor's answer and faults included, and journals it and counts
    /// it in the metrics once answered. The work is done in the call: an answer without a
    /// delay or a truncation (almost every one) comes back as a ready future that holds only
    /// the reply (no request state is moved from future to future); one that must wait
    /// finishes in its own boxed future.
    fn respond_and_finish(
        &self,
        port: Option<u16>,
        req: Request<Bytes>,
        peer: Option<IpAddr>,
    ) -> Answered<'_> {
        let started = Instant::now();
        let (parts, body) = req.into_parts();
        match self.answer_with_peer(port, &parts, body.clone(), peer) {
            Answer::Ready(res, served) => Answered::Ready(std::future::ready(
                self.control.finish(started, &parts, &body, res, served),
            )),
            Answer::Faulted(res, served, plan) => Answered::Waiting(Box::pin(async move {
                let res = apply_faults(res, plan).await;
                self.control.finish(started, &parts, &body, res, served)
            })),
        }
    }

    /// The vendor's answer to a request taken apart, naming the vendor and route that
    /// answered (`None` when no mounted vendor owns the path) for the journal and metrics,
    /// and the faults still to carry out (a delay, a truncated body) if any.
    fn answer_now(&self, port: Option<u16>, parts: &Parts, body: Bytes) -> Answer {
        self.answer_with_peer(port, parts, body, None)
    }

    /// [`App::answer_now`] for a request from `peer`: rate limits and the delivery ledger
    /// count it for its client ([`crate::client`]).
    fn answer_with_peer(
        &self,
        port: Option<u16>,
        parts: &Parts,
        body: Bytes,
        peer: Option<IpAddr>,
    ) -> Answer {
        // A guard, not an `Arc` clone: no write to the world's shared count per request.
        let world = self.world.load();
        let Some(cors) = world.cors.as_ref().or(self.cors.as_ref()) else {
            return self.answer_in(&world, port, parts, body, peer);
        };
        // A preflight is answered before routing and vendor auth.
        if let Some(res) = cors.preflight(parts) {
            return Answer::Ready(res, None);
        }
        let mut answer = self.answer_in(&world, port, parts, body, peer);
        let (Answer::Ready(res, _) | Answer::Faulted(res, _, _)) = &mut answer;
        cors.decorate(&parts.headers, res);
        answer
    }

    /// [`App::answer_with_peer`] in `world`, CORS aside.
    fn answer_in(
        &self,
        world: &World,
        port: Option<u16>,
        parts: &Parts,
        body: Bytes,
        peer: Option<IpAddr>,
    ) -> Answer {
        let ordinal = self.counter.fetch_add(1, Ordering::Relaxed);
        let path = parts.uri.path();
        let Some((mount, sub)) = world.route(port, path) else {
            return Answer::Ready(world.unrouted(port, &parts.method, path, ordinal), None);
        };
        let mut req = Req::new(
            parts.method.clone(),
            sub,
            parts.uri.query(),
            &parts.headers,
            body,
            ordinal,
        );
        req.prefix.clone_from(&mount.prefix);
        req.authority = parts.uri.authority().map(|a| a.as_str().to_owned());
        req.peer = peer;
        let api = &*mount.api;
        let vendor = api.vendor();
        let mut served = Served {
            vendor,
            route: api.route_label(&req),
            rules: None,
            clock_us: world.time.clock.now(),
        };
        let ledger_on = self.control.config().ledger;
        let clock = &*world.time.clock;
        let mount_key = || mount.key();
        let windows = || {
            self.shared.as_deref().map(|shared| SharedWindows {
                shared,
                mount_key: &mount_key,
            })
        };
        if world.rules.is_empty() {
            let res = tracked(clock, api, &req, ledger_on, windows(), || {
                (self.handle_vendor(api, &req, port, parts), false)
            });
            return Answer::Ready(res, Some(served));
        }
        // The fault plan is drawn only for a request the rate limit lets through.
        let mut drawn: Option<(FaultPlan, RuleMatch)> = None;
        let mut res = tracked(clock, api, &req, ledger_on, windows(), || {
            let plan = world.rules.faults(vendor, &req);
            let mut hit = RuleMatch {
                faults: plan.applied,
                ..RuleMatch::default()
            };
            let res = if let Some((code, error)) = plan.status {
                status_reply(api, code, error)
            } else {
                let (answer, matched) = world.rules.override_answer(vendor, api, &req);
                hit = RuleMatch {
                    faults: plan.applied,
                    ..matched
                };
                answer.unwrap_or_else(|| self.handle_vendor(api, &req, port, parts))
            };
            let cut = plan.reset || plan.truncate;
            drawn = Some((plan, hit));
            (res, cut)
        });
        let Some((plan, hit)) = drawn else {
            return Answer::Ready(res, Some(served));
        };
        if !hit.is_empty() {
            // Only a request that a rule shaped pays for naming it in the journal.
            served.rules = Some((Arc::clone(&world.rules), hit));
        }
        let served = Some(served);
        if plan.reset {
            res.extensions_mut().insert(ConnectionFault::Reset);
        }
        if plan.delay.is_some() || (plan.truncate && !plan.reset) {
            Answer::Faulted(res, served, plan)
        } else {
            Answer::Ready(res, served)
        }
    }

    /// The vendor's answer to `req`; with shared state, a vendor write (Halo's `delete.json`,
    /// authentik's `DELETE`) goes through the change log instead (one `Option` check per
    /// request otherwise).
    #[inline]
    fn handle_vendor(
        &self,
        api: &dyn VendorApi,
        req: &Req,
        port: Option<u16>,
        parts: &Parts,
    ) -> Reply {
        match &self.shared {
            Some(shared) if api.is_write(req) => {
                crate::shared::submit_vendor(shared, api, port, parts, &req.body)
            }
            _ => api.handle(req),
        }
    }

    /// Answers one request on the main port in-process (contract runs, tests, fuzzing): like
    /// the network path, the vendor's rate limit applies (the cluster's windows with shared
    /// state) and the delivery ledger records what
    /// it serves (for the request's credential or `X-Eventmock-Client`; no peer address, so an
    /// unauthenticated request counts as `anonymous`); overrides and sequences apply, but no
    /// scenario fault (status, delay, reset, truncation), CORS or journal entry — a contract
    /// run checks the vendor's answers, not the injected failures.
    pub fn answer(&self, req: Request<Bytes>) -> Reply {
        let ordinal = self.counter.fetch_add(1, Ordering::Relaxed);
        let world = self.world.load();
        let (parts, body) = req.into_parts();
        let path = parts.uri.path();
        let Some((mount, sub)) = world.route(None, path) else {
            return world.unrouted(None, &parts.method, path, ordinal);
        };
        let mut req = Req::new(
            parts.method.clone(),
            sub,
            parts.uri.query(),
            &parts.headers,
            body,
            ordinal,
        );
        req.prefix.clone_from(&mount.prefix);
        let api = &*mount.api;
        let mount_key = || mount.key();
        let windows = self.shared.as_deref().map(|shared| SharedWindows {
            shared,
            mount_key: &mount_key,
        });
        tracked(
            &*world.time.clock,
            api,
            &req,
            self.control.config().ledger,
            windows,
            || {
                let res = world
                    .rules
                    .override_reply(api.vendor(), api, &req)
                    .unwrap_or_else(|| api.handle(&req));
                (res, false)
            },
        )
    }

    fn vendor_error(&self, port: Option<u16>, parts: &Parts, name: ErrorName) -> Option<Reply> {
        let world = self.world.load();
        let (mount, _) = world.route(port, parts.uri.path())?;
        let req = Req::new(
            parts.method.clone(),
            parts.uri.path(),
            None,
            &parts.headers,
            Bytes::new(),
            self.counter.fetch_add(1, Ordering::Relaxed),
        );
        let mut res = mount.api.error(name, Holes::default());
        mount.api.decorate(&req, &mut res);
        if let Some(cors) = world.cors.as_ref().or(self.cors.as_ref()) {
            cors.decorate(&parts.headers, &mut res);
        }
        Some(res)
    }
}

/// The future of [`App::respond_and_finish`]: a reply made already, or one waiting on faults.
enum Answered<'a> {
    /// Made in the call.
    Ready(std::future::Ready<Reply>),
    /// Delayed or truncated by a fault.
    Waiting(Pin<Box<dyn Future<Output = Reply> + Send + 'a>>),
}

impl Future for Answered<'_> {
    type Output = Reply;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Reply> {
        match self.get_mut() {
            Self::Ready(ready) => Pin::new(ready).poll(cx),
            Self::Waiting(waiting) => waiting.as_mut().poll(cx),
        }
    }
}

/// A vendor's answer, ready or with faults still to carry out.
enum Answer {
    /// Send it now.
    Ready(Reply, Option<Served>),
    /// Wait and/or truncate first (see [`apply_faults`]).
    Faulted(Reply, Option<Served>, FaultPlan),
}

/// Carries out a fault plan's delay and truncation on an answer (a reset was already
/// attached to it).
async fn apply_faults(mut res: Reply, plan: FaultPlan) -> Reply {
    if let Some(delay) = plan.delay {
        tokio::time::sleep(delay).await;
    }
    if plan.truncate && !plan.reset {
        let (mut head, body) = res.into_parts();
        let full = body
            .collect()
            .await
            .map(|c| c.to_bytes())
            .unwrap_or_default();
        head.extensions.insert(ConnectionFault::Truncate(full));
        res = Reply::from_parts(head, http_body_util::Full::new(Bytes::new()));
    }
    res
}

fn too_large_fallback() -> Reply {
    reply(
        StatusCode::PAYLOAD_TOO_LARGE,
        "application/json",
        Bytes::from_static(br#"{"detail":"Request body too large"}"#),
    )
}

fn internal_fallback() -> Reply {
    reply(
        StatusCode::INTERNAL_SERVER_ERROR,
        "application/json",
        Bytes::from_static(br#"{"detail":"Internal Server Error"}"#),
    )
}

impl crate::admin::Host for App {
    fn world(&self) -> Arc<World> {
        App::world(self)
    }

    fn replace(&self, world: World) {
        App::replace(self, world);
    }

    fn control(&self) -> &crate::admin::Control {
        App::control(self)
    }

    fn shared(&self) -> Option<&Arc<crate::shared::SharedState>> {
        App::shared(self)
    }
}

impl crate::shared::follow::Replica for App {
    fn shared(&self) -> Option<&Arc<crate::shared::SharedState>> {
        App::shared(self)
    }

    fn world(&self) -> Arc<World> {
        App::world(self)
    }

    fn replace(&self, world: World) {
        App::replace(self, world);
    }

    fn scratch(&self, world: World) -> Self {
        App::new(world).with_control(self.control.config().clone())
    }

    fn apply_admin_write(&self, req: Request<Bytes>) -> Reply {
        crate::admin::apply_write(self, req)
    }

    fn cleanup_of(&self, envelope: &crate::shared::Envelope) -> crate::shared::Cleanup {
        crate::admin::cleanup_of(self, envelope)
    }

    fn journal(&self) -> &crate::journal::Journal {
        self.control.journal()
    }
}

impl Handler for App {
    fn handle(&self, req: Request<Bytes>, peer: SocketAddr) -> impl Future<Output = Reply> + Send {
        if crate::admin::is_admin_path(req.uri().path()) {
            return Answered::Ready(std::future::ready(crate::admin::handle(self, req, peer)));
        }
        self.respond_and_finish(None, req, Some(peer.ip()))
    }

    fn body_limit(&self, parts: &Parts, peer: SocketAddr, default: usize) -> usize {
        self.control
            .body_limit(parts.uri.path(), peer, &parts.headers, default)
    }

    fn payload_too_large(&self, parts: &Parts) -> Reply {
        self.vendor_error(None, parts, ErrorName::PayloadTooLarge)
            .unwrap_or_else(too_large_fallback)
    }

    fn internal_error(&self, parts: &Parts) -> Reply {
        self.vendor_error(None, parts, ErrorName::Internal)
            .unwrap_or_else(internal_fallback)
    }
}

/// The handler of one extra port: routes only among the vendors mounted on that port.
pub struct PortHandler {
    /// The shared app.
    pub app: Arc<App>,
    /// The port this handler serves.
    pub port: u16,
}

impl Handler for PortHandler {
    fn handle(&self, req: Request<Bytes>, peer: SocketAddr) -> impl Future<Output = Reply> + Send {
        self.app
            .respond_and_finish(Some(self.port), req, Some(peer.ip()))
    }

    fn payload_too_large(&self, parts: &Parts) -> Reply {
        self.app
            .vendor_error(Some(self.port), parts, ErrorName::PayloadTooLarge)
            .unwrap_or_else(too_large_fallback)
    }

    fn internal_error(&self, parts: &Parts) -> Reply {
        self.app
            .vendor_error(Some(self.port), parts, ErrorName::Internal)
            .unwrap_or_else(internal_fallback)
    }
}
