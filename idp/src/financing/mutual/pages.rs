//! The mutual fund's pages: for a member enterprise its applications, the online form, the
//! printable 《自治区中小微企业互助申请表》 and the upload of the signed scan; for staff and fund
//! managers the fund at a glance (account, overdue rate, the chain's check), each application
//! with its steps, the members, the statistics with charts and export, and supervision by
//! enterprise.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Extension, Router};
use axum_csrf::CsrfToken;
use serde::Deserialize;

use super::super::{FinancingError, Service};
use super::applications::DOCUMENT_KINDS;
use super::contracts::Verification;
use super::lifecycle::{FundAction, FundState};
use super::model::*;
use crate::accounts::Role;
use crate::accounts::caller::Caller;
use crate::error::PageError;
use crate::payments::money::{fen_to_wan, fen_to_yuan};
use crate::platform::kit::pages::{
    Lang, PageForm, PageUpload, PageUser, UploadLimit, form_token, render, see_other,
};
use crate::state::AppState;

const BASE: &str = "/console/financing/fund";

pub fn router(max_document_bytes: usize) -> Router<AppState> {
    let uploads = Router::new()
        .route(
            "/console/financing/fund/applications/{no}/documents",
            post(post_document),
        )
        .layer(axum::extract::DefaultBodyLimit::max(
            max_document_bytes + 64 * 1024,
        ))
        .layer(Extension(UploadLimit(max_document_bytes)));
    Router::new()
        .merge(uploads)
        .route(BASE, get(get_home).post(post_new_application))
        .route("/console/financing/fund/verify", post(post_verify))
        .route(
            "/console/financing/fund/members",
            get(get_members).post(post_member),
        )
        .route(
            "/console/financing/fund/applications/{no}",
            get(get_application).post(post_step),
        )
        .route(
            "/console/financing/fund/applications/{no}/form",
            get(get_printable),
        )
        .route("/console/financing/fund/documents/{id}", get(get_document))
        .merge(super::reports::router())
}

/// Who is on a fund page.
pub(super) struct Desk {
    pub(super) caller: Caller,
    /// Staff or fund manager: sees the whole fund.
    manages: bool,
}

pub(super) fn desk(user: PageUser) -> Result<Desk, PageError> {
    let u = user.user;
    let staff = u.roles.contains(&Role::Admin);
    let manages = staff || u.roles.contains(&Role::FundManager);
    if !manages && !u.roles.contains(&Role::Enterprise) {
        return Err(PageError::Forbidden);
    }
    Ok(Desk {
        caller: Caller {
            user_id: u.id,
            organisation_id: u.organisation_id,
            roles: u.roles,
            staff,
        },
        manages,
    })
}

fn yuan(v: Option<i64>) -> String {
    v.map(fen_to_yuan).unwrap_or_else(|| "—".into())
}

fn text(v: &Option<String>) -> String {
    v.clone().unwrap_or_else(|| "—".into())
}

pub(super) struct Line {
    pub(super) apply_no: String,
    pub(super) company_name: String,
    pub(super) state: &'static str,
    pub(super) amount_wan: String,
    pub(super) months: i64,
    pub(super) loan_for: String,
    pub(super) rate: String,
    pub(super) due: String,
    pub(super) owed: String,
}

pub(super) fn line(s: &FundSummary) -> Line {
    Line {
        apply_no: s.apply_no.clone(),
        company_name: s.company_name.clone(),
        state: FundState::parse(&s.state).map_or("", |x| x.label_zh()),
        amount_wan: fen_to_wan(s.amount_fen),
        months: s.months,
        loan_for: s.loan_for.clone(),
        rate: text(&s.monthly_rate),
        due: text(&s.last_repay_date),
        owed: fen_to_yuan(s.owed_fen),
    }
}

#[derive(Template)]
#[template(path = "console_fund.html")]
struct HomePage {
    en: bool,
    manages: bool,
    csrf_token: String,
    status_figures: Vec<(&'static str, &'static str, String)>,
    verification: Option<Verification>,
    members: Vec<Member>,
    lines: Vec<Line>,
    states: Vec<(&'static str, &'static str, bool)>,
    max_months: i64,
    error: Option<String>,
}

#[derive(Deserialize)]
struct HomeQuery {
    #[serde(default)]
    state: Option<String>,
}

