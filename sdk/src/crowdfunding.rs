//! The product crowdfunding platform (产品众筹平台), acting with a user's token that carries the
//! `crowdfunding` scope. Amounts go in as the seed writes them (`crowd_amount` in 万元, reward
//! amounts and fees in 元) and come back in fen as well as in 元.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::Error;

/// A project's fields as its initiator writes them.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ProjectDraft {
    /// CROWD_TITLE.
    pub title: String,
    /// One of the nine categories (电视电影 … 其他).
    pub category: String,
    /// One line for lists and shares.
    pub summary: String,
    /// CROWD_INTRO.
    pub intro: String,
    /// TAGS.
    pub tags: String,
    /// The cover image's address.
    pub cover_url: Option<String>,
    /// COMP_ID.
    pub comp_id: Option<String>,
    /// COMP_LINK_NAME.
    pub link_name: Option<String>,
    /// COMP_LINK_MOBILE.
    pub link_mobile: Option<String>,
    /// CROWD_AMOUNT, 万元.
    pub crowd_amount: String,
    /// CROWD_DURATION, days.
    pub duration_days: i64,
    /// The reward tiers (4.2.2).
    pub rewards: Vec<RewardDraft>,
}

/// A reward tier.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct RewardDraft {
    /// REWARD_AMOUNT, 元.
    pub reward_amount: String,
    /// REWARD_BRIEF.
    pub brief: String,
    /// REWARD_CONTENT.
    pub content: String,
    /// REWARD_LIMIT (none: unlimited).
    pub limit: Option<i64>,
    /// EXPRESS_FEE, 元.
    pub express_fee: Option<String>,
    /// REBACK_DATE, days after the end.
    pub reback_days: Option<i64>,
}

/// A project as the platform shows it.
#[derive(Debug, Clone, Deserialize)]
pub struct Project {
    /// CROWD_ID.
    pub id: String,
    /// draft, submitted, listed, succeeded, failed, rejected or deleted.
    pub state: String,
    /// The state in Chinese.
    pub state_label: String,
    /// Title.
    pub title: String,
    /// Category.
    pub category: String,
    /// Staff feedback after a return.
    pub feedback: Option<String>,
    /// The reason of a pending deletion request.
    pub deletion_reason: Option<String>,
    /// When funding ends (Unix seconds).
    pub ends_at: Option<i64>,
    /// Reward tiers with their backers.
    pub rewards: Vec<Reward>,
    /// Progress.
    pub progress: Progress,
    /// What the caller may do next.
    pub allowed_actions: Vec<String>,
    /// The innovation voucher, once applied for.
    pub voucher: Option<Voucher>,
}

/// A reward tier as shown.
#[derive(Debug, Clone, Deserialize)]
pub struct Reward {
    /// REWARD_ID.
    pub id: String,
    /// Amount in fen.
    pub amount_fen: i64,
    /// Amount in 元.
    pub amount_yuan: String,
    /// Content.
    pub content: String,
    /// Paid backers of this tier.
    pub backers: i64,
    /// Copies left (none: unlimited).
    pub left: Option<i64>,
}

/// Funding progress.
#[derive(Debug, Clone, Deserialize)]
pub struct Progress {
    /// Raised, fen.
    pub raised_fen: i64,
    /// Raised, 元.
    pub raised_yuan: String,
    /// Target, 元.
    pub target_yuan: String,
    /// Distinct backers.
    pub backers: i64,
    /// Percent of the target.
    pub percent: i64,
    /// Days left.
    pub days_left: Option<i64>,
}

/// An innovation voucher (科技创新券).
#[derive(Debug, Clone, Deserialize)]
pub struct Voucher {
    /// applied, approved or rejected.
    pub state: String,
    /// Amount, 元.
    pub amount_yuan: String,
}

/// Backing a reward: copies and the 4.3 buyer and delivery fields.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Backing {
    /// REWARD_ID.
    pub reward_id: String,
    /// REWARD_COPIES.
    pub copies: i64,
    /// BUYER_NAME.
    pub buyer_name: String,
    /// BUYER_LINK_NAME.
    pub buyer_link_name: String,
    /// BUYER_LINK_MOBILE.
    pub buyer_link_mobile: String,
    /// DELIVERY_USER_NAME.
    pub delivery_user_name: String,
    /// DELIVERY_USER_PHONE.
    pub delivery_user_phone: String,
    /// Where to send the reward.
    pub delivery_address: String,
}

