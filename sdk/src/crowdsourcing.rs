//! The business crowdsourcing platform (业务众包平台), acting with a user's token that carries
//! the `crowdsourcing` scope (staff calls also need `crowdsourcing:staff`). A demand's fee goes
//! in as the seed writes DEMAND_FEE (万元); prices, offers and refunds in 元; amounts come back
//! in fen (`*_fen`). Ratings use the seed's scale: 1 = 非常满意 (best) … 5 = 差 (worst).

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::error::Error;

/// A demand as an enterprise writes it (5.4 and the restrictions).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct DemandDraft {
    /// `reward` (悬赏), `tender` (招标) or `direct` (指定).
    pub mode: String,
    /// DEMAND_TITLE.
    pub title: String,
    /// DEMAND_DESCRIBE.
    pub description: String,
    /// DEMAND_FEE, 万元.
    pub fee: String,
    /// DEMAND_CYCLE, days.
    pub cycle_days: i64,
    /// EXPIRY_DATE, yyyy-mm-dd.
    pub expiry_date: String,
    /// A service class code ([`Crowdsourcing::service_classes`]).
    pub service_class: String,
    /// The demand's industry code.
    pub industry_code: String,
    /// Restriction: division codes a provider must be in (empty: anywhere).
    pub regions: Vec<String>,
    /// Restriction: industry codes a provider must be in (empty: any).
    pub industries: Vec<String>,
    /// Direct mode: the named service product.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub direct_product_id: Option<String>,
    /// CHARGER_NAME.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub charger_name: Option<String>,
    /// CHARGER_MOBILE.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub charger_mobile: Option<String>,
    /// COMP_ADDRESS.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comp_address: Option<String>,
}

/// A demand as the platform shows it.
#[derive(Debug, Clone, Deserialize)]
pub struct Demand {
    /// DEMAND_NO.
    pub id: String,
    /// The publishing (or owning) organisation.
    pub organisation_id: String,
    /// draft, submitted, awaiting_escrow, listed, dealt, expired, rejected or deleted.
    pub state: String,
    /// The state in Chinese.
    pub state_label: Option<String>,
    /// reward, tender or direct.
    pub mode: String,
    /// The mode in Chinese (悬赏, 招标, 指定).
    pub mode_label: Option<String>,
    /// DEMAND_TITLE.
    pub title: String,
    /// DEMAND_DESCRIBE.
    pub description: String,
    /// The platform's fee, fen.
    pub fee_fen: i64,
    /// DEMAND_CYCLE, days.
    pub cycle_days: i64,
    /// EXPIRY_DATE.
    pub expiry_date: String,
    /// SERVICE_CLASS.
    pub service_class: String,
    /// Region restriction, `;`-separated.
    pub regions: String,
    /// Industry restriction, `;`-separated.
    pub industries: String,
    /// Direct mode: the named provider.
    pub direct_provider_id: Option<String>,
    /// Staff's feedback on the last review.
    pub feedback: Option<String>,
    /// A change waiting for staff re-review (JSON).
    pub pending_change: Option<String>,
    /// A deletion waiting for staff re-review.
    pub deletion_reason: Option<String>,
    /// SERVICE_ORDER_NO once dealt.
    pub order_id: Option<String>,
    /// SERVER_ORG_ID once dealt.
    pub server_org_id: Option<String>,
    /// On the 重点孵化项目 list.
    pub key_project: bool,
    /// What the caller may do now.
    #[serde(default)]
    pub allowed_actions: Vec<String>,
    /// Responses so far.
    #[serde(default)]
    pub responses: i64,
    /// A reward demand's escrow (owner and staff).
    pub escrow: Option<Escrow>,
}

