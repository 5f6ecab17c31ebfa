//! Building a [`World`] from scenarios: mounts (prefix, port), datasets, auth and fixtures,
//! plus the overrides and faults the request path applies.

use std::sync::Arc;

use eventmock_model::Vendor;
use eventmock_scenario::{Auth, ClockMode, ClockSpec, Scenario};

use super::{Mount, World};
use crate::auth::AuthPolicy;
use crate::clock::{ClockChoice, LocalClock, Timeline, WorldClock};
use crate::rules::Rules;
use crate::vendors::{VendorSettings, build};

/// Why scenarios could not become a world.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorldError {
    /// Two scenarios mount the same vendor at the same place.
    #[error(
        "scenario `{second}` mounts {vendor} at prefix `{prefix}` on {port}, already mounted there by scenario `{first}`"
    )]
    Conflict {
        /// The vendor.
        vendor: Vendor,
        /// The prefix.
        prefix: String,
        /// The port (`main port` when none is set).
        port: String,
        /// The scenario that mounted it first.
        first: String,
        /// The scenario that mounted it again.
        second: String,
    },
    /// A dataset could not be built.
    #[error("scenario `{scenario}`, vendors.{vendor}: {message}")]
    Dataset {
        /// The scenario.
        scenario: String,
        /// The vendor.
        vendor: Vendor,
        /// What went wrong.
        message: String,
    },
    /// A fixture did not fit the vendor's model.
    #[error("scenario `{scenario}`, vendors.{vendor}.fixtures[{index}]: {message}")]
    Fixture {
        /// The scenario.
        scenario: String,
        /// The vendor.
        vendor: Vendor,
        /// The fixture's position.
        index: usize,
        /// What went wrong.
        message: String,
    },
    /// Two clocks asked for disagree (two scenarios, or a scenario and `--clock`).
    #[error("clock: {0}")]
    Clock(String),
}

/// The clock of a world: the one its scenarios set (all that set one must agree), else the
/// command line's choice.
fn world_clock(scenarios: &[Scenario], choice: &ClockChoice) -> Result<ClockSpec, WorldError> {
    let mut set: Option<(&str, ClockSpec)> = None;
    for s in scenarios {
        let Some(spec) = s.clock else { continue };
        match set {
            Some((first, seen)) if seen != spec => {
                return Err(WorldError::Clock(format!(
                    "scenario `{}` sets a {} clock starting {}, but scenario `{first}` set a {} clock starting {}; one scenario of a world sets the clock",
                    s.name,
                    spec.mode.name(),
                    eventmock_fake::time::rfc3339_micros(spec.start),
                    seen.mode.name(),
                    eventmock_fake::time::rfc3339_micros(seen.start),
                )));
            }
            Some(_) => {}
            None => set = Some((&s.name, spec)),
        }
    }
    match (set, choice.mode) {
        (Some((name, spec)), Some(mode)) if mode != spec.mode => Err(WorldError::Clock(format!(
            "--clock {} disagrees with scenario `{name}`'s clock ({})",
            mode.name(),
            spec.mode.name()
        ))),
        (Some((_, spec)), _) => Ok(spec),
        (None, mode) => {
            let mode = mode.unwrap_or_default();
            Ok(ClockSpec {
                mode,
                start: choice.start_for(mode),
            })
        }
    }
}

fn policy(auth: &Auth) -> AuthPolicy {
    match auth {
        Auth::AnyCredential => AuthPolicy::AnyNonEmpty,
        Auth::Tokens(tokens) => AuthPolicy::Tokens(tokens.clone()),
        Auth::Off => AuthPolicy::Off,
    }
}

/// Normalizes a mount prefix: `/` → ``, `/x/` → `/x`.
pub fn normalize_prefix(prefix: &str) -> String {
    prefix.trim_end_matches('/').to_owned()
}

impl World {
    /// The world of one or more scenarios: their mounts together (a vendor may be mounted
    /// several times at different prefixes or ports), overrides and faults in file order.
    pub fn from_scenarios(scenarios: &[Scenario]) -> Result<World, WorldError> {
        Self::from_scenarios_with(scenarios, &ClockChoice::default())
    }