/// An order.
#[derive(Debug, Clone, Deserialize)]
pub struct Order {
    /// ORDER_ID.
    pub id: String,
    /// pending, paid, refunded or cancelled.
    pub state: String,
    /// ORDER_AMOUNT in fen.
    pub amount_fen: i64,
    /// Delivery number once shipped.
    pub delivery_no: Option<String>,
    /// EVALUATION.
    pub evaluation: Option<i64>,
}

/// A new order and where its payer pays.
#[derive(Debug, Clone, Deserialize)]
pub struct PlacedOrder {
    /// The order, pending until the payment is confirmed by the gateway.
    pub order: Order,
    /// The gateway's prepay id and payment page (relative to the issuer for the sandbox).
    pub payment: Payment,
}

/// Where to pay.
#[derive(Debug, Clone, Deserialize)]
pub struct Payment {
    /// The gateway's prepay id.
    pub prepay_id: String,
    /// The payment page.
    pub pay_url: String,
}

/// One audit entry.
#[derive(Debug, Clone, Deserialize)]
pub struct AuditEntry {
    /// Who.
    pub actor: String,
    /// What.
    pub action: String,
    /// From which state.
    pub from_state: Option<String>,
    /// To which state.
    pub to_state: Option<String>,
    /// Why.
    pub reason: Option<String>,
    /// When (Unix seconds).
    pub at: i64,
}

/// The crowdfunding platform, acting with one user's token.
pub struct Crowdfunding<'a> {
    api: crate::bearer::Endpoint<'a>,
}

impl<'a> Crowdfunding<'a> {
    pub(crate) fn new(
        http: &'a reqwest::Client,
        issuer: &str,
        bearer: crate::bearer::Bearer<'a>,
    ) -> Self {
        Crowdfunding {
            api: crate::bearer::Endpoint::new(http, issuer, "crowdfunding", bearer),
        }
    }

    /// The nine project categories (电视电影 … 其他).
    pub async fn categories(&self) -> Result<Vec<String>, Error> {
        #[derive(Deserialize)]
        struct Categories {
            categories: Vec<String>,
        }
        Ok(self
            .api
            .send::<Categories>(self.api.http.get(format!("{}/categories", self.api.base)))
            .await?
            .categories)
    }

    /// 发起众筹: a new draft.
    ///
    /// ```no_run
    /// # async fn demo(client: nx_sdk::Client, token: String) -> Result<(), nx_sdk::Error> {
    /// use nx_sdk::crowdfunding::{ProjectDraft, RewardDraft};
    /// let draft = ProjectDraft {
    ///     title: "枸杞色智能手环".into(),
    ///     category: "智能穿戴".into(),
    ///     crowd_amount: "20.00".into(),
    ///     duration_days: 30,
    ///     rewards: vec![RewardDraft { reward_amount: "199.00".into(), limit: Some(50), ..Default::default() }],
    ///     ..Default::default()
    /// };
    /// let project = client.crowdfunding(&token).create(&draft).await?;
    /// client.crowdfunding(&token).act(&project.id, "submit", None).await?;
    /// # Ok(()) }
    /// ```
    pub async fn create(&self, draft: &ProjectDraft) -> Result<Project, Error> {
        self.api
            .send(
                self.api
                    .http
                    .post(format!("{}/projects", self.api.base))
                    .json(draft),
            )
            .await
    }

    /// 修改项目资料 (drafts only).
    pub async fn update(&self, id: &str, draft: &ProjectDraft) -> Result<Project, Error> {
        self.api
            .send(
                self.api
                    .http
                    .put(format!("{}/projects/{id}", self.api.base))
                    .json(draft),
            )
            .await
    }

    /// One project with its progress and the caller's next actions.
    pub async fn project(&self, id: &str) -> Result<Project, Error> {
        self.api
            .send(
                self.api
                    .http
                    .get(format!("{}/projects/{id}", self.api.base)),
            )
            .await
    }

