//! Responses (项目响应), the negotiation thread of each (线上服务对接), and the deal (项目成交):
//! an offer both sides accept, a response the enterprise selects, or a direct demand its
//! named provider accepts becomes the service order.

use super::access::{check_restrictions, demand_actor, hidden_from, is_provider};
use super::demand_input::write_demand_record;
use super::demands::facts;
use super::error::{CrowdsourcingError, Result};
use super::lifecycle::{DemandAction, DemandActor, DemandState, Mode, OrderState, Side};
use super::model::*;
use super::notices::{self, notice};
use super::orders::write_order_record;
use super::providers::score;
use super::service::Service;
use super::store::*;
use crate::accounts::caller::Caller;
use crate::db::{Db, Tx};
use crate::payments::money::{fen_to_yuan, yuan_to_fen};
use crate::{with_pool, with_tx};

fn invalid(zh: &str, en: &str) -> CrowdsourcingError {
    CrowdsourcingError::Invalid(format!("{zh} / {en}"))
}

/// Links: at most ten, each an http(s) address of at most 1000 characters.
pub(super) fn check_links(links: &[String]) -> Result<()> {
    if links.len() > 10 {
        return Err(invalid("最多 10 个链接", "at most 10 links"));
    }
    for link in links {
        let web = url::Url::parse(link)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some());
        if web.is_none() || link.len() > 1000 {
            return Err(CrowdsourcingError::Invalid(format!(
                "链接须为 http 或 https 网址：{link} / links must be http or https addresses"
            )));
        }
    }
    Ok(())
}

fn check_days(days: i64) -> Result<()> {
    if (1..=999).contains(&days) {
        Ok(())
    } else {
        Err(invalid("周期须为 1 到 999 天", "days must be 1 to 999"))
    }
}

fn amount(text: &str) -> Result<i64> {
    yuan_to_fen(text)
        .filter(|f| *f > 0 && *f <= 100_000_000_000)
        .ok_or_else(|| {
            invalid(
                "金额（元）须为正数，最多两位小数",
                "amounts (元) must be positive with at most two decimals",
            )
        })
}

/// Who is on which side of a response's thread.
fn thread_side(caller: &Caller, demand: &Demand, response: &Response) -> Option<Side> {
    if caller.belongs_to(&demand.organisation_id)
        && demand_actor(caller, demand) == DemandActor::Owner
    {
        Some(Side::Enterprise)
    } else if is_provider(caller) && caller.belongs_to(&response.provider_org_id) {
        Some(Side::Provider)
    } else {
        None
    }
}

impl Service {
    /// 项目响应: a provider inside the demand's restrictions submits its first proposal (in
    /// reward mode, its work).
    pub async fn respond(
        &self,
        db: &Db,
        caller: &Caller,
        demand_id: &str,
        input: &ResponseInput,
        now: i64,
    ) -> Result<ResponseView> {
        let approach = input.approach.trim();
        if approach.is_empty() || approach.chars().count() > 4000 {
            return Err(invalid(
                "方案须为 1 到 4000 字",
                "the approach takes 1 to 4000 characters",
            ));
        }
        let price = amount(&input.price)?;
        check_days(input.duration_days)?;
        check_links(&input.attachments)?;
        let mut tx = db.begin().await?;
        let demand = find_demand(&mut tx, demand_id).await?;
        if let Some(hidden) = hidden_from(caller, &demand) {
            return Err(hidden);
        }
        let actor = demand_actor(caller, &demand);
        let f = facts(&mut tx, &demand, caller, now).await?;
        demand
            .state
            .transition(DemandAction::Respond, actor, &f)
            .map_err(CrowdsourcingError::Transition)?;
        let organisation = caller.organisation_id.clone().unwrap_or_default();
        let provider = find_provider(&mut tx, &organisation)
            .await?
            .ok_or_else(|| {
                invalid(
                    "请先填写服务机构信息",
                    "save the provider profile first (PUT /api/crowdsourcing/providers/me)",
                )
            })?;
        check_restrictions(&demand, &provider)?;
        let id = new_id("RS");
        with_tx!(&mut tx, conn => {
            sqlx::query("INSERT INTO cs_responses (id, demand_id, provider_org_id, provider_user_id, state, approach, price_fen, duration_days, attachments, created_at) VALUES ($1, $2, $3, $4, 'open', $5, $6, $7, $8, $9)")
                .bind(&id).bind(demand_id).bind(&organisation).bind(&caller.user_id).bind(approach)
                .bind(price).bind(input.duration_days)
                .bind(serde_json::to_string(&input.attachments).unwrap_or_else(|_| "[]".into()))
                .bind(now)
                .execute(&mut *conn).await?;
        });
        audit(
            &mut tx,
            Audit {
                demand_id,
                order_id: None,
                actor: &caller.user_id,
                action: "respond",
                from: None,
                to: None,
                reason: None,
            },
            now,
        )
        .await?;
        notices::post(
            &mut tx,
            vec![notice(
                notices::organisation(&demand.organisation_id),
                "response.received",
                (
                    format!("「{}」收到新的响应", demand.title),
                    format!(
                        "{} 报价 {} 元，周期 {} 天。",
                        provider.org_name,
                        fen_to_yuan(price),
                        input.duration_days
                    ),
                ),
                (
                    format!("A new response to “{}”", demand.title),
                    format!(
                        "{} proposes {} yuan, {} days.",
                        provider.org_name,
                        fen_to_yuan(price),
                        input.duration_days
                    ),
                ),
            )],
            now,
        )
        .await?;
        tx.commit().await?;
        self.response_view(db, &id).await
    }

