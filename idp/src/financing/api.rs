//! `/api/financing`: the financing services platform (scope `financing`, staff powers with
//! `financing:staff`). Each handler's OpenAPI operation sits on it; the router and the document
//! are built together (`utoipa-axum`).

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::documents::Upload;
use super::funds::Funds;
use super::lifecycle::{Action, Product, State as AppState_};
use super::model::*;
use super::stats::{Period, Statistics};
use super::supervision::{BridgeDetail, BridgePage, LeasingRow};
use super::{FinancingError, OVERDUE_JOB, SCOPE, STAFF_SCOPE, Service};
use crate::error::{ApiError, Problem};
use crate::platform::kit::api::{ApiCaller, ApiJson, ApiStaff, ApiWriter, Area};
use crate::state::AppState;

/// Financing's part of the API: its scope and its staff scope.
pub struct Financing;

impl Area for Financing {
    const SCOPE: &'static str = SCOPE;
    const STAFF_SCOPE: Option<&'static str> = Some(STAFF_SCOPE);
}

type Fin = Extension<Arc<Service>>;
type Answer<T> = Result<Json<T>, ApiError>;
type Created<T> = Result<(StatusCode, Json<T>), ApiError>;

#[derive(OpenApi)]
#[openapi(
    tags((name = "financing", description = "融资服务平台 / Financing services (seed 二.3): risk compensation, bridge loans, leasing subsidies")),
    components(schemas(Problem))
)]
struct Doc;

fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(Doc::openapi())
        .routes(routes!(document_kinds))
        .routes(routes!(partners))
        .routes(routes!(list_applications, create_application))
        .routes(routes!(show_application, update_application))
        .routes(routes!(act))
        .routes(routes!(audit))
        .routes(routes!(upload_document))
        .routes(routes!(download_document))
        .routes(routes!(bridge_supervision))
        .routes(routes!(bridge_detail))
        .routes(routes!(leasing_supervision))
        .routes(routes!(statistics))
        .routes(routes!(funds))
        .routes(routes!(set_affiliation))
        .routes(routes!(run_scheduler))
        .merge(super::mutual::api::routes())
        .merge(super::query::api::routes())
        .merge(super::risk::api::routes())
}

pub fn router() -> Router<AppState> {
    routes().split_for_parts().0
}

pub fn openapi() -> utoipa::openapi::OpenApi {
    routes().split_for_parts().1
}

/// The one mapping from the platform's errors to problem documents.
impl From<FinancingError> for ApiError {
    fn from(e: FinancingError) -> Self {
        match e {
            FinancingError::Transition(r) => {
                ApiError::transition_refused(r.current, &r.allowed, &r.reason_zh, &r.reason_en)
            }
            FinancingError::Exceeded(ref x) => {
                let (limit, limit_fen, used_fen, requested_fen) =
                    (x.limit, x.limit_fen, x.used_fen, x.requested_fen);
                ApiError::refused(StatusCode::CONFLICT, "limit-exceeded", e.to_string())
                    .with("limit", json!(limit))
                    .with("limit_fen", json!(limit_fen))
                    .with("used_fen", json!(used_fen))
                    .with("requested_fen", json!(requested_fen))
            }
            FinancingError::Paused(ref p) => {
                let (overdue, outstanding) = (p.overdue_fen, p.outstanding_fen);
                let (rate, threshold) = (
                    super::mutual::ppm_percent(p.rate_ppm),
                    super::mutual::ppm_percent(p.threshold_ppm),
                );
                ApiError::refused(StatusCode::CONFLICT, "fund-paused", e.to_string())
                    .with("overdue_principal_fen", json!(overdue))
                    .with("outstanding_principal_fen", json!(outstanding))
                    .with("overdue_rate_percent", json!(rate))
                    .with("threshold_percent", json!(threshold))
            }
            FinancingError::TooLarge { limit } => ApiError::too_large(e.to_string(), limit),
            FinancingError::InvalidFields(errors) => ApiError::invalid_fields(&errors),
            FinancingError::NotFound(what) => ApiError::NotFound(what),
            FinancingError::Forbidden(why) => ApiError::Forbidden(why),
            FinancingError::Invalid(why) => ApiError::BadRequest(why),
            FinancingError::Db(e) => ApiError::internal(e),
        }
    }
}

