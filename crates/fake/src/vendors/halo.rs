//! Halo Security events: key and subject pair as in `types.json`, `url` embeds the event id,
//! `date_created` is `YYYY-MM-DD HH:MM` of the same instant the id starts with.

use eventmock_model::Vendor;
use eventmock_model::halo::{EVENT_TYPES, Event, Target};

use crate::codec::IdFormat;
use crate::dataset::{Context, Generator};
use crate::rng::EventRng;
use crate::time::{Civil, date_minutes_civil};

const TARGETS: usize = 16;
/// The prefix of an event's `url`; the event id follows.
pub const URL_PREFIX: &str = "https://www.halosecurity.com/link?q=user-event&id=";

/// Generates Halo Security events.
pub struct HaloGen {
    /// Stable targets, so `target_id` filters find several events.
    targets: Vec<Target>,
}

impl HaloGen {
    /// The dataset's targets (ids 1001..).
    pub fn targets(&self) -> &[Target] {
        &self.targets
    }
}

impl Generator for HaloGen {
    type Event = Event;
    const VENDOR: Vendor = Vendor::Halo;
    const ID_FORMAT: IdFormat = IdFormat::HaloTimestampHex;

    fn new(ctx: &Context) -> Self {
        let targets = (0..TARGETS)
            .map(|n| {
                let domain = &ctx.pools.domains[n % ctx.pools.domains.len()];
                let word = &ctx.pools.words[n % ctx.pools.words.len()];
                let (name, target) = match n % 3 {
                    0 => (String::new(), format!("www.{domain}")),
                    1 => (format!("{word} site"), format!("{word}.{domain}")),
                    _ => (String::new(), format!("198.51.100.{}", 10 + n)),
                };
                Target {
                    target_name: name,
                    target_id: 1001 + n as i64,
                    target,
                }
            })
            .collect();
        Self { targets }
    }

    fn generate(&self, ctx: &Context, index: u64, rng: &mut EventRng) -> Event {
        let (key, subject) = *rng.pick(EVENT_TYPES);
        // The id starts with the same instant `date_created` shows: break it down once.
        let time = Civil::from_micros(ctx.time_of(index));
        let event_id = ctx.codec.encode_at(index, &time);
        let mut url = String::with_capacity(URL_PREFIX.len() + event_id.len());
        url.push_str(URL_PREFIX);
        url.push_str(&event_id);
        let target = if key.starts_with("account-") {
            Target {
                target_name: String::new(),
                target_id: 0,
                target: String::new(),
            }
        } else {
            rng.pick(&self.targets).clone()
        };
        Event {
            event_id,
            subject: subject.to_owned(),
            date_created: date_minutes_civil(&time),
            key: key.to_owned(),
            url,
            target,
        }
    }
}
