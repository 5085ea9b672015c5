//! Demands (需求): drafting, staff review, changes and deletions with re-review (复核),
//! expiry, and what callers see of them (the portal listing with its filters).

use super::access::{
    admits, demand_actor, hidden_from, keys, may_publish, region_prefix, region_prefixes,
};
use super::error::{CrowdsourcingError, Result};
use super::lifecycle::{DemandAction, DemandActor, DemandFacts, DemandState, Mode};
use super::model::*;
use super::notices::{self, notice};
use super::records;
use super::service::Service;
use super::store::*;
use super::{SERVICE_CLASSES, service_class_label};
use crate::accounts::caller::Caller;
use crate::db::{Db, Tx};
use crate::payments::money::{fen_to_wan, wan_to_fen};
use crate::{with_pool, with_tx};

/// A checked input: the fee in fen, when it expires, and the named provider of a direct one.
pub(super) struct Checked {
    pub fee_fen: i64,
    pub expires_at: i64,
    pub direct_provider_id: Option<String>,
}

/// The end of `date` (yyyy-mm-dd) in China time, as Unix seconds.
pub(super) fn end_of_china_day(date: &str) -> Option<i64> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let day = time::Date::parse(date, &format).ok()?;
    let midnight = day
        .with_hms(0, 0, 0)
        .ok()?
        .assume_offset(time::UtcOffset::from_hms(8, 0, 0).ok()?);
    Some(midnight.unix_timestamp() + 86_400)
}

fn invalid(zh: &str, en: &str) -> CrowdsourcingError {
    CrowdsourcingError::Invalid(format!("{zh} / {en}"))
}

pub(super) async fn check_input(tx: &mut Tx, input: &DemandInput, now: i64) -> Result<Checked> {
    let title = input.title.trim();
    if title.is_empty() || title.chars().count() > 100 {
        return Err(invalid(
            "需求名称须为 1 到 100 个字",
            "the title takes 1 to 100 characters",
        ));
    }
    if input.description.chars().count() > 2000 {
        return Err(invalid(
            "需求描述最多 2000 字",
            "the description takes at most 2000 characters",
        ));
    }
    let fee_fen = wan_to_fen(&input.fee).filter(|f| *f > 0).ok_or_else(|| {
        invalid(
            "预算费用（万元）须为正数，最多两位小数",
            "fee (万元) must be positive with at most two decimals",
        )
    })?;
    if fee_fen > 100_000_000_000 {
        return Err(invalid("预算费用过大", "the fee is too large"));
    }
    if !(1..=999).contains(&input.cycle_days) {
        return Err(invalid(
            "总周期须为 1 到 999 天",
            "cycle_days must be 1 to 999",
        ));
    }
    let expires_at = end_of_china_day(input.expiry_date.trim()).ok_or_else(|| {
        invalid(
            "需求有效期须为 yyyy-mm-dd",
            "expiry_date must be yyyy-mm-dd",
        )
    })?;
    if expires_at <= now {
        return Err(invalid("需求有效期已过", "expiry_date is in the past"));
    }
    if !SERVICE_CLASSES
        .iter()
        .any(|(c, _, _)| *c == input.service_class)
    {
        return Err(invalid(
            "服务分类须为 GET /api/crowdsourcing/service-classes 中的代码",
            "service_class must be one of GET /api/crowdsourcing/service-classes",
        ));
    }
    let code = |c: &str, len: std::ops::RangeInclusive<usize>, digits: bool| {
        len.contains(&c.len())
            && c.bytes().all(|b| {
                if digits {
                    b.is_ascii_digit()
                } else {
                    b.is_ascii_alphanumeric()
                }
            })
    };
    if !input.industry_code.is_empty() && !code(&input.industry_code, 1..=8, false) {
        return Err(invalid(
            "行业代码须为 1 到 8 位字母数字",
            "industry_code takes 1 to 8 letters and digits",
        ));
    }
    if input.regions.len() > 20 || input.industries.len() > 20 {
        return Err(invalid(
            "限制条件最多各 20 项",
            "at most 20 regions and 20 industries",
        ));
    }
    if let Some(bad) = input.regions.iter().find(|r| !code(r, 6..=6, true)) {
        return Err(CrowdsourcingError::Invalid(format!(
            "服务区域须为 6 位行政区划代码：{bad} / regions are 6-digit division codes: {bad}"
        )));
    }
    if let Some(bad) = input.industries.iter().find(|i| !code(i, 1..=8, false)) {
        return Err(CrowdsourcingError::Invalid(format!(
            "行业领域须为行业代码：{bad} / industries are industry codes: {bad}"
        )));
    }
    let direct_provider_id = match (input.mode, input.direct_product_id.as_deref()) {
        (Mode::Direct, Some(product)) => {
            let owner = with_tx!(tx, conn => {
                sqlx::query_scalar::<_, String>("SELECT organisation_id FROM cs_products WHERE id = $1")
                    .bind(product)
                    .fetch_optional(&mut *conn)
                    .await?
            });
            Some(owner.ok_or_else(|| {
                CrowdsourcingError::NotFound(format!("服务产品 / service product {product}"))
            })?)
        }
        (Mode::Direct, None) => {
            return Err(invalid(
                "指定模式须给出服务产品 direct_product_id",
                "direct mode names a service product (direct_product_id)",
            ));
        }
        (_, Some(_)) => {
            return Err(invalid(
                "只有指定模式可以给出 direct_product_id",
                "only direct mode names a service product",
            ));
        }
        (_, None) => None,
    };
    Ok(Checked {
        fee_fen,
        expires_at,
        direct_provider_id,
    })
}

