//! The test harness: a real server on a loopback port, users with roles, and clients that
//! authenticate with a bearer token (API) or a signed-in browser session (pages).

use evident_core::OrgCode;
use evident_core::access::Role;
use evident_core::access::credentials::{NewPassword, Secret};
use evident_store::Store;
use evident_store::testing::{ClientBuilder, Seed, TestDb, setup_actor, toy_instrument};
use reqwest::header::{COOKIE, HeaderMap, SET_COOKIE};
use reqwest::{Method, Response, StatusCode};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// Six valid (synthetic) personal numbers in the forms people write them: for tests that need
/// six clients at a unit, one more than the smallest count shown.
pub const SIX_PERSONAL_NUMBERS: [&str; 6] = [
    "811218-9876",
    "121212-1212",
    "701063-2391",
    "000229-1235",
    "19121212-1212",
    "261231+0025",
];

/// The password of every test user.
pub const PASSWORD: &str = "a long test password";

/// The pseudonym key of the test server.
pub const PSEUDONYM_KEY: &str = "a pseudonym key for tests, long enough";

/// A running server on its own database.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// The store under the server, for arranging data and checking the audit trail.
    pub store: Arc<dyn Store>,
    /// The server's state, e.g. to read its password-hashing gauge.
    pub state: evident_web::AppState,
    http: reqwest::Client,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
    users: AtomicU32,
}

impl TestApp {
    /// Starts a server on `db`, on the system clock.
    pub async fn start(db: &TestDb) -> Self {
        Self::start_at(db, evident_core::clock::Clock::system()).await
    }

    /// Starts a server on `db` whose clock is `clock`.
    pub async fn start_at(db: &TestDb, clock: evident_core::clock::Clock) -> Self {
        Self::start_with(db, clock, Self::config()).await
    }

    /// The configuration of a test server: plain HTTP on loopback, so cookies are not
    /// `Secure` (the harness keeps its own cookie jar, so it would work either way; this is
    /// what a server reached over plain HTTP must be told).
    pub fn config() -> evident_web::state::WebConfig {
        evident_web::state::WebConfig {
            pseudonym_key: Some(evident_core::person::PseudonymKey::parse(PSEUDONYM_KEY).unwrap()),
            // Every test client answers surveys from 127.0.0.1; the limit of the default
            // configuration has its own test.
            survey_answers_per_address: 1000,
            survey_code_guesses_per_address: 1000,
            ..evident_web::state::WebConfig::insecure()
        }
    }

    /// Starts a server on `db` whose clock is `clock`, with `config`.
    pub async fn start_with(
        db: &TestDb,
        clock: evident_core::clock::Clock,
        config: evident_web::state::WebConfig,
    ) -> Self {
        let mut state = evident_web::AppState::with_config(db.store.clone(), config);
        state.clock = clock;
        Self::start_state(db, state).await
    }

