//! Requests for roles that read identified data ("four eyes"), in the database: a request is
//! recorded by one person and takes effect only when someone else approves it, which grants
//! the role in the same audited transaction. Granting itself, and the users, live in
//! [`crate::accounts`].

use crate::accounts::audit;
use crate::audit::now_text;
use crate::{PgStore, Result, SqliteStore, StorageError};
use evident_core::OrgCode;
use evident_core::access::account::{NewUser, PendingGrant, User};
use evident_core::access::audit::Actor;
use evident_core::access::{Grant, Role};

/// Grant requests awaiting a second person's approval.
#[async_trait::async_trait]
pub trait GrantRequestStore {
    /// Records a request to grant a role on a node to a user, to take effect when someone
    /// approves it ([`GrantRequestStore::decide_grant_request`]); audited as `grant.request`.
    ///
    /// # Errors
    /// [`StorageError::NotFound`] for an unknown user or node, [`StorageError::Conflict`] when
    /// the user already holds the grant or it is already requested.
    async fn request_grant(
        &self,
        user_id: i64,
        grant: &Grant,
        actor: &Actor,
    ) -> Result<PendingGrant>;

    /// Creates a user without roles and, in the same transaction, requests `grant` for them.
    ///
    /// # Errors
    /// As [`crate::AccountStore::create_user`] and [`GrantRequestStore::request_grant`].
    async fn create_user_requesting(
        &self,
        user: &NewUser,
        grant: &Grant,
        actor: &Actor,
    ) -> Result<(User, PendingGrant)>;

    /// Every open grant request, oldest first.
    async fn pending_grants(&self) -> Result<Vec<PendingGrant>>;

    /// The open grant request with this id.
    ///
    /// # Errors
    /// [`StorageError::NotFound`] when there is none (or it is decided).
    async fn get_pending_grant(&self, id: i64) -> Result<PendingGrant>;

    /// Approves an open grant request, which grants the role in the same transaction
    /// (`grant.approve`), or rejects it (`grant.reject`). An approval by the requester or the
    /// grantee is refused here too, whatever the caller checked.
    ///
    /// # Errors
    /// [`StorageError::NotFound`] when no such request is open (or the actor may not approve it),
    /// [`StorageError::Conflict`] when the user already holds the grant.
    async fn decide_grant_request(
        &self,
        id: i64,
        approve: bool,
        actor: &Actor,
    ) -> Result<PendingGrant>;
}

#[derive(sqlx::FromRow)]
struct PendingRow {
    id: i64,
    user_id: i64,
    role: String,
    org_code: String,
    requested_by: Option<i64>,
    requested_at: String,
}

impl TryFrom<PendingRow> for PendingGrant {
    type Error = StorageError;

    fn try_from(row: PendingRow) -> Result<Self> {
        Ok(Self {
            id: row.id,
            user_id: row.user_id,
            grant: Grant {
                role: Role::parse(&row.role)?,
                org: OrgCode::parse(&row.org_code)?,
            },
            requested_by: row.requested_by,
            requested_at: row.requested_at,
        })
    }
}

