//! The query model staff build queries from (融资数据查询). It is data, never SQL text: a dataset
//! named by id, fields named by their element names, operators from a closed list, values and
//! parameters that only ever become bound values. `compile.rs` turns it into SQL over an
//! allow-list of columns.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The most conditions one filter may hold, counted through every group.
pub const MAX_CONDITIONS: usize = 50;
/// How deep groups may nest.
pub const MAX_DEPTH: usize = 5;
/// Values one `in` condition may list.
pub const MAX_IN_VALUES: usize = 1_000;
/// Longest value or parameter text.
pub const MAX_VALUE_CHARS: usize = 1_000;

/// What a query does with the rows its filter selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum QueryKind {
    /// Rows with chosen fields, sorted (选择查询).
    Select,
    /// Row fields × one column field, a measure in each cell, with totals (交叉表查询).
    Crosstab,
    /// Grouped by several fields with subtotals (多维查询).
    Groups,
}

/// A query: the dataset, its filter and parameters, and what to show.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QueryModel {
    pub kind: QueryKind,
    /// `catalogue:<type>` (e.g. `catalogue:enterprise`), `snapshot:<name>` or
    /// `workflow:<table>`; `GET /api/financing/query/datasets` lists them.
    pub dataset: String,
    /// Select: the fields shown, in order (empty: all).
    #[serde(default)]
    pub fields: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<Filter>,
    /// Select: the order (the first key first).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sort: Vec<SortKey>,
    /// Crosstab: the row fields (1 to 3). Groups: the grouping fields (1 to 4).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rows: Vec<Dimension>,
    /// Crosstab: the column field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<Dimension>,
    /// Crosstab and groups: what each cell holds (1 to 4).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub measures: Vec<Measure>,
    /// Values a run may set, each with its default (none: the run must give it).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parameters: Vec<Parameter>,
}

/// A filter: conditions combined with and/or, nested.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Filter {
    #[schema(no_recursion)]
    And(Vec<Filter>),
    #[schema(no_recursion)]
    Or(Vec<Filter>),
    #[schema(no_recursion)]
    Not(Box<Filter>),
    Cond(Condition),
}

/// `field op value`. The value is given (`value`, or `values` for `in` and `between`) or comes
/// from a parameter (`param`; for `in`, comma-separated).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    pub field: String,
    pub op: Op,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub param: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    Eq,
    Ne,
    /// Fuzzy: the text contains the value (模糊查询).
    Contains,
    Prefix,
    Gt,
    Gte,
    Lt,
    Lte,
    In,
    Between,
    IsNull,
    NotNull,
}

impl Op {
    /// Whether the operator takes no value.
    pub fn is_unary(self) -> bool {
        matches!(self, Op::IsNull | Op::NotNull)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SortKey {
    pub field: String,
    #[serde(default)]
    pub desc: bool,
}

/// A field as a dimension, optionally bucketed: a date by year, month or day; a region code by
/// province (2 digits) or prefecture (4).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Dimension {
    pub field: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bucket: Option<Bucket>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Bucket {
    Year,
    Month,
    Day,
    Province,
    Prefecture,
}

impl Bucket {
    /// How many leading characters of the stored text make the bucket.
    pub fn chars(self) -> i64 {
        match self {
            Bucket::Year => 4,
            Bucket::Month => 7,
            Bucket::Day => 10,
            Bucket::Province => 2,
            Bucket::Prefecture => 4,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Aggregate {
    Count,
    Sum,
    Avg,
    Min,
    Max,
}

/// `aggregate(field)`; `count` may leave the field out (rows counted).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Measure {
    pub aggregate: Aggregate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Parameter {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
}

/// Parameter values given to one run.
pub type Arguments = BTreeMap<String, String>;