#[allow(clippy::too_many_arguments)]
async fn home(
    state: &AppState,
    fin: &Service,
    desk: &Desk,
    lang: Lang,
    csrf: CsrfToken,
    wanted: Option<FundState>,
    verification: Option<Verification>,
    error: Option<String>,
) -> Result<Response, PageError> {
    let status = if desk.manages {
        Some(fin.fund_status(&state.db, &desk.caller).await?)
    } else {
        None
    };
    let status_figures = status
        .as_ref()
        .map(|s| {
            vec![
                (
                    "互助基金专户余额（元）",
                    "Fund account (yuan)",
                    fen_to_yuan(s.cash_fen),
                ),
                (
                    "财政出资（元）",
                    "Government capital (yuan)",
                    fen_to_yuan(s.capital_government_fen),
                ),
                (
                    "会员入社资金（元）",
                    "Members' contributions (yuan)",
                    fen_to_yuan(s.capital_members_fen),
                ),
                (
                    "在贷本金（元）",
                    "Principal out (yuan)",
                    fen_to_yuan(s.loans_outstanding_fen),
                ),
                (
                    "逾期本金（元）",
                    "Overdue principal (yuan)",
                    fen_to_yuan(s.overdue_principal_fen),
                ),
                (
                    "逾期率",
                    "Overdue rate",
                    format!(
                        "{} %（暂停线 {} %）",
                        s.overdue_rate_percent, s.pause_threshold_percent
                    ),
                ),
                (
                    "放款",
                    "Disbursements",
                    if s.paused {
                        "暂停 / paused".into()
                    } else {
                        "正常 / open".into()
                    },
                ),
                (
                    "借贷平衡",
                    "Ledger balanced",
                    format!(
                        "{}（借 {} = 贷 {}）",
                        if s.balanced { "是 / yes" } else { "否 / NO" },
                        fen_to_yuan(s.debits_fen),
                        fen_to_yuan(s.credits_fen)
                    ),
                ),
                (
                    "合约链",
                    "Contract chain",
                    format!("{} 份，链头 {}", s.chain_length, s.chain_head),
                ),
            ]
        })
        .unwrap_or_default();
    let page = HomePage {
        en: lang.en,
        manages: desk.manages,
        csrf_token: form_token(&csrf)?,
        status_figures,
        verification,
        members: fin.fund_members(&state.db, &desk.caller).await?,
        lines: fin
            .fund_list(&state.db, &desk.caller, wanted, None, 0)
            .await?
            .iter()
            .map(line)
            .collect(),
        states: FundState::ALL
            .iter()
            .map(|s| (s.as_str(), s.label_zh(), Some(*s) == wanted))
            .collect(),
        max_months: fin.terms.fund.max_months,
        error: error.clone(),
    };
    let code = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok(render(lang, code, Some(csrf), &page))
}

async fn get_home(
    State(state): State<AppState>,
    Extension(fin): Extension<Arc<Service>>,
    user: PageUser,
    lang: Lang,
    csrf: CsrfToken,
    Query(q): Query<HomeQuery>,
) -> Result<Response, PageError> {
    let desk = desk(user)?;
    let wanted = q.state.as_deref().and_then(FundState::parse);
    home(&state, &fin, &desk, lang, csrf, wanted, None, None).await
}

async fn post_verify(
    State(state): State<AppState>,
    Extension(fin): Extension<Arc<Service>>,
    user: PageUser,
    lang: Lang,
    csrf: CsrfToken,
    PageForm(_): PageForm<Empty>,
) -> Result<Response, PageError> {
    let desk = desk(user)?;
    if !desk.manages {
        return Err(PageError::Forbidden);
    }
    let v = super::contracts::verify(&state.db).await?;
    home(&state, &fin, &desk, lang, csrf, None, Some(v), None).await
}

#[derive(Deserialize)]
struct Empty {}

#[derive(Deserialize)]
struct ApplicationForm {
    join_no: String,
    apply_amount: String,
    months: String,
    loan_for: String,
    #[serde(default)]
    loan_bank: String,
    account_name: String,
    account_bank: String,
    account_no: String,
}

fn given(v: &str) -> Option<String> {
    Some(v.trim().to_owned()).filter(|v| !v.is_empty())
}

