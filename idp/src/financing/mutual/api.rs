//! `/api/financing/fund`: the mutual fund (互助基金) over the financing scope.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::{Extension, Json};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::super::Service;
use super::super::api::Financing;
use super::super::documents::Upload;
use super::COLLECT_JOB;
use super::contracts::Verification;
use super::fund::FundStatus;
use super::ledger::{AccountBalance, JournalEntry};
use super::lifecycle::{FundAction, FundState};
use super::model::*;
use super::stats::{EnterpriseDetail, EnterpriseLine, FundStatistics};
use crate::error::{ApiError, Problem};
use crate::platform::kit::api::{ApiCaller, ApiJson, ApiStaff, ApiWriter};
use crate::state::AppState;

type Fin = Extension<Arc<Service>>;
type Answer<T> = Result<Json<T>, ApiError>;
type Created<T> = Result<(StatusCode, Json<T>), ApiError>;

#[derive(OpenApi)]
#[openapi(
    tags((name = "mutual-fund", description = "互助基金 / The mutual fund (seed 二.3, records 6.4.1–6.4.3)")),
    components(schemas(Problem))
)]
struct Doc;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(Doc::openapi())
        .routes(routes!(list_members, join))
        .routes(routes!(leave))
        .routes(routes!(list_applications, create_application))
        .routes(routes!(show_application, update_application))
        .routes(routes!(act))
        .routes(routes!(repay))
        .routes(routes!(audit))
        .routes(routes!(upload_document))
        .routes(routes!(download_document))
        .routes(routes!(verify))
        .routes(routes!(status))
        .routes(routes!(journal))
        .routes(routes!(statistics))
        .routes(routes!(enterprises))
        .routes(routes!(enterprise))
        .routes(routes!(run_collect))
}

/// 会员 / Memberships: staff and fund managers see all, an enterprise its own.
#[utoipa::path(get, path = "/api/financing/fund/members", tag = "mutual-fund",
    security(("bearer" = ["financing"])), responses((status = 200, body = Vec<Member>)))]
async fn list_members(
    State(state): State<AppState>,
    Extension(fin): Fin,
    ApiCaller(caller, _): ApiCaller<Financing>,
) -> Answer<Vec<Member>> {
    Ok(Json(fin.fund_members(&state.db, &caller).await?))
}

/// 入社 / Records a membership (6.4.1) and its contribution into the fund's account (staff and
/// fund managers).
#[utoipa::path(post, path = "/api/financing/fund/members", tag = "mutual-fund",
    security(("bearer" = ["financing"])), request_body = MemberInput,
    responses((status = 201, body = Member), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn join(
    State(state): State<AppState>,
    Extension(fin): Fin,
    ApiWriter(caller, _): ApiWriter<Financing>,
    ApiJson(input): ApiJson<MemberInput>,
) -> Created<Member> {
    let member = fin
        .fund_join(&state.db, &caller, &input, state.now())
        .await?;
    Ok((StatusCode::CREATED, Json(member)))
}

/// 退社 / Ends a membership: no new application under it is approved (staff).
#[utoipa::path(post, path = "/api/financing/fund/members/{join_no}/leave", tag = "mutual-fund",
    security(("bearer" = ["financing:staff"])), params(("join_no" = String, Path)),
    responses((status = 200, body = Member), (status = 404, body = Problem)))]
async fn leave(
    State(state): State<AppState>,
    Extension(fin): Fin,
    ApiStaff(caller, _): ApiStaff<Financing>,
    Path(join_no): Path<String>,
) -> Answer<Member> {
    Ok(Json(fin.fund_leave(&state.db, &caller, &join_no).await?))
}

#[derive(Deserialize, IntoParams)]
struct ListParams {
    /// Only applications in this state.
    state: Option<String>,
    /// Only this enterprise's (staff and fund managers).
    enterprise_org_id: Option<String>,
    #[serde(default)]
    offset: i64,
}

/// 申请列表 / Applications the caller may see, newest first (200 a page).
#[utoipa::path(get, path = "/api/financing/fund/applications", tag = "mutual-fund",
    security(("bearer" = ["financing"])), params(ListParams),
    responses((status = 200, body = Vec<FundSummary>)))]
