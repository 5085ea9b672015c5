//! `/api/financing/query`: 融资数据查询 for financing staff (`financing:staff`); the changing
//! kinds for administrators holding `financing:data-admin`.

use std::collections::BTreeMap;

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::changes::{self, ChangeRequest, Done, Preview};
use super::datasets::{self, DatasetInfo};
use super::model::*;
use super::run::{self, Crosstab, Groups, Page, Table};
use super::saved::{self, NewSavedQuery, SavedQuery};
use super::{QueryError, compile};
use crate::error::{ApiError, Problem};
use crate::financing::api::Financing;
use crate::platform::kit::api::{ApiJson, ApiStaff, Area};
use crate::state::AppState;

/// The changing kinds' area: an administrator's token with `financing:data-admin`.
pub struct DataAdmin;

impl Area for DataAdmin {
    const SCOPE: &'static str = crate::financing::SCOPE;
    const STAFF_SCOPE: Option<&'static str> = Some(crate::financing::DATA_ADMIN_SCOPE);
}

type Answer<T> = Result<Json<T>, ApiError>;
type Staff = ApiStaff<Financing>;

impl From<QueryError> for ApiError {
    fn from(e: QueryError) -> Self {
        let detail = e.to_string();
        match e {
            QueryError::UnknownDataset(_) | QueryError::NotFound(_) => ApiError::NotFound(detail),
            QueryError::UnknownField { .. }
            | QueryError::MissingParameter(_)
            | QueryError::Invalid { .. } => {
                ApiError::refused(StatusCode::BAD_REQUEST, "invalid-query", detail)
            }
            QueryError::Exists(_) => ApiError::refused(StatusCode::CONFLICT, "name-taken", detail),
            QueryError::Changed { previewed, now } => {
                ApiError::refused(StatusCode::CONFLICT, "rows-changed", detail)
                    .with("previewed_rows", json!(previewed))
                    .with("rows", json!(now))
            }
            QueryError::Fields(errors) => {
                ApiError::refused(StatusCode::UNPROCESSABLE_ENTITY, "invalid-fields", detail)
                    .with("errors", json!(errors))
            }
            QueryError::Db(e) => ApiError::internal(e),
        }
    }
}

#[derive(OpenApi)]
#[openapi(
    tags((name = "data-query", description = "融资数据查询 / Financing data query (seed 二.3): browse, select, crosstab, multi-dimensional, saved queries, and administrators' update, delete, append and make-table queries")),
    components(schemas(Problem))
)]
struct Doc;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(Doc::openapi())
        .routes(routes!(list_datasets))
        .routes(routes!(browse))
        .routes(routes!(run_query))
        .routes(routes!(export_query))
        .routes(routes!(list_saved, save))
        .routes(routes!(show_saved, delete_saved))
        .routes(routes!(run_saved))
        .routes(routes!(export_saved))
        .routes(routes!(preview_change))
        .routes(routes!(run_change))
        .routes(routes!(audit))
}

/// 数据集 / Every dataset with its fields' labels.
#[utoipa::path(get, path = "/api/financing/query/datasets", tag = "data-query",
    security(("bearer" = ["financing:staff"])), responses((status = 200, body = Vec<DatasetInfo>)))]
