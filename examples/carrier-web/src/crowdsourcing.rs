//! The carrier's users and the platform's business crowdsourcing: browse listed demands (and,
//! for a service organisation, the ones that suit it), publish a demand, respond with a
//! proposal, negotiate in the thread until one side accepts the other's offer, pay the agreed
//! amount into escrow on the platform's payment page, deliver, and accept or send it back.

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum_csrf::CsrfToken;
use nx_sdk::crowdsourcing::{Delivery, DemandDraft, Offer, Proposal};
use serde::Deserialize;

use super::extract::{CsrfForm, Platform};
use super::pages::{self, Lang, render};
use super::{AppError, AppState};

/// 万元 or 元 in fen, written back as the seed writes 元.
pub fn yuan(fen: &i64) -> String {
    format!("{}.{:02}", fen / 100, fen % 100)
}

fn is_provider(user: &super::SignedIn) -> bool {
    user.roles.iter().any(|r| r == "service_provider")
}

#[derive(Deserialize)]
pub struct ListParams {
    class: Option<String>,
    mode: Option<String>,
}

pub async fn list(
    Platform {
        user,
        token,
        client,
    }: Platform,
    lang: Lang,
    Query(params): Query<ListParams>,
) -> Result<Response, AppError> {
    let cs = client.crowdsourcing(&token);
    let mut filters = Vec::new();
    let class = params.class.filter(|c| !c.is_empty());
    let mode = params.mode.filter(|m| !m.is_empty());
    if let Some(c) = &class {
        filters.push(("class", c.as_str()));
    }
    if let Some(m) = &mode {
        filters.push(("mode", m.as_str()));
    }
    let demands = cs.demands(&filters).await?;
    let provider = is_provider(&user);
    let matching = if provider {
        cs.matching_demands().await?
    } else {
        Vec::new()
    };
    let mine = if provider {
        Vec::new()
    } else {
        cs.demands(&[("mine", "true")]).await?
    };
    let page = pages::CrowdsourcingList {
        en: lang.en,
        classes: cs.service_classes().await?,
        class: class.unwrap_or_default(),
        mode: mode.unwrap_or_default(),
        provider,
        demands,
        matching,
        mine,
    };
    Ok(render(lang, None, &page))
}

pub async fn new_demand(
    Platform { token, client, .. }: Platform,
    lang: Lang,
    csrf: CsrfToken,
) -> Result<Response, AppError> {
    let page = pages::CrowdsourcingNew {
        en: lang.en,
        csrf_token: csrf.authenticity_token().unwrap_or_default(),
        classes: client.crowdsourcing(&token).service_classes().await?,
    };
    Ok(render(lang, Some(csrf), &page))
}

#[derive(Deserialize)]
pub struct NewForm {
    mode: String,
    title: String,
    #[serde(default)]
    description: String,
    fee: String,
    cycle_days: i64,
    expiry_date: String,
    service_class: String,
    #[serde(default)]
    regions: String,
    #[serde(default)]
    charger_mobile: String,
}

/// 发布服务: a draft, submitted for staff review at once.
pub async fn create_demand(
    Platform {
        user,
        token,
        client,
    }: Platform,
    CsrfForm(form): CsrfForm<NewForm>,
) -> Result<Response, AppError> {
    let draft = DemandDraft {
        mode: form.mode,
        title: form.title,
        description: form.description,
        fee: form.fee,
        cycle_days: form.cycle_days,
        expiry_date: form.expiry_date,
        service_class: form.service_class,
        regions: form
            .regions
            .split([',', '，', ' ', ';'])
            .filter(|r| !r.is_empty())
            .map(str::to_owned)
            .collect(),
        charger_name: Some(user.name.clone()),
        charger_mobile: Some(form.charger_mobile).filter(|m| !m.trim().is_empty()),
        ..Default::default()
    };
    let cs = client.crowdsourcing(&token);
    let demand = cs.create_demand(&draft).await?;
    cs.act(&demand.id, "submit", None).await?;
    Ok(Redirect::to(&format!("/crowdsourcing/demands/{}", demand.id)).into_response())
}

pub async fn demand(
    Platform { token, client, .. }: Platform,
    lang: Lang,
    csrf: CsrfToken,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let cs = client.crowdsourcing(&token);
    let demand = cs.demand(&id).await?;
    let responses = cs.responses(&id).await?;
    let page = pages::CrowdsourcingDemand {
        en: lang.en,
        csrf_token: csrf.authenticity_token().unwrap_or_default(),
        may_respond: demand.allowed_actions.iter().any(|a| a == "respond"),
        fee_wan: format!(
            "{}.{:02}",
            demand.fee_fen / 1_000_000,
            (demand.fee_fen % 1_000_000) / 10_000
        ),
        demand,
        responses,
    };
    Ok(render(lang, Some(csrf), &page))
}

