//! The app's pages (askama templates in `templates/`) and the language switch: Chinese unless
//! `?lang=en` was chosen (remembered in a cookie).

use askama::Template;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum_csrf::CsrfToken;
use nx_sdk::records::{Carrier, CarrierPartner, CarrierService};
use serde::{Deserialize, Serialize};

use super::SignedIn;

/// The page language.
#[derive(Debug, Clone, Copy)]
pub struct Lang {
    pub en: bool,
    chosen: Option<bool>,
}

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        let chosen = url::form_urlencoded::parse(query.as_bytes())
            .find(|(k, _)| k == "lang")
            .map(|(_, v)| v == "en");
        let cookie = parts
            .headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .any(|c| c.trim() == "cw_lang=en");
        Ok(Lang {
            en: chosen.unwrap_or(cookie),
            chosen,
        })
    }
}

pub fn render(lang: Lang, csrf: Option<CsrfToken>, page: &impl Template) -> Response {
    let html = match page.render() {
        Ok(html) => html,
        Err(e) => return render_error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    };
    let mut response = match csrf {
        Some(token) => (token, Html(html)).into_response(),
        None => Html(html).into_response(),
    };
    if let Some(en) = lang.chosen {
        let cookie = format!(
            "cw_lang={}; Path=/; Max-Age=31536000; SameSite=Lax",
            if en { "en" } else { "zh" }
        );
        if let Ok(v) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    let headers = response.headers_mut();
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    en: bool,
    status: u16,
    detail: &'a str,
}

pub fn render_error(status: StatusCode, detail: &str) -> Response {
    let page = ErrorPage {
        en: false,
        status: status.as_u16(),
        detail,
    };
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(_) => (status, detail.to_owned()).into_response(),
    }
}

#[derive(Template)]
#[template(path = "index.html")]
pub struct IndexPage {
    pub en: bool,
    pub csrf_token: String,
    pub user: Option<SignedIn>,
}

/// The outcome of the last report, shown once.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Flash {
    pub ok: bool,
    pub message: String,
    pub errors: Vec<String>,
}

impl Flash {
    pub fn saved(record_type: &str, key: &str, report: nx_sdk::UploadReport) -> Flash {
        let what = if report.created > 0 {
            "已新增"
        } else if report.updated > 0 {
            "已更新（保留了历史版本）"
        } else {
            "内容未变"
        };
        Flash {
            ok: true,
            message: format!("{record_type} {key}：{what}"),
            errors: Vec::new(),
        }
    }

    pub fn refused(errors: &[nx_sdk::FieldError]) -> Flash {
        Flash {
            ok: false,
            message: "平台未接受这条记录 / The platform refused this record".into(),
            errors: errors
                .iter()
                .map(|e| {
                    format!(
                        "{}：{}（{}）",
                        e.field.as_deref().unwrap_or("-"),
                        e.message_zh,
                        e.message_en
                    )
                })
                .collect(),
        }
    }

    pub fn failed(message: &str) -> Flash {
        Flash {
            ok: false,
            message: message.to_owned(),
            errors: Vec::new(),
        }
    }
}

#[derive(Template)]
#[template(path = "report.html")]
pub struct ReportPage {
    pub en: bool,
    pub csrf_token: String,
    pub user: SignedIn,
    pub carriers: Vec<(i64, Carrier)>,
    pub partners: Vec<CarrierPartner>,
    pub services: Vec<CarrierService>,
    pub flash: Option<Flash>,
}

pub struct VersionRow {
    pub version: i64,
    pub source: String,
    pub reported_at: String,
    pub record: Carrier,
}

impl VersionRow {
    pub fn new(version: i64, source: String, reported_at: i64, record: Carrier) -> Self {
        let reported_at = time::OffsetDateTime::from_unix_timestamp(reported_at + 8 * 3600)
            .map(|t| {
                format!(
                    "{:04}-{:02}-{:02} {:02}:{:02}",
                    t.year(),
                    u8::from(t.month()),
                    t.day(),
                    t.hour(),
                    t.minute()
                )
            })
            .unwrap_or_default();
        VersionRow {
            version,
            source,
            reported_at,
            record,
        }
    }
}

