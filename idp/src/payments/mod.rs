//! Payments behind a trait, and a sandbox gateway that behaves like WeChat Pay: a prepay order,
//! a payment page where the payer confirms, then a signed asynchronous notification that the
//! platform verifies before it counts the order as paid; refunds go back along the payment.
//!
//! The contract a real WeChat Pay v3 adapter must keep:
//! - `create_prepay` registers the order (`out_trade_no` = our order id, amount in fen) and
//!   returns where the payer pays (the sandbox's page; for WeChat a `code_url` or JSAPI params).
//! - Notifications reach `POST /api/crowdfunding/payments/notify` or
//!   `/api/crowdsourcing/payments/notify` (either takes any platform's) with the body and a
//!   signature header; `verify_notification` must check the signature
//!   (WeChat: the platform certificate) and decrypt the resource before anything is trusted.
//!   The same event may arrive more than once; each platform handles each `event_id` once.
//! - `refund` returns money along the original payment (WeChat: `/v3/refund/domestic/refunds`
//!   with the transaction id); it must be idempotent per order.

use aws_lc_rs::hmac;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

mod hub;
pub mod money;
pub use hub::{DispatchError, NotificationSink, Payments};

/// Where the payer goes to pay.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Prepay {
    pub prepay_id: String,
    pub pay_url: String,
}

/// A verified notification from the gateway.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Notification {
    pub event_id: String,
    pub kind: NotificationKind,
    pub order_id: String,
    pub prepay_id: String,
    pub transaction_id: String,
    pub amount_fen: i64,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum NotificationKind {
    Paid,
    Refunded,
}

#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    #[error("the notification's signature does not verify")]
    BadSignature,
    #[error("the notification is malformed: {0}")]
    Malformed(String),
    #[error("the gateway refused: {0}")]
    Refused(String),
}

/// What the platform needs from a payment provider.
#[async_trait::async_trait]
pub trait PaymentGateway: Send + Sync {
    async fn create_prepay(
        &self,
        order_id: &str,
        amount_fen: i64,
        description: &str,
    ) -> Result<Prepay, GatewayError>;
    fn verify_notification(
        &self,
        body: &[u8],
        signature: &str,
    ) -> Result<Notification, GatewayError>;
    async fn refund(
        &self,
        order_id: &str,
        transaction_id: &str,
        amount_fen: i64,
    ) -> Result<String, GatewayError>;
}

/// The built-in sandbox: stateless, signing its notifications with HMAC-SHA256.
pub struct SandboxGateway {
    key: hmac::Key,
    /// Where the sandbox writes down each refund it makes, as a real gateway's statement
    /// would list them (`payment_sandbox_ledger`); none for a gateway used only to draft.
    ledger: Option<(crate::db::Db, std::sync::Arc<dyn crate::clock::Clock>)>,
}

impl SandboxGateway {
    pub fn new(secret: &[u8]) -> Self {
        SandboxGateway {
            key: hmac::Key::new(hmac::HMAC_SHA256, secret),
            ledger: None,
        }
    }

    /// Keeps the sandbox's statement of refunds in `db`.
    pub fn with_ledger(
        mut self,
        db: crate::db::Db,
        clock: std::sync::Arc<dyn crate::clock::Clock>,
    ) -> Self {
        self.ledger = Some((db, clock));
        self
    }

    /// The prepay id carries the order and amount, signed, so the payment page needs no table.
    fn prepay_token(&self, order_id: &str, amount_fen: i64) -> String {
        let body = format!("{order_id}.{amount_fen}");
        let tag = hmac::sign(&self.key, body.as_bytes());
        format!(
            "sbx_{}.{}",
            URL_SAFE_NO_PAD.encode(body),
            URL_SAFE_NO_PAD.encode(&tag.as_ref()[..16])
        )
    }

    /// The order and amount behind a prepay id this sandbox issued.
    pub fn open_prepay(&self, prepay_id: &str) -> Option<(String, i64)> {
        let rest = prepay_id.strip_prefix("sbx_")?;
        let (body, tag) = rest.split_once('.')?;
        let body = String::from_utf8(URL_SAFE_NO_PAD.decode(body).ok()?).ok()?;
        let (order_id, amount) = body.rsplit_once('.')?;
        let amount: i64 = amount.parse().ok()?;
        let expected = self.prepay_token(order_id, amount);
        (expected.ends_with(tag) && subtle_eq(expected.as_bytes(), prepay_id.as_bytes()))
            .then(|| (order_id.to_owned(), amount))
    }

