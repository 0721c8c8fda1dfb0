//! The authorization matrix over every API route: each route is called as a visitor and as a
//! user of every role, and must answer 401, 403 (with an audit entry; 404 for one client's case
//! or record, so that its existence is not revealed) or go through exactly as the table says. A route that the OpenAPI document lists but the table does not fails the
//! test, so no route can be added without deciding who may call it.

use crate::common::{Client, TestApp};
use crate::on_both;
use evident_core::access::Role;
use evident_core::access::audit::Outcome;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// Who may call a route.
#[derive(Debug, Clone, Copy)]
enum Who {
    /// Anyone, signed in or not.
    Public,
    /// Anyone, signed in or not, and the route answers 404 for the matrix's unknown key (a
    /// token is the credential).
    PublicNotFound,
    /// Anyone, signed in or not, and the route answers 422 for the matrix's unknown respondent
    /// code (the code is the credential).
    PublicBadCode,
    /// Any signed-in user.
    AnyRole,
    /// Only these roles (as granted in `grants_of`).
    Only(&'static [Role]),
}

struct Case {
    method: Method,
    /// The path as the OpenAPI document writes it.
    template: &'static str,
    /// The concrete path called.
    path: String,
    body: fn(Role) -> Option<Value>,
    who: Who,
}

const AGREEMENT: &str = include_str!("../../../../data/agreements/agreement-2011.json");
const DISBURSEMENT: &str = include_str!("../../../../data/agreements/disbursement-2011-03-24.json");

/// The roles that make comparison groups: analysts from municipality level up, and admins.
const GROUP_MAKERS: &[Role] = &[
    Role::MunicipalityAnalyst,
    Role::RegionalLeader,
    Role::NationalAnalyst,
    Role::Admin,
];

/// The roles that work with identified client data at their unit.
const UNIT_STAFF: &[Role] = &[Role::Practitioner, Role::UnitManager];

fn no_body(_: Role) -> Option<Value> {
    None
}

/// Where each role is granted in the matrix. Units 0380-0001, 0380-0002 and 1480-0001 exist.
fn granted_on(role: Role) -> &'static str {
    match role {
        Role::Practitioner | Role::UnitManager => "0380-0001",
        Role::MunicipalityAnalyst | Role::Admin => "0380",
        Role::RegionalLeader => "03",
        Role::NationalAnalyst | Role::GrantAdmin | Role::Auditor => "SE",
    }
}

/// The ids the matrix's rows refer to, made by the setup.
#[derive(Debug, Clone, Copy, Default)]
struct Ids {
    target_user: i64,
    holder: i64,
    case: i64,
    sibling_case: i64,
    need: i64,
    goal: i64,
    /// A comparison group made by the setup (no user), so only an admin may remove it.
    group: i64,
    /// The client of `case`.
    client: i64,
    /// A survey publication at the sibling unit 0380-0002.
    publication: i64,
}