    /// [`World::from_scenarios`] with the command line's clock `choice` (a scenario's own
    /// `clock:` wins; an explicit mode that disagrees with it is an error).
    pub fn from_scenarios_with(
        scenarios: &[Scenario],
        choice: &ClockChoice,
    ) -> Result<World, WorldError> {
        let spec = world_clock(scenarios, choice)?;
        let clock = LocalClock::shared(spec.mode, spec.start);
        let mut arrivals: Vec<(Vendor, eventmock_fake::Rate)> = Vec::new();
        let mut mounts: Vec<Mount> = Vec::new();
        let mut owners: Vec<String> = Vec::new();
        for scenario in scenarios {
            for vm in &scenario.vendors {
                let prefix = normalize_prefix(&vm.prefix);
                if let Some(pos) = mounts.iter().position(|m| {
                    m.api.vendor() == vm.vendor && m.prefix == prefix && m.port == vm.port
                }) {
                    return Err(WorldError::Conflict {
                        vendor: vm.vendor,
                        prefix: vm.prefix.clone(),
                        port: vm
                            .port
                            .map_or("the main port".into(), |p| format!("port {p}")),
                        first: owners[pos].clone(),
                        second: scenario.name.clone(),
                    });
                }
                let rate = vm.arrivals.or(choice.arrivals);
                if rate.is_some() && spec.mode == ClockMode::Frozen {
                    return Err(WorldError::Clock(format!(
                        "scenario `{}`, vendors.{}: arrivals need a clock that moves (`clock: {{mode: manual}}` or `--clock live`); a frozen clock's dataset never grows",
                        scenario.name, vm.vendor
                    )));
                }
                if let Some(rate) = rate
                    && !arrivals.iter().any(|(v, _)| *v == vm.vendor)
                {
                    arrivals.push((vm.vendor, rate));
                }
                let mut dataset = vm.dataset;
                if vm.anchor_from_clock {
                    dataset.anchor = spec.start;
                }
                let settings = VendorSettings {
                    dataset,
                    auth: policy(&vm.auth),
                    timeline: Timeline {
                        clock: std::sync::Arc::clone(&clock),
                        arrivals: rate,
                        rate_limit: vm.rate_limit,
                        realism: vm.realism,
                    },
                    cf_api_version: vm.api_version,
                    allow: vm.allow,
                };
                let api = build(vm.vendor, settings).map_err(|e| WorldError::Dataset {
                    scenario: scenario.name.clone(),
                    vendor: vm.vendor,
                    message: e.to_string(),
                })?;
                for (index, fixture) in vm.fixtures.iter().enumerate() {
                    api.add_event(
                        serde_json::Value::Object(fixture.event.clone()),
                        true,
                        Some(&fixture.id),
                        Some(fixture.at),
                    )
                    .map_err(|e| WorldError::Fixture {
                        scenario: scenario.name.clone(),
                        vendor: vm.vendor,
                        index,
                        message: e.to_string(),
                    })?;
                }
                api.seal();
                mounts.push(Mount {
                    prefix,
                    api,
                    port: vm.port,
                });
                owners.push(scenario.name.clone());
            }
        }
        // Longer prefixes first, so `/authentik` is tried before the root.
        let mut order: Vec<usize> = (0..mounts.len()).collect();
        order.sort_by_key(|i| std::cmp::Reverse(mounts[*i].prefix.len()));
        let mounts = order.into_iter().map(|i| mounts[i].clone()).collect();
        Ok(World {
            mounts,
            scenario_names: scenarios.iter().map(|s| s.name.clone()).collect(),
            rules: Arc::new(Rules::new(scenarios)),
            time: WorldClock { clock, arrivals },
            cors: scenarios
                .iter()
                .filter_map(|s| s.cors.as_ref())
                .map(|origins| crate::cors::Cors::new(origins.clone()))
                .reduce(|a, b| a.merge(&b)),
        })
    }

    /// The extra ports this world listens on (vendors mounted with their own `port`).
    pub fn ports(&self) -> Vec<u16> {
        let mut ports: Vec<u16> = self.mounts.iter().filter_map(|m| m.port).collect();
        ports.sort_unstable();
        ports.dedup();
        ports
    }
}
