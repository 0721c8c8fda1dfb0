//! Rekeying clients stored before pseudonyms were per authority. Such a client has one
//! pseudonym for the person everywhere, and may have cases at several authorities. It needs
//! the pseudonym key, which the database never holds, so the server does it on start
//! ([`LegacyClientStore::rekey_legacy_clients`]). Each legacy client becomes one client per
//! authority with cases, under that authority's pseudonym and the person's statistical key,
//! and its cases move with it. If the person was registered at the authority since the
//! upgrade, the cases join that client.

use crate::{PgStore, Result, SqliteStore};
use evident_core::OrgCode;
use evident_core::access::audit::{Actor, AuditEvent, Outcome};
use evident_core::person::{ClientKeys, Pseudonym};
use std::collections::BTreeMap;

/// Derives a client's keys at an authority from its old pseudonym (the person's digest).
pub type Rekey<'a> = dyn Fn(&Pseudonym, &OrgCode) -> ClientKeys + Send + Sync + 'a;

/// What a rekeying did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Rekeyed {
    /// Legacy clients rekeyed.
    pub clients: u64,
    /// Clients created because a legacy client had cases at more than one authority.
    pub split: u64,
    /// Legacy clients without any case, left as they were (no authority to key them by).
    pub without_cases: u64,
}

/// Clients from before pseudonyms were per authority.
#[async_trait::async_trait]
pub trait LegacyClientStore {
    /// Rekeys every legacy client in one transaction, audited as `clients.rekey` when there
    /// was any.
    async fn rekey_legacy_clients(&self, rekey: &Rekey<'_>, actor: &Actor) -> Result<Rekeyed>;

    /// The pseudonym a rekeyed client had before, under which older audit entries name it.
    async fn legacy_pseudonym(&self, client_id: i64) -> Result<Option<String>>;
}

macro_rules! impl_legacy_client_store {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl LegacyClientStore for $store {
            async fn legacy_pseudonym(&self, client_id: i64) -> Result<Option<String>> {
                Ok(sqlx::query_scalar(
                    r"
                    select legacy_pseudonym
                    from client
                    where id = $1
                    ",
                )
                .bind(client_id)
                .fetch_optional(&self.pool)
                .await?
                .flatten())
            }

            async fn rekey_legacy_clients(&self, rekey: &Rekey<'_>, actor: &Actor) -> Result<Rekeyed> {
                let mut done = Rekeyed::default();
                let mut tx = self.begin_write().await?;
                let legacy: Vec<(i64, String, i32, String)> = sqlx::query_as(
                    r"
                    select id, pseudonym, birth_year, sex
                    from client
                    where authority = ''
                    order by id
                    ",
                )
                .fetch_all(&mut *tx)
                .await?;
                for (client_id, old, birth_year, sex) in legacy {
                    let digest = Pseudonym::parse(&old)?;
                    let cases: Vec<(i64, String)> = sqlx::query_as(
                        r"
                        select id, unit_code
                        from case_record
                        where client_id = $1
                        order by id
                        ",
                    )
                    .bind(client_id)
                    .fetch_all(&mut *tx)
                    .await?;
                    let mut by_authority: BTreeMap<OrgCode, Vec<i64>> = BTreeMap::new();
                    for (case_id, unit) in cases {
                        let unit = OrgCode::parse(&unit)?;
                        let authority = unit.authority().unwrap_or_else(|| unit.clone());
                        by_authority.entry(authority).or_default().push(case_id);
                    }
                    if by_authority.is_empty() {
                        done.without_cases += 1;
                        continue;
                    }
                    done.clients += 1;
                    let mut kept_in_place = false;
                    for (authority, case_ids) in by_authority {
                        let keys = rekey(&digest, &authority);
                        let existing: Option<i64> = sqlx::query_scalar(
                            r"
                            select id
                            from client
                            where pseudonym = $1
                            ",
                        )
                        .bind(keys.pseudonym.as_str())
                        .fetch_optional(&mut *tx)
                        .await?;
                        let target = match existing {
                            Some(id) => id,
                            None if !kept_in_place => {
                                kept_in_place = true;
                                sqlx::query(
                                    r"
                                    update client
                                    set pseudonym = $1, authority = $2, statistical_key = $3, legacy_pseudonym = $4, person_id = null
                                    where id = $5
                                    ",
                                )
                                .bind(keys.pseudonym.as_str())
                                .bind(authority.as_str())
                                .bind(keys.statistical_key.as_str())
                                .bind(&old)
                                .bind(client_id)
                                .execute(&mut *tx)
                                .await?;
                                client_id
                            }
                            None => {
                                done.split += 1;
                                sqlx::query_scalar(
                                    r"
                                    insert into client (pseudonym, authority, statistical_key, legacy_pseudonym, birth_year, sex)
                                    values ($1, $2, $3, $4, $5, $6)
                                    returning id
                                    ",
                                )
                                .bind(keys.pseudonym.as_str())
                                .bind(authority.as_str())
                                .bind(keys.statistical_key.as_str())
                                .bind(&old)
                                .bind(birth_year)
                                .bind(&sex)
                                .fetch_one(&mut *tx)
                                .await?
                            }
                        };
                        if target != client_id {
                            for case_id in case_ids {
                                sqlx::query(
                                    r"
                                    update case_record
                                    set client_id = $1
                                    where id = $2
                                    ",
                                )
                                .bind(target)
                                .bind(case_id)
                                .execute(&mut *tx)
                                .await?;
                            }
                        }
                    }
                    if !kept_in_place {
                        // Every case joined a client registered since: the legacy row is empty.
                        sqlx::query(
                            r"
                            delete from client
                            where id = $1
                            ",
                        )
                        .bind(client_id)
                        .execute(&mut *tx)
                        .await?;
                    }
                }
                if done.clients > 0 {
                    // Clients of the same person registered since the upgrade may have named
                    // their person already: every rekeyed person is named afresh, and the
                    // indicators, which count people, are recomputed at the next refresh.
                    sqlx::query(
                        r"
                        update client
                        set person_id = null
                        where statistical_key in (select statistical_key from client where person_id is null)
                        ",
                    )
                    .execute(&mut *tx)
                    .await?;
                    sqlx::query(crate::followup::ASSIGN_PERSON_IDS).execute(&mut *tx).await?;
                    sqlx::query(
                        r"
                        update indicator_state
                        set current = 0, revision = revision + 1
                        where id = 1
                        ",
                    )
                    .execute(&mut *tx)
                    .await?;
                    let event = AuditEvent::new(actor, "clients.rekey", "clients", Outcome::Allowed)
                        .with_detail(format!(
                            "{} clients pseudonymised per authority ({} split across authorities)",
                            done.clients, done.split
                        ));
                    self.append_in(&mut tx, &event).await?;
                }
                tx.commit().await?;
                Ok(done)
            }
        }
    };
}

impl_legacy_client_store!(SqliteStore);
impl_legacy_client_store!(PgStore);
