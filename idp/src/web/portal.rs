//! The public portal (统一门户): the home page at `/` with a section for each business platform
//! that has something public (listed projects, open demands, carriers sharing resources, the
//! financing products), each list searchable at `/portal/<key>`, and a signed-in user's own
//! area at `/me`. Pages render on the server and need no JavaScript.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use futures_util::future::join_all;
use serde::Deserialize;

use super::auth::PageUser;
use super::lang::Lang;
use super::pages::render;
use crate::accounts::caller::Caller;
use crate::error::PageError;
use crate::platform::{Card, PortalQuery, PortalSection, portal_sections};
use crate::state::AppState;

/// Cards per section on the home page, and on a section's own page.
const HOME_CARDS: i64 = 6;
const LIST_CARDS: i64 = 30;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(get_home))
        .route("/portal/{key}", get(get_section))
        .route("/me", get(get_me))
}

struct SectionView {
    key: &'static str,
    title: &'static str,
    about: &'static str,
    cards: Vec<Card>,
}

#[derive(Template)]
#[template(path = "portal_home.html")]
struct HomePage {
    en: bool,
    q: String,
    sections: Vec<SectionView>,
    url: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Search {
    q: String,
    page: i64,
}

fn bounded(q: &str) -> String {
    q.trim().chars().take(100).collect()
}

async fn cards(
    state: &AppState,
    section: &PortalSection,
    query: &PortalQuery,
) -> Result<Vec<Card>, PageError> {
    (section.list)(&state.db, query)
        .await
        .map_err(PageError::Internal)
}

/// Home: every section with something public (or matching the search), a few cards each.
async fn get_home(
    State(state): State<AppState>,
    lang: Lang,
    Query(search): Query<Search>,
) -> Result<Response, PageError> {
    let q = bounded(&search.q);
    let query = PortalQuery {
        q: q.clone(),
        limit: HOME_CARDS,
        offset: 0,
        now: state.now(),
        en: lang.en,
    };
    let sections: Vec<&'static PortalSection> = portal_sections().collect();
    let found = join_all(sections.iter().map(|s| cards(&state, s, &query))).await;
    let mut views = Vec::new();
    for (section, cards) in sections.into_iter().zip(found) {
        let cards = cards?;
        if !cards.is_empty() {
            views.push(SectionView {
                key: section.key,
                title: if lang.en { section.en } else { section.zh },
                about: if lang.en {
                    section.about_en
                } else {
                    section.about_zh
                },
                cards,
            });
        }
    }
    let page = HomePage {
        en: lang.en,
        q,
        sections: views,
        url: state.issuer().to_string(),
    };
    Ok(render(lang, StatusCode::OK, None, &page))
}

#[derive(Template)]
#[template(path = "portal_list.html")]
struct ListPage {
    en: bool,
    key: &'static str,
    title: &'static str,
    about: &'static str,
    q: String,
    cards: Vec<Card>,
    page: i64,
    more: bool,
}

/// One section, searchable and paged.
async fn get_section(
    State(state): State<AppState>,
    lang: Lang,
    Path(key): Path<String>,
    Query(search): Query<Search>,
) -> Result<Response, PageError> {
    let section = portal_sections()
        .find(|s| s.key == key)
        .ok_or(PageError::NotFound)?;
    let page = search.page.clamp(0, 200);
    let q = bounded(&search.q);
    let query = PortalQuery {
        q: q.clone(),
        limit: LIST_CARDS + 1,
        offset: page * LIST_CARDS,
        now: state.now(),
        en: lang.en,
    };
    let mut cards = cards(&state, section, &query).await?;
    let more = cards.len() as i64 > LIST_CARDS;
    cards.truncate(LIST_CARDS as usize);
    let view = ListPage {
        en: lang.en,
        key: section.key,
        title: if lang.en { section.en } else { section.zh },
        about: if lang.en {
            section.about_en
        } else {
            section.about_zh
        },
        q,
        cards,
        page,
        more,
    };
    Ok(render(lang, StatusCode::OK, None, &view))
}

struct MineView {
    title: &'static str,
    cards: Vec<Card>,
}

#[derive(Template)]
#[template(path = "portal_me.html")]
struct MePage {
    en: bool,
    name: String,
    unread: i64,
    staff: bool,
    carrier: bool,
    sections: Vec<MineView>,
}

/// The signed-in user's own area: their inbox, and their things on every platform.
async fn get_me(
    State(state): State<AppState>,
    lang: Lang,
    user: PageUser,
) -> Result<Response, PageError> {
    let u = user.user;
    let caller = Caller {
        user_id: u.id.clone(),
        organisation_id: u.organisation_id.clone(),
        roles: u.roles.clone(),
        staff: false,
    };
    let sections: Vec<&'static PortalSection> = portal_sections().collect();
    let found = join_all(
        sections
            .iter()
            .map(|s| (s.mine)(&state.db, &caller, lang.en)),
    )
    .await;
    let mut views = Vec::new();
    for (section, cards) in sections.into_iter().zip(found) {
        views.push(MineView {
            title: if lang.en {
                section.mine_en
            } else {
                section.mine_zh
            },
            cards: cards.map_err(PageError::Internal)?,
        });
    }
    let unread = crate::inbox::unread_count(&state.db, &caller)
        .await
        .map_err(|e| PageError::Internal(e.into()))?;
    let page = MePage {
        en: lang.en,
        name: u.display_name,
        unread,
        staff: u.roles.contains(&crate::accounts::Role::Admin),
        carrier: u.roles.contains(&crate::accounts::Role::CarrierOperator),
        sections: views,
    };
    Ok(render(lang, StatusCode::OK, None, &page))
}
