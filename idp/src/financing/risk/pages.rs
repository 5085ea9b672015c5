//! The console's 风险监控 pages: the dashboard (charts by level, day, indicator, bank, region,
//! product, organisation and fund, each chart's data as CSV), the open warnings with the
//! records behind them and a freeze button, the indicators' thresholds, frozen organisations
//! with an unfreeze form; the notices page sends a notice (with a PDF) and shows who has
//! acknowledged it.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use axum_csrf::CsrfToken;
use base64::Engine;
use serde::Deserialize;

use super::dashboard::{self, Dashboard};
use super::indicators::{self, Indicator, IndicatorInput};
use super::notices::{self, DocumentInput, NewNotice, Notice};
use super::warnings::{self, Warning, WarningFilter};
use super::{EVALUATE_JOB, RiskError};
use crate::accounts::Role;
use crate::error::PageError;
use crate::financing::Service;
use crate::platform::kit::pages::{
    ClientAddress, ConsoleStaff, CsrfOnly, Lang, PageForm, PageUpload, PageUser, UploadLimit,
    form_token, render, see_other,
};
use crate::state::AppState;

pub fn router(max_document_bytes: usize) -> Router<AppState> {
    let uploads = Router::new()
        .route("/console/financing/risk/notices", post(post_notice))
        .layer(axum::extract::DefaultBodyLimit::max(
            max_document_bytes + 64 * 1024,
        ))
        .layer(Extension(UploadLimit(max_document_bytes)));
    Router::new()
        .merge(uploads)
        .route("/console/financing/risk", get(get_dashboard))
        .route("/console/financing/risk/evaluate", post(post_evaluate))
        .route("/console/financing/risk/charts/{chart}", get(get_chart_csv))
        .route(
            "/console/financing/risk/warnings/{id}/freeze",
            post(post_freeze),
        )
        .route(
            "/console/financing/risk/organisations/{org}/unfreeze",
            post(post_unfreeze),
        )
        .route(
            "/console/financing/risk/indicators/{code}",
            post(post_indicator),
        )
        .route(
            "/console/financing/risk/indicators",
            post(post_new_indicator),
        )
        .route("/console/financing/risk/notices", get(get_notices))
        .route("/notices/{id}/document", get(get_notice_document))
        .route("/console/financing/risk/notices/{id}", get(get_notice))
        .route(
            "/console/financing/risk/notices/{id}/remind",
            post(post_remind),
        )
}

impl From<RiskError> for PageError {
    fn from(e: RiskError) -> Self {
        match e {
            RiskError::NotFound(_) => PageError::NotFound,
            RiskError::Db(e) => PageError::Internal(e.into()),
            other => PageError::BadRequest(other.to_string()),
        }
    }
}

struct Frozen {
    id: String,
    name: String,
    reason: String,
}

#[derive(Template)]
#[template(path = "console_risk.html")]
struct DashboardPage {
    en: bool,
    staff: bool,
    csrf_token: String,
    d: Dashboard,
    json: String,
    warnings: Vec<Warning>,
    indicators: Vec<Indicator>,
    frozen: Vec<Frozen>,
    message: Option<String>,
    /// (data key, CSV name, title zh, title en) of each chart.
    charts: &'static [(&'static str, &'static str, &'static str, &'static str)],
}

const CHARTS: &[(&str, &str, &str, &str)] = &[
    ("by_level", "levels", "预警级别", "Warnings by level"),
    (
        "by_time",
        "time",
        "每日预警（近 60 天）",
        "Warnings by day (60 days)",
    ),
    ("by_indicator", "indicators", "按指标", "By indicator"),
    ("by_bank", "banks", "按银行", "By bank"),
    ("by_region", "regions", "按地区", "By region"),
    ("by_product", "products", "按产品", "By product"),
    (
        "by_organisation",
        "organisations",
        "按机构（前 20）",
        "By organisation (top 20)",
    ),
    ("funds", "funds", "资金使用（元）", "Funds (yuan)"),
];

fn unit(u: &str) -> &'static str {
    super::warnings::unit_suffix(u)
}

fn yuan(fen: &i64) -> String {
    crate::payments::money::fen_to_yuan(*fen)
}

fn when(t: &i64) -> String {
    crate::clock::shanghai_time(*t)
}

