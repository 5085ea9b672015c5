//! Financing's demo data, through the real workflow: the demo enterprise's bridge loans in
//! several states (one repaid and archived), risk compensation cases of both businesses (one
//! claimed, verified and compensated) and leasing applications (one granted), so the
//! supervision and statistics pages show something on first start.

use serde_json::{Value, json};

use super::Policy;
use super::documents::Upload;
use super::lifecycle::{Action, Business};
use super::model::{ApplicationInput, DeviceInput, StepInput};
use super::service::Service;
use crate::accounts::caller::Caller;
use crate::db::Db;
use crate::with_pool;

pub(super) async fn caller(db: &Db, username: &str, staff: bool) -> anyhow::Result<Option<Caller>> {
    Ok(crate::accounts::find_user_by_username(db, username)
        .await?
        .map(|u| Caller {
            user_id: u.id,
            organisation_id: u.organisation_id,
            roles: u.roles,
            staff,
        }))
}

/// A tiny PDF for the demo's documents.
const PDF: &[u8] = b"%PDF-1.4\n% demo document\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n";

fn bridge_record(loan: &str, apply: &str) -> Value {
    json!({
        "Comp_name": "宁夏演示科技有限公司", "Regiest_address": "银川市金凤区创业街 88 号",
        "Comp_address": "银川市金凤区创业街 88 号", "Capital": "1000.00",
        "Credit_code": "91640100MA7XY1230Q", "Comp_major": "智能硬件研发、生产、销售",
        "Comp_legal_name": "李经理", "Legal_phone": "13800000001", "Link_name": "王强",
        "Link_phone": "13800000002", "Last_year_acount": "3200.00", "Debt_ratio": "45.20",
        "Last_year_income": "2800.00", "Last_year_profit": "120.50", "Bank_region": "银川市",
        "Bank_codef": "NX001", "Bank_codes": "金凤支行", "Expire_loan_acount": loan,
        "Expire_date": "2026-12-20", "Expire_number": "6222000000000001",
        "Loan_contract_number": "NXB-2025-0099", "Loan_amount": loan, "Loan_apply": apply,
        "Self_repay_amount": "50.00"
    })
}

fn compensation_record(amount: &str, technology: bool) -> Value {
    json!({
        "Loan_comp": "宁夏演示科技有限公司", "Loan_comp_type": "有限责任公司", "Capital": "1000.00",
        "Address": "宁夏银川市金凤区创业街 88 号", "Create_date": "2019-06-18", "Legal_name": "李经理",
        "Legal_phone": "13800000001", "Content": "智能硬件研发", "Loan_amount": amount,
        "Loan_deadline": "12", "Proceed_loan": "0", "Turnover": "2800.00", "Practitioner_num": "86",
        "Is_technology": if technology { "0" } else { "1" }, "Is_specialization": "1",
        "Is_emerging": "1", "Is_incubatorbase": if technology { "0" } else { "1" }
    })
}

fn leasing_record() -> Value {
    json!({
        "Comp_name": "宁夏演示科技有限公司", "Credit_code": "91640100MA7XY1230Q", "Capital": "1000.00",
        "Comp_trade": "制造业", "Create_date": "2019-06-18", "Charger_name": "李经理",
        "Charger_phone": "13800000001", "Link_name": "王强", "Link_phone": "13800000002",
        "Region": "金凤区", "Comp_address": "银川市金凤区创业街 88 号",
        "Comp_major": "智能硬件研发、生产、销售", "Main_business": "智能手环",
        "Lastyear_turnover": "2800.00", "Practitioner_num": "86"
    })
}

