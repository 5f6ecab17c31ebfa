//! Framework dialects: behaviour that comes from the framework a vendor is built on, written
//! once and configured by the vendors that share it.
//!
//! | framework | vendors | module |
//! |---|---|---|
//! | Cloud Controller (Sinatra + Sequel) | Cloud Foundry v2 | [`cloud_controller`] |
//! | Django REST framework (+ Django, django-filter) | authentik, Probely | [`drf`] |
//! | FastAPI (+ Starlette, pydantic v2) | InstaVM | [`fastapi`] |

pub mod cloud_controller;
pub mod drf;
pub mod fastapi;
