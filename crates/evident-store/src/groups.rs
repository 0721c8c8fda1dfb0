//! User-defined comparison groups of municipalities in the database.

use crate::{PgStore, Result, SqliteStore, StorageError};
use evident_core::OrgCode;
use evident_core::access::audit::{Actor, AuditEvent, Outcome};
use evident_core::indicator::group::{ComparisonGroup, NewComparisonGroup};
use evident_core::text::Name;

/// Creating, reading and removing comparison groups.
#[async_trait::async_trait]
pub trait ComparisonGroupStore {
    /// Stores a new group, created by `actor`.
    ///
    /// # Errors
    /// [`StorageError::Conflict`] on field `name` when a group already has that name.
    async fn create_comparison_group(
        &self,
        group: &NewComparisonGroup,
        actor: &Actor,
    ) -> Result<ComparisonGroup>;

    /// Every group, by name.
    async fn list_comparison_groups(&self) -> Result<Vec<ComparisonGroup>>;

    /// One group.
    ///
    /// # Errors
    /// [`StorageError::NotFound`] when there is no group `id`.
    async fn get_comparison_group(&self, id: i64) -> Result<ComparisonGroup>;

    /// Removes group `id`.
    ///
    /// # Errors
    /// [`StorageError::NotFound`] when there is no group `id`.
    async fn delete_comparison_group(&self, id: i64, actor: &Actor) -> Result<()>;
}

fn group_of(
    id: i64,
    name: &str,
    created_by: &str,
    members: Vec<String>,
) -> Result<ComparisonGroup> {
    Ok(ComparisonGroup {
        id,
        name: Name::parse("name", name)?,
        created_by: created_by.parse().ok(),
        members: members
            .iter()
            .map(|code| OrgCode::parse(code))
            .collect::<Result<_, _>>()?,
    })
}

/// Implements [`ComparisonGroupStore`] for a backend struct with a `pool` field.
macro_rules! impl_comparison_group_store {
    ($store:ty) => {
        impl $store {
            async fn group_members(&self, id: i64) -> Result<Vec<String>> {
                Ok(sqlx::query_scalar(
                    r"
                    select municipality_code
                    from comparison_group_member
                    where group_id = $1
                    order by municipality_code
                    ",
                )
                .bind(id)
                .fetch_all(&self.pool)
                .await?)
            }
        }

        #[async_trait::async_trait]
        impl ComparisonGroupStore for $store {
            #[tracing::instrument(skip_all)]
            async fn create_comparison_group(
                &self,
                group: &NewComparisonGroup,
                actor: &Actor,
            ) -> Result<ComparisonGroup> {
                let created_by = actor.user_id.map(|id| id.to_string()).unwrap_or_default();
                let mut tx = self.begin_write().await?;
                let id: i64 = sqlx::query_scalar(
                    r"
                    insert into comparison_group (name, created_by)
                    values ($1, $2)
                    returning id
                    ",
                )
                .bind(group.name.as_str())
                .bind(&created_by)
                .fetch_one(&mut *tx)
                .await?;
                for code in &group.members {
                    sqlx::query(
                        r"
                        insert into comparison_group_member (group_id, municipality_code)
                        values ($1, $2)
                        ",
                    )
                    .bind(id)
                    .bind(code.as_str())
                    .execute(&mut *tx)
                    .await?;
                }
                let members: Vec<&str> = group.members.iter().map(OrgCode::as_str).collect();
                let event = AuditEvent::new(
                    actor,
                    "comparison_group.create",
                    format!("comparison_group:{id}"),
                    Outcome::Allowed,
                )
                .with_detail(format!("{}: {}", group.name, members.join(",")));
                self.append_in(&mut tx, &event).await?;
                // Profiles show the groups: a change of them is a change of what is published.
                sqlx::query(crate::indicators::BUMP_REVISION)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(ComparisonGroup {
                    id,
                    name: group.name.clone(),
                    created_by: actor.user_id,
                    members: group.members.clone(),
                })
            }

            async fn list_comparison_groups(&self) -> Result<Vec<ComparisonGroup>> {
                let rows: Vec<(i64, String, String)> = sqlx::query_as(
                    r"
                    select id, name, created_by
                    from comparison_group
                    order by name
                    ",
                )
                .fetch_all(&self.pool)
                .await?;
                let mut groups = Vec::with_capacity(rows.len());
                for (id, name, created_by) in rows {
                    let members = self.group_members(id).await?;
                    groups.push(group_of(id, &name, &created_by, members)?);
                }
                Ok(groups)
            }

            async fn get_comparison_group(&self, id: i64) -> Result<ComparisonGroup> {
                let row: Option<(String, String)> = sqlx::query_as(
                    r"
                    select name, created_by
                    from comparison_group
                    where id = $1
                    ",
                )
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
                let (name, created_by) =
                    row.ok_or_else(|| StorageError::not_found("comparison group", id))?;
                let members = self.group_members(id).await?;
                group_of(id, &name, &created_by, members)
            }

            #[tracing::instrument(skip_all, fields(group = id))]
            async fn delete_comparison_group(&self, id: i64, actor: &Actor) -> Result<()> {
                let mut tx = self.begin_write().await?;
                sqlx::query(
                    r"
                    delete from comparison_group_member
                    where group_id = $1
                    ",
                )
                .bind(id)
                .execute(&mut *tx)
                .await?;
                let removed = sqlx::query(
                    r"
                    delete from comparison_group
                    where id = $1
                    ",
                )
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if removed == 0 {
                    return Err(StorageError::not_found("comparison group", id));
                }
                let event = AuditEvent::new(
                    actor,
                    "comparison_group.delete",
                    format!("comparison_group:{id}"),
                    Outcome::Allowed,
                );
                self.append_in(&mut tx, &event).await?;
                // Profiles show the groups: a change of them is a change of what is published.
                sqlx::query(crate::indicators::BUMP_REVISION)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(())
            }
        }
    };
}

impl_comparison_group_store!(SqliteStore);
impl_comparison_group_store!(PgStore);