fn cases(ids: Ids) -> Vec<Case> {
    let Ids {
        target_user,
        holder,
        case: own,
        sibling_case,
        need,
        goal,
        group,
        client,
        publication,
    } = ids;
    use Who::*;
    let case = |method: Method,
                template: &'static str,
                path: &str,
                body: fn(Role) -> Option<Value>,
                who: Who| Case {
        method,
        template,
        path: path.to_owned(),
        body,
        who,
    };
    vec![
        case(
            Method::GET,
            "/api/v1/health",
            "/api/v1/health",
            no_body,
            Public,
        ),
        case(
            Method::GET,
            "/api/v1/openapi.json",
            "/api/v1/openapi.json",
            no_body,
            Public,
        ),
        case(
            Method::GET,
            "/api/v1/orgs",
            "/api/v1/orgs?level=county",
            no_body,
            AnyRole,
        ),
        case(
            Method::GET,
            "/api/v1/orgs/{code}",
            "/api/v1/orgs/0380-0001",
            no_body,
            AnyRole,
        ),
        case(
            Method::POST,
            "/api/v1/units",
            "/api/v1/units",
            |_| {
                Some(
                    json!({"municipality": "0380", "name": "Ny", "provider": "public", "area": "other"}),
                )
            },
            Only(&[Role::Admin]),
        ),
        case(
            Method::POST,
            "/api/v1/units",
            "/api/v1/units",
            |_| {
                Some(
                    json!({"municipality": "1480", "name": "Ny", "provider": "public", "area": "other"}),
                )
            },
            Only(&[]),
        ),
        case(
            Method::GET,
            "/api/v1/units/{code}",
            "/api/v1/units/0380-0001",
            no_body,
            AnyRole,
        ),
        case(
            Method::PUT,
            "/api/v1/units/{code}",
            "/api/v1/units/0380-0001",
            |_| Some(json!({"name": "Ändrad", "provider": "public", "area": "other"})),
            Only(&[Role::Admin]),
        ),
        case(
            Method::PUT,
            "/api/v1/units/{code}",
            "/api/v1/units/1480-0001",
            |_| Some(json!({"name": "Ändrad", "provider": "public", "area": "other"})),
            Only(&[]),
        ),
        case(
            Method::GET,
            "/api/v1/counties/{code}/support-structure",
            "/api/v1/counties/03/support-structure",
            no_body,
            AnyRole,
        ),
        case(
            Method::POST,
            "/api/v1/counties/{code}/support-structure/partners",
            "/api/v1/counties/03/support-structure/partners",
            |_| Some(json!({"name": "A B", "role": "R", "email": "a@b.example"})),
            Only(&[Role::RegionalLeader]),
        ),
        case(
            Method::POST,
            "/api/v1/counties/{code}/support-structure/partners",
            "/api/v1/counties/14/support-structure/partners",
            |_| Some(json!({"name": "A B", "role": "R", "email": "a@b.example"})),
            Only(&[]),
        ),
        case(
            Method::DELETE,
            "/api/v1/counties/{code}/support-structure/partners/{id}",
            "/api/v1/counties/03/support-structure/partners/999",
            no_body,
            Only(&[Role::RegionalLeader]),
        ),
        case(Method::GET, "/api/v1/me", "/api/v1/me", no_body, AnyRole),
        case(
            Method::GET,
            "/api/v1/tokens",
            "/api/v1/tokens",
            no_body,
            AnyRole,
        ),
        // No token may make tokens, whatever its roles: only a browser session may, with the
        // password again (tests/http/sessions.rs).
        case(
            Method::POST,
            "/api/v1/tokens",
            "/api/v1/tokens",
            |_| Some(json!({"label": "matrix", "password": crate::common::PASSWORD})),
            Only(&[]),
        ),
        case(
            Method::DELETE,
            "/api/v1/tokens/{id}",
            "/api/v1/tokens/999",
            no_body,
            AnyRole,
        ),
        case(
            Method::POST,
            "/api/v1/sessions/end-others",
            "/api/v1/sessions/end-others",
            no_body,
            AnyRole,
        ),
        case(
            Method::GET,
            "/api/v1/users",
            "/api/v1/users",
            no_body,
            Only(&[Role::Admin, Role::UnitManager]),
        ),
        case(
            Method::POST,
            "/api/v1/users",
            "/api/v1/users",
            |role| {
                Some(
                    json!({"email": format!("new.{}@test.example", role.as_str()), "name": "Ny", "role": "practitioner", "org": "0380-0001"}),
                )
            },
            Only(&[Role::Admin, Role::UnitManager]),
        ),
        case(
            Method::POST,
            "/api/v1/users",
            "/api/v1/users",
            |role| {
                Some(
                    json!({"email": format!("far.{}@test.example", role.as_str()), "name": "Ny", "role": "practitioner", "org": "1480-0001"}),
                )
            },
            Only(&[]),
        ),
        case(
            Method::POST,
            "/api/v1/users/{id}/grants",
            &format!("/api/v1/users/{target_user}/grants"),
            |_| Some(json!({"role": "practitioner", "org": "0380-0002"})),
            Only(&[Role::Admin]),
        ),
        case(
            Method::DELETE,
            "/api/v1/users/{id}/grants/{role}/{org}",
            &format!("/api/v1/users/{holder}/grants/practitioner/0380-0001"),
            no_body,
            Only(&[Role::Admin, Role::UnitManager]),
        ),
        case(
            Method::POST,
            "/api/v1/users/{id}/disable",
            &format!("/api/v1/users/{target_user}/disable"),
            no_body,
            Only(&[Role::Admin]),
        ),
        case(
            Method::POST,
            "/api/v1/users/{id}/enable",
            &format!("/api/v1/users/{target_user}/enable"),
            no_body,
            Only(&[Role::Admin]),
        ),
        case(
            Method::GET,
            "/api/v1/grant-requests",
            "/api/v1/grant-requests",
            no_body,
            Only(&[Role::Admin, Role::UnitManager]),
        ),
        case(
            Method::POST,
            "/api/v1/grant-requests/{id}/approve",
            "/api/v1/grant-requests/999/approve",
            no_body,
            Only(&[Role::Admin, Role::UnitManager]),
        ),
        case(
            Method::POST,
            "/api/v1/grant-requests/{id}/reject",
            "/api/v1/grant-requests/999/reject",
            no_body,
            Only(&[Role::Admin, Role::UnitManager]),
        ),
        case(
            Method::GET,
            "/api/v1/audit",
            "/api/v1/audit",
            no_body,
            Only(&[Role::Auditor]),
        ),
        case(
            Method::GET,
            "/api/v1/audit/verify",
            "/api/v1/audit/verify",
            no_body,
            Only(&[Role::Auditor]),
        ),
        case(
            Method::GET,
            "/api/v1/audit/follow-up",
            "/api/v1/audit/follow-up?kind=denied",
            no_body,
            Only(&[Role::Auditor]),
        ),
        case(
            Method::POST,
            "/api/v1/units/{code}/cases",
            "/api/v1/units/0380-0001/cases",
            |_| Some(json!({"personal_number": "19121212-1212"})),
            Only(UNIT_STAFF),
        ),
        case(
            Method::POST,
            "/api/v1/units/{code}/cases",
            "/api/v1/units/1480-0001/cases",
            |_| Some(json!({"personal_number": "19121212-1212"})),
            Only(&[]),
        ),
        case(
            Method::GET,
            "/api/v1/units/{code}/cases",
            "/api/v1/units/0380-0001/cases",
            no_body,
            Only(UNIT_STAFF),
        ),
        case(
            Method::GET,
            "/api/v1/units/{code}/cases",
            &format!("/api/v1/units/0380-0001/cases?limit=1&after={own}"),
            no_body,
            Only(UNIT_STAFF),
        ),
        case(
            Method::GET,
            "/api/v1/cases/{id}",
            &format!("/api/v1/cases/{own}"),
            no_body,
            Only(UNIT_STAFF),
        ),
        case(
            Method::GET,
            "/api/v1/cases/{id}",
            &format!("/api/v1/cases/{sibling_case}"),
            no_body,
            Only(&[]),
        ),
        case(
            Method::POST,
            "/api/v1/cases/{id}/interventions",
            &format!("/api/v1/cases/{own}/interventions"),
            |_| {
                Some(
                    json!({"intervention_type": "oppenvard_missbruk", "legal_basis": "SoL", "provider": "0380-0001"}),
                )
            },
            Only(UNIT_STAFF),
        ),
        case(
            Method::POST,
            "/api/v1/cases/{id}/interventions",
            &format!("/api/v1/cases/{sibling_case}/interventions"),
            |_| {
                Some(
                    json!({"intervention_type": "oppenvard_missbruk", "legal_basis": "SoL", "provider": "0380-0001"}),
                )
            },
            Only(&[]),
        ),
        case(
            Method::POST,
            "/api/v1/cases/{id}/needs",
            &format!("/api/v1/cases/{own}/needs"),
            |_| Some(json!({"life_area": "housing", "description": "Bostad"})),
            Only(UNIT_STAFF),
        ),
        case(
            Method::POST,
            "/api/v1/cases/{id}/needs/{need}/goals",
            &format!("/api/v1/cases/{own}/needs/{need}/goals"),
            |_| Some(json!({"description": "Mål"})),
            Only(UNIT_STAFF),
        ),
        case(
            Method::PUT,
            "/api/v1/cases/{id}/goals/{goal}",
            &format!("/api/v1/cases/{own}/goals/{goal}"),
            |_| Some(json!({"outcome": "achieved"})),
            Only(UNIT_STAFF),
        ),
        case(
            Method::POST,
            "/api/v1/cases/{id}/measurements",
            &format!("/api/v1/cases/{own}/measurements"),
            |_| {
                Some(
                    json!({"instrument": "toy", "time_point": "baseline", "respondent": "client", "answers": {"1": "2", "2": "1", "3": "3"}}),
                )
            },
            Only(UNIT_STAFF),
        ),
        case(
            Method::GET,
            "/api/v1/units/{code}/follow-up",
            "/api/v1/units/0380-0001/follow-up",
            no_body,
            Only(&[
                Role::Practitioner,
                Role::UnitManager,
                Role::MunicipalityAnalyst,
            ]),
        ),
        case(
            Method::POST,
            "/api/v1/cases/{id}/close",
            &format!("/api/v1/cases/{sibling_case}/close"),
            |_| Some(json!({"closed_on": "2026-06-01"})),
            Only(&[]),
        ),
        case(
            Method::GET,
            "/api/v1/units/{code}/measurements",
            "/api/v1/units/0380-0001/measurements?format=fhir",
            no_body,
            Only(UNIT_STAFF),
        ),
        case(
            Method::GET,
            "/api/v1/instruments",
            "/api/v1/instruments",
            no_body,
            AnyRole,
        ),
        case(
            Method::POST,
            "/api/v1/instruments",
            "/api/v1/instruments",
            |_| Some(json!({"resourceType": "Questionnaire"})),
            Only(&[]),
        ),
        case(
            Method::GET,
            "/api/v1/instruments/{id}",
            "/api/v1/instruments/toy",
            no_body,
            AnyRole,
        ),
        case(
            Method::GET,
            "/api/v1/interventions",
            "/api/v1/interventions",
            no_body,
            AnyRole,
        ),
        case(
            Method::POST,
            "/api/v1/cases/{id}/close",
            &format!("/api/v1/cases/{own}/close"),
            |_| Some(json!({"closed_on": "2026-06-01"})),
            Only(UNIT_STAFF),
        ),
        case(
            Method::POST,
            "/api/v1/cases/{id}/self-report-links",
            &format!("/api/v1/cases/{own}/self-report-links"),
            |_| Some(json!({"instrument": "toy", "time_point": "baseline"})),
            Only(UNIT_STAFF),
        ),
        case(
            Method::GET,
            "/api/v1/cases/{id}/self-report-links",
            &format!("/api/v1/cases/{own}/self-report-links"),
            no_body,
            Only(UNIT_STAFF),
        ),
        case(
            Method::POST,
            "/api/v1/cases/{id}/self-report-links/{link}/revoke",
            &format!("/api/v1/cases/{sibling_case}/self-report-links/1/revoke"),
            no_body,
            Only(&[]),
        ),
        case(
            Method::GET,
            "/api/v1/clients/{id}/record",
            &format!("/api/v1/clients/{client}/record"),
            no_body,
            Only(UNIT_STAFF),
        ),
        // The token is the credential: anyone holding it may answer; an unknown one is a 404.
        case(
            Method::GET,
            "/api/v1/self-report/{token}",
            "/api/v1/self-report/sr_unknown",
            no_body,
            PublicNotFound,
        ),
        case(
            Method::POST,
            "/api/v1/self-report/{token}",
            "/api/v1/self-report/sr_unknown",
            |_| Some(json!({"answers": {}})),
            PublicNotFound,
        ),
        // Client surveys: unit staff publish, list and close at their own unit; a unit's results
        // are aggregate data of it; the respondent's token is the credential.
        case(
            Method::POST,
            "/api/v1/units/{code}/survey-publications",
            "/api/v1/units/0380-0001/survey-publications",
            |_| Some(json!({"survey": "brukarundersokning-2026", "period": "2026"})),
            Only(UNIT_STAFF),
        ),
        case(
            Method::GET,
            "/api/v1/units/{code}/survey-publications",
            "/api/v1/units/0380-0001/survey-publications",
            no_body,
            Only(UNIT_STAFF),
        ),
        case(
            Method::POST,
            "/api/v1/survey-publications/{id}/close",
            &format!("/api/v1/survey-publications/{publication}/close"),
            no_body,
            Only(&[]),
        ),
        case(
            Method::POST,
            "/api/v1/survey-publications/{id}/codes",
            &format!("/api/v1/survey-publications/{publication}/codes"),
            |_| Some(json!({"count": 2})),
            Only(&[]),
        ),
        case(
            Method::GET,
            "/api/v1/surveys/{id}/results",
            "/api/v1/surveys/brukarundersokning-2026/results?period=2026&node=0380-0001",
            no_body,
            Only(&[
                Role::Practitioner,
                Role::UnitManager,
                Role::MunicipalityAnalyst,
                Role::RegionalLeader,
                Role::NationalAnalyst,
                Role::GrantAdmin,
            ]),
        ),
        case(
            Method::GET,
            "/api/v1/q/{token}",
            "/api/v1/q/q_unknown",
            no_body,
            PublicNotFound,
        ),
        case(
            Method::POST,
            "/api/v1/q/{token}",
            "/api/v1/q/q_unknown",
            |_| Some(json!({"answers": {}})),
            PublicNotFound,
        ),
        case(
            Method::POST,
            "/api/v1/q",
            "/api/v1/q",
            |_| Some(json!({"answers": {}, "code": "00000-00000"})),
            PublicBadCode,
        ),
        case(
            Method::POST,
            "/api/v1/q/questions",
            "/api/v1/q/questions",
            |_| Some(json!({"code": "00000-00000"})),
            PublicBadCode,
        ),
        case(Method::GET, "/api/v1/kpi", "/api/v1/kpi", no_body, Public),
        case(
            Method::GET,
            "/api/v1/kpi/{id}",
            "/api/v1/kpi/EVI001,EVI003",
            no_body,
            Public,
        ),
        case(
            Method::GET,
            "/api/v1/data/kpi/{id}/municipality/{municipality}/year/{year}",
            "/api/v1/data/kpi/EVI001/municipality/SE,03,0380/year/2026",
            no_body,
            Public,
        ),
        case(
            Method::GET,
            "/api/v1/data/kpi/{id}/year/{year}",
            "/api/v1/data/kpi/EVI001/year/2026,2026Q1",
            no_body,
            Public,
        ),
        case(
            Method::GET,
            "/api/v1/oudata/kpi/{id}/ou/{ou}/year/{year}",
            "/api/v1/oudata/kpi/EVI001/ou/0380-0001/year/2026",
            no_body,
            Only(&[
                Role::Practitioner,
                Role::UnitManager,
                Role::MunicipalityAnalyst,
                Role::RegionalLeader,
                Role::NationalAnalyst,
                Role::GrantAdmin,
            ]),
        ),
        case(
            Method::GET,
            "/api/v1/oudata/kpi/{id}/ou/{ou}/year/{year}",
            "/api/v1/oudata/kpi/EVI001/ou/1480-0001/year/2026",
            no_body,
            Only(&[Role::NationalAnalyst, Role::GrantAdmin]),
        ),
        case(
            Method::GET,
            "/api/v1/comparison-groups",
            "/api/v1/comparison-groups",
            no_body,
            Public,
        ),
        case(
            Method::POST,
            "/api/v1/comparison-groups",
            "/api/v1/comparison-groups",
            |role| {
                Some(
                    json!({"name": format!("Grupp {}", role.as_str()), "members": ["0180", "1480"]}),
                )
            },
            Only(GROUP_MAKERS),
        ),
        case(
            Method::GET,
            "/api/v1/agreements",
            "/api/v1/agreements",
            no_body,
            AnyRole,
        ),
        case(
            Method::POST,
            "/api/v1/agreements",
            "/api/v1/agreements",
            |role| {
                let mut document: Value = serde_json::from_str(AGREEMENT).unwrap();
                document["id"] = json!(format!("matrix-{}", role.as_str()));
                Some(json!({"reason": "matrix", "document": document}))
            },
            Only(&[Role::GrantAdmin]),
        ),
        case(
            Method::GET,
            "/api/v1/agreements/{id}",
            "/api/v1/agreements/ebp-2011",
            no_body,
            AnyRole,
        ),
        case(
            Method::GET,
            "/api/v1/agreements/{id}/document",
            "/api/v1/agreements/ebp-2011/document",
            no_body,
            AnyRole,
        ),
        case(
            Method::POST,
            "/api/v1/disbursements",
            "/api/v1/disbursements",
            |_| {
                let document: Value = serde_json::from_str(DISBURSEMENT).unwrap();
                Some(json!({"reason": "matrix", "document": document}))
            },
            Only(&[Role::GrantAdmin]),
        ),
        case(
            Method::POST,
            "/api/v1/agreements/{id}/events",
            "/api/v1/agreements/ebp-2011/events",
            |_| {
                Some(json!({
                    "kind": "report",
                    "target": "report:S2011/986/FST-2011-03-24:1",
                    "occurred_on": "2011-11-30",
                    "reason": "submitted"
                }))
            },
            Only(&[Role::GrantAdmin]),
        ),
        case(
            Method::GET,
            "/api/v1/grant-calendar",
            "/api/v1/grant-calendar",
            no_body,
            AnyRole,
        ),
        case(
            Method::GET,
            "/api/v1/performance-grants/{id}",
            "/api/v1/performance-grants/none",
            no_body,
            AnyRole,
        ),
        case(
            Method::GET,
            "/api/v1/counties/{code}/tapering",
            "/api/v1/counties/03/tapering",
            no_body,
            AnyRole,
        ),
        // The admin comes last in Role::ALL, so the others find the group still there.
        case(
            Method::DELETE,
            "/api/v1/comparison-groups/{id}",
            &format!("/api/v1/comparison-groups/{group}"),
            no_body,
            Only(&[Role::Admin]),
        ),
        // Unit staff get through to the lookup (case 0 does not exist: 404); anyone else is
        // refused, audited.
        case(
            Method::POST,
            "/api/v1/break-glass",
            "/api/v1/break-glass",
            |_| Some(json!({"case_id": 0, "reason": "Akut, behöver se insatserna"})),
            Only(UNIT_STAFF),
        ),
    ]
}