async fn dashboard_page(
    state: &AppState,
    fin: &Service,
    lang: Lang,
    csrf: CsrfToken,
    message: Option<String>,
) -> Result<Response, PageError> {
    let d = dashboard::build(&state.db, fin, state.now()).await?;
    let json = serde_json::to_string(&d)
        .unwrap_or_default()
        .replace('<', "\\u003c");
    let frozen: Vec<(String, String, String)> = crate::with_pool!(&state.db, pool => {
        sqlx::query_as("SELECT id, name, frozen_reason FROM organisations WHERE frozen_reason IS NOT NULL ORDER BY name LIMIT 200")
            .fetch_all(pool).await.map_err(|e| PageError::Internal(e.into()))?
    });
    let page = DashboardPage {
        en: lang.en,
        staff: true,
        csrf_token: form_token(&csrf)?,
        json,
        warnings: warnings::list(&state.db, &WarningFilter::default()).await?,
        indicators: indicators::list(&state.db).await?,
        frozen: frozen
            .into_iter()
            .map(|(id, name, reason)| Frozen { id, name, reason })
            .collect(),
        d,
        message,
        charts: CHARTS,
    };
    Ok(render(lang, StatusCode::OK, Some(csrf), &page))
}

async fn get_dashboard(
    State(state): State<AppState>,
    Extension(fin): Extension<Arc<Service>>,
    _staff: ConsoleStaff,
    lang: Lang,
    csrf: CsrfToken,
) -> Result<Response, PageError> {
    dashboard_page(&state, &fin, lang, csrf, None).await
}

async fn post_evaluate(
    State(state): State<AppState>,
    Extension(fin): Extension<Arc<Service>>,
    _staff: ConsoleStaff,
    lang: Lang,
    csrf: CsrfToken,
    PageForm(_): PageForm<CsrfOnly>,
) -> Result<Response, PageError> {
    let ran = state
        .jobs
        .exclusive(
            EVALUATE_JOB,
            warnings::evaluate_all(&state.db, &fin, state.now()),
        )
        .await
        .map_err(PageError::Internal)?;
    let message = match ran {
        None => "评估正在另一实例上运行，请稍后刷新。An evaluation is running elsewhere; refresh shortly.".to_owned(),
        Some(result) => {
            let evaluations = result?;
            let raised: usize = evaluations.iter().map(|e| e.raised).sum();
            let cleared: usize = evaluations.iter().map(|e| e.cleared).sum();
            format!("已评估 {} 个指标：新增或升级预警 {raised} 个，解除 {cleared} 个。Evaluated {} indicators: {raised} raised, {cleared} cleared.", evaluations.len(), evaluations.len())
        }
    };
    dashboard_page(&state, &fin, lang, csrf, Some(message)).await
}

async fn get_chart_csv(
    State(state): State<AppState>,
    Extension(fin): Extension<Arc<Service>>,
    _staff: ConsoleStaff,
    Path(chart): Path<String>,
) -> Result<Response, PageError> {
    let chart = chart.trim_end_matches(".csv");
    let d = dashboard::build(&state.db, &fin, state.now()).await?;
    let table = d.chart(chart).ok_or(PageError::NotFound)?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"risk-{chart}.csv\""),
            ),
        ],
        table.csv(),
    )
        .into_response())
}

#[derive(Deserialize)]
struct ReasonForm {
    #[serde(default)]
    reason: String,
}

async fn post_freeze(
    State(state): State<AppState>,
    staff: ConsoleStaff,
    Path(id): Path<String>,
    address: ClientAddress,
    PageForm(form): PageForm<ReasonForm>,
) -> Result<Response, PageError> {
    let w = warnings::find(&state.db, &id).await?;
    let org = w.organisation_id.clone().ok_or_else(|| {
        PageError::BadRequest("此预警的对象不是机构 / the subject is not an organisation".into())
    })?;
    let reason = super::api::freeze_reason(&w, Some(&form.reason));
    let actor = crate::audit::Actor::user(&staff.0.id, &staff.0.username, address.0);
    warnings::freeze(&state.db, &org, &reason, &actor, state.now()).await?;
    Ok(see_other("/console/financing/risk"))
}

async fn post_unfreeze(
    State(state): State<AppState>,
    staff: ConsoleStaff,
    Path(org): Path<String>,
    address: ClientAddress,
    PageForm(form): PageForm<ReasonForm>,
) -> Result<Response, PageError> {
    let actor = crate::audit::Actor::user(&staff.0.id, &staff.0.username, address.0);
    warnings::unfreeze(&state.db, &org, &form.reason, &actor, state.now()).await?;
    Ok(see_other("/console/financing/risk"))
}

#[derive(Deserialize)]
struct IndicatorForm {
    yellow: String,
    orange: String,
    red: String,
    #[serde(default)]
    auto_freeze: Option<String>,
    #[serde(default)]
    enabled: Option<String>,
}

