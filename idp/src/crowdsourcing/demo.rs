//! Crowdsourcing's demo data: the demo service organisation's profile and products, and a
//! listed demand of the demo enterprise in each mode, all through the real workflow (the
//! reward's escrow paid through a sandbox), so the portal is not empty on first start.

use std::sync::Arc;

use serde_json::json;

use super::Policy;
use super::lifecycle::{DemandAction, Mode};
use super::model::DemandInput;
use super::records::china_date;
use super::service::Service;
use crate::accounts::caller::Caller;
use crate::db::Db;
use crate::payments::{PaymentGateway, SandboxGateway};
use crate::with_pool;

/// The tender demand's title; loading twice finds it and adds nothing.
pub const DEMO_TENDER_TITLE: &str = "智能温控发酵罐外观与结构设计";

async fn caller(db: &Db, username: &str, staff: bool) -> anyhow::Result<Option<Caller>> {
    Ok(crate::accounts::find_user_by_username(db, username)
        .await?
        .map(|u| Caller {
            user_id: u.id,
            organisation_id: u.organisation_id,
            roles: u.roles,
            staff,
        }))
}

pub async fn load(db: &Db, now: i64) -> anyhow::Result<()> {
    let (Some(enterprise), Some(provider), Some(admin)) = (
        caller(db, "enterprise", false).await?,
        caller(db, "provider", false).await?,
        caller(db, "admin", true).await?,
    ) else {
        return Ok(());
    };
    let organisation = enterprise.organisation_id.clone().unwrap_or_default();
    let existing: i64 = with_pool!(db, pool => sqlx::query_scalar(
        "SELECT COUNT(*) FROM cs_demands WHERE organisation_id = $1 AND title = $2")
        .bind(&organisation)
        .bind(DEMO_TENDER_TITLE)
        .fetch_one(pool)
        .await)?;
    if existing > 0 {
        return Ok(());
    }
    let sandbox = Arc::new(SandboxGateway::new(b"demo"));
    let service = Service::new(sandbox.clone(), Policy::default());
    service
        .save_profile(
            db,
            &provider,
            json!({
                "ORG_PROPERTY": "3", "LEGAL_PERSON": "张顾问", "AREA_COUNTY": "640104",
                "LINKMAN": "张顾问", "TEL": "0951-6012345", "EMAIL": "provider@demo.nxzc.example",
                "ADDRESS": "宁夏银川市兴庆区解放西街 1 号", "INDUSTRY_CODE": "M7520",
                "MAIN_REMARK": "工业设计、专利代理与知识产权咨询", "ORG_GRADE": "2"
            }),
            now,
        )
        .await?;
    service
        .add_product(
            db,
            &provider,
            json!({"SERVICE_NAME": "智能硬件工业设计", "SERVICE_CLASS": "CPSJ", "LINKMAN": "张顾问",
                   "TEL": "0951-6012345", "SERVICE_METHOD": "网络服务;上门服务",
                   "SERVICE_PROCEDURE": "需求沟通、草图、三维建模、手板", "CHARGE_METHOD": "按项目收费"}),
            now,
        )
        .await?;
    let patent = service
        .add_product(
            db,
            &provider,
            json!({"SERVICE_NAME": "发明专利申请代理", "SERVICE_CLASS": "ZSCQ", "LINKMAN": "张顾问",
                   "TEL": "0951-6012345", "SERVICE_METHOD": "网络服务",
                   "SERVICE_PROCEDURE": "检索、撰写、提交、答复审查意见", "CHARGE_METHOD": "按件收费"}),
            now,
        )
        .await?;
    let expiry = china_date(now + 180 * 86_400);
    let input = |mode, title: &str, describe: &str, fee: &str, days, class: &str| DemandInput {
        mode,
        title: title.into(),
        description: describe.into(),
        fee: fee.into(),
        cycle_days: days,
        expiry_date: expiry.clone(),
        service_class: class.into(),
        industry_code: "C3990".into(),
        regions: vec!["640000".into()],
        industries: Vec::new(),
        direct_product_id: None,
        comp_code: None,
        comp_name: None,
        comp_regist_type: None,
        comp_address: Some("宁夏银川市金凤区创业街 88 号".into()),
        charger_name: Some("李经理".into()),
        charger_mobile: Some("13800000001".into()),
    };
    let mut direct = input(
        Mode::Direct,
        "温控发酵罐发明专利申请",
        "为自研的温控发酵结构申请一件发明专利。",
        "0.80",
        60,
        "ZSCQ",
    );
    direct.direct_product_id = Some(patent.id);
    for demand in [
        input(
            Mode::Tender,
            DEMO_TENDER_TITLE,
            "为家用智能发酵罐做外观与结构设计，需三套方案和一套可打样的结构图。",
            "3.50",
            45,
            "CPSJ",
        ),
        input(
            Mode::Reward,
            "贺兰山东麓葡萄酒品牌标志征集",
            "为家庭酿造套装征集品牌标志，中选作品获全部赏金。",
            "0.50",
            30,
            "PPYX",
        ),
        direct,
    ] {
        let view = service.create_demand(db, &enterprise, &demand, now).await?;
        let id = view.demand.id;
        service
            .act_on_demand(db, &enterprise, &id, DemandAction::Submit, None, now)
            .await?;
        service
            .act_on_demand(db, &admin, &id, DemandAction::Approve, None, now)
            .await?;
        if demand.mode == Mode::Reward {
            let (_, prepay) = service.pay_demand_escrow(db, &enterprise, &id, now).await?;
            let (body, signature) = sandbox
                .paid_notification(&prepay.prepay_id)
                .ok_or_else(|| anyhow::anyhow!("the demo sandbox refused its own payment"))?;
            let notification = sandbox.verify_notification(&body, &signature)?;
            service.handle_payment(db, notification, now).await?;
        }
    }
    Ok(())
}
