//! Client surveys in the database: publications per unit and period (created and closed by
//! staff, audited), and anonymous answers. Recording an answer inserts the browser's nonce
//! digest and the answer row in one transaction, so a nonce is used once per publication and
//! an answer never exists without it; the two rows share nothing but the publication.

use crate::{PgStore, Result, SqliteStore, StorageError};
use chrono::NaiveDate;
use evident_core::OrgCode;
use evident_core::access::audit::{Actor, AuditEvent, Outcome};
use evident_core::participation::survey::{SurveyAnswers, SurveyPeriod, SurveyPublication};

/// A checked request to publish a survey.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSurveyPublication {
    /// The survey's id and version.
    pub survey: (String, String),
    /// The unit.
    pub unit: OrgCode,
    /// The period.
    pub period: SurveyPeriod,
}

/// Why an answer was not stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// This browser has answered this publication already.
    NonceUsed,
    /// The publication is closed.
    Closed,
}

/// Storing survey publications and their anonymous answers.
#[async_trait::async_trait]
pub trait SurveyStore {
    /// Publishes a survey for a unit and period behind the token with this digest.
    ///
    /// # Errors
    /// [`StorageError::NotFound`] for an unknown unit.
    async fn create_survey_publication(
        &self,
        new: &NewSurveyPublication,
        token_digest: &str,
        now: i64,
        actor: &Actor,
    ) -> Result<SurveyPublication>;

    /// A unit's publications, newest first.
    async fn list_survey_publications(&self, unit: &OrgCode) -> Result<Vec<SurveyPublication>>;

    /// One publication.
    ///
    /// # Errors
    /// [`StorageError::NotFound`].
    async fn get_survey_publication(&self, id: i64) -> Result<SurveyPublication>;

    /// The publication with this token digest, if any.
    async fn find_survey_publication(
        &self,
        token_digest: &str,
    ) -> Result<Option<SurveyPublication>>;

    /// Closes an open publication: it takes no more answers.
    ///
    /// # Errors
    /// [`StorageError::NotFound`]; [`StorageError::Rejected`] when it is closed already.
    async fn close_survey_publication(
        &self,
        id: i64,
        now: i64,
        actor: &Actor,
    ) -> Result<SurveyPublication>;

    /// Stores one anonymous answer, once per nonce digest and publication. Nothing about the
    /// respondent is stored with it, and it is not audited (an audit entry would hold the time).
    async fn record_survey_answer(
        &self,
        publication_id: i64,
        nonce_digest: &str,
        answered_on: NaiveDate,
        answers: &SurveyAnswers,
    ) -> Result<std::result::Result<(), Refused>>;

    /// Whether this nonce digest has answered this publication.
    async fn survey_nonce_used(&self, publication_id: i64, nonce_digest: &str) -> Result<bool>;

    /// How many answers a publication has.
    async fn count_survey_answers(&self, publication_id: i64) -> Result<u64>;

    /// Every unit with a publication of `survey_id` for `period`, with the answers of all its
    /// publications (possibly none), in unit order. Raw: callers publish only through
    /// [`evident_core::participation::survey::results`].
    async fn survey_answers(
        &self,
        survey_id: &str,
        period: &SurveyPeriod,
    ) -> Result<Vec<(OrgCode, Vec<SurveyAnswers>)>>;
}

#[derive(sqlx::FromRow)]
struct PublicationRow {
    id: i64,
    survey_id: String,
    survey_version: String,
    unit_code: String,
    period: String,
    created_by: String,
    created_at: i64,
    closed_at: Option<i64>,
}

impl PublicationRow {
    fn into_publication(self) -> Result<SurveyPublication> {
        Ok(SurveyPublication {
            id: self.id,
            survey_id: self.survey_id,
            survey_version: self.survey_version,
            unit: OrgCode::parse(&self.unit_code)?,
            period: SurveyPeriod::parse(&self.period)?,
            created_by: self.created_by,
            created_at: self.created_at,
            closed_at: self.closed_at,
        })
    }
}

