//! [`Host`]: what the admin API works on — the served world, the control plane and the state
//! shared with other replicas. [`crate::App`] implements it; the admin API knows nothing of
//! the request path, and the request path reaches the admin API only through
//! [`super::handle`].

use std::sync::Arc;

use super::Control;
use crate::shared::SharedState;
use crate::world::World;

/// The server the admin API controls.
pub trait Host: Sync {
    /// The current world.
    fn world(&self) -> Arc<World>;

    /// Replaces the world (scenario reload); requests in flight finish on the old one.
    fn replace(&self, world: World);

    /// Journal, metrics and admin settings.
    fn control(&self) -> &Control;

    /// The state shared with other replicas (`serve --state`), if any.
    fn shared(&self) -> Option<&Arc<SharedState>>;
}
