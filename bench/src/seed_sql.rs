//! SQL the seeding benchmarks share: a series of row numbers, a value chosen by a row number,
//! and a timed statement.

use std::time::Instant;

use idp::db::Db;

/// `(CASE expr % n WHEN 0 THEN 'a' …)`: one of `values` by `expr`.
pub fn case(expr: &str, values: &[&str]) -> String {
    let arms: String = values
        .iter()
        .enumerate()
        .map(|(i, v)| format!(" WHEN {i} THEN '{v}'"))
        .collect();
    format!("(CASE {expr} % {}{arms} END)", values.len())
}

/// `WITH s(i) AS (1 … n)`, written for the backend.
pub fn series(db: &Db, n: i64) -> String {
    match db {
        Db::Sqlite(..) => {
            format!("WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {n})")
        }
        Db::Postgres(_) => format!("WITH s(i) AS (SELECT generate_series(1, {n})::BIGINT)"),
    }
}

/// Runs one statement and prints how long it took.
pub async fn run(db: &Db, sql: &str) -> Result<(), String> {
    let started = Instant::now();
    idp::with_pool!(db, pool => sqlx::query(sql).execute(pool).await.map(|_| ()))
        .map_err(|e| format!("{e}: {}", &sql[..sql.len().min(300)]))?;
    eprintln!(
        "   {:>6.1} s  {}",
        started.elapsed().as_secs_f64(),
        sql.split_whitespace().take(4).collect::<Vec<_>>().join(" ")
    );
    Ok(())
}

/// Prints `NAME=token` for each `(name, user id, scope)`: access tokens of an hour, minted with
/// the server's own signing key from its database.
pub async fn print_tokens(
    url: &str,
    db: &Db,
    client_id: &str,
    holders: &[(&str, String, &str)],
) -> Result<(), String> {
    let now = idp::clock::Clock::now(&idp::clock::SystemClock);
    let settings = idp::settings::Settings::default();
    idp::oauth::keys::ensure_key(db, settings.tokens.access_token_algorithm, now)
        .await
        .map_err(|e| e.to_string())?;
    let service = idp::oauth::tokens::TokenService::new(
        db.clone(),
        db.clone(),
        url,
        settings.tokens.signing_algorithm,
        settings.tokens.access_token_algorithm,
        3600,
        3600,
    );
    for (name, sub, scope) in holders {
        // iss, aud, iat, exp and jti are filled in by the service.
        let claims = idp::oauth::tokens::AccessClaims {
            iss: String::new(),
            sub: sub.clone(),
            aud: String::new(),
            client_id: client_id.into(),
            scope: (*scope).into(),
            jti: String::new(),
            iat: 0,
            exp: 0,
            gid: None,
            org: None,
            auth_time: None,
        };
        let (token, _) = service
            .mint_access(claims, now)
            .await
            .map_err(|e| e.to_string())?;
        println!("{name}={token}");
    }
    Ok(())
}

/// The demo administrator's user id (run `idp demo` first).
pub async fn demo_admin(db: &Db) -> Result<String, String> {
    Ok(idp::accounts::find_user_by_username(db, "admin")
        .await
        .map_err(|e| e.to_string())?
        .ok_or("run `idp demo` first: the staff token is the demo admin's")?
        .id)
}
