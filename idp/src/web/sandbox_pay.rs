//! The sandbox payment gateway's payment page: where a payer confirms a sandbox payment for any
//! platform. Confirming sends the signed notification the gateway would, and the payment hub
//! hands it to the platform whose id it names.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum_csrf::CsrfToken;
use serde::Deserialize;

use crate::state::AppState;
use crate::web::lang::Lang;
use crate::web::pages::{PageForm, render};

pub fn router() -> Router<AppState> {
    Router::new().route("/sandbox/pay/{prepay_id}", get(pay_page).post(pay_confirm))
}

#[derive(Template)]
#[template(path = "sandbox_pay.html")]
struct PayPage {
    en: bool,
    csrf_token: String,
    prepay_id: String,
    order_id: String,
    amount_yuan: String,
    done: bool,
    /// The merchant's page to go back to (a link, never a redirect).
    return_to: Option<String>,
}

#[derive(Deserialize)]
pub struct PayParams {
    return_to: Option<String>,
}

/// Only an absolute http(s) address is offered as the way back.
fn return_link(candidate: Option<String>) -> Option<String> {
    candidate.filter(|u| {
        url::Url::parse(u)
            .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
    })
}

async fn pay_page(
    State(state): State<AppState>,
    lang: Lang,
    csrf: CsrfToken,
    Path(prepay_id): Path<String>,
    Query(params): Query<PayParams>,
) -> Response {
    let opened = state
        .payments
        .sandbox
        .as_ref()
        .and_then(|sandbox| sandbox.open_prepay(&prepay_id));
    let Some((order_id, amount)) = opened else {
        return crate::error::PageError::NotFound.into_response();
    };
    let page = PayPage {
        en: lang.en,
        csrf_token: csrf.authenticity_token().unwrap_or_default(),
        prepay_id,
        order_id,
        amount_yuan: crate::payments::money::fen_to_yuan(amount),
        done: false,
        return_to: return_link(params.return_to),
    };
    render(lang, StatusCode::OK, Some(csrf), &page)
}

#[derive(Deserialize)]
pub struct PayForm {
    #[serde(default)]
    return_to: Option<String>,
}

/// The payer confirms: the sandbox sends its signed notification asynchronously, as WeChat Pay
/// would; the order counts as paid only once that notification is verified and handled.
async fn pay_confirm(
    State(state): State<AppState>,
    lang: Lang,
    Path(prepay_id): Path<String>,
    PageForm(form): PageForm<PayForm>,
) -> Response {
    let Some(gateway) = state.payments.sandbox.clone() else {
        return crate::error::PageError::NotFound.into_response();
    };
    let Some((body, signature)) = gateway.paid_notification(&prepay_id) else {
        return crate::error::PageError::NotFound.into_response();
    };
    let (order_id, amount) = gateway.open_prepay(&prepay_id).unwrap_or_default();
    let background = state.clone();
    tokio::spawn(async move {
        if let Err(e) = background
            .payments
            .dispatch(&background.db, &body, &signature, background.now())
            .await
        {
            tracing::warn!(error = %e, "sandbox payment notification failed");
        }
    });
    let page = PayPage {
        en: lang.en,
        csrf_token: String::new(),
        prepay_id,
        order_id,
        amount_yuan: crate::payments::money::fen_to_yuan(amount),
        done: true,
        return_to: return_link(form.return_to),
    };
    render(lang, StatusCode::OK, None, &page)
}