impl Service {
    /// 发布服务: a new draft of the caller's enterprise.
    pub async fn create_demand(
        &self,
        db: &Db,
        caller: &Caller,
        input: &DemandInput,
        now: i64,
    ) -> Result<DemandView> {
        if !may_publish(caller) {
            return Err(CrowdsourcingError::Forbidden(
                "只有企业或载体用户可以发布需求 / only enterprise or carrier users publish demands"
                    .into(),
            ));
        }
        let organisation = caller.organisation_id.clone().unwrap_or_default();
        let id = new_id("DM");
        let mut tx = db.begin().await?;
        let checked = check_input(&mut tx, input, now).await?;
        if checked.direct_provider_id.as_deref() == Some(organisation.as_str()) {
            return Err(invalid(
                "不能指定本机构",
                "a demand cannot name its own organisation",
            ));
        }
        with_tx!(&mut tx, conn => {
            sqlx::query("INSERT INTO cs_demands (id, organisation_id, owner_user_id, state, mode, title, fee_fen, cycle_days, expiry_date, expires_at, service_class, created_at, updated_at) VALUES ($1, $2, $3, 'draft', $4, '', 1, 1, '', 0, '', $5, $5)")
                .bind(&id).bind(&organisation).bind(&caller.user_id).bind(input.mode.as_str()).bind(now)
                .execute(&mut *conn).await?;
        });
        save_fields(&mut tx, &id, caller, input, &checked, now).await?;
        audit(
            &mut tx,
            Audit {
                demand_id: &id,
                order_id: None,
                actor: &caller.user_id,
                action: "create",
                from: None,
                to: Some("draft"),
                reason: None,
            },
            now,
        )
        .await?;
        tx.commit().await?;
        self.demand_view(db, &id, caller, now).await
    }

    /// 修改服务: a draft changes at once; a listed demand's change waits for staff re-review.
    pub async fn update_demand(
        &self,
        db: &Db,
        caller: &Caller,
        id: &str,
        input: &DemandInput,
        now: i64,
    ) -> Result<DemandView> {
        let mut tx = db.begin().await?;
        let demand = find_demand(&mut tx, id).await?;
        if let Some(hidden) = hidden_from(caller, &demand) {
            return Err(hidden);
        }
        let actor = demand_actor(caller, &demand);
        let action = if demand.state == DemandState::Listed {
            DemandAction::Modify
        } else {
            DemandAction::Edit
        };
        let f = facts(&mut tx, &demand, caller, now).await?;
        demand
            .state
            .transition(action, actor, &f)
            .map_err(CrowdsourcingError::Transition)?;
        let checked = check_input(&mut tx, input, now).await?;
        if action == DemandAction::Modify {
            if input.mode != demand.mode {
                return Err(invalid(
                    "上线后不能更改任务模式",
                    "the mode cannot change once listed",
                ));
            }
            if demand.mode == Mode::Reward && checked.fee_fen != demand.fee_fen {
                return Err(invalid(
                    "悬赏金已托管，不能更改",
                    "a reward demand's fee is held in escrow and cannot change",
                ));
            }
            if demand.mode == Mode::Direct
                && checked.direct_provider_id != demand.direct_provider_id
            {
                return Err(invalid(
                    "上线后不能更改指定的服务机构",
                    "the named provider cannot change once listed",
                ));
            }
            let change = serde_json::to_string(input).unwrap_or_default();
            with_tx!(&mut tx, conn => {
                sqlx::query("UPDATE cs_demands SET pending_change = $1, updated_at = $2 WHERE id = $3")
                    .bind(change).bind(now).bind(id)
                    .execute(&mut *conn).await?;
            });
            notices::post(
                &mut tx,
                vec![notice(
                    notices::staff(),
                    "demand.change_submitted",
                    (
                        format!("需求「{}」提交了修改，待复核", demand.title),
                        "请在众包审核中确认或退回。",
                    ),
                    (
                        format!("A change to “{}” waits for re-review", demand.title),
                        "Confirm or refuse it in the crowdsourcing review.",
                    ),
                )],
                now,
            )
            .await?;
        } else {
            save_fields(&mut tx, id, caller, input, &checked, now).await?;
        }
        audit(
            &mut tx,
            Audit {
                demand_id: id,
                order_id: None,
                actor: &caller.user_id,
                action: action.as_str(),
                from: Some(demand.state.as_str()),
                to: Some(demand.state.as_str()),
                reason: None,
            },
            now,
        )
        .await?;
        tx.commit().await?;
        self.demand_view(db, id, caller, now).await
    }

