//! `/api/financing/risk`: 风险监控 for financing staff (`financing:staff`); a notice's document
//! also for its recipients.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::{Extension, Json};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::dashboard::{self, Dashboard};
use super::indicators::{self, Indicator, IndicatorInput};
use super::notices::{self, NewNotice, Notice};
use super::warnings::{self, Evaluation, Warning, WarningFilter};
use super::{EVALUATE_JOB, RiskError};
use crate::error::{ApiError, Problem};
use crate::financing::Service;
use crate::financing::api::Financing;
use crate::platform::kit::api::{ApiCaller, ApiJson, ApiStaff, ClientAddress};
use crate::state::AppState;

type Fin = Extension<Arc<Service>>;
type Answer<T> = Result<Json<T>, ApiError>;
type Staff = ApiStaff<Financing>;

impl From<RiskError> for ApiError {
    fn from(e: RiskError) -> Self {
        match e {
            RiskError::NotFound(what) => ApiError::NotFound(what),
            RiskError::Invalid(why) => ApiError::BadRequest(why),
            RiskError::TooLarge(limit) => ApiError::too_large(e.to_string(), limit),
            RiskError::Query(q) => q.into(),
            RiskError::Freeze(crate::catalogue::freeze::FreezeError::NoSuchOrganisation(o)) => {
                ApiError::NotFound(o)
            }
            RiskError::Freeze(crate::catalogue::freeze::FreezeError::ReasonRequired) => {
                ApiError::BadRequest("请写明原因 / a reason is required".into())
            }
            RiskError::Freeze(crate::catalogue::freeze::FreezeError::Db(e)) | RiskError::Db(e) => {
                ApiError::internal(e)
            }
        }
    }
}

#[derive(OpenApi)]
#[openapi(
    tags((name = "risk", description = "风险监控 / Risk monitoring (seed 二.3): indicators, warnings, notices, freezing, the dashboard")),
    components(schemas(Problem))
)]
struct Doc;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(Doc::openapi())
        .routes(routes!(list_indicators))
        .routes(routes!(save_indicator))
        .routes(routes!(evaluate))
        .routes(routes!(list_warnings))
        .routes(routes!(show_warning))
        .routes(routes!(freeze_from_warning))
        .routes(routes!(unfreeze))
        .routes(routes!(list_notices, send_notice))
        .routes(routes!(show_notice))
        .routes(routes!(remind))
        .routes(routes!(notice_document))
        .routes(routes!(show_dashboard))
        .routes(routes!(chart_csv))
}

/// 预警指标 / Every indicator with its formula and thresholds.
#[utoipa::path(get, path = "/api/financing/risk/indicators", tag = "risk",
    security(("bearer" = ["financing:staff"])), responses((status = 200, body = Vec<Indicator>)))]
async fn list_indicators(State(state): State<AppState>, _staff: Staff) -> Answer<Vec<Indicator>> {
    Ok(Json(indicators::list(&state.db).await?))
}

/// 设置指标 / Changes an indicator's thresholds, automatic freezing or switch, or adds a
/// custom indicator (a `query` formula: a groups model with one subject field and one measure).
#[utoipa::path(put, path = "/api/financing/risk/indicators/{code}", tag = "risk",
    security(("bearer" = ["financing:staff"])), params(("code" = String, Path)), request_body = IndicatorInput,
    responses((status = 200, body = Indicator), (status = 400, body = Problem)))]
async fn save_indicator(
    State(state): State<AppState>,
    ApiStaff(caller, _): Staff,
    Path(code): Path<String>,
    ApiJson(input): ApiJson<IndicatorInput>,
) -> Answer<Indicator> {
    let saved = indicators::save(&state.db, &code, input, &caller.user_id, state.now()).await?;
    Ok(Json(saved))
}

/// 立即评估 / Evaluates every enabled indicator now (the scheduler does it on its own too).
#[utoipa::path(post, path = "/api/financing/risk/evaluate", tag = "risk",
    security(("bearer" = ["financing:staff"])), responses((status = 200, body = Vec<Evaluation>)))]
async fn evaluate(
    State(state): State<AppState>,
    Extension(fin): Fin,
    _staff: Staff,
) -> Answer<Vec<Evaluation>> {
    // Under the scheduler's lease, so that it never runs twice at once with the job.
    let out = state
        .jobs
        .exclusive(EVALUATE_JOB, warnings::evaluate_all(&state.db, &fin, state.now()))
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(|| ApiError::Conflict("评估正在另一实例上运行，请稍后再试 / an evaluation is running on another instance; try again shortly".into()))??;
    Ok(Json(out))
}

