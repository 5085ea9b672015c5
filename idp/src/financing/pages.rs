//! Financing's console pages, for financing staff (administrators), bank officers and
//! insurers: the applications waiting for them with the priority enterprises first, one
//! application with its documents and the steps they may take, the bridge supervision table
//! with its detail view and the leasing subsidies' use, and the statistics with charts and
//! CSV/XLSX export (staff).

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use axum_csrf::CsrfToken;
use serde::Deserialize;

use super::lifecycle::{Action, Product, State as Stage};
use super::model::{ApplicationView, StepInput, Summary};
use super::stats::Period;
use super::{FinancingError, Service};
use crate::accounts::Role;
use crate::accounts::caller::Caller;
use crate::error::PageError;
use crate::payments::money::{fen_to_wan, fen_to_yuan};
use crate::platform::kit::pages::{
    Lang, PageForm, PageUpload, PageUser, UploadLimit, form_token, render, see_other,
};
use crate::state::AppState;

/// The pages; `max_document_bytes` bounds an uploaded document.
pub fn router(max_document_bytes: usize) -> Router<AppState> {
    let uploads = Router::new()
        .route(
            "/console/financing/applications/{id}/documents",
            post(post_document),
        )
        .layer(axum::extract::DefaultBodyLimit::max(
            max_document_bytes + 64 * 1024,
        ))
        .layer(Extension(UploadLimit(max_document_bytes)));
    Router::new()
        .merge(uploads)
        .route("/financing", get(super::showcase::get_products))
        .route("/financing/{key}", get(super::showcase::get_product))
        .route("/console/financing", get(get_queue))
        .route(
            "/console/financing/applications/{id}",
            get(get_application).post(post_application),
        )
        .route("/console/financing/documents/{id}", get(get_document))
        .route("/console/financing/supervision", get(get_supervision))
        .route(
            "/console/financing/supervision/{id}",
            get(get_bridge_detail),
        )
        .route("/console/financing/statistics", get(get_statistics))
        .route("/console/financing/statistics.csv", get(get_csv))
        .route("/console/financing/statistics.xlsx", get(get_xlsx))
}

/// The platform's errors on a page.
impl From<FinancingError> for PageError {
    fn from(e: FinancingError) -> Self {
        match e {
            FinancingError::NotFound(_) => PageError::NotFound,
            FinancingError::Forbidden(_) => PageError::Forbidden,
            FinancingError::Db(e) => PageError::Internal(e.into()),
            other => PageError::BadRequest(other.to_string()),
        }
    }
}

/// Someone who works financing in the console: an administrator (as staff), a bank officer or
/// an insurer.
struct Desk {
    caller: Caller,
    staff: bool,
}

fn desk(user: PageUser) -> Result<Desk, PageError> {
    let u = user.user;
    let staff = u.roles.contains(&Role::Admin);
    if !staff
        && !u
            .roles
            .iter()
            .any(|r| matches!(r, Role::BankOfficer | Role::Insurer))
    {
        return Err(PageError::Forbidden);
    }
    Ok(Desk {
        caller: Caller {
            user_id: u.id,
            organisation_id: u.organisation_id,
            roles: u.roles,
            staff,
        },
        staff,
    })
}

fn yuan(v: Option<i64>) -> String {
    v.map(fen_to_yuan).unwrap_or_else(|| "—".into())
}

fn wan(v: Option<i64>) -> String {
    v.map(fen_to_wan).unwrap_or_else(|| "—".into())
}

struct Row {
    id: String,
    product: &'static str,
    business: &'static str,
    state: &'static str,
    comp_name: String,
    amount_wan: String,
    priority: i64,
}

fn row(s: &Summary) -> Row {
    Row {
        id: s.id.clone(),
        product: s.product.label_zh(),
        business: s.business_label,
        state: s.state_label,
        comp_name: s.comp_name.clone(),
        amount_wan: fen_to_wan(s.amount_fen),
        priority: s.priority,
    }
}

