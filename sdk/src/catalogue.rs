//! Reporting to the platform's catalogue with typed records: upload (batched, idempotent),
//! CSV/XLSX import, query and history.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::error::{Error, FieldError, refused};

/// A record type of the data standard (implemented by every type in [`crate::records`]).
pub trait Record: Serialize + DeserializeOwned + Clone + Send + Sync {
    /// The type's URL slug, e.g. `enterprise`.
    const TYPE: &'static str;
    /// The key's element names.
    const KEY: &'static [&'static str];
    /// The record's key, parts joined by `/` (as the API's record URLs take it).
    fn key(&self) -> String;
}

/// How an upload treats refused records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// One refused record refuses the whole upload ([`Error::InvalidRecords`]); nothing stored.
    #[default]
    Atomic,
    /// The valid records are stored; the report lists the refused ones.
    Partial,
}

/// What became of one record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordStatus {
    /// A new record.
    Created,
    /// A new version of a record.
    Updated,
    /// Sent again as it was: no new version.
    Unchanged,
    /// Refused; see [`RecordResult::errors`].
    Refused,
    /// A status this version of the SDK does not know.
    #[serde(other)]
    Other,
}

/// One record of an upload's answer.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct RecordResult {
    /// Its position in the upload (for imports: the line or row).
    pub index: usize,
    /// The record type's slug.
    #[serde(rename = "type", default)]
    pub record_type: String,
    /// Its key, parts joined by `/`.
    pub key: String,
    /// What became of it.
    pub status: RecordStatus,
    /// The version now current.
    #[serde(default)]
    pub version: Option<i64>,
    /// Why it was refused: the same [`FieldError`]s as an atomic upload's
    /// [`Error::InvalidRecords`], with the record's index, type and key.
    #[serde(default)]
    pub errors: Vec<FieldError>,
}

/// The answer to an upload or import.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct UploadReport {
    /// Records received.
    pub received: usize,
    /// New records.
    pub created: usize,
    /// Records given a new version.
    pub updated: usize,
    /// Records sent again unchanged.
    pub unchanged: usize,
    /// Records refused (partial mode).
    pub refused: usize,
    /// Per record (imports list only refused rows).
    #[serde(default)]
    pub results: Vec<RecordResult>,
    /// Field errors left out of `results`: at most 20 are listed per record and 1,000 per
    /// answer.
    #[serde(default)]
    pub errors_omitted: usize,
}

impl UploadReport {
    /// Every refused field of every refused record (partial mode), in the shape an atomic
    /// upload's [`Error::InvalidRecords`] has.
    pub fn refused_fields(&self) -> impl Iterator<Item = &FieldError> {
        self.results.iter().flat_map(|r| r.errors.iter())
    }

    /// Gives each field error its record's index, type and key (the server lists them once,
    /// on the record).
    fn with_records_named(mut self) -> Self {
        for result in &mut self.results {
            for error in &mut result.errors {
                error.index = result.index;
                error.record_type.clone_from(&result.record_type);
                error.key.clone_from(&result.key);
            }
        }
        self
    }
}

/// The answer to an upload or import, or its refusal.
async fn report_from(response: reqwest::Response) -> Result<UploadReport, Error> {
    if !response.status().is_success() {
        return Err(refused(response).await);
    }
    Ok(response.json::<UploadReport>().await?.with_records_named())
}

/// One stored version of a record and who reported it.
#[derive(Debug, Clone, Deserialize)]
pub struct Version<R> {
    /// Version number, from 1.
    pub version: i64,
    /// Whether this is the current version.
    pub current: bool,
    /// The reporting organisation (`None` only for records from before every record had one).
    pub organisation_id: Option<String>,
    /// The reporting client.
    pub client_id: String,
    /// The reporting user, when there was one.
    pub user_id: Option<String>,
    /// `api`, `import` or `workflow`.
    pub source: String,
    /// When it was reported (Unix seconds).
    pub reported_at: i64,
    /// When a newer version replaced it.
    pub superseded_at: Option<i64>,
    /// The record as it was.
    pub record: R,
}

