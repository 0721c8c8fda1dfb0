//! Pages in a real browser: Debian's Chromium, driven by `browser/run.mjs` (npm
//! `playwright-core`, `axe-core`) against `evident` serving over real HTTP on a random
//! loopback port. They are ignored by a plain `cargo test`; the README's test command
//! (`scripts/test-all.sh`) installs the prerequisites and runs them. `browser/README.md` says
//! how to install them by hand.
//!
//! Other test modules reuse [`DemoServer`] and [`run_scenario`]: start a demo, then describe the
//! pages to visit and what each must show as JSON steps (the format is at the top of
//! `browser/run.mjs`).

use crate::command;
use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The password of every demo user (`evident demo` prints it too).
pub(crate) const DEMO_PASSWORD: &str = "evident-demo-2026";

/// The browser the scenarios run in: Debian's package, never a downloaded one.
const CHROMIUM: &str = "/usr/bin/chromium";

/// How long one scenario may take before it is stopped and the test fails.
const SCENARIO_TIMEOUT: Duration = Duration::from_secs(300);

/// What to run when a prerequisite is missing.
const INSTALL: &str =
    "scripts/test-all.sh   (as root, from the workspace root: installs them and runs every test)";

/// The workspace root, where `browser/` lives.
pub(crate) fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("crates/evident-cli sits two levels below the workspace root")
        .to_path_buf()
}

/// The workspace's target directory: `CARGO_TARGET_DIR` when set, else the one holding this
/// test binary (`target/debug/deps/it-…`).
fn target_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR") {
        return workspace_root().join(dir);
    }
    let exe = std::env::current_exe().expect("the test binary's path");
    exe.ancestors()
        .nth(3)
        .expect("the test binary sits in target/<profile>/deps")
        .to_path_buf()
}

/// Fails the test, saying what to install, unless Chromium, Node and the npm packages are there.
fn require_prerequisites(root: &Path) {
    let mut missing = Vec::new();
    if !Path::new(CHROMIUM).is_file() {
        missing.push(format!("{CHROMIUM} (Debian's chromium package)"));
    }
    for package in ["playwright-core", "axe-core"] {
        let dir = root.join("browser/node_modules").join(package);
        if !dir.join("package.json").is_file() {
            missing.push(dir.display().to_string());
        }
    }
    let node = Command::new("node").arg("--version").output();
    if !node.is_ok_and(|o| o.status.success()) {
        missing.push("node (Node.js 20 or later) on PATH".to_owned());
    }
    assert!(
        missing.is_empty(),
        "the browser tests need {}.\nInstall them with:\n  {INSTALL}",
        missing.join(", ")
    );
}

/// Runs the browser scenario `steps` against `base` (`http://127.0.0.1:PORT`), signed in as
/// `login` (e-mail, password) or signed out, and fails the test with the driver's report if
/// any step fails. Screenshots and `report.json` go to `target/browser-artifacts/<name>/`.
pub(crate) fn run_scenario(
    base: &str,
    login: Option<(&str, &str)>,
    steps: serde_json::Value,
    name: &str,
) {
    let root = workspace_root();
    require_prerequisites(&root);
    let artifacts = target_dir().join("browser-artifacts").join(name);
    match std::fs::remove_dir_all(&artifacts) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => panic!("cannot clear {}: {e}", artifacts.display()),
    }
    std::fs::create_dir_all(&artifacts)
        .unwrap_or_else(|e| panic!("cannot create {}: {e}", artifacts.display()));
    let scenario = serde_json::json!({
        "base": base,
        "artifacts": artifacts,
        "login": login.map(|(email, password)| serde_json::json!({"email": email, "password": password})),
        "steps": steps,
    });
    let file = tempfile::Builder::new()
        .prefix("evident-scenario-")
        .suffix(".json")
        .tempfile()
        .unwrap();
    std::fs::write(file.path(), serde_json::to_vec_pretty(&scenario).unwrap()).unwrap();

    // The driver's output goes to files, so a long report can never fill a pipe and stall it.
    let stdout_path = artifacts.join("driver-stdout.txt");
    let stderr_path = artifacts.join("driver-stderr.txt");
    let mut child = Command::new("node")
        .arg("browser/run.mjs")
        .arg(file.path())
        .current_dir(&root)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&stdout_path).unwrap())
        .stderr(std::fs::File::create(&stderr_path).unwrap())
        .spawn()
        .expect("starting node browser/run.mjs");
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if started.elapsed() > SCENARIO_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let read = |path: &Path| std::fs::read_to_string(path).unwrap_or_default();
    match status {
        Some(status) if status.success() => print!("{}", read(&stdout_path)),
        Some(status) => panic!(
            "browser scenario {name:?} failed ({status}):\n{}{}",
            read(&stdout_path),
            read(&stderr_path)
        ),
        None => panic!(
            "browser scenario {name:?} took longer than {SCENARIO_TIMEOUT:?} and was stopped:\n{}{}",
            read(&stdout_path),
            read(&stderr_path)
        ),
    }
}

