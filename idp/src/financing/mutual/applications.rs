//! Memberships (入社) and applications (申请管理): the enterprise fills in its application under
//! its membership, uploads the sealed, signed form and other documents, and follows it.

use super::super::documents::{Upload, sha256_hex, sniff};
use super::super::error::{Exceeded, FinancingError, Result};
use super::super::service::Service;
use super::contracts;
use super::ledger::{self, Entry, credit, debit};
use super::lifecycle::{self, FundActor, FundState};
use super::model::*;
use super::records;
use super::store::*;
use super::terms;
use crate::accounts::Role;
use crate::accounts::caller::Caller;
use crate::catalogue::validate::FieldError;
use crate::db::Db;
use crate::payments::money::{fen_to_yuan, wan_to_fen};
use crate::{with_pool, with_tx};

/// The kinds of document: `(code, 中文, English)`; the first is required to submit.
pub const DOCUMENT_KINDS: &[(&str, &str, &str)] = &[
    (
        "application_form",
        "加盖签章的《自治区中小微企业互助申请表》（PDF）",
        "The sealed, signed application form (PDF)",
    ),
    ("financial_statement", "财务报表", "Financial statements"),
    ("other", "其他申请材料", "Other documents"),
];

pub const APPLICATION_FORM: &str = "application_form";

/// At most this many document versions per application.
const MAX_DOCUMENTS: i64 = 50;

pub(super) fn field_error(field: &'static str, zh: String, en: String) -> FinancingError {
    FinancingError::InvalidFields(vec![FieldError::new(Some(field), "invalid", zh, en)])
}

/// A required text of at most `max` characters.
fn text(value: &str, field: &'static str, max: usize) -> Result<String> {
    let t = value.trim();
    if t.is_empty() || t.chars().count() > max {
        return Err(field_error(
            field,
            format!("{field} 须为 1 到 {max} 个字"),
            format!("{field} takes 1 to {max} characters"),
        ));
    }
    Ok(t.to_owned())
}

fn optional(value: &Option<String>, field: &'static str, max: usize) -> Result<Option<String>> {
    match value.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => text(t, field, max).map(Some),
        None => Ok(None),
    }
}

/// The enterprise's fields, checked: the amount in fen, within the membership's multiple.
pub(super) struct Checked {
    pub amount_fen: i64,
    pub months: i64,
    pub loan_for: String,
    pub loan_bank: Option<String>,
    pub account_name: String,
    pub account_bank: String,
    pub account_no: String,
}

impl Service {
    fn check_input(&self, input: &FundApplicationInput, member: &Member) -> Result<Checked> {
        let amount_fen = wan_to_fen(&input.apply_amount)
            .filter(|v| *v > 0)
            .ok_or_else(|| {
                field_error(
                    "APPLY_AMOUNT",
                    "APPLY_AMOUNT 须为大于 0 的金额（万元）".into(),
                    "APPLY_AMOUNT must be an amount above 0 (万元)".into(),
                )
            })?;
        let max = self.terms.fund.max_months;
        if !(1..=max).contains(&input.months) {
            return Err(field_error(
                "months",
                format!("借款期限须为 1 到 {max} 个月"),
                format!("the term must be 1 to {max} months"),
            ));
        }
        self.within_multiple(member, amount_fen)?;
        Ok(Checked {
            amount_fen,
            months: input.months,
            loan_for: text(&input.loan_for, "LOAN_FOR", 100)?,
            loan_bank: optional(&input.loan_bank, "LOAN_BANK", 100)?,
            account_name: text(&input.account_name, "account_name", 100)?,
            account_bank: text(&input.account_bank, "account_bank", 100)?,
            account_no: text(&input.account_no, "account_no", 40)?,
        })
    }

