//! Published values held in memory between requests. What the indicators publish changes only
//! when the store's revision does (a recompute, a write to a case, a survey answer), so the
//! pages and the API read each (indicator, variant, period) table, and each indicator's periods
//! and variants, once per revision instead of once per request. Every read asks the store for the
//! current revision first (one primary-key lookup), so a change made by another server sharing
//! the database is seen at once; a newer revision empties the cache.
//!
//! Memory is bounded: past [`MAX_CACHED_NODES`] node rows, the oldest tables are dropped first.

use crate::{AppError, AppState};
use evident_core::OrgCode;
use evident_core::indicator::{Period, Published};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

/// Published cells by node for one indicator, variant and period.
pub type Cells = HashMap<OrgCode, Vec<Published>>;

/// How many node rows (one node's cells of one table) the cache holds at most: about 50 MB at
/// eight breakdown categories, and some fifty national tables of 1 500 nodes.
pub const MAX_CACHED_NODES: usize = 75_000;

/// Which table: indicator, stored variant, period.
type TableKey = (String, String, Period);

/// A value that holds for one revision of the published values: asked at a newer revision it
/// starts afresh; asked at an older one it is not given out, so a request that began before a
/// change neither reads what was kept after it nor stores what it read before.
#[derive(Debug, Default)]
pub(crate) struct Revisioned<T> {
    revision: i64,
    held: T,
}

impl<T: Default> Revisioned<T> {
    /// What is held at `revision`, emptied first when `revision` is newer; `None` when older.
    pub(crate) fn at(&mut self, revision: i64) -> Option<&mut T> {
        if revision > self.revision {
            *self = Self {
                revision,
                held: T::default(),
            };
        }
        (revision == self.revision).then_some(&mut self.held)
    }
}

/// The in-process cache of published values; one per server, on the [`AppState`].
#[derive(Debug, Default)]
pub struct PublishedCache {
    inner: Mutex<Revisioned<Held>>,
}

/// What the cache holds at one revision.
#[derive(Debug, Default)]
struct Held {
    tables: HashMap<TableKey, Arc<Cells>>,
    /// Tables in the order they were read, for dropping the oldest.
    order: VecDeque<TableKey>,
    nodes: usize,
    periods: HashMap<String, Arc<Vec<Period>>>,
    variants: HashMap<String, Arc<Vec<String>>>,
}

impl PublishedCache {
    /// A table, if cached at `revision`.
    pub fn table(&self, revision: i64, key: &TableKey) -> Option<Arc<Cells>> {
        self.lock().at(revision)?.tables.get(key).cloned()
    }

    /// Keeps a table read at `revision`, dropping the oldest beyond the bound.
    pub fn keep_table(&self, revision: i64, key: TableKey, cells: Arc<Cells>) {
        let mut guard = self.lock();
        let Some(inner) = guard.at(revision) else {
            return;
        };
        if inner.tables.contains_key(&key) {
            return;
        }
        inner.nodes += cells.len();
        inner.order.push_back(key.clone());
        inner.tables.insert(key, cells);
        while inner.nodes > MAX_CACHED_NODES && inner.order.len() > 1 {
            let Some(oldest) = inner.order.pop_front() else {
                break;
            };
            if let Some(dropped) = inner.tables.remove(&oldest) {
                inner.nodes -= dropped.len();
            }
        }
    }

    /// How many tables and node rows are held (for tests and the health endpoint).
    pub fn size(&self) -> (usize, usize) {
        let inner = &self.lock().held;
        (inner.tables.len(), inner.nodes)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Revisioned<Held>> {
        // A panic while holding the lock leaves nothing half-written that matters: the cache
        // is only ever a copy.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The store's current revision of published values.
///
/// # Errors
/// When the store cannot be read.
pub async fn revision(state: &AppState) -> Result<i64, AppError> {
    Ok(state.analytics.indicator_state().await?.revision)
}

/// The periods with data for `indicator`, newest first (see `IndicatorStore::indicator_periods`).
///
/// # Errors
/// When the store cannot be read.
pub async fn periods(
    state: &AppState,
    revision: i64,
    indicator: &str,
) -> Result<Arc<Vec<Period>>, AppError> {
    let read = state.analytics.indicator_periods(indicator);
    kept(state, revision, indicator, |held| &mut held.periods, read).await
}

/// The stored variants of `indicator` (see `IndicatorStore::indicator_variants`).
///
/// # Errors
/// When the store cannot be read.
pub async fn variants(
    state: &AppState,
    revision: i64,
    indicator: &str,
) -> Result<Arc<Vec<String>>, AppError> {
    let read = state.analytics.indicator_variants(indicator);
    kept(state, revision, indicator, |held| &mut held.variants, read).await
}

/// The value of `indicator` in the map `pick` chooses, kept at `revision`, or `read` and kept.
async fn kept<V>(
    state: &AppState,
    revision: i64,
    indicator: &str,
    pick: fn(&mut Held) -> &mut HashMap<String, Arc<V>>,
    read: impl std::future::Future<Output = evident_store::Result<V>>,
) -> Result<Arc<V>, AppError> {
    let hit = state
        .published
        .lock()
        .at(revision)
        .and_then(|held| pick(held).get(indicator).cloned());
    if let Some(hit) = hit {
        return Ok(hit);
    }
    let value = Arc::new(read.await?);
    if let Some(held) = state.published.lock().at(revision) {
        pick(held).insert(indicator.to_owned(), Arc::clone(&value));
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(nodes: usize) -> Arc<Cells> {
        Arc::new(
            (0..nodes)
                .map(|i| {
                    (
                        OrgCode::parse(&format!("{:04}-{:04}", 180 + i / 9000, 1 + i % 9000))
                            .unwrap(),
                        vec![Published::NoData],
                    )
                })
                .collect(),
        )
    }

    fn key(period: i32) -> TableKey {
        ("EVI001".to_owned(), String::new(), Period::Year(period))
    }

    #[test]
    fn a_newer_revision_empties_the_cache_and_an_older_one_neither_reads_nor_writes() {
        let cache = PublishedCache::default();
        cache.keep_table(3, key(2025), table(2));
        assert!(cache.table(3, &key(2025)).is_some());
        // A request that began before the change neither sees nor stores the newer tables.
        assert!(cache.table(4, &key(2025)).is_none());
        cache.keep_table(3, key(2024), table(2));
        assert!(cache.table(3, &key(2024)).is_none());
        assert_eq!(cache.size(), (0, 0));
        cache.keep_table(4, key(2024), table(2));
        assert_eq!(cache.size(), (1, 2));
    }

    #[test]
    fn the_oldest_tables_go_first_when_the_bound_is_passed() {
        let cache = PublishedCache::default();
        let third = MAX_CACHED_NODES / 3 + 1;
        for year in 2020..2024 {
            cache.keep_table(1, key(year), table(third));
        }
        let (tables, nodes) = cache.size();
        assert!(nodes <= MAX_CACHED_NODES, "{nodes}");
        assert_eq!(tables, 2);
        assert!(cache.table(1, &key(2020)).is_none());
        assert!(cache.table(1, &key(2021)).is_none());
        assert!(cache.table(1, &key(2023)).is_some());
    }
}