/// Money held by the platform: paid = released + refunded + held.
#[derive(Debug, Clone, Deserialize)]
pub struct Escrow {
    /// Its id.
    pub id: String,
    /// The amount, fen.
    pub amount_fen: i64,
    /// pending, held or closed.
    pub state: String,
    /// Paid in, fen.
    pub paid_fen: i64,
    /// Released to the provider (fee included), fen.
    pub released_fen: i64,
    /// The platform's fee, fen.
    pub fee_fen: i64,
    /// Refunded, fen.
    pub refunded_fen: i64,
    /// Still held, fen.
    pub held_fen: i64,
}

/// Where to pay an escrow.
#[derive(Debug, Clone, Deserialize)]
pub struct EscrowPayment {
    /// The escrow.
    pub escrow: Escrow,
    /// Where to pay.
    pub payment: Payment,
}

/// The gateway's prepay id and payment page (relative to the issuer for the sandbox).
#[derive(Debug, Clone, Deserialize)]
pub struct Payment {
    /// The gateway's prepay id.
    pub prepay_id: String,
    /// The payment page.
    pub pay_url: String,
}

/// A provider's proposal (in reward mode, its work).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Proposal {
    /// The approach (or the work).
    pub approach: String,
    /// 元.
    pub price: String,
    /// Days.
    pub duration_days: i64,
    /// Links to files.
    pub attachments: Vec<String>,
}

/// A response with its provider.
#[derive(Debug, Clone, Deserialize)]
pub struct Response {
    /// Its id.
    pub id: String,
    /// The demand.
    pub demand_id: String,
    /// The provider organisation.
    pub provider_org_id: String,
    /// open, selected, not_selected or declined.
    pub state: String,
    /// The approach (or the work).
    pub approach: String,
    /// The price, fen.
    pub price_fen: i64,
    /// Days.
    pub duration_days: i64,
    /// The provider's name.
    pub provider_name: String,
    /// The provider's comprehensive rating.
    pub provider_rating: Score,
}

/// A comprehensive rating: the mean of overall scores, lower is better.
#[derive(Debug, Clone, Deserialize)]
pub struct Score {
    /// The mean overall score (1 best … 5 worst).
    pub average: Option<f64>,
    /// How many scores.
    pub count: i64,
}

/// Terms offered in a negotiation thread.
#[derive(Debug, Clone, Serialize)]
pub struct Offer {
    /// 元.
    pub amount: String,
    /// Days to deliver.
    pub delivery_days: i64,
    /// How the work is delivered.
    pub delivery_method: String,
}

/// A message of a negotiation thread.
#[derive(Debug, Clone, Deserialize)]
pub struct Message {
    /// Its id.
    pub id: String,
    /// Its place in the thread.
    pub seq: i64,
    /// enterprise or provider.
    pub author_side: String,
    /// The text.
    pub body: String,
    /// Offered amount, fen.
    pub offer_amount_fen: Option<i64>,
    /// Offered days.
    pub offer_days: Option<i64>,
    /// Offered delivery method.
    pub offer_method: Option<String>,
    /// open, agreed or superseded (none: a plain message).
    pub offer_state: Option<String>,
}

/// A service order (5.3) with everything around it.
#[derive(Debug, Clone, Deserialize)]
pub struct Order {
    /// SERVICE_ORDER_NO.
    pub id: String,
    /// The demand.
    pub demand_id: String,
    /// The enterprise (发包方).
    pub enterprise_org_id: String,
    /// The provider organisation.
    pub provider_org_id: String,
    /// awaiting_escrow, in_progress, delivered, disputed, completed, partially_refunded,
    /// refunded or cancelled.
    pub state: String,
    /// The amount, fen.
    pub amount_fen: i64,
    /// Days to deliver.
    pub delivery_days: i64,
    /// How the work is delivered.
    pub delivery_method: String,
    /// Times sent back.
    pub rework_rounds: i64,
    /// When silence counts as acceptance (Unix seconds).
    pub auto_accept_at: Option<i64>,
    /// ALLOWANCE once a subsidy is approved.
    pub allowance_fen: Option<i64>,
    /// Allowed actions.
    #[serde(default)]
    pub allowed_actions: Vec<String>,
    /// The escrow.
    pub escrow: Option<Escrow>,
    /// Deliveries, as JSON.
    #[serde(default)]
    pub deliveries: Vec<Value>,
    /// Disputes, as JSON.
    #[serde(default)]
    pub disputes: Vec<Value>,
    /// Evaluations, as JSON.
    #[serde(default)]
    pub evaluations: Vec<Value>,
    /// The subsidy application, as JSON.
    pub subsidy: Option<Value>,
}