    /// Listed projects, optionally of one category, ranked by `newest`, `ending_soon`,
    /// `popular` (backers in the last 7 days) or `funded_ratio`.
    pub async fn list(&self, category: Option<&str>, ranking: &str) -> Result<Vec<Project>, Error> {
        #[derive(Deserialize)]
        struct Items {
            items: Vec<Project>,
        }
        let mut request = self
            .api
            .http
            .get(format!("{}/projects", self.api.base))
            .query(&[("sort", ranking)]);
        if let Some(c) = category {
            request = request.query(&[("category", c)]);
        }
        Ok(self.api.send::<Items>(request).await?.items)
    }

    /// A transition: `submit`, `approve`, `return`, `reject`, `request-deletion`, `delete`. A
    /// refused one is [`Error::Refused`] with status 409 and the `current_state` and
    /// `allowed_actions` in the problem.
    pub async fn act(
        &self,
        id: &str,
        action: &str,
        reason: Option<&str>,
    ) -> Result<Project, Error> {
        let request = self
            .api
            .http
            .post(format!("{}/projects/{id}/actions/{action}", self.api.base));
        let request = match reason {
            Some(r) => request.json(&serde_json::json!({ "reason": r })),
            None => request,
        };
        self.api.send(request).await
    }

    /// 参与众筹: back a reward; pay at `payment.pay_url`.
    pub async fn back(&self, project_id: &str, backing: &Backing) -> Result<PlacedOrder, Error> {
        self.api
            .send(
                self.api
                    .http
                    .post(format!("{}/projects/{project_id}/orders", self.api.base))
                    .json(backing),
            )
            .await
    }

    /// One order (the backer's, the initiator's or staff's view).
    pub async fn order(&self, id: &str) -> Result<Order, Error> {
        self.api
            .send(self.api.http.get(format!("{}/orders/{id}", self.api.base)))
            .await
    }

    /// The initiator records a delivery.
    pub async fn deliver(
        &self,
        order_id: &str,
        date: &str,
        kind: &str,
        number: &str,
    ) -> Result<Order, Error> {
        let body = serde_json::json!({ "delivery_date": date, "delivery_type": kind, "delivery_no": number });
        self.api
            .send(
                self.api
                    .http
                    .post(format!("{}/orders/{order_id}/delivery", self.api.base))
                    .json(&body),
            )
            .await
    }

    /// The backer evaluates (1 很满意 … 5 差).
    pub async fn evaluate(
        &self,
        order_id: &str,
        evaluation: i64,
        remark: Option<&str>,
    ) -> Result<Order, Error> {
        let body = serde_json::json!({ "evaluation": evaluation, "remark": remark });
        self.api
            .send(
                self.api
                    .http
                    .post(format!("{}/orders/{order_id}/evaluation", self.api.base))
                    .json(&body),
            )
            .await
    }

    /// 众筹补贴申请: apply for an innovation voucher.
    pub async fn apply_subsidy(&self, project_id: &str) -> Result<Project, Error> {
        self.api
            .send(
                self.api
                    .http
                    .post(format!("{}/projects/{project_id}/subsidy", self.api.base)),
            )
            .await
    }

    /// Staff: approve or reject a voucher application.
    pub async fn decide_subsidy(
        &self,
        project_id: &str,
        approve: bool,
        reason: Option<&str>,
    ) -> Result<Project, Error> {
        let decision = if approve { "approve" } else { "reject" };
        self.api
            .send(
                self.api
                    .http
                    .post(format!(
                        "{}/projects/{project_id}/subsidy/{decision}",
                        self.api.base
                    ))
                    .json(&serde_json::json!({ "reason": reason })),
            )
            .await
    }

    /// The project's audit trail (initiator and staff).
    pub async fn audit(&self, project_id: &str) -> Result<Vec<AuditEntry>, Error> {
        #[derive(Deserialize)]
        struct Entries {
            entries: Vec<AuditEntry>,
        }
        Ok(self
            .api
            .send::<Entries>(
                self.api
                    .http
                    .get(format!("{}/projects/{project_id}/audit", self.api.base)),
            )
            .await?
            .entries)
    }

    /// Staff: close every project whose period has ended now (the scheduler does this too).
    pub async fn run_scheduler(&self) -> Result<u64, Error> {
        let v: Value = self
            .api
            .send(
                self.api
                    .http
                    .post(format!("{}/scheduler/run", self.api.base)),
            )
            .await?;
        Ok(v["closed"].as_u64().unwrap_or_default())
    }
}
