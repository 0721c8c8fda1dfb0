//! Group commit for audit entries written on their own ([`AuditStore::append_audit`]): the
//! reads of identified data that many users make at once. Each such read used to be its own
//! transaction, and every transaction waits for the one before it on the chain's head row (and,
//! on SQLite, for the one writer), so under load the trail, not the read, set the pace.
//!
//! A caller queues its entry and a writer task takes everything queued so far into one
//! transaction: the entries are chained in queue order, committed together, and each caller
//! gets its own sealed entry back only after the commit, as before. The writer is a spawned
//! task, so a caller that gives up (a browser that closes the connection) neither loses its
//! entry nor breaks the transaction of the others. When a batch fails, its entries are written
//! one at a time, so one bad entry fails alone, with its own error.

use crate::audit::AuditStore;
use crate::{Result, StorageError};
use evident_core::access::audit::{AuditEntry, AuditEvent};
use std::sync::{Arc, Mutex};
use tokio::sync::oneshot;

/// The most entries one transaction takes; the rest wait for the next.
const MOST_PER_BATCH: usize = 256;

/// An entry waiting to be written, and where its sealed entry goes.
struct Pending {
    event: AuditEvent,
    reply: oneshot::Sender<Result<AuditEntry>>,
}

/// The entries queued for the next transaction, shared by a store's clones.
#[derive(Default)]
pub(crate) struct AuditQueue {
    /// Queued entries, oldest first.
    pending: Mutex<Vec<Pending>>,
    /// Held by the one writer at work; the next waits here and takes what queued meanwhile.
    writing: tokio::sync::Mutex<()>,
}

impl std::fmt::Debug for AuditQueue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuditQueue").finish_non_exhaustive()
    }
}

impl AuditQueue {
    /// Queues `event`, makes sure a writer will take it, and waits for its sealed entry.
    ///
    /// # Errors
    /// The error of writing the entry on its own, or [`StorageError::Unavailable`] when the
    /// runtime stopped before the writer could.
    pub(crate) async fn append<S>(
        self: &Arc<Self>,
        store: &S,
        event: &AuditEvent,
    ) -> Result<AuditEntry>
    where
        S: AuditStore + Clone + Send + Sync + 'static,
    {
        let (reply, entry) = oneshot::channel();
        self.lock_pending().push(Pending {
            event: event.clone(),
            reply,
        });
        let queue = Arc::clone(self);
        let store = store.clone();
        tokio::spawn(async move { queue.write_pending(&store).await });
        entry.await.unwrap_or_else(|_| {
            Err(StorageError::Unavailable(
                "the audit writer stopped before writing the entry".into(),
            ))
        })
    }

    /// Waits for the writer before it, then writes everything queued (a batch at a time) and
    /// answers each caller. Finds the queue empty when an earlier writer took its entry.
    async fn write_pending<S: AuditStore + Sync>(&self, store: &S) {
        let _writing = self.writing.lock().await;
        loop {
            let batch: Vec<Pending> = {
                let mut pending = self.lock_pending();
                let take = pending.len().min(MOST_PER_BATCH);
                pending.drain(..take).collect()
            };
            if batch.is_empty() {
                return;
            }
            let events: Vec<AuditEvent> = batch.iter().map(|p| p.event.clone()).collect();
            match store.append_audit_many(&events).await {
                Ok(entries) => {
                    for (pending, entry) in batch.into_iter().zip(entries) {
                        // A caller that gave up has dropped its receiver; its entry stands.
                        let _ = pending.reply.send(Ok(entry));
                    }
                }
                Err(_) if batch.len() > 1 => {
                    for pending in batch {
                        let written = store
                            .append_audit_many(std::slice::from_ref(&pending.event))
                            .await
                            .map(|mut entries| entries.remove(0));
                        let _ = pending.reply.send(written);
                    }
                }
                Err(error) => {
                    if let Some(pending) = batch.into_iter().next() {
                        let _ = pending.reply.send(Err(error));
                    }
                }
            }
        }
    }

    /// The queue, even if a thread panicked while holding it (a `Vec` push or drain cannot
    /// leave it half-changed).
    fn lock_pending(&self) -> std::sync::MutexGuard<'_, Vec<Pending>> {
        self.pending
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