    async fn response_view(&self, db: &Db, id: &str) -> Result<ResponseView> {
        let response = find_response(db, id).await?;
        Ok(ResponseView {
            provider_name: organisation_name(db, &response.provider_org_id).await?,
            provider_rating: score(db, &response.provider_org_id, Side::Provider).await?,
            response,
        })
    }

    /// The responses to a demand: all of them for its owner and staff, one's own for a
    /// provider.
    pub async fn responses(
        &self,
        db: &Db,
        caller: &Caller,
        demand_id: &str,
    ) -> Result<Vec<ResponseView>> {
        let demand = find_demand(db, demand_id).await?;
        if let Some(hidden) = hidden_from(caller, &demand) {
            return Err(hidden);
        }
        let everyone = matches!(
            demand_actor(caller, &demand),
            DemandActor::Owner | DemandActor::Staff
        );
        let own = caller.organisation_id.clone().unwrap_or_default();
        let sql = format!(
            "SELECT {RESPONSE_COLUMNS} FROM cs_responses WHERE demand_id = $1 AND ($2 OR provider_org_id = $3) ORDER BY created_at, id LIMIT 500"
        );
        let rows = with_pool!(db, pool => {
            sqlx::query_as::<_, Response>(&sql).bind(demand_id).bind(everyone).bind(&own).fetch_all(pool).await?
        });
        let mut out = Vec::new();
        for response in rows {
            out.push(ResponseView {
                provider_name: organisation_name(db, &response.provider_org_id).await?,
                provider_rating: score(db, &response.provider_org_id, Side::Provider).await?,
                response,
            });
        }
        Ok(out)
    }

    /// The negotiation thread of a response (its two sides and staff).
    pub async fn thread(
        &self,
        db: &Db,
        caller: &Caller,
        response_id: &str,
    ) -> Result<Vec<Message>> {
        let response = find_response(db, response_id).await?;
        let demand = find_demand(db, &response.demand_id).await?;
        if thread_side(caller, &demand, &response).is_none() && !caller.is_staff() {
            return Err(CrowdsourcingError::NotFound(format!(
                "响应 / response {response_id}"
            )));
        }
        Ok(with_pool!(db, pool => {
            sqlx::query_as::<_, Message>("SELECT id, response_id, seq, author_side, author_user_id, body, offer_amount_fen, offer_days, offer_method, offer_state, at FROM cs_messages WHERE response_id = $1 ORDER BY seq LIMIT 1000")
                .bind(response_id).fetch_all(pool).await?
        }))
    }

