//! Where the platform ends this app's sessions (OpenID Connect Back-Channel Logout): when a
//! user signs out at the platform, signs out everywhere or withdraws this app, the platform
//! posts a logout token here. The SDK verifies it; the logins it names lose their tokens, so
//! their browsers are signed out at their next request.

use axum::Form;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::AppState;

/// Who a login of this app belongs to at the platform.
#[derive(Debug, Clone)]
pub(crate) struct LoginOf {
    pub subject: String,
    pub session_id: Option<String>,
}

#[derive(Deserialize)]
pub(crate) struct LogoutForm {
    logout_token: String,
}

pub(crate) async fn receive(
    State(state): State<AppState>,
    Form(form): Form<LogoutForm>,
) -> Response {
    let no_store = [(header::CACHE_CONTROL, "no-store")];
    let verified = match state.client().await {
        Ok(client) => client.verify_logout_token(&form.logout_token).await,
        // The platform retries what is not answered 2xx.
        Err(e) => return e.into_response(),
    };
    let logout = match verified {
        Ok(logout) => logout,
        Err(e) => {
            tracing::warn!(error = %e, "refused a logout token");
            let body =
                serde_json::json!({"error": "invalid_request", "error_description": e.to_string()});
            return (StatusCode::BAD_REQUEST, no_store, axum::Json(body)).into_response();
        }
    };
    let ended: Vec<String> = {
        let mut logins = state.logins.lock().await;
        let matching: Vec<String> = logins
            .iter()
            .filter(|(_, of)| match (&logout.session_id, &logout.subject) {
                (Some(sid), subject) => {
                    of.session_id.as_deref() == Some(sid)
                        && subject.as_ref().is_none_or(|s| *s == of.subject)
                }
                (None, Some(subject)) => *subject == of.subject,
                (None, None) => false,
            })
            .map(|(id, _)| id.clone())
            .collect();
        for id in &matching {
            logins.remove(id);
        }
        matching
    };
    let mut holders = state.holders.lock().await;
    for id in &ended {
        holders.remove(id);
    }
    tracing::info!(logins = ended.len(), "the platform ended logins");
    (StatusCode::OK, no_store).into_response()
}
