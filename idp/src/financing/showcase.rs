//! What financing shows on the public portal: its products and how to apply (the page
//! `/financing`), and the applications of a user's enterprise in their area.

use futures_util::FutureExt;

use crate::accounts::caller::Caller;
use crate::db::Db;
use crate::payments::money::fen_to_yuan;
use crate::platform::{Card, PortalQuery, PortalSection};
use crate::with_pool;

pub static SECTION: PortalSection = PortalSection {
    key: "financing",
    zh: "融资服务",
    en: "Financing services",
    about_zh: "转贷资金、风险补偿金、融资租赁补贴与互助基金，企业在所属载体的应用中申请。",
    about_en: "Bridge loans, risk compensation, leasing subsidies and the mutual fund; enterprises apply in their carrier's app.",
    list: |_, q| async move { Ok(products(q)) }.boxed(),
    mine_zh: "我的融资申请",
    mine_en: "My financing applications",
    mine: |db, caller, en| mine(db, caller, en).boxed(),
};

/// A financing product and how to apply for it.
pub struct Product {
    pub key: &'static str,
    pub zh: &'static str,
    pub en: &'static str,
    pub about_zh: &'static str,
    pub about_en: &'static str,
    pub apply_zh: &'static str,
    pub apply_en: &'static str,
}

pub const PRODUCTS: &[Product] = &[
    Product {
        key: "bridge",
        zh: "转贷资金",
        en: "Bridge loans",
        about_zh: "企业贷款到期、续贷前的短期周转资金，按日计费，银行续贷后归还。",
        about_en: "Short-term funds to repay a maturing bank loan before the bank lends again; charged by the day, repaid from the new loan.",
        apply_zh: "在所属载体的应用中填写转贷申请并上传材料 → 合作银行审核 → 平台放款 → 银行续贷后归还并归档。",
        apply_en: "Apply in your carrier's app with the documents → the partner bank reviews → the platform disburses → repaid after the bank lends again.",
    },
    Product {
        key: "compensation",
        zh: "小微企业风险补偿金",
        en: "Risk compensation for small enterprises",
        about_zh: "以股权质押或保证保险向合作银行贷款，出现损失时由补偿金池按比例分担。",
        about_en: "Bank loans against an equity pledge or guarantee insurance; the pool shares a loss in agreed parts.",
        apply_zh: "在所属载体的应用中申请 → 银行初审 → 质押登记或保险承保 → 银行放款。",
        apply_en: "Apply in your carrier's app → the bank's first review → the pledge is filed or the insurer underwrites → the bank lends.",
    },
    Product {
        key: "leasing",
        zh: "融资租赁补贴",
        en: "Leasing subsidies",
        about_zh: "以融资租赁方式购置设备的企业，按租赁额每年 2% 获得补贴（按企业集团年度封顶）。",
        about_en: "Enterprises leasing equipment get 2 % a year of the lease amount (capped per enterprise group each year).",
        apply_zh: "提交设备清单与签章申请表 → 合规审核 → 备案（租赁合同、资质）→ 核定发放。",
        apply_en: "Submit the devices and the signed form → compliance review → filing (lease contract, qualifications) → granted and paid.",
    },
    Product {
        key: "mutual",
        zh: "双创互助基金",
        en: "Mutual fund",
        about_zh: "会员企业共同出资的互助借款，按月还款。",
        about_en: "Loans from a fund the member enterprises contribute to, repaid monthly.",
        apply_zh: "成为会员 → 提交打印签章的申请表 → 合规审核 → 签订合同并放款。",
        apply_en: "Become a member → submit the printed, signed form → compliance review → contract and disbursement.",
    },
];

fn products(q: &PortalQuery) -> Vec<Card> {
    let needle = q.q.trim();
    PRODUCTS
        .iter()
        .filter(|p| {
            needle.is_empty()
                || p.zh.contains(needle)
                || p.en.to_lowercase().contains(&needle.to_lowercase())
        })
        .skip(q.offset.max(0) as usize)
        .take(q.limit.max(0) as usize)
        .map(|p| Card {
            title: if q.en { p.en } else { p.zh }.to_owned(),
            summary: if q.en { p.about_en } else { p.about_zh }.to_owned(),
            href: format!("/financing/{}", p.key),
            facts: Vec::new(),
        })
        .collect()
}

async fn mine(db: &Db, caller: &Caller, en: bool) -> anyhow::Result<Vec<Card>> {
    let Some(org) = &caller.organisation_id else {
        return Ok(Vec::new());
    };
    let rows: Vec<(String, String, String, i64)> = with_pool!(db, pool => {
        sqlx::query_as("SELECT id, product, state, amount_fen FROM fin_applications WHERE enterprise_org_id = $1 ORDER BY created_at DESC, id LIMIT 20")
            .bind(org).fetch_all(pool).await?
    });
    Ok(rows
        .into_iter()
        .map(|(id, product, state, amount)| {
            let name = super::lifecycle::Product::parse(&product)
                .map(|p| if en { p.label_en() } else { p.label_zh() })
                .unwrap_or_default();
            Card {
                title: format!("{name} {id}"),
                summary: String::new(),
                href: "/inbox".into(),
                facts: vec![
                    super::lifecycle::State::parse(&state)
                        .map(|s| if en { s.label_en() } else { s.label_zh() })
                        .unwrap_or_default()
                        .to_owned(),
                    format!("¥{}", fen_to_yuan(amount)),
                ],
            }
        })
        .collect())
}

#[derive(askama::Template)]
#[template(path = "financing_products.html")]
struct ProductsPage {
    en: bool,
    products: &'static [Product],
    url: String,
}

/// 融资服务: the products and how to apply, for everyone.
pub(super) async fn get_products(
    axum::extract::State(state): axum::extract::State<crate::state::AppState>,
    lang: crate::platform::kit::pages::Lang,
) -> axum::response::Response {
    let page = ProductsPage {
        en: lang.en,
        products: PRODUCTS,
        url: format!("{}/financing", state.issuer()),
    };
    crate::platform::kit::pages::render(lang, axum::http::StatusCode::OK, None, &page)
}

#[derive(askama::Template)]
#[template(path = "financing_product.html")]
struct ProductPage {
    en: bool,
    product: &'static Product,
    url: String,
}

/// One product and how to apply for it, with Open Graph tags.
pub(super) async fn get_product(
    axum::extract::State(state): axum::extract::State<crate::state::AppState>,
    lang: crate::platform::kit::pages::Lang,
    axum::extract::Path(key): axum::extract::Path<String>,
) -> Result<axum::response::Response, crate::error::PageError> {
    let product = PRODUCTS
        .iter()
        .find(|p| p.key == key)
        .ok_or(crate::error::PageError::NotFound)?;
    let page = ProductPage {
        en: lang.en,
        product,
        url: format!("{}/financing/{}", state.issuer(), product.key),
    };
    Ok(crate::platform::kit::pages::render(
        lang,
        axum::http::StatusCode::OK,
        None,
        &page,
    ))
}