const COLUMNS: &str =
    "id, survey_id, survey_version, unit_code, period, created_by, created_at, closed_at";

fn decode(raw: &str) -> Result<SurveyAnswers> {
    serde_json::from_str(raw)
        .map_err(|e| StorageError::Other(anyhow::anyhow!("stored survey answer is invalid: {e}")))
}

/// Implements [`SurveyStore`] for a backend struct with a `pool` field.
macro_rules! impl_survey_store {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl SurveyStore for $store {
            #[tracing::instrument(skip_all, fields(unit = %new.unit))]
            async fn create_survey_publication(
                &self,
                new: &NewSurveyPublication,
                token_digest: &str,
                now: i64,
                actor: &Actor,
            ) -> Result<SurveyPublication> {
                let mut tx = self.begin_write().await?;
                let exists: Option<String> = sqlx::query_scalar(
                    r"
                    select code
                    from unit
                    where code = $1
                    ",
                )
                .bind(new.unit.as_str())
                .fetch_optional(&mut *tx)
                .await?;
                exists.ok_or_else(|| StorageError::not_found("unit", &new.unit))?;
                let id: i64 = sqlx::query_scalar(
                    r"
                    insert into survey_publication
                        (survey_id, survey_version, unit_code, period, token_digest, created_by, created_at)
                    values ($1, $2, $3, $4, $5, $6, $7)
                    returning id
                    ",
                )
                .bind(&new.survey.0)
                .bind(&new.survey.1)
                .bind(new.unit.as_str())
                .bind(new.period.as_str())
                .bind(token_digest)
                .bind(&actor.label)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
                let event = AuditEvent::new(actor, "survey.publish", format!("unit:{}", new.unit), Outcome::Allowed)
                    .with_detail(format!("publication {id}: {} {} {}", new.survey.0, new.survey.1, new.period));
                self.append_in(&mut tx, &event).await?;
                tx.commit().await?;
                self.get_survey_publication(id).await
            }

            async fn list_survey_publications(&self, unit: &OrgCode) -> Result<Vec<SurveyPublication>> {
                let rows: Vec<PublicationRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                    "select {COLUMNS} from survey_publication where unit_code = $1 order by id desc"
                )))
                .bind(unit.as_str())
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter().map(PublicationRow::into_publication).collect()
            }

            async fn get_survey_publication(&self, id: i64) -> Result<SurveyPublication> {
                let row: Option<PublicationRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                    "select {COLUMNS} from survey_publication where id = $1"
                )))
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
                row.ok_or_else(|| StorageError::not_found("survey publication", id))?
                    .into_publication()
            }

            async fn find_survey_publication(&self, token_digest: &str) -> Result<Option<SurveyPublication>> {
                let row: Option<PublicationRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                    "select {COLUMNS} from survey_publication where token_digest = $1"
                )))
                .bind(token_digest)
                .fetch_optional(&self.pool)
                .await?;
                row.map(PublicationRow::into_publication).transpose()
            }

            #[tracing::instrument(skip_all, fields(publication = id))]
            async fn close_survey_publication(&self, id: i64, now: i64, actor: &Actor) -> Result<SurveyPublication> {
                let publication = self.get_survey_publication(id).await?;
                if !publication.is_open() {
                    return Err(StorageError::Rejected(evident_core::DomainError::new(
                        "publication",
                        "the survey is closed already",
                    )));
                }
                let mut tx = self.begin_write().await?;
                sqlx::query(
                    r"
                    update survey_publication
                    set closed_at = $2
                    where id = $1
                      and closed_at is null
                    ",
                )
                .bind(id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                let event = AuditEvent::new(actor, "survey.close", format!("unit:{}", publication.unit), Outcome::Allowed)
                    .with_detail(format!("publication {id}"));
                self.append_in(&mut tx, &event).await?;
                tx.commit().await?;
                self.get_survey_publication(id).await
            }

            async fn record_survey_answer(
                &self,
                publication_id: i64,
                nonce_digest: &str,
                answered_on: NaiveDate,
                answers: &SurveyAnswers,
            ) -> Result<std::result::Result<(), Refused>> {
                let answers = serde_json::to_string(answers)
                    .map_err(|e| StorageError::Other(anyhow::anyhow!("encoding a survey answer: {e}")))?;
                let mut tx = self.begin_write().await?;
                let open: Option<Option<i64>> = sqlx::query_scalar(
                    r"
                    select closed_at
                    from survey_publication
                    where id = $1
                    ",
                )
                .bind(publication_id)
                .fetch_optional(&mut *tx)
                .await?;
                match open {
                    None => return Err(StorageError::not_found("survey publication", publication_id)),
                    Some(Some(_)) => return Ok(Err(Refused::Closed)),
                    Some(None) => {}
                }
                let inserted = sqlx::query(
                    r"
                    insert into survey_nonce (publication_id, nonce_digest)
                    values ($1, $2)
                    on conflict do nothing
                    ",
                )
                .bind(publication_id)
                .bind(nonce_digest)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if inserted == 0 {
                    return Ok(Err(Refused::NonceUsed));
                }
                sqlx::query(
                    r"
                    insert into survey_answer (publication_id, answered_on, answers)
                    values ($1, $2, $3)
                    ",
                )
                .bind(publication_id)
                .bind(answered_on.to_string())
                .bind(answers)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(Ok(()))
            }

            async fn survey_nonce_used(&self, publication_id: i64, nonce_digest: &str) -> Result<bool> {
                let found: Option<i64> = sqlx::query_scalar(
                    r"
                    select publication_id
                    from survey_nonce
                    where publication_id = $1
                      and nonce_digest = $2
                    ",
                )
                .bind(publication_id)
                .bind(nonce_digest)
                .fetch_optional(&self.pool)
                .await?;
                Ok(found.is_some())
            }

            async fn count_survey_answers(&self, publication_id: i64) -> Result<u64> {
                let n: i64 = sqlx::query_scalar(
                    r"
                    select count(*)
                    from survey_answer
                    where publication_id = $1
                    ",
                )
                .bind(publication_id)
                .fetch_one(&self.pool)
                .await?;
                Ok(n as u64)
            }

            async fn survey_answers(
                &self,
                survey_id: &str,
                period: &SurveyPeriod,
            ) -> Result<Vec<(OrgCode, Vec<SurveyAnswers>)>> {
                let units: Vec<String> = sqlx::query_scalar(
                    r"
                    select distinct unit_code
                    from survey_publication
                    where survey_id = $1
                      and period = $2
                    order by unit_code
                    ",
                )
                .bind(survey_id)
                .bind(period.as_str())
                .fetch_all(&self.pool)
                .await?;
                let rows: Vec<(String, String)> = sqlx::query_as(
                    r"
                    select p.unit_code, a.answers
                    from survey_answer a
                    join survey_publication p on p.id = a.publication_id
                    where p.survey_id = $1
                      and p.period = $2
                    ",
                )
                .bind(survey_id)
                .bind(period.as_str())
                .fetch_all(&self.pool)
                .await?;
                let mut out: Vec<(OrgCode, Vec<SurveyAnswers>)> = units
                    .iter()
                    .map(|u| Ok((OrgCode::parse(u)?, Vec::new())))
                    .collect::<Result<_>>()?;
                for (unit, raw) in rows {
                    if let Some((_, answers)) = out.iter_mut().find(|(code, _)| code.as_str() == unit) {
                        answers.push(decode(&raw)?);
                    }
                }
                Ok(out)
            }
        }
    };
}

impl_survey_store!(SqliteStore);
impl_survey_store!(PgStore);
