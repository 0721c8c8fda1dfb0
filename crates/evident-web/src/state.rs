//! The state shared by every handler.

use evident_store::Store;
use std::sync::Arc;

/// What handlers can reach: the store. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// The database, whichever backend it is.
    pub store: Arc<dyn Store>,
}

impl AppState {
    /// State around an opened store.
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self { store }
    }
}
