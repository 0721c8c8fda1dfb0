//! The organisation registry and the regional support structures, shared by the pages and the
//! API: units are created and edited by those who manage the organisation at or above them,
//! dialog partners by those who manage the county's support structure. Each write asks the
//! access policy first and is audited by the store.

use crate::auth::SignedIn;
use crate::{AppError, AppState};
use evident_core::access::{Action, DataClass};
use evident_core::{DialogPartner, NewDialogPartner, NewUnit, OrgCode, Unit, UnitUpdate};

/// Whether the reader may manage the organisation at `code` (add units under a municipality,
/// edit a unit); a denial is audited and becomes a 403.
///
/// # Errors
/// [`AppError::Forbidden`] when the policy denies it.
pub async fn authorize_manage_units(user: &SignedIn, code: &OrgCode) -> Result<(), AppError> {
    let record = match code.level() {
        evident_core::OrgLevel::Unit => format!("unit:{code}"),
        _ => format!("org:{code}"),
    };
    user.authorize(Action::ManageOrganisation, code, DataClass::Public, &record)
        .await
}

/// Creates `unit` under its municipality; Evident assigns its code.
///
/// # Errors
/// Forbidden without the right to manage the municipality; not found when the municipality
/// does not exist.
pub async fn create_unit(
    state: &AppState,
    user: &SignedIn,
    unit: &NewUnit,
) -> Result<Unit, AppError> {
    authorize_manage_units(user, &unit.municipality).await?;
    let created = state.store.create_unit(unit, &user.actor()).await?;
    tracing::info!(unit = %created.code, "unit created");
    Ok(created)
}

/// Replaces what is said about the unit `code`.
///
/// # Errors
/// Forbidden without the right to manage the unit; not found when there is no such unit.
pub async fn update_unit(
    state: &AppState,
    user: &SignedIn,
    code: &OrgCode,
    update: &UnitUpdate,
) -> Result<Unit, AppError> {
    authorize_manage_units(user, code).await?;
    let updated = state.store.update_unit(code, update, &user.actor()).await?;
    tracing::info!(unit = %updated.code, "unit updated");
    Ok(updated)
}

/// Whether the reader may manage `county`'s support structure; a denial is audited and becomes
/// a 403.
///
/// # Errors
/// [`AppError::Forbidden`] when the policy denies it.
pub async fn authorize_manage_support(user: &SignedIn, county: &OrgCode) -> Result<(), AppError> {
    user.authorize(
        Action::ManageSupportStructure,
        county,
        DataClass::Public,
        &format!("county:{county}"),
    )
    .await
}

/// Adds `partner` to its county's support structure.
///
/// # Errors
/// Forbidden without the right to manage the county's support structure.
pub async fn add_dialog_partner(
    state: &AppState,
    user: &SignedIn,
    county: &OrgCode,
    partner: &NewDialogPartner,
) -> Result<DialogPartner, AppError> {
    authorize_manage_support(user, county).await?;
    Ok(state
        .store
        .add_dialog_partner(partner, &user.actor())
        .await?)
}

/// Removes the dialog partner `id` (as given in the path) from `county`'s support structure.
///
/// # Errors
/// Forbidden without the right to manage it; not found when the county has no such partner.
pub async fn remove_dialog_partner(
    state: &AppState,
    user: &SignedIn,
    county: &OrgCode,
    id: &str,
) -> Result<(), AppError> {
    authorize_manage_support(user, county).await?;
    let id = id
        .parse::<i64>()
        .map_err(|_| AppError::NotFound(format!("dialog partner '{id}'")))?;
    state
        .store
        .remove_dialog_partner(county, id, &user.actor())
        .await?;
    Ok(())
}
