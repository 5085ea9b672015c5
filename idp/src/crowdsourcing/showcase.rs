//! What crowdsourcing shows on the public portal: open demands (each with its own public page),
//! and the demands of a user's organisation in their area.

use futures_util::FutureExt;

use super::lifecycle::{DemandState, Mode};
use crate::accounts::caller::Caller;
use crate::db::{Db, dialect};
use crate::payments::money::fen_to_wan;
use crate::platform::{Card, PortalQuery, PortalSection};
use crate::with_pool;

pub static SECTION: PortalSection = PortalSection {
    key: "demands",
    zh: "业务众包",
    en: "Business crowdsourcing",
    about_zh: "企业发布的设计、研发、制造等服务需求，服务机构登录后即可响应。",
    about_en: "Enterprises' demands for design, R&D, manufacturing and more; service providers sign in to respond.",
    list: |db, q| list(db, q).boxed(),
    mine_zh: "我的众包需求",
    mine_en: "My crowdsourcing demands",
    mine: |db, caller, en| mine(db, caller, en).boxed(),
};

/// A demand as the public sees it.
#[derive(sqlx::FromRow)]
pub struct PublicDemand {
    pub id: String,
    pub title: String,
    pub description: String,
    pub state: String,
    pub mode: String,
    pub fee_fen: i64,
    pub cycle_days: i64,
    pub expiry_date: String,
    pub service_class: String,
    pub comp_name: String,
}

const COLUMNS: &str = "id, title, description, state, mode, fee_fen, cycle_days, expiry_date, service_class, comp_name";

impl PublicDemand {
    pub fn facts(&self, en: bool) -> Vec<String> {
        let state = DemandState::parse(&self.state)
            .map(|s| if en { s.as_str() } else { s.label_zh() })
            .unwrap_or_default();
        let mode = Mode::parse(&self.mode)
            .map(|m| if en { m.as_str() } else { m.label_zh() })
            .unwrap_or_default();
        vec![
            state.to_owned(),
            mode.to_owned(),
            super::service_class_label(&self.service_class).to_owned(),
            if en {
                format!("¥{}0k, {} days", fen_to_wan(self.fee_fen), self.cycle_days)
            } else {
                format!(
                    "{} 万元 · 周期 {} 天",
                    fen_to_wan(self.fee_fen),
                    self.cycle_days
                )
            },
            if en {
                format!("open until {}", self.expiry_date)
            } else {
                format!("截止 {}", self.expiry_date)
            },
        ]
    }

    fn card(self, en: bool) -> Card {
        Card {
            href: format!("/crowdsourcing/demands/{}", self.id),
            facts: self.facts(en),
            summary: self.description.chars().take(120).collect(),
            title: self.title,
        }
    }
}

/// A listed or dealt demand; others are not public.
pub async fn public_demand(db: &Db, id: &str) -> anyhow::Result<Option<PublicDemand>> {
    let sql =
        format!("SELECT {COLUMNS} FROM cs_demands WHERE id = $1 AND state IN ('listed', 'dealt')");
    Ok(with_pool!(db, pool => {
        sqlx::query_as::<_, PublicDemand>(&sql).bind(id).fetch_optional(pool).await?
    }))
}

async fn list(db: &Db, q: &PortalQuery) -> anyhow::Result<Vec<Card>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM cs_demands WHERE state = 'listed' AND ($1 = '' OR {}) ORDER BY listed_at DESC, id LIMIT $2 OFFSET $3",
        dialect::contains(db.backend(), "title", "$1")
    );
    let rows = with_pool!(db, pool => {
        sqlx::query_as::<_, PublicDemand>(&sql).bind(q.q.trim()).bind(q.limit).bind(q.offset).fetch_all(pool).await?
    });
    Ok(rows.into_iter().map(|r| r.card(q.en)).collect())
}

async fn mine(db: &Db, caller: &Caller, en: bool) -> anyhow::Result<Vec<Card>> {
    let Some(org) = &caller.organisation_id else {
        return Ok(Vec::new());
    };
    let sql = format!(
        "SELECT {COLUMNS} FROM cs_demands WHERE organisation_id = $1 AND state <> 'deleted' ORDER BY created_at DESC, id LIMIT 20"
    );
    let rows = with_pool!(db, pool => {
        sqlx::query_as::<_, PublicDemand>(&sql).bind(org).fetch_all(pool).await?
    });
    // Drafts and demands under review have no public page: their cards lead to the inbox,
    // where the reviews arrive.
    Ok(rows
        .into_iter()
        .map(|r| {
            let public = matches!(r.state.as_str(), "listed" | "dealt");
            let mut card = r.card(en);
            if !public {
                card.href = "/inbox".into();
            }
            card
        })
        .collect())
}