#[derive(Deserialize)]
pub struct RespondForm {
    approach: String,
    price: String,
    duration_days: i64,
}

/// 项目响应: the proposal, then the thread where the two sides negotiate.
pub async fn respond(
    Platform { token, client, .. }: Platform,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<RespondForm>,
) -> Result<Response, AppError> {
    let response = client
        .crowdsourcing(&token)
        .respond(
            &id,
            &Proposal {
                approach: form.approach,
                price: form.price,
                duration_days: form.duration_days,
                attachments: Vec::new(),
            },
        )
        .await?;
    Ok(Redirect::to(&format!("/crowdsourcing/responses/{}", response.id)).into_response())
}

pub async fn thread(
    Platform {
        user,
        token,
        client,
    }: Platform,
    lang: Lang,
    csrf: CsrfToken,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let cs = client.crowdsourcing(&token);
    let messages = cs.thread(&id).await?;
    let side = if is_provider(&user) {
        "provider"
    } else {
        "enterprise"
    };
    let page = pages::CrowdsourcingThread {
        en: lang.en,
        csrf_token: csrf.authenticity_token().unwrap_or_default(),
        response_id: id,
        side: side.to_owned(),
        messages,
    };
    Ok(render(lang, Some(csrf), &page))
}

#[derive(Deserialize)]
pub struct MessageForm {
    body: String,
    #[serde(default)]
    amount: String,
    #[serde(default)]
    delivery_days: String,
    #[serde(default)]
    delivery_method: String,
}

/// 线上服务对接: a message, with an offer when an amount is given.
pub async fn send_message(
    Platform { token, client, .. }: Platform,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<MessageForm>,
) -> Result<Response, AppError> {
    let offer = (!form.amount.trim().is_empty()).then(|| Offer {
        amount: form.amount.trim().to_owned(),
        delivery_days: form.delivery_days.trim().parse().unwrap_or_default(),
        delivery_method: form.delivery_method.trim().to_owned(),
    });
    client
        .crowdsourcing(&token)
        .send_message(&id, &form.body, offer.as_ref())
        .await?;
    Ok(Redirect::to(&format!("/crowdsourcing/responses/{id}")).into_response())
}

/// The other side's offer accepted: the deal is made; on to the order.
pub async fn accept_offer(
    Platform { token, client, .. }: Platform,
    Path((id, message)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<serde_json::Value>,
) -> Result<Response, AppError> {
    let order = client
        .crowdsourcing(&token)
        .accept_offer(&id, &message)
        .await?;
    Ok(Redirect::to(&format!("/crowdsourcing/orders/{}", order.id)).into_response())
}

pub async fn order(
    Platform { token, client, .. }: Platform,
    lang: Lang,
    csrf: CsrfToken,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let order = client.crowdsourcing(&token).order(&id).await?;
    let page = pages::CrowdsourcingOrder {
        en: lang.en,
        csrf_token: csrf.authenticity_token().unwrap_or_default(),
        amount_yuan: yuan(&order.amount_fen),
        held_yuan: order
            .escrow
            .as_ref()
            .map(|e| yuan(&e.held_fen))
            .unwrap_or_default(),
        order,
    };
    Ok(render(lang, Some(csrf), &page))
}

/// 托管: the browser goes to the platform's payment page, which links back to the order.
pub async fn pay(
    State(state): State<AppState>,
    Platform { token, client, .. }: Platform,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<serde_json::Value>,
) -> Result<Response, AppError> {
    let paying = client.crowdsourcing(&token).pay_order_escrow(&id).await?;
    let mut pay = url::Url::parse(&format!(
        "{}{}",
        state.config.issuer.trim_end_matches('/'),
        paying.payment.pay_url
    ))
    .map_err(|e| AppError::BadRequest(e.to_string()))?;
    pay.query_pairs_mut().append_pair(
        "return_to",
        &format!("{}/crowdsourcing/orders/{id}", state.config.public_url),
    );
    Ok(Redirect::to(pay.as_str()).into_response())
}

#[derive(Deserialize)]
pub struct StepForm {
    step: String,
    #[serde(default)]
    text: String,
}

/// Accept, send back (with a reason) or deliver (with a note).
pub async fn step(
    Platform { token, client, .. }: Platform,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<StepForm>,
) -> Result<Response, AppError> {
    let cs = client.crowdsourcing(&token);
    match form.step.as_str() {
        "accept" => cs.accept(&id).await?,
        "rework" => cs.rework(&id, &form.text).await?,
        "deliver" => {
            cs.deliver(
                &id,
                &Delivery {
                    note: form.text,
                    ..Default::default()
                },
            )
            .await?
        }
        other => return Err(AppError::BadRequest(format!("unknown step {other}"))),
    };
    Ok(Redirect::to(&format!("/crowdsourcing/orders/{id}")).into_response())
}