/// 风险预警 / Warnings (open ones unless `open=false`), the most severe first.
#[utoipa::path(get, path = "/api/financing/risk/warnings", tag = "risk",
    security(("bearer" = ["financing:staff"])), params(WarningFilter),
    responses((status = 200, body = Vec<Warning>)))]
async fn list_warnings(
    State(state): State<AppState>,
    _staff: Staff,
    Query(filter): Query<WarningFilter>,
) -> Answer<Vec<Warning>> {
    Ok(Json(warnings::list(&state.db, &filter).await?))
}

/// 预警详情 / A warning with the records behind it.
#[utoipa::path(get, path = "/api/financing/risk/warnings/{id}", tag = "risk",
    security(("bearer" = ["financing:staff"])), params(("id" = String, Path)),
    responses((status = 200, body = Warning), (status = 404, body = Problem)))]
async fn show_warning(
    State(state): State<AppState>,
    _staff: Staff,
    Path(id): Path<String>,
) -> Answer<Warning> {
    Ok(Json(warnings::find(&state.db, &id).await?))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonInput {
    #[serde(default)]
    pub reason: Option<String>,
}

/// 冻结上报 / Freezes the reporting of the warning's organisation, the warning as the reason.
#[utoipa::path(post, path = "/api/financing/risk/warnings/{id}/freeze", tag = "risk",
    security(("bearer" = ["financing:staff"])), params(("id" = String, Path)), request_body = ReasonInput,
    responses((status = 200, body = Warning), (status = 400, body = Problem), (status = 404, body = Problem)))]
async fn freeze_from_warning(
    State(state): State<AppState>,
    ApiStaff(caller, _): Staff,
    Path(id): Path<String>,
    address: ClientAddress,
    ApiJson(input): ApiJson<ReasonInput>,
) -> Answer<Warning> {
    let w = warnings::find(&state.db, &id).await?;
    let reason = freeze_reason(&w, input.reason.as_deref());
    let org = w.organisation_id.clone().ok_or_else(|| {
        ApiError::BadRequest(
            "此预警的对象不是机构，无法冻结 / this warning's subject is not an organisation".into(),
        )
    })?;
    let actor = audit_actor(&state, &caller, address).await?;
    warnings::freeze(&state.db, &org, &reason, &actor, state.now()).await?;
    Ok(Json(warnings::find(&state.db, &id).await?))
}

/// The reason a freeze from a warning records.
pub fn freeze_reason(w: &Warning, note: Option<&str>) -> String {
    let unit = warnings::unit_suffix(&w.unit);
    let mut reason = format!(
        "风险预警（{}）：{} {}{unit}，阈值 {}{unit} / risk warning ({}): {} {}{unit}, threshold {}{unit}",
        w.level,
        w.indicator_name_zh,
        w.figure,
        w.threshold,
        w.level,
        w.indicator_name_en,
        w.figure,
        w.threshold
    );
    if let Some(note) = note.map(str::trim).filter(|n| !n.is_empty()) {
        reason.push_str(&format!("；{note}"));
    }
    reason
}

/// 解冻 / Unfreezes an organisation's reporting, with the reason (audited, the organisation told).
#[utoipa::path(post, path = "/api/financing/risk/organisations/{org}/unfreeze", tag = "risk",
    security(("bearer" = ["financing:staff"])), params(("org" = String, Path)), request_body = ReasonInput,
    responses((status = 204), (status = 400, body = Problem), (status = 404, body = Problem)))]
async fn unfreeze(
    State(state): State<AppState>,
    ApiStaff(caller, _): Staff,
    Path(org): Path<String>,
    address: ClientAddress,
    ApiJson(input): ApiJson<ReasonInput>,
) -> Result<StatusCode, ApiError> {
    let actor = audit_actor(&state, &caller, address).await?;
    warnings::unfreeze(
        &state.db,
        &org,
        input.reason.as_deref().unwrap_or_default(),
        &actor,
        state.now(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// 通知列表 / Notices sent, with how many acknowledged.
#[utoipa::path(get, path = "/api/financing/risk/notices", tag = "risk",
    security(("bearer" = ["financing:staff"])), responses((status = 200, body = Vec<Notice>)))]
async fn list_notices(State(state): State<AppState>, _staff: Staff) -> Answer<Vec<Notice>> {
    Ok(Json(notices::list(&state.db).await?))
}

/// 下发通知 / Sends a notice (optionally about a warning, optionally with a PDF) to the members
/// of organisations and the holders of roles; each must acknowledge it in the inbox.
#[utoipa::path(post, path = "/api/financing/risk/notices", tag = "risk",
    security(("bearer" = ["financing:staff"])), request_body = NewNotice,
    responses((status = 201, body = Notice), (status = 400, body = Problem), (status = 413, body = Problem)))]
