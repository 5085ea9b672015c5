//! The mutual fund's demo data, through the real workflow: two member enterprises; the demo
//! enterprise has applications in several states — a draft, one waiting for review, one approved with
//! its contract, one disbursed and partly repaid, one settled — so the fund's pages, its
//! ledger, its chain and its statistics show something on first start.

use super::super::Policy;
use super::super::demo::caller;
use super::super::documents::Upload;
use super::super::service::Service;
use super::lifecycle::FundAction;
use super::model::{FundApplicationInput, FundStepInput, MemberInput, RepaymentInput};
use crate::db::Db;
use crate::with_pool;

/// A tiny PDF standing in for the sealed, signed form.
const PDF: &[u8] =
    b"%PDF-1.4\n% demo signed application form\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n";

pub async fn load(db: &Db, now: i64) -> anyhow::Result<()> {
    let (Some(enterprise), Some(manager), Some(admin)) = (
        caller(db, "enterprise", false).await?,
        caller(db, "fund", false).await?,
        caller(db, "admin", true).await?,
    ) else {
        return Ok(());
    };
    let Some(org) = enterprise.organisation_id.clone() else {
        return Ok(());
    };
    let existing: i64 = with_pool!(db, pool => sqlx::query_scalar(
        "SELECT COUNT(*) FROM fund_members WHERE enterprise_org_id = $1")
        .bind(&org).fetch_one(pool).await)?;
    if existing > 0 {
        return Ok(());
    }
    let policy = Policy::default();
    let terms = policy.check().map_err(anyhow::Error::msg)?;
    let fin = Service::new(policy, terms);
    // `idp demo` runs without the server's start, which puts the configured capital on the
    // ledger: a fund never opened gets the default capital, one already open keeps its own.
    let opened: i64 = with_pool!(db, pool => sqlx::query_scalar(
        "SELECT COUNT(*) FROM fund_journal WHERE kind = 'opening'")
        .fetch_one(pool).await)?;
    if opened == 0 {
        fin.size_mutual_fund(db, now).await?;
    }
    let member = fin
        .fund_join(
            db,
            &admin,
            &MemberInput {
                enterprise_org_id: org,
                join_year: None,
                join_amount: "50.00".into(),
                company_name: Some("宁夏演示科技有限公司".into()),
                company_code: Some("91640100MA7XY1230Q".into()),
                company_address: Some("宁夏银川市金凤区创业街 88 号".into()),
                company_link_name: Some("王强".into()),
                company_link_mobile: Some("13800000002".into()),
            },
            now,
        )
        .await?;
    // A second member, a larger contributor, with no loan yet.
    let second = crate::accounts::create_organisation(
        db,
        "宁夏贺兰山智能制造有限公司",
        crate::accounts::OrganisationKind::Enterprise,
        Some("91640100MA76X12342"),
        now,
    )
    .await?;
    fin.fund_join(
        db,
        &admin,
        &MemberInput {
            enterprise_org_id: second.id,
            join_year: None,
            join_amount: "100.00".into(),
            company_name: None,
            company_code: Some("91640100MA76X12342".into()),
            company_address: Some("宁夏银川市西夏区智造路 6 号".into()),
            company_link_name: Some("马工".into()),
            company_link_mobile: Some("13800000003".into()),
        },
        now,
    )
    .await?;
    // (amount 万元, months, purpose, how far it goes)
    for (amount, months, purpose, steps) in [
        ("30.00", 6, "购买原材料", 0),
        ("80.00", 12, "支付货款", 1),
        ("50.00", 6, "技术改造", 2),
        ("120.00", 12, "采购生产设备", 3),
        ("20.00", 3, "补充流动资金", 4),
    ] {
        let a = fin
            .fund_apply(
                db,
                &enterprise,
                &FundApplicationInput {
                    join_no: member.join_no.clone(),
                    apply_amount: amount.into(),
                    months,
                    loan_for: purpose.into(),
                    loan_bank: Some("宁夏演示银行银川分行".into()),
                    account_name: "宁夏演示科技有限公司".into(),
                    account_bank: "宁夏演示银行金凤支行".into(),
                    account_no: "6222000000000001".into(),
                },
                now,
            )
            .await?;
        if steps == 0 {
            continue;
        }
        fin.fund_upload(
            db,
            &enterprise,
            &a.apply_no,
            Upload {
                kind: "application_form",
                name: "互助申请表（签章）.pdf",
                content: PDF,
            },
            now,
        )
        .await?;
        let none = FundStepInput::default();
        fin.fund_act(db, &enterprise, &a.apply_no, FundAction::Submit, &none, now)
            .await?;
        if steps >= 2 {
            fin.fund_act(db, &admin, &a.apply_no, FundAction::Approve, &none, now)
                .await?;
        }
        if steps >= 3 {
            fin.fund_act(db, &manager, &a.apply_no, FundAction::Disburse, &none, now)
                .await?;
            let view = fin.fund_view(db, &manager, &a.apply_no).await?;
            let amount = if steps == 4 {
                view.owed_fen
            } else {
                view.owed_fen / 4
            };
            fin.fund_repay(
                db,
                &manager,
                &a.apply_no,
                &RepaymentInput {
                    repay_amount: crate::payments::money::fen_to_yuan(amount),
                    repay_date: None,
                },
                now,
            )
            .await?;
        }
    }
    Ok(())
}