async fn list_applications(
    State(state): State<AppState>,
    Extension(fin): Fin,
    ApiCaller(caller, _): ApiCaller<Financing>,
    Query(params): Query<ListParams>,
) -> Answer<Vec<FundSummary>> {
    let wanted = match params.state.as_deref() {
        Some(s) => Some(FundState::parse(s).ok_or_else(|| {
            ApiError::BadRequest(format!(
                "未知状态 / unknown state `{}`",
                s.chars().take(40).collect::<String>()
            ))
        })?),
        None => None,
    };
    Ok(Json(
        fin.fund_list(
            &state.db,
            &caller,
            wanted,
            params.enterprise_org_id.as_deref(),
            params.offset,
        )
        .await?,
    ))
}

/// 在线申请 / A new draft under the enterprise's membership (APPLY_AMOUNT in 万元, at most
/// JOIN_AMOUNT × ENLARGE_MULTIPLES).
#[utoipa::path(post, path = "/api/financing/fund/applications", tag = "mutual-fund",
    security(("bearer" = ["financing"])), request_body = FundApplicationInput,
    responses((status = 201, body = FundApplicationView), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn create_application(
    State(state): State<AppState>,
    Extension(fin): Fin,
    ApiWriter(caller, _): ApiWriter<Financing>,
    ApiJson(input): ApiJson<FundApplicationInput>,
) -> Created<FundApplicationView> {
    let view = fin
        .fund_apply(&state.db, &caller, &input, state.now())
        .await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// 申请详情 / One application with its loan, contracts, repayments and next actions.
#[utoipa::path(get, path = "/api/financing/fund/applications/{apply_no}", tag = "mutual-fund",
    security(("bearer" = ["financing"])), params(("apply_no" = String, Path)),
    responses((status = 200, body = FundApplicationView), (status = 404, body = Problem)))]
async fn show_application(
    State(state): State<AppState>,
    Extension(fin): Fin,
    ApiCaller(caller, _): ApiCaller<Financing>,
    Path(apply_no): Path<String>,
) -> Answer<FundApplicationView> {
    Ok(Json(fin.fund_view(&state.db, &caller, &apply_no).await?))
}

/// 修改申请 / Changes a draft or a returned application (the enterprise).
#[utoipa::path(put, path = "/api/financing/fund/applications/{apply_no}", tag = "mutual-fund",
    security(("bearer" = ["financing"])), params(("apply_no" = String, Path)), request_body = FundApplicationInput,
    responses((status = 200, body = FundApplicationView), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn update_application(
    State(state): State<AppState>,
    Extension(fin): Fin,
    ApiWriter(caller, _): ApiWriter<Financing>,
    Path(apply_no): Path<String>,
    ApiJson(input): ApiJson<FundApplicationInput>,
) -> Answer<FundApplicationView> {
    Ok(Json(
        fin.fund_update(&state.db, &caller, &apply_no, &input, state.now())
            .await?,
    ))
}

/// 办理 / A step: `submit`, `withdraw`, `return`, `reject`, `approve` (files the contract),
/// `disburse`, `amend` (a new contract extending the term). Refused steps answer 409 with
/// `current_state` and `allowed_actions`; a paused fund answers 409 `fund-paused` with the
/// figures; an empty fund account 409 `limit-exceeded`.
#[utoipa::path(post, path = "/api/financing/fund/applications/{apply_no}/actions/{action}", tag = "mutual-fund",
    security(("bearer" = ["financing"])), params(("apply_no" = String, Path), ("action" = String, Path)),
    request_body(content = Option<FundStepInput>, content_type = "application/json"),
    responses((status = 200, body = FundApplicationView), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn act(
    State(state): State<AppState>,
    Extension(fin): Fin,
    ApiWriter(caller, _): ApiWriter<Financing>,
    Path((apply_no, action)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> Answer<FundApplicationView> {
    let action = FundAction::parse(&action.replace('-', "_"))
        .filter(|a| !matches!(a, FundAction::Repay | FundAction::MarkOverdue))
        .ok_or_else(|| ApiError::NotFound(format!("action {action}")))?;
    let input: FundStepInput = if body.iter().all(u8::is_ascii_whitespace) {
        FundStepInput::default()
    } else {
        serde_json::from_slice(&body).map_err(|e| ApiError::MalformedJson(e.to_string()))?
    };
    Ok(Json(
        fin.fund_act(&state.db, &caller, &apply_no, action, &input, state.now())
            .await?,
    ))
}

/// 登记还款 / A repayment (6.4.3, REPAY_AMOUNT in 元), applied to the fee, the interest and then
/// the principal; the loan is settled when nothing is owed (fund managers and staff).
#[utoipa::path(post, path = "/api/financing/fund/applications/{apply_no}/repayments", tag = "mutual-fund",
    security(("bearer" = ["financing"])), params(("apply_no" = String, Path)), request_body = RepaymentInput,
    responses((status = 201, body = Repayment), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn repay(
    State(state): State<AppState>,
    Extension(fin): Fin,
    ApiWriter(caller, _): ApiWriter<Financing>,
    Path(apply_no): Path<String>,
    ApiJson(input): ApiJson<RepaymentInput>,
) -> Created<Repayment> {
    let repayment = fin
        .fund_repay(&state.db, &caller, &apply_no, &input, state.now())
        .await?;
    Ok((StatusCode::CREATED, Json(repayment)))
}

#[derive(Serialize, ToSchema)]
struct Trail {
    entries: Vec<FundAuditEntry>,
}

/// 审计记录 / Every step of an application.
#[utoipa::path(get, path = "/api/financing/fund/applications/{apply_no}/audit", tag = "mutual-fund",
    security(("bearer" = ["financing"])), params(("apply_no" = String, Path)),
    responses((status = 200, body = Trail), (status = 404, body = Problem)))]
async fn audit(
    State(state): State<AppState>,
    Extension(fin): Fin,
    ApiCaller(caller, _): ApiCaller<Financing>,
    Path(apply_no): Path<String>,
) -> Answer<Trail> {
    Ok(Json(Trail {
        entries: fin.fund_audit(&state.db, &caller, &apply_no).await?,
    }))
}

#[derive(Deserialize, IntoParams)]
struct UploadParams {
    /// `application_form` (the sealed, signed form, PDF), `financial_statement` or `other`.
    kind: String,
    name: String,
}

/// 上传材料 / The body is the file (PDF, JPEG or PNG by its content; the signed form PDF only).
#[utoipa::path(post, path = "/api/financing/fund/applications/{apply_no}/documents", tag = "mutual-fund",
    security(("bearer" = ["financing"])), params(("apply_no" = String, Path), UploadParams),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = FundDocument), (status = 400, body = Problem), (status = 413, body = Problem)))]