async fn send_notice(
    State(state): State<AppState>,
    Extension(fin): Fin,
    ApiStaff(caller, _): Staff,
    ApiJson(input): ApiJson<NewNotice>,
) -> Result<(StatusCode, Json<Notice>), ApiError> {
    let n = notices::send(
        &state.db,
        &caller,
        &input,
        fin.policy.max_document_bytes,
        state.now(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(n)))
}

/// 通知回执 / A notice with who has and has not acknowledged it.
#[utoipa::path(get, path = "/api/financing/risk/notices/{id}", tag = "risk",
    security(("bearer" = ["financing:staff"])), params(("id" = String, Path)),
    responses((status = 200, body = Notice), (status = 404, body = Problem)))]
async fn show_notice(
    State(state): State<AppState>,
    _staff: Staff,
    Path(id): Path<String>,
) -> Answer<Notice> {
    Ok(Json(notices::find(&state.db, &id).await?))
}

#[derive(Debug, Serialize, ToSchema)]
struct Reminded {
    reminded: usize,
}

/// 催办 / Reminds every recipient who has not acknowledged the notice.
#[utoipa::path(post, path = "/api/financing/risk/notices/{id}/remind", tag = "risk",
    security(("bearer" = ["financing:staff"])), params(("id" = String, Path)),
    responses((status = 200, body = Reminded), (status = 404, body = Problem)))]
async fn remind(
    State(state): State<AppState>,
    ApiStaff(caller, _): Staff,
    Path(id): Path<String>,
) -> Answer<Reminded> {
    let reminded = notices::remind(&state.db, &caller, &id, state.now()).await?;
    Ok(Json(Reminded { reminded }))
}

/// 通知附件 / A notice's PDF, for staff and its recipients (others: 404).
#[utoipa::path(get, path = "/api/financing/risk/notices/{id}/document", tag = "risk",
    security(("bearer" = ["financing"])), params(("id" = String, Path)),
    responses((status = 200, description = "the PDF"), (status = 404, body = Problem)))]
async fn notice_document(
    State(state): State<AppState>,
    ApiCaller(caller, _): ApiCaller<Financing>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let (name, sha, bytes) = notices::document(&state.db, &caller, &id).await?;
    Ok(crate::financing::api::attachment(
        &format!("{id}.pdf"),
        &name,
        &sha,
        bytes,
    ))
}

/// 风险统计分析 / The dashboard's data: warnings by level, indicator, day, bank, region,
/// product and organisation; the funds; the exceedances.
#[utoipa::path(get, path = "/api/financing/risk/dashboard", tag = "risk",
    security(("bearer" = ["financing:staff"])), responses((status = 200, body = Dashboard)))]
async fn show_dashboard(
    State(state): State<AppState>,
    Extension(fin): Fin,
    _staff: Staff,
) -> Answer<Dashboard> {
    Ok(Json(dashboard::build(&state.db, &fin, state.now()).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
struct ChartParams {
    /// `csv` (default) or `xlsx`.
    format: Option<String>,
}

/// 图表数据 / One chart's data as CSV or XLSX (`levels`, `indicators`, `time`, `banks`,
/// `regions`, `products`, `organisations`, `funds`, `exceedances`).
#[utoipa::path(get, path = "/api/financing/risk/dashboard/charts/{chart}", tag = "risk",
    security(("bearer" = ["financing:staff"])), params(("chart" = String, Path), ChartParams),
    responses((status = 200, description = "CSV or XLSX"), (status = 404, body = Problem)))]
async fn chart_csv(
    State(state): State<AppState>,
    Extension(fin): Fin,
    _staff: Staff,
    Path(chart): Path<String>,
    Query(params): Query<ChartParams>,
) -> Result<Response, ApiError> {
    let d = dashboard::build(&state.db, &fin, state.now()).await?;
    let table = d
        .chart(&chart)
        .ok_or_else(|| ApiError::NotFound(crate::catalogue::validate::echo(&chart)))?;
    crate::financing::query::api::file(&table, params.format.as_deref(), &format!("risk-{chart}"))
}

/// Staff as the audit trail names them: their username and address.
async fn audit_actor(
    state: &AppState,
    caller: &crate::accounts::caller::Caller,
    ClientAddress(address): ClientAddress,
) -> Result<crate::audit::Actor, ApiError> {
    let name = crate::accounts::find_user(&state.db, &caller.user_id)
        .await
        .map_err(ApiError::internal)?
        .map(|u| u.username)
        .unwrap_or_else(|| caller.user_id.clone());
    Ok(crate::audit::Actor::user(&caller.user_id, &name, address))
}