#[derive(Template)]
#[template(path = "console_financing.html")]
struct QueuePage {
    en: bool,
    staff: bool,
    rows: Vec<Row>,
    products: Vec<(&'static str, &'static str, bool)>,
    states: Vec<(&'static str, &'static str, bool)>,
    funds: Option<[String; 6]>,
}

#[derive(Deserialize)]
struct QueueQuery {
    #[serde(default)]
    product: Option<String>,
    #[serde(default)]
    state: Option<String>,
}

async fn get_queue(
    State(state): State<AppState>,
    Extension(fin): Extension<Arc<Service>>,
    user: PageUser,
    lang: Lang,
    Query(q): Query<QueueQuery>,
) -> Result<Response, PageError> {
    let desk = desk(user)?;
    let product = q.product.as_deref().and_then(Product::parse);
    let wanted = q.state.as_deref().and_then(Stage::parse);
    let list = fin
        .list(&state.db, &desk.caller, product, wanted, 200)
        .await?;
    let funds = if desk.staff {
        let year = crate::clock::shanghai_year(state.now());
        let f = fin.funds(&state.db, year).await?;
        Some([
            fen_to_yuan(f.bridge_fund_fen),
            fen_to_yuan(f.bridge_out_fen),
            fen_to_yuan(f.pool_fen),
            fen_to_yuan(f.pool_paid_fen),
            fen_to_yuan(f.leasing_budget_fen),
            fen_to_yuan(f.leasing_granted_fen),
        ])
    } else {
        None
    };
    let page = QueuePage {
        en: lang.en,
        staff: desk.staff,
        rows: list.iter().map(row).collect(),
        products: Product::ALL
            .iter()
            .map(|p| (p.as_str(), p.label_zh(), Some(*p) == product))
            .collect(),
        states: Stage::ALL
            .iter()
            .map(|s| (s.as_str(), s.label_zh(), Some(*s) == wanted))
            .collect(),
        funds,
    };
    Ok(render(lang, StatusCode::OK, None, &page))
}

