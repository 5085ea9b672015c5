//! The financing services platform (融资服务平台): bridge loans (转贷资金), risk compensation
//! (小微企业风险补偿金: equity pledge and guarantee insurance) and leasing subsidies (融资租赁补贴),
//! acting with a user's token that carries the `financing` scope (staff calls also need
//! `financing:staff`). An application's record goes in with the seed's element names and
//! amounts in 万元 as the seed writes them; step amounts (a claim's loss, a recovery) in 元;
//! amounts come back in fen (`*_fen`).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::Error;

/// A leased device (6.3.2) as the enterprise enters it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Device {
    /// Device_name: the device and how many.
    pub name: String,
    /// The lease amount, 元.
    pub price: String,
    /// Finance_rate as the lessor states it.
    pub finance_rate: String,
    /// The lease term in months.
    pub lease_months: i64,
}

/// A new application or a changed draft.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ApplicationDraft {
    /// `bridge`, `pledge`, `insurance`, `direct` or `leaseback`.
    pub business: String,
    /// The lending bank's organisation id (bridge and risk compensation).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bank_org_id: Option<String>,
    /// The insurer's organisation id (guarantee insurance).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub insurer_org_id: Option<String>,
    /// The enterprise's county, 6 digits.
    pub region_code: String,
    /// Bridge: the maturing loan's purpose, term (months) and rate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub loan_purpose: Option<String>,
    /// Bridge: the maturing loan's term in months.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub loan_term_months: Option<i64>,
    /// Bridge: the maturing loan's interest rate as its contract states it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub loan_rate: Option<String>,
    /// The catalogue record's fields (6.1, 6.2 or 6.3.1) by the seed's names.
    pub record: Value,
    /// Leasing: the leased devices.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub devices: Vec<Device>,
}

/// What a step may carry.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Step {
    /// Why (returns, rejections, refused claims), shown to the enterprise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Bank approval of a bridge: Bank_charge_man (贷款银行负责人).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bank_charge_man: Option<String>,
    /// Bank approval of a bridge: Bank_manage_man (经办人).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bank_manage_man: Option<String>,
    /// Custody (托管): the registration reference at the equity custody centre.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custody_ref: Option<String>,
    /// Policy issued (投保): the policy number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy_no: Option<String>,
    /// A claim's unpaid principal, 元.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub loss: Option<String>,
    /// A recovery (追偿), 元.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recovered: Option<String>,
}

/// A document on file.
#[derive(Debug, Clone, Deserialize)]
pub struct Document {
    /// Its id (an application's is its Apply_no).
    pub id: String,
    /// The application it belongs to.
    pub application_id: String,
    /// Its kind (`document_kinds`).
    pub kind: String,
    /// 1 for the first of its kind; a changed document is the next version.
    pub version: i64,
    /// The file's name.
    pub name: String,
    /// What its first bytes show: application/pdf, image/jpeg or image/png.
    pub content_type: String,
    /// Its size in bytes.
    pub size_bytes: i64,
    /// SHA-256 of the content, lowercase hex.
    pub sha256: String,
}

/// An application as the platform shows it to the caller.
#[derive(Debug, Clone, Deserialize)]
pub struct Application {
    /// Apply_no.
    pub id: String,
    /// `bridge`, `compensation` or `leasing`.
    pub product: String,
    /// `bridge`, `pledge`, `insurance`, `direct` or `leaseback`.
    pub business: String,
    /// Where it is (`draft`, `submitted`, `bank_approved`, …).
    pub state: String,
    /// The state in Chinese.
    pub state_label: String,
    /// The applying enterprise.
    pub enterprise_org_id: String,
    /// The enterprise's name.
    pub comp_name: String,
    /// The lending bank.
    pub bank_org_id: Option<String>,
    /// The lending bank's name.
    pub bank_name: Option<String>,
    /// How many of 6.2's four priority flags are set (the review order).
    pub priority: i64,
    /// Bridge: applied for; compensation: the loan; leasing: the total lease (fen).
    pub amount_fen: i64,
    /// What went out, fen.
    pub disbursed_fen: Option<i64>,
    /// When it is due back (Unix seconds).
    pub due_at: Option<i64>,
    /// Bridge: the days it was used.
    pub used_days: Option<i64>,
    /// Bridge: the fee recovered, fen.
    pub fee_fen: Option<i64>,
    /// Guarantee insurance: the premium, fen.
    pub premium_fen: Option<i64>,
    /// A claim's unpaid principal, fen.
    pub loss_fen: Option<i64>,
    /// Paid from the pool, fen.
    pub compensation_fen: Option<i64>,
    /// The region's part of the compensation, fen.
    pub region_share_fen: Option<i64>,
    /// The county's part of the compensation, fen.
    pub county_share_fen: Option<i64>,
    /// The part of the loss the bank bears, fen.
    pub bank_share_fen: Option<i64>,
    /// Recovered after compensation (追偿), fen.
    pub recovered_fen: Option<i64>,
    /// Of that, back to the pool, fen.
    pub pool_back_fen: Option<i64>,
    /// Leasing: the subsidy granted, fen.
    pub subsidy_fen: Option<i64>,
    /// The last return or rejection's reason.
    pub feedback: Option<String>,
    /// The catalogue record as last written.
    pub record: Value,
    /// Leasing: the devices with their computed subsidies.
    pub devices: Vec<Value>,
    /// Every document version on file.
    pub documents: Vec<Document>,
    /// What the caller may do now.
    pub allowed_actions: Vec<String>,
    /// Documents the next steps still need.
    pub missing_documents: Vec<String>,
}

