//! 风险监控 (seed 二.3): indicators defined as data and evaluated into warnings (黄 / 橙 / 红) by
//! the scheduler and on demand; notices sent down to organisations and roles and acknowledged
//! in the inbox (上传下达); freezing an organisation's reporting from a warning; the risk
//! dashboard by time, bank, region, product and organisation.

pub mod api;
pub mod dashboard;
pub mod indicators;
pub mod measures;
pub mod notices;
pub mod pages;
pub mod warnings;

use crate::db::DbError;
use crate::financing::query::QueryError;

/// The scheduler's job evaluating every indicator.
pub const EVALUATE_JOB: &str = "financing.risk_evaluate";

#[derive(Debug, thiserror::Error)]
pub enum RiskError {
    #[error("未找到：{0}。Not found: {0}.")]
    NotFound(String),
    #[error("{0}")]
    Invalid(String),
    #[error("文件过大（上限 {0} 字节）。The document is too large (limit {0} bytes).")]
    TooLarge(usize),
    #[error(transparent)]
    Query(#[from] QueryError),
    #[error(transparent)]
    Freeze(#[from] crate::catalogue::freeze::FreezeError),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<sqlx::Error> for RiskError {
    fn from(e: sqlx::Error) -> Self {
        RiskError::Db(DbError::Query(e))
    }
}