/// A delivery.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Delivery {
    /// What was delivered.
    pub note: String,
    /// Links to the work.
    pub links: Vec<String>,
    /// Uploaded attachments of the order.
    pub attachment_ids: Vec<String>,
}

/// An uploaded attachment.
#[derive(Debug, Clone, Deserialize)]
pub struct Attachment {
    /// Its id.
    pub id: String,
    /// The file name.
    pub name: String,
    /// Its size.
    pub size_bytes: i64,
}

/// Scores on the seed's scale (1 = 非常满意 … 5 = 差): the enterprise gives `quality`,
/// `cycle`, `on_time`; the provider `communication`, `payment`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Evaluation {
    /// Quality of the work.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quality: Option<i64>,
    /// Length of the cycle.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cycle: Option<i64>,
    /// Delivery on time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub on_time: Option<i64>,
    /// Ease of communication.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub communication: Option<i64>,
    /// Payment on time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment: Option<i64>,
    /// Remarks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remark: Option<String>,
}

/// A service organisation with its products and rating.
#[derive(Debug, Clone, Deserialize)]
pub struct Provider {
    /// The publishing (or owning) organisation.
    pub organisation_id: String,
    /// ORG_NAME.
    pub org_name: String,
    /// AREA_COUNTY.
    pub area_county: String,
    /// INDUSTRY_CODE.
    pub industry_code: String,
    /// The 5.1 record.
    pub profile: Value,
    /// Its service products.
    pub products: Vec<Product>,
    /// Its rating as a provider.
    pub rating: Score,
    /// For suggestions: how well it matches (0 to 3).
    pub match_score: Option<i64>,
}

/// A service product (5.2).
#[derive(Debug, Clone, Deserialize)]
pub struct Product {
    /// SERVICE_ITEM_ID.
    pub id: String,
    /// The publishing (or owning) organisation.
    pub organisation_id: String,
    /// SERVICE_NAME.
    pub service_name: String,
    /// SERVICE_CLASS.
    pub service_class: String,
    /// The 5.2 record.
    pub record: Value,
}

/// The crowdsourcing platform, acting with one user's token.
pub struct Crowdsourcing<'a> {
    api: crate::bearer::Endpoint<'a>,
}

impl<'a> Crowdsourcing<'a> {
    pub(crate) fn new(
        http: &'a reqwest::Client,
        issuer: &str,
        bearer: crate::bearer::Bearer<'a>,
    ) -> Self {
        Crowdsourcing {
            api: crate::bearer::Endpoint::new(http, issuer, "crowdsourcing", bearer),
        }
    }

    async fn get<T: serde::de::DeserializeOwned>(&self, path: &str) -> Result<T, Error> {
        self.api
            .send(self.api.http.get(format!("{}{path}", self.api.base)))
            .await
    }

