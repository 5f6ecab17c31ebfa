//! DRF's `OrderingFilter` over a vendor's `ordering_fields`, and the list view that puts the
//! filters, the ordering and the pagination together. Orderings by time page by position on
//! the time axis; orderings by another field scan (at most [`SCAN_CAP`] events), sort (ties
//! keep time order) and slice.

use std::cmp::Ordering;

use eventmock_fake::Generator;

use super::DrfVendor;
use super::filters::{ActiveFilters, BadChoice};
use super::pagination::{InvalidPage, NumberedPage, PageNumber, PageRequest, num_pages, paginate};
use crate::listing::{Ev, Filter, Order, SCAN_CAP, heavy};
use crate::request::Req;
use crate::store::{Entry, EventMeta, Store};

/// What an ordering field sorts by.
pub enum OrderKey<E: 'static> {
    /// The time axis (`created`, `occurred_at`).
    Time,
    /// A text field; `None` is SQL NULL (after every value ascending, first descending, as
    /// PostgreSQL).
    Text(fn(&E) -> Option<&str>),
}

/// A vendor's `ordering_fields` and `ordering` default.
pub struct OrderingFields<E: 'static> {
    /// The fields by query name (a name may appear twice, as `created` and `expires`).
    pub fields: &'static [(&'static str, OrderKey<E>)],
    /// The default term (`-created`), used when no term of the request is valid.
    pub default: &'static str,
}

/// One term: a field and whether it is descending.
type Term<E> = (&'static OrderKey<E>, bool);

impl<E: 'static> OrderingFields<E> {
    /// The valid comma-separated terms of `raw` (unknown fields are ignored, as DRF's
    /// `remove_invalid_fields` does).
    fn terms<'a>(&'static self, raw: Option<&'a str>) -> impl Iterator<Item = Term<E>> + 'a {
        raw.into_iter()
            .flat_map(|v| v.split(','))
            .filter_map(move |term| self.term(term.trim()))
    }

    fn term(&'static self, term: &str) -> Option<Term<E>> {
        let (desc, name) = match term.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, term),
        };
        self.fields
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, key)| (key, desc))
    }

    /// The ordering of a request: its valid terms, or the default.
    fn ordering(&'static self, raw: Option<&str>) -> Vec<Term<E>> {
        let terms: Vec<Term<E>> = self.terms(raw).collect();
        if terms.is_empty() {
            self.term(self.default).into_iter().collect()
        } else {
            terms
        }
    }
}

/// Why a list request fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListError<'r> {
    /// A choice filter's value is no choice (400).
    BadChoice(BadChoice<'r>),
    /// The page does not exist (404).
    InvalidPage,
}

impl From<InvalidPage> for ListError<'_> {
    fn from(_: InvalidPage) -> Self {
        ListError::InvalidPage
    }
}

/// A DRF list view (`ListModelMixin.list`) as `vendor` configures it: its `FilterSet` and
/// `SearchFilter`, then `OrderingFilter`, then `PageNumberPagination`.
pub fn list<'r, G>(
    store: &Store<G>,
    vendor: &'static DrfVendor<G::Event>,
    req: &'r Req,
) -> Result<NumberedPage<G::Event>, ListError<'r>>
where
    G: Generator,
    G::Event: EventMeta,
{
    let filters =
        ActiveFilters::parse(req, vendor.filters, vendor.search).map_err(ListError::BadChoice)?;
    let request = PageRequest::parse(req, &vendor.page_size)?;
    let terms = vendor.ordering.ordering(req.last_param("ordering"));
    let matches = |e: &G::Event| filters.matches(e);
    let f: Filter<'_, G::Event> = &matches;
    let f = filters.active().then_some(f);
    Ok(match terms.first() {
        Some((OrderKey::Time, desc)) => {
            let order = if *desc {
                Order::Descending
            } else {
                Order::Ascending
            };
            paginate(store, order, f, request)?
        }
        _ => sorted(store, &terms, request, f)?,
    })
}

/// One part of a sort key.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Part {
    /// A position on the time axis.
    Pos(u64),
    /// Text; `(true, "")` is SQL NULL, after every value.
    Text(bool, String),
}

fn part<E>(e: &E, key: &OrderKey<E>, pos: u64) -> Part {
    match key {
        OrderKey::Time => Part::Pos(pos),
        OrderKey::Text(field) => match field(e) {
            Some(s) => Part::Text(false, s.to_owned()),
            None => Part::Text(true, String::new()),
        },
    }
}

/// Orderings by a non-time field: scan (bounded by [`SCAN_CAP`]), sort, slice.
fn sorted<G>(
    store: &Store<G>,
    terms: &[Term<G::Event>],
    request: PageRequest,
    filter: Option<Filter<'_, G::Event>>,
) -> Result<NumberedPage<G::Event>, InvalidPage>
where
    G: Generator,
    G::Event: EventMeta,
{
    let view = store.view();
    let resolve = |entry: Entry<G::Event>| match entry {
        Entry::Generated(i) => Ev::Owned(store.generate(i)),
        Entry::Extra(e) => Ev::Shared(e),
    };
    let (keyed, truncated) = heavy(|| {
        let mut keyed: Vec<(Vec<Part>, u64)> = Vec::new();
        let mut truncated = false;
        for (pos, entry) in view.ascending(0).enumerate() {
            let pos = pos as u64;
            if pos == SCAN_CAP {
                truncated = true;
                break;
            }
            let ev = resolve(entry);
            if filter.is_none_or(|f| f(&ev)) {
                let key = terms.iter().map(|(k, _)| part(&*ev, k, pos)).collect();
                keyed.push((key, pos));
            }
        }
        keyed.sort_by(|(a, pa), (b, pb)| {
            a.iter()
                .zip(b)
                .zip(terms)
                .map(|((x, y), (_, desc))| if *desc { y.cmp(x) } else { x.cmp(y) })
                .find(|o| *o != Ordering::Equal)
                .unwrap_or(Ordering::Equal)
                .then(pa.cmp(pb))
        });
        (keyed, truncated)
    });
    let total = keyed.len() as u64;
    let number = match request.number {
        PageNumber::Number(n) => n,
        PageNumber::Last => num_pages(total, request.size),
    };
    let skip = (number - 1).saturating_mul(request.size).min(total);
    let items = keyed
        .iter()
        .skip(skip as usize)
        .take(request.size as usize)
        .filter_map(|(_, pos)| view.ascending(*pos).next())
        .inspect(crate::ledger::served::note_entry)
        .map(resolve)
        .collect();
    NumberedPage::new(
        items,
        total,
        truncated,
        PageRequest {
            number: PageNumber::Number(number),
            ..request
        },
    )
}