async fn upload_document(
    State(state): State<AppState>,
    Extension(fin): Fin,
    ApiWriter(caller, _): ApiWriter<Financing>,
    Path(apply_no): Path<String>,
    Query(params): Query<UploadParams>,
    body: Body,
) -> Created<FundDocument> {
    let content = super::super::api::read_document(body, fin.policy.max_document_bytes).await?;
    let document = fin
        .fund_upload(
            &state.db,
            &caller,
            &apply_no,
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

/// 下载材料 / A document's content, for the parties.
#[utoipa::path(get, path = "/api/financing/fund/documents/{id}", tag = "mutual-fund",
    security(("bearer" = ["financing"])), params(("id" = String, Path)),
    responses((status = 200, content_type = "application/octet-stream", body = Vec<u8>), (status = 404, body = Problem)))]
async fn download_document(
    State(state): State<AppState>,
    Extension(fin): Fin,
    ApiCaller(caller, _): ApiCaller<Financing>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let (document, content) = fin.fund_document(&state.db, &caller, &id).await?;
    Ok(download(&document, content))
}

pub(crate) fn download(document: &FundDocument, content: Vec<u8>) -> Response {
    super::super::api::attachment(&document.id, &document.name, &document.sha256, content)
}

/// 合约校验 / Walks the contract chain and names the first contract that does not match
/// (staff and fund managers).
#[utoipa::path(get, path = "/api/financing/fund/contracts/verify", tag = "mutual-fund",
    security(("bearer" = ["financing"])), responses((status = 200, body = Verification), (status = 403, body = Problem)))]
async fn verify(
    State(state): State<AppState>,
    ApiCaller(caller, _): ApiCaller<Financing>,
) -> Answer<Verification> {
    super::store::managing(&caller)?;
    Ok(Json(super::contracts::verify(&state.db).await?))
}

/// 基金概况 / The fund: its account, capital, loans, overdue rate (and whether disbursements are
/// paused), the trial balance and the chain's head.
#[utoipa::path(get, path = "/api/financing/fund/status", tag = "mutual-fund",
    security(("bearer" = ["financing"])), responses((status = 200, body = FundStatus), (status = 403, body = Problem)))]
async fn status(
    State(state): State<AppState>,
    Extension(fin): Fin,
    ApiCaller(caller, _): ApiCaller<Financing>,
) -> Answer<FundStatus> {
    Ok(Json(fin.fund_status(&state.db, &caller).await?))
}

#[derive(Deserialize, IntoParams)]
struct JournalParams {
    /// Entries before this number (the next page).
    before: Option<i64>,
    apply_no: Option<String>,
}

