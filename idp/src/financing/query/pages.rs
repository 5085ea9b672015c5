//! The console's 融资数据查询 page: browse and fuzzy-search a dataset, build a select, crosstab
//! or multi-dimensional query from a form (three conditions, sort, dimensions, measures), see it
//! as a table and a chart, export it, save it; administrators preview and run the changing
//! kinds. The form becomes the same query model the API takes.

use std::collections::BTreeMap;

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum_csrf::CsrfToken;
use serde::Deserialize;

use super::api::{browse_model, outcome, table};
use super::changes::{self, Assignment, ChangeKind, ChangeRequest};
use super::datasets::{self, DatasetInfo};
use super::model::*;
use super::run::Table;
use super::saved::{self, NewSavedQuery, SavedQuery};
use super::{QueryError, api::Outcome};
use crate::error::PageError;
use crate::platform::kit::pages::{ConsoleStaff, Lang, PageForm, form_token, render, see_other};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/console/financing/query", get(get_query))
        .route("/console/financing/query/export.csv", get(get_csv))
        .route("/console/financing/query/export.xlsx", get(get_xlsx))
        .route("/console/financing/query/saved", post(post_saved))
        .route("/console/financing/query/saved/{id}", get(get_saved))
        .route("/console/financing/query/changes", post(post_change))
}

impl From<QueryError> for PageError {
    fn from(e: QueryError) -> Self {
        match e {
            QueryError::Db(e) => PageError::Internal(e.into()),
            QueryError::NotFound(_) | QueryError::UnknownDataset(_) => PageError::NotFound,
            other => PageError::BadRequest(other.to_string()),
        }
    }
}

/// The builder form, as GET parameters (so a query is a link that can be kept).
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct QueryForm {
    pub kind: String,
    pub dataset: String,
    pub q: String,
    pub fields: String,
    pub join: String,
    pub f1: String,
    pub o1: String,
    pub v1: String,
    pub f2: String,
    pub o2: String,
    pub v2: String,
    pub f3: String,
    pub o3: String,
    pub v3: String,
    pub sort: String,
    pub desc: String,
    pub r1: String,
    pub b1: String,
    pub r2: String,
    pub b2: String,
    pub c: String,
    pub cb: String,
    pub m1: String,
    pub mf1: String,
    pub m2: String,
    pub mf2: String,
    pub offset: i64,
}

fn parse<T: serde::de::DeserializeOwned>(text: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(text.to_owned())).ok()
}

fn dimension(field: &str, bucket: &str) -> Option<Dimension> {
    (!field.trim().is_empty()).then(|| Dimension {
        field: field.trim().to_owned(),
        bucket: parse(bucket),
    })
}

impl QueryForm {
    /// The query model the form describes (`None` when no dataset is chosen).
    pub fn model(&self) -> Result<Option<QueryModel>, QueryError> {
        if self.dataset.is_empty() {
            return Ok(None);
        }
        let mut conditions = Vec::new();
        for (f, o, v) in [
            (&self.f1, &self.o1, &self.v1),
            (&self.f2, &self.o2, &self.v2),
            (&self.f3, &self.o3, &self.v3),
        ] {
            if f.trim().is_empty() {
                continue;
            }
            let op: Op = parse(o).ok_or_else(|| QueryError::Invalid {
                zh: format!("不支持的条件 {}", crate::catalogue::validate::echo(o)),
                en: format!("unknown operator {}", crate::catalogue::validate::echo(o)),
            })?;
            let (value, values) = match op {
                Op::In | Op::Between => (None, v.split(',').map(|s| s.trim().to_owned()).collect()),
                Op::IsNull | Op::NotNull => (None, Vec::new()),
                _ => (Some(v.clone()), Vec::new()),
            };
            conditions.push(Filter::Cond(Condition {
                field: f.trim().to_owned(),
                op,
                value,
                values,
                param: None,
            }));
        }
        let filter = match conditions.len() {
            0 => None,
            1 => conditions.pop(),
            _ if self.join == "or" => Some(Filter::Or(conditions)),
            _ => Some(Filter::And(conditions)),
        };
        let kind = parse(&self.kind).unwrap_or(QueryKind::Select);
        let mut measures = Vec::new();
        for (a, f) in [(&self.m1, &self.mf1), (&self.m2, &self.mf2)] {
            if let Some(aggregate) = parse(a) {
                measures.push(Measure {
                    aggregate,
                    field: (!f.trim().is_empty()).then(|| f.trim().to_owned()),
                });
            }
        }
        if measures.is_empty() && kind != QueryKind::Select {
            measures.push(Measure {
                aggregate: Aggregate::Count,
                field: None,
            });
        }
        Ok(Some(QueryModel {
            kind,
            dataset: self.dataset.clone(),
            fields: self
                .fields
                .split(',')
                .map(str::trim)
                .filter(|f| !f.is_empty())
                .map(str::to_owned)
                .collect(),
            filter,
            sort: (!self.sort.trim().is_empty())
                .then(|| SortKey {
                    field: self.sort.trim().to_owned(),
                    desc: !self.desc.is_empty(),
                })
                .into_iter()
                .collect(),
            rows: [dimension(&self.r1, &self.b1), dimension(&self.r2, &self.b2)]
                .into_iter()
                .flatten()
                .collect(),
            column: dimension(&self.c, &self.cb),
            measures,
            parameters: Vec::new(),
        }))
    }

