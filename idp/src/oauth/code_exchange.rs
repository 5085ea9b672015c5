//! The authorization-code exchange of the token endpoint (RFC 6749 §4.1.3): the code is
//! checked (its client, redirect URI, expiry and PKCE verifier, RFC 7636 and RFC 9700 §2.1.1),
//! redeemed exactly once, and turned into a grant with its first refresh token; a code presented
//! again revokes what it issued. The endpoint then mints the tokens.

use super::adapter;
use super::clients::{Client, GrantType};
use super::error::OAuthError;
use super::grants::{self, CodeRecord, Grant, NewGrant};
use crate::accounts::{self, User};
use crate::clock::UnixTime;
use crate::db::Db;

/// What the client presented.
pub struct CodeRequest<'a> {
    pub client: &'a Client,
    pub code: &'a str,
    pub redirect_uri: &'a str,
    pub verifier: Option<&'a str>,
}

/// How long what the exchange issues lives (seconds).
#[derive(Debug, Clone, Copy)]
pub struct Lifetimes {
    /// A refresh token unused this long expires.
    pub refresh_idle: i64,
    /// No refresh token of the grant outlives this.
    pub grant_absolute: i64,
}

/// A redeemed code: what it was, for whom, and the grant it became.
pub struct Redeemed {
    pub record: CodeRecord,
    pub user: User,
    pub grant: Grant,
    /// When the client may refresh.
    pub refresh_token: Option<String>,
}

pub async fn redeem(
    db: &Db,
    request: &CodeRequest<'_>,
    lifetimes: Lifetimes,
    now: UnixTime,
) -> Result<Redeemed, OAuthError> {
    // Reads first, through the pool; the transaction below only writes. The single use of the
    // code is guaranteed by `redeem_code`'s conditional update, not by this read.
    let record = grants::find_code(db, request.code)
        .await
        .map_err(OAuthError::server_error)?
        .ok_or_else(|| OAuthError::invalid_grant("the code is invalid / 授权码无效"))?;
    // RFC 6749 §4.1.2: a code used twice revokes what it issued.
    if let Some(grant_id) = &record.grant_id {
        revoke_for_replay(db, grant_id, "authorization code replayed", now).await?;
        tracing::warn!(client_id = %request.client.client_id, "authorization code replayed; its grant is revoked");
        return Err(OAuthError::invalid_grant(
            "the code was already used / 授权码已被使用",
        ));
    }
    // RFC 6749 §4.1.3: bound to the client and the redirect URI.
    if record.client_id != request.client.client_id {
        return Err(OAuthError::invalid_grant(
            "the code was issued to another client / 授权码不属于该客户端",
        ));
    }
    if record.redirect_uri != request.redirect_uri {
        return Err(OAuthError::invalid_grant(
            "redirect_uri does not match the authorization request",
        ));
    }
    if record.expires_at <= now {
        return Err(OAuthError::invalid_grant(
            "the code has expired / 授权码已过期",
        ));
    }
    // RFC 7636 §4.6; RFC 9700 §2.1.1: a verifier without a challenge is refused too.
    match (&record.pkce_challenge, request.verifier) {
        (Some(challenge), Some(verifier)) if adapter::pkce_verify(challenge, verifier) => {}
        (Some(_), Some(_)) => {
            return Err(OAuthError::invalid_grant(
                "code_verifier does not match / PKCE 校验失败",
            ));
        }
        (Some(_), None) => {
            return Err(OAuthError::invalid_grant(
                "code_verifier is required / 缺少 code_verifier",
            ));
        }
        (None, Some(_)) => {
            return Err(OAuthError::invalid_grant(
                "code_verifier sent but the authorization request had no code_challenge",
            ));
        }
        (None, None) if request.client.public => {
            return Err(OAuthError::invalid_grant("public clients must use PKCE"));
        }
        (None, None) => {}
    }
    let user = accounts::find_user(db, &record.user_id)
        .await
        .map_err(OAuthError::server_error)?
        .filter(|u| !u.disabled)
        .ok_or_else(|| OAuthError::invalid_grant("the user no longer exists or is disabled"))?;

    let mut tx = db.begin().await.map_err(OAuthError::server_error)?;
    let grant = grants::create_grant(
        &mut tx,
        NewGrant {
            client_id: &request.client.client_id,
            user_id: Some(&user.id),
            session_id: record.session_id.as_deref(),
            scope: &record.scope,
            auth_time: record.auth_time,
            lifetime: lifetimes.grant_absolute,
        },
        now,
    )
    .await
    .map_err(OAuthError::server_error)?;
    if !grants::redeem_code(&mut tx, request.code, &grant.id)
        .await
        .map_err(OAuthError::server_error)?
    {
        // Another request redeemed it between our read and this write: a replay after all.
        drop(tx);
        if let Some(first) = grants::find_code(db, request.code)
            .await
            .map_err(OAuthError::server_error)?
            && let Some(grant_id) = first.grant_id
        {
            revoke_for_replay(db, &grant_id, "authorization code replayed", now).await?;
        }
        return Err(OAuthError::invalid_grant(
            "the code was already used / 授权码已被使用",
        ));
    }
    let refresh_token = if request.client.allows_grant(GrantType::RefreshToken) {
        Some(
            grants::issue_refresh(&mut tx, &grant, now, lifetimes.refresh_idle)
                .await
                .map_err(OAuthError::server_error)?
                .into_string(),
        )
    } else {
        None
    };
    tx.commit().await.map_err(OAuthError::server_error)?;

    Ok(Redeemed {
        record,
        user,
        grant,
        refresh_token,
    })
}

async fn revoke_for_replay(
    db: &Db,
    grant_id: &str,
    reason: &str,
    now: UnixTime,
) -> Result<(), OAuthError> {
    let mut tx = db.begin().await.map_err(OAuthError::server_error)?;
    grants::revoke_grant(&mut tx, grant_id, reason, now)
        .await
        .map_err(OAuthError::server_error)?;
    tx.commit().await.map_err(OAuthError::server_error)
}
