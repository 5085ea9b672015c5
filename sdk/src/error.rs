//! The SDK's one error type: what the server refused (with its RFC 9457 problem document or its
//! OAuth error) kept apart from failures to reach it.

use serde::Deserialize;

/// An RFC 9457 problem document as the platform sends it.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Problem {
    /// Stable identifier of the kind of problem, e.g. `/problems/invalid-records`.
    #[serde(rename = "type", default)]
    pub kind: String,
    /// Short title.
    #[serde(default)]
    pub title: String,
    /// HTTP status.
    #[serde(default)]
    pub status: u16,
    /// What went wrong, in Chinese then English.
    #[serde(default)]
    pub detail: String,
    /// Everything else the document carries (`errors`, `reason`, `required_scope`, …).
    #[serde(flatten)]
    pub extensions: serde_json::Map<String, serde_json::Value>,
}

/// One refused field of one record.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct FieldError {
    /// The record's position in the upload (for imports: the file's line or row).
    #[serde(default)]
    pub index: usize,
    /// The record type's slug.
    #[serde(rename = "type", default)]
    pub record_type: String,
    /// The record's key, parts joined by `/`, as far as it was readable.
    #[serde(default)]
    pub key: String,
    /// The element name, when the problem is with one field.
    #[serde(default)]
    pub field: Option<String>,
    /// Stable code, e.g. `too_long`, `unknown_code`, `missing_parent`.
    pub code: String,
    /// The reason in Chinese.
    pub message_zh: String,
    /// The reason in English.
    pub message_en: String,
}

/// Everything that can go wrong.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The server answered with a problem document.
    #[error("the server refused the request ({status}): {}", problem.detail)]
    Refused {
        /// HTTP status.
        status: u16,
        /// The server's explanation.
        problem: Problem,
    },
    /// An upload was refused record by record; nothing of it was stored.
    #[error("{} field(s) of the upload were refused; nothing was stored", errors.len())]
    InvalidRecords {
        /// Every refused field of every refused record.
        errors: Vec<FieldError>,
    },
    /// The provider answered an OAuth request with an error (`invalid_grant`, …).
    #[error("the provider refused: {error}{}", description.as_deref().map(|d| format!(" ({d})")).unwrap_or_default())]
    OAuth {
        /// The RFC 6749 error code.
        error: String,
        /// `error_description`, when given.
        description: Option<String>,
    },
    /// A token or ID token did not verify.
    #[error("token verification failed: {0}")]
    Verification(String),
    /// The state returned to the callback is not the one sent: a forged or mixed-up response.
    #[error("the authorization response's state does not match the request's")]
    StateMismatch,
    /// The server could not be reached or answered something unreadable.
    #[error("transport failure: {0}")]
    Transport(String),
    /// A configuration mistake (bad URL, https required, …).
    #[error("configuration: {0}")]
    Config(String),
    /// Reading or writing a local file (token store, CSV) failed.
    #[error("local file: {0}")]
    Io(#[from] std::io::Error),
}

impl Error {
    /// Whether a retry may succeed (timeouts, connection failures, 5xx, 429, 409 conflicts).
    pub fn is_transient(&self) -> bool {
        match self {
            Error::Transport(_) => true,
            Error::Refused { status, .. } => *status >= 500 || *status == 429 || *status == 409,
            _ => false,
        }
    }

    /// The problem's `type` when the server refused.
    pub fn problem_type(&self) -> Option<&str> {
        match self {
            Error::Refused { problem, .. } => Some(&problem.kind),
            _ => None,
        }
    }
}

impl From<reqwest::Error> for Error {
    fn from(e: reqwest::Error) -> Self {
        Error::Transport(e.to_string())
    }
}

/// Turns a non-success response into [`Error::Refused`] (or [`Error::InvalidRecords`]).
pub(crate) async fn refused(response: reqwest::Response) -> Error {
    let status = response.status().as_u16();
    let text = response.text().await.unwrap_or_default();
    match serde_json::from_str::<Problem>(&text) {
        Ok(problem) if problem.kind == "/problems/invalid-records" => {
            let errors = problem
                .extensions
                .get("errors")
                .cloned()
                .and_then(|e| serde_json::from_value(e).ok())
                .unwrap_or_default();
            Error::InvalidRecords { errors }
        }
        Ok(problem) => Error::Refused { status, problem },
        Err(_) => Error::Refused {
            status,
            problem: Problem {
                kind: "about:blank".into(),
                title: String::new(),
                status,
                detail: text,
                extensions: Default::default(),
            },
        },
    }
}
