//! Staff accounts in the database: users and their role grants, sessions and personal access
//! tokens. Every change is audited in its own transaction. Requests for roles that await a
//! second person's approval live in [`crate::grant_requests`], login throttling in
//! [`crate::signin`].

use crate::audit::now_text;
use crate::{PgStore, Result, SqliteStore, StorageError};
use evident_core::OrgCode;
use evident_core::access::account::{AccessToken, NewUser, SessionInfo, User};
use evident_core::access::audit::{Actor, AuditEvent, Outcome};
use evident_core::access::{Grant, Role};
use evident_core::text::{Email, Name};
use std::collections::BTreeMap;

/// Users, grants, sessions and tokens.
#[async_trait::async_trait]
pub trait AccountStore {
    /// Creates a user holding `grants`, all in one transaction.
    ///
    /// # Errors
    /// [`StorageError::Conflict`] on `email` when the address is taken,
    /// [`StorageError::NotFound`] when a grant names an unknown node.
    async fn create_user(&self, user: &NewUser, grants: &[Grant], actor: &Actor) -> Result<User>;

    /// The user with this e-mail address and their password hash, if any.
    async fn find_user_by_email(&self, email: &Email) -> Result<Option<(User, Option<String>)>>;

    /// The user with this id.
    ///
    /// # Errors
    /// [`StorageError::NotFound`] when there is none.
    async fn get_user(&self, id: i64) -> Result<User>;

    /// Every user with their grants, by e-mail address.
    async fn list_users(&self) -> Result<Vec<User>>;

    /// Replaces a user's password hash and, in the same transaction, revokes every live
    /// access token of the user and ends every session except `keep_session` (the digest of
    /// the session that changed it, if any): whoever held the old password may have made them.
    ///
    /// # Errors
    /// [`StorageError::NotFound`] for an unknown user.
    async fn set_password(
        &self,
        user_id: i64,
        password_hash: &str,
        keep_session: Option<&str>,
        actor: &Actor,
    ) -> Result<CredentialsEnded>;

    /// Grants a role on a node to a user.
    ///
    /// # Errors
    /// [`StorageError::NotFound`] for an unknown user or node, [`StorageError::Conflict`] when
    /// the user already holds exactly this grant.
    async fn add_grant(&self, user_id: i64, grant: &Grant, actor: &Actor) -> Result<()>;

    /// Revokes a role on a node from a user.
    ///
    /// # Errors
    /// [`StorageError::NotFound`] when the user does not hold it.
    async fn remove_grant(&self, user_id: i64, grant: &Grant, actor: &Actor) -> Result<()>;

    /// Starts a session for a user at `now`, stored by the digest of its cookie value, with
    /// the CSRF token its forms must carry.
    async fn create_session(
        &self,
        user_id: i64,
        token_digest: &str,
        csrf_token: &str,
        expires_at: &str,
        now: &str,
    ) -> Result<()>;

    /// The live session with this digest at `now`, if any: one that has not expired and was
    /// last seen after `idle_since`. An expired or idle one is deleted on sight.
    async fn find_session(
        &self,
        token_digest: &str,
        now: &str,
        idle_since: &str,
    ) -> Result<Option<SessionInfo>>;

    /// Notes that a session was used at `now` (which keeps it from going idle).
    async fn touch_session(&self, token_digest: &str, now: &str) -> Result<()>;

    /// Ends a session.
    async fn delete_session(&self, token_digest: &str) -> Result<()>;

    /// Ends every session of a user except the one with the digest `keep_session`, if given
    /// (the session asking), and writes a `logout.others` audit entry saying how many ended, in
    /// the same transaction. Returns how many ended.
    async fn delete_other_sessions(
        &self,
        user_id: i64,
        keep_session: Option<&str>,
        actor: &Actor,
    ) -> Result<u64>;

    /// Stores a personal access token by its digest.
    async fn create_token(
        &self,
        user_id: i64,
        label: &str,
        digest: &str,
        expires_at: &str,
        actor: &Actor,
    ) -> Result<AccessToken>;

    /// The owner of the live (unexpired, unrevoked) token with this digest, if any.
    async fn find_token_user(&self, digest: &str) -> Result<Option<User>>;

