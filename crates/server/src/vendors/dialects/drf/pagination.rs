//! `PageNumberPagination` with Django's `Paginator`: the page size (`page_size_query_param`
//! with DRF's `_positive_int`), the page number (`page=last` included), the page count and
//! the `InvalidPage` 404. Sources: `rest_framework/pagination.py`, `django/core/paginator.py`.

use eventmock_fake::Generator;

use crate::listing::{Ev, Filter, Order, page};
use crate::request::Req;
use crate::store::{EventMeta, Store};

/// DRF's `_positive_int(value, strict=True, cutoff)`, falling back to `default`.
pub fn positive_int(raw: Option<&str>, default: u64, cutoff: u64) -> u64 {
    match raw.map(str::trim).and_then(|v| v.parse::<i64>().ok()) {
        Some(n) if n > 0 => (n as u64).min(cutoff),
        _ => default,
    }
}

/// Django's `Paginator.num_pages` (with `allow_empty_first_page`): 1 for an empty result.
pub fn num_pages(count: u64, size: u64) -> u64 {
    count.div_ceil(size.max(1)).max(1)
}

/// The page a request asks for (`PageNumberPagination.paginate_queryset`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageNumber {
    /// A page number, from 1 (not yet checked against the page count).
    Number(u64),
    /// `page=last`.
    Last,
}

/// Django's `InvalidPage`: answered as `{"detail":"Invalid page."}`, 404.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidPage;

/// Parses `page`: absent or empty → 1, `last`, or an integer ≥ 1.
pub fn page_number(raw: Option<&str>) -> Result<PageNumber, InvalidPage> {
    match raw.map(str::trim) {
        None | Some("") => Ok(PageNumber::Number(1)),
        Some("last") => Ok(PageNumber::Last),
        Some(v) => match v.parse::<i64>() {
            Ok(n) if n >= 1 => Ok(PageNumber::Number(n as u64)),
            _ => Err(InvalidPage),
        },
    }
}

/// A vendor's page size: `page_size_query_param`, `PAGE_SIZE` and the largest size honoured
/// (`max_page_size`, or eventmock's bound on one response where the vendor sets none).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageSize {
    /// The query parameter (`page_size`, `length`).
    pub param: &'static str,
    /// The size without one (or with an invalid one).
    pub default: u64,
    /// Larger sizes are clamped to this.
    pub max: u64,
}

/// What a request asks for: a page size and a page number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    /// Events per page.
    pub size: u64,
    /// Which page.
    pub number: PageNumber,
}

impl PageRequest {
    /// The page size and number of `req` under `size`.
    pub fn parse(req: &Req, size: &PageSize) -> Result<Self, InvalidPage> {
        Ok(Self {
            size: positive_int(req.last_param(size.param), size.default, size.max),
            number: page_number(req.last_param("page"))?,
        })
    }
}

/// One numbered page of a list.
#[derive(Debug)]
pub struct NumberedPage<E> {
    /// Its events, in order.
    pub items: Vec<Ev<E>>,
    /// How many events the list holds (within the scan cap).
    pub count: u64,
    /// This page's number, from 1.
    pub number: u64,
    /// How many pages there are (at least 1).
    pub pages: u64,
    /// Events per page.
    pub size: u64,
    /// Whether the scan cap stopped the count early.
    pub truncated: bool,
}

impl<E: Clone> NumberedPage<E> {
    /// The page's events, owned (for the vendor's list envelope).
    pub fn results(&mut self) -> Vec<E> {
        std::mem::take(&mut self.items)
            .into_iter()
            .map(|e| match e {
                Ev::Owned(e) => e,
                Ev::Shared(e) => E::clone(&e),
            })
            .collect()
    }
}

impl<E> NumberedPage<E> {
    /// Checks a page of `count` events against the request: `page` past the last page (or
    /// `last` of an empty list's single page) is `InvalidPage`.
    pub fn new(
        items: Vec<Ev<E>>,
        count: u64,
        truncated: bool,
        request: PageRequest,
    ) -> Result<Self, InvalidPage> {
        let pages = num_pages(count, request.size);
        let number = match request.number {
            PageNumber::Number(n) => n,
            PageNumber::Last => pages,
        };
        if number > pages {
            return Err(InvalidPage);
        }
        Ok(Self {
            items,
            count,
            number,
            pages,
            size: request.size,
            truncated,
        })
    }
}

/// The requested page of the events matching `filter`, in time `order` (positions on the
/// time axis: no sort). `page=last` counts first.
pub fn paginate<G>(
    store: &Store<G>,
    order: Order,
    filter: Option<Filter<'_, G::Event>>,
    request: PageRequest,
) -> Result<NumberedPage<G::Event>, InvalidPage>
where
    G: Generator,
    G::Event: EventMeta,
{
    let number = match request.number {
        PageNumber::Number(n) => n,
        PageNumber::Last => num_pages(page(store, order, 0, 0, filter).total, request.size),
    };
    let offset = (number - 1).checked_mul(request.size).ok_or(InvalidPage)?;
    let found = page(store, order, offset, request.size, filter);
    NumberedPage::new(
        found.items,
        found.total,
        found.truncated,
        PageRequest {
            number: PageNumber::Number(number),
            ..request
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paging_helpers() {
        assert_eq!(positive_int(Some(" 7 "), 10, 5), 5);
        assert_eq!(positive_int(Some("-1"), 10, 50), 10);
        assert_eq!(positive_int(Some("x"), 10, 50), 10);
        assert_eq!(num_pages(0, 10), 1);
        assert_eq!(num_pages(11, 10), 2);
        assert_eq!(page_number(None), Ok(PageNumber::Number(1)));
        assert_eq!(page_number(Some("last")), Ok(PageNumber::Last));
        assert_eq!(page_number(Some(" 3")), Ok(PageNumber::Number(3)));
        assert_eq!(page_number(Some("0")), Err(InvalidPage));
        assert_eq!(page_number(Some("x")), Err(InvalidPage));
    }

    #[test]
    fn numbered_pages_check_the_number() {
        let ask = |number| PageRequest { size: 10, number };
        let page = NumberedPage::<u8>::new(Vec::new(), 25, false, ask(PageNumber::Last));
        assert_eq!(page.map(|p| (p.number, p.pages)), Ok((3, 3)));
        let page = NumberedPage::<u8>::new(Vec::new(), 0, false, ask(PageNumber::Number(1)));
        assert_eq!(page.map(|p| (p.number, p.pages)), Ok((1, 1)));
        let page = NumberedPage::<u8>::new(Vec::new(), 25, false, ask(PageNumber::Number(4)));
        assert_eq!(page.map(|p| p.number), Err(InvalidPage));
    }
}
