//! Applications as the enterprise writes them and as each party sees them: create, change a
//! draft, one application with what the caller may do, lists, the audit trail.

use serde_json::{Map, Value};

use super::access::{self, actor};
use super::error::{FinancingError, Result};
use super::lifecycle::{self, Actor, Business, Facts, Product, State};
use super::model::*;
use super::records::{self, Fields};
use super::service::Service;
use super::store::*;
use crate::accounts::caller::Caller;
use crate::accounts::{OrganisationKind, Role};
use crate::db::{Db, Tx};
use crate::payments::money::yuan_to_fen;
use crate::{with_pool, with_tx};

/// The most applications one list answers.
pub const LIST_LIMIT: i64 = 200;

/// What an input becomes once checked.
struct Prepared {
    fields: Fields,
    amount_fen: i64,
    comp_name: String,
    priority: i64,
    maturing_fen: Option<i64>,
    renewal_fen: Option<i64>,
    self_raised_fen: Option<i64>,
    loan_due_date: Option<String>,
    devices: Vec<(String, i64, String, i64)>,
}

fn invalid(zh: &str, en: &str) -> FinancingError {
    FinancingError::Invalid(format!("{zh} / {en}"))
}

fn text(v: &Option<String>, max: usize, what: &str) -> Result<Option<String>> {
    match v.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(t) if t.chars().count() <= max => Ok(Some(t.to_owned())),
        Some(_) => Err(invalid(
            &format!("{what}过长（最多 {max} 字）"),
            &format!("{what} is too long (at most {max} characters)"),
        )),
    }
}

impl Service {
    async fn counterpart(
        &self,
        db: &Db,
        id: Option<&str>,
        kind: OrganisationKind,
        what: (&str, &str),
    ) -> Result<Option<String>> {
        let Some(id) = id.filter(|i| !i.is_empty()) else {
            return Err(invalid(
                &format!("须指定{}", what.0),
                &format!("name the {}", what.1),
            ));
        };
        match organisation(db, id).await? {
            Some((name, k)) if k == kind.code() => Ok(Some(name)),
            _ => Err(invalid(
                &format!("{id} 不是平台上的{}", what.0),
                &format!("{id} is not a {} on the platform", what.1),
            )),
        }
    }

