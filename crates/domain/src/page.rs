//! Cursor pagination: a list is read in pages ordered by a sort key and the id; the cursor names
//! the last row of the previous page, so pages stay stable while rows are added.

use serde::Serialize;

/// The largest page any list returns.
pub const MAX_PAGE: u32 = 200;
/// The page size when none is asked for.
pub const DEFAULT_PAGE: u32 = 50;

/// An opaque position in a list: the sort key and id of the last row already seen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cursor {
    pub key: String,
    pub id: uuid::Uuid,
}

impl Cursor {
    /// Encodes as `<id>.<hex of key>`: URL-safe, opaque to clients, and needs no extra crate.
    pub fn encode(&self) -> String {
        let hex: String = self.key.bytes().map(|b| format!("{b:02x}")).collect();
        format!("{}.{}", self.id.simple(), hex)
    }

    pub fn decode(s: &str) -> Option<Cursor> {
        let (id, hex) = s.split_once('.')?;
        let id = uuid::Uuid::try_parse(id).ok()?;
        if hex.len() % 2 != 0 || hex.len() > 2048 {
            return None;
        }
        let bytes: Option<Vec<u8>> = (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
            .collect();
        // A key the server wrote is UTF-8; any other is still a place in the order.
        let key = String::from_utf8_lossy(&bytes?).into_owned();
        Some(Cursor { key, id })
    }
}

/// What page of a list to read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageRequest {
    pub after: Option<Cursor>,
    pub limit: u32,
}

impl PageRequest {
    pub fn first(limit: u32) -> Self {
        Self {
            after: None,
            limit: limit.clamp(1, MAX_PAGE),
        }
    }
    /// Builds a request from the API's `cursor` and `limit` parameters, rejecting a cursor that
    /// was not produced by us.
    pub fn parse(cursor: Option<&str>, limit: Option<u32>) -> Result<Self, crate::Invalid> {
        let limit = limit.unwrap_or(DEFAULT_PAGE);
        if limit == 0 || limit > MAX_PAGE {
            return Err(crate::Invalid::one(
                "limit",
                format!("limit must be between 1 and {MAX_PAGE}"),
            ));
        }
        let after = match cursor.filter(|c| !c.is_empty()) {
            None => None,
            Some(c) => Some(Cursor::decode(c).ok_or_else(|| {
                crate::Invalid::one(
                    "cursor",
                    "cursor is not one this server issued; start from the first page",
                )
            })?),
        };
        Ok(Self { after, limit })
    }
}

impl Default for PageRequest {
    fn default() -> Self {
        Self::first(DEFAULT_PAGE)
    }
}

/// One page of a list, and the cursor of the next page if there is one.
#[derive(Clone, Debug, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// Builds a page from up to `limit + 1` rows read in order: the extra row only tells that
    /// there is a next page.
    pub fn from_rows(mut rows: Vec<T>, limit: u32, cursor_of: impl Fn(&T) -> Cursor) -> Self {
        let more = rows.len() > limit as usize;
        rows.truncate(limit as usize);
        let next_cursor = if more {
            rows.last().map(|r| cursor_of(r).encode())
        } else {
            None
        };
        Page {
            items: rows,
            next_cursor,
        }
    }

    /// One page of a list already read whole and in its own order (a register, by its own
    /// ranking): the rows after the cursor's row, at most `page.limit`. The cursor names the
    /// last row seen by its key (its id, or another unique key), so rows added elsewhere in the
    /// list do not shift the page; a cursor whose row has since gone is refused, naming `cursor`.
    pub fn of_list(
        rows: Vec<T>,
        page: &PageRequest,
        key_of: impl Fn(&T) -> String,
    ) -> Result<Self, crate::Invalid> {
        let start = match &page.after {
            None => 0,
            Some(c) => {
                rows.iter().position(|r| key_of(r) == c.key).ok_or_else(|| {
                    crate::Invalid::one(
                        "cursor",
                        "the last row of that page has gone from the list; start from the first page",
                    )
                })? + 1
            }
        };
        let rows: Vec<T> = rows
            .into_iter()
            .skip(start)
            .take(page.limit as usize + 1)
            .collect();
        Ok(Page::from_rows(rows, page.limit, |r| Cursor {
            key: key_of(r),
            id: uuid::Uuid::nil(),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_read_whole_is_paged_after_the_cursors_row() {
        let ids: Vec<uuid::Uuid> = (0..5).map(|_| uuid::Uuid::now_v7()).collect();
        let first = Page::of_list(ids.clone(), &PageRequest::first(2), |i| i.to_string()).unwrap();
        assert_eq!(first.items, ids[..2]);
        let next = PageRequest::parse(first.next_cursor.as_deref(), Some(2)).unwrap();
        let second = Page::of_list(ids.clone(), &next, |i| i.to_string()).unwrap();
        assert_eq!(second.items, ids[2..4]);
        let last = PageRequest::parse(second.next_cursor.as_deref(), Some(2)).unwrap();
        let third = Page::of_list(ids.clone(), &last, |i| i.to_string()).unwrap();
        assert_eq!(third.items, ids[4..]);
        assert_eq!(third.next_cursor, None);
        let gone = Page::of_list(ids[3..].to_vec(), &next, |i| i.to_string()).unwrap_err();
        assert_eq!(gone.0[0].field, "cursor");
    }

    #[test]
    fn cursor_round_trips_any_text() {
        let c = Cursor {
            key: "Ash Tree Surgery — Ørsted ✓".into(),
            id: uuid::Uuid::now_v7(),
        };
        assert_eq!(Cursor::decode(&c.encode()), Some(c));
    }

    #[test]
    fn foreign_cursors_and_bad_limits_are_rejected_with_the_field_named() {
        assert!(Cursor::decode("garbage").is_none());
        assert!(Cursor::decode(&format!("{}.zz", uuid::Uuid::nil().simple())).is_none());
        let e = PageRequest::parse(Some("nope"), None).unwrap_err();
        assert_eq!(e.0[0].field, "cursor");
        let e = PageRequest::parse(None, Some(0)).unwrap_err();
        assert_eq!(e.0[0].field, "limit");
        assert_eq!(PageRequest::parse(None, None).unwrap().limit, DEFAULT_PAGE);
    }

    #[test]
    fn a_page_knows_whether_more_follow() {
        let rows = vec![1u32, 2, 3];
        let cur = |n: &u32| Cursor {
            key: n.to_string(),
            id: uuid::Uuid::nil(),
        };
        let p = Page::from_rows(rows.clone(), 2, cur);
        assert_eq!(p.items, vec![1, 2]);
        assert_eq!(
            Cursor::decode(p.next_cursor.as_deref().unwrap())
                .unwrap()
                .key,
            "2"
        );
        let p = Page::from_rows(rows, 3, cur);
        assert!(p.next_cursor.is_none());
    }
}
