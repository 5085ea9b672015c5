//! Each domain error of the core mapped once to the API's problem and once to the page error;
//! the platforms map theirs in their own folders (`api.rs`, `pages.rs`), in the same way.

use super::{ApiError, PageError};
use crate::accounts::AccountError;
use crate::catalogue::freeze::FreezeError;
use crate::db::{DbError, is_unique_violation};
use crate::oauth::clients::ClientError;

/// Two writes that create the same new key at the same moment (PostgreSQL) collide on a unique
/// index; the loser is told to retry, and nothing of it is stored.
impl From<DbError> for ApiError {
    fn from(e: DbError) -> Self {
        match &e {
            DbError::Query(q) if is_unique_violation(q) => ApiError::Conflict(
                "另一请求同时写入了相同编码的记录，请重试 / another request wrote a record with the same key at the same moment; retry".into(),
            ),
            _ => ApiError::internal(e),
        }
    }
}

impl From<DbError> for PageError {
    fn from(e: DbError) -> Self {
        PageError::Internal(e.into())
    }
}

impl From<ClientError> for ApiError {
    fn from(e: ClientError) -> Self {
        match e {
            ClientError::NotFound(id) => ApiError::NotFound(format!("客户端 / client {id}")),
            ClientError::Db(e) => ApiError::internal(e),
            other => ApiError::BadRequest(other.to_string()),
        }
    }
}

impl From<ClientError> for PageError {
    fn from(e: ClientError) -> Self {
        match e {
            ClientError::NotFound(_) => PageError::NotFound,
            ClientError::Db(e) => PageError::Internal(e.into()),
            other => PageError::BadRequest(other.to_string()),
        }
    }
}

impl From<FreezeError> for ApiError {
    fn from(e: FreezeError) -> Self {
        match e {
            FreezeError::NoSuchOrganisation(id) => {
                ApiError::NotFound(format!("机构 / organisation {id}"))
            }
            FreezeError::ReasonRequired => ApiError::BadRequest(e.to_string()),
            FreezeError::Db(e) => ApiError::internal(e),
        }
    }
}

impl From<FreezeError> for PageError {
    fn from(e: FreezeError) -> Self {
        match e {
            FreezeError::NoSuchOrganisation(_) => PageError::NotFound,
            FreezeError::ReasonRequired => PageError::BadRequest(e.to_string()),
            FreezeError::Db(e) => PageError::Internal(e.into()),
        }
    }
}

impl From<AccountError> for ApiError {
    fn from(e: AccountError) -> Self {
        match e {
            AccountError::UnknownUser(_) | AccountError::UnknownOrganisation(_) => {
                ApiError::NotFound(e.to_string())
            }
            AccountError::Db(e) => ApiError::internal(e),
            other => ApiError::BadRequest(other.to_string()),
        }
    }
}

impl From<AccountError> for PageError {
    fn from(e: AccountError) -> Self {
        match e {
            AccountError::UnknownUser(_) | AccountError::UnknownOrganisation(_) => {
                PageError::NotFound
            }
            other => PageError::Internal(other.into()),
        }
    }
}

/// The session store failed: the page cannot go on.
impl From<tower_sessions::session::Error> for PageError {
    fn from(e: tower_sessions::session::Error) -> Self {
        PageError::Internal(e.into())
    }
}

/// A payment notification the hub could not take: a bad signature is 401, an id no platform
/// pays for 404, a refusal 400; a platform that could not handle it now answers 500, so the
/// gateway retries.
impl From<crate::payments::DispatchError> for ApiError {
    fn from(e: crate::payments::DispatchError) -> Self {
        use crate::payments::DispatchError as D;
        match e {
            D::Gateway(e) => ApiError::Unauthorized(format!(
                "支付通知未通过验证 / the payment notification was refused: {e}"
            )),
            D::UnknownOrder(id) => ApiError::NotFound(format!("订单 / order {id}")),
            D::Refused(e) => ApiError::BadRequest(e),
            D::Failed(e) => ApiError::internal(anyhow::anyhow!(e)),
        }
    }
}