    fn query_string(&self) -> String {
        let mut s = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("kind", &self.kind),
            ("dataset", &self.dataset),
            ("q", &self.q),
            ("fields", &self.fields),
            ("join", &self.join),
            ("f1", &self.f1),
            ("o1", &self.o1),
            ("v1", &self.v1),
            ("f2", &self.f2),
            ("o2", &self.o2),
            ("v2", &self.v2),
            ("f3", &self.f3),
            ("o3", &self.o3),
            ("v3", &self.v3),
            ("sort", &self.sort),
            ("desc", &self.desc),
            ("r1", &self.r1),
            ("b1", &self.b1),
            ("r2", &self.r2),
            ("b2", &self.b2),
            ("c", &self.c),
            ("cb", &self.cb),
            ("m1", &self.m1),
            ("mf1", &self.mf1),
            ("m2", &self.m2),
            ("mf2", &self.mf2),
        ] {
            if !v.is_empty() {
                s.append_pair(k, v);
            }
        }
        s.finish()
    }
}

#[derive(Template)]
#[template(path = "console_query.html")]
struct QueryPage {
    en: bool,
    staff: bool,
    csrf_token: String,
    datasets: Vec<DatasetInfo>,
    current: Option<DatasetInfo>,
    form: QueryForm,
    query: String,
    /// The result as a table, when a query ran.
    result: Option<Table>,
    next_offset: Option<i64>,
    /// The chart's data (groups and crosstabs), JSON for the page's script.
    chart: Option<String>,
    /// The model that ran, JSON (for saving it).
    model_json: String,
    message: Option<String>,
    saved: Vec<SavedQuery>,
    saved_id: String,
    preview: Option<ChangePreview>,
    audit: Vec<super::api::AuditEntry>,
    /// (field, operator, value, and their input names) of the three condition rows.
    conditions: Vec<(
        String,
        String,
        String,
        &'static str,
        &'static str,
        &'static str,
    )>,
    /// (field, bucket, input names, titles) of the row and column fields.
    dimensions: Vec<(
        String,
        String,
        &'static str,
        &'static str,
        &'static str,
        &'static str,
    )>,
    /// (aggregate, field, input names) of the two measures.
    measures: Vec<(String, String, &'static str, &'static str)>,
    ops: &'static [(&'static str, &'static str)],
    buckets: &'static [(&'static str, &'static str)],
    aggregates: &'static [(&'static str, &'static str)],
}

const OPS: &[(&str, &str)] = &[
    ("eq", "等于"),
    ("ne", "不等于"),
    ("contains", "包含（模糊）"),
    ("prefix", "开头是"),
    ("gt", "大于"),
    ("gte", "大于等于"),
    ("lt", "小于"),
    ("lte", "小于等于"),
    ("in", "属于（逗号分隔）"),
    ("between", "介于（两个值，逗号分隔）"),
    ("is_null", "为空"),
    ("not_null", "不为空"),
];
const BUCKETS: &[(&str, &str)] = &[
    ("", "原值"),
    ("year", "按年"),
    ("month", "按月"),
    ("day", "按日"),
    ("province", "省级区划"),
    ("prefecture", "地市级区划"),
];
const AGGREGATES: &[(&str, &str)] = &[
    ("", "—"),
    ("count", "计数"),
    ("sum", "求和"),
    ("avg", "平均"),
    ("min", "最小"),
    ("max", "最大"),
];

struct ChangePreview {
    kind: &'static str,
    rows: i64,
    sample: Table,
    request_json: String,
}