    /// A workflow step on a demand: submit, approve, return, reject, confirm or refuse a
    /// change, delete a draft, request, confirm or refuse a deletion, expire.
    pub async fn act_on_demand(
        &self,
        db: &Db,
        caller: &Caller,
        id: &str,
        action: DemandAction,
        reason: Option<&str>,
        now: i64,
    ) -> Result<DemandView> {
        use DemandAction as A;
        if matches!(
            action,
            A::Respond
                | A::Select
                | A::AcceptDirect
                | A::DeclineDirect
                | A::PayEscrow
                | A::Edit
                | A::Modify
        ) {
            return Err(CrowdsourcingError::NotFound(format!(
                "操作 / action {}",
                action.as_str()
            )));
        }
        let mut tx = db.begin().await?;
        let demand = find_demand(&mut tx, id).await?;
        if let Some(hidden) = hidden_from(caller, &demand) {
            return Err(hidden);
        }
        let actor = demand_actor(caller, &demand);
        let f = facts(&mut tx, &demand, caller, now).await?;
        let next = demand
            .state
            .transition(action, actor, &f)
            .map_err(CrowdsourcingError::Transition)?;
        if matches!(action, A::Return | A::Reject | A::RequestDeletion)
            && reason.is_none_or(|r| r.trim().is_empty())
        {
            return Err(invalid(
                "请说明理由（reason）",
                "this action needs a reason",
            ));
        }
        let mut messages = Vec::new();
        let owner = notices::organisation(&demand.organisation_id);
        let title = &demand.title;
        match action {
            A::Approve => {
                with_tx!(&mut tx, conn => {
                    sqlx::query("UPDATE cs_demands SET state = $1, feedback = NULL, listed_at = $2, updated_at = $2 WHERE id = $3")
                        .bind(next.as_str()).bind(now).bind(id)
                        .execute(&mut *conn).await?;
                });
                messages.push(notice(
                    owner,
                    "demand.approved",
                    (
                        format!("需求「{title}」已通过审核"),
                        if next == DemandState::AwaitingEscrow {
                            "请托管悬赏金，托管后需求即在门户展示。"
                        } else {
                            "需求已在统一门户展示。"
                        },
                    ),
                    (
                        format!("Your demand “{title}” was approved"),
                        if next == DemandState::AwaitingEscrow {
                            "Pay the reward into escrow to list it."
                        } else {
                            "It is listed on the portal."
                        },
                    ),
                ));
                if next == DemandState::Listed {
                    messages
                        .extend(listed_notices(&mut tx, &demand, self.policy.push_limit).await?);
                }
            }
            A::Return | A::Reject => {
                with_tx!(&mut tx, conn => {
                    sqlx::query("UPDATE cs_demands SET state = $1, feedback = $2, updated_at = $3 WHERE id = $4")
                        .bind(next.as_str()).bind(reason).bind(now).bind(id)
                        .execute(&mut *conn).await?;
                });
                let why = reason.unwrap_or_default();
                messages.push(notice(
                    owner,
                    if action == A::Return {
                        "demand.returned"
                    } else {
                        "demand.rejected"
                    },
                    (
                        if action == A::Return {
                            format!("需求「{title}」被退回修改")
                        } else {
                            format!("需求「{title}」未通过审核")
                        },
                        format!("意见：{why}"),
                    ),
                    (
                        if action == A::Return {
                            format!("Your demand “{title}” was returned for changes")
                        } else {
                            format!("Your demand “{title}” was rejected")
                        },
                        format!("Feedback: {why}"),
                    ),
                ));
            }
            A::ConfirmChange => {
                let input: DemandInput = demand
                    .pending_change
                    .as_deref()
                    .and_then(|c| serde_json::from_str(c).ok())
                    .ok_or_else(|| {
                        invalid("待复核的修改已损坏", "the pending change is unreadable")
                    })?;
                let checked = check_input(&mut tx, &input, now).await?;
                let owner_caller = Caller {
                    user_id: demand.owner_user_id.clone(),
                    organisation_id: Some(demand.organisation_id.clone()),
                    roles: Vec::new(),
                    staff: false,
                };
                save_fields(&mut tx, id, &owner_caller, &input, &checked, now).await?;
                with_tx!(&mut tx, conn => {
                    sqlx::query("UPDATE cs_demands SET pending_change = NULL, feedback = NULL WHERE id = $1")
                        .bind(id).execute(&mut *conn).await?;
                });
                messages.push(notice(
                    owner,
                    "demand.change_confirmed",
                    (
                        format!("需求「{title}」的修改已通过复核"),
                        "修改已生效。".to_owned(),
                    ),
                    (
                        format!("The change to “{title}” was confirmed"),
                        "It is in effect.".to_owned(),
                    ),
                ));
                for provider in responders(&mut tx, id).await? {
                    messages.push(notice(
                        notices::organisation(&provider),
                        "demand.changed",
                        (
                            format!("您响应的需求「{title}」内容有变更"),
                            "发包方修改了内容、价格或交付时间，请查看并按需调整方案。",
                        ),
                        (
                            format!("The demand “{title}” you answered has changed"),
                            "Its content, price or delivery time changed; review your proposal.",
                        ),
                    ));
                }
            }
            A::RefuseChange => {
                with_tx!(&mut tx, conn => {
                    sqlx::query("UPDATE cs_demands SET pending_change = NULL, feedback = $1, updated_at = $2 WHERE id = $3")
                        .bind(reason).bind(now).bind(id).execute(&mut *conn).await?;
                });
                messages.push(notice(
                    owner,
                    "demand.change_refused",
                    (
                        format!("需求「{title}」的修改未通过复核"),
                        format!("意见：{}", reason.unwrap_or_default()),
                    ),
                    (
                        format!("The change to “{title}” was refused"),
                        format!("Feedback: {}", reason.unwrap_or_default()),
                    ),
                ));
            }
            A::RequestDeletion => {
                with_tx!(&mut tx, conn => {
                    sqlx::query("UPDATE cs_demands SET deletion_reason = $1, updated_at = $2 WHERE id = $3")
                        .bind(reason).bind(now).bind(id).execute(&mut *conn).await?;
                });
                messages.push(notice(
                    notices::staff(),
                    "demand.deletion_requested",
                    (
                        format!("需求「{title}」申请删除，待复核"),
                        reason.unwrap_or_default().to_owned(),
                    ),
                    (
                        format!("Deletion of “{title}” waits for re-review"),
                        reason.unwrap_or_default().to_owned(),
                    ),
                ));
            }
            A::RefuseDeletion => {
                with_tx!(&mut tx, conn => {
                    sqlx::query("UPDATE cs_demands SET deletion_reason = NULL, feedback = $1, updated_at = $2 WHERE id = $3")
                        .bind(reason).bind(now).bind(id).execute(&mut *conn).await?;
                });
            }
            A::Delete | A::ConfirmDeletion | A::Expire | A::Submit => {
                with_tx!(&mut tx, conn => {
                    sqlx::query("UPDATE cs_demands SET state = $1, updated_at = $2 WHERE id = $3")
                        .bind(next.as_str()).bind(now).bind(id).execute(&mut *conn).await?;
                    if matches!(action, A::ConfirmDeletion | A::Expire) {
                        sqlx::query("UPDATE cs_responses SET state = 'not_selected' WHERE demand_id = $1 AND state = 'open'")
                            .bind(id).execute(&mut *conn).await?;
                    }
                });
                if action == A::Submit {
                    messages.push(notice(
                        notices::staff(),
                        "demand.submitted",
                        (
                            format!("新需求「{title}」待审核"),
                            service_class_label(&demand.service_class).to_owned(),
                        ),
                        (
                            format!("New demand “{title}” waits for review"),
                            demand.service_class.clone(),
                        ),
                    ));
                }
            }
            A::Edit
            | A::Modify
            | A::Respond
            | A::Select
            | A::AcceptDirect
            | A::DeclineDirect
            | A::PayEscrow => {}
        }
        audit(
            &mut tx,
            Audit {
                demand_id: id,
                order_id: None,
                actor: &caller.user_id,
                action: action.as_str(),
                from: Some(demand.state.as_str()),
                to: Some(next.as_str()),
                reason,
            },
            now,
        )
        .await?;
        notices::post(&mut tx, messages, now).await?;
        let refund = if matches!(action, A::ConfirmDeletion | A::Expire) {
            escrow_of(&mut tx, id).await?.filter(|e| e.held_fen > 0)
        } else {
            None
        };
        tx.commit().await?;
        if let Some(escrow) = refund {
            // A reward's held fee goes back along its payment.
            self.refund_escrow(
                db,
                &escrow.id,
                escrow.held_fen,
                "需求已关闭 / the demand was closed",
                now,
            )
            .await?;
        }
        self.demand_view(db, id, caller, now).await
    }

