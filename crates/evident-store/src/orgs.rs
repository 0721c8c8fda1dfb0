//! The organisation tree in the database: the embedded registry (nation, counties,
//! municipalities), and the units below the municipalities.

use crate::{PgStore, Result, SqliteStore, StorageError};
use evident_core::access::audit::{Actor, AuditEvent, Outcome};
use evident_core::text::Name;
use evident_core::{
    NewUnit, OrgCode, OrgLevel, OrgNode, Provider, Registry, Unit, UnitArea, UnitUpdate,
};

/// Reading and changing the organisation tree.
#[async_trait::async_trait]
pub trait OrgStore {
    /// Brings the nation, counties and municipalities in line with `registry` (inserting what
    /// is missing, renaming what changed) and gives every county its support structure. Run at
    /// every start-up; it never touches units.
    async fn sync_registry(&self, registry: &Registry) -> Result<()>;

    /// The nodes at `level`, optionally only those within the subtree of `within` (its
    /// children, or deeper levels: the units of a county), in code order.
    async fn list_orgs(&self, level: OrgLevel, within: Option<&OrgCode>) -> Result<Vec<OrgNode>>;

    /// The node with this code.
    ///
    /// # Errors
    /// [`StorageError::NotFound`] when there is none.
    async fn get_org(&self, code: &OrgCode) -> Result<OrgNode>;

    /// Creates a unit under its municipality and gives it the municipality's next unit code;
    /// audited as `unit.create`.
    ///
    /// # Errors
    /// [`StorageError::NotFound`] when the municipality does not exist.
    async fn create_unit(&self, unit: &NewUnit, actor: &Actor) -> Result<Unit>;

    /// Replaces what is said about a unit (name, provider, operator, area); audited as
    /// `unit.update`.
    ///
    /// # Errors
    /// [`StorageError::NotFound`] when there is no such unit.
    async fn update_unit(&self, code: &OrgCode, update: &UnitUpdate, actor: &Actor)
    -> Result<Unit>;

    /// The unit with this code.
    ///
    /// # Errors
    /// [`StorageError::NotFound`] when there is none.
    async fn get_unit(&self, code: &OrgCode) -> Result<Unit>;

    /// The units under a municipality, in code order.
    async fn list_units(&self, municipality: &OrgCode) -> Result<Vec<Unit>>;
}

#[derive(sqlx::FromRow)]
struct OrgRow {
    code: String,
    name: String,
}

impl OrgRow {
    fn into_node(self) -> Result<OrgNode> {
        Ok(OrgNode::new(OrgCode::parse(&self.code)?, self.name))
    }
}

#[derive(sqlx::FromRow)]
struct UnitRow {
    code: String,
    name: String,
    municipality_code: String,
    provider: String,
    operator: Option<String>,
    area: String,
}

impl UnitRow {
    fn into_unit(self) -> Result<Unit> {
        Ok(Unit {
            code: OrgCode::parse(&self.code)?,
            name: Name::parse("name", &self.name)?,
            municipality: OrgCode::parse(&self.municipality_code)?,
            provider: Provider::parse(&self.provider)?,
            operator: self
                .operator
                .as_deref()
                .map(|o| Name::parse("operator", o))
                .transpose()?,
            area: UnitArea::parse(&self.area)?,
        })
    }
}