#[derive(Serialize, ToSchema)]
struct Kind {
    code: &'static str,
    zh: &'static str,
    en: &'static str,
}

/// 材料类型 / The kinds of document an application carries.
#[utoipa::path(get, path = "/api/financing/document-kinds", tag = "financing",
    security(("bearer" = ["financing"])), responses((status = 200, body = Vec<Kind>)))]
async fn document_kinds(_caller: ApiCaller<Financing>) -> Json<Vec<Kind>> {
    Json(document_kinds_list())
}

fn document_kinds_list() -> Vec<Kind> {
    super::model::document_kinds()
        .into_iter()
        .map(|(code, zh, en)| Kind { code, zh, en })
        .collect()
}

#[derive(Serialize, ToSchema, sqlx::FromRow)]
struct Partner {
    id: String,
    name: String,
    /// `bank` or `insurer`.
    kind: String,
}

/// 合作机构 / The lending banks and the insurers and guarantors an application can name.
#[utoipa::path(get, path = "/api/financing/partners", tag = "financing",
    security(("bearer" = ["financing"])), responses((status = 200, body = Vec<Partner>)))]
async fn partners(
    State(state): State<AppState>,
    _caller: ApiCaller<Financing>,
) -> Answer<Vec<Partner>> {
    let rows = crate::with_pool!(&state.db, pool => {
        sqlx::query_as::<_, Partner>("SELECT id, name, kind FROM organisations WHERE kind IN ('bank', 'insurer') AND frozen_at IS NULL ORDER BY kind, name LIMIT 500")
            .fetch_all(pool).await.map_err(|e| ApiError::internal(crate::db::DbError::Query(e)))?
    });
    Ok(Json(rows))
}

#[derive(Deserialize, IntoParams)]
struct ListQuery {
    /// bridge, compensation or leasing.
    product: Option<String>,
    /// A state: the review queue of that state (risk compensation's priority enterprises first).
    state: Option<String>,
    /// At most 200 (the default).
    limit: Option<i64>,
}

/// 申请列表 / Applications the caller may see: an enterprise its own, a bank those addressed to
/// it, an insurer those it insures, staff all.
#[utoipa::path(get, path = "/api/financing/applications", tag = "financing",
    security(("bearer" = ["financing"])), params(ListQuery),
    responses((status = 200, body = Vec<Summary>), (status = 400, body = Problem)))]
async fn list_applications(
    State(state): State<AppState>,
    Extension(fin): Fin,
    ApiCaller(caller, _): ApiCaller<Financing>,
    Query(q): Query<ListQuery>,
) -> Answer<Vec<Summary>> {
    let product = match q.product.as_deref() {
        Some(p) => Some(
            Product::parse(p)
                .ok_or_else(|| ApiError::BadRequest(format!("unknown product `{p}`")))?,
        ),
        None => None,
    };
    let wanted = match q.state.as_deref() {
        Some(s) => Some(
            AppState_::parse(s)
                .ok_or_else(|| ApiError::BadRequest(format!("unknown state `{s}`")))?,
        ),
        None => None,
    };
    Ok(Json(
        fin.list(&state.db, &caller, product, wanted, q.limit.unwrap_or(200))
            .await?,
    ))
}