    /// A message in the thread, with terms offered or not. A new offer replaces the open one.
    pub async fn post_message(
        &self,
        db: &Db,
        caller: &Caller,
        response_id: &str,
        input: &MessageInput,
        now: i64,
    ) -> Result<Message> {
        let body = input.body.trim();
        if body.is_empty() || body.chars().count() > 4000 {
            return Err(invalid(
                "消息须为 1 到 4000 字",
                "a message takes 1 to 4000 characters",
            ));
        }
        let offer = match &input.offer {
            Some(o) => {
                check_days(o.delivery_days)?;
                let method = o.delivery_method.trim();
                if method.is_empty() || method.chars().count() > 256 {
                    return Err(invalid(
                        "须写明交付方式",
                        "the delivery method is required (at most 256 characters)",
                    ));
                }
                Some((amount(&o.amount)?, o.delivery_days, method.to_owned()))
            }
            None => None,
        };
        let mut tx = db.begin().await?;
        let response = find_response(&mut tx, response_id).await?;
        let demand = find_demand(&mut tx, &response.demand_id).await?;
        let Some(side) = thread_side(caller, &demand, &response) else {
            return Err(CrowdsourcingError::NotFound(format!(
                "响应 / response {response_id}"
            )));
        };
        negotiable(&mut tx, &demand, &response, caller, now).await?;
        if offer.is_some() && demand.mode == Mode::Reward {
            return Err(invalid(
                "悬赏任务不议价：发包方直接选定作品",
                "reward demands are not negotiated: the enterprise picks the winning work",
            ));
        }
        if offer.is_some() {
            with_tx!(&mut tx, conn => {
                sqlx::query("UPDATE cs_messages SET offer_state = 'superseded' WHERE response_id = $1 AND offer_state = 'open'")
                    .bind(response_id).execute(&mut *conn).await?;
            });
        }
        let seq = with_tx!(&mut tx, conn => {
            sqlx::query_scalar::<_, i64>("SELECT COALESCE(MAX(seq), 0) + 1 FROM cs_messages WHERE response_id = $1")
                .bind(response_id).fetch_one(&mut *conn).await?
        });
        let message = Message {
            id: new_id("MSG"),
            response_id: response_id.to_owned(),
            seq,
            author_side: side.as_str().to_owned(),
            author_user_id: caller.user_id.clone(),
            body: body.to_owned(),
            offer_amount_fen: offer.as_ref().map(|o| o.0),
            offer_days: offer.as_ref().map(|o| o.1),
            offer_method: offer.as_ref().map(|o| o.2.clone()),
            offer_state: offer.as_ref().map(|_| "open".to_owned()),
            at: now,
        };
        with_tx!(&mut tx, conn => {
            sqlx::query("INSERT INTO cs_messages (id, response_id, seq, author_side, author_user_id, body, offer_amount_fen, offer_days, offer_method, offer_state, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)")
                .bind(&message.id).bind(response_id).bind(seq).bind(&message.author_side).bind(&caller.user_id)
                .bind(&message.body).bind(message.offer_amount_fen).bind(message.offer_days)
                .bind(&message.offer_method).bind(&message.offer_state).bind(now)
                .execute(&mut *conn).await?;
        });
        let other = match side {
            Side::Enterprise => response.provider_org_id.clone(),
            Side::Provider => demand.organisation_id.clone(),
        };
        let terms = offer
            .as_ref()
            .map(|(a, d, m)| {
                (
                    format!("报价 {} 元，{d} 天，{m}。", fen_to_yuan(*a)),
                    format!("Offer: {} yuan, {d} days, {m}.", fen_to_yuan(*a)),
                )
            })
            .unwrap_or_default();
        notices::post(
            &mut tx,
            vec![notice(
                notices::organisation(&other),
                if offer.is_some() {
                    "thread.offer"
                } else {
                    "thread.message"
                },
                (
                    format!("「{}」对接消息", demand.title),
                    format!("{}{body}", terms.0),
                ),
                (
                    format!("A message about “{}”", demand.title),
                    format!("{}{body}", terms.1),
                ),
            )],
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(message)
    }

    /// The other side accepts an open offer: its terms become the service order's.
    pub async fn accept_offer(
        &self,
        db: &Db,
        caller: &Caller,
        response_id: &str,
        message_id: &str,
        now: i64,
    ) -> Result<OrderView> {
        let mut tx = db.begin().await?;
        let response = find_response(&mut tx, response_id).await?;
        let demand = find_demand(&mut tx, &response.demand_id).await?;
        let Some(side) = thread_side(caller, &demand, &response) else {
            return Err(CrowdsourcingError::NotFound(format!(
                "响应 / response {response_id}"
            )));
        };
        let offer = with_tx!(&mut tx, conn => {
            sqlx::query_as::<_, Message>("SELECT id, response_id, seq, author_side, author_user_id, body, offer_amount_fen, offer_days, offer_method, offer_state, at FROM cs_messages WHERE id = $1 AND response_id = $2")
                .bind(message_id).bind(response_id).fetch_optional(&mut *conn).await?
        })
        .ok_or_else(|| CrowdsourcingError::NotFound(format!("报价 / offer {message_id}")))?;
        let (Some(amount), Some(days)) = (offer.offer_amount_fen, offer.offer_days) else {
            return Err(invalid("这条消息没有报价", "this message offers no terms"));
        };
        if offer.offer_state.as_deref() != Some("open") {
            return Err(invalid("该报价已失效", "this offer is no longer open"));
        }
        if offer.author_side == side.as_str() {
            return Err(invalid(
                "报价须由另一方接受",
                "an offer is accepted by the other side",
            ));
        }
        negotiable(&mut tx, &demand, &response, caller, now).await?;
        with_tx!(&mut tx, conn => {
            sqlx::query("UPDATE cs_messages SET offer_state = 'agreed' WHERE id = $1")
                .bind(message_id).execute(&mut *conn).await?;
        });
        let order = deal(
            &mut tx,
            Deal {
                demand: &demand,
                response: &response,
                amount_fen: amount,
                days,
                method: offer.offer_method.as_deref().unwrap_or_default(),
                state: OrderState::AwaitingEscrow,
                by: &caller.user_id,
                action: "agree_offer",
            },
            self.auto_accept_seconds(),
            now,
        )
        .await?;
        tx.commit().await?;
        self.order_view(db, caller, &order, now).await
    }

    /// The enterprise chooses a response: in reward mode the winning work (the held fee pays
    /// it; the work waits for acceptance), in tender mode its proposal as the order's terms.
    pub async fn select_response(
        &self,
        db: &Db,
        caller: &Caller,
        response_id: &str,
        now: i64,
    ) -> Result<OrderView> {
        let mut tx = db.begin().await?;
        let response = find_response(&mut tx, response_id).await?;
        let demand = find_demand(&mut tx, &response.demand_id).await?;
        if let Some(hidden) = hidden_from(caller, &demand) {
            return Err(hidden);
        }
        let f = facts(&mut tx, &demand, caller, now).await?;
        demand
            .state
            .transition(DemandAction::Select, demand_actor(caller, &demand), &f)
            .map_err(CrowdsourcingError::Transition)?;
        if response.state != "open" {
            return Err(invalid("该响应不可选", "this response cannot be chosen"));
        }
        let reward = demand.mode == Mode::Reward;
        let order = deal(
            &mut tx,
            Deal {
                demand: &demand,
                response: &response,
                amount_fen: if reward {
                    demand.fee_fen
                } else {
                    response.price_fen
                },
                days: response.duration_days,
                method: "网络交付",
                state: if reward {
                    OrderState::Delivered
                } else {
                    OrderState::AwaitingEscrow
                },
                by: &caller.user_id,
                action: "select",
            },
            self.auto_accept_seconds(),
            now,
        )
        .await?;
        tx.commit().await?;
        self.order_view(db, caller, &order, now).await
    }

    /// The named provider of a direct demand accepts it (on its fee and cycle) or declines
    /// it (the demand goes back to its owner's drafts with the reason).
    pub async fn answer_direct(
        &self,
        db: &Db,
        caller: &Caller,
        demand_id: &str,
        accept: bool,
        reason: Option<&str>,
        now: i64,
    ) -> Result<DemandView> {
        let mut tx = db.begin().await?;
        let demand = find_demand(&mut tx, demand_id).await?;
        if let Some(hidden) = hidden_from(caller, &demand) {
            return Err(hidden);
        }
        let action = if accept {
            DemandAction::AcceptDirect
        } else {
            DemandAction::DeclineDirect
        };
        let f = facts(&mut tx, &demand, caller, now).await?;
        let next = demand
            .state
            .transition(action, demand_actor(caller, &demand), &f)
            .map_err(CrowdsourcingError::Transition)?;
        let organisation = caller.organisation_id.clone().unwrap_or_default();
        if accept {
            let response_id = new_id("RS");
            with_tx!(&mut tx, conn => {
                sqlx::query("INSERT INTO cs_responses (id, demand_id, provider_org_id, provider_user_id, state, approach, price_fen, duration_days, created_at) VALUES ($1, $2, $3, $4, 'open', $5, $6, $7, $8) ON CONFLICT (demand_id, provider_org_id) DO NOTHING")
                    .bind(&response_id).bind(demand_id).bind(&organisation).bind(&caller.user_id)
                    .bind("接受指定 / accepted the direct demand").bind(demand.fee_fen).bind(demand.cycle_days).bind(now)
                    .execute(&mut *conn).await?;
            });
            let response = with_tx!(&mut tx, conn => {
                sqlx::query_as::<_, Response>(&format!("SELECT {RESPONSE_COLUMNS} FROM cs_responses WHERE demand_id = $1 AND provider_org_id = $2"))
                    .bind(demand_id).bind(&organisation).fetch_one(&mut *conn).await?
            });
            deal(
                &mut tx,
                Deal {
                    demand: &demand,
                    response: &response,
                    amount_fen: demand.fee_fen,
                    days: demand.cycle_days,
                    method: "网络交付",
                    state: OrderState::AwaitingEscrow,
                    by: &caller.user_id,
                    action: "accept_direct",
                },
                self.auto_accept_seconds(),
                now,
            )
            .await?;
        } else {
            let why = reason
                .map(str::trim)
                .filter(|r| !r.is_empty())
                .unwrap_or("未说明 / no reason given");
            with_tx!(&mut tx, conn => {
                sqlx::query("UPDATE cs_demands SET state = $1, feedback = $2, updated_at = $3 WHERE id = $4")
                    .bind(next.as_str()).bind(format!("被指定的服务机构拒绝：{why}")).bind(now).bind(demand_id)
                    .execute(&mut *conn).await?;
            });
            audit(
                &mut tx,
                Audit {
                    demand_id,
                    order_id: None,
                    actor: &caller.user_id,
                    action: action.as_str(),
                    from: Some(demand.state.as_str()),
                    to: Some(next.as_str()),
                    reason: Some(why),
                },
                now,
            )
            .await?;
            notices::post(
                &mut tx,
                vec![notice(
                    notices::organisation(&demand.organisation_id),
                    "demand.direct_declined",
                    (format!("指定需求「{}」被拒绝", demand.title), format!("理由：{why}。需求已退回草稿，可改选其他服务产品后重新提交。")),
                    (format!("The named provider declined “{}”", demand.title), format!("Reason: {why}. The demand is back in your drafts; name another product and submit again.")),
                )],
                now,
            )
            .await?;
        }
        tx.commit().await?;
        self.demand_view(db, demand_id, caller, now).await
    }
}

/// Negotiation happens while the demand is listed and the response open.
async fn negotiable(
    tx: &mut Tx,
    demand: &Demand,
    response: &Response,
    caller: &Caller,
    now: i64,
) -> Result<()> {
    if demand.state == DemandState::Listed && response.state == "open" && now < demand.expires_at {
        return Ok(());
    }
    let f = facts(tx, demand, caller, now).await?;
    Err(CrowdsourcingError::Transition(super::error::Refusal {
        current: demand.state.as_str(),
        allowed: demand
            .state
            .allowed(demand_actor(caller, demand), &f)
            .iter()
            .map(|a| a.as_str())
            .collect(),
        reason_zh: "需求已不在对接中，不能再协商".into(),
        reason_en: "the demand is no longer open for negotiation".into(),
    }))
}

/// The terms of a deal.
struct Deal<'a> {
    demand: &'a Demand,
    response: &'a Response,
    amount_fen: i64,
    days: i64,
    method: &'a str,
    state: OrderState,
    by: &'a str,
    action: &'static str,
}