    /// Starts a server on `db` with `state` (built around `db.store`).
    pub async fn start_state(db: &TestDb, state: evident_web::AppState) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = oneshot::channel::<()>();
        let server_state = state.clone();
        let task = tokio::spawn(evident_web::server::serve(listener, server_state, async {
            let _ = stopped.await;
        }));
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Self {
            base,
            store: db.store.clone(),
            state,
            http,
            stop: Some(stop),
            task: Some(task),
            users: AtomicU32::new(0),
        }
    }

    /// Stops the server and waits for it to finish (a hang guard, not a timing assertion).
    pub async fn stop(mut self) {
        let _ = self.stop.take().unwrap().send(());
        let task = self.task.take().unwrap();
        tokio::time::timeout(std::time::Duration::from_secs(30), task)
            .await
            .expect("the server shuts down after the signal")
            .unwrap()
            .unwrap();
    }

    /// A client without credentials.
    pub fn anonymous(&self) -> Client {
        Client {
            app_base: self.base.clone(),
            http: self.http.clone(),
            auth: Auth::None,
            form_token: String::new(),
        }
    }

    /// Creates a user holding `role` on `org` and returns an API client with a fresh token.
    pub async fn api_as(&self, role: Role, org: &str) -> Client {
        let user = self.create_user(&[(role, org)]).await;
        self.token_for(user.id).await
    }

    /// Creates a user with these grants (password [`PASSWORD`]).
    pub async fn create_user(
        &self,
        grants: &[(Role, &str)],
    ) -> evident_core::access::account::User {
        let n = self.users.fetch_add(1, Ordering::Relaxed);
        let hash = NewPassword::parse(PASSWORD).unwrap().hash();
        self.seed()
            .user(
                &format!("user{n}@test.example"),
                &format!("Test User {n}"),
                Some(hash),
                grants,
            )
            .await
    }

    /// An API client for an existing user.
    pub async fn token_for(&self, user_id: i64) -> Client {
        let secret = Secret::generate("evt_");
        let expires =
            evident_store::audit::timestamp_text(chrono::Utc::now() + chrono::Duration::days(1));
        self.store
            .create_token(user_id, "test", &secret.digest(), &expires, &setup_actor())
            .await
            .unwrap();
        Client {
            app_base: self.base.clone(),
            http: self.http.clone(),
            auth: Auth::Bearer(secret.expose().to_owned()),
            form_token: String::new(),
        }
    }

    /// A browser that has signed in as a new user with these grants.
    pub async fn browser_as(&self, grants: &[(Role, &str)]) -> Client {
        let user = self.create_user(grants).await;
        let mut browser = self.browser();
        browser
            .login(user.email.as_str(), PASSWORD)
            .await
            .assert_status(StatusCode::SEE_OTHER);
        browser
    }

    /// A browser with no session yet (it picks up its CSRF cookie on the first page).
    pub fn browser(&self) -> Client {
        Client {
            app_base: self.base.clone(),
            http: self.http.clone(),
            auth: Auth::Cookies { jar: Vec::new() },
            form_token: String::new(),
        }
    }

    /// `client`, with its credentials, talking to this server instead (another server on the
    /// same database, e.g. one whose clock is later).
    pub fn reach(&self, client: &Client) -> Client {
        Client {
            app_base: self.base.clone(),
            ..client.clone()
        }
    }

    /// Seed data for the server's store, pseudonymised with the server's key (so the server
    /// finds seeded clients by personal number) and read on today's date.
    pub fn seed(&self) -> Seed<'_> {
        Seed::new(&*self.store)
            .pseudonym_key(PSEUDONYM_KEY)
            .today(chrono::Utc::now().date_naive())
    }

    /// Stores the toy instrument of [`evident_store::testing::toy_instrument`] (`toy`, three
    /// items scored 0–3, lower is better, cut-off 5, reliability 0.8, SD 3), version 1.
    pub async fn toy_instrument(&self) {
        self.seed().instrument(&toy_instrument("1", "Toy")).await;
    }

    /// Registers a client by personal number and opens a case at `unit` on 2026-01-10 with
    /// follow-ups at 3 and 6 months, directly in the store.
    pub async fn case(&self, unit: &str, personal_number: &str) -> i64 {
        ClientBuilder::new(&OrgCode::parse(unit).unwrap())
            .personal_number(personal_number)
            .create(&self.seed())
            .await
            .case
            .id
    }

    /// Creates a unit (public, elderly care) directly in the store.
    pub async fn unit(&self, municipality: &str, name: &str) -> OrgCode {
        self.seed().unit(municipality, name).await
    }
}

/// How a client authenticates.
#[derive(Clone)]
pub enum Auth {
    /// Not at all.
    None,
    /// With a personal access token.
    Bearer(String),
    /// With cookies, as a browser does.
    Cookies {
        /// Cookie name and value pairs.
        jar: Vec<(String, String)>,
    },
}

/// An HTTP client for the app.
#[derive(Clone)]
pub struct Client {
    app_base: String,
    http: reqwest::Client,
    /// The credentials.
    pub auth: Auth,
    /// The CSRF token of the forms on the last page that had one.
    pub form_token: String,
}

/// A response, read whole.
pub struct Reply {
    /// The status.
    pub status: StatusCode,
    /// The headers.
    pub headers: HeaderMap,
    /// The body as text.
    pub body: String,
}

impl Reply {
    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    /// Asserts the status, showing the body when it differs.
    pub fn assert_status(&self, status: StatusCode) -> &Self {
        assert_eq!(self.status, status, "body: {}", self.body);
        self
    }

    /// Asserts an API error with this status and kind, and exactly the keys `error`, `detail`.
    pub fn assert_api_error(&self, status: StatusCode, kind: &str) -> String {
        self.assert_status(status);
        let body = self.json();
        let object = body
            .as_object()
            .unwrap_or_else(|| panic!("not an object: {body}"));
        let mut keys: Vec<_> = object.keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(keys, ["detail", "error"], "{body}");
        assert_eq!(body["error"], kind, "{body}");
        body["detail"].as_str().unwrap().to_owned()
    }