/// `evident demo --serve` on a small synthetic population in a temporary directory, on a
/// random loopback port; stopped (and its directory removed) when dropped.
pub(crate) struct DemoServer {
    child: Child,
    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub(crate) base: String,
    /// Each demo user's e-mail address and the organisation code their role is granted on.
    pub(crate) users: HashMap<String, String>,
    dir: tempfile::TempDir,
}

impl DemoServer {
    /// Creates the demo for `seed` with `clients` synthetic clients and serves it.
    pub(crate) fn start(seed: u64, clients: usize) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let log = std::fs::File::create(dir.path().join("server.log")).unwrap();
        let (seed, clients) = (seed.to_string(), clients.to_string());
        let mut child = command(
            dir.path(),
            &[
                "demo",
                "--seed",
                &seed,
                "--clients",
                &clients,
                "--serve",
                "--addr",
                "127.0.0.1:0",
            ],
        )
        .stdout(Stdio::piped())
        .stderr(log)
        .spawn()
        .expect("starting evident demo --serve");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut users = HashMap::new();
        let mut base = None;
        let mut seen = String::new();
        for line in lines.by_ref() {
            let Ok(line) = line else { break };
            seen.push_str(&line);
            seen.push('\n');
            // "  practitioner@demo.evident.example   practitioner on 0380-0001"
            let words: Vec<&str> = line.split_whitespace().collect();
            if let [email, _role, "on", org] = words[..]
                && email.contains('@')
            {
                users.insert(email.to_owned(), org.to_owned());
            }
            if let Some(rest) = line.split("http://").nth(1) {
                let addr = rest.split('/').next().unwrap_or_default();
                base = Some(format!("http://{addr}"));
                break;
            }
        }
        let mut server = Self {
            child,
            base: String::new(),
            users,
            dir,
        };
        let Some(base) = base else {
            let _ = server.child.kill();
            let _ = server.child.wait();
            panic!(
                "evident demo --serve printed no address.\nstdout:\n{seen}\nstderr:\n{}",
                server.log()
            );
        };
        server.base = base;
        // Keep reading standard output so that the server never writes into a closed pipe.
        std::thread::spawn(move || for _ in lines {});
        server
    }

    /// The organisation code `email`'s role is granted on.
    pub(crate) fn org_of(&self, email: &str) -> &str {
        self.users
            .get(email)
            .unwrap_or_else(|| panic!("no demo user {email}; the demo listed {:?}", self.users))
    }

    /// The demo database's file (the server and a test may use it side by side: SQLite in WAL
    /// mode).
    pub(crate) fn database_file(&self) -> PathBuf {
        self.dir.path().join("evident-demo.db")
    }

    /// What the server has logged so far.
    pub(crate) fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }
}