#[derive(Template)]
#[template(path = "history.html")]
pub struct HistoryPage {
    pub en: bool,
    pub code: String,
    pub versions: Vec<VersionRow>,
}

#[derive(Template)]
#[template(path = "crowdfunding_list.html")]
pub struct CrowdfundingList {
    pub en: bool,
    pub categories: &'static [&'static str],
    pub category: String,
    pub sort: String,
    pub projects: Vec<nx_sdk::crowdfunding::Project>,
}

#[derive(Template)]
#[template(path = "crowdfunding_detail.html")]
pub struct CrowdfundingDetail {
    pub en: bool,
    pub csrf_token: String,
    pub name: String,
    pub share_url: String,
    pub project: nx_sdk::crowdfunding::Project,
}

#[derive(Template)]
#[template(path = "crowdfunding_order.html")]
pub struct CrowdfundingOrder {
    pub en: bool,
    pub amount_yuan: String,
    pub order: nx_sdk::crowdfunding::Order,
}

#[derive(Template)]
#[template(path = "crowdfunding_new.html")]
pub struct CrowdfundingNew {
    pub en: bool,
    pub csrf_token: String,
    pub categories: &'static [&'static str],
}

#[derive(Template)]
#[template(path = "crowdsourcing_list.html")]
pub struct CrowdsourcingList {
    pub en: bool,
    pub classes: Vec<(String, String, String)>,
    pub class: String,
    pub mode: String,
    pub provider: bool,
    pub demands: Vec<nx_sdk::crowdsourcing::Demand>,
    pub matching: Vec<nx_sdk::crowdsourcing::Demand>,
    pub mine: Vec<nx_sdk::crowdsourcing::Demand>,
}

#[derive(Template)]
#[template(path = "crowdsourcing_new.html")]
pub struct CrowdsourcingNew {
    pub en: bool,
    pub csrf_token: String,
    pub classes: Vec<(String, String, String)>,
}

#[derive(Template)]
#[template(path = "crowdsourcing_demand.html")]
pub struct CrowdsourcingDemand {
    pub en: bool,
    pub csrf_token: String,
    pub may_respond: bool,
    pub fee_wan: String,
    pub demand: nx_sdk::crowdsourcing::Demand,
    pub responses: Vec<nx_sdk::crowdsourcing::Response>,
}

#[derive(Template)]
#[template(path = "crowdsourcing_thread.html")]
pub struct CrowdsourcingThread {
    pub en: bool,
    pub csrf_token: String,
    pub response_id: String,
    /// `enterprise` or `provider`: the viewer's side.
    pub side: String,
    pub messages: Vec<nx_sdk::crowdsourcing::Message>,
}

#[derive(Template)]
#[template(path = "crowdsourcing_order.html")]
pub struct CrowdsourcingOrder {
    pub en: bool,
    pub csrf_token: String,
    pub amount_yuan: String,
    pub held_yuan: String,
    pub order: nx_sdk::crowdsourcing::Order,
}

#[derive(Template)]
#[template(path = "financing_list.html")]
pub struct FinancingList {
    pub en: bool,
    pub applications: Vec<nx_sdk::financing::Summary>,
}

#[derive(Template)]
#[template(path = "financing_new.html")]
pub struct FinancingNew {
    pub en: bool,
    pub csrf_token: String,
    /// (organisation id, name) of each lending bank.
    pub banks: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "financing_detail.html")]
pub struct FinancingDetail {
    pub en: bool,
    pub csrf_token: String,
    /// A draft (also after a return) the enterprise may submit.
    pub may_submit: bool,
    pub application: nx_sdk::financing::Application,
    pub record: String,
    /// `(code, 中文, English)` of each kind of document.
    pub kinds: Vec<(String, String, String)>,
}

/// Fen as 万元 with two decimals.
pub fn wan(fen: &i64) -> String {
    format!("{}.{:02}", fen / 1_000_000, (fen % 1_000_000) / 10_000)
}