fn page_table(outcome: &Outcome) -> (Table, Option<i64>) {
    match outcome {
        Outcome::Select(p) => (
            Table {
                titles: p
                    .columns
                    .iter()
                    .map(|c| format!("{} {}", c.label_zh, c.name))
                    .collect(),
                rows: p.rows.clone(),
            },
            p.next_offset,
        ),
        Outcome::Crosstab(x) => (x.table(), None),
        Outcome::Groups(g) => (g.table(), None),
    }
}

/// The first measure of each group (or crosstab row total), for the bar chart.
fn chart_json(outcome: &Outcome) -> Option<String> {
    let buckets: Vec<serde_json::Value> = match outcome {
        Outcome::Select(_) => return None,
        Outcome::Crosstab(x) => x
            .rows
            .iter()
            .map(|r| serde_json::json!({"label": label(&r.keys), "count": number(r.total.first())}))
            .collect(),
        Outcome::Groups(g) => g
            .rows
            .iter()
            .filter(|r| r.level == g.fields.len())
            .map(
                |r| serde_json::json!({"label": label(&r.keys), "count": number(r.values.first())}),
            )
            .collect(),
    };
    Some(
        serde_json::json!({ "result": buckets })
            .to_string()
            .replace('<', "\\u003c"),
    )
}

fn label(keys: &[Option<String>]) -> String {
    keys.iter()
        .map(|k| k.as_deref().unwrap_or("—"))
        .collect::<Vec<_>>()
        .join(" / ")
}

fn number(v: Option<&Option<String>>) -> f64 {
    v.and_then(|v| v.as_deref())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0)
}

#[allow(clippy::too_many_arguments)]
async fn page(
    state: &AppState,
    staff: &ConsoleStaff,
    lang: Lang,
    csrf: CsrfToken,
    form: QueryForm,
    model: Option<QueryModel>,
    arguments: Arguments,
    saved_id: String,
    message: Option<String>,
    preview: Option<ChangePreview>,
) -> Result<Response, PageError> {
    let all = datasets::all(&state.db).await?;
    let current = all.iter().find(|d| d.id == form.dataset).cloned();
    let mut result = None;
    let mut next_offset = None;
    let mut chart = None;
    let mut message = message;
    let mut model_json = String::new();
    if let Some(model) = &model {
        model_json = serde_json::to_string(model).unwrap_or_default();
        match outcome(
            &state.db,
            model,
            &arguments,
            100,
            form.offset.clamp(0, super::run::MAX_OFFSET),
        )
        .await
        {
            Ok(o) => {
                let (t, next) = page_table(&o);
                result = Some(t);
                next_offset = next;
                chart = chart_json(&o);
            }
            Err(QueryError::Db(e)) => return Err(PageError::Internal(e.into())),
            Err(e) => message = Some(e.to_string()),
        }
    }
    let f = &form;
    let conditions = vec![
        (f.f1.clone(), f.o1.clone(), f.v1.clone(), "f1", "o1", "v1"),
        (f.f2.clone(), f.o2.clone(), f.v2.clone(), "f2", "o2", "v2"),
        (f.f3.clone(), f.o3.clone(), f.v3.clone(), "f3", "o3", "v3"),
    ];
    let dimensions = vec![
        (
            f.r1.clone(),
            f.b1.clone(),
            "r1",
            "b1",
            "行字段 1",
            "Row field 1",
        ),
        (
            f.r2.clone(),
            f.b2.clone(),
            "r2",
            "b2",
            "行字段 2",
            "Row field 2",
        ),
        (
            f.c.clone(),
            f.cb.clone(),
            "c",
            "cb",
            "列字段（交叉表）",
            "Column field (crosstab)",
        ),
    ];
    let measures = vec![
        (f.m1.clone(), f.mf1.clone(), "m1", "mf1"),
        (f.m2.clone(), f.mf2.clone(), "m2", "mf2"),
    ];
    let body = QueryPage {
        conditions,
        dimensions,
        measures,
        ops: OPS,
        buckets: BUCKETS,
        aggregates: AGGREGATES,
        en: lang.en,
        staff: true,
        csrf_token: form_token(&csrf)?,
        datasets: all,
        current,
        query: form.query_string(),
        form,
        result,
        next_offset,
        chart,
        model_json,
        message,
        saved: saved::list(&state.db, &staff.0.id).await?,
        saved_id,
        preview,
        audit: super::api::audit_entries(&state.db)
            .await?
            .into_iter()
            .take(20)
            .collect(),
    };
    Ok(render(lang, StatusCode::OK, Some(csrf), &body))
}

