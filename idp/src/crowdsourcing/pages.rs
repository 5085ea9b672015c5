//! Crowdsourcing's staff pages: the review console (demands to review or re-review, subsidy
//! applications with key incubation projects first, disputes to decide) and the statistics
//! page with its charts and CSV/XLSX export.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use axum_csrf::CsrfToken;
use serde::Deserialize;

use super::lifecycle::{Decision, DemandAction, DemandActor, DemandFacts};
use super::model::DecisionInput;
use super::subsidies::china_year;
use super::{CrowdsourcingError, Service, service_class_label, stats};
use crate::accounts::caller::Caller;
use crate::error::PageError;
use crate::payments::money::fen_to_yuan;
use crate::platform::kit::pages::{ConsoleStaff, Lang, PageForm, form_token, render, see_other};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/crowdsourcing/demands/{id}", get(get_public_demand))
        .route("/console/crowdsourcing", get(get_queue))
        .route("/console/crowdsourcing/demands/{id}", post(post_demand))
        .route("/console/crowdsourcing/orders/{id}", post(post_order))
        .route("/console/crowdsourcing/statistics", get(get_statistics))
        .route("/console/crowdsourcing/statistics.csv", get(get_csv))
        .route("/console/crowdsourcing/statistics.xlsx", get(get_xlsx))
}

/// The platform's errors on a page: not found is the 404 page, a lost database the 503 page.
impl From<CrowdsourcingError> for PageError {
    fn from(e: CrowdsourcingError) -> Self {
        match e {
            CrowdsourcingError::NotFound(_) => PageError::NotFound,
            CrowdsourcingError::Forbidden(_) => PageError::Forbidden,
            CrowdsourcingError::Db(e) => PageError::Internal(e.into()),
            other => PageError::BadRequest(other.to_string()),
        }
    }
}

struct DemandRow {
    id: String,
    title: String,
    description: String,
    mode_label: &'static str,
    class_label: &'static str,
    state_label: &'static str,
    fee_wan: String,
    regions: String,
    industries: String,
    pending_change: Option<String>,
    deletion_reason: Option<String>,
    /// (action, 中文, English) of each decision staff may take now.
    actions: Vec<(&'static str, &'static str, &'static str)>,
}

struct SubsidyRow {
    order_id: String,
    title: String,
    key_project: bool,
    amount_yuan: String,
    order_yuan: String,
}

struct DisputeRow {
    order_id: String,
    title: String,
    opened_by: &'static str,
    reason: String,
    evidence: String,
    answer: Option<String>,
    held_yuan: String,
}

#[derive(Template)]
#[template(path = "console_crowdsourcing.html")]
struct QueuePage {
    en: bool,
    csrf_token: String,
    demands: Vec<DemandRow>,
    subsidies: Vec<SubsidyRow>,
    disputes: Vec<DisputeRow>,
    budget_year: i64,
    budget_left: String,
    budget_total: String,
    error: Option<String>,
}

fn english(action: DemandAction) -> &'static str {
    match action {
        DemandAction::Approve => "Approve",
        DemandAction::Return => "Return with feedback",
        DemandAction::Reject => "Reject",
        DemandAction::ConfirmChange => "Confirm the change",
        DemandAction::RefuseChange => "Refuse the change",
        DemandAction::ConfirmDeletion => "Confirm the deletion",
        DemandAction::RefuseDeletion => "Refuse the deletion",
        _ => action.as_str(),
    }
}