async fn list_datasets(State(state): State<AppState>, _staff: Staff) -> Answer<Vec<DatasetInfo>> {
    Ok(Json(datasets::all(&state.db).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct BrowseParams {
    /// Fuzzy search: rows whose text fields contain this.
    pub q: Option<String>,
    #[serde(default = "default_limit")]
    pub limit: i64,
    #[serde(default)]
    pub offset: i64,
}

fn default_limit() -> i64 {
    100
}

/// The model of a browse: every column, optionally any text column containing `q`.
pub fn browse_model(dataset: &datasets::Dataset, q: Option<&str>) -> QueryModel {
    let filter = q.map(str::trim).filter(|q| !q.is_empty()).map(|q| {
        Filter::Or(
            dataset
                .columns
                .iter()
                .filter(|c| !c.numeric)
                .take(MAX_CONDITIONS)
                .map(|c| {
                    Filter::Cond(Condition {
                        field: c.name.clone(),
                        op: Op::Contains,
                        value: Some(q.to_owned()),
                        values: Vec::new(),
                        param: None,
                    })
                })
                .collect(),
        )
    });
    QueryModel {
        kind: QueryKind::Select,
        dataset: dataset.id.clone(),
        fields: Vec::new(),
        filter,
        sort: Vec::new(),
        rows: Vec::new(),
        column: None,
        measures: Vec::new(),
        parameters: Vec::new(),
    }
}

/// 浏览与模糊查询 / A dataset's rows, optionally those containing `q` in any text field.
#[utoipa::path(get, path = "/api/financing/query/datasets/{dataset}/rows", tag = "data-query",
    security(("bearer" = ["financing:staff"])), params(("dataset" = String, Path), BrowseParams),
    responses((status = 200, body = Page), (status = 404, body = Problem)))]
async fn browse(
    State(state): State<AppState>,
    _staff: Staff,
    Path(dataset): Path<String>,
    Query(params): Query<BrowseParams>,
) -> Answer<Page> {
    let dataset = datasets::find(&state.db, &dataset).await?;
    let model = browse_model(&dataset, params.q.as_deref());
    Ok(Json(
        run::select_page(
            &state.db,
            &dataset,
            &model,
            &Arguments::new(),
            params.limit,
            params.offset,
        )
        .await?,
    ))
}

/// A query's result, by its kind.
#[derive(Debug, Serialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Outcome {
    Select(Page),
    Crosstab(Crosstab),
    Groups(Groups),
}

/// A run: the model, its parameter values and (select) the page.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RunRequest {
    pub model: QueryModel,
    #[serde(default)]
    pub arguments: Arguments,
    #[serde(default = "default_limit")]
    pub limit: i64,
    #[serde(default)]
    pub offset: i64,
}

/// Runs a model of any read kind.
pub async fn outcome(
    db: &crate::db::Db,
    model: &QueryModel,
    arguments: &Arguments,
    limit: i64,
    offset: i64,
) -> Result<Outcome, QueryError> {
    let dataset = datasets::find(db, &model.dataset).await?;
    Ok(match model.kind {
        QueryKind::Select => {
            Outcome::Select(run::select_page(db, &dataset, model, arguments, limit, offset).await?)
        }
        QueryKind::Crosstab => {
            Outcome::Crosstab(run::crosstab(db, &dataset, model, arguments).await?)
        }
        QueryKind::Groups => Outcome::Groups(run::groups(db, &dataset, model, arguments).await?),
    })
}

/// The whole result as a table (select: every row up to the export cap).
pub async fn table(
    db: &crate::db::Db,
    model: &QueryModel,
    arguments: &Arguments,
) -> Result<Table, QueryError> {
    let dataset = datasets::find(db, &model.dataset).await?;
    Ok(match model.kind {
        QueryKind::Select => run::select_table(db, &dataset, model, arguments).await?,
        QueryKind::Crosstab => run::crosstab(db, &dataset, model, arguments).await?.table(),
        QueryKind::Groups => run::groups(db, &dataset, model, arguments).await?.table(),
    })
}

/// 运行查询 / Runs a select, crosstab or multi-dimensional query model.
#[utoipa::path(post, path = "/api/financing/query/run", tag = "data-query",
    security(("bearer" = ["financing:staff"])), request_body = RunRequest,
    responses((status = 200, body = Outcome), (status = 400, body = Problem)))]
async fn run_query(
    State(state): State<AppState>,
    _staff: Staff,
    ApiJson(request): ApiJson<RunRequest>,
) -> Answer<Outcome> {
    Ok(Json(
        outcome(
            &state.db,
            &request.model,
            &request.arguments,
            request.limit,
            request.offset,
        )
        .await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ExportParams {
    /// `csv` (default) or `xlsx`.
    pub format: Option<String>,
}

/// The file of a table.
pub fn file(table: &Table, format: Option<&str>, name: &str) -> Result<Response, ApiError> {
    let (bytes, content_type, ext) = match format.unwrap_or("csv") {
        "csv" => (table.csv(), "text/csv; charset=utf-8", "csv"),
        "xlsx" => (
            table.xlsx().map_err(ApiError::internal)?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ),
        _ => {
            return Err(ApiError::BadRequest(
                "format 为 csv 或 xlsx / format is csv or xlsx".into(),
            ));
        }
    };
    Response::builder()
        .header(header::CONTENT_TYPE, content_type)
        .header(
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}.{ext}\""),
        )
        .body(Body::from(bytes))
        .map_err(ApiError::internal)
}

/// 导出 / A query's whole result as CSV or XLSX (select: up to 100,000 rows).
#[utoipa::path(post, path = "/api/financing/query/export", tag = "data-query",
    security(("bearer" = ["financing:staff"])), params(ExportParams), request_body = RunRequest,
    responses((status = 200, description = "CSV or XLSX"), (status = 400, body = Problem)))]