    /// Listed and awaiting demands past their validity date are closed (and a held reward
    /// refunded); answers how many.
    pub async fn expire_due(&self, db: &Db, now: i64) -> Result<usize> {
        let due: Vec<String> = with_pool!(db, pool => {
            sqlx::query_scalar("SELECT id FROM cs_demands WHERE state IN ('listed', 'awaiting_escrow') AND expires_at <= $1 ORDER BY expires_at LIMIT 500")
                .bind(now)
                .fetch_all(pool)
                .await?
        });
        // The scheduler acts with staff's powers, under its own name in the audit trail.
        let system = Caller {
            user_id: "scheduler".into(),
            organisation_id: None,
            roles: vec![crate::accounts::Role::Admin],
            staff: true,
        };
        let mut done = 0;
        for id in due {
            match self
                .act_on_demand(db, &system, &id, DemandAction::Expire, None, now)
                .await
            {
                Ok(_) => done += 1,
                // Dealt or deleted meanwhile.
                Err(CrowdsourcingError::Transition(_)) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(done)
    }

    /// A demand as `caller` sees it.
    pub async fn demand_view(
        &self,
        db: &Db,
        id: &str,
        caller: &Caller,
        now: i64,
    ) -> Result<DemandView> {
        let demand = find_demand(db, id).await?;
        if let Some(hidden) = hidden_from(caller, &demand) {
            return Err(hidden);
        }
        let mut tx = db.begin().await?;
        let f = facts(&mut tx, &demand, caller, now).await?;
        let responses = count(
            &mut tx,
            "SELECT COUNT(*) FROM cs_responses WHERE demand_id = $1",
            id,
        )
        .await?;
        let escrow = escrow_of(&mut tx, id).await?;
        tx.commit().await?;
        Ok(shown(demand, caller, &f, responses, escrow))
    }

    /// 统一门户: listed demands, newest first, with filters; at most 100 a page.
    pub async fn list_demands(
        &self,
        db: &Db,
        caller: &Caller,
        filter: &DemandFilter,
        now: i64,
    ) -> Result<Vec<DemandView>> {
        let demands = query_demands(db, filter, caller, now).await?;
        let none = DemandFacts::default();
        Ok(demands
            .into_iter()
            .map(|d| shown(d, caller, &none, 0, None))
            .collect())
    }

    /// What waits for staff: submitted demands, changes and deletions to re-review.
    pub async fn demand_queue(
        &self,
        db: &Db,
        caller: &Caller,
        now: i64,
    ) -> Result<Vec<DemandView>> {
        if !caller.is_staff() {
            return Err(CrowdsourcingError::Forbidden(
                "只有平台管理人员可以查看审核队列 / staff only".into(),
            ));
        }
        let sql = format!(
            "SELECT {DEMAND_COLUMNS} FROM cs_demands WHERE state = 'submitted' OR pending_change IS NOT NULL OR (deletion_reason IS NOT NULL AND state IN ('submitted', 'awaiting_escrow', 'listed')) ORDER BY updated_at LIMIT 200"
        );
        let demands =
            with_pool!(db, pool => sqlx::query_as::<_, Demand>(&sql).fetch_all(pool).await?);
        let mut out = Vec::new();
        for d in demands {
            let id = d.id.clone();
            out.push(self.demand_view(db, &id, caller, now).await?);
        }
        Ok(out)
    }

    /// 重点孵化项目: dealt demands, newest deal first, for staff and the financing side.
    pub async fn key_projects(&self, db: &Db, caller: &Caller) -> Result<Vec<Demand>> {
        let financing = caller.roles.iter().any(|r| {
            matches!(
                r,
                crate::accounts::Role::BankOfficer | crate::accounts::Role::FundManager
            )
        });
        if !caller.is_staff() && !financing {
            return Err(CrowdsourcingError::Forbidden(
                "重点孵化项目供平台和金融机构查看 / the key incubation projects are for staff and the financing side".into(),
            ));
        }
        let sql = format!(
            "SELECT {DEMAND_COLUMNS} FROM cs_demands WHERE key_project ORDER BY selected_at DESC, id LIMIT 200"
        );
        Ok(with_pool!(db, pool => sqlx::query_as::<_, Demand>(&sql).fetch_all(pool).await?))
    }

    /// The audit trail of a demand and its order (owner, the chosen provider and staff).
    pub async fn audit_trail(&self, db: &Db, caller: &Caller, id: &str) -> Result<Vec<AuditEntry>> {
        let demand = find_demand(db, id).await?;
        let chosen = demand
            .server_org_id
            .as_deref()
            .is_some_and(|p| caller.belongs_to(p));
        if !chosen
            && !matches!(
                demand_actor(caller, &demand),
                DemandActor::Owner | DemandActor::Staff
            )
        {
            return Err(CrowdsourcingError::NotFound(format!("需求 / demand {id}")));
        }
        Ok(with_pool!(db, pool => {
            sqlx::query_as::<_, AuditEntry>("SELECT order_id, actor, action, from_state, to_state, reason, at FROM cs_audit WHERE demand_id = $1 ORDER BY at, id LIMIT 1000")
                .bind(id)
                .fetch_all(pool)
                .await?
        }))
    }
}

/// The portal's filters.
#[derive(Debug, Default, Clone, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DemandFilter {
    /// A service class code.
    pub class: Option<String>,
    /// A 6-digit division code: demands open to providers there.
    pub region: Option<String>,
    /// An industry code (prefix of the demand's industry).
    pub industry: Option<String>,
    /// The least fee, 万元.
    pub fee_min: Option<String>,
    /// The greatest fee, 万元.
    pub fee_max: Option<String>,
    /// `reward`, `tender` or `direct`.
    pub mode: Option<Mode>,
    /// `true`: the caller's own demands, in every state.
    pub mine: Option<bool>,
    /// At most 100 (default 20).
    pub limit: Option<i64>,
    /// Skip this many (at most 10,000).
    pub offset: Option<i64>,
}

async fn query_demands(
    db: &Db,
    f: &DemandFilter,
    caller: &Caller,
    now: i64,
) -> Result<Vec<Demand>> {
    let mut clauses: Vec<String> = Vec::new();
    let mut binds: Vec<BindValue> = Vec::new();
    let next = |v: BindValue, binds: &mut Vec<BindValue>| {
        binds.push(v);
        format!("${}", binds.len())
    };
    if f.mine == Some(true) {
        let org = caller.organisation_id.clone().unwrap_or_default();
        let p = next(BindValue::Text(org), &mut binds);
        clauses.push(format!("d.organisation_id = {p}"));
    } else {
        clauses.push("d.state = 'listed'".into());
        let p = next(BindValue::Int(now), &mut binds);
        clauses.push(format!("d.expires_at > {p}"));
    }
    if let Some(class) = f.class.as_deref().filter(|c| !c.is_empty()) {
        let p = next(BindValue::Text(class.to_owned()), &mut binds);
        clauses.push(format!("d.service_class = {p}"));
    }
    if let Some(mode) = f.mode {
        let p = next(BindValue::Text(mode.as_str().to_owned()), &mut binds);
        clauses.push(format!("d.mode = {p}"));
    }
    if let Some(industry) = f.industry.as_deref().filter(|c| !c.is_empty()) {
        if industry.len() > 8 || !industry.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(invalid("行业代码无效", "industry is not an industry code"));
        }
        let p = next(BindValue::Text(format!("{industry}%")), &mut binds);
        clauses.push(format!("d.industry_code LIKE {p}"));
    }
    for (text, op) in [(&f.fee_min, ">="), (&f.fee_max, "<=")] {
        if let Some(text) = text.as_deref().filter(|t| !t.is_empty()) {
            let fen = wan_to_fen(text)
                .ok_or_else(|| invalid("金额须为万元数", "fees are amounts in 万元"))?;
            let p = next(BindValue::Int(fen), &mut binds);
            clauses.push(format!("d.fee_fen {op} {p}"));
        }
    }
    if let Some(region) = f.region.as_deref().filter(|r| !r.is_empty()) {
        if region.len() != 6 || !region.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid(
                "区域须为 6 位行政区划代码",
                "region is a 6-digit division code",
            ));
        }
        let prefixes: Vec<String> = region_prefixes(region);
        let (clause, patterns) = admits("d.region_keys", &prefixes, binds.len() + 1);
        for p in patterns {
            next(BindValue::Text(p), &mut binds);
        }
        clauses.push(clause);
    }
    let limit = f.limit.unwrap_or(20).clamp(1, 100);
    let offset = f.offset.unwrap_or(0).clamp(0, 10_000);
    let order = if f.mine == Some(true) {
        "d.created_at DESC, d.id DESC"
    } else {
        "d.listed_at DESC, d.id DESC"
    };
    let tail = format!(
        "FROM cs_demands d WHERE {} ORDER BY {order} LIMIT {limit} OFFSET {offset}",
        clauses.join(" AND ")
    );
    fetch_page(db, &tail, &binds).await
}