async fn post_indicator(
    State(state): State<AppState>,
    Extension(fin): Extension<Arc<Service>>,
    staff: ConsoleStaff,
    lang: Lang,
    csrf: CsrfToken,
    Path(code): Path<String>,
    PageForm(form): PageForm<IndicatorForm>,
) -> Result<Response, PageError> {
    let input = IndicatorInput {
        name_zh: None,
        name_en: None,
        formula: None,
        unit: None,
        yellow: Some(form.yellow.trim().to_owned()),
        orange: Some(form.orange.trim().to_owned()),
        red: Some(form.red.trim().to_owned()),
        auto_freeze: Some(form.auto_freeze.is_some()),
        enabled: Some(form.enabled.is_some()),
    };
    match indicators::save(&state.db, &code, input, &staff.0.id, state.now()).await {
        Ok(_) => Ok(see_other("/console/financing/risk")),
        Err(RiskError::Invalid(why)) => dashboard_page(&state, &fin, lang, csrf, Some(why)).await,
        Err(e) => Err(e.into()),
    }
}

struct OrgOption {
    id: String,
    name: String,
}

#[derive(Template)]
#[template(path = "console_risk_notices.html")]
struct NoticesPage {
    en: bool,
    staff: bool,
    csrf_token: String,
    notices: Vec<Notice>,
    organisations: Vec<OrgOption>,
    roles: Vec<(&'static str, &'static str)>,
    warnings: Vec<Warning>,
    message: Option<String>,
    notice: Option<Notice>,
}

async fn notices_page(
    state: &AppState,
    lang: Lang,
    csrf: CsrfToken,
    notice: Option<Notice>,
    message: Option<String>,
) -> Result<Response, PageError> {
    let orgs: Vec<(String, String)> = crate::with_pool!(&state.db, pool => {
        sqlx::query_as("SELECT id, name FROM organisations WHERE kind <> 'platform' ORDER BY kind, name LIMIT 1000")
            .fetch_all(pool).await.map_err(|e| PageError::Internal(e.into()))?
    });
    let page = NoticesPage {
        en: lang.en,
        staff: true,
        csrf_token: form_token(&csrf)?,
        notices: notices::list(&state.db).await?,
        organisations: orgs
            .into_iter()
            .map(|(id, name)| OrgOption { id, name })
            .collect(),
        roles: Role::ALL
            .iter()
            .filter(|r| **r != Role::Admin)
            .map(|r| (r.code(), r.label_zh()))
            .collect(),
        warnings: warnings::list(&state.db, &WarningFilter::default()).await?,
        message,
        notice,
    };
    Ok(render(lang, StatusCode::OK, Some(csrf), &page))
}

async fn get_notices(
    State(state): State<AppState>,
    _staff: ConsoleStaff,
    lang: Lang,
    csrf: CsrfToken,
) -> Result<Response, PageError> {
    notices_page(&state, lang, csrf, None, None).await
}

async fn get_notice(
    State(state): State<AppState>,
    _staff: ConsoleStaff,
    lang: Lang,
    csrf: CsrfToken,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let n = notices::find(&state.db, &id).await?;
    notices_page(&state, lang, csrf, Some(n), None).await
}

