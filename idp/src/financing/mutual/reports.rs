//! The mutual fund's report pages for staff and fund managers: the statistics (term, rate,
//! purpose, growth, balance, the general ledger) with ECharts charts and CSV/XLSX export, and
//! supervision by enterprise with each one's applications and ledger history.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use serde::Deserialize;

use super::super::Service;
use super::ledger::account_zh;
use super::pages::{Desk, Line, desk, line, money};
use super::stats::{EnterpriseDetail, EnterpriseLine, FundStatistics};
use crate::error::PageError;
use crate::payments::money::fen_to_yuan;
use crate::platform::kit::pages::{Lang, PageUser, render};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/console/financing/fund/statistics", get(get_statistics))
        .route("/console/financing/fund/statistics.csv", get(get_csv))
        .route("/console/financing/fund/statistics.xlsx", get(get_xlsx))
        .route("/console/financing/fund/supervision", get(get_supervision))
        .route(
            "/console/financing/fund/supervision/{org}",
            get(get_enterprise),
        )
}

#[derive(Deserialize)]
struct Period {
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    to: Option<String>,
}

impl Period {
    fn month(v: &Option<String>) -> Option<String> {
        v.as_deref()
            .map(str::trim)
            .filter(|m| m.len() == 7 && m.as_bytes()[4] == b'-')
            .map(str::to_owned)
    }
}

#[derive(Template)]
#[template(path = "console_fund_statistics.html")]
struct StatisticsPage {
    en: bool,
    groups: Vec<(
        &'static str,
        &'static str,
        &'static str,
        Vec<super::stats::Bucket>,
    )>,
    s: FundStatistics,
    from: String,
    to: String,
    query: String,
    json: String,
}

async fn statistics(
    state: &AppState,
    fin: &Service,
    desk: &Desk,
    p: &Period,
) -> Result<FundStatistics, PageError> {
    Ok(fin
        .fund_statistics(
            &state.db,
            &desk.caller,
            Period::month(&p.from).as_deref(),
            Period::month(&p.to).as_deref(),
        )
        .await?)
}

async fn get_statistics(
    State(state): State<AppState>,
    Extension(fin): Extension<Arc<Service>>,
    user: PageUser,
    lang: Lang,
    Query(p): Query<Period>,
) -> Result<Response, PageError> {
    let desk = desk(user)?;
    let s = statistics(&state, &fin, &desk, &p).await?;
    let bucket = |label: &str, amount: i64, count: i64| serde_json::json!({"label": label, "amount_fen": amount, "count": count});
    let json = serde_json::json!({
        "by_term": s.by_term,
        "by_rate": s.by_rate,
        "by_purpose": s.by_purpose,
        "growth": s.months.iter().map(|m| bucket(&m.month, m.disbursed_fen, m.loans)).collect::<Vec<_>>(),
        "balance": s.months.iter().map(|m| bucket(&m.month, m.loans_balance_fen, m.loans)).collect::<Vec<_>>(),
        "cash": s.months.iter().map(|m| bucket(&m.month, m.cash_balance_fen, 0)).collect::<Vec<_>>(),
    })
    .to_string()
    // Inside a <script> element: no "</script>" can close it early.
    .replace('<', "\\u003c");
    let from = Period::month(&p.from).unwrap_or_default();
    let to = Period::month(&p.to).unwrap_or_default();
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("from", &from)
        .append_pair("to", &to)
        .finish();
    let page = StatisticsPage {
        en: lang.en,
        groups: vec![
            ("期限", "Term", "by-term", s.by_term.clone()),
            ("利率", "Rate", "by-rate", s.by_rate.clone()),
            (
                "投向（借款用途）",
                "Purpose",
                "by-purpose",
                s.by_purpose.clone(),
            ),
        ],
        s,
        from,
        to,
        query,
        json,
    };
    Ok(render(lang, StatusCode::OK, None, &page))
}

async fn get_csv(
    State(state): State<AppState>,
    Extension(fin): Extension<Arc<Service>>,
    user: PageUser,
    Query(p): Query<Period>,
) -> Result<Response, PageError> {
    let desk = desk(user)?;
    let s = statistics(&state, &fin, &desk, &p).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"mutual-fund-statistics.csv\"",
            ),
        ],
        super::stats::csv(&s),
    )
        .into_response())
}

async fn get_xlsx(
    State(state): State<AppState>,
    Extension(fin): Extension<Arc<Service>>,
    user: PageUser,
    Query(p): Query<Period>,
) -> Result<Response, PageError> {
    let desk = desk(user)?;
    let s = statistics(&state, &fin, &desk, &p).await?;
    let bytes = super::stats::xlsx(&s).map_err(|e| PageError::Internal(e.into()))?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"mutual-fund-statistics.xlsx\"",
            ),
        ],
        bytes,
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "console_fund_supervision.html")]
struct SupervisionPage {
    en: bool,
    enterprises: Vec<EnterpriseLine>,
    detail: Option<EnterpriseDetail>,
    lines: Vec<Line>,
    ledger: Vec<[String; 5]>,
}

async fn get_supervision(
    State(state): State<AppState>,
    Extension(fin): Extension<Arc<Service>>,
    user: PageUser,
    lang: Lang,
) -> Result<Response, PageError> {
    let desk = desk(user)?;
    let page = SupervisionPage {
        en: lang.en,
        enterprises: fin.fund_enterprises(&state.db, &desk.caller).await?,
        detail: None,
        lines: Vec::new(),
        ledger: Vec::new(),
    };
    Ok(render(lang, StatusCode::OK, None, &page))
}

async fn get_enterprise(
    State(state): State<AppState>,
    Extension(fin): Extension<Arc<Service>>,
    user: PageUser,
    lang: Lang,
    Path(org): Path<String>,
) -> Result<Response, PageError> {
    let desk = desk(user)?;
    let detail = fin.fund_enterprise(&state.db, &desk.caller, &org).await?;
    let ledger = detail
        .ledger
        .iter()
        .map(|e| {
            [
                e.entry_no.to_string(),
                crate::clock::shanghai_time(e.at),
                e.memo.clone(),
                e.postings
                    .iter()
                    .filter(|p| p.debit_fen > 0)
                    .map(|p| format!("{} {}", account_zh(&p.account), fen_to_yuan(p.debit_fen)))
                    .collect::<Vec<_>>()
                    .join("；"),
                e.postings
                    .iter()
                    .filter(|p| p.credit_fen > 0)
                    .map(|p| format!("{} {}", account_zh(&p.account), fen_to_yuan(p.credit_fen)))
                    .collect::<Vec<_>>()
                    .join("；"),
            ]
        })
        .collect();
    let page = SupervisionPage {
        en: lang.en,
        enterprises: Vec::new(),
        lines: detail.applications.iter().map(line).collect(),
        ledger,
        detail: Some(detail),
    };
    Ok(render(lang, StatusCode::OK, None, &page))
}