async fn post_new_application(
    State(state): State<AppState>,
    Extension(fin): Extension<Arc<Service>>,
    user: PageUser,
    lang: Lang,
    csrf: CsrfToken,
    PageForm(form): PageForm<ApplicationForm>,
) -> Result<Response, PageError> {
    let desk = desk(user)?;
    let input = FundApplicationInput {
        join_no: form.join_no,
        apply_amount: form.apply_amount,
        months: form.months.trim().parse().unwrap_or(0),
        loan_for: form.loan_for,
        loan_bank: given(&form.loan_bank),
        account_name: form.account_name,
        account_bank: form.account_bank,
        account_no: form.account_no,
    };
    match fin
        .fund_apply(&state.db, &desk.caller, &input, state.now())
        .await
    {
        Ok(view) => Ok(see_other(&format!("{BASE}/applications/{}", view.apply_no))),
        Err(FinancingError::Db(e)) => Err(PageError::Internal(e.into())),
        Err(e) => {
            home(
                &state,
                &fin,
                &desk,
                lang,
                csrf,
                None,
                None,
                Some(e.to_string()),
            )
            .await
        }
    }
}

#[derive(Template)]
#[template(path = "console_fund_application.html")]
struct ApplicationPage {
    en: bool,
    manages: bool,
    csrf_token: String,
    a: FundApplicationView,
    figures: Vec<(&'static str, &'static str, String)>,
    schedule: Vec<[String; 5]>,
    documents: Vec<(String, &'static str, i64, String, String)>,
    contracts: Vec<[String; 5]>,
    repayments: Vec<[String; 6]>,
    audit: Vec<[String; 4]>,
    actions: Vec<(&'static str, &'static str, &'static str)>,
    needs: Vec<&'static str>,
    can_repay: bool,
    editable: bool,
    kinds: Vec<(&'static str, &'static str, &'static str)>,
    record: String,
    error: Option<String>,
}

fn figures(a: &FundApplicationView) -> Vec<(&'static str, &'static str, String)> {
    vec![
        ("入社单位", "Member", a.company_name.clone()),
        ("入社编号 JOIN_NO", "JOIN_NO", a.join_no.clone()),
        (
            "第几次申请 APPLY_TIME",
            "APPLY_TIME",
            a.apply_time.to_string(),
        ),
        (
            "申请金额（万元）APPLY_AMOUNT",
            "APPLY_AMOUNT (×10k yuan)",
            fen_to_wan(a.amount_fen),
        ),
        ("借款期限（月）", "Term (months)", a.months.to_string()),
        ("借款用途 LOAN_FOR", "LOAN_FOR", a.loan_for.clone()),
        ("委贷银行 LOAN_BANK", "LOAN_BANK", text(&a.loan_bank)),
        (
            "收款账户",
            "Account",
            format!("{} · {} · {}", a.account_name, a.account_bank, a.account_no),
        ),
        (
            "放大倍数 ENLARGE_MULTIPLES",
            "ENLARGE_MULTIPLES",
            a.enlarge_multiples.map_or("—".into(), |m| m.to_string()),
        ),
        (
            "上浮（%）FLOATING_MULTIPLES",
            "FLOATING_MULTIPLES (%)",
            text(&a.floating_percent),
        ),
        (
            "月利率（‰）MONTHLY_RATE",
            "MONTHLY_RATE (‰)",
            text(&a.monthly_rate),
        ),
        ("借款日期 LOAN_DATE", "LOAN_DATE", text(&a.loan_date)),
        (
            "最晚还款日期 LAST_REPAY_DATE",
            "LAST_REPAY_DATE",
            text(&a.last_repay_date),
        ),
        (
            "实际还款日期 REAL_REPAY_DATE",
            "REAL_REPAY_DATE",
            text(&a.real_repay_date),
        ),
        (
            "手续费（元）HANDLING_FEE",
            "HANDLING_FEE (yuan)",
            yuan(a.handling_fee_fen),
        ),
        (
            "利息（元）INTEREST",
            "INTEREST (yuan)",
            yuan(a.interest_fen),
        ),
        ("已还（元）", "Repaid (yuan)", fen_to_yuan(a.repaid_fen)),
        ("尚欠（元）", "Owed (yuan)", fen_to_yuan(a.owed_fen)),
        ("合约", "Contract in force", text(&a.contract_no)),
        ("意见", "Feedback", text(&a.feedback)),
    ]
}

fn inputs(action: FundAction) -> &'static [&'static str] {
    match action {
        FundAction::Approve => &["loan_date", "floating_percent", "handling_fee"],
        FundAction::Amend => &["extend_months"],
        _ => &[],
    }
}

async fn application_page(
    state: &AppState,
    fin: &Service,
    desk: &Desk,
    apply_no: &str,
    lang: Lang,
    csrf: CsrfToken,
    error: Option<String>,
) -> Result<Response, PageError> {
    let a = fin.fund_view(&state.db, &desk.caller, apply_no).await?;
    let audit = fin.fund_audit(&state.db, &desk.caller, apply_no).await?;
    let actions: Vec<FundAction> = a.allowed_actions.clone();
    let mut needs: Vec<&'static str> = actions
        .iter()
        .flat_map(|x| inputs(*x).iter().copied())
        .collect();
    needs.dedup();
    let page = ApplicationPage {
        en: lang.en,
        manages: desk.manages,
        csrf_token: form_token(&csrf)?,
        figures: figures(&a),
        schedule: a
            .schedule
            .iter()
            .map(|i| {
                [
                    i.no.to_string(),
                    i.date.clone(),
                    fen_to_yuan(i.principal_fen),
                    fen_to_yuan(i.interest_fen),
                    fen_to_yuan(i.fee_fen),
                ]
            })
            .collect(),
        documents: a
            .documents
            .iter()
            .map(|d| {
                let kind = DOCUMENT_KINDS
                    .iter()
                    .find(|k| k.0 == d.kind)
                    .map_or("其他材料", |k| k.1);
                (
                    d.id.clone(),
                    kind,
                    d.version,
                    d.name.clone(),
                    d.sha256.clone(),
                )
            })
            .collect(),
        contracts: a
            .contracts
            .iter()
            .map(|c| {
                [
                    c.contract_no.clone(),
                    c.amends.clone().unwrap_or_default(),
                    crate::clock::shanghai_time(c.created_at),
                    c.hash.clone(),
                    c.prev_hash.clone(),
                ]
            })
            .collect(),
        repayments: a
            .repayments
            .iter()
            .map(|r| {
                [
                    r.repay_no.clone(),
                    r.repay_date.clone(),
                    fen_to_yuan(r.amount_fen),
                    fen_to_yuan(r.fee_fen),
                    fen_to_yuan(r.interest_fen),
                    fen_to_yuan(r.principal_fen),
                ]
            })
            .collect(),
        audit: audit
            .iter()
            .map(|e| {
                [
                    crate::clock::shanghai_time(e.at),
                    e.action.clone(),
                    format!(
                        "{} → {}",
                        e.from_state.as_deref().unwrap_or(""),
                        e.to_state.as_deref().unwrap_or("")
                    ),
                    e.note.clone().unwrap_or_default(),
                ]
            })
            .collect(),
        can_repay: matches!(a.state, FundState::Disbursed | FundState::Overdue) && desk.manages,
        editable: super::lifecycle::is_editable(a.state) && !desk.manages,
        actions: actions
            .iter()
            .filter(|x| **x != FundAction::Repay)
            .map(|x| (x.as_str(), x.label_zh(), x.label_en()))
            .collect(),
        needs,
        kinds: DOCUMENT_KINDS.to_vec(),
        record: serde_json::to_string_pretty(&a.record).unwrap_or_default(),
        a,
        error: error.clone(),
    };
    let code = if error.is_some() {
        StatusCode::CONFLICT
    } else {
        StatusCode::OK
    };
    Ok(render(lang, code, Some(csrf), &page))
}

async fn get_application(
    State(state): State<AppState>,
    Extension(fin): Extension<Arc<Service>>,
    user: PageUser,
    lang: Lang,
    csrf: CsrfToken,
    Path(no): Path<String>,
) -> Result<Response, PageError> {
    let desk = desk(user)?;
    application_page(&state, &fin, &desk, &no, lang, csrf, None).await
}

#[derive(Deserialize)]
struct StepForm {
    action: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    loan_date: String,
    #[serde(default)]
    floating_percent: String,
    #[serde(default)]
    handling_fee: String,
    #[serde(default)]
    extend_months: String,
    #[serde(default)]
    repay_amount: String,
    #[serde(default)]
    repay_date: String,
}

async fn post_step(
    State(state): State<AppState>,
    Extension(fin): Extension<Arc<Service>>,
    user: PageUser,
    lang: Lang,
    csrf: CsrfToken,
    Path(no): Path<String>,
    PageForm(form): PageForm<StepForm>,
) -> Result<Response, PageError> {
    let desk = desk(user)?;
    let done = if form.action == "repay" {
        fin.fund_repay(
            &state.db,
            &desk.caller,
            &no,
            &RepaymentInput {
                repay_amount: form.repay_amount.clone(),
                repay_date: given(&form.repay_date),
            },
            state.now(),
        )
        .await
        .map(|_| ())
    } else {
        let action = FundAction::parse(&form.action)
            .ok_or_else(|| PageError::BadRequest("unknown action".into()))?;
        let input = FundStepInput {
            reason: given(&form.reason),
            loan_date: given(&form.loan_date),
            floating_percent: given(&form.floating_percent),
            handling_fee: given(&form.handling_fee),
            extend_months: given(&form.extend_months).and_then(|m| m.parse().ok()),
        };
        fin.fund_act(&state.db, &desk.caller, &no, action, &input, state.now())
            .await
            .map(|_| ())
    };
    settle(done, &state, &fin, &desk, &no, lang, csrf).await
}

async fn settle(
    done: Result<(), FinancingError>,
    state: &AppState,
    fin: &Service,
    desk: &Desk,
    no: &str,
    lang: Lang,
    csrf: CsrfToken,
) -> Result<Response, PageError> {
    match done {
        Ok(()) => Ok(see_other(&format!("{BASE}/applications/{no}"))),
        Err(FinancingError::Db(e)) => Err(PageError::Internal(e.into())),
        Err(FinancingError::NotFound(_)) => Err(PageError::NotFound),
        Err(e) => application_page(state, fin, desk, no, lang, csrf, Some(e.to_string())).await,
    }
}

async fn post_document(
    State(state): State<AppState>,
    Extension(fin): Extension<Arc<Service>>,
    user: PageUser,
    lang: Lang,
    csrf: CsrfToken,
    Path(no): Path<String>,
    upload: PageUpload,
) -> Result<Response, PageError> {
    let desk = desk(user)?;
    let kind = upload.field("kind").unwrap_or_default().to_owned();
    let Some((name, content)) = upload.file.as_ref().filter(|(_, c)| !c.is_empty()) else {
        let message = "请选择要上传的文件。Choose a file to upload.".to_owned();
        return application_page(&state, &fin, &desk, &no, lang, csrf, Some(message)).await;
    };
    let done = fin
        .fund_upload(
            &state.db,
            &desk.caller,
            &no,
            super::super::documents::Upload {
                kind: &kind,
                name,
                content,
            },
            state.now(),
        )
        .await;
    settle(done.map(|_| ()), &state, &fin, &desk, &no, lang, csrf).await
}

async fn get_document(
    State(state): State<AppState>,
    Extension(fin): Extension<Arc<Service>>,
    user: PageUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let desk = desk(user)?;
    let (document, content) = fin.fund_document(&state.db, &desk.caller, &id).await?;
    Ok(super::api::download(&document, content))
}

#[derive(Template)]
#[template(path = "console_fund_form.html")]
struct PrintablePage {
    en: bool,
    a: FundApplicationView,
    member: Member,
    rows: Vec<(&'static str, &'static str, String)>,
    qr_svg: String,
    printed: String,
}

/// The application number as a QR code, inline SVG.
fn qr_svg(text: &str) -> String {
    match qrcode::QrCode::new(text.as_bytes()) {
        Ok(code) => code
            .render::<qrcode::render::svg::Color>()
            .min_dimensions(120, 120)
            .quiet_zone(true)
            .build(),
        Err(_) => String::new(),
    }
}

/// 《自治区中小微企业互助申请表》: every field of the application and the company, boxes for the
/// seal and signature, the application number as a QR code; A4 when printed.
async fn get_printable(
    State(state): State<AppState>,
    Extension(fin): Extension<Arc<Service>>,
    user: PageUser,
    lang: Lang,
    Path(no): Path<String>,
) -> Result<Response, PageError> {
    let desk = desk(user)?;
    let a = fin.fund_view(&state.db, &desk.caller, &no).await?;
    let member = super::store::find_member(&state.db, &a.join_no).await?;
    let rows = vec![
        ("申请编号", "APPLY_NO", a.apply_no.clone()),
        ("入社编号", "JOIN_NO", a.join_no.clone()),
        ("第几次申请", "APPLY_TIME", a.apply_time.to_string()),
        ("入社年份", "JOIN_YEAR", member.join_year.to_string()),
        (
            "入社金额（万元）",
            "JOIN_AMOUNT",
            fen_to_wan(member.join_amount_fen),
        ),
        ("申请金额（万元）", "APPLY_AMOUNT", fen_to_wan(a.amount_fen)),
        ("借款期限（月）", "Term (months)", a.months.to_string()),
        ("借款用途", "LOAN_FOR", a.loan_for.clone()),
        ("委贷银行", "LOAN_BANK", text(&a.loan_bank)),
        (
            "放大倍数",
            "ENLARGE_MULTIPLES",
            a.enlarge_multiples.map_or("—".into(), |m| m.to_string()),
        ),
        ("收款户名", "Account name", a.account_name.clone()),
        ("开户银行", "Account bank", a.account_bank.clone()),
        ("银行账号", "Account no.", a.account_no.clone()),
    ];
    let page = PrintablePage {
        en: lang.en,
        qr_svg: qr_svg(&a.apply_no),
        printed: crate::clock::shanghai_date(state.now()),
        rows,
        member,
        a,
    };
    Ok(render(lang, StatusCode::OK, None, &page))
}

#[derive(Template)]
#[template(path = "console_fund_members.html")]
struct MembersPage {
    en: bool,
    csrf_token: String,
    members: Vec<Member>,
    enterprises: Vec<(String, String)>,
    error: Option<String>,
}

async fn members_page(
    state: &AppState,
    fin: &Service,
    desk: &Desk,
    lang: Lang,
    csrf: CsrfToken,
    error: Option<String>,
) -> Result<Response, PageError> {
    if !desk.manages {
        return Err(PageError::Forbidden);
    }
    let enterprises: Vec<(String, String)> = crate::with_pool!(&state.db, pool => {
        sqlx::query_as("SELECT id, name FROM organisations WHERE kind = 'enterprise' ORDER BY name LIMIT 500")
            .fetch_all(pool).await.map_err(|e| PageError::Internal(e.into()))?
    });
    let page = MembersPage {
        en: lang.en,
        csrf_token: form_token(&csrf)?,
        members: fin.fund_members(&state.db, &desk.caller).await?,
        enterprises,
        error: error.clone(),
    };
    let code = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok(render(lang, code, Some(csrf), &page))
}

async fn get_members(
    State(state): State<AppState>,
    Extension(fin): Extension<Arc<Service>>,
    user: PageUser,
    lang: Lang,
    csrf: CsrfToken,
) -> Result<Response, PageError> {
    let desk = desk(user)?;
    members_page(&state, &fin, &desk, lang, csrf, None).await
}

#[derive(Deserialize)]
struct MemberForm {
    enterprise_org_id: String,
    join_amount: String,
    #[serde(default)]
    company_code: String,
    #[serde(default)]
    company_address: String,
    #[serde(default)]
    company_link_name: String,
    #[serde(default)]
    company_link_mobile: String,
}

async fn post_member(
    State(state): State<AppState>,
    Extension(fin): Extension<Arc<Service>>,
    user: PageUser,
    lang: Lang,
    csrf: CsrfToken,
    PageForm(form): PageForm<MemberForm>,
) -> Result<Response, PageError> {
    let desk = desk(user)?;
    let input = MemberInput {
        enterprise_org_id: form.enterprise_org_id,
        join_year: None,
        join_amount: form.join_amount,
        company_name: None,
        company_code: given(&form.company_code),
        company_address: given(&form.company_address),
        company_link_name: given(&form.company_link_name),
        company_link_mobile: given(&form.company_link_mobile),
    };
    match fin
        .fund_join(&state.db, &desk.caller, &input, state.now())
        .await
    {
        Ok(_) => Ok(see_other(&format!("{BASE}/members"))),
        Err(FinancingError::Db(e)) => Err(PageError::Internal(e.into())),
        Err(FinancingError::Forbidden(_)) => Err(PageError::Forbidden),
        Err(e) => members_page(&state, &fin, &desk, lang, csrf, Some(e.to_string())).await,
    }
}

/// For the templates, which pass references.
pub(super) fn money(v: &i64) -> String {
    fen_to_yuan(*v)
}

pub(super) fn wan(v: &i64) -> String {
    fen_to_wan(*v)
}