#[derive(Template)]
#[template(path = "console_financing_application.html")]
struct ApplicationPage {
    en: bool,
    staff: bool,
    csrf_token: String,
    a: ApplicationView,
    figures: Vec<(&'static str, &'static str, String)>,
    record: String,
    actions: Vec<(&'static str, &'static str, &'static str)>,
    /// Which inputs the forms need.
    needs: Vec<&'static str>,
    documents: Vec<(String, &'static str, i64, String, String)>,
    missing: Vec<&'static str>,
    devices: Vec<(String, String, String, i64, String)>,
    /// Kinds a document may be uploaded as, with the missing ones first.
    kinds: Vec<(&'static str, &'static str, &'static str)>,
    accepts_documents: bool,
    error: Option<String>,
}

fn figures(a: &ApplicationView) -> Vec<(&'static str, &'static str, String)> {
    let mut out = vec![
        (
            "业务",
            "Business",
            format!("{} · {}", a.product_label, a.business_label),
        ),
        ("企业", "Enterprise", a.comp_name.clone()),
        (
            "申请金额（万元）",
            "Amount (×10k yuan)",
            fen_to_wan(a.amount_fen),
        ),
    ];
    let mut add = |zh, en, v: Option<String>| {
        if let Some(v) = v {
            out.push((zh, en, v));
        }
    };
    add("贷款银行", "Bank", a.bank_name.clone());
    add("保险/担保机构", "Insurer", a.insurer_name.clone());
    add(
        "到期贷款金额（万元）",
        "Maturing loan (×10k)",
        a.maturing_fen.map(fen_to_wan),
    );
    add("贷款到期日", "Loan due", a.loan_due_date.clone());
    add(
        "续贷金额（万元）",
        "Renewal (×10k)",
        a.renewal_fen.map(fen_to_wan),
    );
    add(
        "自筹还贷金额（万元）",
        "Self-raised (×10k)",
        a.self_raised_fen.map(fen_to_wan),
    );
    add(
        "已放款（元）",
        "Disbursed (yuan)",
        a.disbursed_fen.map(fen_to_yuan),
    );
    add(
        "到期时间",
        "Due",
        a.due_at.map(super::records::china_datetime),
    );
    add("使用天数", "Days used", a.used_days.map(|d| d.to_string()));
    add("费用（元）", "Fee (yuan)", a.fee_fen.map(fen_to_yuan));
    add(
        "股权托管登记编号",
        "Custody reference",
        a.custody_ref.clone(),
    );
    add(
        "保费（元）",
        "Premium (yuan)",
        a.premium_fen.map(fen_to_yuan),
    );
    add("保单号", "Policy", a.policy_no.clone());
    add("损失本金（元）", "Loss (yuan)", a.loss_fen.map(fen_to_yuan));
    add(
        "资金池代偿（元）",
        "Compensation (yuan)",
        a.compensation_fen.map(fen_to_yuan),
    );
    add(
        "其中区级（元）",
        "Region's part (yuan)",
        a.region_share_fen.map(fen_to_yuan),
    );
    add(
        "其中县级（元）",
        "County's part (yuan)",
        a.county_share_fen.map(fen_to_yuan),
    );
    add(
        "银行承担（元）",
        "Borne by the bank (yuan)",
        a.bank_share_fen.map(fen_to_yuan),
    );
    add(
        "追偿（元）",
        "Recovered (yuan)",
        a.recovered_fen.map(fen_to_yuan),
    );
    add(
        "回补资金池（元）",
        "Back to the pool (yuan)",
        a.pool_back_fen.map(fen_to_yuan),
    );
    add(
        "核定补贴（元）",
        "Subsidy granted (yuan)",
        a.subsidy_fen.map(fen_to_yuan),
    );
    add("意见", "Feedback", a.feedback.clone());
    out
}

/// The inputs a step's form shows.
fn inputs(action: Action) -> &'static [&'static str] {
    match action {
        Action::BankApprove => &["bank_charge_man", "bank_manage_man"],
        Action::Custody => &["custody_ref"],
        Action::IssuePolicy => &["policy_no"],
        Action::Claim => &["loss"],
        Action::Recover => &["recovered"],
        _ => &[],
    }
}

async fn application_page(
    state: &AppState,
    fin: &Service,
    desk: &Desk,
    id: &str,
    lang: Lang,
    csrf: CsrfToken,
    error: Option<String>,
) -> Result<Response, PageError> {
    let a = fin.view(&state.db, &desk.caller, id, state.now()).await?;
    let actions: Vec<Action> = a
        .allowed_actions
        .iter()
        .filter_map(|x| Action::parse(x))
        .collect();
    let mut needs: Vec<&'static str> = actions
        .iter()
        .flat_map(|x| inputs(*x).iter().copied())
        .filter(|n| *n != "recovered" || a.product != Product::Bridge)
        .collect();
    needs.dedup();
    let page = ApplicationPage {
        en: lang.en,
        staff: desk.staff,
        csrf_token: form_token(&csrf)?,
        figures: figures(&a),
        record: serde_json::to_string_pretty(&a.record).unwrap_or_default(),
        actions: actions
            .iter()
            .map(|x| (x.as_str(), x.label_zh(), x.label_en()))
            .collect(),
        needs,
        documents: a
            .documents
            .iter()
            .map(|d| {
                let kind = super::lifecycle::DocKind::parse(&d.kind)
                    .map(|k| k.label_zh())
                    .unwrap_or("其他材料");
                (
                    d.id.clone(),
                    kind,
                    d.version,
                    d.name.clone(),
                    d.sha256.clone(),
                )
            })
            .collect(),
        missing: a
            .missing_documents
            .iter()
            .filter_map(|k| super::lifecycle::DocKind::parse(k).map(|k| k.label_zh()))
            .collect(),
        devices: a
            .devices
            .iter()
            .map(|d| {
                (
                    d.name.clone(),
                    fen_to_yuan(d.price_fen),
                    d.finance_rate.clone(),
                    d.lease_months,
                    yuan(d.subsidy_fen),
                )
            })
            .collect(),
        kinds: {
            let mut kinds = super::model::document_kinds();
            kinds.sort_by_key(|(k, _, _)| !a.missing_documents.contains(k));
            kinds
        },
        accepts_documents: super::steps::accepts_documents(a.state),
        a,
        error: error.clone(),
    };
    let status = if error.is_some() {
        StatusCode::CONFLICT
    } else {
        StatusCode::OK
    };
    Ok(render(lang, status, Some(csrf), &page))
}

async fn get_application(
    State(state): State<AppState>,
    Extension(fin): Extension<Arc<Service>>,
    user: PageUser,
    lang: Lang,
    csrf: CsrfToken,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let desk = desk(user)?;
    application_page(&state, &fin, &desk, &id, lang, csrf, None).await
}

#[derive(Deserialize)]
pub struct StepForm {
    action: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    bank_charge_man: String,
    #[serde(default)]
    bank_manage_man: String,
    #[serde(default)]
    custody_ref: String,
    #[serde(default)]
    policy_no: String,
    #[serde(default)]
    loss: String,
    #[serde(default)]
    recovered: String,
}

fn given(v: &str) -> Option<String> {
    Some(v.trim().to_owned()).filter(|v| !v.is_empty())
}

async fn post_application(
    State(state): State<AppState>,
    Extension(fin): Extension<Arc<Service>>,
    user: PageUser,
    lang: Lang,
    csrf: CsrfToken,
    Path(id): Path<String>,
    PageForm(form): PageForm<StepForm>,
) -> Result<Response, PageError> {
    let desk = desk(user)?;
    let action = Action::parse(&form.action)
        .ok_or_else(|| PageError::BadRequest("unknown action".into()))?;
    let input = StepInput {
        reason: given(&form.reason),
        bank_charge_man: given(&form.bank_charge_man),
        bank_manage_man: given(&form.bank_manage_man),
        custody_ref: given(&form.custody_ref),
        policy_no: given(&form.policy_no),
        loss: given(&form.loss),
        recovered: given(&form.recovered),
    };
    let done = fin
        .act(&state.db, &desk.caller, &id, action, &input, state.now())
        .await
        .map(|_| ());
    settle(done, &state, &fin, &desk, &id, lang, csrf).await
}

/// Back to the application when a form's work is done; its page with the refusal when not.
async fn settle(
    done: Result<(), FinancingError>,
    state: &AppState,
    fin: &Service,
    desk: &Desk,
    id: &str,
    lang: Lang,
    csrf: CsrfToken,
) -> Result<Response, PageError> {
    match done {
        Ok(()) => Ok(see_other(&format!("/console/financing/applications/{id}"))),
        Err(FinancingError::Db(e)) => Err(PageError::Internal(e.into())),
        Err(FinancingError::NotFound(_)) => Err(PageError::NotFound),
        Err(e) => application_page(state, fin, desk, id, lang, csrf, Some(e.to_string())).await,
    }
}

/// A document uploaded from the application's page (a new version when its kind is on file).
async fn post_document(
    State(state): State<AppState>,
    Extension(fin): Extension<Arc<Service>>,
    user: PageUser,
    lang: Lang,
    csrf: CsrfToken,
    Path(id): Path<String>,
    upload: PageUpload,
) -> Result<Response, PageError> {
    let desk = desk(user)?;
    let kind = upload.field("kind").unwrap_or_default().to_owned();
    let Some((name, content)) = upload.file.as_ref().filter(|(_, c)| !c.is_empty()) else {
        let message = "请选择要上传的文件。Choose a file to upload.".to_owned();
        return application_page(&state, &fin, &desk, &id, lang, csrf, Some(message)).await;
    };
    let done = fin
        .upload(
            &state.db,
            &desk.caller,
            &id,
            super::documents::Upload {
                kind: &kind,
                name,
                content,
            },
            state.now(),
        )
        .await;
    settle(done.map(|_| ()), &state, &fin, &desk, &id, lang, csrf).await
}

async fn get_document(
    State(state): State<AppState>,
    Extension(fin): Extension<Arc<Service>>,
    user: PageUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let desk = desk(user)?;
    let (document, content) = fin.document(&state.db, &desk.caller, &id).await?;
    Ok(super::api::download(&document, content))
}

#[derive(Template)]
#[template(path = "console_financing_supervision.html")]
struct SupervisionPage {
    en: bool,
    staff: bool,
    search: String,
    rows: Vec<[String; 9]>,
    previous: Option<i64>,
    next: Option<i64>,
    leasing: Vec<[String; 8]>,
}

#[derive(Deserialize)]
struct SupervisionQuery {
    #[serde(default)]
    search: Option<String>,
    #[serde(default)]
    offset: Option<i64>,
}

async fn get_supervision(
    State(state): State<AppState>,
    Extension(fin): Extension<Arc<Service>>,
    user: PageUser,
    lang: Lang,
    Query(q): Query<SupervisionQuery>,
) -> Result<Response, PageError> {
    let desk = desk(user)?;
    let page = fin
        .bridge_supervision(
            &state.db,
            &desk.caller,
            q.search.as_deref(),
            q.offset.unwrap_or(0),
        )
        .await?;
    let leasing = fin.leasing_supervision(&state.db, &desk.caller).await?;
    let body = SupervisionPage {
        en: lang.en,
        staff: desk.staff,
        search: q.search.unwrap_or_default(),
        rows: page
            .rows
            .iter()
            .map(|r| {
                [
                    r.id.clone(),
                    r.comp_name.clone(),
                    r.bank_name.clone().unwrap_or_else(|| "—".into()),
                    wan(r.maturing_fen),
                    r.loan_due_date.clone().unwrap_or_default(),
                    wan(r.renewal_fen),
                    fen_to_wan(r.amount_fen),
                    wan(r.self_raised_fen),
                    Stage::parse(&r.state)
                        .map(|s| s.label_zh())
                        .unwrap_or("—")
                        .to_owned(),
                ]
            })
            .collect(),
        previous: (page.offset > 0).then(|| (page.offset - super::supervision::PAGE).max(0)),
        next: page.next_offset,
        leasing: leasing
            .iter()
            .map(|l| {
                [
                    l.id.clone(),
                    l.comp_name.clone(),
                    super::Business::parse(&l.business)
                        .map(|b| b.label_zh())
                        .unwrap_or("—")
                        .to_owned(),
                    Stage::parse(&l.state)
                        .map(|s| s.label_zh())
                        .unwrap_or("—")
                        .to_owned(),
                    fen_to_yuan(l.amount_fen),
                    yuan(l.subsidy_fen),
                    l.paid_at
                        .map(super::records::china_date)
                        .unwrap_or_else(|| "—".into()),
                    l.devices.to_string(),
                ]
            })
            .collect(),
    };
    Ok(render(lang, StatusCode::OK, None, &body))
}

#[derive(Template)]
#[template(path = "console_financing_bridge.html")]
struct BridgePage {
    en: bool,
    staff: bool,
    d: super::supervision::BridgeDetail,
    enterprise: Vec<(String, String)>,
    loan_wan: String,
    disbursed: String,
    fee: String,
}

async fn get_bridge_detail(
    State(state): State<AppState>,
    Extension(fin): Extension<Arc<Service>>,
    user: PageUser,
    lang: Lang,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let desk = desk(user)?;
    let d = fin.bridge_detail(&state.db, &desk.caller, &id).await?;
    let enterprise = d
        .enterprise
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| {
                    let label = crate::catalogue::spec::record_type("bridge-loan")
                        .and_then(|t| t.fields.iter().find(|f| f.name == k))
                        .map(|f| f.label_zh)
                        .unwrap_or(k.as_str());
                    (
                        label.to_owned(),
                        v.as_str()
                            .map(str::to_owned)
                            .unwrap_or_else(|| v.to_string()),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let page = BridgePage {
        en: lang.en,
        staff: desk.staff,
        enterprise,
        loan_wan: wan(d.loan_fen),
        disbursed: yuan(d.disbursed_fen),
        fee: yuan(d.fee_fen),
        d,
    };
    Ok(render(lang, StatusCode::OK, None, &page))
}

#[derive(Template)]
#[template(path = "console_financing_statistics.html")]
struct StatisticsPage {
    en: bool,
    staff: bool,
    s: super::stats::Statistics,
    json: String,
    query: String,
    rows: Vec<[String; 8]>,
    usage: String,
    turnovers: String,
}

fn staff_only(desk: &Desk) -> Result<(), PageError> {
    if desk.staff {
        Ok(())
    } else {
        Err(PageError::Forbidden)
    }
}

async fn get_statistics(
    State(state): State<AppState>,
    Extension(fin): Extension<Arc<Service>>,
    user: PageUser,
    lang: Lang,
    Query(period): Query<Period>,
) -> Result<Response, PageError> {
    let desk = desk(user)?;
    staff_only(&desk)?;
    let s = fin
        .statistics(&state.db, &desk.caller, &period, state.now())
        .await?;
    let b = &s.bridge;
    let charts = serde_json::json!({
        "by_period": b.by_period,
        "by_bank": b.by_bank,
        "by_region": b.by_region,
        "by_status": b.by_status,
        "leasing_by_mode": s.leasing_by_mode,
        "leasing_by_amount": s.leasing_by_amount,
        "compensation": s.compensation,
    });
    // JSON inside <script>: every <, > and & is written as its \u escape.
    let json = charts
        .to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026");
    let query = serde_urlencoded::to_string([
        ("by", s.by.as_str()),
        ("from", s.from.as_str()),
        ("to", s.to.as_str()),
    ])
    .unwrap_or_default();
    let rows = std::iter::once(&b.total)
        .chain(b.by_period.iter())
        .map(|f| {
            [
                f.label.clone(),
                f.count.to_string(),
                fen_to_yuan(f.amount_fen),
                fen_to_yuan(f.fees_fen),
                fen_to_yuan(f.max_fen),
                fen_to_yuan(f.min_fen),
                fen_to_yuan(f.average_fen),
                String::new(),
            ]
        })
        .collect();
    let page = StatisticsPage {
        en: lang.en,
        staff: desk.staff,
        usage: format!("{:.2}%", b.usage_rate * 100.0),
        turnovers: format!("{:.2}", b.turnovers_per_year),
        rows,
        json,
        query,
        s,
    };
    Ok(render(lang, StatusCode::OK, None, &page))
}

fn export(body: Vec<u8>, content_type: &'static str, name: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body,
    )
        .into_response()
}

async fn get_csv(
    State(state): State<AppState>,
    Extension(fin): Extension<Arc<Service>>,
    user: PageUser,
    Query(period): Query<Period>,
) -> Result<Response, PageError> {
    let desk = desk(user)?;
    staff_only(&desk)?;
    let s = fin
        .statistics(&state.db, &desk.caller, &period, state.now())
        .await?;
    Ok(export(
        super::stats::csv(&s),
        "text/csv; charset=utf-8",
        "financing-statistics.csv",
    ))
}

async fn get_xlsx(
    State(state): State<AppState>,
    Extension(fin): Extension<Arc<Service>>,
    user: PageUser,
    Query(period): Query<Period>,
) -> Result<Response, PageError> {
    let desk = desk(user)?;
    staff_only(&desk)?;
    let s = fin
        .statistics(&state.db, &desk.caller, &period, state.now())
        .await?;
    let body = super::stats::xlsx(&s).map_err(|e| PageError::Internal(e.into()))?;
    Ok(export(
        body,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "financing-statistics.xlsx",
    ))
}
