//! Requests for a service item without slots, handled like an order: requested → accepted →
//! done → evaluated (or declined, or cancelled by the requester before it is done).

use super::Service;
use super::access::{external, runs};
use super::error::{Refusal, ResourcesError, Result};
use super::items::not_found_item;
use super::model::*;
use super::notices::{Notice, post};
use super::store::{item_row, new_id, request_row};
use crate::accounts::caller::Caller;
use crate::db::Db;
use crate::inbox::Recipient;
use crate::{with_pool, with_tx};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestAction {
    Accept,
    Decline,
    Done,
    Cancel,
}

impl RequestAction {
    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "accept" => RequestAction::Accept,
            "decline" => RequestAction::Decline,
            "done" => RequestAction::Done,
            "cancel" => RequestAction::Cancel,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            RequestAction::Accept => "accept",
            RequestAction::Decline => "decline",
            RequestAction::Done => "done",
            RequestAction::Cancel => "cancel",
        }
    }
}

/// The actions (and `evaluate`) `caller` may take on `r`.
pub(super) fn allowed(r: &Request, caller: &Caller) -> Vec<&'static str> {
    let operator = runs(caller, &r.carrier_org_id);
    let requester = caller.user_id == r.user_id;
    let mut out = Vec::new();
    match r.state.as_str() {
        "requested" => {
            if operator {
                out.extend(["accept", "decline"]);
            }
            if requester {
                out.push("cancel");
            }
        }
        "accepted" => {
            if operator {
                out.push("done");
            }
            if requester {
                out.push("cancel");
            }
        }
        "done" if requester => out.push("evaluate"),
        _ => {}
    }
    out
}

fn refused(r: &Request, what: &str, allowed: Vec<&'static str>) -> ResourcesError {
    ResourcesError::Transition(Refusal {
        current: REQUEST_STATES
            .iter()
            .find(|(s, _, _)| *s == r.state)
            .map(|(s, _, _)| *s)
            .unwrap_or("unknown"),
        allowed,
        reason_zh: format!(
            "请求处于“{}”，不能{what}",
            state_label(REQUEST_STATES, &r.state, false)
        ),
        reason_en: format!("the request is {}; {what} is not possible", r.state),
    })
}

impl Service {
    pub async fn request_item(
        &self,
        db: &Db,
        caller: &Caller,
        item_id: &str,
        input: RequestInput,
        now: i64,
    ) -> Result<Request> {
        let note = input.note.trim();
        let chars = note.chars().count();
        if chars == 0 || chars > 2000 {
            return Err(ResourcesError::Invalid(
                "说明须为 1–2000 字 / note must be 1 to 2000 characters".into(),
            ));
        }
        let mut tx = db.begin().await?;
        let item = item_row(&mut tx, item_id)
            .await?
            .ok_or_else(|| not_found_item(item_id))?;
        if !item.listed {
            return Err(not_found_item(item_id));
        }
        let id = new_id("RQ");
        with_tx!(&mut tx, conn => {
            sqlx::query("INSERT INTO res_requests (id, item_id, carrier_org_id, service_class, user_id, organisation_id, external, note, state, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'requested', $9, $9)")
                .bind(&id).bind(item_id).bind(&item.carrier_org_id).bind(&item.service_class)
                .bind(&caller.user_id).bind(&caller.organisation_id).bind(external(caller, &item.carrier_org_id))
                .bind(note).bind(now)
                .execute(&mut *conn).await?;
        });
        post(
            &mut tx,
            vec![Notice {
                to: Recipient::Organisation(item.carrier_org_id.clone()),
                topic: "request.created",
                zh: (
                    format!("新的服务请求：{}", item.service_name),
                    note.to_owned(),
                ),
                en: (
                    format!("A new service request: {}", item.service_name),
                    note.to_owned(),
                ),
                link: Some("/resources/manage".into()),
            }],
            now,
        )
        .await?;
        tx.commit().await?;
        self.request(db, caller, &id).await
    }

    pub async fn request(&self, db: &Db, caller: &Caller, id: &str) -> Result<Request> {
        let r = request_row(db, id)
            .await?
            .ok_or_else(|| not_found_request(id))?;
        if r.user_id != caller.user_id && !runs(caller, &r.carrier_org_id) {
            return Err(not_found_request(id));
        }
        Ok(r)
    }