async fn queue_page(
    state: &AppState,
    cs: &Service,
    staff: &Caller,
    lang: Lang,
    csrf: CsrfToken,
    error: Option<String>,
) -> Result<Response, PageError> {
    let now = state.now();
    let mut demands = Vec::new();
    for view in cs.demand_queue(&state.db, staff, now).await? {
        let d = &view.demand;
        let f = DemandFacts {
            pending_change: d.pending_change.is_some(),
            deletion_requested: d.deletion_reason.is_some(),
            ..Default::default()
        };
        demands.push(DemandRow {
            actions: d
                .state
                .allowed(DemandActor::Staff, &f)
                .into_iter()
                .filter(|a| *a != DemandAction::Expire)
                .map(|a| (a.as_str(), a.label_zh(), english(a)))
                .collect(),
            id: d.id.clone(),
            title: d.title.clone(),
            description: d.description.clone(),
            mode_label: view.mode_label,
            class_label: service_class_label(&d.service_class),
            state_label: view.state_label,
            fee_wan: view.fee_wan.clone(),
            regions: d.regions.replace(';', "、"),
            industries: d.industries.replace(';', "、"),
            pending_change: d.pending_change.as_deref().map(|c| {
                serde_json::from_str::<serde_json::Value>(c)
                    .and_then(|v| serde_json::to_string_pretty(&v))
                    .unwrap_or_else(|_| c.to_owned())
            }),
            deletion_reason: d.deletion_reason.clone(),
        });
    }
    let mut subsidies = Vec::new();
    for s in cs.subsidy_queue(&state.db).await? {
        let order = cs.order_view(&state.db, staff, &s.order_id, now).await?;
        let key_project = cs
            .demand_view(&state.db, &order.order.demand_id, staff, now)
            .await?
            .demand
            .key_project;
        subsidies.push(SubsidyRow {
            title: order.demand_title.clone(),
            key_project,
            amount_yuan: fen_to_yuan(s.amount_fen),
            order_yuan: fen_to_yuan(order.order.amount_fen),
            order_id: s.order_id,
        });
    }
    let mut disputes = Vec::new();
    for o in cs
        .orders(&state.db, staff, Some(super::OrderState::Disputed))
        .await?
    {
        let view = cs.order_view(&state.db, staff, &o.id, now).await?;
        let Some(open) = view.disputes.iter().rev().find(|d| d.decided_at.is_none()) else {
            continue;
        };
        disputes.push(DisputeRow {
            order_id: o.id.clone(),
            title: view.demand_title.clone(),
            opened_by: if open.opened_by == "enterprise" {
                "发包方 / enterprise"
            } else {
                "接包方 / provider"
            },
            reason: open.reason.clone(),
            evidence: open.evidence.clone(),
            answer: open.answer.clone(),
            held_yuan: fen_to_yuan(view.escrow.as_ref().map(|e| e.held_fen).unwrap_or_default()),
        });
    }
    let budget = cs.budget(&state.db, china_year(now)).await?;
    let status = if error.is_some() {
        StatusCode::CONFLICT
    } else {
        StatusCode::OK
    };
    let page = QueuePage {
        en: lang.en,
        csrf_token: form_token(&csrf)?,
        demands,
        subsidies,
        disputes,
        budget_year: budget.year,
        budget_left: fen_to_yuan(budget.left_fen),
        budget_total: fen_to_yuan(budget.budget_fen),
        error,
    };
    Ok(render(lang, status, Some(csrf), &page))
}

const RETURN: &str = "/console/crowdsourcing";

async fn get_queue(
    State(state): State<AppState>,
    Extension(cs): Extension<Arc<Service>>,
    staff: ConsoleStaff,
    lang: Lang,
    csrf: CsrfToken,
) -> Result<Response, PageError> {
    queue_page(&state, &cs, &staff.caller(), lang, csrf, None).await
}

#[derive(Deserialize)]
pub struct DecisionForm {
    decision: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    refund_amount: String,
}

/// Staff decide on a demand: review, re-review of a change or a deletion.
async fn post_demand(
    State(state): State<AppState>,
    Extension(cs): Extension<Arc<Service>>,
    staff: ConsoleStaff,
    lang: Lang,
    csrf: CsrfToken,
    Path(id): Path<String>,
    PageForm(form): PageForm<DecisionForm>,
) -> Result<Response, PageError> {
    let caller = staff.caller();
    let action = DemandAction::parse(&form.decision)
        .ok_or_else(|| PageError::BadRequest("unknown decision".into()))?;
    let reason = Some(form.reason.as_str()).filter(|r| !r.trim().is_empty());
    let result = cs
        .act_on_demand(&state.db, &caller, &id, action, reason, state.now())
        .await;
    settle(result.map(|_| ()), &state, &cs, &caller, lang, csrf).await
}

/// Staff decide on an order: a subsidy application or a dispute.
async fn post_order(
    State(state): State<AppState>,
    Extension(cs): Extension<Arc<Service>>,
    staff: ConsoleStaff,
    lang: Lang,
    csrf: CsrfToken,
    Path(id): Path<String>,
    PageForm(form): PageForm<DecisionForm>,
) -> Result<Response, PageError> {
    let caller = staff.caller();
    let reason = Some(form.reason.trim()).filter(|r| !r.is_empty());
    let now = state.now();
    let decided = |decision| DecisionInput {
        decision,
        refund_amount: Some(form.refund_amount.trim().to_owned()).filter(|a| !a.is_empty()),
        note: reason.map(str::to_owned),
    };
    let result = match form.decision.as_str() {
        "approve_subsidy" | "reject_subsidy" => cs
            .decide_subsidy(
                &state.db,
                &caller,
                &id,
                form.decision == "approve_subsidy",
                reason,
                now,
            )
            .await
            .map(|_| ()),
        "release" => cs
            .decide_dispute(&state.db, &caller, &id, &decided(Decision::Release), now)
            .await
            .map(|_| ()),
        "partial_refund" => cs
            .decide_dispute(
                &state.db,
                &caller,
                &id,
                &decided(Decision::PartialRefund),
                now,
            )
            .await
            .map(|_| ()),
        "full_refund" => cs
            .decide_dispute(&state.db, &caller, &id, &decided(Decision::FullRefund), now)
            .await
            .map(|_| ()),
        _ => return Err(PageError::BadRequest("unknown decision".into())),
    };
    settle(result, &state, &cs, &caller, lang, csrf).await
}

