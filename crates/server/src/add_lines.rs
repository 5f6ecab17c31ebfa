//! Adding events from raw JSON lines (the NDJSON bulk add): a complete event is parsed once,
//! straight from its bytes into the typed event, with the same strictness as
//! [`crate::events::prepare`] (every key the model ignores is refused, the id and time fields
//! must agree). Whatever that fast path does not accept outright — a partial event, invalid
//! JSON, a field that does not fit, an unknown key, a bad id or time — goes through
//! [`crate::events::prepare`] from a parsed `serde_json::Value`, so the answer (the field-named
//! 400, the 409 naming an id) is exactly the one a JSON body gets.

use std::sync::atomic::{AtomicBool, Ordering};

use eventmock_fake::Generator;
use eventmock_model::{authentik, cf, halo, instavm, probely};
use serde_json::{Map, Value};

use crate::events::{AddError, Prepared, add_prepared, prepare};
use crate::store::{EventMeta, Store};

/// The texts of an event's time fields, as the JSON object [`eventmock_scenario::event_time::settle`]
/// reads them from (`{"entity": {"timestamp": …}}`).
pub trait TimeFields {
    /// The time fields, nested as in the event's JSON.
    fn time_fields(&self) -> Map<String, Value>;
}

fn one(name: &str, text: &str) -> Map<String, Value> {
    let mut map = Map::with_capacity(1);
    map.insert(name.to_owned(), Value::String(text.to_owned()));
    map
}

impl TimeFields for probely::Event {
    fn time_fields(&self) -> Map<String, Value> {
        one("occurred_at", &self.occurred_at)
    }
}

impl TimeFields for authentik::Event {
    fn time_fields(&self) -> Map<String, Value> {
        one("created", &self.created)
    }
}

impl TimeFields for halo::Event {
    fn time_fields(&self) -> Map<String, Value> {
        one("date_created", &self.date_created)
    }
}

impl TimeFields for instavm::AuditEvent {
    fn time_fields(&self) -> Map<String, Value> {
        one("created_at", &self.created_at)
    }
}

impl TimeFields for cf::Event {
    fn time_fields(&self) -> Map<String, Value> {
        let mut map = Map::with_capacity(2);
        map.insert(
            "metadata".into(),
            Value::Object(one("created_at", &self.metadata.created_at)),
        );
        map.insert(
            "entity".into(),
            Value::Object(one("timestamp", &self.entity.timestamp)),
        );
        map
    }
}

/// Adds the events of `lines` (one JSON object each) all-or-nothing, like
/// [`crate::events::add_all`] with the lines' parsed values; on failure, the position of the
/// first bad line and why (a line that is not JSON: `.`, "invalid JSON at column N").
///
/// Complete events are parsed on up to [`PARSE_THREADS`] threads at once (each a contiguous
/// run of lines, so the result is in line order and the first bad line is the one reported),
/// then checked and placed in order on this thread: the result is the same as parsing in turn.
/// Partial events are parsed in turn (the ids minted for them follow the line order).
pub fn add_lines<G>(
    store: &Store<G>,
    lines: &[&[u8]],
    partial: bool,
) -> Result<Vec<String>, (usize, AddError)>
where
    G: Generator,
    G::Event: EventMeta + TimeFields + serde::Serialize + serde::de::DeserializeOwned + Send,
{
    add_lines_on(store, lines, partial, parse_threads(lines.len()))
}

/// [`add_lines`] with the lines parsed on `threads` threads.
fn add_lines_on<G>(
    store: &Store<G>,
    lines: &[&[u8]],
    partial: bool,
    threads: usize,
) -> Result<Vec<String>, (usize, AddError)>
where
    G: Generator,
    G::Event: EventMeta + TimeFields + serde::Serialize + serde::de::DeserializeOwned + Send,
{
    let parse = |line: &&[u8]| parse_line(store, line, partial);
    // A partial event without an id gets one minted in line order: those are parsed in turn.
    if threads < 2 || partial || lines.len() < 2 {
        return add_prepared(store, lines.iter().map(parse));
    }
    let run = lines.len().div_ceil(threads);
    let parsed: Vec<Vec<Result<Prepared<G::Event>, AddError>>> = std::thread::scope(|scope| {
        let mut runs = lines.chunks(run);
        let first = runs.next().unwrap_or_default();
        let others: Vec<_> = runs
            .map(|part| scope.spawn(move || part.iter().map(parse).collect::<Vec<_>>()))
            .collect();
        let mut parsed = vec![first.iter().map(parse).collect::<Vec<_>>()];
        for other in others {
            // A parse that panicked (a bug, not the input) panics here, on the request's
            // thread, where the request's catch_unwind answers it.
            parsed.push(
                other
                    .join()
                    .unwrap_or_else(|p| std::panic::resume_unwind(p)),
            );
        }
        parsed
    });
    let total = parsed.iter().map(Vec::len).sum();
    add_prepared(store, Counted(parsed.into_iter().flatten(), total))
}