impl Drop for DemoServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
#[ignore = "needs Chromium, Node.js and browser/node_modules (scripts/test-all.sh)"]
fn demo_pages_render_in_chromium() {
    let server = DemoServer::start(7, 2000);
    let practitioner = "practitioner@demo.evident.example";
    let unit = server.org_of(practitioner).to_owned();
    let municipality = server
        .org_of("municipality.analyst@demo.evident.example")
        .to_owned();
    assert!(
        unit.starts_with(&format!("{municipality}-")),
        "the practitioner's unit {unit} lies in the analyst's municipality {municipality}"
    );

    // Templates: home.html, orgs/municipality.html, orgs/unit.html, cases/unit.html,
    // cases/case.html, cases/follow_up.html; texts in Swedish, the default language.
    run_scenario(
        &server.base,
        Some((practitioner, DEMO_PASSWORD)),
        serde_json::json!([
            {
                "visit": "/",
                "screenshot": "home.png",
                "expect_text": ["Evident hjälper socialtjänsten", "Demo practitioner", "Logga ut"],
                "expect_selector": ["h1", "a.button[href='/orgs']"],
                "axe": true
            },
            {
                "visit": format!("/orgs/{municipality}"),
                "screenshot": "municipality.png",
                "expect_text": [municipality, "Enheter"],
                "expect_selector": [format!("a[href='/orgs/{unit}']")],
                "axe": true
            },
            {
                "visit": format!("/orgs/{unit}"),
                "screenshot": "unit.png",
                "expect_text": [unit, "Ärenden", "Uppföljning av resultat"],
                "expect_selector": [format!("a[href='/orgs/{unit}/cases']")],
                "axe": true
            },
            {
                "visit": format!("/orgs/{unit}/cases"),
                "click": "tbody a[href^='/cases/']",
                "screenshot": "case.png",
                "expect_text": ["Ärende #", "Uppföljningar", "Mätningar", "Insatser"],
                "expect_selector": ["dl.facts", "form[action$='/close']"],
                "axe": true
            },
            {
                "visit": format!("/orgs/{unit}/follow-up"),
                "screenshot": "follow-up.png",
                "expect_text": ["Uppföljning av resultat"],
                "expect_selector": ["table.numbers tbody tr"],
                "axe": true
            },
            {
                "visit": format!("/orgs/{unit}/cases"),
                "viewport": [390, 844],
                "screenshot": "cases-phone.png",
                "expect_text": ["Ärenden", "Öppna ärende"],
                "axe": true
            }
        ]),
        "demo-practitioner",
    );

    run_scenario(
        &server.base,
        Some(("auditor@demo.evident.example", DEMO_PASSWORD)),
        serde_json::json!([
            {
                "visit": "/audit",
                "screenshot": "audit.png",
                "expect_text": ["Loggbok", "Kedjan är obruten"],
                "expect_selector": ["table.audit tbody tr", "a[href='/audit']"],
                "axe": true
            }
        ]),
        "demo-auditor",
    );
}

#[test]
#[ignore = "needs Chromium, Node.js and browser/node_modules (scripts/test-all.sh)"]
fn open_comparison_pages_render_in_chromium() {
    let server = DemoServer::start(5, 2000);
    let municipality = server
        .org_of("municipality.analyst@demo.evident.example")
        .to_owned();

    // Templates: comparisons/list.html, comparisons/indicator.html (ranked table and funnel
    // plot, municipalities and counties), comparisons/profile.html; open statistics, so signed
    // out.
    run_scenario(
        &server.base,
        None,
        serde_json::json!([
            {
                "visit": "/indicators",
                "screenshot": "indicators.png",
                "expect_text": ["Öppna jämförelser", "Andel klienter med tillförlitlig förbättring"],
                "expect_selector": ["table.indicators a[href='/indicators/EVI003']"],
                "axe": true
            },
            {
                // The last whole year: this small demo publishes enough municipalities in it
                // for all three tertiles (the current year holds too few people yet).
                "visit": "/indicators/EVI003?period=2025",
                "screenshot": "ranked-table-and-funnel.png",
                "expect_text": ["Placering", "Hela riket:", "Trattdiagram", "Utveckling per år", "preliminär"],
                "expect_selector": [
                    "table.ranked tbody tr",
                    "span.tertile.best",
                    "span.tertile.worst",
                    "svg.funnel circle.point title",
                    "svg.funnel polyline.limit-998",
                    "a[href*='/download?'][href$='format=xlsx']"
                ],
                "axe": true
            },
            {
                "visit": "/indicators/EVI003?level=county",
                "screenshot": "counties.png",
                "expect_text": ["Län"],
                "expect_selector": ["table.ranked tbody tr a[href*='node=']"],
                "axe": true
            },
            {
                "visit": format!("/orgs/{municipality}/profile"),
                "screenshot": "profile.png",
                "expect_text": ["Kommunprofil", "Hela riket", "Liknande kommuner"],
                "expect_selector": ["table.profile tbody tr.profile-row", "span.tertile"],
                "axe": true
            },
            {
                "visit": "/indicators/EVI001",
                "viewport": [390, 844],
                "screenshot": "indicator-phone.png",
                "expect_selector": ["table.ranked", "svg.funnel"],
                "axe": true
            }
        ]),
        "open-comparisons",
    );

    // Drill-down to the units of the analyst's municipality.
    run_scenario(
        &server.base,
        Some(("municipality.analyst@demo.evident.example", DEMO_PASSWORD)),
        serde_json::json!([
            {
                "visit": format!("/indicators/EVI002?node={municipality}"),
                "screenshot": "units.png",
                "expect_text": ["Enheter"],
                "expect_selector": ["table.ranked tbody tr", "nav.trail a[href*='node=SE']"],
                "axe": true
            }
        ]),
        "open-comparisons-units",
    );
}

