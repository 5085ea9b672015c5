//! Who is calling an API, as extractors (in the spirit of crates.io's `AuthCheck`): a handler
//! names what it needs in its arguments and never runs without it. A platform names its scopes
//! once, in an [`Area`].

use std::marker::PhantomData;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use super::oauth::bearer::ApiBearer;
use crate::accounts::caller::Caller;
use crate::error::ApiError;
use crate::state::AppState;

/// A part of the API reached with one scope, and with a further scope for staff powers.
pub trait Area: Send + Sync + 'static {
    /// The scope every call needs.
    const SCOPE: &'static str;
    /// The scope that makes an administrator's token act as staff, if the area has staff.
    const STAFF_SCOPE: Option<&'static str>;
}

/// The signed-in user behind a token of the area's scope.
pub struct ApiCaller<A>(pub Caller, pub PhantomData<A>);

impl<A: Area> FromRequestParts<AppState> for ApiCaller<A> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let bearer = ApiBearer::from_request_parts(parts, state).await?;
        bearer.require(A::SCOPE)?;
        let user = crate::accounts::find_user(&state.db, &bearer.0.sub)
            .await
            .map_err(ApiError::internal)?
            .filter(|u| !u.disabled)
            .ok_or_else(|| {
                ApiError::Forbidden(
                    "此操作需要用户的令牌 / this needs a token issued to a user".into(),
                )
            })?;
        Ok(ApiCaller(
            Caller {
                user_id: user.id,
                organisation_id: user.organisation_id,
                roles: user.roles,
                staff: A::STAFF_SCOPE.is_some_and(|scope| bearer.0.has_scope(scope)),
            },
            PhantomData,
        ))
    }
}

/// [`ApiCaller`] about to change something: refused while the user's organisation is frozen
/// (a freeze stops every write made for it, not only reporting).
pub struct ApiWriter<A>(pub Caller, pub PhantomData<A>);

impl<A: Area> FromRequestParts<AppState> for ApiWriter<A> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let ApiCaller(caller, _) = ApiCaller::<A>::from_request_parts(parts, state).await?;
        if let Some(org) = &caller.organisation_id
            && let Some(reason) = crate::catalogue::freeze::frozen_reason(&state.db, org)
                .await
                .map_err(ApiError::internal)?
        {
            return Err(ApiError::Frozen(reason));
        }
        Ok(ApiWriter(caller, PhantomData))
    }
}

/// [`ApiCaller`] acting as the area's staff.
pub struct ApiStaff<A>(pub Caller, pub PhantomData<A>);

impl<A: Area> FromRequestParts<AppState> for ApiStaff<A> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let ApiCaller(caller, _) = ApiCaller::<A>::from_request_parts(parts, state).await?;
        if !caller.is_staff() {
            return Err(ApiError::Forbidden(match A::STAFF_SCOPE {
                Some(scope) => format!(
                    "只有平台工作人员可以这样做，令牌须带 {scope} 范围 / staff only: the token needs the {scope} scope"
                ),
                None => "只有平台工作人员可以这样做 / staff only".into(),
            }));
        }
        Ok(ApiStaff(caller, PhantomData))
    }
}

/// A token carrying the `admin` scope: the admin API's callers (the operators' machine clients
/// and administrators' apps).
pub struct ApiAdmin(pub crate::oauth::tokens::AccessClaims);

impl FromRequestParts<AppState> for ApiAdmin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let bearer = ApiBearer::from_request_parts(parts, state).await?;
        bearer.require(crate::oauth::scopes::ADMIN)?;
        Ok(ApiAdmin(bearer.0))
    }
}
