//! What can go wrong in a financing operation.

use crate::catalogue::validate::FieldError;
use crate::db::DbError;

/// A transition that is not allowed, with where the application is and what may be done now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub current: &'static str,
    pub allowed: Vec<&'static str>,
    pub reason_zh: String,
    pub reason_en: String,
}

/// A limit a step would pass, with the figures (fen) the refusal shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exceeded {
    /// `bank_commitment`, `bridge_fund`, `pool`, `budget`, `enterprise_cap`.
    pub limit: &'static str,
    pub limit_fen: i64,
    pub used_fen: i64,
    pub requested_fen: i64,
    pub zh: String,
    pub en: String,
}

#[derive(Debug, thiserror::Error)]
pub enum FinancingError {
    #[error("未找到：{0}。Not found: {0}.")]
    NotFound(String),
    #[error("无权操作：{0}。Not allowed: {0}.")]
    Forbidden(String),
    #[error("请求有误：{0}。Invalid: {0}.")]
    Invalid(String),
    #[error("字段未通过校验：{}。Some fields were refused: {}.", crate::catalogue::validate::summary_zh(.0), crate::catalogue::validate::summary_en(.0))]
    InvalidFields(Vec<FieldError>),
    #[error("当前状态不允许此操作：{}。{}", .0.reason_zh, .0.reason_en)]
    Transition(Refusal),
    #[error("超出额度：{}。Over the limit: {}.", .0.zh, .0.en)]
    Exceeded(Exceeded),
    #[error("互助基金逾期率 {}% 超过 {}%，暂停放款（逾期本金 {} 分，在贷本金 {} 分）。The fund's overdue rate {}% is above {}%; disbursements are paused (overdue {} fen of {} fen outstanding).",
        crate::financing::mutual::ppm_percent(.0.rate_ppm), crate::financing::mutual::ppm_percent(.0.threshold_ppm), .0.overdue_fen, .0.outstanding_fen,
        crate::financing::mutual::ppm_percent(.0.rate_ppm), crate::financing::mutual::ppm_percent(.0.threshold_ppm), .0.overdue_fen, .0.outstanding_fen)]
    Paused(crate::financing::mutual::Paused),
    #[error("文件过大（上限 {limit} 字节）。The document is too large (limit {limit} bytes).")]
    TooLarge { limit: usize },
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<sqlx::Error> for FinancingError {
    fn from(e: sqlx::Error) -> Self {
        FinancingError::Db(DbError::Query(e))
    }
}

pub type Result<T> = std::result::Result<T, FinancingError>;