    /// The payer confirmed on the sandbox page: the notification the gateway would send, and
    /// its signature.
    pub fn paid_notification(&self, prepay_id: &str) -> Option<(Vec<u8>, String)> {
        let (order_id, amount_fen) = self.open_prepay(prepay_id)?;
        let notification = Notification {
            event_id: format!("evt_{}", uuid::Uuid::new_v4().simple()),
            kind: NotificationKind::Paid,
            order_id,
            prepay_id: prepay_id.to_owned(),
            transaction_id: format!("sbx_txn_{}", uuid::Uuid::new_v4().simple()),
            amount_fen,
        };
        let body = serde_json::to_vec(&notification).ok()?;
        let signature = self.sign(&body);
        Some((body, signature))
    }

    pub fn sign(&self, body: &[u8]) -> String {
        URL_SAFE_NO_PAD.encode(hmac::sign(&self.key, body).as_ref())
    }
}

fn subtle_eq(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

#[async_trait::async_trait]
impl PaymentGateway for SandboxGateway {
    async fn create_prepay(
        &self,
        order_id: &str,
        amount_fen: i64,
        _description: &str,
    ) -> Result<Prepay, GatewayError> {
        let prepay_id = self.prepay_token(order_id, amount_fen);
        Ok(Prepay {
            pay_url: format!("/sandbox/pay/{prepay_id}"),
            prepay_id,
        })
    }

    fn verify_notification(
        &self,
        body: &[u8],
        signature: &str,
    ) -> Result<Notification, GatewayError> {
        let tag = URL_SAFE_NO_PAD
            .decode(signature.trim())
            .map_err(|_| GatewayError::BadSignature)?;
        hmac::verify(&self.key, body, &tag).map_err(|_| GatewayError::BadSignature)?;
        serde_json::from_slice(body).map_err(|e| GatewayError::Malformed(e.to_string()))
    }

    async fn refund(
        &self,
        order_id: &str,
        transaction_id: &str,
        amount_fen: i64,
    ) -> Result<String, GatewayError> {
        let refund_id = format!("sbx_refund_{}", uuid::Uuid::new_v4().simple());
        if let Some((db, clock)) = &self.ledger {
            crate::with_pool!(db, pool => sqlx::query(
                "INSERT INTO payment_sandbox_ledger (id, kind, order_id, transaction_id, amount_fen, at) VALUES ($1, 'refund', $2, $3, $4, $5)")
                .bind(&refund_id)
                .bind(order_id)
                .bind(transaction_id)
                .bind(amount_fen)
                .bind(clock.now())
                .execute(pool)
                .await
                .map(|r| r.rows_affected()))
            .map_err(|e| GatewayError::Refused(format!("the sandbox could not record the refund: {e}")))?;
        }
        Ok(refund_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notifications_verify_only_with_their_signature() {
        let gateway = SandboxGateway::new(b"test key");
        let other = SandboxGateway::new(b"other key");
        let prepay =
            futures_util::FutureExt::now_or_never(gateway.create_prepay("CFO-1", 19_900, "x"))
                .unwrap()
                .unwrap();
        assert_eq!(
            gateway.open_prepay(&prepay.prepay_id),
            Some(("CFO-1".into(), 19_900))
        );
        assert_eq!(
            other.open_prepay(&prepay.prepay_id),
            None,
            "forged prepay id"
        );
        let (body, signature) = gateway.paid_notification(&prepay.prepay_id).unwrap();
        let n = gateway.verify_notification(&body, &signature).unwrap();
        assert_eq!((n.order_id.as_str(), n.amount_fen), ("CFO-1", 19_900));
        assert!(other.verify_notification(&body, &signature).is_err());
        let mut tampered = body.clone();
        tampered[10] ^= 1;
        assert!(gateway.verify_notification(&tampered, &signature).is_err());
    }
}
