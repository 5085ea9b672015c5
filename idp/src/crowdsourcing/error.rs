//! What can go wrong in a crowdsourcing operation.

use crate::catalogue::validate::FieldError;
use crate::db::DbError;
use crate::payments::GatewayError;

/// A transition that is not allowed, with where the thing is and what may be done now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The current state (`draft`, `in_progress`, …).
    pub current: &'static str,
    /// The actions the caller may take now.
    pub allowed: Vec<&'static str>,
    pub reason_zh: String,
    pub reason_en: String,
}

#[derive(Debug, thiserror::Error)]
pub enum CrowdsourcingError {
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
    /// The provider is outside the demand's restrictions; names which.
    #[error("不符合需求的限制条件：{zh}。Outside the demand's restriction: {en}.")]
    Restricted {
        restriction: &'static str,
        zh: String,
        en: String,
    },
    /// A subsidy would pass the year's budget or the enterprise's yearly cap.
    #[error("补贴额度不足：{zh}。Not enough subsidy left: {en}.")]
    SubsidyExhausted {
        limit: &'static str,
        left_fen: i64,
        zh: String,
        en: String,
    },
    #[error("附件过大（上限 {limit} 字节）。The attachment is too large (limit {limit} bytes).")]
    TooLarge { limit: usize },
    #[error("支付网关出错：{0}。Payment gateway: {0}.")]
    Gateway(#[from] GatewayError),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<sqlx::Error> for CrowdsourcingError {
    fn from(e: sqlx::Error) -> Self {
        CrowdsourcingError::Db(DbError::Query(e))
    }
}

pub type Result<T> = std::result::Result<T, CrowdsourcingError>;