/// A record's current version and the earlier ones, newest first.
#[derive(Debug, Clone, Deserialize)]
pub struct History<R> {
    /// The current version.
    pub current: Version<R>,
    /// Earlier versions.
    pub history: Vec<Version<R>>,
}

/// A page of current records.
#[derive(Debug, Clone, Deserialize)]
pub struct Page<R> {
    /// The records.
    pub items: Vec<Version<R>>,
    /// Pass to [`Query::cursor`] for the next page; `None` on the last.
    pub next_cursor: Option<String>,
}

/// Filters for [`Catalogue::query`]: `Query::new().eq("TAGS", "智能穿戴").gte("CROWD_AMOUNT", "10")`.
#[derive(Debug, Clone, Default)]
pub struct Query {
    params: Vec<(String, String)>,
}

impl Query {
    /// No filters.
    pub fn new() -> Self {
        Query::default()
    }
    fn with(mut self, name: String, value: &str) -> Self {
        self.params.push((name, value.to_owned()));
        self
    }
    /// Field equals value.
    pub fn eq(self, field: &str, value: &str) -> Self {
        self.with(field.to_owned(), value)
    }
    /// Text contains value.
    pub fn contains(self, field: &str, value: &str) -> Self {
        self.with(format!("{field}.contains"), value)
    }
    /// Text starts with value.
    pub fn prefix(self, field: &str, value: &str) -> Self {
        self.with(format!("{field}.prefix"), value)
    }
    /// At least (numbers as numbers, dates as dates).
    pub fn gte(self, field: &str, value: &str) -> Self {
        self.with(format!("{field}.gte"), value)
    }
    /// At most.
    pub fn lte(self, field: &str, value: &str) -> Self {
        self.with(format!("{field}.lte"), value)
    }
    /// One of the codes.
    pub fn any_of(self, field: &str, values: &[&str]) -> Self {
        self.with(format!("{field}.in"), &values.join(","))
    }
    /// Sort by a field; `descending` for largest first.
    pub fn sort(self, field: &str, descending: bool) -> Self {
        let value = if descending {
            format!("-{field}")
        } else {
            field.to_owned()
        };
        self.with("sort".into(), &value)
    }
    /// Page size (1–1000).
    pub fn limit(self, limit: u32) -> Self {
        self.with("limit".into(), &limit.to_string())
    }
    /// Continue after a previous page.
    pub fn cursor(self, cursor: &str) -> Self {
        self.with("cursor".into(), cursor)
    }
}

/// The catalogue, acting with one access token.
pub struct Catalogue<'a> {
    http: &'a reqwest::Client,
    base: String,
    bearer: crate::bearer::Bearer<'a>,
}

impl<'a> Catalogue<'a> {
    pub(crate) fn new(
        http: &'a reqwest::Client,
        issuer: &str,
        bearer: crate::bearer::Bearer<'a>,
    ) -> Self {
        Catalogue {
            http,
            base: format!("{}/api/catalogue", issuer.trim_end_matches('/')),
            bearer,
        }
    }

    /// Reports records (at most 10,000 per call). With `idempotency_key`, a retry of the same
    /// call returns the first answer instead of reporting twice.
    ///
    /// ```no_run
    /// # async fn demo(client: nx_sdk::Client, token: String) -> Result<(), nx_sdk::Error> {
    /// use nx_sdk::records::Carrier;
    /// let carrier = Carrier {
    ///     base_code: "BASE-640106-001".into(),
    ///     enterprise_name: "塞上创客空间".into(),
    ///     ..Default::default()
    /// };
    /// let report = client.catalogue(&token).upload(&[carrier], Default::default(), None).await?;
    /// assert_eq!(report.refused, 0);
    /// # Ok(()) }
    /// ```
    pub async fn upload<R: Record>(
        &self,
        records: &[R],
        mode: Mode,
        idempotency_key: Option<&str>,
    ) -> Result<UploadReport, Error> {
        let mut request = self
            .http
            .post(format!("{}/{}", self.base, R::TYPE))
            .bearer_auth(self.bearer.token().await?)
            .json(records);
        if mode == Mode::Partial {
            request = request.query(&[("mode", "partial")]);
        }
        if let Some(key) = idempotency_key {
            request = request.header("Idempotency-Key", key);
        }
        let response = request.send().await?;
        report_from(response).await
    }