/// A page of demands: `tail` is the query after its column list (`FROM cs_demands d WHERE …
/// ORDER BY … LIMIT …`). PostgreSQL finds the page's ids by an index-only scan and then reads
/// those rows; SQLite reads them in one statement, its index scan deferring each row's read
/// until a row passes the filters.
pub(super) async fn fetch_page(db: &Db, tail: &str, binds: &[BindValue]) -> Result<Vec<Demand>> {
    match db {
        Db::Sqlite(..) => {
            let columns = DEMAND_COLUMNS
                .split(", ")
                .map(|c| format!("d.{c}"))
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!("SELECT {columns} {tail}");
            Ok(with_pool!(db, pool => {
                let mut q = sqlx::query_as::<_, Demand>(&sql);
                for b in binds {
                    q = match b {
                        BindValue::Text(t) => q.bind(t.clone()),
                        BindValue::Int(i) => q.bind(*i),
                    };
                }
                q.fetch_all(pool).await?
            }))
        }
        Db::Postgres(_) => {
            let sql = format!("SELECT d.id {tail}");
            let ids: Vec<String> = with_pool!(db, pool => {
                let mut q = sqlx::query_scalar::<_, String>(&sql);
                for b in binds {
                    q = match b {
                        BindValue::Text(t) => q.bind(t.clone()),
                        BindValue::Int(i) => q.bind(*i),
                    };
                }
                q.fetch_all(pool).await?
            });
            demands_in_order(db, &ids).await
        }
    }
}