pub async fn load(db: &Db, now: i64) -> anyhow::Result<()> {
    let (Some(enterprise), Some(bank), Some(insurer), Some(admin)) = (
        caller(db, "enterprise", false).await?,
        caller(db, "bank", false).await?,
        caller(db, "insurer", false).await?,
        caller(db, "admin", true).await?,
    ) else {
        return Ok(());
    };
    let organisation = enterprise.organisation_id.clone().unwrap_or_default();
    let existing: i64 = with_pool!(db, pool => sqlx::query_scalar(
        "SELECT COUNT(*) FROM fin_applications WHERE enterprise_org_id = $1")
        .bind(&organisation)
        .fetch_one(pool)
        .await)?;
    if existing > 0 {
        return Ok(());
    }
    let policy = Policy::default();
    let terms = policy.check().map_err(anyhow::Error::msg)?;
    let fin = Service::new(policy, terms);
    fin.size_funds(db).await?;
    let bank_org = bank.organisation_id.clone();
    let insurer_org = insurer.organisation_id.clone();
    let input = |business: Business, record: Value, devices: Vec<DeviceInput>| ApplicationInput {
        business,
        bank_org_id: bank_org.clone(),
        insurer_org_id: insurer_org.clone(),
        region_code: "640106".into(),
        loan_purpose: Some("购买原材料、支付货款".into()),
        loan_term_months: Some(12),
        loan_rate: Some("年利率 4.35%".into()),
        record,
        devices,
    };
    let none = StepInput::default();
    let bank_approval = StepInput {
        bank_charge_man: Some("周行长".into()),
        bank_manage_man: Some("刘先生".into()),
        ..Default::default()
    };
    let upload = |id: String, kind: &'static str| {
        let fin = &fin;
        let enterprise = &enterprise;
        async move {
            fin.upload(
                db,
                enterprise,
                &id,
                Upload {
                    kind,
                    name: &format!("{kind}.pdf"),
                    content: PDF,
                },
                now,
            )
            .await
        }
    };
    // 转贷: a draft, one waiting for the bank, one disbursed, one recovered and archived.
    for (loan, apply, steps) in [
        ("200.00", "150.00", 0),
        ("300.00", "280.00", 1),
        ("500.00", "450.00", 5),
        ("400.00", "380.00", 7),
    ] {
        let a = fin
            .create(
                db,
                &enterprise,
                &input(Business::Bridge, bridge_record(loan, apply), vec![]),
                now,
            )
            .await?;
        if steps >= 1 {
            fin.act(db, &enterprise, &a.id, Action::Submit, &none, now)
                .await?;
        }
        if steps >= 2 {
            upload(a.id.clone(), "renewal_commitment").await?;
            upload(a.id.clone(), "self_funds").await?;
            fin.act(db, &bank, &a.id, Action::BankApprove, &bank_approval, now)
                .await?;
            for action in [Action::Approve, Action::Verify, Action::Disburse] {
                fin.act(db, &admin, &a.id, action, &none, now).await?;
            }
        }
        if steps >= 7 {
            for action in [Action::Recover, Action::Archive] {
                fin.act(db, &admin, &a.id, action, &none, now).await?;
            }
        }
    }
    // 风险补偿: a pledge waiting for the bank (a technology enterprise: first in the queue),
    // an insured loan being repaid, and a pledge compensated after default.
    let waiting = fin
        .create(
            db,
            &enterprise,
            &input(
                Business::Pledge,
                compensation_record("120.00", true),
                vec![],
            ),
            now,
        )
        .await?;
    fin.act(db, &enterprise, &waiting.id, Action::Submit, &none, now)
        .await?;
    let insured = fin
        .create(
            db,
            &enterprise,
            &input(
                Business::Insurance,
                compensation_record("80.00", false),
                vec![],
            ),
            now,
        )
        .await?;
    fin.act(db, &enterprise, &insured.id, Action::Submit, &none, now)
        .await?;
    fin.act(db, &insurer, &insured.id, Action::Underwrite, &none, now)
        .await?;
    fin.act(
        db,
        &insurer,
        &insured.id,
        Action::IssuePolicy,
        &StepInput {
            policy_no: Some("PICC-NX-2026-0001".into()),
            ..Default::default()
        },
        now,
    )
    .await?;
    fin.act(db, &bank, &insured.id, Action::Disburse, &none, now)
        .await?;
    let defaulted = fin
        .create(
            db,
            &enterprise,
            &input(
                Business::Pledge,
                compensation_record("100.00", false),
                vec![],
            ),
            now,
        )
        .await?;
    fin.act(db, &enterprise, &defaulted.id, Action::Submit, &none, now)
        .await?;
    fin.act(db, &bank, &defaulted.id, Action::BankApprove, &none, now)
        .await?;
    fin.act(
        db,
        &bank,
        &defaulted.id,
        Action::Custody,
        &StepInput {
            custody_ref: Some("NXGQ-2026-0042".into()),
            ..Default::default()
        },
        now,
    )
    .await?;
    fin.act(db, &admin, &defaulted.id, Action::File, &none, now)
        .await?;
    fin.act(db, &bank, &defaulted.id, Action::Disburse, &none, now)
        .await?;
    fin.act(
        db,
        &bank,
        &defaulted.id,
        Action::MarkOverdue,
        &StepInput {
            reason: Some("连续两期未还款".into()),
            ..Default::default()
        },
        now,
    )
    .await?;
    fin.act(
        db,
        &bank,
        &defaulted.id,
        Action::Claim,
        &StepInput {
            loss: Some("600000".into()),
            ..Default::default()
        },
        now,
    )
    .await?;
    upload(defaulted.id.clone(), "claim_evidence").await?;
    fin.act(db, &admin, &defaulted.id, Action::VerifyClaim, &none, now)
        .await?;
    fin.act(db, &admin, &defaulted.id, Action::Compensate, &none, now)
        .await?;
    // 融资租赁补贴: one submitted, one granted.
    let devices = || {
        vec![
            DeviceInput {
                name: "五轴数控加工中心 × 2".into(),
                price: "3600000".into(),
                finance_rate: "年化 5.8%".into(),
                lease_months: 36,
            },
            DeviceInput {
                name: "工业 3D 打印机 × 1".into(),
                price: "800000".into(),
                finance_rate: "年化 6.0%".into(),
                lease_months: 17,
            },
        ]
    };
    for (business, grant) in [(Business::Direct, false), (Business::Leaseback, true)] {
        let a = fin
            .create(
                db,
                &enterprise,
                &input(business, leasing_record(), devices()),
                now,
            )
            .await?;
        upload(a.id.clone(), "application_form").await?;
        fin.act(db, &enterprise, &a.id, Action::Submit, &none, now)
            .await?;
        if grant {
            fin.act(db, &admin, &a.id, Action::Approve, &none, now)
                .await?;
            for kind in ["lease_contract", "qualification", "company_info"] {
                upload(a.id.clone(), kind).await?;
            }
            for action in [Action::File, Action::Grant] {
                fin.act(db, &admin, &a.id, action, &none, now).await?;
            }
        }
    }
    Ok(())
}