/// Adds `lines` in batches of `batch` lines, each all-or-nothing as [`add_lines`] adds it,
/// until one fails: the ids of the batches added, and the failure (the position of its line
/// in `lines`, and why). Batches of complete events are parsed on two threads while this one
/// places the batch before (the overlay's write would otherwise wait for the parsing and the
/// parsing for the write); what is added, and the failure reported, are those of adding the
/// batches one after the other.
pub fn add_batches<G>(
    store: &Store<G>,
    lines: &[&[u8]],
    batch: usize,
    partial: bool,
) -> (Vec<String>, Option<(usize, AddError)>)
where
    G: Generator,
    G::Event: EventMeta + TimeFields + serde::Serialize + serde::de::DeserializeOwned + Send,
{
    let batch = batch.max(1);
    let mut ids = Vec::with_capacity(lines.len());
    if partial || parse_threads(lines.len()) < 2 || lines.len() <= batch {
        for (k, chunk) in lines.chunks(batch).enumerate() {
            match add_lines(store, chunk, partial) {
                Ok(added) => ids.extend(added),
                Err((n, e)) => return (ids, Some((k * batch + n, e))),
            }
        }
        return (ids, None);
    }
    let parse = |line: &&[u8]| parse_line(store, line, partial);
    let stop = AtomicBool::new(false);
    let failed = std::thread::scope(|scope| {
        // Two parsers, each taking one half of every batch, a batch or two ahead.
        let receivers = [0, 1].map(|half| {
            let (tx, rx) = std::sync::mpsc::sync_channel(2);
            let stop = &stop;
            scope.spawn(move || {
                for chunk in lines.chunks(batch) {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let mid = chunk.len() / 2;
                    let part = if half == 0 {
                        &chunk[..mid]
                    } else {
                        &chunk[mid..]
                    };
                    if tx.send(part.iter().map(parse).collect::<Vec<_>>()).is_err() {
                        break;
                    }
                }
            });
            rx
        });
        let mut failed = None;
        for (k, chunk) in lines.chunks(batch).enumerate() {
            // A parser that panicked (a bug, not the input) ends the loop; the scope then
            // panics on this thread, where the request's catch_unwind answers it.
            let (Ok(first), Ok(second)) = (receivers[0].recv(), receivers[1].recv()) else {
                break;
            };
            let parsed = Counted(first.into_iter().chain(second), chunk.len());
            match add_prepared(store, parsed) {
                Ok(added) => ids.extend(added),
                Err((n, e)) => {
                    failed = Some((k * batch + n, e));
                    break;
                }
            }
        }
        stop.store(true, Ordering::Relaxed);
        drop(receivers);
        failed
    });
    (ids, failed)
}

/// Threads that parse lines at once: this machine's parallelism, at most 4.
pub const PARSE_THREADS: usize = 4;

/// Lines one parsing thread takes at least: below it, spawning costs more than it saves.
const LINES_PER_THREAD: usize = 256;

/// How many threads parse `lines` lines.
fn parse_threads(lines: usize) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    cores
        .min(PARSE_THREADS)
        .min(lines / LINES_PER_THREAD)
        .max(1)
}

/// An iterator with a known length ([`add_prepared`] sizes its buffers by it).
struct Counted<I>(I, usize);

impl<I: Iterator> Iterator for Counted<I> {
    type Item = I::Item;
    fn next(&mut self) -> Option<I::Item> {
        let item = self.0.next()?;
        self.1 = self.1.saturating_sub(1);
        Some(item)
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.1, Some(self.1))
    }
}