/// Implements [`GrantRequestStore`] for a backend.
macro_rules! impl_grant_request_store {
    ($store:ty) => {
        impl $store {
            async fn request_in(
                &self,
                tx: &mut sqlx::Transaction<'static, <$store as crate::Backed>::Db>,
                user_id: i64,
                grant: &Grant,
                actor: &Actor,
            ) -> Result<PendingGrant> {
                let held: Option<i64> = sqlx::query_scalar(
                    r"
                    select id
                    from role_grant
                    where user_id = $1
                      and role = $2
                      and org_code = $3
                    ",
                )
                .bind(user_id)
                .bind(grant.role.as_str())
                .bind(grant.org.as_str())
                .fetch_optional(&mut **tx)
                .await?;
                if held.is_some() {
                    return Err(StorageError::Conflict { field: "grant" });
                }
                let requested_at = now_text();
                let id: Option<i64> = sqlx::query_scalar(
                    r"
                    insert into pending_grant (user_id, role, org_code, requested_by, requested_at)
                    select u.id, $2, o.code, $4, $5
                    from user_account u, org_node o
                    where u.id = $1
                      and o.code = $3
                    returning id
                    ",
                )
                .bind(user_id)
                .bind(grant.role.as_str())
                .bind(grant.org.as_str())
                .bind(actor.user_id)
                .bind(&requested_at)
                .fetch_optional(&mut **tx)
                .await
                .map_err(|e| match StorageError::from(e) {
                    StorageError::Conflict { .. } => StorageError::Conflict { field: "grant" },
                    other => other,
                })?;
                let Some(id) = id else {
                    return Err(StorageError::NotFound(format!("user {user_id} or organisation {}", grant.org)));
                };
                let event = audit(actor, "grant.request", format!("user:{user_id}"))
                    .with_detail(format!("{} on {} (request {id})", grant.role, grant.org));
                self.append_in(tx, &event).await?;
                Ok(PendingGrant { id, user_id, grant: grant.clone(), requested_by: actor.user_id, requested_at })
            }
        }

        #[async_trait::async_trait]
        impl GrantRequestStore for $store {
            #[tracing::instrument(skip_all, fields(user = user_id, role = %grant.role, org = %grant.org))]
            async fn request_grant(&self, user_id: i64, grant: &Grant, actor: &Actor) -> Result<PendingGrant> {
                let mut tx = self.begin_write().await?;
                let pending = self.request_in(&mut tx, user_id, grant, actor).await?;
                tx.commit().await?;
                Ok(pending)
            }

            #[tracing::instrument(skip_all, fields(role = %grant.role, org = %grant.org))]
            async fn create_user_requesting(&self, user: &NewUser, grant: &Grant, actor: &Actor) -> Result<(User, PendingGrant)> {
                let mut tx = self.begin_write().await?;
                let id = self.create_user_in(&mut tx, user, actor).await?;
                let pending = self.request_in(&mut tx, id, grant, actor).await?;
                tx.commit().await?;
                Ok((User { id, email: user.email.clone(), name: user.name.clone(), grants: vec![], disabled: false }, pending))
            }

            async fn pending_grants(&self) -> Result<Vec<PendingGrant>> {
                let rows: Vec<PendingRow> = sqlx::query_as(
                    r"
                    select id, user_id, role, org_code, requested_by, requested_at
                    from pending_grant
                    where status = 'pending'
                    order by id
                    ",
                )
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter().map(PendingGrant::try_from).collect()
            }

            async fn get_pending_grant(&self, id: i64) -> Result<PendingGrant> {
                let row: Option<PendingRow> = sqlx::query_as(
                    r"
                    select id, user_id, role, org_code, requested_by, requested_at
                    from pending_grant
                    where id = $1
                      and status = 'pending'
                    ",
                )
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
                row.map(PendingGrant::try_from)
                    .transpose()?
                    .ok_or_else(|| StorageError::not_found("grant request", id))
            }

            #[tracing::instrument(skip_all, fields(request = id, approve))]
            async fn decide_grant_request(&self, id: i64, approve: bool, actor: &Actor) -> Result<PendingGrant> {
                let mut tx = self.begin_write().await?;
                // Nobody approves their own request or their own role: an approval by an
                // actor without an account, or by the requester or grantee, matches no row.
                let row: Option<PendingRow> = sqlx::query_as(
                    r"
                    update pending_grant
                    set status = $2,
                        decided_by = $3,
                        decided_at = $4
                    where id = $1
                      and status = 'pending'
                      and ($2 = 'rejected'
                           or ($3 is not null and user_id <> $3 and coalesce(requested_by, -1) <> $3))
                    returning id, user_id, role, org_code, requested_by, requested_at
                    ",
                )
                .bind(id)
                .bind(if approve { "approved" } else { "rejected" })
                .bind(actor.user_id)
                .bind(now_text())
                .fetch_optional(&mut *tx)
                .await?;
                let pending = row
                    .map(PendingGrant::try_from)
                    .transpose()?
                    .ok_or_else(|| StorageError::not_found("grant request", id))?;
                if approve {
                    self.grant_in(&mut tx, pending.user_id, &pending.grant, actor, "grant.approve").await?;
                } else {
                    let event = audit(actor, "grant.reject", format!("user:{}", pending.user_id))
                        .with_detail(format!("{} on {} (request {id})", pending.grant.role, pending.grant.org));
                    self.append_in(&mut tx, &event).await?;
                }
                tx.commit().await?;
                Ok(pending)
            }
        }
    };
}

impl_grant_request_store!(SqliteStore);
impl_grant_request_store!(PgStore);
