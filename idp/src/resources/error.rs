//! What can go wrong with shared resources.

use crate::catalogue::validate::FieldError;
use crate::db::DbError;

/// A step a booking or request is not in a state for, with what may be done now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub current: &'static str,
    pub allowed: Vec<&'static str>,
    pub reason_zh: String,
    pub reason_en: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ResourcesError {
    #[error("未找到：{0}。Not found: {0}.")]
    NotFound(String),
    #[error("无权操作：{0}。Not allowed: {0}.")]
    Forbidden(String),
    #[error("请求有误：{0}。Invalid: {0}.")]
    Invalid(String),
    #[error("字段未通过校验：{}。Some fields were refused: {}.", crate::catalogue::validate::summary_zh(.0), crate::catalogue::validate::summary_en(.0))]
    InvalidFields(Vec<FieldError>),
    /// A booking rule of the resource refuses it; `rule` names which for programs.
    #[error("不符合预约规则：{zh}。Refused by the booking rules: {en}.")]
    Rule {
        rule: &'static str,
        zh: String,
        en: String,
    },
    /// Another booking holds the slot.
    #[error("时段 {slot} 已被预约。The slot {slot} is already booked.")]
    SlotTaken { slot: String },
    #[error("当前状态不允许此操作：{}。{}", .0.reason_zh, .0.reason_en)]
    Transition(Refusal),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<sqlx::Error> for ResourcesError {
    fn from(e: sqlx::Error) -> Self {
        ResourcesError::Db(DbError::Query(e))
    }
}

impl ResourcesError {
    pub(super) fn rule(rule: &'static str, zh: impl Into<String>, en: impl Into<String>) -> Self {
        ResourcesError::Rule {
            rule,
            zh: zh.into(),
            en: en.into(),
        }
    }
}

pub type Result<T> = std::result::Result<T, ResourcesError>;
