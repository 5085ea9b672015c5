//! The platform inbox (平台消息): what the platforms tell the signed-in user (a project
//! approved, an order refunded, a notice to acknowledge), acting with a user's token that
//! carries the `inbox` scope.

use serde::Deserialize;

use crate::error::Error;

/// One message as its reader sees it.
#[derive(Debug, Clone, Deserialize)]
pub struct Message {
    /// The message's id.
    pub id: String,
    /// `user`, `organisation` or `role`: how it reached the reader.
    pub addressed_to: String,
    /// The part of the platform that speaks (`crowdfunding`).
    pub source: String,
    /// What happened, for programs (`project.approved`, `order.refunded`, …).
    pub topic: String,
    /// The subject in Chinese.
    pub subject_zh: String,
    /// The subject in English.
    pub subject_en: String,
    /// The text in Chinese.
    pub body_zh: String,
    /// The text in English.
    pub body_en: String,
    /// A path on the provider's site where the reader can act on it.
    pub link: Option<String>,
    /// The reader must acknowledge it, not only read it.
    pub needs_ack: bool,
    /// Unix seconds.
    pub created_at: i64,
    /// When the reader read it (Unix seconds).
    pub read_at: Option<i64>,
    /// When the reader acknowledged it (Unix seconds).
    pub acknowledged_at: Option<i64>,
}

/// A page of the inbox.
#[derive(Debug, Clone, Deserialize)]
pub struct InboxPage {
    /// Newest first.
    pub items: Vec<Message>,
    /// How many messages in all are unread or wait for acknowledgement.
    pub unread: i64,
}

/// The inbox API.
pub struct Inbox<'a> {
    api: crate::bearer::Endpoint<'a>,
}

impl<'a> Inbox<'a> {
    pub(crate) fn new(
        http: &'a reqwest::Client,
        issuer: &str,
        bearer: crate::bearer::Bearer<'a>,
    ) -> Self {
        Inbox {
            api: crate::bearer::Endpoint::new(http, issuer, "inbox", bearer),
        }
    }

    /// The newest messages (at most `limit`, capped by the server at 100), only those unread
    /// when `unread_only`; `before` (the id of the last message of the previous page) pages
    /// back.
    pub async fn list(
        &self,
        unread_only: bool,
        limit: u32,
        before: Option<&str>,
    ) -> Result<InboxPage, Error> {
        let mut query = vec![
            ("unread", unread_only.to_string()),
            ("limit", limit.to_string()),
        ];
        if let Some(before) = before {
            query.push(("before", before.to_string()));
        }
        self.api
            .send(self.api.http.get(&self.api.base).query(&query))
            .await
    }

    /// Marks a message read.
    pub async fn read(&self, id: &str) -> Result<Message, Error> {
        self.api
            .send(self.api.http.post(format!("{}/{id}/read", self.api.base)))
            .await
    }

    /// Acknowledges a message that asks for it (and marks it read).
    pub async fn acknowledge(&self, id: &str) -> Result<Message, Error> {
        self.api
            .send(
                self.api
                    .http
                    .post(format!("{}/{id}/acknowledge", self.api.base)),
            )
            .await
    }
}
