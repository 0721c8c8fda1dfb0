//! Client surveys in the database: publications per unit and period (created and closed by
//! staff, audited), their one-time respondent codes (digests only), and anonymous answers.
//! Recording an answer admits it and inserts the answer row in one transaction: for a
//! publication by link, the browser's nonce digest is inserted (once per publication); for one
//! by codes, the code's row is deleted and counted. Either way an answer never exists without
//! its admission, and the rows share nothing but the publication.

use crate::{PgStore, Result, SqliteStore, StorageError};
use chrono::NaiveDate;
use evident_core::OrgCode;
use evident_core::access::audit::{Actor, AuditEvent, Outcome};
use evident_core::participation::survey::{
    IntegrityMode, SurveyAnswers, SurveyPeriod, SurveyPublication,
};

/// A checked request to publish a survey.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSurveyPublication {
    /// The survey's id and version.
    pub survey: (String, String),
    /// The unit.
    pub unit: OrgCode,
    /// The period.
    pub period: SurveyPeriod,
    /// How it keeps one person from answering many times.
    pub integrity: IntegrityMode,
}

/// What lets an answer in, by the publication's [`IntegrityMode`]; both are digests bound to
/// the publication.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Admission {
    /// The digest of the browser's nonce, for a publication by link.
    Nonce(String),
    /// The digest of a respondent code, for a publication by codes.
    Code(String),
}

/// Why an answer was not stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// This browser has answered this publication already.
    NonceUsed,
    /// The publication is closed.
    Closed,
    /// The publication takes answers with a respondent code only, and none came.
    CodeNeeded,
    /// No unused code of this publication has this digest (never issued, used already, or
    /// another publication's).
    CodeNotValid,
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

    /// Stores the digests of newly issued respondent codes for an open publication by codes,
    /// and counts them; audited (`survey.codes`, with the number, never a code). `None`, with
    /// nothing stored, when a digest is taken already (by any publication): draw new codes.
    ///
    /// # Errors
    /// [`StorageError::NotFound`]; [`StorageError::Rejected`] when the publication is closed or
    /// takes answers by link.
    async fn issue_respondent_codes(
        &self,
        publication_id: i64,
        code_digests: &[String],
        actor: &Actor,
    ) -> Result<Option<SurveyPublication>>;

    /// The publication an unused respondent code with this digest belongs to, if any.
    async fn find_survey_publication_by_code(
        &self,
        code_digest: &str,
    ) -> Result<Option<SurveyPublication>>;

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

    /// Stores one anonymous answer if `admission` lets it in: a nonce digest once per
    /// publication by link, an unused code of a publication by codes (used up with it). Nothing
    /// about the respondent is stored with it, and it is not audited (an audit entry would hold
    /// the time).
    async fn record_survey_answer(
        &self,
        publication_id: i64,
        admission: &Admission,
        answered_on: NaiveDate,
        answers: &SurveyAnswers,
    ) -> Result<std::result::Result<(), Refused>>;

    /// Whether this nonce digest has answered this publication.
    async fn survey_nonce_used(&self, publication_id: i64, nonce_digest: &str) -> Result<bool>;

    /// How many answers a publication has.
    async fn count_survey_answers(&self, publication_id: i64) -> Result<u64>;

    /// Every unit with a publication of `survey_id` for `period` in one of the `integrity`
    /// modes, with the answers of all those publications (possibly none), in unit order. Raw:
    /// callers publish only through [`evident_core::participation::survey::results`].
    async fn survey_answers(
        &self,
        survey_id: &str,
        period: &SurveyPeriod,
        integrity: &[IntegrityMode],
    ) -> Result<Vec<(OrgCode, Vec<SurveyAnswers>)>>;

    /// Each unit with a publication of `survey_id` for `period`, with the integrity modes its
    /// publications use, in unit order: what the results show beside their figures.
    async fn survey_integrity(
        &self,
        survey_id: &str,
        period: &SurveyPeriod,
    ) -> Result<Vec<(OrgCode, IntegrityMode)>>;
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
    integrity: String,
    codes_issued: i64,
    codes_used: i64,
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
            integrity: IntegrityMode::parse(&self.integrity)?,
            codes_issued: u64::try_from(self.codes_issued).unwrap_or(0),
            codes_used: u64::try_from(self.codes_used).unwrap_or(0),
        })
    }
}