impl<I: Iterator> ExactSizeIterator for Counted<I> {}

/// One line into an event ready to place: the fast path, else the general one.
fn parse_line<G>(
    store: &Store<G>,
    line: &[u8],
    partial: bool,
) -> Result<Prepared<G::Event>, AddError>
where
    G: Generator,
    G::Event: EventMeta + TimeFields + serde::Serialize + serde::de::DeserializeOwned,
{
    if !partial && let Some(ready) = fast(store, line) {
        return Ok(ready);
    }
    let value = serde_json::from_slice::<Value>(line).map_err(|e| AddError::Invalid {
        path: ".".into(),
        message: format!("invalid JSON at column {}: {e}", e.column()),
    })?;
    prepare(store, value, partial, None, None)
}

/// A complete event parsed straight into its type, when nothing about it needs more than that
/// (see the module doc); `None` sends it down the general path.
fn fast<G>(store: &Store<G>, line: &[u8]) -> Option<Prepared<G::Event>>
where
    G: Generator,
    G::Event: EventMeta + TimeFields + serde::de::DeserializeOwned,
{
    // A struct also deserializes from an array; an event must be an object.
    if line.first() != Some(&b'{') {
        return None;
    }
    let mut ignored = false;
    let mut note = |_: serde_ignored::Path<'_>| ignored = true;
    let mut de = serde_json::Deserializer::from_slice(line);
    let mut event: G::Event =
        serde::Deserialize::deserialize(serde_ignored::Deserializer::new(&mut de, &mut note))
            .ok()?;
    de.end().ok()?;
    if ignored {
        return None;
    }
    let id = event.event_id().to_owned();
    if !eventmock_scenario::ids::well_formed(G::ID_FORMAT, &id) {
        return None;
    }
    // The time fields and the id's time part must agree, and settle must have nothing to
    // write (it writes only fields that are missing).
    let given = event.time_fields();
    let mut settled = given.clone();
    let anchor = store.dataset().context().config.anchor;
    let time =
        eventmock_scenario::event_time::settle(G::VENDOR, None, Some(&id), anchor, &mut settled)
            .ok()?;
    if settled != given {
        return None;
    }
    event.set_event_id(&id);
    Some(Prepared {
        after: store.generated_at_or_before(time),
        id,
        id_given: true,
        event: std::sync::Arc::new(event),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use eventmock_fake::DatasetConfig;
    use eventmock_fake::vendors::{
        authentik::AuthentikGen, cf::CfGen, halo::HaloGen, instavm::InstavmGen, probely::ProbelyGen,
    };

    /// Every generated event of another seed takes the fast path (a store of seed 42, events
    /// of seed 1), and gives what the general path gives.
    fn takes_the_fast_path<G>()
    where
        G: Generator,
        G::Event: EventMeta + TimeFields + serde::Serialize + serde::de::DeserializeOwned,
        G::Event: PartialEq + std::fmt::Debug,
    {
        let config = |seed, len| DatasetConfig {
            seed,
            len,
            ..DatasetConfig::default()
        };
        let store = Store::<G>::new(config(42, 100)).unwrap();
        let source = Store::<G>::new(config(1, 200)).unwrap();
        for i in 0..200 {
            let line = serde_json::to_vec(&source.generate(i)).unwrap();
            let Some(fast) = fast(&store, &line) else {
                panic!("{}: event {i} left the fast path", G::VENDOR.name());
            };
            let value = serde_json::from_slice(&line).unwrap();
            let slow = prepare(&store, value, false, None, None).unwrap();
            assert_eq!(
                (&fast.id, fast.id_given, fast.after, &fast.event),
                (&slow.id, slow.id_given, slow.after, &slow.event)
            );
        }
    }

    /// Lines parsed on several threads give what they give parsed in turn: the same ids in
    /// the same order, and on a bad line (in any run of lines) or an id given twice (across
    /// runs) the same first bad line, with nothing added.
    #[test]
    fn lines_parsed_on_threads_give_what_they_give_in_turn() {
        let config = |seed, len| DatasetConfig {
            seed,
            len,
            ..DatasetConfig::default()
        };
        let source = Store::<HaloGen>::new(config(1, 700)).unwrap();
        let good: Vec<Vec<u8>> = (0..700)
            .map(|i| serde_json::to_vec(&source.generate(i)).unwrap())
            .collect();
        let run = |lines: &[Vec<u8>], threads| {
            let store = Store::<HaloGen>::new(config(42, 10)).unwrap();
            let lines: Vec<&[u8]> = lines.iter().map(Vec::as_slice).collect();
            let result = add_lines_on(&store, &lines, false, threads);
            (result, store.overlay().held())
        };
        let (turn, held) = run(&good, 1);
        assert_eq!(held, 700);
        for threads in [2, 3, 4] {
            assert_eq!(run(&good, threads).0.unwrap(), *turn.as_ref().unwrap());
        }
        let mut bad = good.clone();
        bad[450] = br#"{"actoin": "login"}"#.to_vec();
        bad[600] = b"not json".to_vec();
        for threads in [1, 3] {
            let (result, held) = run(&bad, threads);
            let (line, error) = result.unwrap_err();
            assert_eq!((line, held), (450, 0), "{threads} threads: {error}");
        }
        let mut twice = good.clone();
        twice[520] = good[80].clone();
        twice[650] = b"not json".to_vec();
        for threads in [1, 3] {
            let (result, held) = run(&twice, threads);
            let (line, error) = result.unwrap_err();
            assert!(matches!(error, AddError::Exists { .. }), "{error}");
            assert_eq!((line, held), (520, 0), "{threads} threads");
        }
    }

    /// Batches parsed ahead of their placing add what adding them one after the other adds:
    /// every batch before the one with the first bad line (an unknown key, or an id given
    /// twice across batches), nothing of it or after it, and its line's position.
    #[test]
    fn batches_add_up_to_the_first_bad_line() {
        let config = |seed, len| DatasetConfig {
            seed,
            len,
            ..DatasetConfig::default()
        };
        let source = Store::<HaloGen>::new(config(1, 1000)).unwrap();
        let good: Vec<Vec<u8>> = (0..1000)
            .map(|i| serde_json::to_vec(&source.generate(i)).unwrap())
            .collect();
        let run = |lines: &[Vec<u8>]| {
            let store = Store::<HaloGen>::new(config(42, 10)).unwrap();
            let lines: Vec<&[u8]> = lines.iter().map(Vec::as_slice).collect();
            let (ids, failed) = add_batches(&store, &lines, 300, false);
            (ids, failed, store.overlay().held())
        };
        let (ids, failed, held) = run(&good);
        assert!(failed.is_none());
        assert_eq!((ids.len(), held), (1000, 1000));
        let mut bad = good.clone();
        bad[700] = br#"{"actoin": "login"}"#.to_vec();
        let (some, failed, held) = run(&bad);
        assert_eq!(failed.map(|(n, _)| n), Some(700));
        assert_eq!((some.as_slice(), held), (&ids[..600], 600));
        let mut twice = good.clone();
        twice[950] = good[10].clone();
        let (some, failed, held) = run(&twice);
        assert!(matches!(failed, Some((950, AddError::Exists { .. }))));
        assert_eq!((some.len(), held), (900, 900));
    }

    /// Partial events get their minted ids in line order whatever the threads asked for.
    #[test]
    fn partial_lines_get_ids_minted_in_line_order() {
        let store = |_| {
            let config = DatasetConfig {
                seed: 42,
                len: 10,
                ..DatasetConfig::default()
            };
            Store::<HaloGen>::new(config).unwrap()
        };
        let lines: Vec<&[u8]> = vec![b"{}"; 600];
        let turn = add_lines_on(&store(()), &lines, true, 1).unwrap();
        let threads = add_lines_on(&store(()), &lines, true, 3).unwrap();
        assert_eq!(turn.len(), 600);
        assert_eq!(threads, turn);
    }

    #[test]
    fn generated_events_of_every_vendor_take_the_fast_path() {
        takes_the_fast_path::<ProbelyGen>();
        takes_the_fast_path::<AuthentikGen>();
        takes_the_fast_path::<HaloGen>();
        takes_the_fast_path::<InstavmGen>();
        takes_the_fast_path::<CfGen>();
    }
}
