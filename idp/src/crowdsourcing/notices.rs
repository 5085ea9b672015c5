//! What crowdsourcing tells people through the platform inbox, posted in the transaction of
//! the change itself: the enterprise about reviews, responses, deliveries and decisions; the
//! providers about matching demands, changes to demands they answered, choices and payments;
//! staff about disputes.

use crate::accounts::Role;
use crate::db::Tx;
use crate::inbox::{NewMessage, Recipient};

use super::error::Result;

/// Who hears of it.
pub(super) fn organisation(id: &str) -> Recipient {
    Recipient::Organisation(id.to_owned())
}

pub(super) fn staff() -> Recipient {
    Recipient::Role(Role::Admin)
}

/// One message, said in both languages.
pub(super) struct Notice {
    pub to: Recipient,
    pub topic: &'static str,
    pub zh: (String, String),
    pub en: (String, String),
}

pub(super) async fn post(tx: &mut Tx, notices: Vec<Notice>, now: i64) -> Result<()> {
    for n in notices {
        let message = NewMessage {
            recipient: n.to,
            source: "crowdsourcing",
            topic: n.topic,
            subject_zh: n.zh.0,
            body_zh: n.zh.1,
            subject_en: n.en.0,
            body_en: n.en.1,
            link: None,
            needs_ack: false,
        };
        crate::inbox::post(tx, &message, now).await?;
    }
    Ok(())
}

/// A notice with subject and body in Chinese and English.
pub(super) fn notice(
    to: Recipient,
    topic: &'static str,
    zh: (impl Into<String>, impl Into<String>),
    en: (impl Into<String>, impl Into<String>),
) -> Notice {
    Notice {
        to,
        topic,
        zh: (zh.0.into(), zh.1.into()),
        en: (en.0.into(), en.1.into()),
    }
}
