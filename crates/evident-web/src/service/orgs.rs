//! The organisation registry and the regional support structures, shared by the pages and the
//! API: units are created and edited by those who manage the organisation at or above them,
//! dialog partners by those who manage the county's support structure. Each write is audited
//! by the store.
//!
//! The front ends ask for the right to write before they check the input (a 403 comes before
//! a 422), so the policy's answer is a value — [`ManageUnits`], [`ManageSupport`] — that only
//! the authorising function makes and the writes take: each write is authorised exactly once,
//! and only at the node the answer was given for.

use crate::auth::SignedIn;
use crate::{AppError, AppState};
use evident_core::access::{Action, DataClass};
use evident_core::{DialogPartner, NewDialogPartner, NewUnit, OrgCode, OrgLevel, Unit, UnitUpdate};

/// The reader may manage the organisation at a node (add units under a municipality, edit a
/// unit). Made only by [`authorize_manage_units`].
#[derive(Debug)]
pub struct ManageUnits {
    at: OrgCode,
}

/// The reader may manage a county's support structure. Made only by
/// [`authorize_manage_support`].
#[derive(Debug)]
pub struct ManageSupport {
    county: OrgCode,
}

/// Whether the reader may manage the organisation at `code` (add units under a municipality,
/// edit a unit); a denial is audited and becomes a 403.
///
/// # Errors
/// [`AppError::Forbidden`] when the policy denies it.
pub async fn authorize_manage_units(
    user: &SignedIn,
    code: &OrgCode,
) -> Result<ManageUnits, AppError> {
    let record = match code.level() {
        OrgLevel::Unit => format!("unit:{code}"),
        _ => format!("org:{code}"),
    };
    user.authorize(Action::ManageOrganisation, code, DataClass::Public, &record)
        .await?;
    Ok(ManageUnits { at: code.clone() })
}

/// Creates a unit described by `details` under the municipality `allowed` holds for; Evident
/// assigns its code.
///
/// # Errors
/// Not found when the municipality does not exist.
pub async fn create_unit(
    state: &AppState,
    user: &SignedIn,
    allowed: ManageUnits,
    details: UnitUpdate,
) -> Result<Unit, AppError> {
    let unit = NewUnit {
        municipality: allowed.at,
        details,
    };
    let created = state.store.create_unit(&unit, &user.actor()).await?;
    tracing::info!(unit = %created.code, "unit created");
    Ok(created)
}

/// Replaces what is said about the unit `allowed` holds for.
///
/// # Errors
/// Not found when there is no such unit.
pub async fn update_unit(
    state: &AppState,
    user: &SignedIn,
    allowed: &ManageUnits,
    update: &UnitUpdate,
) -> Result<Unit, AppError> {
    let updated = state
        .store
        .update_unit(&allowed.at, update, &user.actor())
        .await?;
    tracing::info!(unit = %updated.code, "unit updated");
    Ok(updated)
}

/// Whether the reader may manage `county`'s support structure; a denial is audited and becomes
/// a 403.
///
/// # Errors
/// [`AppError::Forbidden`] when the policy denies it.
pub async fn authorize_manage_support(
    user: &SignedIn,
    county: &OrgCode,
) -> Result<ManageSupport, AppError> {
    user.authorize(
        Action::ManageSupportStructure,
        county,
        DataClass::Public,
        &format!("county:{county}"),
    )
    .await?;
    Ok(ManageSupport {
        county: county.clone(),
    })
}

/// Adds `partner` to the support structure of the county `allowed` holds for.
///
/// # Errors
/// Forbidden when the partner belongs to another county.
pub async fn add_dialog_partner(
    state: &AppState,
    user: &SignedIn,
    allowed: &ManageSupport,
    partner: &NewDialogPartner,
) -> Result<DialogPartner, AppError> {
    if partner.county != allowed.county {
        return Err(AppError::Forbidden(format!(
            "the partner belongs to county {}, not {}",
            partner.county, allowed.county
        )));
    }
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
    let allowed = authorize_manage_support(user, county).await?;
    let id = id
        .parse::<i64>()
        .map_err(|_| AppError::NotFound(format!("dialog partner '{id}'")))?;
    state
        .store
        .remove_dialog_partner(&allowed.county, id, &user.actor())
        .await?;
    Ok(())
}