#[test]
fn every_route_in_the_openapi_document_has_a_row_in_the_matrix() {
    let document = serde_json::to_value(evident_web::api::openapi()).unwrap();
    let mut documented = BTreeSet::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            documented.insert((method.to_uppercase(), path.clone()));
        }
    }
    let covered: BTreeSet<_> = cases(Ids::default())
        .into_iter()
        .map(|c| (c.method.to_string(), c.template.to_owned()))
        .collect();
    let missing: Vec<_> = documented.difference(&covered).collect();
    assert!(
        missing.is_empty(),
        "routes without an authorization matrix row: {missing:?}"
    );
    let stale: Vec<_> = covered.difference(&documented).collect();
    assert!(
        stale.is_empty(),
        "matrix rows for routes that do not exist: {stale:?}"
    );
}

on_both!(every_role_gets_exactly_the_access_the_matrix_gives_on_every_route);

async fn every_role_gets_exactly_the_access_the_matrix_gives_on_every_route(app: &TestApp) {
    for (municipality, name) in [
        ("0380", "Enhet A"),
        ("0380", "Enhet B"),
        ("1480", "Enhet C"),
    ] {
        app.unit(municipality, name).await;
    }
    let target = app.create_user(&[]).await;
    let holder = app.create_user(&[(Role::Practitioner, "0380-0001")]).await;
    app.toy_instrument().await;
    let own = app.case("0380-0001", "811218-9876").await;
    let sibling_case = app.case("0380-0002", "121212-1212").await;
    let setup = evident_store::testing::setup_actor();
    let need = app
        .store
        .add_need(
            own,
            evident_core::followup::LifeArea::Housing,
            "Bostad",
            &setup,
        )
        .await
        .unwrap();
    let goal = app.store.add_goal(need, "Mål", &setup).await.unwrap();
    let group = app
        .store
        .create_comparison_group(
            &evident_core::indicator::group::NewComparisonGroup::parse("Matris", "0380,1480")
                .unwrap(),
            &setup,
        )
        .await
        .unwrap()
        .id;
    app.seed().agreements_2011("matrix").await;
    let ids = Ids {
        target_user: target.id,
        holder: holder.id,
        case: own,
        sibling_case,
        need,
        goal,
        group,
        client: app.store.get_case(own).await.unwrap().client_id,
        publication: app
            .store
            .create_survey_publication(
                &evident_store::NewSurveyPublication {
                    survey: ("brukarundersokning-2026".into(), "1".into()),
                    unit: evident_core::OrgCode::parse("0380-0002").unwrap(),
                    period: evident_core::participation::survey::SurveyPeriod::parse("2026")
                        .unwrap(),
                    integrity: evident_core::participation::survey::IntegrityMode::Codes,
                },
                "matrix-digest",
                0,
                &setup,
            )
            .await
            .unwrap()
            .id,
    };
    let mut clients: Vec<(Option<Role>, Client)> = vec![(None, app.anonymous())];
    for role in Role::ALL {
        clients.push((Some(role), app.api_as(role, granted_on(role)).await));
    }

    let mut checked = 0;
    for case in cases(ids) {
        for (role, client) in &mut clients {
            let denied_before = count_denied(app).await;
            let body = role
                .and_then(|r| (case.body)(r))
                .or_else(|| (case.body)(Role::Practitioner));
            let reply = match body {
                Some(body) => client.json(case.method.clone(), &case.path, body).await,
                None => client.send(case.method.clone(), &case.path, |r| r).await,
            };
            let label = format!(
                "{} {} as {:?}: {} {}",
                case.method, case.path, role, reply.status, reply.body
            );
            match (case.who, *role) {
                (Who::Public, _) => assert!(reply.status.is_success(), "{label}"),
                (Who::PublicNotFound, _) => {
                    assert_eq!(reply.status, StatusCode::NOT_FOUND, "{label}")
                }
                (Who::PublicBadCode, _) => {
                    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{label}");
                    assert!(reply.body.contains("code"), "{label}");
                }
                (_, None) => assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{label}"),
                (Who::AnyRole, Some(_)) => assert_allowed(&reply.status, &label),
                (Who::Only(roles), Some(role)) if roles.contains(&role) => {
                    assert_allowed(&reply.status, &label)
                }
                (Who::Only(_), Some(_)) if names_one_clients_record(case.template) => {
                    // Outside the caller's scope a client's record does not exist for them:
                    // the same 404 as an unknown id, nothing about where it is.
                    assert_eq!(reply.status, StatusCode::NOT_FOUND, "{label}");
                    assert_eq!(reply.json()["error"], "not_found", "{label}");
                    assert!(!reply.body.contains("0380"), "no unit named: {label}");
                    assert_eq!(
                        count_denied(app).await,
                        denied_before + 1,
                        "the denial is audited: {label}"
                    );
                }
                (Who::Only(_), Some(_)) => {
                    assert_eq!(reply.status, StatusCode::FORBIDDEN, "{label}");
                    assert_eq!(reply.json()["error"], "forbidden", "{label}");
                    assert_eq!(
                        count_denied(app).await,
                        denied_before + 1,
                        "the denial is audited: {label}"
                    );
                }
            }
            checked += 1;
        }
    }
    assert_eq!(checked, cases(ids).len() * 9);
}

/// Routes on one case or one client, whose denials answer 404.
fn names_one_clients_record(template: &str) -> bool {
    template.starts_with("/api/v1/cases/{id}") || template.starts_with("/api/v1/clients/{id}")
}

fn assert_allowed(status: &StatusCode, label: &str) {
    assert!(
        *status != StatusCode::UNAUTHORIZED
            && *status != StatusCode::FORBIDDEN
            && !status.is_server_error(),
        "expected to be let through: {label}"
    );
}

async fn count_denied(app: &TestApp) -> usize {
    app.store
        .audit_entries()
        .await
        .unwrap()
        .iter()
        .filter(|e| e.event.outcome == Outcome::Denied)
        .count()
}
