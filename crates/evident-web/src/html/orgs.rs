//! The organisation browser: nation → county → municipality → unit, with the forms that add
//! and edit units (on municipality and unit pages) and dialog partners (on county pages).
//!
//! A form that fails validation is shown again, filled in as it was sent, with the problem
//! named above it (status 422); a form that succeeds redirects (303) so a reload never sends
//! it twice.

use crate::auth::SignedIn;
use crate::error::code_in_path;
use crate::html::{Chrome, render};
use crate::i18n::Texts;
use crate::service::orgs;
use crate::{AppError, AppState};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use evident_core::access::{Action, DataClass, decide};
use evident_core::{
    DomainError, NewDialogPartner, OrgCode, OrgLevel, OrgNode, Provider, SupportStructure, Unit,
    UnitArea, UnitUpdate,
};
use serde::Deserialize;

/// The organisation browser's routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/orgs", get(show_nation))
        .route("/orgs/{code}", get(show_node).post(update_unit))
        .route("/orgs/{code}/units", post(create_unit))
        .route("/orgs/{code}/partners", post(add_partner))
        .route("/orgs/{code}/partners/{id}/remove", post(remove_partner))
}

/// One choice in a `<select>`.
#[derive(Debug, Clone)]
pub struct SelectOption {
    /// The submitted value.
    pub value: &'static str,
    /// What the reader sees.
    pub label: &'static str,
    /// Whether it is the current choice.
    pub selected: bool,
}

/// A unit as a row of the municipality's table, with its texts resolved.
#[derive(Debug, Clone)]
pub struct UnitRow {
    /// The unit's code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// "Kommunal regi" / "Privat utförare".
    pub provider: &'static str,
    /// Whether it is a private provider.
    pub private: bool,
    /// The private operator, or empty.
    pub operator: String,
    /// The area's name.
    pub area: &'static str,
}

impl UnitRow {
    fn new(unit: &Unit, t: &Texts) -> Self {
        Self {
            code: unit.code.to_string(),
            name: unit.name.to_string(),
            provider: t.provider_kind(unit.provider),
            private: unit.provider == Provider::Private,
            operator: unit
                .operator
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
            area: t.area_name(unit.area),
        }
    }
}

/// The fields of the unit form, as typed (so a rejected form comes back as it was sent).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct UnitForm {
    /// The unit's name.
    pub name: String,
    /// `public` or `private`.
    pub provider: String,
    /// The private operator.
    pub operator: String,
    /// The area.
    pub area: String,
}

impl UnitForm {
    fn of(unit: &Unit) -> Self {
        Self {
            name: unit.name.to_string(),
            provider: unit.provider.as_str().to_owned(),
            operator: unit
                .operator
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
            area: unit.area.as_str().to_owned(),
        }
    }

    fn blank() -> Self {
        Self {
            provider: Provider::Public.as_str().to_owned(),
            area: UnitArea::ElderlyCare.as_str().to_owned(),
            ..Self::default()
        }
    }

    fn validate(&self) -> Result<UnitUpdate, DomainError> {
        UnitUpdate::parse(&self.name, &self.provider, Some(&self.operator), &self.area)
    }

    /// The provider choices, the current one selected.
    pub fn providers(&self, t: &Texts) -> Vec<SelectOption> {
        [Provider::Public, Provider::Private]
            .into_iter()
            .map(|p| SelectOption {
                value: p.as_str(),
                label: t.provider_kind(p),
                selected: self.provider == p.as_str(),
            })
            .collect()
    }

    /// The area choices, the current one selected.
    pub fn areas(&self, t: &Texts) -> Vec<SelectOption> {
        UnitArea::ALL
            .into_iter()
            .map(|a| SelectOption {
                value: a.as_str(),
                label: t.area_name(a),
                selected: self.area == a.as_str(),
            })
            .collect()
    }
}

/// The fields of the dialog partner form, as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PartnerForm {
    /// The person's name.
    pub name: String,
    /// Their role.
    pub role: String,
    /// Their e-mail address.
    pub email: String,
}

/// The nation: the list of counties.
#[derive(Template)]
#[template(path = "orgs/nation.html")]
pub struct NationPage {
    /// The frame.
    pub chrome: Chrome,
    /// The nation.
    pub nation: OrgNode,
    /// Its counties.
    pub counties: Vec<OrgNode>,
}

/// A county: its municipalities and its support structure.
#[derive(Template)]
#[template(path = "orgs/county.html")]
pub struct CountyPage {
    /// The frame.
    pub chrome: Chrome,
    /// The nodes above the county.
    pub trail: Vec<OrgNode>,
    /// The county.
    pub county: OrgNode,
    /// Its municipalities.
    pub municipalities: Vec<OrgNode>,
    /// Its support structure.
    pub support: SupportStructure,
    /// Whether the reader may edit the support structure.
    pub can_edit: bool,
    /// The dialog partner form.
    pub form: PartnerForm,
    /// Why the form was rejected, if it was.
    pub form_error: Option<String>,
}

