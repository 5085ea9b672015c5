//! `/api/inbox`: the signed-in user's messages (scope `inbox`).

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{InboxError, Listing, Message};
use crate::error::{ApiError, Problem};
use crate::platform::kit::api::{ApiCaller, Area};
use crate::state::AppState;

/// The scope of the inbox API.
pub const SCOPE: &str = "inbox";

/// The inbox's part of the API.
pub struct InboxArea;

impl Area for InboxArea {
    const SCOPE: &'static str = SCOPE;
    const STAFF_SCOPE: Option<&'static str> = None;
}

#[derive(OpenApi)]
#[openapi(
    tags((name = "inbox", description = "平台消息 / The platform inbox")),
    components(schemas(Problem))
)]
struct Doc;

fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(Doc::openapi())
        .routes(routes!(list))
        .routes(routes!(read))
        .routes(routes!(acknowledge))
}

pub fn router() -> Router<AppState> {
    routes().split_for_parts().0
}

pub fn openapi() -> utoipa::openapi::OpenApi {
    routes().split_for_parts().1
}

impl From<InboxError> for ApiError {
    fn from(e: InboxError) -> Self {
        match e {
            InboxError::NotFound(_) => ApiError::NotFound(format!("消息 / message: {e}")),
            InboxError::NoAcknowledgement => {
                ApiError::refused(StatusCode::CONFLICT, "no-acknowledgement", e.to_string())
            }
            InboxError::Db(e) => ApiError::internal(e),
        }
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ListParams {
    /// Only unread messages (and those waiting for acknowledgement).
    #[serde(default)]
    unread: bool,
    /// At most this many, 1 to 100 (default 50).
    limit: Option<i64>,
    /// Only messages posted before this one (its `id`), for the next page.
    before: Option<String>,
}

#[derive(Serialize, ToSchema)]
struct InboxPage {
    /// Newest first.
    items: Vec<Message>,
    /// How many messages in all are unread or wait for acknowledgement.
    unread: i64,
}

/// 我的消息 / My messages, newest first.
#[utoipa::path(get, path = "/api/inbox", tag = "inbox", params(ListParams),
    security(("bearer" = ["inbox"])),
    responses((status = 200, body = InboxPage), (status = 401, body = Problem), (status = 403, body = Problem)))]
async fn list(
    State(state): State<AppState>,
    ApiCaller(reader, _): ApiCaller<InboxArea>,
    Query(p): Query<ListParams>,
) -> Result<Json<InboxPage>, ApiError> {
    let listing = Listing {
        unread_only: p.unread,
        limit: p.limit.unwrap_or(50),
        before: p.before,
    };
    let items = super::list(&state.db, &reader, listing).await?;
    let unread = super::unread_count(&state.db, &reader).await?;
    Ok(Json(InboxPage { items, unread }))
}

/// 标为已读 / Mark a message read.
#[utoipa::path(post, path = "/api/inbox/{id}/read", tag = "inbox", params(("id" = String, Path)),
    security(("bearer" = ["inbox"])),
    responses((status = 200, body = Message), (status = 404, body = Problem)))]
async fn read(
    State(state): State<AppState>,
    ApiCaller(reader, _): ApiCaller<InboxArea>,
    Path(id): Path<String>,
) -> Result<Json<Message>, ApiError> {
    Ok(Json(
        super::mark(&state.db, &reader, &id, false, state.now()).await?,
    ))
}

/// 确认 / Acknowledge a message that asks for it (and mark it read).
#[utoipa::path(post, path = "/api/inbox/{id}/acknowledge", tag = "inbox", params(("id" = String, Path)),
    security(("bearer" = ["inbox"])),
    responses((status = 200, body = Message), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn acknowledge(
    State(state): State<AppState>,
    ApiCaller(reader, _): ApiCaller<InboxArea>,
    Path(id): Path<String>,
) -> Result<Json<Message>, ApiError> {
    Ok(Json(
        super::mark(&state.db, &reader, &id, true, state.now()).await?,
    ))
}
