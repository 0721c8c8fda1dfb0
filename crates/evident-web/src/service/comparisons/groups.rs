//! Comparison groups: who may make and remove them ([`access::decide_comparison_groups`]), for
//! the API and the profile page alike.

use crate::auth::SignedIn;
use crate::{AppError, AppState};
use evident_core::access::{self, Decision};
use evident_core::indicator::group::{ComparisonGroup, NewComparisonGroup};

/// Refuses (audited as `comparison_group.create`) a user who may not make groups.
///
/// # Errors
/// [`AppError::Forbidden`] naming the roles that may.
pub async fn authorize_group_maker(viewer: &SignedIn) -> Result<(), AppError> {
    if let Decision::Deny { roles } = access::decide_comparison_groups(&viewer.user.grants) {
        let names: Vec<_> = roles.iter().map(|r| r.as_str()).collect();
        let what = format!(
            "create comparison groups: this needs the role {}",
            names.join(" or ")
        );
        return Err(viewer
            .refuse("comparison_group.create", "comparison_group", &what)
            .await);
    }
    Ok(())
}

/// Creates a comparison group of municipalities, made by `viewer`.
///
/// # Errors
/// As [`authorize_group_maker`]; [`AppError::Invalid`] for a bad name or member;
/// [`AppError::Conflict`] when a group has the name.
pub async fn create_group(
    state: &AppState,
    viewer: &SignedIn,
    group: &NewComparisonGroup,
) -> Result<ComparisonGroup, AppError> {
    authorize_group_maker(viewer).await?;
    Ok(state
        .store
        .create_comparison_group(group, &viewer.actor())
        .await?)
}

/// Removes the comparison group `id`: its creator (while they still may make groups) or an
/// admin may.
///
/// # Errors
/// [`AppError::NotFound`] for an unknown group; [`AppError::Forbidden`] (audited) otherwise.
pub async fn delete_group(state: &AppState, viewer: &SignedIn, id: i64) -> Result<(), AppError> {
    let group = state.store.get_comparison_group(id).await?;
    if !access::may_delete_comparison_group(&viewer.user.grants, viewer.user.id, group.created_by) {
        return Err(viewer
            .refuse(
                "comparison_group.delete",
                &format!("comparison_group:{id}"),
                "remove this comparison group: only its creator or an admin may",
            )
            .await);
    }
    state
        .store
        .delete_comparison_group(id, &viewer.actor())
        .await?;
    Ok(())
}