async fn post_notice(
    State(state): State<AppState>,
    Extension(fin): Extension<Arc<Service>>,
    staff: ConsoleStaff,
    lang: Lang,
    csrf: CsrfToken,
    upload: PageUpload,
) -> Result<Response, PageError> {
    let values = |name: &str| -> Vec<String> {
        upload
            .fields
            .iter()
            .filter(|(n, v)| n == name && !v.trim().is_empty())
            .map(|(_, v)| v.trim().to_owned())
            .collect()
    };
    let roles = values("roles")
        .iter()
        .filter_map(|r| Role::from_code(r))
        .collect();
    let document = upload
        .file
        .as_ref()
        .filter(|(_, c)| !c.is_empty())
        .map(|(name, content)| DocumentInput {
            name: name.clone(),
            content_base64: base64::engine::general_purpose::STANDARD.encode(content),
        });
    let input = NewNotice {
        title: upload.field("title").unwrap_or_default().to_owned(),
        body: upload.field("body").unwrap_or_default().to_owned(),
        warning_id: upload.field("warning_id").map(str::to_owned),
        organisations: values("organisations"),
        roles,
        document,
    };
    let caller = staff.caller();
    match notices::send(
        &state.db,
        &caller,
        &input,
        fin.policy.max_document_bytes,
        state.now(),
    )
    .await
    {
        Ok(n) => Ok(see_other(&format!(
            "/console/financing/risk/notices/{}",
            n.id
        ))),
        Err(RiskError::Invalid(why)) => notices_page(&state, lang, csrf, None, Some(why)).await,
        Err(RiskError::TooLarge(limit)) => {
            let message = format!(
                "文件过大（上限 {limit} 字节）。The document is too large (limit {limit} bytes)."
            );
            notices_page(&state, lang, csrf, None, Some(message)).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn post_remind(
    State(state): State<AppState>,
    staff: ConsoleStaff,
    lang: Lang,
    csrf: CsrfToken,
    Path(id): Path<String>,
    PageForm(_): PageForm<CsrfOnly>,
) -> Result<Response, PageError> {
    let n = notices::remind(&state.db, &staff.caller(), &id, state.now()).await?;
    let notice = notices::find(&state.db, &id).await?;
    let message = format!("已提醒 {n} 位未确认的收件人。{n} recipients reminded.");
    notices_page(&state, lang, csrf, Some(notice), Some(message)).await
}

/// A notice's PDF for a signed-in recipient (or staff), whatever their role: the inbox message
/// links here. Others are told it does not exist.
async fn get_notice_document(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let u = user.user;
    let caller = crate::accounts::caller::Caller {
        staff: u.roles.contains(&Role::Admin),
        user_id: u.id,
        organisation_id: u.organisation_id,
        roles: u.roles,
    };
    let (name, sha, bytes) = notices::document(&state.db, &caller, &id).await?;
    Ok(crate::financing::api::attachment(
        &format!("{id}.pdf"),
        &name,
        &sha,
        bytes,
    ))
}

#[derive(Deserialize)]
struct NewIndicatorForm {
    code: String,
    name_zh: String,
    dataset: String,
    subject: String,
    #[serde(default)]
    subject_is_organisation: Option<String>,
    aggregate: String,
    #[serde(default)]
    field: String,
    unit: String,
    yellow: String,
    orange: String,
    red: String,
}

/// A custom indicator from the console: a `groups` query of one subject field and one measure.
async fn post_new_indicator(
    State(state): State<AppState>,
    Extension(fin): Extension<Arc<Service>>,
    staff: ConsoleStaff,
    lang: Lang,
    csrf: CsrfToken,
    PageForm(form): PageForm<NewIndicatorForm>,
) -> Result<Response, PageError> {
    use crate::financing::query::model::{Dimension, Measure, QueryKind, QueryModel};
    let code = form.code.trim().to_owned();
    let aggregate = serde_json::from_value(serde_json::Value::String(form.aggregate.clone()))
        .map_err(|_| PageError::BadRequest("统计量无效 / unknown measure".into()))?;
    let model = QueryModel {
        kind: QueryKind::Groups,
        dataset: form.dataset.trim().to_owned(),
        fields: Vec::new(),
        filter: None,
        sort: Vec::new(),
        rows: vec![Dimension {
            field: form.subject.trim().to_owned(),
            bucket: None,
        }],
        column: None,
        measures: vec![Measure {
            aggregate,
            field: Some(form.field.trim().to_owned()).filter(|f| !f.is_empty()),
        }],
        parameters: Vec::new(),
    };
    if indicators::find(&state.db, &code).await.is_ok() {
        let message = format!("指标代码 {code} 已存在 / the code {code} is taken");
        return dashboard_page(&state, &fin, lang, csrf, Some(message)).await;
    }
    let input = IndicatorInput {
        name_zh: Some(form.name_zh.trim().to_owned()),
        name_en: None,
        formula: Some(super::indicators::Formula::Query {
            model: Box::new(model),
            subject_is_organisation: form.subject_is_organisation.is_some(),
        }),
        unit: Some(form.unit),
        yellow: Some(form.yellow.trim().to_owned()),
        orange: Some(form.orange.trim().to_owned()),
        red: Some(form.red.trim().to_owned()),
        auto_freeze: None,
        enabled: None,
    };
    match indicators::save(&state.db, &code, input, &staff.0.id, state.now()).await {
        Ok(_) => Ok(see_other("/console/financing/risk")),
        Err(RiskError::Invalid(why)) => dashboard_page(&state, &fin, lang, csrf, Some(why)).await,
        Err(RiskError::Query(e)) => {
            dashboard_page(&state, &fin, lang, csrf, Some(e.to_string())).await
        }
        Err(e) => Err(e.into()),
    }
}
