//! Who is on a page, as extractors: a handler names what it needs (a signed-in user, or a
//! platform administrator on the console) and never runs without it. A visitor who is not
//! signed in is sent to the login page and brought back; a signed-in user without the role gets
//! a readable 403 page.

use axum::extract::FromRequestParts;
use axum::http::Method;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use tower_sessions::Session;

use super::identity::login_state::{self, Login};
use super::pages;
use crate::accounts::caller::Caller;
use crate::accounts::{self, Role, User};
use crate::error::PageError;
use crate::state::AppState;

/// Why a page extractor turned the visitor away.
pub enum PageRejection {
    /// Not signed in: to the login page, then back to this path.
    SignIn(String),
    Error(PageError),
}

impl IntoResponse for PageRejection {
    fn into_response(self) -> Response {
        match self {
            PageRejection::SignIn(return_to) => {
                let query =
                    serde_urlencoded::to_string([("return_to", return_to)]).unwrap_or_default();
                pages::see_other(&format!("/login?{query}"))
            }
            PageRejection::Error(e) => e.into_response(),
        }
    }
}

impl From<PageError> for PageRejection {
    fn from(e: PageError) -> Self {
        PageRejection::Error(e)
    }
}

/// Where to come back after signing in: the page itself, or for a form's POST the area's page
/// (a POST address cannot be opened again with GET).
fn return_path(parts: &Parts) -> String {
    if parts.method == Method::GET {
        return parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_owned())
            .unwrap_or_else(|| "/".into());
    }
    let path = parts.uri.path();
    let mut segments = path.split('/').filter(|s| !s.is_empty()).take(2);
    match (segments.next(), segments.next()) {
        (Some(a), Some(b)) => format!("/{a}/{b}"),
        (Some(a), None) => format!("/{a}"),
        _ => "/".into(),
    }
}

/// A signed-in, enabled user on this browser.
pub struct PageUser {
    pub user: User,
    pub login: Login,
}

impl FromRequestParts<AppState> for PageUser {
    type Rejection = PageRejection;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, PageRejection> {
        let session = Session::from_request_parts(parts, state)
            .await
            .map_err(|(_, why)| PageError::Internal(anyhow::anyhow!("no session layer: {why}")))?;
        let Some(login) = login_state::current(&session).await else {
            return Err(PageRejection::SignIn(return_path(parts)));
        };
        let user = accounts::find_user(&state.db, &login.user_id)
            .await
            .map_err(|e| PageError::Internal(e.into()))?;
        match user {
            Some(user) if !user.disabled => {
                tracing::Span::current().record("subject", user.id.as_str());
                Ok(PageUser { user, login })
            }
            _ => Err(PageRejection::SignIn(return_path(parts))),
        }
    }
}

/// A signed-in platform administrator on the staff console.
pub struct ConsoleStaff(pub User);

impl ConsoleStaff {
    /// The administrator as a platform caller acting as staff: the console is the provider's
    /// own staff tool, behind the administrator's session.
    pub fn caller(&self) -> Caller {
        Caller {
            user_id: self.0.id.clone(),
            organisation_id: self.0.organisation_id.clone(),
            roles: self.0.roles.clone(),
            staff: true,
        }
    }
}

impl FromRequestParts<AppState> for ConsoleStaff {
    type Rejection = PageRejection;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, PageRejection> {
        let PageUser { user, .. } = PageUser::from_request_parts(parts, state).await?;
        if user.roles.contains(&Role::Admin) {
            Ok(ConsoleStaff(user))
        } else {
            Err(PageError::Forbidden.into())
        }
    }
}