/// Implements [`OrgStore`] for a backend struct with a `pool` field; expanded once per backend
/// so that both run exactly the same SQL.
macro_rules! impl_org_store {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl OrgStore for $store {
            #[tracing::instrument(skip_all)]
            async fn sync_registry(&self, registry: &Registry) -> Result<()> {
                let mut tx = self.begin_write().await?;
                for node in registry.nodes() {
                    sqlx::query(
                        r"
                        insert into org_node (code, name, level, parent_code)
                        values ($1, $2, $3, $4)
                        on conflict (code) do update set name = excluded.name
                        ",
                    )
                    .bind(node.code.as_str())
                    .bind(&node.name)
                    .bind(node.level.as_str())
                    .bind(node.parent.as_ref().map(OrgCode::as_str))
                    .execute(&mut *tx)
                    .await?;
                }
                for county in &registry.counties {
                    sqlx::query(
                        r"
                        insert into support_structure (county_code, name)
                        values ($1, $2)
                        on conflict (county_code) do nothing
                        ",
                    )
                    .bind(county.code.as_str())
                    .bind(evident_core::SupportStructure::default_name(&county.name))
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn list_orgs(&self, level: OrgLevel, within: Option<&OrgCode>) -> Result<Vec<OrgNode>> {
                // Codes nest (0380-0001 starts with 0380, which starts with 03), so a subtree
                // is a code prefix; the nation contains everything.
                let prefix = match within {
                    Some(code) if code.level() != OrgLevel::Nation => format!("{code}%"),
                    _ => "%".to_owned(),
                };
                let rows: Vec<OrgRow> = sqlx::query_as(
                    r"
                    select code, name
                    from org_node
                    where level = $1
                      and code like $2
                    order by code
                    ",
                )
                .bind(level.as_str())
                .bind(prefix)
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter().map(OrgRow::into_node).collect()
            }

            async fn get_org(&self, code: &OrgCode) -> Result<OrgNode> {
                let row: Option<OrgRow> = sqlx::query_as(
                    r"
                    select code, name
                    from org_node
                    where code = $1
                    ",
                )
                .bind(code.as_str())
                .fetch_optional(&self.pool)
                .await?;
                row.ok_or_else(|| StorageError::not_found("organisation", code))?.into_node()
            }

            #[tracing::instrument(skip_all, fields(municipality = %unit.municipality))]
            async fn create_unit(&self, unit: &NewUnit, actor: &Actor) -> Result<Unit> {
                let mut tx = self.begin_write().await?;
                // Taking the number first makes this transaction a writer from its first
                // statement, so concurrent creations queue instead of deadlocking.
                let number: Option<i64> = sqlx::query_scalar(
                    r"
                    insert into unit_counter (municipality_code, last_number)
                    select code, 1
                    from org_node
                    where code = $1
                      and level = 'municipality'
                    on conflict (municipality_code) do update set last_number = unit_counter.last_number + 1
                    returning last_number
                    ",
                )
                .bind(unit.municipality.as_str())
                .fetch_optional(&mut *tx)
                .await?;
                let number = number.ok_or_else(|| StorageError::not_found("municipality", &unit.municipality))?;
                let number = u32::try_from(number).map_err(|_| anyhow::anyhow!("unit number {number} out of range"))?;
                let code = OrgCode::unit(&unit.municipality, number);
                let details = &unit.details;
                sqlx::query(
                    r"
                    insert into org_node (code, name, level, parent_code)
                    values ($1, $2, 'unit', $3)
                    ",
                )
                .bind(code.as_str())
                .bind(details.name.as_str())
                .bind(unit.municipality.as_str())
                .execute(&mut *tx)
                .await?;
                sqlx::query(
                    r"
                    insert into unit (code, municipality_code, provider, operator, area)
                    values ($1, $2, $3, $4, $5)
                    ",
                )
                .bind(code.as_str())
                .bind(unit.municipality.as_str())
                .bind(details.provider.as_str())
                .bind(details.operator.as_ref().map(Name::as_str))
                .bind(details.area.as_str())
                .execute(&mut *tx)
                .await?;
                let event = AuditEvent::new(actor, "unit.create", format!("unit:{code}"), Outcome::Allowed)
                    .with_detail(details.name.as_str());
                self.append_in(&mut tx, &event).await?;
                tx.commit().await?;
                Ok(Unit {
                    code,
                    name: details.name.clone(),
                    municipality: unit.municipality.clone(),
                    provider: details.provider,
                    operator: details.operator.clone(),
                    area: details.area,
                })
            }

            #[tracing::instrument(skip_all, fields(unit = %code))]
            async fn update_unit(&self, code: &OrgCode, update: &UnitUpdate, actor: &Actor) -> Result<Unit> {
                let mut tx = self.begin_write().await?;
                let changed = sqlx::query(
                    r"
                    update unit
                    set provider = $2,
                        operator = $3,
                        area = $4,
                        updated_at = current_timestamp
                    where code = $1
                    ",
                )
                .bind(code.as_str())
                .bind(update.provider.as_str())
                .bind(update.operator.as_ref().map(Name::as_str))
                .bind(update.area.as_str())
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if changed == 0 {
                    return Err(StorageError::not_found("unit", code));
                }
                sqlx::query(
                    r"
                    update org_node
                    set name = $2
                    where code = $1
                    ",
                )
                .bind(code.as_str())
                .bind(update.name.as_str())
                .execute(&mut *tx)
                .await?;
                let event = AuditEvent::new(actor, "unit.update", format!("unit:{code}"), Outcome::Allowed)
                    .with_detail(update.name.as_str());
                self.append_in(&mut tx, &event).await?;
                tx.commit().await?;
                self.get_unit(code).await
            }

            async fn get_unit(&self, code: &OrgCode) -> Result<Unit> {
                let row: Option<UnitRow> = sqlx::query_as(
                    r"
                    select o.code, o.name, u.municipality_code, u.provider, u.operator, u.area
                    from unit u
                    join org_node o on o.code = u.code
                    where u.code = $1
                    ",
                )
                .bind(code.as_str())
                .fetch_optional(&self.pool)
                .await?;
                row.ok_or_else(|| StorageError::not_found("unit", code))?.into_unit()
            }

            async fn list_units(&self, municipality: &OrgCode) -> Result<Vec<Unit>> {
                let rows: Vec<UnitRow> = sqlx::query_as(
                    r"
                    select o.code, o.name, u.municipality_code, u.provider, u.operator, u.area
                    from unit u
                    join org_node o on o.code = u.code
                    where u.municipality_code = $1
                    order by o.code
                    ",
                )
                .bind(municipality.as_str())
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter().map(UnitRow::into_unit).collect()
            }
        }
    };
}

impl_org_store!(SqliteStore);
impl_org_store!(PgStore);