#[tokio::test]
#[ignore = "needs Chromium, Node.js and browser/node_modules (scripts/test-all.sh)"]
async fn a_client_answers_a_self_report_link_in_chromium() {
    use evident_core::access::audit::Actor;
    use evident_core::access::credentials::Secret;
    use evident_core::participation::selfreport::NewSelfReportLink;
    let server = DemoServer::start(9, 600);
    let practitioner = "practitioner@demo.evident.example";
    let unit = evident_core::OrgCode::parse(server.org_of(practitioner)).unwrap();
    let store = evident_store::open(
        &evident_store::DatabaseUrl::sqlite_file(&server.database_file()),
        &evident_store::testing::test_audit_key(),
    )
    .await
    .unwrap();
    let first = store.list_unit_cases(&unit).await.unwrap()[0].clone();
    let (case, client) = (first.id, first.client_id);
    let instrument = store.newest_instrument("phq-9").await.unwrap();
    let token = Secret::generate(evident_core::participation::selfreport::TOKEN_PREFIX);
    let request = NewSelfReportLink::parse(
        case,
        (instrument.id.clone(), instrument.version.clone()),
        "end",
        None,
        None,
    )
    .unwrap();
    let actor = Actor {
        user_id: None,
        label: "browser-test".into(),
        address: None,
    };
    let now = chrono::Utc::now().timestamp();
    store
        .create_self_report_link(&request, &token.digest(), now, &actor)
        .await
        .unwrap();
    store.close().await;
    let link = format!("/s/{}", token.expose());
    // Every item answered with its second option: PHQ-9 scores 1 per item, 9 in all.
    let all: Vec<String> = instrument
        .items
        .iter()
        .map(|item| {
            format!(
                "input[name='item:{}'][value='{}']",
                item.link_id, item.options[1].code
            )
        })
        .collect();
    let total = instrument
        .score(
            &instrument
                .items
                .iter()
                .map(|item| (item.link_id.clone(), item.options[1].code.clone()))
                .collect(),
        )
        .unwrap()
        .total
        .unwrap();

    // The client, signed out, on a phone.
    run_scenario(
        &server.base,
        None,
        serde_json::json!([
            {
                "visit": link,
                "viewport": [390, 844],
                "screenshot": "form-phone.png",
                "expect_text": ["Svara på frågorna", "Skicka mina svar"],
                "expect_selector": ["form.selfreport fieldset legend", "label.option input[type=radio]"],
                "axe": true
            },
            {
                "visit": link,
                "viewport": [390, 844],
                "check": [all[0], all[1]],
                "reload": true,
                "screenshot": "draft-survives-reload.png",
                "expect_selector": [format!("{}:checked", all[0]), format!("{}:checked", all[1])]
            },
            {
                "visit": link,
                "viewport": [390, 844],
                "click": "form.selfreport button[type=submit]",
                "status": 422,
                "screenshot": "missing-answers.png",
                "expect_text": ["Några frågor saknar svar"],
                "expect_selector": ["fieldset[aria-invalid=true]"],
                "axe": true
            },
            {
                "visit": link,
                "viewport": [390, 844],
                "check": all,
                "click": "form.selfreport button[type=submit]",
                "screenshot": "thanks.png",
                "expect_text": ["Tack för dina svar"],
                "axe": true
            },
            {
                "visit": link,
                "viewport": [390, 844],
                "status": 410,
                "screenshot": "already-answered.png",
                "expect_text": ["Du har redan svarat"],
                "axe": true
            },
            {
                "visit": "/s/sr_not_a_link",
                "status": 404,
                "screenshot": "unknown.png",
                "expect_text": ["Länken fungerar inte"],
                "axe": true
            }
        ]),
        "self-report-client",
    );

    // The practitioner sees the score on the case page, the link answered, and can create
    // another.
    let score = format!("{total}");
    run_scenario(
        &server.base,
        Some((practitioner, DEMO_PASSWORD)),
        serde_json::json!([
            {
                "visit": format!("/cases/{case}"),
                "screenshot": "case-with-answer.png",
                "expect_text": ["Självskattning via länk", "Besvarad", score],
                "axe": true
            },
            {
                "visit": format!("/clients/{client}/record"),
                "screenshot": "record.png",
                "expect_text": ["Registerutdrag", "Vem har tagit del av uppgifterna", "client.record_extract", score],
                "expect_selector": ["section.record-case table tbody tr"],
                "axe": true
            },
            {
                "visit": format!("/cases/{case}"),
                "click": "#sr-form button[type=submit]",
                "screenshot": "link-created.png",
                "expect_text": ["Länk för självskattning", "Länken visas bara nu"],
                "expect_selector": ["input#sr-url[value*='/s/sr_']"],
                "axe": true
            }
        ]),
        "self-report-staff",
    );
}

