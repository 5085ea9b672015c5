//! `/api/crowdfunding`: the product crowdfunding platform (scope `crowdfunding`) and the payment
//! notification endpoint. The sandbox gateway's payment page is with the other pages, in `web`.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::crowdfunding::service::{Caller, DeliveryInput, OrderInput, ProjectInput, find_order};
use crate::crowdfunding::{Action, CATEGORIES, CrowdfundingError};
use crate::error::{ApiError, Problem};
use crate::http::extract::ApiJson;
use crate::http::oauth::bearer::ApiBearer;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/crowdfunding/categories", get(categories))
        .route("/api/crowdfunding/projects", get(list).post(create))
        .route("/api/crowdfunding/projects/{id}", get(show).put(update))
        .route(
            "/api/crowdfunding/projects/{id}/actions/{action}",
            post(act),
        )
        .route("/api/crowdfunding/projects/{id}/audit", get(audit))
        .route("/api/crowdfunding/projects/{id}/orders", post(order))
        .route(
            "/api/crowdfunding/projects/{id}/subsidy",
            post(apply_subsidy),
        )
        .route(
            "/api/crowdfunding/projects/{id}/subsidy/{decision}",
            post(decide_subsidy),
        )
        .route("/api/crowdfunding/orders/{id}", get(show_order))
        .route("/api/crowdfunding/orders/{id}/delivery", post(deliver))
        .route("/api/crowdfunding/orders/{id}/evaluation", post(evaluate))
        .route("/api/crowdfunding/payments/notify", post(notify))
        .route("/api/crowdfunding/scheduler/run", post(run_scheduler))
}

/// The signed-in user behind a `crowdfunding` token.
async fn caller(state: &AppState, bearer: &ApiBearer) -> Result<Caller, ApiError> {
    bearer.require("crowdfunding")?;
    let user = crate::accounts::find_user(&state.db, &bearer.0.sub)
        .await
        .map_err(ApiError::internal)?
        .filter(|u| !u.disabled)
        .ok_or_else(|| {
            ApiError::Forbidden("众筹操作需要用户令牌 / crowdfunding needs a user's token".into())
        })?;
    Ok(Caller {
        user_id: user.id,
        organisation_id: user.organisation_id,
        roles: user.roles,
        staff: bearer.0.has_scope(crate::oauth::scopes::STAFF_CROWDFUNDING),
    })
}

fn staff_only() -> ApiError {
    ApiError::Forbidden(format!(
        "只有平台工作人员可以这样做，令牌须带 {0} 范围 / staff only: the token needs the {0} scope",
        crate::oauth::scopes::STAFF_CROWDFUNDING
    ))
}

/// The signed-in user behind a `crowdfunding` token, about to change something: refused while
/// the user's organisation is frozen (a freeze stops every write made for it, not only
/// reporting).
async fn writer(state: &AppState, bearer: &ApiBearer) -> Result<Caller, ApiError> {
    let caller = caller(state, bearer).await?;
    if let Some(org) = &caller.organisation_id
        && let Some(reason) = crate::catalogue::freeze::frozen_reason(&state.db, org)
            .await
            .map_err(ApiError::internal)?
    {
        return Err(ApiError::Frozen(reason));
    }
    Ok(caller)
}

/// Errors of the workflow as problem documents; a refused transition is 409 with the current
/// state and what is allowed.
fn problem(e: CrowdfundingError) -> Failure {
    Failure(Box::new(problem_response(e)))
}

fn problem_response(e: CrowdfundingError) -> Response {
    match e {
        CrowdfundingError::Transition(refusal) => Problem::new(
            StatusCode::CONFLICT,
            "transition-not-allowed",
            "Conflict",
            format!("{}。{}.", refusal.reason_zh, refusal.reason_en),
        )
        .with_extension("current_state", json!(refusal.current))
        .with_extension("allowed_actions", json!(refusal.allowed))
        .into_response(),
        CrowdfundingError::SoldOut {
            ref reward_id,
            left,
        } => Problem::new(StatusCode::CONFLICT, "sold-out", "Conflict", e.to_string())
            .with_extension("reward_id", json!(reward_id))
            .with_extension("left", json!(left))
            .into_response(),
        CrowdfundingError::InvalidFields(errors) => Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-fields",
            "Unprocessable Content",
            "字段未通过校验。Some fields were refused.".into(),
        )
        .with_extension("errors", json!(errors))
        .into_response(),
        CrowdfundingError::NotFound(what) => ApiError::NotFound(what).into_response(),
        CrowdfundingError::Forbidden(why) => ApiError::Forbidden(why).into_response(),
        CrowdfundingError::Invalid(why) => ApiError::BadRequest(why).into_response(),
        CrowdfundingError::Gateway(e) => ApiError::BadRequest(e.to_string()).into_response(),
        CrowdfundingError::Db(e) => ApiError::internal(e).into_response(),
    }
}

