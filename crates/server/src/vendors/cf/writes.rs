//! The write routes of CC's `EventsController` (a `ModelController`): `POST /v2/events`,
//! `PUT /v2/events/{guid}`, `DELETE /v2/events/{guid}`. They are routed (R16), so a client gets
//! CC's own answers instead of `CF-NotFound`.
//!
//! eventmock's CF user is a non-admin user with `cloud_controller.write` (what a space
//! developer's token carries): CC's `EventAccess` lets only admins create, update or delete
//! events, so after authentication, body parsing (`JsonMessage.decode`: a body that is not JSON
//! → `400 CF-MessageParseError 1001`) and the event lookup (`404 CF-EventNotFound`), every
//! write is refused with `403 CF-NotAuthorized 10003`. Events are deleted through the admin
//! API instead (`DELETE /__eventmock/vendors/cf/events/{guid}`).

use hyper::Method;

use super::CloudFoundry;
use crate::errors::{ErrorName, Holes};
use crate::request::Req;
use crate::response::Reply;
use crate::store::Lookup;
use crate::vendors::dialects::cloud_controller::{MESSAGE_PARSE_ERROR, styled};

impl CloudFoundry {
    /// `JsonMessage.decode(body)`: an empty body or a JSON object is accepted.
    fn parse_body(&self, req: &Req) -> Result<(), Reply> {
        if req.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(());
        }
        match serde_json::from_slice::<serde_json::Value>(&req.body) {
            Ok(serde_json::Value::Object(_)) => Ok(()),
            _ => Err(styled(MESSAGE_PARSE_ERROR, self.release).render(Holes {
                param: "invalid request body",
                ..Holes::default()
            })),
        }
    }

    /// `POST /v2/events`.
    pub(super) fn create(&self, req: &Req) -> Reply {
        if let Err(res) = self.parse_body(req) {
            return res;
        }
        self.err(ErrorName::Forbidden, "", "")
    }

    /// `PUT` or `DELETE /v2/events/{guid}`.
    pub(super) fn write_one(&self, req: &Req, guid: &str) -> Reply {
        if req.method == Method::PUT
            && let Err(res) = self.parse_body(req)
        {
            return res;
        }
        match self.store.lookup(guid) {
            Lookup::NotFound | Lookup::Malformed => self.err(ErrorName::NotFound, guid, ""),
            Lookup::Generated(_) | Lookup::Extra(_) => self.err(ErrorName::Forbidden, "", ""),
        }
    }
}
