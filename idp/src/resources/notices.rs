//! What shared resources tell people through the platform inbox, in the change's transaction.

use super::error::Result;
use crate::db::Tx;
use crate::inbox::{NewMessage, Recipient};

pub(super) struct Notice {
    pub to: Recipient,
    pub topic: &'static str,
    pub zh: (String, String),
    pub en: (String, String),
    pub link: Option<String>,
}

pub(super) async fn post(tx: &mut Tx, notices: Vec<Notice>, now: i64) -> Result<()> {
    for n in notices {
        let message = NewMessage {
            recipient: n.to,
            source: "resources",
            topic: n.topic,
            subject_zh: n.zh.0,
            body_zh: n.zh.1,
            subject_en: n.en.0,
            body_en: n.en.1,
            link: n.link,
            needs_ack: false,
        };
        crate::inbox::post(tx, &message, now).await?;
    }
    Ok(())
}