/// A refusal, boxed: a `Response` is large, and most answers are not refusals.
pub struct Failure(Box<Response>);

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        *self.0
    }
}

impl From<ApiError> for Failure {
    fn from(e: ApiError) -> Self {
        Failure(Box::new(e.into_response()))
    }
}

impl From<Response> for Failure {
    fn from(r: Response) -> Self {
        Failure(Box::new(r))
    }
}

type Answer = Result<Response, Failure>;

fn ok(value: impl serde::Serialize) -> Answer {
    Ok(Json(value).into_response())
}

async fn categories() -> Json<Value> {
    Json(json!({ "categories": CATEGORIES }))
}

#[derive(Deserialize)]
struct ListParams {
    category: Option<String>,
    sort: Option<String>,
}

async fn list(
    State(state): State<AppState>,
    bearer: ApiBearer,
    Query(p): Query<ListParams>,
) -> Answer {
    caller(&state, &bearer).await.map_err(Failure::from)?;
    let views = state
        .crowdfunding
        .list(
            &state.db,
            p.category.as_deref(),
            p.sort.as_deref().unwrap_or("newest"),
            state.now(),
        )
        .await
        .map_err(problem)?;
    let reported = state
        .crowdfunding
        .reported_elsewhere(&state.db)
        .await
        .map_err(problem)?;
    ok(json!({ "items": views, "reported": reported }))
}

async fn create(
    State(state): State<AppState>,
    bearer: ApiBearer,
    ApiJson(input): ApiJson<ProjectInput>,
) -> Answer {
    let caller = writer(&state, &bearer).await.map_err(Failure::from)?;
    let view = state
        .crowdfunding
        .create_draft(&state.db, &caller, &input, state.now())
        .await
        .map_err(problem)?;
    Ok((StatusCode::CREATED, Json(view)).into_response())
}

async fn show(State(state): State<AppState>, bearer: ApiBearer, Path(id): Path<String>) -> Answer {
    let caller = caller(&state, &bearer).await.map_err(Failure::from)?;
    ok(state
        .crowdfunding
        .view(&state.db, &id, Some(&caller), state.now())
        .await
        .map_err(problem)?)
}

async fn update(
    State(state): State<AppState>,
    bearer: ApiBearer,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<ProjectInput>,
) -> Answer {
    let caller = writer(&state, &bearer).await.map_err(Failure::from)?;
    ok(state
        .crowdfunding
        .update_draft(&state.db, &caller, &id, &input, state.now())
        .await
        .map_err(problem)?)
}

#[derive(Deserialize, Default)]
struct Reason {
    reason: Option<String>,
}

/// An optional `{"reason": …}` body.
fn reason_of(body: &[u8]) -> Result<Option<String>, Failure> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    serde_json::from_slice::<Reason>(body)
        .map(|r| r.reason)
        .map_err(|e| Failure::from(ApiError::MalformedJson(e.to_string())))
}

async fn act(
    State(state): State<AppState>,
    bearer: ApiBearer,
    Path((id, action)): Path<(String, String)>,
    body: Bytes,
) -> Answer {
    let caller = writer(&state, &bearer).await.map_err(Failure::from)?;
    let action = match action.as_str() {
        "submit" => Action::Submit,
        "approve" => Action::Approve,
        "return" => Action::Return,
        "reject" => Action::Reject,
        "request-deletion" => Action::RequestDeletion,
        "delete" => Action::Delete,
        "close" => Action::Close,
        other => {
            return Err(ApiError::NotFound(format!("操作 {other} / action {other}")).into());
        }
    };
    let reason = reason_of(&body)?;
    if action == Action::Close {
        // Staff may close an ended project at once instead of waiting for the scheduler.
        if !caller.is_staff() {
            return Err(staff_only().into());
        }
        state
            .crowdfunding
            .close_due(&state.db, state.now())
            .await
            .map_err(problem)?;
        return ok(state
            .crowdfunding
            .view(&state.db, &id, Some(&caller), state.now())
            .await
            .map_err(problem)?);
    }
    ok(state
        .crowdfunding
        .act(
            &state.db,
            &caller,
            &id,
            action,
            reason.as_deref(),
            state.now(),
        )
        .await
        .map_err(problem)?)
}