    /// A user's tokens, newest first.
    async fn list_tokens(&self, user_id: i64) -> Result<Vec<AccessToken>>;

    /// Revokes one of a user's tokens.
    ///
    /// # Errors
    /// [`StorageError::NotFound`] when the user has no such live token.
    async fn revoke_token(&self, user_id: i64, token_id: i64, actor: &Actor) -> Result<()>;

    /// Disables or re-enables a user. Disabling also ends their sessions and revokes their
    /// live tokens, in the same audited transaction.
    ///
    /// # Errors
    /// [`StorageError::NotFound`] for an unknown user.
    async fn set_user_disabled(&self, user_id: i64, disabled: bool, actor: &Actor) -> Result<()>;
}

/// What a password change ended besides the old password.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CredentialsEnded {
    /// Live access tokens revoked.
    pub tokens: u64,
    /// Other sessions ended.
    pub sessions: u64,
}

#[derive(sqlx::FromRow)]
struct UserRow {
    id: i64,
    email: String,
    name: String,
    disabled_at: Option<String>,
}

#[derive(sqlx::FromRow)]
struct GrantRow {
    user_id: i64,
    role: String,
    org_code: String,
}

#[derive(sqlx::FromRow)]
struct TokenRow {
    id: i64,
    label: String,
    expires_at: String,
    revoked_at: Option<String>,
}

fn assemble(users: Vec<UserRow>, grants: Vec<GrantRow>) -> Result<Vec<User>> {
    let mut by_user: BTreeMap<i64, Vec<Grant>> = BTreeMap::new();
    for row in grants {
        by_user.entry(row.user_id).or_default().push(Grant {
            role: Role::parse(&row.role)?,
            org: OrgCode::parse(&row.org_code)?,
        });
    }
    users
        .into_iter()
        .map(|row| {
            let mut grants = by_user.remove(&row.id).unwrap_or_default();
            grants.sort();
            Ok(User {
                id: row.id,
                email: Email::parse("email", &row.email)?,
                name: Name::parse("name", &row.name)?,
                grants,
                disabled: row.disabled_at.is_some(),
            })
        })
        .collect()
}

/// An allowed audit event of `actor`.
pub(crate) fn audit(actor: &Actor, action: &str, record: String) -> AuditEvent {
    AuditEvent::new(actor, action, record, Outcome::Allowed)
}