/// The demands of `ids`, in that order.
async fn demands_in_order(db: &Db, ids: &[String]) -> Result<Vec<Demand>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders = (1..=ids.len())
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!("SELECT {DEMAND_COLUMNS} FROM cs_demands WHERE id IN ({placeholders})");
    let mut rows = with_pool!(db, pool => {
        let mut q = sqlx::query_as::<_, Demand>(&sql);
        for id in ids {
            q = q.bind(id);
        }
        q.fetch_all(pool).await?
    });
    rows.sort_by_key(|d| ids.iter().position(|id| *id == d.id));
    Ok(rows)
}

pub(super) enum BindValue {
    Text(String),
    Int(i64),
}

/// A demand as `caller` may see it: contacts and owner only for the owner and staff.
fn shown(
    mut demand: Demand,
    caller: &Caller,
    f: &DemandFacts,
    responses: i64,
    escrow: Option<Escrow>,
) -> DemandView {
    let actor = demand_actor(caller, &demand);
    let insider = matches!(actor, DemandActor::Owner | DemandActor::Staff);
    if !insider {
        demand.owner_user_id.clear();
        demand.pending_change = None;
        demand.deletion_reason = None;
        demand.feedback = None;
        let chosen = demand
            .server_org_id
            .as_deref()
            .is_some_and(|p| caller.belongs_to(p));
        if !chosen {
            demand.charger_name = None;
            demand.charger_mobile = None;
        }
    }
    DemandView {
        state_label: demand.state.label_zh(),
        mode_label: demand.mode.label_zh(),
        fee_wan: fen_to_wan(demand.fee_fen),
        allowed_actions: demand
            .state
            .allowed(actor, f)
            .iter()
            .map(|a| a.as_str())
            .collect(),
        responses,
        escrow: escrow.filter(|_| insider),
        demand,
    }
}

