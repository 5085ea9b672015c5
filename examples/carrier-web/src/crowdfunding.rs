//! The carrier's users and the platform's crowdfunding: browse listed projects by category and
//! ranking, open one, back a reward (the 4.3 buyer and delivery fields), pay on the platform's
//! payment page, and follow the order; and start a project of one's own.

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum_csrf::CsrfToken;
use nx_sdk::crowdfunding::{Backing, ProjectDraft, RewardDraft};
use serde::Deserialize;

use super::extract::{CsrfForm, Platform};
use super::pages::{self, Lang, render};
use super::{AppError, AppState, UNAUTHORIZED};

const CATEGORIES: &[&str] = &[
    "电视电影",
    "广告会展",
    "通讯数码",
    "家居生活",
    "智能穿戴",
    "影音娱乐",
    "出行定位",
    "艺术文化",
    "其他",
];

#[derive(Deserialize)]
pub struct ListParams {
    category: Option<String>,
    sort: Option<String>,
}

pub async fn list(
    Platform { token, client, .. }: Platform,
    lang: Lang,
    Query(params): Query<ListParams>,
) -> Result<Response, AppError> {
    let category = params.category.filter(|c| !c.is_empty());
    let sort = params.sort.unwrap_or_else(|| "newest".into());
    let projects = client
        .crowdfunding(&token)
        .list(category.as_deref(), &sort)
        .await?;
    let page = pages::CrowdfundingList {
        en: lang.en,
        categories: CATEGORIES,
        category: category.unwrap_or_default(),
        sort,
        projects,
    };
    Ok(render(lang, None, &page))
}

pub async fn detail(
    State(state): State<AppState>,
    Platform {
        user,
        token,
        client,
    }: Platform,
    lang: Lang,
    csrf: CsrfToken,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let project = client.crowdfunding(&token).project(&id).await?;
    let page = pages::CrowdfundingDetail {
        en: lang.en,
        csrf_token: csrf.authenticity_token().unwrap_or_default(),
        name: user.name,
        share_url: format!(
            "{}/crowdfunding/{}",
            state.config.issuer.trim_end_matches('/'),
            project.id
        ),
        project,
    };
    Ok(render(lang, Some(csrf), &page))
}

#[derive(Deserialize)]
pub struct BackForm {
    reward_id: String,
    copies: i64,
    buyer_name: String,
    buyer_link_mobile: String,
    delivery_user_name: String,
    delivery_user_phone: String,
    delivery_address: String,
}

/// Places the order through the SDK, then sends the browser to the platform's payment page,
/// which links back to the order here.
pub async fn back(
    State(state): State<AppState>,
    Platform { token, client, .. }: Platform,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<BackForm>,
) -> Result<Response, AppError> {
    let backing = Backing {
        reward_id: form.reward_id,
        copies: form.copies,
        buyer_link_name: form.buyer_name.clone(),
        buyer_name: form.buyer_name,
        buyer_link_mobile: form.buyer_link_mobile,
        delivery_user_name: form.delivery_user_name,
        delivery_user_phone: form.delivery_user_phone,
        delivery_address: form.delivery_address,
    };
    let placed = match client.crowdfunding(&token).back(&id, &backing).await {
        Ok(p) => p,
        Err(nx_sdk::Error::Refused { status, problem }) if status != UNAUTHORIZED => {
            return Err(AppError::BadRequest(problem.detail));
        }
        Err(e) => return Err(e.into()),
    };
    let mut pay = url::Url::parse(&format!(
        "{}{}",
        state.config.issuer.trim_end_matches('/'),
        placed.payment.pay_url
    ))
    .map_err(|e| AppError::BadRequest(e.to_string()))?;
    pay.query_pairs_mut().append_pair(
        "return_to",
        &format!(
            "{}/crowdfunding/orders/{}",
            state.config.public_url, placed.order.id
        ),
    );
    Ok(Redirect::to(pay.as_str()).into_response())
}

pub async fn order(
    Platform { token, client, .. }: Platform,
    lang: Lang,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let order = client.crowdfunding(&token).order(&id).await?;
    let page = pages::CrowdfundingOrder {
        en: lang.en,
        amount_yuan: format!("{}.{:02}", order.amount_fen / 100, order.amount_fen % 100),
        order,
    };
    Ok(render(lang, None, &page))
}

pub async fn new_project(_: Platform, lang: Lang, csrf: CsrfToken) -> Result<Response, AppError> {
    let page = pages::CrowdfundingNew {
        en: lang.en,
        csrf_token: csrf.authenticity_token().unwrap_or_default(),
        categories: CATEGORIES,
    };
    Ok(render(lang, Some(csrf), &page))
}

#[derive(Deserialize)]
pub struct NewForm {
    title: String,
    category: String,
    #[serde(default)]
    summary: String,
    crowd_amount: String,
    duration_days: i64,
    reward_amount: String,
    reward_content: String,
    #[serde(default)]
    reward_limit: String,
}

/// 发起众筹: a draft, submitted for review at once.
pub async fn create_project(
    Platform { token, client, .. }: Platform,
    CsrfForm(form): CsrfForm<NewForm>,
) -> Result<Response, AppError> {
    let draft = ProjectDraft {
        title: form.title,
        category: form.category,
        summary: form.summary,
        crowd_amount: form.crowd_amount,
        duration_days: form.duration_days,
        rewards: vec![RewardDraft {
            reward_amount: form.reward_amount,
            content: form.reward_content,
            limit: form.reward_limit.trim().parse().ok(),
            ..Default::default()
        }],
        ..Default::default()
    };
    let cf = client.crowdfunding(&token);
    let project = match cf.create(&draft).await {
        Ok(p) => p,
        Err(nx_sdk::Error::Refused { status, problem }) if status != UNAUTHORIZED => {
            return Err(AppError::BadRequest(problem.detail));
        }
        Err(e) => return Err(e.into()),
    };
    cf.act(&project.id, "submit", None).await?;
    Ok(Redirect::to(&format!("/crowdfunding/{}", project.id)).into_response())
}
