//! PLACEHOLDER being written: Instavm.

use eventmock_fake::DatasetError;
use eventmock_fake::vendors::InstavmGen;
use eventmock_model::Vendor;

use super::{VendorApi, VendorSettings};
use crate::auth::AuthPolicy;
use crate::errors::{ErrorName, Holes};
use crate::request::Req;
use crate::response::Reply;
use crate::store::Store;

/// The Instavm API.
pub struct Instavm {
    /// Dataset and overlay.
    store: Store<InstavmGen>,
    /// Accepted credentials.
    auth: AuthPolicy,
}

impl Instavm {
    /// Builds the API over a new dataset.
    pub fn new(settings: VendorSettings) -> Result<Self, DatasetError> {
        Ok(Self {
            store: Store::new(settings.dataset)?,
            auth: settings.auth,
        })
    }
}

impl VendorApi for Instavm {
    fn vendor(&self) -> Vendor {
        Vendor::Instavm
    }
    fn owns(&self, _path: &str) -> bool {
        let _ = &self.auth;
        false
    }
    fn handle(&self, _req: &Req) -> Reply {
        self.error(ErrorName::UnknownRoute, Holes::default())
    }
    fn error(&self, name: ErrorName, holes: Holes<'_>) -> Reply {
        super::halo::error_spec(name).render(holes)
    }
    fn decorate(&self, _req: &Req, _reply: &mut Reply) {}
    fn example_id(&self, n: u64) -> Option<String> {
        Some(self.store.dataset().id(n))
    }
    fn example_curl(&self, _base: &str) -> String {
        String::new()
    }
    fn reset(&self) {
        self.store.reset();
    }
}