/// 项目成交: the service order, the demand's SELECTED_DATE / SERVER_ORG_ID /
/// SERVICE_ORDER_NO, the 重点孵化项目 mark, the other responses closed, both records, the audit
/// entry and the news, in the caller's transaction.
async fn deal(tx: &mut Tx, d: Deal<'_>, auto_accept_seconds: i64, now: i64) -> Result<String> {
    let demand = d.demand;
    let order_id = new_id("SO");
    let item = demand
        .direct_product_id
        .clone()
        .unwrap_or_else(|| demand.id.clone());
    let provider = find_provider(&mut *tx, &d.response.provider_org_id).await?;
    let link_name = provider
        .as_ref()
        .and_then(|p| serde_json::from_str::<serde_json::Value>(&p.profile).ok())
        .and_then(|v| v["LINKMAN"].as_str().map(str::to_owned));
    let delivered = d.state == OrderState::Delivered;
    let region = provider
        .as_ref()
        .and_then(|p| p.area_county.get(..4))
        .map(|city| format!("{city}00"))
        .unwrap_or_default();
    with_tx!(tx, conn => {
        sqlx::query("INSERT INTO cs_orders (id, demand_id, response_id, enterprise_org_id, provider_org_id, service_item_id, state, amount_fen, delivery_days, delivery_method, result, applied_at, started_at, delivered_at, first_delivered_at, auto_accept_at, created_at, updated_at, provider_region) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14, $15, $12, $12, $16)")
            .bind(&order_id).bind(&demand.id).bind(&d.response.id).bind(&demand.organisation_id)
            .bind(&d.response.provider_org_id).bind(&item).bind(d.state.as_str()).bind(d.amount_fen)
            .bind(d.days).bind(d.method)
            .bind(delivered.then(|| d.response.approach.clone()))
            .bind(now)
            .bind(delivered.then_some(now))
            .bind(delivered.then_some(now))
            .bind(delivered.then_some(now + auto_accept_seconds))
            .bind(&region)
            .execute(&mut *conn).await?;
        sqlx::query("UPDATE cs_demands SET state = 'dealt', order_id = $1, selected_at = $2, server_org_id = $3, server_link_name = $4, key_project = TRUE, updated_at = $2 WHERE id = $5")
            .bind(&order_id).bind(now).bind(&d.response.provider_org_id).bind(&link_name).bind(&demand.id)
            .execute(&mut *conn).await?;
        sqlx::query("UPDATE cs_responses SET state = CASE WHEN id = $1 THEN 'selected' ELSE 'not_selected' END WHERE demand_id = $2 AND state = 'open'")
            .bind(&d.response.id).bind(&demand.id)
            .execute(&mut *conn).await?;
        // A reward's fee, held since listing, now pays this order.
        sqlx::query("UPDATE cs_escrows SET order_id = $1 WHERE demand_id = $2 AND order_id IS NULL")
            .bind(&order_id).bind(&demand.id)
            .execute(&mut *conn).await?;
    });
    if delivered {
        with_tx!(tx, conn => {
            sqlx::query("INSERT INTO cs_deliveries (id, order_id, round, note, attachments, at) VALUES ($1, $2, 1, $3, $4, $5)")
                .bind(new_id("DL")).bind(&order_id).bind(&d.response.approach).bind(&d.response.attachments).bind(now)
                .execute(&mut *conn).await?;
        });
    }
    write_demand_record(tx, &demand.id, d.by, now).await?;
    write_order_record(tx, &order_id, d.by, now).await?;
    audit(
        tx,
        Audit {
            demand_id: &demand.id,
            order_id: Some(&order_id),
            actor: d.by,
            action: d.action,
            from: Some(demand.state.as_str()),
            to: Some("dealt"),
            reason: None,
        },
        now,
    )
    .await?;
    let yuan = fen_to_yuan(d.amount_fen);
    notices::post(
        tx,
        vec![
            notice(
                notices::organisation(&d.response.provider_org_id),
                "order.created",
                (
                    format!("「{}」已成交", demand.title),
                    if delivered {
                        format!("贵机构的作品被选中，金额 {yuan} 元，待发包方验收。")
                    } else {
                        format!("订单 {order_id}，金额 {yuan} 元，{} 天。发包方托管费用后即可开始服务。", d.days)
                    },
                ),
                (
                    format!("Deal on “{}”", demand.title),
                    if delivered {
                        format!("Your work won: {yuan} yuan, waiting for acceptance.")
                    } else {
                        format!("Order {order_id}: {yuan} yuan, {} days. Work starts once the enterprise pays into escrow.", d.days)
                    },
                ),
            ),
            notice(
                notices::organisation(&demand.organisation_id),
                "order.created",
                (
                    format!("「{}」已成交，订单 {order_id}", demand.title),
                    if delivered {
                        "请验收中选作品；已列入平台重点孵化项目。".to_owned()
                    } else {
                        format!("请托管 {yuan} 元后服务开始；已列入平台重点孵化项目，可申请服务补贴券。")
                    },
                ),
                (
                    format!("Deal on “{}”: order {order_id}", demand.title),
                    if delivered {
                        "Accept the winning work; the project is on the platform's key incubation list.".to_owned()
                    } else {
                        format!("Pay {yuan} yuan into escrow to start; the project is on the key incubation list and may apply for a service subsidy.")
                    },
                ),
            ),
        ],
        now,
    )
    .await?;
    Ok(order_id)
}