/// The facts the rules need, for `caller`.
pub(super) async fn facts(
    tx: &mut Tx,
    demand: &Demand,
    caller: &Caller,
    now: i64,
) -> Result<DemandFacts> {
    let responded = match caller.organisation_id.as_deref() {
        Some(org) => {
            with_tx!(tx, conn => {
                sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM cs_responses WHERE demand_id = $1 AND provider_org_id = $2")
                    .bind(&demand.id).bind(org).fetch_one(&mut *conn).await?
            }) > 0
        }
        None => false,
    };
    let open_responses = count(
        &mut *tx,
        "SELECT COUNT(*) FROM cs_responses WHERE demand_id = $1 AND state = 'open'",
        &demand.id,
    )
    .await?;
    Ok(DemandFacts {
        mode_reward: demand.mode == Mode::Reward,
        mode_direct: demand.mode == Mode::Direct,
        pending_change: demand.pending_change.is_some(),
        deletion_requested: demand.deletion_reason.is_some(),
        expired: now >= demand.expires_at,
        responded,
        open_responses,
    })
}

/// Stores a checked input on the demand, its restrictions, and its 5.4 record.
async fn save_fields(
    tx: &mut Tx,
    id: &str,
    caller: &Caller,
    input: &DemandInput,
    checked: &Checked,
    now: i64,
) -> Result<()> {
    let demand = find_demand(&mut *tx, id).await?;
    let (org_name, credit_code): (String, Option<String>) = with_tx!(tx, conn => {
        sqlx::query_as("SELECT name, credit_code FROM organisations WHERE id = $1")
            .bind(&demand.organisation_id)
            .fetch_one(&mut *conn)
            .await?
    });
    let or = |given: &Option<String>, fallback: Option<String>| {
        given
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .or(fallback)
    };
    let regions = input.regions.join(";");
    let industries = input.industries.join(";");
    let region_keys = keys(input.regions.iter().map(|r| region_prefix(r).to_owned()));
    let industry_keys = keys(input.industries.iter().cloned());
    with_tx!(tx, conn => {
        sqlx::query("UPDATE cs_demands SET title = $1, description = $2, fee_fen = $3, cycle_days = $4, expiry_date = $5, expires_at = $6, service_class = $7, industry_code = $8, regions = $9, industries = $10, direct_product_id = $11, direct_provider_id = $12, comp_code = $13, comp_name = $14, comp_regist_type = $15, comp_address = $16, charger_name = $17, charger_mobile = $18, updated_at = $19, region_keys = $21, industry_keys = $22 WHERE id = $20")
            .bind(input.title.trim())
            .bind(input.description.trim())
            .bind(checked.fee_fen)
            .bind(input.cycle_days)
            .bind(input.expiry_date.trim())
            .bind(checked.expires_at)
            .bind(&input.service_class)
            .bind(&input.industry_code)
            .bind(&regions)
            .bind(&industries)
            .bind(&input.direct_product_id)
            .bind(&checked.direct_provider_id)
            // The organisation's registered code stands in only when it is a valid one.
            .bind(or(
                &input.comp_code,
                credit_code.filter(|c| crate::catalogue::codes::check_credit_code(c).is_ok()),
            ))
            .bind(or(&input.comp_name, Some(org_name)))
            .bind(or(&input.comp_regist_type, None))
            .bind(or(&input.comp_address, None))
            .bind(or(&input.charger_name, None))
            .bind(or(&input.charger_mobile, None))
            .bind(now)
            .bind(id)
            .bind(&region_keys)
            .bind(&industry_keys)
            .execute(&mut *conn)
            .await?;
    });
    write_demand_record(tx, id, &caller.user_id, now).await
}