/// The page after a change's preview or run: the dataset chosen, no query run.
async fn told(
    state: &AppState,
    staff: &ConsoleStaff,
    lang: Lang,
    csrf: CsrfToken,
    back: QueryForm,
    message: Option<String>,
    preview: Option<ChangePreview>,
) -> Result<Response, PageError> {
    page(
        state,
        staff,
        lang,
        csrf,
        back,
        None,
        Arguments::new(),
        String::new(),
        message,
        preview,
    )
    .await
}

async fn get_query(
    State(state): State<AppState>,
    staff: ConsoleStaff,
    lang: Lang,
    csrf: CsrfToken,
    Query(form): Query<QueryForm>,
) -> Result<Response, PageError> {
    let model = if form.kind.is_empty() && !form.dataset.is_empty() {
        // Browsing (with the fuzzy search box).
        let d = datasets::find(&state.db, &form.dataset).await?;
        Some(browse_model(&d, Some(form.q.as_str())))
    } else {
        match form.model() {
            Ok(m) => m,
            Err(e) => {
                let message = Some(e.to_string());
                return page(
                    &state,
                    &staff,
                    lang,
                    csrf,
                    form,
                    None,
                    Arguments::new(),
                    String::new(),
                    message,
                    None,
                )
                .await;
            }
        }
    };
    page(
        &state,
        &staff,
        lang,
        csrf,
        form,
        model,
        Arguments::new(),
        String::new(),
        None,
        None,
    )
    .await
}

async fn export(state: &AppState, form: &QueryForm) -> Result<Table, PageError> {
    let model = if form.kind.is_empty() {
        let d = datasets::find(&state.db, &form.dataset).await?;
        browse_model(&d, Some(form.q.as_str()))
    } else {
        form.model()?
            .ok_or_else(|| PageError::BadRequest("请选择数据集 / choose a dataset".into()))?
    };
    Ok(table(&state.db, &model, &Arguments::new()).await?)
}

