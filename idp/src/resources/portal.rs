//! What shared resources show on the public portal: carriers with what they share.

use futures_util::FutureExt;
use serde::Serialize;

use super::error::Result;
use crate::db::Db;
use crate::with_pool;

/// A carrier on the portal.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct CarrierCard {
    pub organisation_id: String,
    pub name: String,
    pub region_code: String,
    pub items: i64,
    pub resources: i64,
}

/// Carriers sharing something, the most recently changed first; `q` searches names.
pub async fn carriers(
    db: &Db,
    q: &str,
    region: &str,
    limit: i64,
    offset: i64,
) -> Result<Vec<CarrierCard>> {
    let backend = db.backend();
    let sql = format!(
        "SELECT organisation_id, name, region_code, CAST(items AS BIGINT) AS items, CAST(resources AS BIGINT) AS resources FROM res_carriers \
         WHERE (items > 0 OR resources > 0) AND ($1 = '' OR {}) AND ($2 = '' OR substr(region_code, 1, length($2)) = $2) \
         ORDER BY updated_at DESC, organisation_id LIMIT $3 OFFSET $4",
        crate::db::dialect::contains(backend, "name", "$1")
    );
    Ok(with_pool!(db, pool => {
        sqlx::query_as::<_, CarrierCard>(&sql)
            .bind(q.trim())
            .bind(region.trim().trim_end_matches("00"))
            .bind(limit.clamp(1, 50))
            .bind(offset.clamp(0, 10_000))
            .fetch_all(pool)
            .await?
    }))
}

pub static SECTION: crate::platform::PortalSection = crate::platform::PortalSection {
    key: "carriers",
    zh: "共享载体资源",
    en: "Shared carrier resources",
    about_zh: "各双创载体开放共享的场地、工位与设备，查看空闲时段后登录预约。",
    about_en: "Rooms, workstations and equipment the carriers share; see free slots, sign in and book.",
    list: |db, q| section_list(db, q).boxed(),
    mine_zh: "我的预约与服务请求",
    mine_en: "My bookings and service requests",
    mine: |db, caller, en| mine(db, caller, en).boxed(),
};

async fn section_list(
    db: &Db,
    q: &crate::platform::PortalQuery,
) -> anyhow::Result<Vec<crate::platform::Card>> {
    Ok(carriers(db, &q.q, "", q.limit, q.offset)
        .await?
        .into_iter()
        .map(|c| crate::platform::Card {
            href: format!("/carriers/{}", c.organisation_id),
            summary: String::new(),
            facts: vec![
                crate::catalogue::codes::region_name(&c.region_code)
                    .unwrap_or_default()
                    .to_owned(),
                if q.en {
                    format!("{} items, {} resources", c.items, c.resources)
                } else {
                    format!("{} 个服务项目 · {} 项可预约资源", c.items, c.resources)
                },
            ],
            title: c.name,
        })
        .collect())
}

/// The user's bookings (upcoming first) and service requests.
async fn mine(
    db: &Db,
    caller: &crate::accounts::caller::Caller,
    en: bool,
) -> anyhow::Result<Vec<crate::platform::Card>> {
    use super::model::{BOOKING_STATES, REQUEST_STATES, state_label};
    let bookings: Vec<(String, String, String, i64, i64, String)> = with_pool!(db, pool => {
        sqlx::query_as("SELECT b.id, b.resource_id, r.name, b.starts_at, b.ends_at, b.state FROM res_bookings b JOIN res_resources r ON r.id = b.resource_id WHERE b.user_id = $1 ORDER BY b.starts_at DESC, b.id LIMIT 20")
            .bind(&caller.user_id).fetch_all(pool).await?
    });
    let requests: Vec<(String, String, String, String)> = with_pool!(db, pool => {
        sqlx::query_as("SELECT q.id, q.item_id, i.service_name, q.state FROM res_requests q JOIN res_items i ON i.id = q.item_id WHERE q.user_id = $1 ORDER BY q.created_at DESC, q.id LIMIT 20")
            .bind(&caller.user_id).fetch_all(pool).await?
    });
    let mut cards: Vec<crate::platform::Card> = bookings
        .into_iter()
        .map(
            |(id, resource, name, starts, ends, state)| crate::platform::Card {
                title: name,
                summary: format!(
                    "{}–{}",
                    crate::clock::shanghai_time(starts),
                    super::hours::hhmm((ends - super::hours::day_start(starts)) / 60)
                ),
                href: format!("/resources/bookings/{id}"),
                facts: vec![state_label(BOOKING_STATES, &state, en).to_owned(), resource],
            },
        )
        .collect();
    cards.extend(
        requests
            .into_iter()
            .map(|(id, item, name, state)| crate::platform::Card {
                title: name,
                summary: if en {
                    format!("Request {id}")
                } else {
                    format!("服务请求 {id}")
                },
                href: format!("/resources/items/{item}"),
                facts: vec![state_label(REQUEST_STATES, &state, en).to_owned()],
            }),
    );
    Ok(cards)
}
