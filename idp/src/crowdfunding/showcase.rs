//! What crowdfunding shows on the public portal: listed projects, and a user's own projects and
//! pledges in their area.

use futures_util::FutureExt;

use crate::accounts::caller::Caller;
use crate::db::{Db, dialect};
use crate::payments::money::fen_to_yuan;
use crate::platform::{Card, PortalQuery, PortalSection};
use crate::with_pool;

pub static SECTION: PortalSection = PortalSection {
    key: "projects",
    zh: "产品众筹",
    en: "Product crowdfunding",
    about_zh: "平台审核上线的众筹项目，登录后即可支持。",
    about_en: "Projects reviewed and listed by the platform; sign in to back one.",
    list: |db, q| list(db, q).boxed(),
    mine_zh: "我的众筹",
    mine_en: "My crowdfunding",
    mine: |db, caller, en| mine(db, caller, en).boxed(),
};

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    title: String,
    summary: String,
    state: String,
    target_fen: i64,
    raised_fen: i64,
    backers: i64,
}

fn card(r: Row, en: bool) -> Card {
    let percent = if r.target_fen > 0 {
        r.raised_fen * 100 / r.target_fen
    } else {
        0
    };
    let state = super::lifecycle::State::parse(&r.state)
        .map(|s| if en { s.as_str() } else { s.label_zh() })
        .unwrap_or_default();
    Card {
        href: format!("/crowdfunding/{}", r.id),
        title: r.title,
        summary: r.summary,
        facts: vec![
            state.to_owned(),
            if en {
                format!(
                    "¥{} of ¥{} ({percent}%)",
                    fen_to_yuan(r.raised_fen),
                    fen_to_yuan(r.target_fen)
                )
            } else {
                format!(
                    "已筹 ¥{}／目标 ¥{}（{percent}%）",
                    fen_to_yuan(r.raised_fen),
                    fen_to_yuan(r.target_fen)
                )
            },
            if en {
                format!("{} backers", r.backers)
            } else {
                format!("{} 人支持", r.backers)
            },
        ],
    }
}

const COLUMNS: &str = "id, title, summary, state, target_fen, raised_fen, backers";

async fn list(db: &Db, q: &PortalQuery) -> anyhow::Result<Vec<Card>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM cf_projects WHERE state = 'listed' AND ($1 = '' OR {}) ORDER BY ends_at, id LIMIT $2 OFFSET $3",
        dialect::contains(db.backend(), "title", "$1")
    );
    let rows = with_pool!(db, pool => {
        sqlx::query_as::<_, Row>(&sql).bind(q.q.trim()).bind(q.limit).bind(q.offset).fetch_all(pool).await?
    });
    Ok(rows.into_iter().map(|r| card(r, q.en)).collect())
}

/// The projects of the user's organisation and the ones the user backed.
async fn mine(db: &Db, caller: &Caller, en: bool) -> anyhow::Result<Vec<Card>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM cf_projects WHERE organisation_id = $1 OR owner_user_id = $2 OR id IN (SELECT project_id FROM cf_orders WHERE backer_user_id = $2) ORDER BY updated_at DESC, id LIMIT 20"
    );
    let rows = with_pool!(db, pool => {
        sqlx::query_as::<_, Row>(&sql)
            .bind(caller.organisation_id.as_deref().unwrap_or("-"))
            .bind(&caller.user_id)
            .fetch_all(pool)
            .await?
    });
    Ok(rows.into_iter().map(|r| card(r, en)).collect())
}