/// A municipality: its units and the form to add one.
#[derive(Template)]
#[template(path = "orgs/municipality.html")]
pub struct MunicipalityPage {
    /// The frame.
    pub chrome: Chrome,
    /// The nodes above the municipality.
    pub trail: Vec<OrgNode>,
    /// The municipality.
    pub municipality: OrgNode,
    /// Its units.
    pub units: Vec<UnitRow>,
    /// How many of them are private providers.
    pub private_count: usize,
    /// Whether the reader may add units.
    pub can_edit: bool,
    /// The new unit form.
    pub form: UnitForm,
    /// Why the form was rejected, if it was.
    pub form_error: Option<String>,
}

/// A unit: its details and the form to edit them.
#[derive(Template)]
#[template(path = "orgs/unit.html")]
pub struct UnitPage {
    /// The frame.
    pub chrome: Chrome,
    /// The nodes above the unit.
    pub trail: Vec<OrgNode>,
    /// The unit.
    pub unit: UnitRow,
    /// The name of the municipality (the purchaser, for a private provider).
    pub municipality_name: String,
    /// Whether the reader may edit the unit.
    pub can_edit: bool,
    /// Whether the reader may see the unit's cases (identified data).
    pub can_see_cases: bool,
    /// Whether the reader may see the unit's follow-up table (pseudonymous data).
    pub can_see_follow_up: bool,
    /// The edit form.
    pub form: UnitForm,
    /// Why the form was rejected, if it was.
    pub form_error: Option<String>,
    /// Whether the page follows a successful save.
    pub saved: bool,
}

/// Query of a node page.
#[derive(Debug, Default, Deserialize)]
pub struct NodeParams {
    /// Set after a successful save, to confirm it.
    pub saved: Option<String>,
}

async fn show_nation(
    State(state): State<AppState>,
    user: SignedIn,
    chrome: Chrome,
) -> Result<Response, AppError> {
    user.authorize(
        Action::Read,
        &OrgCode::nation(),
        DataClass::Public,
        "org:SE",
    )
    .await?;
    let nation = state.store.get_org(&OrgCode::nation()).await?;
    let counties = state.store.list_orgs(OrgLevel::County, None).await?;
    Ok(render(&NationPage {
        chrome,
        nation,
        counties,
    })?
    .into_response())
}

async fn show_node(
    State(state): State<AppState>,
    user: SignedIn,
    chrome: Chrome,
    Path(code): Path<String>,
    Query(params): Query<NodeParams>,
) -> Result<Response, AppError> {
    let code = code_in_path(&code)?;
    user.authorize(
        Action::Read,
        &code,
        DataClass::Public,
        &format!("org:{code}"),
    )
    .await?;
    let saved = params.saved.is_some();
    match code.level() {
        OrgLevel::Nation => Ok(Redirect::to("/orgs").into_response()),
        OrgLevel::County => {
            county_page(&state, &user, chrome, &code, PartnerForm::default(), None).await
        }
        OrgLevel::Municipality => {
            municipality_page(&state, &user, chrome, &code, UnitForm::blank(), None).await
        }
        OrgLevel::Unit => unit_page(&state, &user, chrome, &code, None, None, saved).await,
    }
}

async fn trail(state: &AppState, code: &OrgCode) -> Result<Vec<OrgNode>, AppError> {
    let mut nodes = Vec::new();
    for ancestor in code.lineage().iter().filter(|c| *c != code) {
        nodes.push(state.store.get_org(ancestor).await?);
    }
    Ok(nodes)
}

/// The status of a page: 200, or 422 when it shows a rejected form.
fn status_for(form_error: &Option<String>) -> StatusCode {
    if form_error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    }
}

async fn county_page(
    state: &AppState,
    user: &SignedIn,
    chrome: Chrome,
    code: &OrgCode,
    form: PartnerForm,
    form_error: Option<String>,
) -> Result<Response, AppError> {
    let county = state.store.get_org(code).await?;
    let page = CountyPage {
        chrome,
        trail: trail(state, code).await?,
        municipalities: state
            .store
            .list_orgs(OrgLevel::Municipality, Some(code))
            .await?,
        support: state.store.get_support_structure(code).await?,
        can_edit: may(user, Action::ManageSupportStructure, code),
        county,
        form,
        form_error,
    };
    Ok((status_for(&page.form_error), render(&page)?).into_response())
}

