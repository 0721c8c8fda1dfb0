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

/// The actor of a request nobody signed in to. TODO(#3): replaced by the signed-in user.
pub fn anonymous() -> evident_core::audit::Actor {
    evident_core::audit::Actor {
        user_id: None,
        label: "anonymous".to_owned(),
        address: None,
    }
}