async fn export_query(
    State(state): State<AppState>,
    _staff: Staff,
    Query(params): Query<ExportParams>,
    ApiJson(request): ApiJson<RunRequest>,
) -> Result<Response, ApiError> {
    let t = table(&state.db, &request.model, &request.arguments).await?;
    file(&t, params.format.as_deref(), "query")
}

/// 保存的查询 / The caller's saved queries and those shared.
#[utoipa::path(get, path = "/api/financing/query/saved", tag = "data-query",
    security(("bearer" = ["financing:staff"])), responses((status = 200, body = Vec<SavedQuery>)))]
async fn list_saved(
    State(state): State<AppState>,
    ApiStaff(caller, _): Staff,
) -> Answer<Vec<SavedQuery>> {
    Ok(Json(saved::list(&state.db, &caller.user_id).await?))
}

/// Checks that a model compiles (dataset, fields, operators) before it is kept.
pub async fn check_model(db: &crate::db::Db, model: &QueryModel) -> Result<(), QueryError> {
    let dataset = datasets::find(db, &model.dataset).await?;
    // Parameters without defaults are checked with a placeholder value.
    let arguments: Arguments = model
        .parameters
        .iter()
        .filter(|p| p.default.is_none())
        .map(|p| (p.name.clone(), "0".to_owned()))
        .collect();
    match model.kind {
        QueryKind::Select => {
            compile::select(db.backend(), &dataset, model, &arguments, 1, 0).map(|_| ())
        }
        QueryKind::Crosstab | QueryKind::Groups => {
            let mut dims = model.rows.clone();
            dims.extend(model.column.clone());
            if dims.is_empty() {
                return Err(QueryError::Invalid {
                    zh: "需要分组字段 rows".into(),
                    en: "grouping fields (rows) are needed".into(),
                });
            }
            compile::grouped(db.backend(), &dataset, model, &arguments, &dims, 1).map(|_| ())
        }
    }
}

/// 保存查询 / Saves a query under a name (shared: every staff member sees it).
#[utoipa::path(post, path = "/api/financing/query/saved", tag = "data-query",
    security(("bearer" = ["financing:staff"])), request_body = NewSavedQuery,
    responses((status = 201, body = SavedQuery), (status = 400, body = Problem), (status = 409, body = Problem)))]
async fn save(
    State(state): State<AppState>,
    ApiStaff(caller, _): Staff,
    ApiJson(new): ApiJson<NewSavedQuery>,
) -> Result<(StatusCode, Json<SavedQuery>), ApiError> {
    check_model(&state.db, &new.model).await?;
    let saved = saved::create(&state.db, &caller.user_id, &new, state.now()).await?;
    Ok((StatusCode::CREATED, Json(saved)))
}

/// 查询详情 / A saved query.
#[utoipa::path(get, path = "/api/financing/query/saved/{id}", tag = "data-query",
    security(("bearer" = ["financing:staff"])), params(("id" = String, Path)),
    responses((status = 200, body = SavedQuery), (status = 404, body = Problem)))]
async fn show_saved(
    State(state): State<AppState>,
    ApiStaff(caller, _): Staff,
    Path(id): Path<String>,
) -> Answer<SavedQuery> {
    Ok(Json(saved::find(&state.db, &caller.user_id, &id).await?))
}

/// 删除查询 / Deletes one of the caller's saved queries.
#[utoipa::path(delete, path = "/api/financing/query/saved/{id}", tag = "data-query",
    security(("bearer" = ["financing:staff"])), params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = Problem)))]