    async fn post<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        body: Option<Value>,
    ) -> Result<T, Error> {
        let request = self.api.http.post(format!("{}{path}", self.api.base));
        let request = match body {
            Some(body) => request.json(&body),
            None => request,
        };
        self.api.send(request).await
    }

    fn reason(reason: Option<&str>) -> Option<Value> {
        reason.map(|r| json!({ "reason": r }))
    }

    /// The service class codes with their names: `(code, 中文, English)`.
    pub async fn service_classes(&self) -> Result<Vec<(String, String, String)>, Error> {
        #[derive(Deserialize)]
        struct Class {
            code: String,
            zh: String,
            en: String,
        }
        let classes: Vec<Class> = self.get("/service-classes").await?;
        Ok(classes.into_iter().map(|c| (c.code, c.zh, c.en)).collect())
    }

    /// 统一门户: listed demands; `filters` are query pairs (`class`, `region`, `industry`,
    /// `fee_min`, `fee_max`, `mode`, `mine`, `limit`, `offset`).
    ///
    /// ```no_run
    /// # async fn demo(client: nx_sdk::Client, token: String) -> Result<(), nx_sdk::Error> {
    /// let design = client
    ///     .crowdsourcing(&token)
    ///     .demands(&[("class", "CPSJ"), ("region", "640104")])
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub async fn demands(&self, filters: &[(&str, &str)]) -> Result<Vec<Demand>, Error> {
        #[derive(Deserialize)]
        struct Items {
            items: Vec<Demand>,
        }
        let request = self
            .api
            .http
            .get(format!("{}/demands", self.api.base))
            .query(filters);
        Ok(self.api.send::<Items>(request).await?.items)
    }

    /// 发布服务: a new draft.
    pub async fn create_demand(&self, draft: &DemandDraft) -> Result<Demand, Error> {
        self.post("/demands", Some(json!(draft))).await
    }

    /// One demand with the caller's next actions.
    pub async fn demand(&self, id: &str) -> Result<Demand, Error> {
        self.get(&format!("/demands/{id}")).await
    }

    /// 修改服务: a draft changes at once; a listed demand's change waits for staff re-review.
    pub async fn update_demand(&self, id: &str, draft: &DemandDraft) -> Result<Demand, Error> {
        self.api
            .send(
                self.api
                    .http
                    .put(format!("{}/demands/{id}", self.api.base))
                    .json(draft),
            )
            .await
    }

    /// A transition: `submit`, `approve`, `return`, `reject`, `confirm-change`,
    /// `refuse-change`, `delete`, `request-deletion`, `confirm-deletion`, `refuse-deletion`,
    /// `accept-direct`, `decline-direct`, `expire`. A refused one is [`Error::Refused`] with
    /// status 409, `current_state` and `allowed_actions`.
    pub async fn act(&self, id: &str, action: &str, reason: Option<&str>) -> Result<Demand, Error> {
        self.post(
            &format!("/demands/{id}/actions/{action}"),
            Self::reason(reason),
        )
        .await
    }

    /// The audit trail of a demand and its order, as JSON entries.
    pub async fn audit(&self, id: &str) -> Result<Vec<Value>, Error> {
        let v: Value = self.get(&format!("/demands/{id}/audit")).await?;
        Ok(v["entries"].as_array().cloned().unwrap_or_default())
    }

    /// A reward demand's fee into escrow; pay at `payment.pay_url`.
    pub async fn pay_demand_escrow(&self, id: &str) -> Result<EscrowPayment, Error> {
        self.post(&format!("/demands/{id}/escrow"), None).await
    }

    /// The responses to a demand.
    pub async fn responses(&self, demand_id: &str) -> Result<Vec<Response>, Error> {
        self.get(&format!("/demands/{demand_id}/responses")).await
    }

    /// 项目响应: a proposal (in reward mode, the work).
    pub async fn respond(&self, demand_id: &str, proposal: &Proposal) -> Result<Response, Error> {
        self.post(
            &format!("/demands/{demand_id}/responses"),
            Some(json!(proposal)),
        )
        .await
    }

    /// Providers that suit a demand, best first.
    pub async fn suggested_providers(&self, demand_id: &str) -> Result<Vec<Provider>, Error> {
        self.get(&format!("/demands/{demand_id}/suggested-providers"))
            .await
    }

    /// The owner chooses a response (reward: the winning work; tender: its proposal).
    pub async fn select(&self, response_id: &str) -> Result<Order, Error> {
        self.post(&format!("/responses/{response_id}/select"), None)
            .await
    }

    /// The negotiation thread of a response.
    pub async fn thread(&self, response_id: &str) -> Result<Vec<Message>, Error> {
        self.get(&format!("/responses/{response_id}/messages"))
            .await
    }

    /// 线上服务对接: a message, with terms offered or not.
    pub async fn send_message(
        &self,
        response_id: &str,
        body: &str,
        offer: Option<&Offer>,
    ) -> Result<Message, Error> {
        self.post(
            &format!("/responses/{response_id}/messages"),
            Some(json!({ "body": body, "offer": offer })),
        )
        .await
    }

    /// The other side accepts an offer: the deal is made on its terms.
    pub async fn accept_offer(&self, response_id: &str, message_id: &str) -> Result<Order, Error> {
        self.post(
            &format!("/responses/{response_id}/messages/{message_id}/accept"),
            None,
        )
        .await
    }

    /// The caller's orders (staff: all), optionally in one state.
    pub async fn orders(&self, state: Option<&str>) -> Result<Vec<Value>, Error> {
        let mut request = self.api.http.get(format!("{}/orders", self.api.base));
        if let Some(s) = state {
            request = request.query(&[("state", s)]);
        }
        self.api.send(request).await
    }

    /// One order.
    pub async fn order(&self, id: &str) -> Result<Order, Error> {
        self.get(&format!("/orders/{id}")).await
    }

    /// The agreed amount into escrow; pay at `payment.pay_url`.
    pub async fn pay_order_escrow(&self, id: &str) -> Result<EscrowPayment, Error> {
        self.post(&format!("/orders/{id}/escrow"), None).await
    }

    /// Calls an unpaid order off.
    pub async fn cancel(&self, id: &str, reason: Option<&str>) -> Result<Order, Error> {
        self.post(&format!("/orders/{id}/cancel"), Self::reason(reason))
            .await
    }

    /// Uploads an attachment to an order (at most the platform's size, 5 MiB by default).
    pub async fn upload(
        &self,
        order_id: &str,
        name: &str,
        content_type: &str,
        content: Vec<u8>,
    ) -> Result<Attachment, Error> {
        let request = self
            .api
            .http
            .post(format!("{}/orders/{order_id}/attachments", self.api.base))
            .query(&[("name", name)])
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .body(content);
        self.api.send(request).await
    }

    /// An attachment's content (the order's two sides and staff).
    pub async fn download(&self, attachment_id: &str) -> Result<Vec<u8>, Error> {
        self.api
            .send_for_bytes(
                self.api
                    .http
                    .get(format!("{}/attachments/{attachment_id}", self.api.base)),
            )
            .await
    }

    /// 交付.
    pub async fn deliver(&self, order_id: &str, delivery: &Delivery) -> Result<Order, Error> {
        self.post(
            &format!("/orders/{order_id}/deliveries"),
            Some(json!(delivery)),
        )
        .await
    }

    /// 验收: the escrow is released to the provider.
    pub async fn accept(&self, order_id: &str) -> Result<Order, Error> {
        self.post(&format!("/orders/{order_id}/accept"), None).await
    }

    /// 退回返工, with a reason.
    pub async fn rework(&self, order_id: &str, reason: &str) -> Result<Order, Error> {
        self.post(
            &format!("/orders/{order_id}/rework"),
            Self::reason(Some(reason)),
        )
        .await
    }

    /// 发起争议.
    pub async fn open_dispute(
        &self,
        order_id: &str,
        reason: &str,
        evidence: &str,
    ) -> Result<Order, Error> {
        self.post(
            &format!("/orders/{order_id}/dispute"),
            Some(json!({ "reason": reason, "evidence": evidence })),
        )
        .await
    }

    /// 答复争议.
    pub async fn answer_dispute(&self, order_id: &str, answer: &str) -> Result<Order, Error> {
        self.post(
            &format!("/orders/{order_id}/dispute/answer"),
            Some(json!({ "answer": answer })),
        )
        .await
    }

    /// Staff: `release`, `partial_refund` (with `refund_amount` in 元) or `full_refund`.
    pub async fn decide_dispute(
        &self,
        order_id: &str,
        decision: &str,
        refund_amount: Option<&str>,
        note: Option<&str>,
    ) -> Result<Order, Error> {
        self.post(
            &format!("/orders/{order_id}/dispute/decision"),
            Some(json!({ "decision": decision, "refund_amount": refund_amount, "note": note })),
        )
        .await
    }

    /// 服务评价 (once per side).
    pub async fn evaluate(&self, order_id: &str, evaluation: &Evaluation) -> Result<Order, Error> {
        self.post(
            &format!("/orders/{order_id}/evaluation"),
            Some(json!(evaluation)),
        )
        .await
    }

    /// 申请服务补贴.
    pub async fn apply_subsidy(&self, order_id: &str) -> Result<Order, Error> {
        self.post(&format!("/orders/{order_id}/subsidy"), None)
            .await
    }

    /// Staff: approve or reject a subsidy application.
    pub async fn decide_subsidy(
        &self,
        order_id: &str,
        approve: bool,
        reason: Option<&str>,
    ) -> Result<Order, Error> {
        let decision = if approve { "approve" } else { "reject" };
        self.post(
            &format!("/orders/{order_id}/subsidy/{decision}"),
            Self::reason(reason),
        )
        .await
    }

    /// 服务机构信息: the caller's organisation's profile as its 5.1 record.
    pub async fn save_profile(&self, record: &Value) -> Result<Provider, Error> {
        self.api
            .send(
                self.api
                    .http
                    .put(format!("{}/providers/me", self.api.base))
                    .json(record),
            )
            .await
    }

    /// Open demands that suit the caller's organisation.
    pub async fn matching_demands(&self) -> Result<Vec<Demand>, Error> {
        self.get("/providers/me/matching-demands").await
    }

    /// A provider's profile, products and rating.
    pub async fn provider(&self, organisation_id: &str) -> Result<Provider, Error> {
        self.get(&format!("/providers/{organisation_id}")).await
    }

    /// Service products, by class and/or provider.
    pub async fn products(
        &self,
        class: Option<&str>,
        provider: Option<&str>,
    ) -> Result<Vec<Product>, Error> {
        let mut request = self.api.http.get(format!("{}/products", self.api.base));
        if let Some(c) = class {
            request = request.query(&[("class", c)]);
        }
        if let Some(p) = provider {
            request = request.query(&[("provider", p)]);
        }
        self.api.send(request).await
    }

    /// A new service product as its 5.2 record.
    pub async fn add_product(&self, record: &Value) -> Result<Product, Error> {
        self.post("/products", Some(record.clone())).await
    }

    /// Staff: what waits for review (`demands`, `subsidies`, `disputes`).
    pub async fn review_queue(&self) -> Result<Value, Error> {
        self.get("/review-queue").await
    }

    /// Staff: the key incubation projects.
    pub async fn key_projects(&self) -> Result<Vec<Demand>, Error> {
        self.get("/key-projects").await
    }

    /// Staff: the statistics as last counted (`computed_at`), or counted now when `fresh`.
    pub async fn statistics(&self, fresh: bool) -> Result<Value, Error> {
        self.get(if fresh {
            "/statistics?fresh=true"
        } else {
            "/statistics"
        })
        .await
    }

    /// Staff: accept silent deliveries and close expired demands now; answers
    /// `(auto_accepted, expired)`.
    pub async fn run_scheduler(&self) -> Result<(u64, u64), Error> {
        let v: Value = self.post("/scheduler/run", None).await?;
        Ok((
            v["auto_accepted"].as_u64().unwrap_or_default(),
            v["expired"].as_u64().unwrap_or_default(),
        ))
    }
}