/// 在线申请 / A new application (a draft) by an enterprise user.
#[utoipa::path(post, path = "/api/financing/applications", tag = "financing",
    security(("bearer" = ["financing"])), request_body = ApplicationInput,
    responses((status = 201, body = ApplicationView), (status = 400, body = Problem),
        (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn create_application(
    State(state): State<AppState>,
    Extension(fin): Fin,
    ApiWriter(caller, _): ApiWriter<Financing>,
    ApiJson(input): ApiJson<ApplicationInput>,
) -> Created<ApplicationView> {
    let view = fin.create(&state.db, &caller, &input, state.now()).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// 申请详情 / One application with the caller's next actions and the documents still needed.
#[utoipa::path(get, path = "/api/financing/applications/{id}", tag = "financing",
    security(("bearer" = ["financing"])), params(("id" = String, Path)),
    responses((status = 200, body = ApplicationView), (status = 404, body = Problem)))]
async fn show_application(
    State(state): State<AppState>,
    Extension(fin): Fin,
    ApiCaller(caller, _): ApiCaller<Financing>,
    Path(id): Path<String>,
) -> Answer<ApplicationView> {
    Ok(Json(fin.view(&state.db, &caller, &id, state.now()).await?))
}

/// 修改草稿 / Changes a draft (the applicant's; also after it was returned).
#[utoipa::path(put, path = "/api/financing/applications/{id}", tag = "financing",
    security(("bearer" = ["financing"])), params(("id" = String, Path)), request_body = ApplicationInput,
    responses((status = 200, body = ApplicationView), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn update_application(
    State(state): State<AppState>,
    Extension(fin): Fin,
    ApiWriter(caller, _): ApiWriter<Financing>,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<ApplicationInput>,
) -> Answer<ApplicationView> {
    Ok(Json(
        fin.update(&state.db, &caller, &id, &input, state.now())
            .await?,
    ))
}

/// 办理 / A step: `submit`, `withdraw`, `bank_approve`, `approve`, `return`, `reject`,
/// `verify`, `disburse`, `mark_overdue`, `recover`, `archive`, `custody`, `file`, `underwrite`,
/// `issue_policy`, `settle`, `claim`, `verify_claim`, `refuse_claim`, `compensate`, `grant`,
/// `pay`. The body (optional) carries the step's facts. A step the rules do not allow answers
/// 409 with `current_state` and `allowed_actions`; one past a limit answers 409
/// `limit-exceeded` with the figures.
#[utoipa::path(post, path = "/api/financing/applications/{id}/actions/{action}", tag = "financing",
    security(("bearer" = ["financing"])), params(("id" = String, Path), ("action" = String, Path)),
    request_body(content = Option<StepInput>, content_type = "application/json"),
    responses((status = 200, body = ApplicationView), (status = 400, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn act(
    State(state): State<AppState>,
    Extension(fin): Fin,
    ApiWriter(caller, _): ApiWriter<Financing>,
    Path((id, action)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> Answer<ApplicationView> {
    let action = Action::parse(&action.replace('-', "_"))
        .ok_or_else(|| ApiError::NotFound(format!("action {action}")))?;
    let input: StepInput = if body.iter().all(u8::is_ascii_whitespace) {
        StepInput::default()
    } else {
        serde_json::from_slice(&body).map_err(|e| ApiError::MalformedJson(e.to_string()))?
    };
    Ok(Json(
        fin.act(&state.db, &caller, &id, action, &input, state.now())
            .await?,
    ))
}

#[derive(Serialize, ToSchema)]
struct Trail {
    entries: Vec<AuditEntry>,
}

/// 审计记录 / Every step of an application: who, when, from which state to which, and why.
#[utoipa::path(get, path = "/api/financing/applications/{id}/audit", tag = "financing",
    security(("bearer" = ["financing"])), params(("id" = String, Path)),
    responses((status = 200, body = Trail), (status = 404, body = Problem)))]
async fn audit(
    State(state): State<AppState>,
    Extension(fin): Fin,
    ApiCaller(caller, _): ApiCaller<Financing>,
    Path(id): Path<String>,
) -> Answer<Trail> {
    Ok(Json(Trail {
        entries: fin.audit_of(&state.db, &caller, &id).await?,
    }))
}

#[derive(Deserialize, IntoParams)]
struct UploadParams {
    /// The document's kind (`GET /api/financing/document-kinds`).
    kind: String,
    /// The file's name.
    name: String,
}

/// 上传材料 / The body is the file: PDF, JPEG or PNG (recognised by its content), at most the
/// policy's size (default 10 MiB; 413 past it). A second upload of a kind is its next version.
#[utoipa::path(post, path = "/api/financing/applications/{id}/documents", tag = "financing",
    security(("bearer" = ["financing"])), params(("id" = String, Path), UploadParams),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = Document), (status = 400, body = Problem),
        (status = 404, body = Problem), (status = 413, body = Problem)))]