async fn delete_saved(
    State(state): State<AppState>,
    ApiStaff(caller, _): Staff,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    saved::delete(&state.db, &caller.user_id, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A saved query's rerun: new parameter values and (select) the page.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RerunRequest {
    #[serde(default)]
    pub arguments: Arguments,
    #[serde(default = "default_limit")]
    pub limit: i64,
    #[serde(default)]
    pub offset: i64,
}

/// 重新运行 / Runs a saved query with new parameter values.
#[utoipa::path(post, path = "/api/financing/query/saved/{id}/run", tag = "data-query",
    security(("bearer" = ["financing:staff"])), params(("id" = String, Path)), request_body = RerunRequest,
    responses((status = 200, body = Outcome), (status = 404, body = Problem)))]
async fn run_saved(
    State(state): State<AppState>,
    ApiStaff(caller, _): Staff,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<RerunRequest>,
) -> Answer<Outcome> {
    let q = saved::find(&state.db, &caller.user_id, &id).await?;
    Ok(Json(
        outcome(
            &state.db,
            &q.model,
            &request.arguments,
            request.limit,
            request.offset,
        )
        .await?,
    ))
}

/// 导出保存的查询 / A saved query's result as CSV or XLSX; other query parameters are the
/// query's parameter values.
#[utoipa::path(get, path = "/api/financing/query/saved/{id}/export", tag = "data-query",
    security(("bearer" = ["financing:staff"])), params(("id" = String, Path), ExportParams),
    responses((status = 200, description = "CSV or XLSX"), (status = 404, body = Problem)))]
async fn export_saved(
    State(state): State<AppState>,
    ApiStaff(caller, _): Staff,
    Path(id): Path<String>,
    Query(mut params): Query<BTreeMap<String, String>>,
) -> Result<Response, ApiError> {
    let format = params.remove("format");
    let q = saved::find(&state.db, &caller.user_id, &id).await?;
    let t = table(&state.db, &q.model, &params).await?;
    file(&t, format.as_deref(), "query")
}

/// 预览更改 / How many rows an update, delete, append or make-table query touches, with a
/// sample (administrators with `financing:data-admin`).
#[utoipa::path(post, path = "/api/financing/query/changes/preview", tag = "data-query",
    security(("bearer" = ["financing:data-admin"])), request_body = ChangeRequest,
    responses((status = 200, body = Preview), (status = 403, body = Problem)))]
async fn preview_change(
    State(state): State<AppState>,
    _admin: ApiStaff<DataAdmin>,
    ApiJson(request): ApiJson<ChangeRequest>,
) -> Answer<Preview> {
    Ok(Json(changes::preview(&state.db, &request).await?))
}

/// 执行更改 / Runs a previewed changing query in one transaction (`confirm_rows`: the count
/// the preview showed); audited.
#[utoipa::path(post, path = "/api/financing/query/changes", tag = "data-query",
    security(("bearer" = ["financing:data-admin"])), request_body = ChangeRequest,
    responses((status = 200, body = Done), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn run_change(
    State(state): State<AppState>,
    ApiStaff(caller, _): ApiStaff<DataAdmin>,
    ApiJson(request): ApiJson<ChangeRequest>,
) -> Answer<Done> {
    Ok(Json(
        changes::execute(&state.db, &request, &caller.user_id, state.now()).await?,
    ))
}

/// An audit entry of a changing query.
#[derive(Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: i64,
    pub user_id: String,
    pub kind: String,
    pub dataset: String,
    /// The request, JSON.
    pub model: String,
    pub rows_touched: i64,
    /// The records touched (the first 1,000), JSON.
    pub keys: String,
}

/// The most recent audit entries (200).
pub async fn audit_entries(db: &crate::db::Db) -> Result<Vec<AuditEntry>, QueryError> {
    Ok(crate::with_pool!(db, pool => {
        sqlx::query_as::<_, AuditEntry>("SELECT seq, at, user_id, kind, dataset, model, rows_touched, keys FROM dq_audit ORDER BY seq DESC LIMIT 200")
            .fetch_all(pool)
            .await?
    }))
}

/// 更改记录 / Who ran which changing query, when, and what it touched (newest first).
#[utoipa::path(get, path = "/api/financing/query/audit", tag = "data-query",
    security(("bearer" = ["financing:staff"])), responses((status = 200, body = Vec<AuditEntry>)))]
async fn audit(State(state): State<AppState>, _staff: Staff) -> Answer<Vec<AuditEntry>> {
    Ok(Json(audit_entries(&state.db).await?))
}
