//! The admin JSON API (scope `admin`), documented in `docs/openapi.json` and served at
//! `/api/openapi.json`.

mod audit;
mod clients;
mod organisations;

use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .nest(
            "/api/admin",
            clients::router()
                .merge(organisations::router())
                .merge(audit::router()),
        )
        .route("/api/openapi.json", axum::routing::get(openapi))
}

/// The whole API document: the hand-written identity and administration part
/// (`docs/openapi.json`), the catalogue's part generated from the spec, and each platform's
/// document generated from its handlers.
pub fn document() -> serde_json::Value {
    let mut document: serde_json::Value =
        serde_json::from_str(include_str!("../../../../docs/openapi.json")).unwrap_or_default();
    crate::catalogue::openapi::extend(&mut document);
    merge(&mut document, crate::inbox::api::openapi());
    for platform in crate::platform::ALL {
        merge(&mut document, (platform.openapi)());
    }
    // The token's scopes as the provider defines them, platforms included.
    if let Some(scopes) = document
        .pointer_mut("/components/securitySchemes/bearer/flows/clientCredentials/scopes")
        .and_then(|s| s.as_object_mut())
    {
        for (_, scope) in crate::platform::scopes() {
            scopes.insert(
                scope.name.to_owned(),
                format!("{} / {}", scope.zh, scope.en).into(),
            );
        }
    }
    document
}

/// Adds a generated document's paths, schemas and tags to `document`.
fn merge(document: &mut serde_json::Value, part: utoipa::openapi::OpenApi) {
    let Ok(part) = serde_json::to_value(part) else {
        return;
    };
    for (pointer, key) in [
        ("/paths", None),
        ("/components/schemas", None),
        ("", Some("tags")),
    ] {
        let (from, to) = match key {
            None => (part.pointer(pointer), document.pointer_mut(pointer)),
            Some(key) => (part.get(key), document.get_mut(key)),
        };
        match (from, to) {
            (Some(serde_json::Value::Object(from)), Some(serde_json::Value::Object(to))) => {
                to.extend(from.clone());
            }
            (Some(serde_json::Value::Array(from)), Some(serde_json::Value::Array(to))) => {
                to.extend(from.iter().cloned());
            }
            (Some(from), None) if key.is_some() => {
                if let Some(object) = document.as_object_mut() {
                    object.insert("tags".into(), from.clone());
                }
            }
            _ => {}
        }
    }
}

/// [`document`], built once.
async fn openapi() -> impl axum::response::IntoResponse {
    static DOCUMENT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let body = DOCUMENT.get_or_init(|| serde_json::to_string(&document()).unwrap_or_default());
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        body.as_str(),
    )
}

/// An administrator calling the admin API, as the audit trail names them.
pub(crate) struct AdminActor(pub crate::audit::Actor);

impl FromRequestParts<AppState> for AdminActor {
    type Rejection = crate::error::ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let admin = crate::http::auth::ApiAdmin::from_request_parts(parts, state).await?;
        let crate::http::extract::ClientAddress(address) =
            crate::http::extract::ClientAddress::from_request_parts(parts, state)
                .await
                .unwrap_or(crate::http::extract::ClientAddress(None));
        // A user's token names the user; a client's own token (client_credentials) the client.
        let user = crate::accounts::find_user(&state.db, &admin.0.sub)
            .await
            .map_err(crate::error::ApiError::internal)?;
        Ok(AdminActor(match user {
            Some(user) => crate::audit::Actor::user(&user.id, &user.username, address),
            None => crate::audit::Actor {
                user_id: None,
                name: format!("client:{}", admin.0.sub),
                address,
            },
        }))
    }
}