    /// Checks an input: the counterparts it names, its catalogue fields, the amounts the
    /// workflow needs, its devices.
    async fn prepare(
        &self,
        db: &Db,
        input: &ApplicationInput,
    ) -> Result<(Prepared, Option<String>)> {
        let product = input.business.product();
        if input.region_code.len() != 6 || !input.region_code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid(
                "地区编码须为 6 位数字",
                "region_code takes 6 digits",
            ));
        }
        let bank_name = match product {
            Product::Leasing => None,
            _ => {
                self.counterpart(
                    db,
                    input.bank_org_id.as_deref(),
                    OrganisationKind::Bank,
                    ("贷款银行", "lending bank"),
                )
                .await?
            }
        };
        if input.business == Business::Insurance {
            self.counterpart(
                db,
                input.insurer_org_id.as_deref(),
                OrganisationKind::Insurer,
                ("保险/担保机构", "insurer or guarantor"),
            )
            .await?;
        }
        let Value::Object(raw) = &input.record else {
            return Err(invalid("record 须为对象", "record must be an object"));
        };
        let mut raw: Map<String, Value> = raw.clone();
        // The platform's own fields are its to write.
        for platform_field in [
            "Apply_no",
            "Apply_date",
            "Subsidy_total",
            "Loan_start_date",
            "Loan_end_date",
            "Loan_status",
            "Bank_audit_date",
            "Bank_charge_man",
            "Bank_manage_man",
        ] {
            raw.remove(platform_field);
        }
        raw.insert("Apply_no".into(), Value::String("PENDING".into()));
        // The county is checked as the catalogue checks a division code, now rather than at
        // submission.
        let region_field = match product {
            Product::Compensation => Some("Regist_region_code"),
            Product::Leasing => Some("Region_code"),
            Product::Bridge => None,
        };
        if let Some(field) = region_field {
            raw.insert(field.into(), Value::String(input.region_code.clone()));
        }
        let fields = Fields::check(product, raw)?;
        let mut p = Prepared {
            amount_fen: 0,
            comp_name: String::new(),
            priority: 0,
            maturing_fen: None,
            renewal_fen: None,
            self_raised_fen: None,
            loan_due_date: None,
            devices: Vec::new(),
            fields,
        };
        match product {
            Product::Bridge => {
                p.comp_name = p.fields.require("Comp_name")?.to_owned();
                p.amount_fen = p.fields.wan("Loan_apply")?;
                p.renewal_fen = Some(p.fields.wan("Loan_amount")?);
                p.maturing_fen = Some(p.fields.wan("Expire_loan_acount")?);
                p.self_raised_fen = Some(p.fields.wan_or_zero("Self_repay_amount"));
                p.loan_due_date = Some(p.fields.require("Expire_date")?.to_owned());
            }
            Product::Compensation => {
                p.comp_name = p.fields.require("Loan_comp")?.to_owned();
                p.amount_fen = p.fields.wan("Loan_amount")?;
                let months: i64 = p
                    .fields
                    .require("Loan_deadline")?
                    .trim()
                    .parse()
                    .unwrap_or(0);
                if !(1..=120).contains(&months) {
                    return Err(invalid(
                        "Loan_deadline 须为 1 到 120 个月",
                        "Loan_deadline must be 1 to 120 months",
                    ));
                }
                p.priority = records::priority(&p.fields);
            }
            Product::Leasing => {
                p.comp_name = p.fields.require("Comp_name")?.to_owned();
                if input.devices.is_empty() || input.devices.len() > 50 {
                    return Err(invalid(
                        "须列出 1 到 50 台租赁设备",
                        "list 1 to 50 leased devices",
                    ));
                }
                for d in &input.devices {
                    let name = d.name.trim();
                    if name.is_empty() || name.chars().count() > 500 {
                        return Err(invalid(
                            "设备名称须为 1 到 500 字",
                            "a device name takes 1 to 500 characters",
                        ));
                    }
                    let price = yuan_to_fen(&d.price)
                        .filter(|p| *p > 0 && *p <= 100_000_000_000)
                        .ok_or_else(|| {
                            invalid(
                                "设备租赁金额须为大于 0 的金额（元）",
                                "a device's price must be an amount above 0 (元)",
                            )
                        })?;
                    if !(1..=120).contains(&d.lease_months) {
                        return Err(invalid(
                            "租期须为 1 到 120 个月",
                            "lease_months must be 1 to 120",
                        ));
                    }
                    let rate: String = d.finance_rate.trim().chars().take(100).collect();
                    p.devices
                        .push((name.to_owned(), price, rate, d.lease_months));
                }
                p.amount_fen = p.devices.iter().map(|d| d.1).sum();
            }
        }
        Ok((p, bank_name))
    }

    /// 申请: a new draft by a member of an enterprise.
    pub async fn create(
        &self,
        db: &Db,
        caller: &Caller,
        input: &ApplicationInput,
        now: i64,
    ) -> Result<ApplicationView> {
        let Some(org) = caller
            .organisation_id
            .clone()
            .filter(|_| caller.has_role(Role::Enterprise))
        else {
            return Err(FinancingError::Forbidden(
                "只有企业用户可以申请融资 / only enterprise users apply".into(),
            ));
        };
        let (p, _) = self.prepare(db, input).await?;
        let id = new_apply_no(input.business.product());
        let mut record = p.fields.raw.clone();
        record.remove("Apply_no");
        let mut tx = db.begin().await?;
        with_tx!(&mut tx, conn => {
            sqlx::query("INSERT INTO fin_applications (id, product, business, state, enterprise_org_id, applicant_user_id, bank_org_id, insurer_org_id, region_code, comp_name, priority, amount_fen, record, maturing_fen, renewal_fen, self_raised_fen, loan_due_date, loan_purpose, loan_term_months, loan_rate, created_at, updated_at) VALUES ($1, $2, $3, 'draft', $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $20)")
                .bind(&id).bind(input.business.product().as_str()).bind(input.business.as_str())
                .bind(&org).bind(&caller.user_id)
                .bind(input.bank_org_id.as_deref().filter(|_| input.business.product() != Product::Leasing))
                .bind(input.insurer_org_id.as_deref().filter(|_| input.business == Business::Insurance))
                .bind(&input.region_code).bind(&p.comp_name).bind(p.priority).bind(p.amount_fen)
                .bind(Value::Object(record).to_string())
                .bind(p.maturing_fen).bind(p.renewal_fen).bind(p.self_raised_fen).bind(&p.loan_due_date)
                .bind(text(&input.loan_purpose, 200, "主要用途")?).bind(input.loan_term_months.filter(|m| (1..=360).contains(m)))
                .bind(text(&input.loan_rate, 50, "贷款利率")?).bind(now)
                .execute(&mut *conn).await?;
        });
        insert_devices(&mut tx, &id, &p.devices).await?;
        audit(
            &mut tx,
            Audit {
                application_id: &id,
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
        self.view(db, caller, &id, now).await
    }

    /// Changes a draft (the enterprise's, before it is submitted or after it was returned).
    pub async fn update(
        &self,
        db: &Db,
        caller: &Caller,
        id: &str,
        input: &ApplicationInput,
        now: i64,
    ) -> Result<ApplicationView> {
        let (p, _) = self.prepare(db, input).await?;
        let mut tx = db.begin().await?;
        let a = find_application(&mut tx, id).await?;
        if actor(caller, &a)? != Actor::Enterprise {
            return Err(FinancingError::Forbidden(
                "只有申请企业可以修改申请 / only the applicant changes it".into(),
            ));
        }
        if a.state != State::Draft {
            return Err(FinancingError::Transition(super::error::Refusal {
                current: a.state.as_str(),
                allowed: vec![],
                reason_zh: "只有草稿可以修改".into(),
                reason_en: "only a draft can be changed".into(),
            }));
        }
        if input.business != a.business {
            return Err(invalid("业务类型不能更改", "the business cannot change"));
        }
        let mut record = p.fields.raw.clone();
        record.remove("Apply_no");
        with_tx!(&mut tx, conn => {
            sqlx::query("UPDATE fin_applications SET bank_org_id = $1, insurer_org_id = $2, region_code = $3, comp_name = $4, priority = $5, amount_fen = $6, record = $7, maturing_fen = $8, renewal_fen = $9, self_raised_fen = $10, loan_due_date = $11, loan_purpose = $12, loan_term_months = $13, loan_rate = $14, updated_at = $15 WHERE id = $16")
                .bind(input.bank_org_id.as_deref().filter(|_| a.product != Product::Leasing))
                .bind(input.insurer_org_id.as_deref().filter(|_| a.business == Business::Insurance))
                .bind(&input.region_code).bind(&p.comp_name).bind(p.priority).bind(p.amount_fen)
                .bind(Value::Object(record).to_string())
                .bind(p.maturing_fen).bind(p.renewal_fen).bind(p.self_raised_fen).bind(&p.loan_due_date)
                .bind(text(&input.loan_purpose, 200, "主要用途")?).bind(input.loan_term_months.filter(|m| (1..=360).contains(m)))
                .bind(text(&input.loan_rate, 50, "贷款利率")?).bind(now).bind(id)
                .execute(&mut *conn).await?;
            sqlx::query("DELETE FROM fin_devices WHERE application_id = $1").bind(id).execute(&mut *conn).await?;
        });
        insert_devices(&mut tx, id, &p.devices).await?;
        audit(
            &mut tx,
            Audit {
                application_id: id,
                actor: &caller.user_id,
                action: "edit",
                from: Some("draft"),
                to: Some("draft"),
                note: None,
            },
            now,
        )
        .await?;
        tx.commit().await?;
        self.view(db, caller, id, now).await
    }

    /// One application as the caller may see it, with their next actions.
    pub async fn view(
        &self,
        db: &Db,
        caller: &Caller,
        id: &str,
        now: i64,
    ) -> Result<ApplicationView> {
        let a = find_application(db, id).await?;
        let who = actor(caller, &a)?;
        let documents = documents(db, id).await?;
        let devices = devices(db, id).await?;
        let bank_name = match &a.bank_org_id {
            Some(b) => organisation(db, b).await?.map(|o| o.0),
            None => None,
        };
        let insurer_name = match &a.insurer_org_id {
            Some(b) => organisation(db, b).await?.map(|o| o.0),
            None => None,
        };
        let facts = Facts {
            documents: documents
                .iter()
                .filter_map(|d| lifecycle::DocKind::parse(&d.kind))
                .collect(),
            due_passed: a.due_at.is_some_and(|due| now > due),
        };
        let allowed: Vec<&'static str> = lifecycle::allowed(a.business, a.state, who, &facts)
            .into_iter()
            .map(|x| x.as_str())
            .collect();
        let missing: Vec<&'static str> = lifecycle::RULES
            .iter()
            .filter(|r| r.business.contains(&a.business) && r.from.contains(&a.state))
            .flat_map(|r| {
                let submit = if r.action == lifecycle::Action::Submit {
                    lifecycle::needed_to_submit(a.business)
                } else {
                    &[]
                };
                r.needs.iter().chain(submit)
            })
            .filter(|d| !facts.documents.contains(d))
            .map(|d| d.as_str())
            .collect();
        let record = records::current(&a, bank_name.as_deref());
        Ok(ApplicationView {
            product_label: a.product.label_zh(),
            business_label: a.business.label_zh(),
            state_label: a.state.label_zh(),
            id: a.id,
            product: a.product,
            business: a.business,
            state: a.state,
            enterprise_org_id: a.enterprise_org_id,
            comp_name: a.comp_name,
            bank_org_id: a.bank_org_id,
            bank_name,
            insurer_org_id: a.insurer_org_id,
            insurer_name,
            region_code: a.region_code,
            priority: a.priority,
            amount_fen: a.amount_fen,
            maturing_fen: a.maturing_fen,
            renewal_fen: a.renewal_fen,
            self_raised_fen: a.self_raised_fen,
            loan_due_date: a.loan_due_date,
            loan_purpose: a.loan_purpose,
            loan_term_months: a.loan_term_months,
            loan_rate: a.loan_rate,
            disbursed_fen: a.disbursed_fen,
            disbursed_at: a.disbursed_at,
            due_at: a.due_at,
            recovered_at: a.recovered_at,
            used_days: a.used_days,
            fee_fen: a.fee_fen,
            custody_ref: a.custody_ref,
            policy_no: a.policy_no,
            premium_fen: a.premium_fen,
            loss_fen: a.loss_fen,
            compensation_fen: a.compensation_fen,
            region_share_fen: a.region_share_fen,
            county_share_fen: a.county_share_fen,
            bank_share_fen: a.bank_share_fen,
            recovered_fen: a.recovered_fen,
            pool_back_fen: a.pool_back_fen,
            subsidy_fen: a.subsidy_fen,
            subsidy_year: a.subsidy_year,
            paid_at: a.paid_at,
            feedback: a.feedback,
            submitted_at: a.submitted_at,
            created_at: a.created_at,
            updated_at: a.updated_at,
            record,
            devices,
            documents,
            allowed_actions: allowed,
            missing_documents: missing,
        })
    }

    /// The applications the caller may see, newest first; staff and reviewers can ask for one
    /// product and state. A queue (a state asked for) of risk compensation lists the seed's
    /// priority enterprises first.
    pub async fn list(
        &self,
        db: &Db,
        caller: &Caller,
        product: Option<Product>,
        state: Option<State>,
        limit: i64,
    ) -> Result<Vec<Summary>> {
        let scope = access::scope(caller)?;
        let (condition, param) = scope.filter();
        let mut sql = format!("SELECT {COLUMNS} FROM fin_applications WHERE {condition}");
        // The scope's parameter is $1 when there is one; the product and state follow it.
        let mut n = usize::from(param.is_some());
        if product.is_some() {
            n += 1;
            sql.push_str(&format!(" AND product = ${n}"));
        }
        if state.is_some() {
            n += 1;
            sql.push_str(&format!(" AND state = ${n}"));
        }
        sql.push_str(if state.is_some() {
            " ORDER BY priority DESC, submitted_at, id"
        } else {
            " ORDER BY created_at DESC, id DESC"
        });
        sql.push_str(&format!(" LIMIT {}", limit.clamp(1, LIST_LIMIT)));
        let rows = with_pool!(db, pool => {
            let mut q = sqlx::query_as::<_, Application>(&sql);
            if let Some(p) = param { q = q.bind(p); }
            if let Some(p) = product { q = q.bind(p.as_str()); }
            if let Some(s) = state { q = q.bind(s.as_str()); }
            q.fetch_all(pool).await?
        });
        Ok(rows.into_iter().map(summary).collect())
    }

    /// The audit trail of an application, for the parties and staff.
    pub async fn audit_of(&self, db: &Db, caller: &Caller, id: &str) -> Result<Vec<AuditEntry>> {
        let a = find_application(db, id).await?;
        actor(caller, &a)?;
        audit_trail(db, id).await
    }
}

pub(super) fn summary(a: Application) -> Summary {
    Summary {
        business_label: a.business.label_zh(),
        state_label: a.state.label_zh(),
        id: a.id,
        product: a.product,
        business: a.business,
        state: a.state,
        comp_name: a.comp_name,
        bank_org_id: a.bank_org_id,
        priority: a.priority,
        amount_fen: a.amount_fen,
        submitted_at: a.submitted_at,
        created_at: a.created_at,
    }
}

async fn insert_devices(
    tx: &mut Tx,
    id: &str,
    devices: &[(String, i64, String, i64)],
) -> Result<()> {
    for (i, (name, price, rate, months)) in devices.iter().enumerate() {
        with_tx!(tx, conn => {
            sqlx::query("INSERT INTO fin_devices (application_id, position, name, price_fen, finance_rate, lease_months) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(id).bind(i as i64 + 1).bind(name).bind(price).bind(rate).bind(months)
                .execute(&mut *conn).await?;
        });
    }
    Ok(())
}
