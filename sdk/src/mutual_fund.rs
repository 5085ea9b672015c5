//! The mutual fund (互助基金, records 6.4.1–6.4.3) on the financing platform:
//! `client.financing(token).fund()`. Amounts go in as the seed writes them (JOIN_AMOUNT and
//! APPLY_AMOUNT in 万元, repayments in 元) and come back in fen (`*_fen`).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::Error;
use crate::financing::Financing;

/// A new application or a changed draft.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct FundApplicationDraft {
    /// JOIN_NO of the enterprise's membership.
    pub join_no: String,
    /// APPLY_AMOUNT, 万元 (`"200.00"`).
    pub apply_amount: String,
    /// The term in months.
    pub months: i64,
    /// LOAN_FOR.
    pub loan_for: String,
    /// LOAN_BANK, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub loan_bank: Option<String>,
    /// The enterprise's named account the fund pays into.
    pub account_name: String,
    /// The bank of the named account.
    pub account_bank: String,
    /// The named account's number.
    pub account_no: String,
}

/// What a step may carry.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct FundStep {
    /// Returns and rejections: why; amendments: what changes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Approval: LOAN_DATE (yyyy-mm-dd).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub loan_date: Option<String>,
    /// Approval: FLOATING_MULTIPLES (%).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub floating_percent: Option<String>,
    /// Approval: HANDLING_FEE (元).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub handling_fee: Option<String>,
    /// Amendment: months added to the term.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extend_months: Option<i64>,
}

/// An application with its loan.
#[derive(Debug, Clone, Deserialize)]
pub struct FundApplication {
    /// APPLY_NO (JOIN_NO-A and the how-manieth).
    pub apply_no: String,
    /// JOIN_NO.
    pub join_no: String,
    /// APPLY_TIME.
    pub apply_time: i64,
    /// `draft`, `submitted`, `returned`, `rejected`, `withdrawn`, `approved`, `disbursed`,
    /// `overdue` or `settled`.
    pub state: String,
    /// The amount, fen.
    pub amount_fen: i64,
    /// The term in months.
    pub months: i64,
    /// LOAN_FOR.
    pub loan_for: String,
    /// ‰ a month, once approved.
    pub monthly_rate: Option<String>,
    /// LOAN_DATE.
    pub loan_date: Option<String>,
    /// LAST_REPAY_DATE.
    pub last_repay_date: Option<String>,
    /// REAL_REPAY_DATE, once settled.
    pub real_repay_date: Option<String>,
    /// HANDLING_FEE, fen.
    pub handling_fee_fen: Option<i64>,
    /// INTEREST, fen.
    pub interest_fen: Option<i64>,
    /// Repaid so far, fen.
    pub repaid_fen: i64,
    /// Still owed (fee, interest and principal), fen.
    pub owed_fen: i64,
    /// The contract in force.
    pub contract_no: Option<String>,
    /// The repayment schedule.
    pub schedule: Vec<Value>,
    /// Every contract of the loan, oldest first, with its hashes.
    pub contracts: Vec<Value>,
    /// The repayments.
    pub repayments: Vec<Value>,
    /// Every document version on file.
    pub documents: Vec<Value>,
    /// What the caller may do now.
    pub allowed_actions: Vec<String>,
    /// The last return or rejection's reason.
    pub feedback: Option<String>,
    /// The catalogue record (6.4.2).
    pub record: Value,
}

/// A repayment (6.4.3) with how it was applied.
#[derive(Debug, Clone, Deserialize)]
pub struct FundRepayment {
    /// REPAY_NO.
    pub repay_no: String,
    /// APPLY_NO of the loan.
    pub apply_no: String,
    /// REPAY_AMOUNT, fen.
    pub amount_fen: i64,
    /// REPAY_DATE.
    pub repay_date: String,
    /// Of which the handling fee, fen.
    pub fee_fen: i64,
    /// Of which interest, fen.
    pub interest_fen: i64,
    /// Of which principal, fen.
    pub principal_fen: i64,
}

/// The mutual fund, acting with the financing token.
pub struct MutualFund<'f, 'a> {
    fin: &'f Financing<'a>,
}

impl<'a> Financing<'a> {
    /// The mutual fund's calls.
    pub fn fund(&self) -> MutualFund<'_, 'a> {
        MutualFund { fin: self }
    }
}

impl MutualFund<'_, '_> {
    fn url(&self, path: &str) -> String {
        format!("{}/fund{path}", self.fin.api.base)
    }