async fn upload_document(
    State(state): State<AppState>,
    Extension(fin): Fin,
    ApiWriter(caller, _): ApiWriter<Financing>,
    Path(id): Path<String>,
    Query(params): Query<UploadParams>,
    body: Body,
) -> Created<Document> {
    let content = read_document(body, fin.policy.max_document_bytes).await?;
    let document = fin
        .upload(
            &state.db,
            &caller,
            &id,
            Upload {
                kind: &params.kind,
                name: &params.name,
                content: &content,
            },
            state.now(),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(document)))
}

/// 下载材料 / A document's content, for the parties and staff.
#[utoipa::path(get, path = "/api/financing/documents/{id}", tag = "financing",
    security(("bearer" = ["financing"])), params(("id" = String, Path)),
    responses((status = 200, content_type = "application/octet-stream", body = Vec<u8>), (status = 404, body = Problem)))]
async fn download_document(
    State(state): State<AppState>,
    Extension(fin): Fin,
    ApiCaller(caller, _): ApiCaller<Financing>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let (document, content) = fin.document(&state.db, &caller, &id).await?;
    Ok(download(&document, content))
}

/// An uploaded document's body, read one byte past `limit` at most: a larger body is refused
/// without being held. Financing's documents and the mutual fund's share it.
pub(super) async fn read_document(body: Body, limit: usize) -> Result<axum::body::Bytes, ApiError> {
    axum::body::to_bytes(body, limit + 1)
        .await
        .map_err(|_| ApiError::from(FinancingError::TooLarge { limit }))
}

/// A document served as a download, never rendered on this site.
pub(super) fn download(document: &Document, content: Vec<u8>) -> Response {
    attachment(&document.id, &document.name, &document.sha256, content)
}

/// A stored file as an attachment named by its id (the original name in `filename*`), with its
/// SHA-256; financing's documents and the mutual fund's share it.
pub(crate) fn attachment(id: &str, name: &str, sha256: &str, content: Vec<u8>) -> Response {
    let disposition = format!(
        "attachment; filename=\"{id}\"; filename*=UTF-8''{}",
        url::form_urlencoded::byte_serialize(name.as_bytes()).collect::<String>()
    );
    (
        [
            (header::CONTENT_TYPE, "application/octet-stream".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
            (
                header::HeaderName::from_static("x-content-sha256"),
                sha256.to_owned(),
            ),
        ],
        content,
    )
        .into_response()
}

#[derive(Deserialize, IntoParams)]
struct SupervisionQuery {
    /// Part of an enterprise's name.
    search: Option<String>,
    /// Rows to skip (pages of 50, at most 10 000 deep).
    offset: Option<i64>,
}

/// 转贷监管 / The supervision table: each enterprise's lending bank, maturing loan, due date,
/// renewal, bridge applied for and self-raised funds, newest first, 50 a page.
#[utoipa::path(get, path = "/api/financing/supervision/bridges", tag = "financing",
    security(("bearer" = ["financing"])), params(SupervisionQuery),
    responses((status = 200, body = BridgePage), (status = 403, body = Problem)))]
async fn bridge_supervision(
    State(state): State<AppState>,
    Extension(fin): Fin,
    ApiCaller(caller, _): ApiCaller<Financing>,
    Query(q): Query<SupervisionQuery>,
) -> Answer<BridgePage> {
    Ok(Json(
        fin.bridge_supervision(
            &state.db,
            &caller,
            q.search.as_deref(),
            q.offset.unwrap_or(0),
        )
        .await?,
    ))
}

/// 转贷详情 / The detail view: the enterprise, the lender, loan amount, purpose, term,
/// interest and return date.
#[utoipa::path(get, path = "/api/financing/supervision/bridges/{id}", tag = "financing",
    security(("bearer" = ["financing"])), params(("id" = String, Path)),
    responses((status = 200, body = BridgeDetail), (status = 404, body = Problem)))]