    pub async fn act_on_request(
        &self,
        db: &Db,
        caller: &Caller,
        id: &str,
        action: RequestAction,
        reason: Option<String>,
        now: i64,
    ) -> Result<Request> {
        let mut tx = db.begin().await?;
        let r = request_row(&mut tx, id)
            .await?
            .ok_or_else(|| not_found_request(id))?;
        if r.user_id != caller.user_id && !runs(caller, &r.carrier_org_id) {
            return Err(not_found_request(id));
        }
        let may = allowed(&r, caller);
        if !may.contains(&action.as_str()) {
            return Err(refused(&r, action.as_str(), may));
        }
        let next = match action {
            RequestAction::Accept => "accepted",
            RequestAction::Decline => "declined",
            RequestAction::Done => "done",
            RequestAction::Cancel => "cancelled",
        };
        let reason = reason
            .map(|r| r.trim().chars().take(500).collect::<String>())
            .filter(|r| !r.is_empty());
        with_tx!(&mut tx, conn => {
            sqlx::query("UPDATE res_requests SET state = $2, reason = COALESCE($3, reason), updated_at = $4 WHERE id = $1")
                .bind(id).bind(next).bind(&reason).bind(now).execute(&mut *conn).await?;
        });
        let to = if caller.user_id == r.user_id {
            Recipient::Organisation(r.carrier_org_id.clone())
        } else {
            Recipient::User(r.user_id.clone())
        };
        post(
            &mut tx,
            vec![Notice {
                to,
                topic: "request.changed",
                zh: (
                    format!("服务请求{}", state_label(REQUEST_STATES, next, false)),
                    reason.clone().unwrap_or_default(),
                ),
                en: (
                    format!(
                        "Service request: {}",
                        state_label(REQUEST_STATES, next, true)
                    ),
                    reason.unwrap_or_default(),
                ),
                link: Some("/me".into()),
            }],
            now,
        )
        .await?;
        tx.commit().await?;
        self.request(db, caller, id).await
    }

    /// The requester scores a done request (1 to 5).
    pub async fn evaluate_request(
        &self,
        db: &Db,
        caller: &Caller,
        id: &str,
        input: EvaluationInput,
        now: i64,
    ) -> Result<Request> {
        if !(1..=5).contains(&input.score) || input.remark.chars().count() > 1000 {
            return Err(ResourcesError::Invalid("score 为 1–5，remark 至多 1000 字 / score is 1 to 5, remark at most 1000 characters".into()));
        }
        let mut tx = db.begin().await?;
        let r = request_row(&mut tx, id)
            .await?
            .ok_or_else(|| not_found_request(id))?;
        if r.user_id != caller.user_id && !runs(caller, &r.carrier_org_id) {
            return Err(not_found_request(id));
        }
        let may = allowed(&r, caller);
        if !may.contains(&"evaluate") {
            return Err(refused(&r, "evaluate", may));
        }
        with_tx!(&mut tx, conn => {
            sqlx::query("UPDATE res_requests SET state = 'evaluated', score = $2, remark = $3, updated_at = $4 WHERE id = $1")
                .bind(id).bind(input.score).bind(input.remark.trim()).bind(now).execute(&mut *conn).await?;
        });
        tx.commit().await?;
        self.request(db, caller, id).await
    }

    /// Requests, newest first: the caller's own, or a carrier's (its operators and staff).
    pub async fn requests(
        &self,
        db: &Db,
        caller: &Caller,
        carrier: &str,
        limit: i64,
    ) -> Result<Vec<Request>> {
        let (column, value) = match carrier.trim() {
            "" => ("user_id", caller.user_id.clone()),
            org => {
                super::access::must_run(caller, org)?;
                ("carrier_org_id", org.to_owned())
            }
        };
        let sql = format!(
            "SELECT {REQUEST_COLUMNS} FROM res_requests WHERE {column} = $1 ORDER BY created_at DESC, id LIMIT $2"
        );
        Ok(with_pool!(db, pool => {
            sqlx::query_as::<_, Request>(&sql).bind(&value).bind(limit.clamp(1, 200)).fetch_all(pool).await?
        }))
    }
}

pub(super) fn not_found_request(id: &str) -> ResourcesError {
    ResourcesError::NotFound(format!("服务请求 / request {id}"))
}
