//! Regional support structures and their dialog partners in the database.

use crate::{PgStore, Result, SqliteStore, StorageError};
use evident_core::access::audit::{Actor, AuditEvent, Outcome};
use evident_core::text::{Email, Name};
use evident_core::{DialogPartner, NewDialogPartner, OrgCode, SupportStructure};

/// Reading and changing the counties' support structures.
#[async_trait::async_trait]
pub trait SupportStore {
    /// The support structure of `county` with its dialog partners.
    ///
    /// # Errors
    /// [`StorageError::NotFound`] when `county` is not a county.
    async fn get_support_structure(&self, county: &OrgCode) -> Result<SupportStructure>;

    /// Adds a dialog partner to a county's support structure.
    ///
    /// # Errors
    /// [`StorageError::NotFound`] when the county does not exist.
    async fn add_dialog_partner(
        &self,
        partner: &NewDialogPartner,
        actor: &Actor,
    ) -> Result<DialogPartner>;

    /// Removes dialog partner `id` from `county`'s support structure.
    ///
    /// # Errors
    /// [`StorageError::NotFound`] when that county has no such partner.
    async fn remove_dialog_partner(&self, county: &OrgCode, id: i64, actor: &Actor) -> Result<()>;
}

#[derive(sqlx::FromRow)]
struct PartnerRow {
    id: i64,
    name: String,
    role: String,
    email: String,
}

impl PartnerRow {
    fn into_partner(self) -> Result<DialogPartner> {
        Ok(DialogPartner {
            id: self.id,
            name: Name::parse("name", &self.name)?,
            role: Name::parse("role", &self.role)?,
            email: Email::parse("email", &self.email)?,
        })
    }
}

/// Implements [`SupportStore`] for a backend struct with a `pool` field.
macro_rules! impl_support_store {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl SupportStore for $store {
            async fn get_support_structure(&self, county: &OrgCode) -> Result<SupportStructure> {
                let name: Option<String> = sqlx::query_scalar(
                    r"
                    select name
                    from support_structure
                    where county_code = $1
                    ",
                )
                .bind(county.as_str())
                .fetch_optional(&self.pool)
                .await?;
                let name = name.ok_or_else(|| StorageError::not_found("county", county))?;
                let rows: Vec<PartnerRow> = sqlx::query_as(
                    r"
                    select id, name, role, email
                    from dialog_partner
                    where county_code = $1
                    order by id
                    ",
                )
                .bind(county.as_str())
                .fetch_all(&self.pool)
                .await?;
                Ok(SupportStructure {
                    county: county.clone(),
                    name,
                    partners: rows
                        .into_iter()
                        .map(PartnerRow::into_partner)
                        .collect::<Result<_>>()?,
                })
            }

            #[tracing::instrument(skip_all, fields(county = %partner.county))]
            async fn add_dialog_partner(
                &self,
                partner: &NewDialogPartner,
                actor: &Actor,
            ) -> Result<DialogPartner> {
                let mut tx = self.begin_write().await?;
                let id: Option<i64> = sqlx::query_scalar(
                    r"
                    insert into dialog_partner (county_code, name, role, email)
                    select county_code, $2, $3, $4
                    from support_structure
                    where county_code = $1
                    returning id
                    ",
                )
                .bind(partner.county.as_str())
                .bind(partner.name.as_str())
                .bind(partner.role.as_str())
                .bind(partner.email.as_str())
                .fetch_optional(&mut *tx)
                .await?;
                let id = id.ok_or_else(|| StorageError::not_found("county", &partner.county))?;
                let event = AuditEvent::new(
                    actor,
                    "dialog_partner.add",
                    format!("county:{}", partner.county),
                    Outcome::Allowed,
                )
                .with_detail(format!("partner {id}: {}", partner.name));
                self.append_in(&mut tx, &event).await?;
                tx.commit().await?;
                Ok(DialogPartner {
                    id,
                    name: partner.name.clone(),
                    role: partner.role.clone(),
                    email: partner.email.clone(),
                })
            }

            #[tracing::instrument(skip_all, fields(county = %county, partner = id))]
            async fn remove_dialog_partner(
                &self,
                county: &OrgCode,
                id: i64,
                actor: &Actor,
            ) -> Result<()> {
                let mut tx = self.begin_write().await?;
                let removed = sqlx::query(
                    r"
                    delete from dialog_partner
                    where county_code = $1
                      and id = $2
                    ",
                )
                .bind(county.as_str())
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if removed == 0 {
                    return Err(StorageError::not_found(
                        "dialog partner",
                        format!("{id} in county {county}"),
                    ));
                }
                let event = AuditEvent::new(
                    actor,
                    "dialog_partner.remove",
                    format!("county:{county}"),
                    Outcome::Allowed,
                )
                .with_detail(format!("partner {id}"));
                self.append_in(&mut tx, &event).await?;
                tx.commit().await?;
                Ok(())
            }
        }
    };
}

impl_support_store!(SqliteStore);
impl_support_store!(PgStore);