fn download(bytes: Vec<u8>, content_type: &'static str, name: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

async fn get_csv(
    State(state): State<AppState>,
    _staff: ConsoleStaff,
    Query(form): Query<QueryForm>,
) -> Result<Response, PageError> {
    let t = export(&state, &form).await?;
    Ok(download(t.csv(), "text/csv; charset=utf-8", "query.csv"))
}

async fn get_xlsx(
    State(state): State<AppState>,
    _staff: ConsoleStaff,
    Query(form): Query<QueryForm>,
) -> Result<Response, PageError> {
    let t = export(&state, &form).await?;
    let bytes = t
        .xlsx()
        .map_err(|e| PageError::Internal(anyhow::anyhow!(e)))?;
    Ok(download(
        bytes,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "query.xlsx",
    ))
}

#[derive(Deserialize)]
struct SaveForm {
    name: String,
    #[serde(default)]
    shared: Option<String>,
    model_json: String,
}

async fn post_saved(
    State(state): State<AppState>,
    staff: ConsoleStaff,
    PageForm(form): PageForm<SaveForm>,
) -> Result<Response, PageError> {
    let model: QueryModel = serde_json::from_str(&form.model_json)
        .map_err(|e| PageError::BadRequest(format!("查询无效 / invalid query: {e}")))?;
    super::api::check_model(&state.db, &model).await?;
    let saved = saved::create(
        &state.db,
        &staff.0.id,
        &NewSavedQuery {
            name: form.name,
            shared: form.shared.is_some(),
            model,
        },
        state.now(),
    )
    .await?;
    Ok(see_other(&format!(
        "/console/financing/query/saved/{}",
        saved.id
    )))
}

async fn get_saved(
    State(state): State<AppState>,
    staff: ConsoleStaff,
    lang: Lang,
    csrf: CsrfToken,
    Path(id): Path<String>,
    Query(arguments): Query<BTreeMap<String, String>>,
) -> Result<Response, PageError> {
    let q = saved::find(&state.db, &staff.0.id, &id).await?;
    let form = QueryForm {
        dataset: q.model.dataset.clone(),
        kind: format!("{:?}", q.model.kind).to_ascii_lowercase(),
        ..Default::default()
    };
    let arguments: Arguments = arguments
        .into_iter()
        .filter(|(k, _)| q.model.parameters.iter().any(|p| &p.name == k))
        .collect();
    page(
        &state,
        &staff,
        lang,
        csrf,
        form,
        Some(q.model),
        arguments,
        id,
        None,
        None,
    )
    .await
}

#[derive(Deserialize)]
struct ChangeForm {
    /// `preview` or `run`.
    action: String,
    #[serde(default)]
    request_json: String,
    #[serde(default)]
    confirm_rows: Option<i64>,
    #[serde(default)]
    change: String,
    #[serde(default)]
    dataset: String,
    #[serde(default)]
    f1: String,
    #[serde(default)]
    o1: String,
    #[serde(default)]
    v1: String,
    #[serde(default)]
    set_field: String,
    #[serde(default)]
    set_value: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    target: String,
    #[serde(default)]
    organisation_id: String,
}

async fn post_change(
    State(state): State<AppState>,
    staff: ConsoleStaff,
    lang: Lang,
    csrf: CsrfToken,
    PageForm(form): PageForm<ChangeForm>,
) -> Result<Response, PageError> {
    let request: ChangeRequest = if form.action == "run" {
        let mut r: ChangeRequest = serde_json::from_str(&form.request_json)
            .map_err(|e| PageError::BadRequest(format!("请求无效 / invalid request: {e}")))?;
        r.confirm_rows = form.confirm_rows;
        r
    } else {
        let builder = QueryForm {
            kind: "select".into(),
            dataset: form.dataset.clone(),
            f1: form.f1.clone(),
            o1: form.o1.clone(),
            v1: form.v1.clone(),
            ..Default::default()
        };
        let query = builder
            .model()?
            .ok_or_else(|| PageError::BadRequest("请选择数据集 / choose a dataset".into()))?;
        ChangeRequest {
            kind: parse(&form.change)
                .ok_or_else(|| PageError::BadRequest("请选择更改类型 / choose a kind".into()))?,
            query,
            arguments: Arguments::new(),
            set: (!form.set_field.trim().is_empty())
                .then(|| Assignment {
                    field: form.set_field.trim().to_owned(),
                    value: Some(form.set_value.clone()),
                })
                .into_iter()
                .collect(),
            target: (!form.target.trim().is_empty()).then(|| form.target.trim().to_owned()),
            mapping: BTreeMap::new(),
            organisation_id: (!form.organisation_id.trim().is_empty())
                .then(|| form.organisation_id.trim().to_owned()),
            name: (!form.name.trim().is_empty()).then(|| form.name.trim().to_owned()),
            confirm_rows: None,
        }
    };
    let back = QueryForm {
        dataset: request.query.dataset.clone(),
        ..Default::default()
    };
    if form.action == "run" {
        return match changes::execute(&state.db, &request, &staff.0.id, state.now()).await {
            Ok(done) => {
                let message = format!(
                    "已执行：{}，涉及 {} 行（审计记录 {}）。Done: {}, {} rows (audit entry {}).",
                    kind_zh(done.kind),
                    done.rows_touched,
                    done.audit,
                    done.kind.code(),
                    done.rows_touched,
                    done.audit
                );
                told(&state, &staff, lang, csrf, back, Some(message), None).await
            }
            Err(QueryError::Db(e)) => Err(PageError::Internal(e.into())),
            Err(e) => {
                let message = match &e {
                    QueryError::Fields(errors) => {
                        format!("{e} {}", serde_json::to_string(errors).unwrap_or_default())
                    }
                    _ => e.to_string(),
                };
                told(&state, &staff, lang, csrf, back, Some(message), None).await
            }
        };
    }
    match changes::preview(&state.db, &request).await {
        Ok(p) => {
            let preview = ChangePreview {
                kind: kind_zh(p.kind),
                rows: p.rows,
                sample: Table {
                    titles: p
                        .sample
                        .columns
                        .iter()
                        .map(|c| format!("{} {}", c.label_zh, c.name))
                        .collect(),
                    rows: p.sample.rows,
                },
                request_json: serde_json::to_string(&request).unwrap_or_default(),
            };
            told(&state, &staff, lang, csrf, back, None, Some(preview)).await
        }
        Err(QueryError::Db(e)) => Err(PageError::Internal(e.into())),
        Err(e) => told(&state, &staff, lang, csrf, back, Some(e.to_string()), None).await,
    }
}

fn kind_zh(kind: ChangeKind) -> &'static str {
    match kind {
        ChangeKind::Update => "更新查询 update",
        ChangeKind::Delete => "删除查询 delete",
        ChangeKind::Append => "追加查询 append",
        ChangeKind::MakeTable => "生成表查询 make-table",
    }
}

/// A cell as shown.
fn cell(v: &Option<String>) -> &str {
    v.as_deref().unwrap_or("")
}

fn same(a: &str, b: &str) -> bool {
    a == b
}

fn when(t: &i64) -> String {
    crate::clock::shanghai_time(*t)
}
