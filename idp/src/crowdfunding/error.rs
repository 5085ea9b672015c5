//! What can go wrong in a crowdfunding operation.

use super::lifecycle::Refusal;
use super::payments::GatewayError;
use crate::catalogue::validate::FieldError;
use crate::db::DbError;

#[derive(Debug, thiserror::Error)]
pub enum CrowdfundingError {
    #[error("未找到：{0}。Not found: {0}.")]
    NotFound(String),
    #[error("无权操作：{0}。Not allowed: {0}.")]
    Forbidden(String),
    #[error("请求有误：{0}。Invalid: {0}.")]
    Invalid(String),
    #[error("字段未通过校验。Some fields were refused.")]
    InvalidFields(Vec<FieldError>),
    #[error("当前状态不允许此操作：{}。{}", .0.reason_zh, .0.reason_en)]
    Transition(Refusal),
    #[error(
        "回报“{reward_id}”已售完（剩余 {left} 份）。The reward {reward_id} is sold out ({left} left)."
    )]
    SoldOut { reward_id: String, left: i64 },
    #[error("支付网关出错：{0}。Payment gateway: {0}.")]
    Gateway(#[from] GatewayError),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<sqlx::Error> for CrowdfundingError {
    fn from(e: sqlx::Error) -> Self {
        CrowdfundingError::Db(DbError::Query(e))
    }
}

pub type Result<T> = std::result::Result<T, CrowdfundingError>;