#[test]
#[ignore = "needs Chromium, Node.js and browser/node_modules (scripts/test-all.sh)"]
fn agreement_and_grant_pages_render_in_chromium() {
    let server = DemoServer::start(4, 300);
    run_scenario(
        &server.base,
        Some(("grant.admin@demo.evident.example", DEMO_PASSWORD)),
        serde_json::json!([
            {
                "visit": "/agreements",
                "screenshot": "agreements.png",
                "expect_text": ["104,5 mnkr"],
                "expect_selector": ["a[href='/agreements/ebp-2011']", "a[href='/agreements/calendar']"],
                "axe": true
            },
            {
                "visit": "/agreements/ebp-2011",
                "screenshot": "agreement.png",
                "expect_text": ["89 200 000 kr", "Leda för resultat"],
                "expect_selector": ["form[action='/agreements/ebp-2011/events'] textarea, form[action='/agreements/ebp-2011/events'] input[name=reason]"],
                "axe": true
            },
            {
                "visit": "/agreements/calendar",
                "screenshot": "calendar.png",
                "expect_text": ["2011-12-01", "2012-06-30"],
                "axe": true
            },
            {
                "visit": "/agreements/counties/03",
                "screenshot": "county-tapering.png",
                "expect_text": ["2014", "2016"],
                "axe": true
            },
            {
                "visit": "/agreements/performance/uppfoljning-2025",
                "screenshot": "performance-grant.png",
                "expect_text": ["10 000 000 kr"],
                "axe": true
            }
        ]),
        "agreements",
    );
}