    /// The `Location` header.
    pub fn location(&self) -> &str {
        self.headers
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

impl Client {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.app_base)
    }

    /// The CSRF token the browser's forms carry, as read from the last page with a form
    /// (empty before it has loaded one). A signed-in session's token is never in a cookie.
    pub fn csrf(&self) -> String {
        self.form_token.clone()
    }

    /// The value of the cookie `name` in the browser's jar.
    pub fn cookie(&self, name: &str) -> Option<String> {
        match &self.auth {
            Auth::Cookies { jar } => jar.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()),
            _ => None,
        }
    }

    /// Sets (or replaces) the cookie `name` in the browser's jar, as a planted cookie would.
    pub fn set_cookie(&mut self, name: &str, value: &str) {
        if let Auth::Cookies { jar } = &mut self.auth {
            jar.retain(|(k, _)| k != name);
            jar.push((name.to_owned(), value.to_owned()));
        }
    }

    /// Sends a request and reads the whole response, keeping cookies for a browser.
    pub async fn send(
        &mut self,
        method: Method,
        path: &str,
        build: impl FnOnce(reqwest::RequestBuilder) -> reqwest::RequestBuilder,
    ) -> Reply {
        let mut request = self.http.request(method, self.url(path));
        match &self.auth {
            Auth::None => {}
            Auth::Bearer(token) => request = request.bearer_auth(token),
            Auth::Cookies { jar } if !jar.is_empty() => {
                let header: Vec<_> = jar.iter().map(|(k, v)| format!("{k}={v}")).collect();
                request = request.header(COOKIE, header.join("; "));
            }
            Auth::Cookies { .. } => {}
        }
        let response: Response = build(request).send().await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        if let Auth::Cookies { jar } = &mut self.auth {
            for value in headers.get_all(SET_COOKIE) {
                let pair = value.to_str().unwrap().split(';').next().unwrap();
                let (name, value) = pair.split_once('=').unwrap();
                jar.retain(|(k, _)| k != name);
                if !value.is_empty() {
                    jar.push((name.to_owned(), value.to_owned()));
                }
            }
        }
        let body = response.text().await.unwrap();
        if let Some(token) = form_token(&body) {
            self.form_token = token;
        }
        Reply {
            status,
            headers,
            body,
        }
    }

    /// GET.
    pub async fn get(&mut self, path: &str) -> Reply {
        self.send(Method::GET, path, |r| r).await
    }

    /// A JSON request.
    pub async fn json(&mut self, method: Method, path: &str, body: serde_json::Value) -> Reply {
        self.send(method, path, |r| r.json(&body)).await
    }

    /// A form post carrying the browser's CSRF token (unless the fields set `csrf` themselves).
    pub async fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) -> Reply {
        let csrf = self.csrf();
        let mut fields: Vec<(String, String)> = fields
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        if !fields.iter().any(|(k, _)| k == "csrf") {
            fields.push(("csrf".into(), csrf));
        }
        self.send(Method::POST, path, |r| r.form(&fields)).await
    }

    /// Loads the sign-in page (for the CSRF cookie) and signs in; once signed in, loads the
    /// home page to learn the session's CSRF token. Answers the sign-in.
    pub async fn login(&mut self, email: &str, password: &str) -> Reply {
        self.get("/login").await.assert_status(StatusCode::OK);
        let reply = self
            .post_form(
                "/login",
                &[("email", email), ("password", password), ("next", "/orgs")],
            )
            .await;
        if reply.status == StatusCode::SEE_OTHER {
            self.get("/").await.assert_status(StatusCode::OK);
        }
        reply
    }
}

/// The CSRF token in the first form of an HTML page.
fn form_token(body: &str) -> Option<String> {
    const FIELD: &str = r#"name="csrf" value=""#;
    let start = body.find(FIELD)? + FIELD.len();
    let end = body[start..].find('"')?;
    Some(body[start..start + end].to_owned())
}

/// A date written `YYYY-MM-DD`.
pub fn day(raw: &str) -> chrono::NaiveDate {
    raw.parse().unwrap()
}

/// A PHQ-9 measurement by the client with `score` and no item answers.
pub fn phq9(
    time_point: evident_core::followup::TimePoint,
    month: Option<u32>,
    on: &str,
    score: f64,
) -> evident_store::followup::NewMeasurement {
    evident_store::followup::NewMeasurement {
        instrument: ("phq-9".into(), "1".into()),
        time_point,
        month,
        measured_on: day(on),
        respondent: evident_core::followup::Respondent::Client,
        answers: Default::default(),
        score: Some(score),
    }
}