    /// Like [`Catalogue::upload`] for records of any type as JSON objects (element names as
    /// keys), e.g. rows read from a spreadsheet.
    pub async fn upload_values(
        &self,
        record_type: &str,
        records: &[serde_json::Value],
        mode: Mode,
        idempotency_key: Option<&str>,
    ) -> Result<UploadReport, Error> {
        let mut request = self
            .http
            .post(format!("{}/{record_type}", self.base))
            .bearer_auth(self.bearer.token().await?)
            .json(records);
        if mode == Mode::Partial {
            request = request.query(&[("mode", "partial")]);
        }
        if let Some(key) = idempotency_key {
            request = request.header("Idempotency-Key", key);
        }
        let response = request.send().await?;
        report_from(response).await
    }

    /// Imports a CSV (UTF-8 or GBK) or XLSX file of records of `record_type`, chosen by the
    /// file's extension.
    pub async fn import_file(
        &self,
        record_type: &str,
        path: &std::path::Path,
        mode: Mode,
    ) -> Result<UploadReport, Error> {
        let content_type = match path.extension().and_then(|e| e.to_str()) {
            Some(e) if e.eq_ignore_ascii_case("xlsx") => {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
            _ => "text/csv",
        };
        let bytes = tokio::fs::read(path).await?;
        let mut request = self
            .http
            .post(format!("{}/{record_type}/import", self.base))
            .bearer_auth(self.bearer.token().await?)
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .body(bytes);
        if mode == Mode::Partial {
            request = request.query(&[("mode", "partial")]);
        }
        let response = request.send().await?;
        report_from(response).await
    }

    /// Imports a CSV file (see [`Catalogue::import_file`]).
    pub async fn import_csv(
        &self,
        record_type: &str,
        path: &std::path::Path,
    ) -> Result<UploadReport, Error> {
        self.import_file(record_type, path, Mode::Atomic).await
    }

    /// A page of current records.
    pub async fn query<R: Record>(&self, query: &Query) -> Result<Page<R>, Error> {
        let response = self
            .http
            .get(format!("{}/{}", self.base, R::TYPE))
            .bearer_auth(self.bearer.token().await?)
            .query(&query.params)
            .send()
            .await?;
        if !response.status().is_success() {
            return Err(refused(response).await);
        }
        Ok(response.json().await?)
    }

    /// A record's current version and its history.
    pub async fn history<R: Record>(&self, key: &str) -> Result<History<R>, Error> {
        let mut url = url::Url::parse(&format!("{}/{}/", self.base, R::TYPE))
            .map_err(|e| Error::Config(e.to_string()))?;
        if let Ok(mut segments) = url.path_segments_mut() {
            segments.pop_if_empty();
            for part in key.split('/') {
                segments.push(part);
            }
        }
        let response = self
            .http
            .get(url)
            .bearer_auth(self.bearer.token().await?)
            .send()
            .await?;
        if !response.status().is_success() {
            return Err(refused(response).await);
        }
        Ok(response.json().await?)
    }
}

/// Field errors grouped by record, for showing to people.
pub fn by_record(errors: &[FieldError]) -> Vec<(usize, String, Vec<&FieldError>)> {
    let mut grouped: Vec<(usize, String, Vec<&FieldError>)> = Vec::new();
    for e in errors {
        match grouped.iter_mut().find(|(i, _, _)| *i == e.index) {
            Some((_, _, list)) => list.push(e),
            None => grouped.push((e.index, e.key.clone(), vec![e])),
        }
    }
    grouped
}
