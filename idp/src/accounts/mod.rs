//! Organisations, users and their roles: the accounts every other part refers to.

pub mod caller;
pub mod password;
pub mod roles;
pub mod second_factor;

use serde::Serialize;
use uuid::Uuid;

use crate::clock::UnixTime;
use crate::db::{Db, DbError, Tx, is_unique_violation};
use crate::{with_pool, with_tx};
pub use roles::{OrganisationKind, Role};

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Organisation {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub credit_code: Option<String>,
    pub frozen_reason: Option<String>,
    pub frozen_at: Option<i64>,
    pub created_at: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct User {
    /// The OpenID Connect `sub`: opaque and stable.
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub organisation_id: Option<String>,
    pub roles: Vec<Role>,
    pub disabled: bool,
    pub created_at: i64,
}

#[derive(sqlx::FromRow)]
struct UserRow {
    id: String,
    username: String,
    display_name: String,
    email: Option<String>,
    phone: Option<String>,
    organisation_id: Option<String>,
    disabled: bool,
    created_at: i64,
}

/// A user row joined with one of their roles (none: NULL).
#[derive(sqlx::FromRow)]
struct UserRoleRow {
    #[sqlx(flatten)]
    user: UserRow,
    role: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("机构 {0} 已存在 / an organisation named {0} already exists")]
    OrganisationExists(String),
    #[error("用户名 {0} 已被使用 / the username {0} is taken")]
    UsernameTaken(String),
    #[error("没有用户 {0} / no user named {0}")]
    UnknownUser(String),
    #[error("没有机构 {0} / no organisation named {0}")]
    UnknownOrganisation(String),
    #[error(transparent)]
    Password(#[from] password::PasswordError),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<sqlx::Error> for AccountError {
    fn from(e: sqlx::Error) -> Self {
        AccountError::Db(DbError::Query(e))
    }
}

pub struct NewUser {
    pub username: String,
    pub password: String,
    pub display_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub organisation_id: Option<String>,
    pub roles: Vec<Role>,
}

pub fn new_user_id() -> String {
    format!("usr_{}", Uuid::new_v4().simple())
}

pub async fn create_organisation(
    db: &Db,
    name: &str,
    kind: OrganisationKind,
    credit_code: Option<&str>,
    now: UnixTime,
) -> Result<Organisation, AccountError> {
    let organisation = Organisation {
        id: format!("org_{}", Uuid::new_v4().simple()),
        name: name.to_owned(),
        kind: kind.code().to_owned(),
        credit_code: credit_code.map(str::to_owned),
        frozen_reason: None,
        frozen_at: None,
        created_at: now,
    };
    let result = with_pool!(db, pool => sqlx::query(
        "INSERT INTO organisations (id, name, kind, credit_code, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&organisation.id)
    .bind(&organisation.name)
    .bind(&organisation.kind)
    .bind(&organisation.credit_code)
    .bind(organisation.created_at)
    .execute(pool)
    .await
    .map(|r| r.rows_affected()));
    match result {
        Ok(_) => Ok(organisation),
        Err(e) if is_unique_violation(&e) => Err(AccountError::OrganisationExists(name.to_owned())),
        Err(e) => Err(e.into()),
    }
}

pub async fn find_organisation_by_name(
    db: &Db,
    name: &str,
) -> Result<Option<Organisation>, AccountError> {
    Ok(with_pool!(db, pool => sqlx::query_as::<_, Organisation>(
        "SELECT id, name, kind, credit_code, frozen_reason, frozen_at, created_at FROM organisations WHERE name = $1",
    )
    .bind(name)
    .fetch_optional(pool)
    .await)?)
}

pub async fn find_organisation(db: &Db, id: &str) -> Result<Option<Organisation>, AccountError> {
    Ok(with_pool!(db, pool => sqlx::query_as::<_, Organisation>(
        "SELECT id, name, kind, credit_code, frozen_reason, frozen_at, created_at FROM organisations WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(pool)
    .await)?)
}

pub async fn list_organisations(db: &Db) -> Result<Vec<Organisation>, AccountError> {
    Ok(with_pool!(db, pool => sqlx::query_as::<_, Organisation>(
        "SELECT id, name, kind, credit_code, frozen_reason, frozen_at, created_at FROM organisations ORDER BY created_at, name",
    )
    .fetch_all(pool)
    .await)?)
}

/// Creates a user with the given roles; the password is checked against the policy and hashed.
pub async fn create_user(db: &Db, new: NewUser, now: UnixTime) -> Result<User, AccountError> {
    password::check_policy(
        &new.password,
        &[new.username.as_str(), new.display_name.as_str()],
    )?;
    let hash = password::hash(new.password).await?;
    let user = User {
        id: new_user_id(),
        username: new.username,
        display_name: new.display_name,
        email: new.email,
        phone: new.phone,
        organisation_id: new.organisation_id,
        roles: new.roles,
        disabled: false,
        created_at: now,
    };
    let mut tx = db.begin().await?;
    let inserted = with_tx!(&mut tx, conn => sqlx::query(
        "INSERT INTO users (id, username, password_hash, display_name, email, phone, organisation_id, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
    )
    .bind(&user.id)
    .bind(&user.username)
    .bind(&hash)
    .bind(&user.display_name)
    .bind(&user.email)
    .bind(&user.phone)
    .bind(&user.organisation_id)
    .bind(now)
    .execute(conn)
    .await
    .map(|r| r.rows_affected()));
    match inserted {
        Ok(_) => {}
        Err(e) if is_unique_violation(&e) => {
            return Err(AccountError::UsernameTaken(user.username));
        }
        Err(e) => return Err(e.into()),
    }
    insert_roles(&mut tx, &user.id, &user.roles).await?;
    tx.commit().await?;
    Ok(user)
}

async fn insert_roles(tx: &mut Tx, user_id: &str, roles: &[Role]) -> Result<(), AccountError> {
    for role in roles {
        with_tx!(tx, conn => sqlx::query("INSERT INTO user_roles (user_id, role) VALUES ($1, $2)")
            .bind(user_id)
            .bind(role.code())
            .execute(conn)
            .await
            .map(|r| r.rows_affected()))?;
    }
    Ok(())
}

const USER_COLUMNS: &str =
    "id, username, display_name, email, phone, organisation_id, disabled, created_at";

pub async fn find_user_by_username(db: &Db, username: &str) -> Result<Option<User>, AccountError> {
    find_user_where(db, "u.username = $1", username).await
}

pub async fn find_user(db: &Db, id: &str) -> Result<Option<User>, AccountError> {
    find_user_where(db, "u.id = $1", id).await
}

/// A user and their roles in one query (on every login and token exchange).
async fn find_user_where(
    db: &Db,
    condition: &str,
    value: &str,
) -> Result<Option<User>, AccountError> {
    let sql = format!(
        "SELECT u.id, u.username, u.display_name, u.email, u.phone, u.organisation_id, u.disabled, u.created_at, r.role \
         FROM users u LEFT JOIN user_roles r ON r.user_id = u.id WHERE {condition} ORDER BY r.role"
    );
    let rows = with_pool!(db, pool => sqlx::query_as::<_, UserRoleRow>(&sql)
        .bind(value)
        .fetch_all(pool)
        .await)?;
    let mut rows = rows.into_iter();
    let Some(first) = rows.next() else {
        return Ok(None);
    };
    let roles: Vec<Role> = std::iter::once(first.role)
        .chain(rows.map(|r| r.role))
        .flatten()
        .filter_map(|c| Role::from_code(&c))
        .collect();
    let row = first.user;
    Ok(Some(User {
        id: row.id,
        username: row.username,
        display_name: row.display_name,
        email: row.email,
        phone: row.phone,
        organisation_id: row.organisation_id,
        roles,
        disabled: row.disabled,
        created_at: row.created_at,
    }))
}

pub async fn list_users(db: &Db) -> Result<Vec<User>, AccountError> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users ORDER BY created_at, username");
    let rows = with_pool!(db, pool => sqlx::query_as::<_, UserRow>(&sql).fetch_all(pool).await)?;
    // All roles in one query, not one per user.
    let pairs: Vec<(String, String)> = with_pool!(db, pool => sqlx::query_as(
        "SELECT user_id, role FROM user_roles ORDER BY role",
    )
    .fetch_all(pool)
    .await)?;
    let mut roles: std::collections::HashMap<String, Vec<Role>> = std::collections::HashMap::new();
    for (user_id, code) in pairs {
        if let Some(role) = Role::from_code(&code) {
            roles.entry(user_id).or_default().push(role);
        }
    }
    Ok(rows
        .into_iter()
        .map(|row| User {
            roles: roles.remove(&row.id).unwrap_or_default(),
            id: row.id,
            username: row.username,
            display_name: row.display_name,
            email: row.email,
            phone: row.phone,
            organisation_id: row.organisation_id,
            disabled: row.disabled,
            created_at: row.created_at,
        })
        .collect())
}

/// Sets a new password (checked against the policy) for the user with this username.
pub async fn set_password(
    db: &Db,
    username: &str,
    password: String,
    now: UnixTime,
) -> Result<(), AccountError> {
    password::check_policy(&password, &[username])?;
    let hash = password::hash(password).await?;
    let updated = with_pool!(db, pool => sqlx::query(
        "UPDATE users SET password_hash = $2, updated_at = $3 WHERE username = $1",
    )
    .bind(username)
    .bind(&hash)
    .bind(now)
    .execute(pool)
    .await
    .map(|r| r.rows_affected()))?;
    if updated == 0 {
        return Err(AccountError::UnknownUser(username.to_owned()));
    }
    Ok(())
}

/// The stored password hash of an enabled user, for login.
pub async fn password_hash_of(
    db: &Db,
    username: &str,
) -> Result<Option<(String, String)>, AccountError> {
    Ok(
        with_pool!(db, pool => sqlx::query_as::<_, (String, String)>(
        "SELECT id, password_hash FROM users WHERE username = $1 AND NOT disabled",
    )
    .bind(username)
    .fetch_optional(pool)
    .await)?,
    )
}
