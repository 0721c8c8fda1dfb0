//! The unit follow-up tables this server computed, each kept with the unit's data version at
//! the time its scores were read. A table is computed from every score of the unit's cases
//! (about 4 ms of a core per 2 700 measurements); the version (`unit.data_version`) moves in
//! the transaction of every write to one of the unit's cases and of every import, whichever
//! server made it, so a kept table is served only while the stored version is the one it was
//! computed at.

use evident_core::OrgCode;
use evident_core::followup::unit_table::FollowUpRow;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

/// Units whose tables are kept at once; the oldest computed goes first.
pub const MOST_UNITS: usize = 1024;

/// The kept tables; one per server, on the [`crate::AppState`].
#[derive(Debug, Default)]
pub struct FollowUpCache {
    inner: Mutex<Held>,
}

#[derive(Debug, Default)]
struct Held {
    tables: HashMap<String, (i64, Arc<Vec<FollowUpRow>>)>,
    /// Units in the order their tables were kept, for dropping the oldest.
    order: VecDeque<String>,
}

impl FollowUpCache {
    /// The unit's table, if one was computed at `version`.
    pub fn get(&self, unit: &OrgCode, version: i64) -> Option<Arc<Vec<FollowUpRow>>> {
        let held = self.lock();
        let (kept_at, table) = held.tables.get(unit.as_str())?;
        (*kept_at == version).then(|| Arc::clone(table))
    }

    /// Keeps `table`, computed from scores read at `version` or later (so never newer than
    /// the data it shows), unless a table of a later version is kept already.
    pub fn put(&self, unit: &OrgCode, version: i64, table: Arc<Vec<FollowUpRow>>) {
        let mut held = self.lock();
        match held.tables.get_mut(unit.as_str()) {
            Some((kept_at, _)) if *kept_at > version => {}
            Some(kept) => *kept = (version, table),
            None => {
                if held.order.len() >= MOST_UNITS
                    && let Some(oldest) = held.order.pop_front()
                {
                    held.tables.remove(&oldest);
                }
                held.order.push_back(unit.to_string());
                held.tables.insert(unit.to_string(), (version, table));
            }
        }
    }

    /// The tables, even if a thread panicked while holding them (each change is one map
    /// operation).
    fn lock(&self) -> std::sync::MutexGuard<'_, Held> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A table of its own: told apart from the others by pointer.
    fn table() -> Arc<Vec<FollowUpRow>> {
        Arc::new(Vec::new())
    }

    fn is(kept: Option<Arc<Vec<FollowUpRow>>>, table: &Arc<Vec<FollowUpRow>>) -> bool {
        kept.is_some_and(|kept| Arc::ptr_eq(&kept, table))
    }

    #[test]
    fn a_table_is_served_only_at_the_version_it_was_computed_at() {
        let cache = FollowUpCache::default();
        let unit = OrgCode::parse("0180-0001").unwrap();
        let (first, older, later) = (table(), table(), table());
        assert!(cache.get(&unit, 0).is_none());
        cache.put(&unit, 3, first.clone());
        assert!(is(cache.get(&unit, 3), &first));
        assert!(
            cache.get(&unit, 4).is_none(),
            "a later write moved the version"
        );
        assert!(cache.get(&unit, 2).is_none());
        // A slower request that read an older version does not replace a newer table.
        cache.put(&unit, 2, older);
        assert!(is(cache.get(&unit, 3), &first));
        cache.put(&unit, 5, later.clone());
        assert!(cache.get(&unit, 3).is_none());
        assert!(is(cache.get(&unit, 5), &later));
    }

    #[test]
    fn the_oldest_unit_goes_first_beyond_the_bound() {
        let cache = FollowUpCache::default();
        let units: Vec<OrgCode> = (1..=MOST_UNITS + 1)
            .map(|n| OrgCode::parse(&format!("0180-{n:04}")).unwrap())
            .collect();
        for unit in &units {
            cache.put(unit, 1, table());
        }
        assert!(cache.get(&units[0], 1).is_none());
        assert!(cache.get(&units[1], 1).is_some());
        assert!(cache.get(&units[MOST_UNITS], 1).is_some());
    }
}