#[tokio::test]
#[ignore = "needs Chromium, Node.js and browser/node_modules (scripts/test-all.sh)"]
async fn a_client_answers_a_survey_on_a_phone_and_staff_read_the_results_in_chromium() {
    use evident_core::access::audit::Actor;
    use evident_core::access::credentials::Secret;
    use evident_core::participation::survey::{SurveyAnswers, SurveyPeriod, TOKEN_PREFIX};
    use evident_store::NewSurveyPublication;
    let server = DemoServer::start(9, 600);
    let practitioner = "practitioner@demo.evident.example";
    let unit = evident_core::OrgCode::parse(server.org_of(practitioner)).unwrap();
    let store = evident_store::open(
        &evident_store::DatabaseUrl::sqlite_file(&server.database_file()),
        &evident_store::testing::test_audit_key(),
    )
    .await
    .unwrap();
    let token = Secret::generate(TOKEN_PREFIX);
    let actor = Actor {
        user_id: None,
        label: "browser-test".into(),
        address: None,
    };
    let publication = store
        .create_survey_publication(
            &NewSurveyPublication {
                survey: ("brukarundersokning-2026".into(), "1".into()),
                unit: unit.clone(),
                period: SurveyPeriod::parse("2026").unwrap(),
                integrity: evident_core::participation::survey::IntegrityMode::Link,
            },
            &token.digest(),
            chrono::Utc::now().timestamp(),
            &actor,
        )
        .await
        .unwrap();
    // Five earlier respondents, so the unit's results can be shown.
    let earlier: SurveyAnswers = ["respekt", "inflytande", "information", "helhet"]
        .into_iter()
        .map(|q| (q.to_owned(), "4".to_owned()))
        .collect();
    for n in 0..5 {
        store
            .record_survey_answer(
                publication.id,
                &evident_store::Admission::Nonce(format!("earlier-{n}")),
                chrono::Utc::now().date_naive(),
                &earlier,
            )
            .await
            .unwrap()
            .unwrap();
    }
    store.close().await;
    let link = format!("/q/{}", token.expose());
    let radio = |q: &str, code: &str| format!("input[name='q:{q}'][value='{code}']");
    let all = [
        radio("respekt", "4"),
        radio("inflytande", "3"),
        radio("information", "4"),
        radio("helhet", "5"),
    ];

    // The respondent, signed out, on a phone.
    run_scenario(
        &server.base,
        None,
        serde_json::json!([
            {
                "visit": link,
                "viewport": [390, 844],
                "screenshot": "survey-phone.png",
                "expect_text": ["Brukarundersökning 2026", "Skicka svaren"],
                "expect_selector": ["form.survey fieldset legend", "label.option input[type=radio]", "textarea#q-fritext"],
                "axe": true
            },
            {
                "visit": link,
                "viewport": [390, 844],
                "check": [all[0], all[1]],
                "reload": true,
                "screenshot": "draft-survives-reload.png",
                "expect_selector": [format!("{}:checked", all[0]), format!("{}:checked", all[1])]
            },
            {
                "visit": link,
                "viewport": [390, 844],
                "click": "form.survey button[type=submit]",
                "status": 422,
                "screenshot": "missing-answers.png",
                "expect_text": ["måste besvaras"],
                "expect_selector": ["fieldset[aria-invalid=true]"],
                "axe": true
            },
            {
                "visit": link,
                "viewport": [390, 844],
                "check": all,
                "click": "form.survey button[type=submit]",
                "screenshot": "thanks.png",
                "expect_text": ["Tack för dina svar"],
                "axe": true
            },
            {
                "visit": link,
                "viewport": [390, 844],
                "status": 409,
                "screenshot": "already-answered.png",
                "expect_text": ["Du har redan svarat"],
                "axe": true
            }
        ]),
        "survey-respondent",
    );

    // Unit staff see six answers and the share positive, and the survey list.
    run_scenario(
        &server.base,
        Some((practitioner, DEMO_PASSWORD)),
        serde_json::json!([
            {
                "visit": format!("/surveys/brukarundersokning-2026/results?period=2026&node={unit}"),
                "screenshot": "results.png",
                "expect_text": ["Brukarundersökning 2026", "100 %", "Fritextsvar", "Ingen har skrivit något i fritext"],
                "expect_selector": ["table.survey-results tbody tr[aria-current=true]"],
                "axe": true
            },
            {
                "visit": format!("/orgs/{unit}/surveys"),
                "screenshot": "staff.png",
                "expect_text": ["Brukarundersökningar", "6"],
                "expect_selector": ["form[action$='/surveys'] label[for=survey-period]"],
                "axe": true
            }
        ]),
        "survey-staff",
    );
}
