//! The carrier's enterprises and the platform's financing services: their applications with
//! where each stands, and an online bridge-loan application (转贷资金申请) with the 6.1 fields,
//! submitted to the lending bank at once. The bank and the platform's staff take it on in the
//! platform's console.

use axum::extract::Path;
use axum::response::{IntoResponse, Redirect, Response};
use axum_csrf::CsrfToken;
use nx_sdk::financing::ApplicationDraft;
use serde::Deserialize;
use serde_json::json;

use super::AppError;
use super::extract::{CsrfForm, CsrfUpload, Platform};
use super::pages::{self, Lang, render};

pub async fn list(
    Platform { token, client, .. }: Platform,
    lang: Lang,
) -> Result<Response, AppError> {
    let applications = client.financing(&token).applications(None, None).await?;
    let page = pages::FinancingList {
        en: lang.en,
        applications,
    };
    Ok(render(lang, None, &page))
}

pub async fn new_bridge(
    Platform { token, client, .. }: Platform,
    lang: Lang,
    csrf: CsrfToken,
) -> Result<Response, AppError> {
    let banks = client
        .financing(&token)
        .partners()
        .await?
        .into_iter()
        .filter(|p| p.2 == "bank")
        .map(|p| (p.0, p.1))
        .collect();
    let page = pages::FinancingNew {
        en: lang.en,
        csrf_token: csrf.authenticity_token().unwrap_or_default(),
        banks,
    };
    Ok(render(lang, Some(csrf), &page))
}

#[derive(Deserialize)]
pub struct BridgeForm {
    bank_org_id: String,
    comp_name: String,
    #[serde(default)]
    credit_code: String,
    region_code: String,
    maturing: String,
    expire_date: String,
    renewal: String,
    apply: String,
    #[serde(default)]
    self_raised: String,
    #[serde(default)]
    purpose: String,
    #[serde(default)]
    link_phone: String,
}

fn given(v: &str) -> Option<String> {
    Some(v.trim().to_owned()).filter(|v| !v.is_empty())
}

/// 转贷资金申请: the draft with its 6.1 fields, submitted to the bank at once.
pub async fn create_bridge(
    Platform { token, client, .. }: Platform,
    CsrfForm(form): CsrfForm<BridgeForm>,
) -> Result<Response, AppError> {
    let mut record = json!({
        "Comp_name": form.comp_name.trim(),
        "Expire_loan_acount": form.maturing.trim(),
        "Expire_date": form.expire_date.trim(),
        "Loan_amount": form.renewal.trim(),
        "Loan_apply": form.apply.trim(),
    });
    for (field, value) in [
        ("Credit_code", &form.credit_code),
        ("Self_repay_amount", &form.self_raised),
        ("Link_phone", &form.link_phone),
    ] {
        if let Some(v) = given(value) {
            record[field] = json!(v);
        }
    }
    let fin = client.financing(&token);
    let application = fin
        .create(&ApplicationDraft {
            business: "bridge".into(),
            bank_org_id: Some(form.bank_org_id),
            region_code: form.region_code.trim().to_owned(),
            loan_purpose: given(&form.purpose),
            record,
            ..Default::default()
        })
        .await?;
    fin.act(&application.id, "submit", None).await?;
    Ok(Redirect::to(&format!("/financing/{}", application.id)).into_response())
}

pub async fn detail(
    Platform { token, client, .. }: Platform,
    lang: Lang,
    csrf: CsrfToken,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let fin = client.financing(&token);
    let application = fin.application(&id).await?;
    let page = pages::FinancingDetail {
        en: lang.en,
        csrf_token: csrf.authenticity_token().unwrap_or_default(),
        record: serde_json::to_string_pretty(&application.record).unwrap_or_default(),
        kinds: fin.document_kinds().await?,
        may_submit: application.allowed_actions.iter().any(|a| a == "submit"),
        application,
    };
    Ok(render(lang, Some(csrf), &page))
}

/// A document (the sealed application form, the proof of self-raised funds, …) passed on to
/// the platform, which keeps it with its SHA-256.
pub async fn upload(
    Platform { token, client, .. }: Platform,
    Path(id): Path<String>,
    upload: CsrfUpload,
) -> Result<Response, AppError> {
    let kind = upload.field("kind").unwrap_or("other").to_owned();
    let Some((name, content)) = upload.file.filter(|(_, c)| !c.is_empty()) else {
        return Err(AppError::BadRequest(
            "请选择要上传的文件。Choose a file.".into(),
        ));
    };
    client
        .financing(&token)
        .upload(&id, &kind, &name, content)
        .await?;
    Ok(Redirect::to(&format!("/financing/{id}")).into_response())
}

/// 提交 a draft (after a return, say).
pub async fn submit(
    Platform { token, client, .. }: Platform,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<serde_json::Value>,
) -> Result<Response, AppError> {
    client.financing(&token).act(&id, "submit", None).await?;
    Ok(Redirect::to(&format!("/financing/{id}")).into_response())
}