async fn municipality_page(
    state: &AppState,
    user: &SignedIn,
    chrome: Chrome,
    code: &OrgCode,
    form: UnitForm,
    form_error: Option<String>,
) -> Result<Response, AppError> {
    let municipality = state.store.get_org(code).await?;
    let units = state.store.list_units(code).await?;
    let page = MunicipalityPage {
        trail: trail(state, code).await?,
        can_edit: may(user, Action::ManageOrganisation, code),
        private_count: units
            .iter()
            .filter(|u| u.provider == Provider::Private)
            .count(),
        units: units.iter().map(|u| UnitRow::new(u, chrome.t)).collect(),
        chrome,
        municipality,
        form,
        form_error,
    };
    Ok((status_for(&page.form_error), render(&page)?).into_response())
}

async fn unit_page(
    state: &AppState,
    user: &SignedIn,
    chrome: Chrome,
    code: &OrgCode,
    form: Option<UnitForm>,
    form_error: Option<String>,
    saved: bool,
) -> Result<Response, AppError> {
    let unit = state.store.get_unit(code).await?;
    let page = UnitPage {
        trail: trail(state, code).await?,
        municipality_name: state.store.get_org(&unit.municipality).await?.name,
        form: form.unwrap_or_else(|| UnitForm::of(&unit)),
        can_edit: may(user, Action::ManageOrganisation, code),
        can_see_cases: decide(&user.user.grants, Action::Read, code, DataClass::Identified)
            .is_allowed(),
        can_see_follow_up: decide(
            &user.user.grants,
            Action::Read,
            code,
            DataClass::Pseudonymous,
        )
        .is_allowed(),
        unit: UnitRow::new(&unit, chrome.t),
        chrome,
        form_error,
        saved,
    };
    Ok((status_for(&page.form_error), render(&page)?).into_response())
}

async fn create_unit(
    State(state): State<AppState>,
    user: SignedIn,
    chrome: Chrome,
    Path(code): Path<String>,
    Form(form): Form<UnitForm>,
) -> Result<Response, AppError> {
    let municipality = code_in_path(&code)?;
    if municipality.level() != OrgLevel::Municipality {
        return Err(AppError::NotFound(format!("municipality {municipality}")));
    }
    let allowed = orgs::authorize_manage_units(&user, &municipality).await?;
    match form.validate() {
        Ok(details) => {
            let created = orgs::create_unit(&state, &user, allowed, details).await?;
            Ok(Redirect::to(&format!("/orgs/{}?saved=1", created.code)).into_response())
        }
        Err(problem) => {
            municipality_page(
                &state,
                &user,
                chrome,
                &municipality,
                form,
                Some(problem.to_string()),
            )
            .await
        }
    }
}

async fn update_unit(
    State(state): State<AppState>,
    user: SignedIn,
    chrome: Chrome,
    Path(code): Path<String>,
    Form(form): Form<UnitForm>,
) -> Result<Response, AppError> {
    let code = code_in_path(&code)?;
    if code.level() != OrgLevel::Unit {
        return Err(AppError::NotFound(format!("unit {code}")));
    }
    let allowed = orgs::authorize_manage_units(&user, &code).await?;
    match form.validate() {
        Ok(update) => {
            orgs::update_unit(&state, &user, &allowed, &update).await?;
            Ok(Redirect::to(&format!("/orgs/{code}?saved=1")).into_response())
        }
        Err(problem) => {
            unit_page(
                &state,
                &user,
                chrome,
                &code,
                Some(form),
                Some(problem.to_string()),
                false,
            )
            .await
        }
    }
}

async fn add_partner(
    State(state): State<AppState>,
    user: SignedIn,
    chrome: Chrome,
    Path(code): Path<String>,
    Form(form): Form<PartnerForm>,
) -> Result<Response, AppError> {
    let county = code_in_path(&code)?;
    if county.level() != OrgLevel::County {
        return Err(AppError::NotFound(format!("county {county}")));
    }
    let allowed = orgs::authorize_manage_support(&user, &county).await?;
    match NewDialogPartner::parse(county.as_str(), &form.name, &form.role, &form.email) {
        Ok(partner) => {
            orgs::add_dialog_partner(&state, &user, &allowed, &partner).await?;
            Ok(Redirect::to(&format!("/orgs/{county}#partners")).into_response())
        }
        Err(problem) => {
            county_page(
                &state,
                &user,
                chrome,
                &county,
                form,
                Some(problem.to_string()),
            )
            .await
        }
    }
}

async fn remove_partner(
    State(state): State<AppState>,
    user: SignedIn,
    Path((code, id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let county = code_in_path(&code)?;
    orgs::remove_dialog_partner(&state, &user, &county, &id).await?;
    Ok(Redirect::to(&format!("/orgs/{county}#partners")).into_response())
}

/// Whether the reader may do `action` at `code`: decides which forms a page offers. The
/// handler that receives the form asks again with [`SignedIn::authorize`].
fn may(user: &SignedIn, action: Action, code: &OrgCode) -> bool {
    decide(&user.user.grants, action, code, DataClass::Public).is_allowed()
}