const COLUMNS: &str = "id, survey_id, survey_version, unit_code, period, created_by, \
                       created_at, closed_at, integrity, codes_issued, codes_used";

/// Codes inserted per statement (two parameters each).
const CODES_PER_INSERT: usize = 400;

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
                        (survey_id, survey_version, unit_code, period, token_digest, created_by, created_at, integrity)
                    values ($1, $2, $3, $4, $5, $6, $7, $8)
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
                .bind(new.integrity.as_str())
                .fetch_one(&mut *tx)
                .await?;
                let event = AuditEvent::new(actor, "survey.publish", format!("unit:{}", new.unit), Outcome::Allowed)
                    .with_detail(format!(
                        "publication {id}: {} {} {} ({})",
                        new.survey.0, new.survey.1, new.period, new.integrity
                    ));
                self.append_in(&mut tx, &event).await?;
                tx.commit().await?;
                self.get_survey_publication(id).await
            }

            #[tracing::instrument(skip_all, fields(publication = publication_id, codes = code_digests.len()))]
            async fn issue_respondent_codes(
                &self,
                publication_id: i64,
                code_digests: &[String],
                actor: &Actor,
            ) -> Result<Option<SurveyPublication>> {
                let mut tx = self.begin_write().await?;
                let found: Option<(Option<i64>, String, String)> = sqlx::query_as(
                    r"
                    select closed_at, integrity, unit_code
                    from survey_publication
                    where id = $1
                    ",
                )
                .bind(publication_id)
                .fetch_optional(&mut *tx)
                .await?;
                let (closed_at, integrity, unit) =
                    found.ok_or_else(|| StorageError::not_found("survey publication", publication_id))?;
                let refuse = |problem: &str| {
                    Err(StorageError::Rejected(evident_core::DomainError::new(
                        "publication",
                        problem.to_owned(),
                    )))
                };
                if closed_at.is_some() {
                    return refuse("the survey is closed; it needs no more codes");
                }
                if integrity != IntegrityMode::Codes.as_str() {
                    return refuse(
                        "the survey takes answers through its link; respondent codes are for a \
                         survey published with codes",
                    );
                }
                let mut inserted = 0;
                for chunk in code_digests.chunks(CODES_PER_INSERT) {
                    let mut insert = sqlx::QueryBuilder::new(
                        "insert into survey_code (code_digest, publication_id) ",
                    );
                    insert.push_values(chunk, |mut row, digest| {
                        row.push_bind(digest).push_bind(publication_id);
                    });
                    insert.push(" on conflict do nothing");
                    inserted += insert.build().execute(&mut *tx).await?.rows_affected();
                }
                if inserted != code_digests.len() as u64 {
                    // A code drawn twice (one in 2^50 per pair): the caller draws again.
                    tx.rollback().await?;
                    return Ok(None);
                }
                sqlx::query(
                    r"
                    update survey_publication
                    set codes_issued = codes_issued + $2
                    where id = $1
                    ",
                )
                .bind(publication_id)
                .bind(i64::try_from(code_digests.len()).unwrap_or(i64::MAX))
                .execute(&mut *tx)
                .await?;
                let event = AuditEvent::new(actor, "survey.codes", format!("unit:{unit}"), Outcome::Allowed)
                    .with_detail(format!("publication {publication_id}: {} respondent codes issued", code_digests.len()));
                self.append_in(&mut tx, &event).await?;
                tx.commit().await?;
                self.get_survey_publication(publication_id).await.map(Some)
            }

            async fn find_survey_publication_by_code(&self, code_digest: &str) -> Result<Option<SurveyPublication>> {
                let row: Option<PublicationRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                    "select {COLUMNS} from survey_publication
                     where id = (select publication_id from survey_code where code_digest = $1)"
                )))
                .bind(code_digest)
                .fetch_optional(&self.pool)
                .await?;
                row.map(PublicationRow::into_publication).transpose()
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
                sqlx::query(crate::indicators::BUMP_REVISION).execute(&mut *tx).await?;
                let event = AuditEvent::new(actor, "survey.close", format!("unit:{}", publication.unit), Outcome::Allowed)
                    .with_detail(format!("publication {id}"));
                self.append_in(&mut tx, &event).await?;
                tx.commit().await?;
                self.get_survey_publication(id).await
            }

            async fn record_survey_answer(
                &self,
                publication_id: i64,
                admission: &Admission,
                answered_on: NaiveDate,
                answers: &SurveyAnswers,
            ) -> Result<std::result::Result<(), Refused>> {
                let answers = serde_json::to_string(answers)
                    .map_err(|e| StorageError::Other(anyhow::anyhow!("encoding a survey answer: {e}")))?;
                let mut tx = self.begin_write().await?;
                let found: Option<(Option<i64>, String)> = sqlx::query_as(
                    r"
                    select closed_at, integrity
                    from survey_publication
                    where id = $1
                    ",
                )
                .bind(publication_id)
                .fetch_optional(&mut *tx)
                .await?;
                let integrity = match found {
                    None => return Err(StorageError::not_found("survey publication", publication_id)),
                    Some((Some(_), _)) => return Ok(Err(Refused::Closed)),
                    Some((None, integrity)) => IntegrityMode::parse(&integrity)?,
                };
                match (integrity, admission) {
                    (IntegrityMode::Link, Admission::Nonce(digest)) => {
                        let inserted = sqlx::query(
                            r"
                            insert into survey_nonce (publication_id, nonce_digest)
                            values ($1, $2)
                            on conflict do nothing
                            ",
                        )
                        .bind(publication_id)
                        .bind(digest)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected();
                        if inserted == 0 {
                            return Ok(Err(Refused::NonceUsed));
                        }
                    }
                    (IntegrityMode::Codes, Admission::Code(digest)) => {
                        // Deleting the row is what uses the code: of two answers racing with
                        // one code, only one deletes it.
                        let deleted = sqlx::query(
                            r"
                            delete from survey_code
                            where publication_id = $1
                              and code_digest = $2
                            ",
                        )
                        .bind(publication_id)
                        .bind(digest)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected();
                        if deleted == 0 {
                            return Ok(Err(Refused::CodeNotValid));
                        }
                        sqlx::query(
                            r"
                            update survey_publication
                            set codes_used = codes_used + 1
                            where id = $1
                            ",
                        )
                        .bind(publication_id)
                        .execute(&mut *tx)
                        .await?;
                    }
                    (IntegrityMode::Codes, Admission::Nonce(_)) => return Ok(Err(Refused::CodeNeeded)),
                    // A code for a publication by link is none of its codes.
                    (IntegrityMode::Link, Admission::Code(_)) => return Ok(Err(Refused::CodeNotValid)),
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
                // Survey indicators publish from the answers.
                sqlx::query(crate::indicators::BUMP_REVISION).execute(&mut *tx).await?;
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
                integrity: &[IntegrityMode],
            ) -> Result<Vec<(OrgCode, Vec<SurveyAnswers>)>> {
                let counted = |mode: &str| integrity.iter().any(|m| m.as_str() == mode);
                let mut units: Vec<String> = self
                    .survey_integrity(survey_id, period)
                    .await?
                    .into_iter()
                    .filter(|(_, mode)| integrity.contains(mode))
                    .map(|(unit, _)| unit.to_string())
                    .collect();
                units.dedup();
                let index: std::collections::HashMap<&str, usize> =
                    units.iter().enumerate().map(|(i, u)| (u.as_str(), i)).collect();
                let rows: Vec<(String, String, String)> = sqlx::query_as(
                    r"
                    select p.unit_code, p.integrity, a.answers
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
                for (unit, mode, raw) in rows {
                    if !counted(&mode) {
                        continue;
                    }
                    if let Some(&i) = index.get(unit.as_str()) {
                        out[i].1.push(decode(&raw)?);
                    }
                }
                Ok(out)
            }

            async fn survey_integrity(
                &self,
                survey_id: &str,
                period: &SurveyPeriod,
            ) -> Result<Vec<(OrgCode, IntegrityMode)>> {
                let rows: Vec<(String, String)> = sqlx::query_as(
                    r"
                    select distinct unit_code, integrity
                    from survey_publication
                    where survey_id = $1
                      and period = $2
                    order by unit_code, integrity
                    ",
                )
                .bind(survey_id)
                .bind(period.as_str())
                .fetch_all(&self.pool)
                .await?;
                let mut out = rows
                    .iter()
                    .map(|(unit, mode)| Ok((OrgCode::parse(unit)?, IntegrityMode::parse(mode)?)))
                    .collect::<Result<Vec<_>>>()?;
                // In code order whatever the database's collation.
                out.sort();
                Ok(out)
            }
        }
    };
}

impl_survey_store!(SqliteStore);
impl_survey_store!(PgStore);
