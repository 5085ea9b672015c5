//! 融资数据查询 (seed 二.3): the data centre's query module for financing staff. Every catalogue
//! type, the financing workflows' main tables and make-table snapshots can be browsed, searched
//! and queried with a query model (select, crosstab, multi-dimensional), saved, rerun and
//! exported; administrators also run update, delete, append and make-table queries, each
//! previewed, transactional and audited. No SQL text ever comes from a request: the model is
//! compiled over an allow-list of columns with every value bound.

pub mod api;
pub mod changes;
pub mod compile;
pub mod datasets;
pub mod figures;
pub mod model;
pub mod pages;
pub mod run;
pub mod saved;

use crate::db::DbError;

/// What a query can be refused for.
#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    #[error("没有数据集 {0}。No dataset {0}.")]
    UnknownDataset(String),
    #[error("数据集 {dataset} 没有字段 {field}。The dataset {dataset} has no field {field}.")]
    UnknownField { dataset: String, field: String },
    #[error("缺少参数 {0} 的值。The parameter {0} needs a value.")]
    MissingParameter(String),
    #[error("{zh}。{en}.")]
    Invalid { zh: String, en: String },
    #[error("未找到：{0}。Not found: {0}.")]
    NotFound(String),
    #[error("名称 {0} 已被使用。The name {0} is taken.")]
    Exists(String),
    #[error(
        "预览后数据已变化：预览时 {previewed} 行，现在 {now} 行；请重新预览。The rows changed since the preview ({previewed} then, {now} now); preview again."
    )]
    Changed { previewed: i64, now: i64 },
    #[error(
        "记录未通过目录校验，未作任何更改。Records were refused by the catalogue's rules; nothing changed."
    )]
    Fields(Vec<serde_json::Value>),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<sqlx::Error> for QueryError {
    fn from(e: sqlx::Error) -> Self {
        QueryError::Db(DbError::Query(e))
    }
}
