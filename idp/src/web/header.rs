//! What the header of every page shows about the visitor: whether someone is signed in, and how
//! many of their inbox messages wait. Worked out once per page request (inside the session
//! layer) and kept in a task-local for the templates, which cannot wait on the database.

use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use tower_sessions::Session;

use super::identity::login_state;
use crate::accounts::caller::Caller;
use crate::state::AppState;

#[derive(Debug, Clone, Copy, Default)]
pub struct Header {
    pub signed_in: bool,
    /// Inbox messages unread or waiting for acknowledgement.
    pub unread: i64,
}

tokio::task_local! {
    static HEADER: Header;
}

/// The header of the page being rendered (nobody signed in outside a page request).
pub fn current() -> Header {
    HEADER.try_with(|h| *h).unwrap_or_default()
}

pub async fn scope(
    State(state): State<AppState>,
    session: Session,
    request: Request,
    next: Next,
) -> Response {
    // Only pages are rendered from GETs; the authorization endpoint's GETs redirect, and its
    // speed is the login's.
    let page = request.method() == Method::GET && !request.uri().path().starts_with("/authorize");
    let header = if page {
        look_up(&state, &session).await
    } else {
        Header::default()
    };
    HEADER.scope(header, next.run(request)).await
}

async fn look_up(state: &AppState, session: &Session) -> Header {
    let Some(login) = login_state::current(session).await else {
        return Header::default();
    };
    let Ok(Some(user)) = crate::accounts::find_user(&state.db, &login.user_id).await else {
        return Header::default();
    };
    let reader = Caller {
        user_id: user.id,
        organisation_id: user.organisation_id,
        roles: user.roles,
        staff: false,
    };
    // A header without its count is better than no page.
    let unread = crate::inbox::unread_count(&state.db, &reader)
        .await
        .unwrap_or_else(|e| {
            tracing::warn!(error = %e, "counting unread messages for the page header");
            0
        });
    Header {
        signed_in: true,
        unread,
    }
}