    /// The amount is at most JOIN_AMOUNT × ENLARGE_MULTIPLES.
    pub(super) fn within_multiple(&self, member: &Member, amount_fen: i64) -> Result<()> {
        let multiple = self.terms.fund.enlarge_multiples;
        let limit = member.join_amount_fen.saturating_mul(multiple);
        if amount_fen > limit {
            return Err(FinancingError::Exceeded(Exceeded {
                limit: "membership_multiple",
                limit_fen: limit,
                used_fen: 0,
                requested_fen: amount_fen,
                zh: format!(
                    "申请金额 {} 元超过入社金额 {} 元的 {multiple} 倍（{} 元）",
                    fen_to_yuan(amount_fen),
                    fen_to_yuan(member.join_amount_fen),
                    fen_to_yuan(limit)
                ),
                en: format!(
                    "{} yuan is more than {multiple} × the membership's {} yuan ({} yuan)",
                    fen_to_yuan(amount_fen),
                    fen_to_yuan(member.join_amount_fen),
                    fen_to_yuan(limit)
                ),
            }));
        }
        Ok(())
    }

    /// 入社: records an enterprise's membership and its contribution into the fund (staff and
    /// fund managers).
    pub async fn fund_join(
        &self,
        db: &Db,
        caller: &Caller,
        input: &MemberInput,
        now: i64,
    ) -> Result<Member> {
        managing(caller)?;
        let org = super::super::store::organisation(db, &input.enterprise_org_id)
            .await?
            .filter(|(_, kind)| kind == "enterprise")
            .ok_or_else(|| {
                FinancingError::NotFound(format!(
                    "企业 / enterprise {}",
                    input.enterprise_org_id.chars().take(40).collect::<String>()
                ))
            })?;
        let join_amount_fen = wan_to_fen(&input.join_amount)
            .filter(|v| *v > 0)
            .ok_or_else(|| {
                field_error(
                    "JOIN_AMOUNT",
                    "JOIN_AMOUNT 须为大于 0 的金额（万元）".into(),
                    "JOIN_AMOUNT must be an amount above 0 (万元)".into(),
                )
            })?;
        let join_year = input
            .join_year
            .unwrap_or_else(|| crate::clock::shanghai_year(now));
        if !(2000..=2100).contains(&join_year) {
            return Err(field_error(
                "JOIN_YEAR",
                "JOIN_YEAR 须为 2000 到 2100 年".into(),
                "JOIN_YEAR must be 2000 to 2100".into(),
            ));
        }
        let member = Member {
            join_no: format!(
                "HZ-{join_year}-{}",
                &uuid::Uuid::new_v4().simple().to_string()[..8].to_uppercase()
            ),
            enterprise_org_id: input.enterprise_org_id.clone(),
            join_year,
            join_amount_fen,
            company_name: optional(&input.company_name, "COMPANY_NAME", 100)?.unwrap_or(org.0),
            company_code: optional(&input.company_code, "COMPANY_CODE", 100)?,
            company_address: optional(&input.company_address, "COMPANY_ADDRESS", 100)?,
            company_link_name: optional(&input.company_link_name, "COMPANY_LINK_NAME", 100)?,
            company_link_mobile: optional(&input.company_link_mobile, "COMPANY_LINK_MOBILE", 100)?,
            active: 1,
            created_at: now,
        };
        let mut tx = db.begin().await?;
        with_tx!(&mut tx, conn => {
            sqlx::query("INSERT INTO fund_members (join_no, enterprise_org_id, join_year, join_amount_fen, company_name, company_code, company_address, company_link_name, company_link_mobile, active, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1, $10, $11)")
                .bind(&member.join_no).bind(&member.enterprise_org_id).bind(member.join_year).bind(member.join_amount_fen)
                .bind(&member.company_name).bind(&member.company_code).bind(&member.company_address)
                .bind(&member.company_link_name).bind(&member.company_link_mobile).bind(&caller.user_id).bind(now)
                .execute(&mut *conn).await?;
        });
        ledger::post(
            &mut tx,
            Entry {
                kind: "membership",
                apply_no: None,
                org_id: Some(&member.enterprise_org_id),
                memo: format!(
                    "{} 入社（{}）缴入 {} 元",
                    member.company_name,
                    member.join_no,
                    fen_to_yuan(join_amount_fen)
                ),
                by: &caller.user_id,
                postings: vec![
                    debit("cash", join_amount_fen),
                    credit("capital_members", join_amount_fen),
                ],
            },
            now,
        )
        .await?;
        records::write(
            &mut tx,
            vec![("fund-membership", records::membership(&member))],
            &member.enterprise_org_id,
            &caller.user_id,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(member)
    }

    /// A member leaves: no new application under its membership is approved (staff).
    pub async fn fund_leave(&self, db: &Db, caller: &Caller, join_no: &str) -> Result<Member> {
        if !caller.is_staff() {
            return Err(FinancingError::Forbidden(
                "仅平台工作人员 / staff only".into(),
            ));
        }
        find_member(db, join_no).await?;
        with_pool!(db, pool => {
            sqlx::query("UPDATE fund_members SET active = 0 WHERE join_no = $1")
                .bind(join_no).execute(pool).await?;
        });
        find_member(db, join_no).await
    }

    /// Memberships the caller may see (an enterprise its own), newest first.
    pub async fn fund_members(&self, db: &Db, caller: &Caller) -> Result<Vec<Member>> {
        let org = own_org(caller)?;
        let sql = format!(
            "SELECT {MEMBER_COLUMNS} FROM fund_members WHERE ($1 IS NULL OR enterprise_org_id = $1) ORDER BY created_at DESC, join_no LIMIT 500"
        );
        Ok(with_pool!(db, pool => {
            sqlx::query_as::<_, Member>(&sql).bind(org).fetch_all(pool).await?
        }))
    }

    /// 在线填写: a new draft under the enterprise's membership.
    pub async fn fund_apply(
        &self,
        db: &Db,
        caller: &Caller,
        input: &FundApplicationInput,
        now: i64,
    ) -> Result<FundApplicationView> {
        let member = find_member(db, &input.join_no).await?;
        if !(caller.has_role(Role::Enterprise) && caller.belongs_to(&member.enterprise_org_id)) {
            return Err(FinancingError::NotFound(format!(
                "入社编号 / membership {}",
                input.join_no
            )));
        }
        if member.active == 0 {
            return Err(FinancingError::Invalid(
                "该会员已退社 / this membership has ended".into(),
            ));
        }
        let c = self.check_input(input, &member)?;
        let mut tx = db.begin().await?;
        // The member's row serialises the numbering of its applications.
        let lock = crate::db::dialect::for_update(tx.backend());
        with_tx!(&mut tx, conn => {
            sqlx::query(&format!("SELECT join_no FROM fund_members WHERE join_no = $1{lock}"))
                .bind(&member.join_no).fetch_one(&mut *conn).await?;
        });
        let apply_time: i64 = with_tx!(&mut tx, conn => {
            sqlx::query_scalar("SELECT CAST(COALESCE(MAX(apply_time), 0) + 1 AS BIGINT) FROM fund_applications WHERE join_no = $1")
                .bind(&member.join_no).fetch_one(&mut *conn).await?
        });
        let apply_no = format!("{}-A{apply_time}", member.join_no);
        with_tx!(&mut tx, conn => {
            sqlx::query("INSERT INTO fund_applications (apply_no, join_no, enterprise_org_id, applicant_user_id, apply_time, state, amount_fen, months, loan_for, loan_bank, account_name, account_bank, account_no, enlarge_multiples, record, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 'draft', $6, $7, $8, $9, $10, $11, $12, $13, '{}', $14, $14)")
                .bind(&apply_no).bind(&member.join_no).bind(&member.enterprise_org_id).bind(&caller.user_id)
                .bind(apply_time).bind(c.amount_fen).bind(c.months).bind(&c.loan_for).bind(&c.loan_bank)
                .bind(&c.account_name).bind(&c.account_bank).bind(&c.account_no)
                .bind(self.terms.fund.enlarge_multiples).bind(now)
                .execute(&mut *conn).await?;
        });
        audit(
            &mut tx,
            Audit {
                apply_no: &apply_no,
                actor: &caller.user_id,
                action: "create",
                from: None,
                to: Some("draft"),
                note: None,
            },
            now,
        )
        .await?;
        tx.commit().await?;
        self.fund_view(db, caller, &apply_no).await
    }

    /// Changes a draft or a returned application.
    pub async fn fund_update(
        &self,
        db: &Db,
        caller: &Caller,
        apply_no: &str,
        input: &FundApplicationInput,
        now: i64,
    ) -> Result<FundApplicationView> {
        let mut tx = db.begin().await?;
        let mut a = find_application(&mut tx, apply_no).await?;
        if actor(caller, &a)? != FundActor::Enterprise || !lifecycle::is_editable(a.state()) {
            return Err(FinancingError::Transition(super::super::error::Refusal {
                current: a.state().as_str(),
                allowed: Vec::new(),
                reason_zh: "只有企业可修改草稿或退回的申请".into(),
                reason_en: "only the enterprise changes a draft or a returned application".into(),
            }));
        }
        if input.join_no != a.join_no {
            return Err(field_error(
                "JOIN_NO",
                "入社编号不能更改".into(),
                "JOIN_NO cannot change".into(),
            ));
        }
        let member = find_member(&mut tx, &a.join_no).await?;
        let c = self.check_input(input, &member)?;
        a.amount_fen = c.amount_fen;
        a.months = c.months;
        a.loan_for = c.loan_for;
        a.loan_bank = c.loan_bank;
        a.account_name = c.account_name;
        a.account_bank = c.account_bank;
        a.account_no = c.account_no;
        save(&mut tx, &a, now).await?;
        audit(
            &mut tx,
            Audit {
                apply_no,
                actor: &caller.user_id,
                action: "update",
                from: None,
                to: None,
                note: None,
            },
            now,
        )
        .await?;
        tx.commit().await?;
        self.fund_view(db, caller, apply_no).await
    }

    /// One application as the caller sees it.
    pub async fn fund_view(
        &self,
        db: &Db,
        caller: &Caller,
        apply_no: &str,
    ) -> Result<FundApplicationView> {
        let a = find_application(db, apply_no).await?;
        let who = actor(caller, &a)?;
        let member = find_member(db, &a.join_no).await?;
        let contracts = contracts::of_application(db, apply_no).await?;
        let schedule = contracts
            .last()
            .and_then(|c| contracts::parse(c).ok())
            .map(|b| b.schedule)
            .unwrap_or_default();
        let owed = a.owed();
        Ok(FundApplicationView {
            apply_no: a.apply_no.clone(),
            join_no: a.join_no.clone(),
            apply_time: a.apply_time,
            enterprise_org_id: a.enterprise_org_id.clone(),
            company_name: member.company_name,
            state: a.state(),
            state_zh: a.state().label_zh(),
            amount_fen: a.amount_fen,
            months: a.months,
            loan_for: a.loan_for.clone(),
            loan_bank: a.loan_bank.clone(),
            account_name: a.account_name.clone(),
            account_bank: a.account_bank.clone(),
            account_no: a.account_no.clone(),
            enlarge_multiples: a.enlarge_multiples,
            floating_percent: a.floating_percent.clone(),
            monthly_rate: a.monthly_rate.clone(),
            loan_date: a.loan_date.clone(),
            last_repay_date: a.last_repay_date.clone(),
            real_repay_date: a.real_repay_date.clone(),
            handling_fee_fen: a.handling_fee_fen,
            interest_fen: a.interest_fen,
            repaid_fen: a.principal_repaid_fen + a.interest_repaid_fen + a.fee_repaid_fen,
            owed_fen: owed.total(),
            owed_principal_fen: owed.principal_fen,
            contract_no: a.contract_no.clone(),
            schedule,
            feedback: a.feedback.clone(),
            documents: documents(db, apply_no).await?,
            contracts,
            repayments: repayments(db, apply_no).await?,
            allowed_actions: lifecycle::allowed(a.state(), who),
            record: records::application(&a),
            created_at: a.created_at,
            submitted_at: a.submitted_at,
            disbursed_at: a.disbursed_at,
            settled_at: a.settled_at,
        })
    }

    /// Applications the caller may see, newest first; `state` narrows it, `org` picks one
    /// enterprise (staff and fund managers).
    pub async fn fund_list(
        &self,
        db: &Db,
        caller: &Caller,
        state: Option<FundState>,
        org: Option<&str>,
        offset: i64,
    ) -> Result<Vec<FundSummary>> {
        let own = own_org(caller)?;
        let org = own.as_deref().or(org);
        Ok(with_pool!(db, pool => {
            sqlx::query_as::<_, FundSummary>(&format!("SELECT a.apply_no, a.join_no, m.company_name, a.state, a.amount_fen, a.months, a.loan_for, a.monthly_rate, a.last_repay_date, {OWED} AS owed_fen, a.created_at FROM fund_applications a JOIN fund_members m ON m.join_no = a.join_no WHERE ($1 IS NULL OR a.enterprise_org_id = $1) AND ($2 IS NULL OR a.state = $2) ORDER BY a.created_at DESC, a.apply_no LIMIT 200 OFFSET $3"))
                .bind(org).bind(state.map(|s| s.as_str())).bind(offset.clamp(0, 1_000_000))
                .fetch_all(pool).await?
        }))
    }

    /// Uploads a document (the enterprise, while it may change the application).
    pub async fn fund_upload(
        &self,
        db: &Db,
        caller: &Caller,
        apply_no: &str,
        upload: Upload<'_>,
        now: i64,
    ) -> Result<FundDocument> {
        let limit = self.policy.max_document_bytes;
        if upload.content.len() > limit {
            return Err(FinancingError::TooLarge { limit });
        }
        let Some(kind) = DOCUMENT_KINDS.iter().find(|k| k.0 == upload.kind) else {
            return Err(FinancingError::Invalid(format!(
                "未知的材料类型 / unknown document kind `{}`",
                upload.kind.chars().take(40).collect::<String>()
            )));
        };
        let content_type = sniff(upload.content).ok_or_else(|| {
            FinancingError::Invalid(
                "只接受 PDF、JPEG 或 PNG 文件 / only PDF, JPEG or PNG files are kept".into(),
            )
        })?;
        if kind.0 == APPLICATION_FORM && content_type != "application/pdf" {
            return Err(FinancingError::Invalid(
                "签章申请表须为 PDF 扫描件 / the signed form must be a PDF scan".into(),
            ));
        }
        let name = upload.name.trim();
        if name.is_empty() || name.chars().count() > 200 || name.contains(['/', '\\']) {
            return Err(FinancingError::Invalid(
                "文件名须为 1 到 200 个字，不含路径 / a name takes 1 to 200 characters, no path"
                    .into(),
            ));
        }
        let mut tx = db.begin().await?;
        let a = find_application(&mut tx, apply_no).await?;
        if actor(caller, &a)? != FundActor::Enterprise {
            return Err(FinancingError::Forbidden(
                "材料由申请企业上传 / the applying enterprise uploads the documents".into(),
            ));
        }
        if !lifecycle::is_editable(a.state()) {
            return Err(FinancingError::Invalid(format!(
                "申请{}，材料不再变更 / the application is {}; its documents are final",
                a.state().label_zh(),
                a.state().as_str()
            )));
        }
        let (count, latest): (i64, Option<i64>) = with_tx!(&mut tx, conn => {
            sqlx::query_as("SELECT COUNT(*), MAX(CASE WHEN kind = $2 THEN version END) FROM fund_documents WHERE apply_no = $1")
                .bind(apply_no).bind(kind.0).fetch_one(&mut *conn).await?
        });
        if count >= MAX_DOCUMENTS {
            return Err(FinancingError::Invalid(format!(
                "每个申请最多 {MAX_DOCUMENTS} 份材料 / at most {MAX_DOCUMENTS} documents per application"
            )));
        }
        let document = FundDocument {
            id: super::super::store::new_id("HZD"),
            apply_no: apply_no.to_owned(),
            kind: kind.0.to_owned(),
            version: latest.unwrap_or(0) + 1,
            name: name.to_owned(),
            content_type: content_type.to_owned(),
            size_bytes: upload.content.len() as i64,
            sha256: sha256_hex(upload.content),
            at: now,
        };
        with_tx!(&mut tx, conn => {
            sqlx::query("INSERT INTO fund_documents (id, apply_no, kind, version, name, content_type, size_bytes, sha256, content, uploaded_by, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)")
                .bind(&document.id).bind(apply_no).bind(&document.kind).bind(document.version).bind(&document.name)
                .bind(&document.content_type).bind(document.size_bytes).bind(&document.sha256).bind(upload.content)
                .bind(&caller.user_id).bind(now)
                .execute(&mut *conn).await?;
        });
        audit(
            &mut tx,
            Audit {
                apply_no,
                actor: &caller.user_id,
                action: "upload",
                from: None,
                to: None,
                note: Some(&format!(
                    "{} v{} {} sha256:{}",
                    document.kind, document.version, document.name, document.sha256
                )),
            },
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(document)
    }

    /// A document and its content, for the parties.
    pub async fn fund_document(
        &self,
        db: &Db,
        caller: &Caller,
        id: &str,
    ) -> Result<(FundDocument, Vec<u8>)> {
        let found = with_pool!(db, pool => {
            sqlx::query_as::<_, (String, Vec<u8>)>("SELECT apply_no, content FROM fund_documents WHERE id = $1")
                .bind(id).fetch_optional(pool).await?
        });
        let missing = || FinancingError::NotFound(format!("材料 / document {id}"));
        let (apply_no, content) = found.ok_or_else(missing)?;
        let a = find_application(db, &apply_no).await?;
        actor(caller, &a).map_err(|_| missing())?;
        let document = documents(db, &apply_no)
            .await?
            .into_iter()
            .find(|d| d.id == id)
            .ok_or_else(missing)?;
        Ok((document, content))
    }

    /// The audit trail of an application.
    pub async fn fund_audit(
        &self,
        db: &Db,
        caller: &Caller,
        apply_no: &str,
    ) -> Result<Vec<FundAuditEntry>> {
        let a = find_application(db, apply_no).await?;
        actor(caller, &a)?;
        audit_trail(db, apply_no).await
    }
}

/// What is still owed of an application row, as SQL.
pub const OWED: &str = "CASE WHEN a.disbursed_at IS NULL THEN 0 ELSE a.amount_fen + COALESCE(a.interest_fen, 0) + COALESCE(a.handling_fee_fen, 0) - a.principal_repaid_fen - a.interest_repaid_fen - a.fee_repaid_fen END";

/// The repayment schedule of an approved loan's terms.
pub(super) fn schedule_of(a: &FundApplication) -> Vec<terms::Instalment> {
    let Some(loan_date) = a.loan_date.as_deref().and_then(terms::parse_date) else {
        return Vec::new();
    };
    terms::schedule(
        loan_date,
        a.months,
        a.amount_fen,
        a.interest_fen.unwrap_or(0),
        a.handling_fee_fen.unwrap_or(0),
    )
}