async fn bridge_detail(
    State(state): State<AppState>,
    Extension(fin): Fin,
    ApiCaller(caller, _): ApiCaller<Financing>,
    Path(id): Path<String>,
) -> Answer<BridgeDetail> {
    Ok(Json(fin.bridge_detail(&state.db, &caller, &id).await?))
}

/// 租赁补贴监管 / Each leasing subsidy with its use, by enterprise.
#[utoipa::path(get, path = "/api/financing/supervision/leasing", tag = "financing",
    security(("bearer" = ["financing"])),
    responses((status = 200, body = Vec<LeasingRow>), (status = 403, body = Problem)))]
async fn leasing_supervision(
    State(state): State<AppState>,
    Extension(fin): Fin,
    ApiCaller(caller, _): ApiCaller<Financing>,
) -> Answer<Vec<LeasingRow>> {
    Ok(Json(fin.leasing_supervision(&state.db, &caller).await?))
}

/// 统计分析 / Bridges by period, bank, region and status with the fund's usage rate and
/// turnovers; leasing subsidies by mode and amount; risk compensation by business and state
/// (staff).
#[utoipa::path(get, path = "/api/financing/statistics", tag = "financing",
    security(("bearer" = ["financing", "financing:staff"])), params(Period),
    responses((status = 200, body = Statistics), (status = 400, body = Problem), (status = 403, body = Problem)))]
async fn statistics(
    State(state): State<AppState>,
    Extension(fin): Fin,
    ApiCaller(caller, _): ApiCaller<Financing>,
    Query(period): Query<Period>,
) -> Answer<Statistics> {
    Ok(Json(
        fin.statistics(&state.db, &caller, &period, state.now())
            .await?,
    ))
}

/// 资金 / The bridge fund, the compensation pool with each bank's lending against its
/// commitment, and this year's leasing budget (staff).
#[utoipa::path(get, path = "/api/financing/funds", tag = "financing",
    security(("bearer" = ["financing", "financing:staff"])),
    responses((status = 200, body = Funds), (status = 403, body = Problem)))]
async fn funds(
    State(state): State<AppState>,
    Extension(fin): Fin,
    _staff: ApiStaff<Financing>,
) -> Answer<Funds> {
    let year = crate::clock::shanghai_year(state.now());
    Ok(Json(fin.funds(&state.db, year).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct Affiliation {
    /// The group's name; enterprises of one group share the yearly leasing-subsidy cap.
    /// `null` takes the enterprise out of its group.
    group: Option<String>,
}

/// 关联企业 / Puts an enterprise into a group of affiliated enterprises (staff).
#[utoipa::path(put, path = "/api/financing/affiliations/{organisation_id}", tag = "financing",
    security(("bearer" = ["financing", "financing:staff"])), params(("organisation_id" = String, Path)),
    request_body = Affiliation,
    responses((status = 204), (status = 404, body = Problem)))]
async fn set_affiliation(
    State(state): State<AppState>,
    Extension(fin): Fin,
    _staff: ApiStaff<Financing>,
    Path(organisation_id): Path<String>,
    ApiJson(body): ApiJson<Affiliation>,
) -> Result<StatusCode, ApiError> {
    fin.set_affiliation(&state.db, &organisation_id, body.group.as_deref())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
struct SchedulerRun {
    /// Applications marked overdue.
    marked_overdue: u64,
}

/// 立即运行 / Runs the overdue job now, under its lease (409 while another instance runs it).
#[utoipa::path(post, path = "/api/financing/scheduler/run", tag = "financing",
    security(("bearer" = ["financing", "financing:staff"])),
    responses((status = 200, body = SchedulerRun), (status = 409, body = Problem)))]
async fn run_scheduler(
    State(state): State<AppState>,
    Extension(fin): Fin,
    _staff: ApiStaff<Financing>,
) -> Answer<SchedulerRun> {
    let marked_overdue = state
        .jobs
        .exclusive(OVERDUE_JOB, fin.mark_overdue(&state.db, state.now()))
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(|| ApiError::Conflict("任务正在另一实例上运行，请稍后再试 / the job is running on another instance; try again shortly".into()))??;
    Ok(Json(SchedulerRun { marked_overdue }))
}