/// Implements [`AccountStore`] for a backend.
macro_rules! impl_account_store {
    ($store:ty) => {
        impl $store {
            /// Deletes the sessions of `user_id`, all but the one with the digest `keep` when
            /// given; returns how many.
            async fn end_sessions_in(
                tx: &mut sqlx::Transaction<'static, <$store as crate::Backed>::Db>,
                user_id: i64,
                keep: Option<&str>,
            ) -> Result<u64> {
                let ended = sqlx::query(
                    r"
                    delete from session
                    where user_id = $1
                      and ($2 is null or token_hash <> $2)
                    ",
                )
                .bind(user_id)
                .bind(keep)
                .execute(&mut **tx)
                .await?
                .rows_affected();
                Ok(ended)
            }

            pub(crate) async fn grant_in(
                &self,
                tx: &mut sqlx::Transaction<'static, <$store as crate::Backed>::Db>,
                user_id: i64,
                grant: &Grant,
                actor: &Actor,
                action: &str,
            ) -> Result<()> {
                let inserted: Option<i64> = sqlx::query_scalar(
                    r"
                    insert into role_grant (user_id, role, org_code)
                    select u.id, $2, o.code
                    from user_account u, org_node o
                    where u.id = $1
                      and o.code = $3
                    returning id
                    ",
                )
                .bind(user_id)
                .bind(grant.role.as_str())
                .bind(grant.org.as_str())
                .fetch_optional(&mut **tx)
                .await
                .map_err(|e| match StorageError::from(e) {
                    StorageError::Conflict { .. } => StorageError::Conflict { field: "grant" },
                    other => other,
                })?;
                if inserted.is_none() {
                    return Err(StorageError::NotFound(format!("user {user_id} or organisation {}", grant.org)));
                }
                let event = audit(actor, action, format!("user:{user_id}")).with_detail(format!("{} on {}", grant.role, grant.org));
                self.append_in(tx, &event).await?;
                Ok(())
            }

            pub(crate) async fn create_user_in(
                &self,
                tx: &mut sqlx::Transaction<'static, <$store as crate::Backed>::Db>,
                user: &NewUser,
                actor: &Actor,
            ) -> Result<i64> {
                let id: i64 = sqlx::query_scalar(
                    r"
                    insert into user_account (email, name, password_hash)
                    values ($1, $2, $3)
                    returning id
                    ",
                )
                .bind(user.email.as_str())
                .bind(user.name.as_str())
                .bind(&user.password_hash)
                .fetch_one(&mut **tx)
                .await
                .map_err(|e| match StorageError::from(e) {
                    StorageError::Conflict { .. } => StorageError::Conflict { field: "email" },
                    other => other,
                })?;
                self.append_in(tx, &audit(actor, "user.create", format!("user:{id}")).with_detail(user.email.as_str())).await?;
                Ok(id)
            }

            async fn users_where_id(&self, id: Option<i64>) -> Result<Vec<User>> {
                let users: Vec<UserRow> = sqlx::query_as(
                    r"
                    select id, email, name, disabled_at
                    from user_account
                    where ($1 is null or id = $1)
                    order by email
                    ",
                )
                .bind(id)
                .fetch_all(&self.pool)
                .await?;
                let grants: Vec<GrantRow> = sqlx::query_as(
                    r"
                    select user_id, role, org_code
                    from role_grant
                    where ($1 is null or user_id = $1)
                    ",
                )
                .bind(id)
                .fetch_all(&self.pool)
                .await?;
                assemble(users, grants)
            }
        }

        #[async_trait::async_trait]
        impl AccountStore for $store {
            #[tracing::instrument(skip_all)]
            async fn create_user(&self, user: &NewUser, grants: &[Grant], actor: &Actor) -> Result<User> {
                let mut tx = self.begin_write().await?;
                let id = self.create_user_in(&mut tx, user, actor).await?;
                for grant in grants {
                    self.grant_in(&mut tx, id, grant, actor, "grant.add").await?;
                }
                tx.commit().await?;
                let mut grants = grants.to_vec();
                grants.sort();
                Ok(User { id, email: user.email.clone(), name: user.name.clone(), grants, disabled: false })
            }

            async fn find_user_by_email(&self, email: &Email) -> Result<Option<(User, Option<String>)>> {
                let row: Option<(i64, Option<String>)> = sqlx::query_as(
                    r"
                    select id, password_hash
                    from user_account
                    where email = $1
                    ",
                )
                .bind(email.as_str())
                .fetch_optional(&self.pool)
                .await?;
                let Some((id, hash)) = row else { return Ok(None) };
                Ok(Some((self.get_user(id).await?, hash)))
            }

            async fn get_user(&self, id: i64) -> Result<User> {
                self.users_where_id(Some(id))
                    .await?
                    .pop()
                    .ok_or_else(|| StorageError::not_found("user", id))
            }

            async fn list_users(&self) -> Result<Vec<User>> {
                self.users_where_id(None).await
            }

            #[tracing::instrument(skip_all, fields(user = user_id))]
            async fn set_password(&self, user_id: i64, password_hash: &str, keep_session: Option<&str>, actor: &Actor) -> Result<CredentialsEnded> {
                let mut tx = self.begin_write().await?;
                let changed = sqlx::query(
                    r"
                    update user_account
                    set password_hash = $2
                    where id = $1
                    ",
                )
                .bind(user_id)
                .bind(password_hash)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if changed == 0 {
                    return Err(StorageError::not_found("user", user_id));
                }
                let tokens = sqlx::query(
                    r"
                    update access_token
                    set revoked_at = $2
                    where user_id = $1
                      and revoked_at is null
                    ",
                )
                .bind(user_id)
                .bind(now_text())
                .execute(&mut *tx)
                .await?
                .rows_affected();
                let sessions = Self::end_sessions_in(&mut tx, user_id, keep_session).await?;
                let event = audit(actor, "user.password", format!("user:{user_id}"))
                    .with_detail(format!("revoked {tokens} access tokens, ended {sessions} other sessions"));
                self.append_in(&mut tx, &event).await?;
                tx.commit().await?;
                Ok(CredentialsEnded { tokens, sessions })
            }

            #[tracing::instrument(skip_all, fields(user = user_id, role = %grant.role, org = %grant.org))]
            async fn add_grant(&self, user_id: i64, grant: &Grant, actor: &Actor) -> Result<()> {
                let mut tx = self.begin_write().await?;
                self.grant_in(&mut tx, user_id, grant, actor, "grant.add").await?;
                tx.commit().await?;
                Ok(())
            }

            #[tracing::instrument(skip_all, fields(user = user_id, role = %grant.role, org = %grant.org))]
            async fn remove_grant(&self, user_id: i64, grant: &Grant, actor: &Actor) -> Result<()> {
                let mut tx = self.begin_write().await?;
                let removed = sqlx::query(
                    r"
                    delete from role_grant
                    where user_id = $1
                      and role = $2
                      and org_code = $3
                    ",
                )
                .bind(user_id)
                .bind(grant.role.as_str())
                .bind(grant.org.as_str())
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if removed == 0 {
                    return Err(StorageError::NotFound(format!("grant {} on {} for user {user_id}", grant.role, grant.org)));
                }
                let event = audit(actor, "grant.remove", format!("user:{user_id}")).with_detail(format!("{} on {}", grant.role, grant.org));
                self.append_in(&mut tx, &event).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn create_session(&self, user_id: i64, token_digest: &str, csrf_token: &str, expires_at: &str, now: &str) -> Result<()> {
                sqlx::query(
                    r"
                    insert into session (token_hash, user_id, csrf_token, expires_at, last_seen_at)
                    values ($1, $2, $3, $4, $5)
                    ",
                )
                .bind(token_digest)
                .bind(user_id)
                .bind(csrf_token)
                .bind(expires_at)
                .bind(now)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn find_session(&self, token_digest: &str, now: &str, idle_since: &str) -> Result<Option<SessionInfo>> {
                let row: Option<(i64, String, String, String)> = sqlx::query_as(
                    r"
                    select user_id, csrf_token, expires_at, last_seen_at
                    from session
                    where token_hash = $1
                    ",
                )
                .bind(token_digest)
                .fetch_optional(&self.pool)
                .await?;
                let Some((user_id, csrf_token, expires_at, last_seen_at)) = row else { return Ok(None) };
                if expires_at.as_str() <= now || last_seen_at.as_str() <= idle_since {
                    self.delete_session(token_digest).await?;
                    return Ok(None);
                }
                let user = self.get_user(user_id).await?;
                // Disabling deletes the sessions; this also covers one created in a race.
                if user.disabled {
                    return Ok(None);
                }
                Ok(Some(SessionInfo { user, csrf_token, last_seen_at }))
            }

            async fn touch_session(&self, token_digest: &str, now: &str) -> Result<()> {
                sqlx::query(
                    r"
                    update session
                    set last_seen_at = $2
                    where token_hash = $1
                    ",
                )
                .bind(token_digest)
                .bind(now)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn delete_session(&self, token_digest: &str) -> Result<()> {
                sqlx::query(
                    r"
                    delete from session
                    where token_hash = $1
                    ",
                )
                .bind(token_digest)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            #[tracing::instrument(skip_all, fields(user = user_id))]
            async fn delete_other_sessions(&self, user_id: i64, keep_session: Option<&str>, actor: &Actor) -> Result<u64> {
                let mut tx = self.begin_write().await?;
                let sessions = Self::end_sessions_in(&mut tx, user_id, keep_session).await?;
                let event = audit(actor, "logout.others", format!("user:{user_id}"))
                    .with_detail(format!("ended {sessions} other sessions"));
                self.append_in(&mut tx, &event).await?;
                tx.commit().await?;
                Ok(sessions)
            }

            #[tracing::instrument(skip_all, fields(user = user_id))]
            async fn create_token(&self, user_id: i64, label: &str, digest: &str, expires_at: &str, actor: &Actor) -> Result<AccessToken> {
                let mut tx = self.begin_write().await?;
                let id: i64 = sqlx::query_scalar(
                    r"
                    insert into access_token (user_id, label, token_hash, expires_at)
                    values ($1, $2, $3, $4)
                    returning id
                    ",
                )
                .bind(user_id)
                .bind(label)
                .bind(digest)
                .bind(expires_at)
                .fetch_one(&mut *tx)
                .await?;
                let event = audit(actor, "token.create", format!("user:{user_id}")).with_detail(format!("token {id} '{label}' until {expires_at}"));
                self.append_in(&mut tx, &event).await?;
                tx.commit().await?;
                Ok(AccessToken { id, label: label.to_owned(), expires_at: expires_at.to_owned(), revoked_at: None })
            }

            async fn find_token_user(&self, digest: &str) -> Result<Option<User>> {
                let user_id: Option<i64> = sqlx::query_scalar(
                    r"
                    select user_id
                    from access_token
                    where token_hash = $1
                      and revoked_at is null
                      and expires_at > $2
                    ",
                )
                .bind(digest)
                .bind(now_text())
                .fetch_optional(&self.pool)
                .await?;
                match user_id {
                    Some(id) => Ok(Some(self.get_user(id).await?).filter(|user| !user.disabled)),
                    None => Ok(None),
                }
            }

            async fn list_tokens(&self, user_id: i64) -> Result<Vec<AccessToken>> {
                let rows: Vec<TokenRow> = sqlx::query_as(
                    r"
                    select id, label, expires_at, revoked_at
                    from access_token
                    where user_id = $1
                    order by id desc
                    ",
                )
                .bind(user_id)
                .fetch_all(&self.pool)
                .await?;
                Ok(rows
                    .into_iter()
                    .map(|r| AccessToken { id: r.id, label: r.label, expires_at: r.expires_at, revoked_at: r.revoked_at })
                    .collect())
            }

            #[tracing::instrument(skip_all, fields(user = user_id, token = token_id))]
            async fn revoke_token(&self, user_id: i64, token_id: i64, actor: &Actor) -> Result<()> {
                let mut tx = self.begin_write().await?;
                let revoked = sqlx::query(
                    r"
                    update access_token
                    set revoked_at = $3
                    where id = $1
                      and user_id = $2
                      and revoked_at is null
                    ",
                )
                .bind(token_id)
                .bind(user_id)
                .bind(now_text())
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if revoked == 0 {
                    return Err(StorageError::not_found("live token", token_id));
                }
                self.append_in(&mut tx, &audit(actor, "token.revoke", format!("user:{user_id}")).with_detail(format!("token {token_id}"))).await?;
                tx.commit().await?;
                Ok(())
            }

            #[tracing::instrument(skip_all, fields(user = user_id, disabled))]
            async fn set_user_disabled(&self, user_id: i64, disabled: bool, actor: &Actor) -> Result<()> {
                let mut tx = self.begin_write().await?;
                let now = now_text();
                let changed = sqlx::query(
                    r"
                    update user_account
                    set disabled_at = case when $2 then coalesce(disabled_at, $3) end
                    where id = $1
                    ",
                )
                .bind(user_id)
                .bind(disabled)
                .bind(&now)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if changed == 0 {
                    return Err(StorageError::not_found("user", user_id));
                }
                let event = if disabled {
                    let sessions = Self::end_sessions_in(&mut tx, user_id, None).await?;
                    let tokens = sqlx::query(
                        r"
                        update access_token
                        set revoked_at = $2
                        where user_id = $1
                          and revoked_at is null
                        ",
                    )
                    .bind(user_id)
                    .bind(&now)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                    audit(actor, "user.disable", format!("user:{user_id}"))
                        .with_detail(format!("{sessions} sessions ended, {tokens} tokens revoked"))
                } else {
                    audit(actor, "user.enable", format!("user:{user_id}"))
                };
                self.append_in(&mut tx, &event).await?;
                tx.commit().await?;
                Ok(())
            }

        }
    };
}

impl_account_store!(SqliteStore);
impl_account_store!(PgStore);