/// A row of a list.
#[derive(Debug, Clone, Deserialize)]
pub struct Summary {
    /// Its id (an application's is its Apply_no).
    pub id: String,
    /// `bridge`, `compensation` or `leasing`.
    pub product: String,
    /// `bridge`, `pledge`, `insurance`, `direct` or `leaseback`.
    pub business: String,
    /// Where it is (`draft`, `submitted`, `bank_approved`, …).
    pub state: String,
    /// The enterprise's name.
    pub comp_name: String,
    /// How many of 6.2's four priority flags are set (the review order).
    pub priority: i64,
    /// Bridge: applied for; compensation: the loan; leasing: the total lease (fen).
    pub amount_fen: i64,
}

/// The financing platform, acting with one user's token.
pub struct Financing<'a> {
    pub(crate) api: crate::bearer::Endpoint<'a>,
}

impl<'a> Financing<'a> {
    pub(crate) fn new(
        http: &'a reqwest::Client,
        issuer: &str,
        bearer: crate::bearer::Bearer<'a>,
    ) -> Self {
        Financing {
            api: crate::bearer::Endpoint::new(http, issuer, "financing", bearer),
        }
    }

    async fn get<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, &str)],
    ) -> Result<T, Error> {
        self.api
            .send(
                self.api
                    .http
                    .get(format!("{}{path}", self.api.base))
                    .query(query),
            )
            .await
    }

    /// The kinds of document, `(code, 中文, English)`.
    pub async fn document_kinds(&self) -> Result<Vec<(String, String, String)>, Error> {
        #[derive(Deserialize)]
        struct Kind {
            code: String,
            zh: String,
            en: String,
        }
        let kinds: Vec<Kind> = self.get("/document-kinds", &[]).await?;
        Ok(kinds.into_iter().map(|k| (k.code, k.zh, k.en)).collect())
    }

    /// The banks and insurers an application can name: `(id, name, kind)`.
    pub async fn partners(&self) -> Result<Vec<(String, String, String)>, Error> {
        #[derive(Deserialize)]
        struct Partner {
            id: String,
            name: String,
            kind: String,
        }
        let list: Vec<Partner> = self.get("/partners", &[]).await?;
        Ok(list.into_iter().map(|p| (p.id, p.name, p.kind)).collect())
    }

    /// 在线申请: a new draft.
    ///
    /// ```no_run
    /// # async fn demo(client: nx_sdk::Client, token: String, bank: String) -> Result<(), nx_sdk::Error> {
    /// use nx_sdk::financing::ApplicationDraft;
    /// let fin = client.financing(&token);
    /// let draft = fin
    ///     .create(&ApplicationDraft {
    ///         business: "bridge".into(),
    ///         bank_org_id: Some(bank),
    ///         region_code: "640106".into(),
    ///         record: serde_json::json!({"Comp_name": "宁夏塞上智造科技有限公司",
    ///             "Expire_loan_acount": "500.00", "Expire_date": "2026-12-15",
    ///             "Loan_amount": "500.00", "Loan_apply": "300.00", "Self_repay_amount": "200.00"}),
    ///         ..Default::default()
    ///     })
    ///     .await?;
    /// fin.act(&draft.id, "submit", None).await?;
    /// # Ok(()) }
    /// ```
    pub async fn create(&self, draft: &ApplicationDraft) -> Result<Application, Error> {
        self.api
            .send(
                self.api
                    .http
                    .post(format!("{}/applications", self.api.base))
                    .json(draft),
            )
            .await
    }

    /// Changes a draft.
    pub async fn update(&self, id: &str, draft: &ApplicationDraft) -> Result<Application, Error> {
        self.api
            .send(
                self.api
                    .http
                    .put(format!("{}/applications/{id}", self.api.base))
                    .json(draft),
            )
            .await
    }

    /// One application with the caller's next actions.
    pub async fn application(&self, id: &str) -> Result<Application, Error> {
        self.get(&format!("/applications/{id}"), &[]).await
    }

    /// Applications the caller may see; `product` and `state` narrow it (a state is a review
    /// queue, priority enterprises first).
    pub async fn applications(
        &self,
        product: Option<&str>,
        state: Option<&str>,
    ) -> Result<Vec<Summary>, Error> {
        let mut query = Vec::new();
        if let Some(p) = product {
            query.push(("product", p));
        }
        if let Some(s) = state {
            query.push(("state", s));
        }
        self.get("/applications", &query).await
    }

    /// A step (`submit`, `bank_approve`, `approve`, `verify`, `disburse`, `recover`, `archive`,
    /// `custody`, `file`, `underwrite`, `issue_policy`, `settle`, `mark_overdue`, `claim`,
    /// `verify_claim`, `refuse_claim`, `compensate`, `grant`, `pay`, `return`, `reject`,
    /// `withdraw`). A refused one is [`Error::Refused`] with status 409 and `current_state`
    /// and `allowed_actions`, or `limit-exceeded` with the figures.
    pub async fn act(
        &self,
        id: &str,
        action: &str,
        step: Option<&Step>,
    ) -> Result<Application, Error> {
        let request = self.api.http.post(format!(
            "{}/applications/{id}/actions/{action}",
            self.api.base
        ));
        let request = match step {
            Some(step) => request.json(step),
            None => request,
        };
        self.api.send(request).await
    }

    /// The audit trail, as JSON entries.
    pub async fn audit(&self, id: &str) -> Result<Vec<Value>, Error> {
        let v: Value = self.get(&format!("/applications/{id}/audit"), &[]).await?;
        Ok(v["entries"].as_array().cloned().unwrap_or_default())
    }

    /// Uploads a document (PDF, JPEG or PNG); a second one of a kind is its next version.
    pub async fn upload(
        &self,
        id: &str,
        kind: &str,
        name: &str,
        content: Vec<u8>,
    ) -> Result<Document, Error> {
        let request = self
            .api
            .http
            .post(format!("{}/applications/{id}/documents", self.api.base))
            .query(&[("kind", kind), ("name", name)])
            .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
            .body(content);
        self.api.send(request).await
    }

    /// A document's content (the parties and staff).
    pub async fn download(&self, document_id: &str) -> Result<Vec<u8>, Error> {
        self.api
            .send_for_bytes(
                self.api
                    .http
                    .get(format!("{}/documents/{document_id}", self.api.base)),
            )
            .await
    }

    /// A page of the bridge supervision table.
    pub async fn bridge_supervision(
        &self,
        search: Option<&str>,
        offset: i64,
    ) -> Result<Value, Error> {
        let offset = offset.to_string();
        let mut query = vec![("offset", offset.as_str())];
        if let Some(s) = search {
            query.push(("search", s));
        }
        self.get("/supervision/bridges", &query).await
    }

    /// A bridge's detail view.
    pub async fn bridge_detail(&self, id: &str) -> Result<Value, Error> {
        self.get(&format!("/supervision/bridges/{id}"), &[]).await
    }

    /// Each leasing subsidy with its use.
    pub async fn leasing_supervision(&self) -> Result<Vec<Value>, Error> {
        self.get("/supervision/leasing", &[]).await
    }

    /// The statistics (staff): `by` month, quarter or year; `from` and `to` as yyyy-mm.
    pub async fn statistics(&self, by: &str, from: &str, to: &str) -> Result<Value, Error> {
        self.get("/statistics", &[("by", by), ("from", from), ("to", to)])
            .await
    }

    /// The funds (staff).
    pub async fn funds(&self) -> Result<Value, Error> {
        self.get("/funds", &[]).await
    }

    /// Puts an enterprise into a group of affiliated enterprises (staff).
    pub async fn set_affiliation(
        &self,
        organisation_id: &str,
        group: Option<&str>,
    ) -> Result<(), Error> {
        self.api
            .send_for_bytes(
                self.api
                    .http
                    .put(format!("{}/affiliations/{organisation_id}", self.api.base))
                    .json(&serde_json::json!({ "group": group })),
            )
            .await
            .map(|_| ())
    }

    /// Runs the overdue job now (staff); answers how many were marked.
    pub async fn run_scheduler(&self) -> Result<u64, Error> {
        let v: Value = self
            .api
            .send(
                self.api
                    .http
                    .post(format!("{}/scheduler/run", self.api.base)),
            )
            .await?;
        Ok(v["marked_overdue"].as_u64().unwrap_or(0))
    }
}