    async fn get<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, &str)],
    ) -> Result<T, Error> {
        let api = &self.fin.api;
        api.send(api.http.get(self.url(path)).query(query)).await
    }

    async fn post<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        body: Option<Value>,
    ) -> Result<T, Error> {
        let api = &self.fin.api;
        let request = api.http.post(self.url(path));
        let request = match body {
            Some(body) => request.json(&body),
            None => request,
        };
        api.send(request).await
    }

    /// Memberships (an enterprise sees its own).
    pub async fn members(&self) -> Result<Vec<Value>, Error> {
        self.get("/members", &[]).await
    }

    /// 入社: records a membership (staff and fund managers); answers it with its JOIN_NO.
    pub async fn join(
        &self,
        enterprise_org_id: &str,
        join_amount_wan: &str,
    ) -> Result<Value, Error> {
        self.post(
            "/members",
            Some(serde_json::json!({"enterprise_org_id": enterprise_org_id, "join_amount": join_amount_wan})),
        )
        .await
    }

    /// 在线申请: a new draft.
    pub async fn apply(&self, draft: &FundApplicationDraft) -> Result<FundApplication, Error> {
        let api = &self.fin.api;
        api.send(api.http.post(self.url("/applications")).json(draft))
            .await
    }

    /// Changes a draft or a returned application.
    pub async fn update(
        &self,
        apply_no: &str,
        draft: &FundApplicationDraft,
    ) -> Result<FundApplication, Error> {
        let api = &self.fin.api;
        api.send(
            api.http
                .put(self.url(&format!("/applications/{apply_no}")))
                .json(draft),
        )
        .await
    }

    /// None
    pub async fn application(&self, apply_no: &str) -> Result<FundApplication, Error> {
        self.get(&format!("/applications/{apply_no}"), &[]).await
    }

    /// Applications the caller may see; `state` narrows it.
    pub async fn applications(&self, state: Option<&str>) -> Result<Vec<Value>, Error> {
        match state {
            Some(s) => self.get("/applications", &[("state", s)]).await,
            None => self.get("/applications", &[]).await,
        }
    }

    /// A step: `submit`, `withdraw`, `return`, `reject`, `approve`, `disburse`, `amend`. A
    /// refused one is [`Error::Refused`] (409 with `current_state` and `allowed_actions`, or
    /// `fund-paused` / `limit-exceeded` with the figures).
    pub async fn act(
        &self,
        apply_no: &str,
        action: &str,
        step: Option<&FundStep>,
    ) -> Result<FundApplication, Error> {
        let api = &self.fin.api;
        let request = api
            .http
            .post(self.url(&format!("/applications/{apply_no}/actions/{action}")));
        let request = match step {
            Some(step) => request.json(step),
            None => request,
        };
        api.send(request).await
    }

    /// 登记还款 (fund managers and staff): `amount` in 元, `date` yyyy-mm-dd (today if none).
    pub async fn repay(
        &self,
        apply_no: &str,
        amount: &str,
        date: Option<&str>,
    ) -> Result<FundRepayment, Error> {
        self.post(
            &format!("/applications/{apply_no}/repayments"),
            Some(serde_json::json!({"repay_amount": amount, "repay_date": date})),
        )
        .await
    }

    /// Uploads a document: `application_form` (the sealed, signed form, PDF),
    /// `financial_statement` or `other`.
    pub async fn upload(
        &self,
        apply_no: &str,
        kind: &str,
        name: &str,
        content: Vec<u8>,
    ) -> Result<Value, Error> {
        let api = &self.fin.api;
        api.send(
            api.http
                .post(self.url(&format!("/applications/{apply_no}/documents")))
                .query(&[("kind", kind), ("name", name)])
                .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
                .body(content),
        )
        .await
    }

    /// A document's content.
    pub async fn download(&self, document_id: &str) -> Result<Vec<u8>, Error> {
        let api = &self.fin.api;
        api.send_for_bytes(api.http.get(self.url(&format!("/documents/{document_id}"))))
            .await
    }

    /// The audit trail's entries.
    pub async fn audit(&self, apply_no: &str) -> Result<Vec<Value>, Error> {
        let v: Value = self
            .get(&format!("/applications/{apply_no}/audit"), &[])
            .await?;
        Ok(v["entries"].as_array().cloned().unwrap_or_default())
    }

    /// Walks the contract chain; `intact` and the first mismatch.
    pub async fn verify_contracts(&self) -> Result<Value, Error> {
        self.get("/contracts/verify", &[]).await
    }

    /// The fund: account, capital, loans, overdue rate, pause, trial balance, chain head.
    pub async fn status(&self) -> Result<Value, Error> {
        self.get("/status", &[]).await
    }

    /// The journal (newest first, 200 a page) and the trial balance.
    pub async fn ledger(&self, apply_no: Option<&str>) -> Result<Value, Error> {
        match apply_no {
            Some(no) => self.get("/ledger", &[("apply_no", no)]).await,
            None => self.get("/ledger", &[]).await,
        }
    }

    /// The statistics; `from` and `to` as yyyy-mm.
    pub async fn statistics(&self, from: Option<&str>, to: Option<&str>) -> Result<Value, Error> {
        let mut query = Vec::new();
        if let Some(f) = from {
            query.push(("from", f));
        }
        if let Some(t) = to {
            query.push(("to", t));
        }
        self.get("/statistics", &query).await
    }

    /// Every member enterprise with what it borrowed and owes.
    pub async fn supervision(&self) -> Result<Vec<Value>, Error> {
        self.get("/supervision", &[]).await
    }

    /// One enterprise's applications and ledger history.
    pub async fn enterprise(&self, org_id: &str) -> Result<Value, Error> {
        self.get(&format!("/supervision/{org_id}"), &[]).await
    }

    /// Runs the reminders and overdue marks now (staff): `(reminded, marked_overdue)`.
    pub async fn run_scheduler(&self) -> Result<(u64, u64), Error> {
        let v: Value = self.post("/scheduler/run", None).await?;
        Ok((
            v["reminded"].as_u64().unwrap_or(0),
            v["marked_overdue"].as_u64().unwrap_or(0),
        ))
    }
}
