//! Demands (需求): drafting, staff review, changes and deletions with re-review (复核),
//! expiry, and what callers see of one. Its fields' checks are in `demand_input.rs`, the
//! portal listing in `portal.rs`, who hears of a listed demand in `push.rs`.

use super::access::{demand_actor, hidden_from, may_publish};
use super::demand_input::{check_input, invalid, save_fields};
use super::error::{CrowdsourcingError, Result};
use super::lifecycle::{DemandAction, DemandActor, DemandFacts, DemandState, Mode};
use super::model::*;
use super::notices::{self, notice};
use super::push::listed_notices;
use super::service::Service;
use super::service_class_label;
use super::store::*;
use crate::accounts::caller::Caller;
use crate::db::{Db, Tx};
use crate::payments::money::fen_to_wan;
use crate::{with_pool, with_tx};

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

/// A demand as `caller` may see it: contacts and owner only for the owner and staff.
pub(super) fn shown(
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

/// The organisations that responded to a demand.
async fn responders(tx: &mut Tx, demand_id: &str) -> Result<Vec<String>> {
    Ok(with_tx!(tx, conn => {
        sqlx::query_scalar::<_, String>("SELECT provider_org_id FROM cs_responses WHERE demand_id = $1 ORDER BY created_at LIMIT 500")
            .bind(demand_id).fetch_all(&mut *conn).await?
    }))
}