/// The demand's 5.4 record as it now is.
pub(super) async fn write_demand_record(
    tx: &mut Tx,
    id: &str,
    user_id: &str,
    now: i64,
) -> Result<()> {
    let demand = find_demand(&mut *tx, id).await?;
    records::write(
        tx,
        vec![("demand", records::demand_record(&demand))],
        &demand.organisation_id,
        user_id,
        now,
    )
    .await
}

/// The organisations that responded to a demand.
async fn responders(tx: &mut Tx, demand_id: &str) -> Result<Vec<String>> {
    Ok(with_tx!(tx, conn => {
        sqlx::query_scalar::<_, String>("SELECT provider_org_id FROM cs_responses WHERE demand_id = $1 ORDER BY created_at LIMIT 500")
            .bind(demand_id).fetch_all(&mut *conn).await?
    }))
}

/// 精准推送: when a demand is listed, the providers it suits hear of it, best match first;
/// a direct demand's named provider is asked to accept or decline.
pub(super) async fn listed_notices(
    tx: &mut Tx,
    demand: &Demand,
    limit: i64,
) -> Result<Vec<notices::Notice>> {
    let title = &demand.title;
    let fee = fen_to_wan(demand.fee_fen);
    if demand.mode == Mode::Direct {
        let provider = demand.direct_provider_id.clone().unwrap_or_default();
        return Ok(vec![notice(
            notices::organisation(&provider),
            "demand.direct",
            (
                format!("企业指定贵机构承接需求「{title}」"),
                format!(
                    "预算 {fee} 万元，周期 {} 天。请接受或拒绝。",
                    demand.cycle_days
                ),
            ),
            (
                format!("An enterprise named you for “{title}”"),
                format!(
                    "Budget {fee} 万元, {} days. Accept or decline it.",
                    demand.cycle_days
                ),
            ),
        )]);
    }
    let matched = super::providers::matching_providers(&mut *tx, demand, limit).await?;
    Ok(matched
        .into_iter()
        .enumerate()
        .map(|(rank, (provider, points))| {
            notice(
                notices::organisation(&provider.organisation_id),
                "demand.matched",
                (
                    format!("为您推荐需求「{title}」"),
                    format!(
                        "{}，预算 {fee} 万元，周期 {} 天（匹配度 {points}/3，第 {} 位）。",
                        service_class_label(&demand.service_class),
                        demand.cycle_days,
                        rank + 1
                    ),
                ),
                (
                    format!("A demand that suits you: “{title}”"),
                    format!(
                        "{}, budget {fee} 万元, {} days (match {points}/3, rank {}).",
                        demand.service_class,
                        demand.cycle_days,
                        rank + 1
                    ),
                ),
            )
        })
        .collect())
}

/// Prefixes for the unit tests of matching.
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_is_the_end_of_the_china_day() {
        // 2026-12-31 00:00 +08:00 is 2026-12-30 16:00 UTC.
        assert_eq!(end_of_china_day("2026-12-31"), Some(1_798_646_400 + 86_400));
        assert_eq!(end_of_china_day("2026-13-01"), None);
    }
}