async fn audit(State(state): State<AppState>, bearer: ApiBearer, Path(id): Path<String>) -> Answer {
    let caller = caller(&state, &bearer).await.map_err(Failure::from)?;
    ok(
        json!({ "entries": state.crowdfunding.audit_trail(&state.db, &caller, &id).await.map_err(problem)? }),
    )
}

async fn order(
    State(state): State<AppState>,
    bearer: ApiBearer,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<OrderInput>,
) -> Answer {
    let caller = writer(&state, &bearer).await.map_err(Failure::from)?;
    let (order, prepay) = state
        .crowdfunding
        .place_order(&state.db, &caller, &id, &input, state.now())
        .await
        .map_err(problem)?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "order": order, "payment": prepay })),
    )
        .into_response())
}

async fn apply_subsidy(
    State(state): State<AppState>,
    bearer: ApiBearer,
    Path(id): Path<String>,
) -> Answer {
    let caller = writer(&state, &bearer).await.map_err(Failure::from)?;
    ok(state
        .crowdfunding
        .apply_subsidy(&state.db, &caller, &id, state.now())
        .await
        .map_err(problem)?)
}

async fn decide_subsidy(
    State(state): State<AppState>,
    bearer: ApiBearer,
    Path((id, decision)): Path<(String, String)>,
    body: Bytes,
) -> Answer {
    let caller = caller(&state, &bearer).await.map_err(Failure::from)?;
    let approve = match decision.as_str() {
        "approve" => true,
        "reject" => false,
        other => {
            return Err(ApiError::NotFound(format!("操作 {other} / decision {other}")).into());
        }
    };
    let reason = reason_of(&body)?;
    ok(state
        .crowdfunding
        .decide_subsidy(
            &state.db,
            &caller,
            &id,
            approve,
            reason.as_deref(),
            state.now(),
        )
        .await
        .map_err(problem)?)
}

async fn show_order(
    State(state): State<AppState>,
    bearer: ApiBearer,
    Path(id): Path<String>,
) -> Answer {
    let caller = caller(&state, &bearer).await.map_err(Failure::from)?;
    let order = find_order(&state.db, &id).await.map_err(problem)?;
    let project = crate::crowdfunding::service::find_project(&state.db, &order.project_id)
        .await
        .map_err(problem)?;
    let mine = order.backer_user_id == caller.user_id
        || caller.organisation_id.as_deref() == Some(project.organisation_id.as_str())
        || caller.is_staff();
    if !mine {
        return Err(ApiError::NotFound(format!("订单 {id}")).into());
    }
    ok(order)
}

async fn deliver(
    State(state): State<AppState>,
    bearer: ApiBearer,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<DeliveryInput>,
) -> Answer {
    let caller = writer(&state, &bearer).await.map_err(Failure::from)?;
    ok(state
        .crowdfunding
        .deliver(&state.db, &caller, &id, &input, state.now())
        .await
        .map_err(problem)?)
}

#[derive(Deserialize)]
struct EvaluationInput {
    evaluation: i64,
    remark: Option<String>,
}

async fn evaluate(
    State(state): State<AppState>,
    bearer: ApiBearer,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<EvaluationInput>,
) -> Answer {
    let caller = writer(&state, &bearer).await.map_err(Failure::from)?;
    ok(state
        .crowdfunding
        .evaluate(
            &state.db,
            &caller,
            &id,
            input.evaluation,
            input.remark.as_deref(),
            state.now(),
        )
        .await
        .map_err(problem)?)
}

/// The gateway's asynchronous notification. Nothing in it is trusted before its signature
/// verifies.
async fn notify(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Answer {
    let signature = headers
        .get("x-sandbox-signature")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    match state
        .crowdfunding
        .handle_notification(&state.db, &body, signature, state.now())
        .await
    {
        Ok(()) => ok(json!({ "code": "SUCCESS" })),
        Err(CrowdfundingError::Gateway(e)) => Err(ApiError::Unauthorized(e.to_string()).into()),
        Err(e) => Err(problem(e)),
    }
}

async fn run_scheduler(State(state): State<AppState>, bearer: ApiBearer) -> Answer {
    let caller = caller(&state, &bearer).await.map_err(Failure::from)?;
    if !caller.is_staff() {
        return Err(staff_only().into());
    }
    let released = state
        .crowdfunding
        .release_unpaid(&state.db, state.now())
        .await
        .map_err(problem)?;
    let closed = state
        .crowdfunding
        .close_due(&state.db, state.now())
        .await
        .map_err(problem)?;
    ok(json!({ "closed": closed, "released_unpaid_orders": released }))
}