/// Back to the queue when done; the queue with the refusal when not.
async fn settle(
    result: Result<(), CrowdsourcingError>,
    state: &AppState,
    cs: &Service,
    caller: &Caller,
    lang: Lang,
    csrf: CsrfToken,
) -> Result<Response, PageError> {
    match result {
        Ok(()) => Ok(see_other(RETURN)),
        Err(CrowdsourcingError::Db(e)) => Err(PageError::Internal(e.into())),
        Err(e) => queue_page(state, cs, caller, lang, csrf, Some(e.to_string())).await,
    }
}

#[derive(Template)]
#[template(path = "console_crowdsourcing_statistics.html")]
struct StatisticsPage {
    en: bool,
    /// The statistics as JSON for the charts, made safe to sit inside a script element.
    json: String,
    computed_at: String,
    took_ms: i64,
    rates: [String; 6],
    subsidies_granted: i64,
    subsidies_yuan: String,
    budget_left: String,
}

fn percent(v: Option<f64>) -> String {
    v.map(|v| format!("{:.1}%", v * 100.0))
        .unwrap_or_else(|| "—".into())
}

#[derive(Deserialize)]
pub struct StatisticsQuery {
    #[serde(default)]
    fresh: Option<String>,
}

async fn get_statistics(
    State(state): State<AppState>,
    Extension(cs): Extension<Arc<Service>>,
    staff: ConsoleStaff,
    lang: Lang,
    axum::extract::Query(query): axum::extract::Query<StatisticsQuery>,
) -> Result<Response, PageError> {
    // "Count now" runs under the statistics job's lease, as the API's does.
    if query.fresh.is_some() {
        state
            .jobs
            .exclusive(
                super::STATISTICS_JOB,
                cs.refresh_statistics(&state.db, state.now()),
            )
            .await
            .map_err(PageError::Internal)?
            .transpose()?;
    }
    let snapshot = cs
        .statistics(&state.db, &staff.caller(), state.now(), false)
        .await?;
    let s = &snapshot.statistics;
    // JSON inside <script>: every <, > and & is written as its \u escape, so no label can
    // close the element.
    let json = serde_json::to_string(s)
        .unwrap_or_default()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026");
    let r = &s.rates;
    let page = StatisticsPage {
        en: lang.en,
        json,
        computed_at: super::records::china_datetime(snapshot.computed_at),
        took_ms: snapshot.took_ms,
        rates: [
            percent(r.response_rate),
            percent(r.award_rate),
            r.days_to_deal
                .map(|d| format!("{d:.1}"))
                .unwrap_or_else(|| "—".into()),
            percent(r.on_time_delivery_rate),
            percent(r.rework_rate),
            percent(r.dispute_rate),
        ],
        subsidies_granted: s.subsidies_granted,
        subsidies_yuan: fen_to_yuan(s.subsidies_granted_fen),
        budget_left: fen_to_yuan(s.budget.left_fen),
    };
    Ok(render(lang, StatusCode::OK, None, &page))
}

fn download(body: Vec<u8>, content_type: &'static str, name: &str) -> Response {
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
    Extension(cs): Extension<Arc<Service>>,
    staff: ConsoleStaff,
) -> Result<Response, PageError> {
    let s = cs
        .statistics(&state.db, &staff.caller(), state.now(), false)
        .await?
        .statistics;
    Ok(download(
        stats::csv(&s),
        "text/csv; charset=utf-8",
        "crowdsourcing-statistics.csv",
    ))
}

async fn get_xlsx(
    State(state): State<AppState>,
    Extension(cs): Extension<Arc<Service>>,
    staff: ConsoleStaff,
) -> Result<Response, PageError> {
    let s = cs
        .statistics(&state.db, &staff.caller(), state.now(), false)
        .await?
        .statistics;
    let body = stats::xlsx(&s).map_err(|e| PageError::Internal(e.into()))?;
    Ok(download(
        body,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "crowdsourcing-statistics.xlsx",
    ))
}

#[derive(Template)]
#[template(path = "crowdsourcing_demand.html")]
struct PublicDemandPage {
    en: bool,
    demand: super::showcase::PublicDemand,
    facts: Vec<String>,
    description: String,
    url: String,
}

/// A listed or dealt demand's public page (others are not found), with Open Graph tags.
async fn get_public_demand(
    State(state): State<AppState>,
    lang: Lang,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let demand = super::showcase::public_demand(&state.db, &id)
        .await
        .map_err(PageError::Internal)?
        .ok_or(PageError::NotFound)?;
    let page = PublicDemandPage {
        en: lang.en,
        facts: demand.facts(lang.en),
        description: demand.description.chars().take(120).collect(),
        url: format!("{}/crowdsourcing/demands/{}", state.issuer(), demand.id),
        demand,
    };
    Ok(render(lang, StatusCode::OK, None, &page))
}