#[derive(Serialize, ToSchema)]
struct Journal {
    entries: Vec<JournalEntry>,
    accounts: Vec<AccountBalance>,
}

/// 总账 / The journal, newest first (200 a page), with the trial balance (staff and fund
/// managers).
#[utoipa::path(get, path = "/api/financing/fund/ledger", tag = "mutual-fund",
    security(("bearer" = ["financing"])), params(JournalParams),
    responses((status = 200, body = Journal), (status = 403, body = Problem)))]
async fn journal(
    State(state): State<AppState>,
    ApiCaller(caller, _): ApiCaller<Financing>,
    Query(params): Query<JournalParams>,
) -> Answer<Journal> {
    super::store::managing(&caller)?;
    Ok(Json(Journal {
        entries: super::ledger::journal(
            &state.db,
            None,
            params.apply_no.as_deref(),
            params.before,
            super::ledger::PAGE,
        )
        .await
        .map_err(ApiError::from)?,
        accounts: super::ledger::trial_balance(&state.db)
            .await
            .map_err(ApiError::from)?,
    }))
}

#[derive(Deserialize, IntoParams)]
struct StatisticsParams {
    /// First month shown, yyyy-mm.
    from: Option<String>,
    /// Last month shown, yyyy-mm.
    to: Option<String>,
}

/// 统计分析 / Loans by term, rate and purpose; month by month growth, balance, the fund account
/// and the general ledger (staff and fund managers).
#[utoipa::path(get, path = "/api/financing/fund/statistics", tag = "mutual-fund",
    security(("bearer" = ["financing"])), params(StatisticsParams),
    responses((status = 200, body = FundStatistics), (status = 403, body = Problem)))]
async fn statistics(
    State(state): State<AppState>,
    Extension(fin): Fin,
    ApiCaller(caller, _): ApiCaller<Financing>,
    Query(params): Query<StatisticsParams>,
) -> Answer<FundStatistics> {
    Ok(Json(
        fin.fund_statistics(
            &state.db,
            &caller,
            params.from.as_deref(),
            params.to.as_deref(),
        )
        .await?,
    ))
}

/// 监管 / Every member enterprise with what it borrowed and owes.
#[utoipa::path(get, path = "/api/financing/fund/supervision", tag = "mutual-fund",
    security(("bearer" = ["financing"])), responses((status = 200, body = Vec<EnterpriseLine>), (status = 403, body = Problem)))]
async fn enterprises(
    State(state): State<AppState>,
    Extension(fin): Fin,
    ApiCaller(caller, _): ApiCaller<Financing>,
) -> Answer<Vec<EnterpriseLine>> {
    Ok(Json(fin.fund_enterprises(&state.db, &caller).await?))
}

/// 监管详情 / One enterprise's applications (term, rate, purpose, balance) and ledger history.
#[utoipa::path(get, path = "/api/financing/fund/supervision/{org_id}", tag = "mutual-fund",
    security(("bearer" = ["financing"])), params(("org_id" = String, Path)),
    responses((status = 200, body = EnterpriseDetail), (status = 404, body = Problem)))]
async fn enterprise(
    State(state): State<AppState>,
    Extension(fin): Fin,
    ApiCaller(caller, _): ApiCaller<Financing>,
    Path(org_id): Path<String>,
) -> Answer<EnterpriseDetail> {
    Ok(Json(
        fin.fund_enterprise(&state.db, &caller, &org_id).await?,
    ))
}

#[derive(Serialize, ToSchema)]
struct CollectRun {
    reminded: u64,
    marked_overdue: u64,
}

/// Runs the reminders and overdue marks now (staff; the scheduler runs them on its own).
#[utoipa::path(post, path = "/api/financing/fund/scheduler/run", tag = "mutual-fund",
    security(("bearer" = ["financing:staff"])),
    responses((status = 200, body = CollectRun), (status = 409, body = Problem)))]
async fn run_collect(
    State(state): State<AppState>,
    Extension(fin): Fin,
    _staff: ApiStaff<Financing>,
) -> Answer<CollectRun> {
    let (reminded, marked_overdue) = state
        .jobs
        .exclusive(COLLECT_JOB, fin.fund_collect(&state.db, state.now()))
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(|| ApiError::Conflict("任务正在另一实例上运行，请稍后再试 / the job is running on another instance; try again shortly".into()))??;
    Ok(Json(CollectRun {
        reminded,
        marked_overdue,
    }))
}
