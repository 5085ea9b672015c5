//! What staff can query: each catalogue type (its current records), each workflow's main table,
//! and the snapshots make-table queries wrote. A dataset is a table and its columns; every
//! column's SQL comes from this file (the catalogue spec's element names, the listed workflow
//! columns, a snapshot's numbered slots), never from a request.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::QueryError;
use crate::catalogue::spec::{RecordType, TYPES, record_type};
use crate::catalogue::validate::resolve_field;
use crate::db::{Db, DbError};
use crate::with_pool;

/// The most columns a snapshot keeps (the table's slots c1 … c40).
pub const SNAPSHOT_COLUMNS: usize = 40;

/// One queryable column.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Column {
    /// The element name (catalogue), or the listed name.
    pub name: String,
    pub label_zh: String,
    pub label_en: String,
    pub numeric: bool,
    /// The SQL that reads it (quoted column of this file's making).
    #[serde(skip)]
    pub expr: String,
}

/// Where a dataset's rows live.
#[derive(Debug, Clone)]
pub enum Source {
    Catalogue(&'static RecordType),
    Workflow(&'static WorkflowTable),
    Snapshot { id: String },
}

#[derive(Debug, Clone)]
pub struct Dataset {
    pub id: String,
    pub title_zh: String,
    pub title_en: String,
    pub source: Source,
    pub columns: Vec<Column>,
}

/// A dataset as listed.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DatasetInfo {
    pub id: String,
    pub title_zh: String,
    pub title_en: String,
    /// `catalogue`, `workflow` or `snapshot`.
    pub kind: &'static str,
    pub columns: Vec<Column>,
}

/// A workflow table staff may query, with the columns they may see.
#[derive(Debug)]
pub struct WorkflowTable {
    pub name: &'static str,
    pub table: &'static str,
    pub title_zh: &'static str,
    pub title_en: &'static str,
    /// (column, label zh, label en, numeric)
    pub columns: &'static [(&'static str, &'static str, &'static str, bool)],
}

pub static WORKFLOW_TABLES: &[WorkflowTable] = &[
    WorkflowTable {
        name: "crowdfunding-projects",
        table: "cf_projects",
        title_zh: "众筹项目",
        title_en: "Crowdfunding projects",
        columns: &[
            ("id", "众筹编号", "CROWD_ID", false),
            ("organisation_id", "发起机构", "Organisation", false),
            ("state", "状态", "State", false),
            ("category", "类别", "Category", false),
            ("title", "项目名称", "Title", false),
            ("target_fen", "目标金额（分）", "Target (fen)", true),
            ("raised_fen", "已筹金额（分）", "Raised (fen)", true),
            ("backers", "支持人数", "Backers", true),
            ("duration_days", "众筹天数", "Days", true),
            (
                "created_at",
                "创建时间（Unix 秒）",
                "Created (Unix s)",
                true,
            ),
        ],
    },
    WorkflowTable {
        name: "crowdsourcing-demands",
        table: "cs_demands",
        title_zh: "众包需求",
        title_en: "Crowdsourcing demands",
        columns: &[
            ("id", "需求编号", "DEMAND_NO", false),
            ("organisation_id", "发包机构", "Organisation", false),
            ("state", "状态", "State", false),
            ("mode", "方式", "Mode", false),
            ("title", "需求名称", "Title", false),
            ("service_class", "服务类别", "Service class", false),
            ("fee_fen", "费用（分）", "Fee (fen)", true),
            ("cycle_days", "周期（天）", "Cycle (days)", true),
            ("expiry_date", "截止日期", "Expiry date", false),
            ("comp_name", "企业名称", "Enterprise", false),
            (
                "created_at",
                "创建时间（Unix 秒）",
                "Created (Unix s)",
                true,
            ),
        ],
    },
    WorkflowTable {
        name: "financing-applications",
        table: "fin_applications",
        title_zh: "融资申请（转贷、风险补偿、融资租赁）",
        title_en: "Financing applications (bridge, compensation, leasing)",
        columns: &[
            ("id", "申请编号", "Application no.", false),
            ("product", "产品", "Product", false),
            ("business", "业务类型", "Business", false),
            ("state", "状态", "State", false),
            ("comp_name", "企业名称", "Enterprise", false),
            (
                "enterprise_org_id",
                "企业机构",
                "Enterprise organisation",
                false,
            ),
            ("bank_org_id", "贷款银行", "Bank", false),
            ("insurer_org_id", "保险/担保机构", "Insurer", false),
            ("region_code", "区县代码", "County code", false),
            ("amount_fen", "申请金额（分）", "Amount (fen)", true),
            ("disbursed_fen", "放款金额（分）", "Disbursed (fen)", true),
            ("disbursed_month", "放款月份", "Disbursed month", false),
            ("used_days", "使用天数", "Days used", true),
            ("fee_fen", "费用（分）", "Fee (fen)", true),
            (
                "compensation_fen",
                "代偿金额（分）",
                "Compensation (fen)",
                true,
            ),
            ("subsidy_fen", "补贴金额（分）", "Subsidy (fen)", true),
            (
                "created_at",
                "创建时间（Unix 秒）",
                "Created (Unix s)",
                true,
            ),
        ],
    },
    WorkflowTable {
        name: "fund-applications",
        table: "fund_applications",
        title_zh: "互助基金申请",
        title_en: "Mutual fund applications",
        columns: &[
            ("apply_no", "申请编号", "APPLY_NO", false),
            ("join_no", "入社编号", "JOIN_NO", false),
            (
                "enterprise_org_id",
                "企业机构",
                "Enterprise organisation",
                false,
            ),
            ("state", "状态", "State", false),
            ("amount_fen", "申请金额（分）", "Amount (fen)", true),
            ("months", "期限（月）", "Months", true),
            ("loan_for", "用途", "Purpose", false),
            ("monthly_rate", "月利率（‰）", "Monthly rate (‰)", true),
            ("loan_date", "放款日", "Loan date", false),
            ("last_repay_date", "到期日", "Due date", false),
            ("interest_fen", "利息（分）", "Interest (fen)", true),
            (
                "principal_repaid_fen",
                "已还本金（分）",
                "Principal repaid (fen)",
                true,
            ),
            ("disbursed_month", "放款月份", "Disbursed month", false),
            (
                "created_at",
                "创建时间（Unix 秒）",
                "Created (Unix s)",
                true,
            ),
        ],
    },
];

/// Columns every catalogue dataset has beside its fields.
const CATALOGUE_META: &[(&str, &str, &str, &str, bool)] = &[
    (
        "ORGANISATION_ID",
        "organisation_id",
        "上报机构",
        "Reporting organisation",
        false,
    ),
    ("SOURCE", "source", "来源", "Source", false),
    (
        "REPORTED_AT",
        "reported_at",
        "上报时间（Unix 秒）",
        "Reported (Unix s)",
        true,
    ),
    ("VERSION", "version", "版本", "Version", true),
];

impl Dataset {
    fn catalogue(t: &'static RecordType) -> Dataset {
        let mut columns: Vec<Column> = t
            .fields
            .iter()
            .map(|f| Column {
                name: f.name.to_owned(),
                label_zh: f.label_zh.to_owned(),
                label_en: f.name.to_owned(),
                numeric: f.kind.is_numeric(),
                expr: format!("\"{}\"", f.column()),
            })
            .collect();
        columns.extend(
            CATALOGUE_META
                .iter()
                .map(|(name, column, zh, en, numeric)| Column {
                    name: (*name).to_owned(),
                    label_zh: (*zh).to_owned(),
                    label_en: (*en).to_owned(),
                    numeric: *numeric,
                    expr: (*column).to_owned(),
                }),
        );
        Dataset {
            id: format!("catalogue:{}", t.slug),
            title_zh: t.name_zh.to_owned(),
            title_en: t.name_en.to_owned(),
            source: Source::Catalogue(t),
            columns,
        }
    }

    fn workflow(w: &'static WorkflowTable) -> Dataset {
        Dataset {
            id: format!("workflow:{}", w.name),
            title_zh: w.title_zh.to_owned(),
            title_en: w.title_en.to_owned(),
            source: Source::Workflow(w),
            columns: w
                .columns
                .iter()
                .map(|(column, zh, en, numeric)| Column {
                    name: column.to_ascii_uppercase(),
                    label_zh: (*zh).to_owned(),
                    label_en: (*en).to_owned(),
                    numeric: *numeric,
                    expr: (*column).to_owned(),
                })
                .collect(),
        }
    }

    /// The table rows come from.
    pub fn table(&self) -> String {
        match &self.source {
            Source::Catalogue(t) => t.table(),
            Source::Workflow(w) => w.table.to_owned(),
            Source::Snapshot { .. } => "dq_snapshot_rows".to_owned(),
        }
    }

    /// The column named `name` (element names also by their aliases and any case).
    pub fn column(&self, name: &str) -> Result<&Column, QueryError> {
        if let Source::Catalogue(t) = &self.source
            && let Some(i) = resolve_field(t, name)
        {
            return Ok(&self.columns[i]);
        }
        self.columns
            .iter()
            .find(|c| c.name.eq_ignore_ascii_case(name))
            .ok_or_else(|| QueryError::UnknownField {
                dataset: self.id.clone(),
                field: crate::catalogue::validate::echo(name),
            })
    }

    pub fn info(&self) -> DatasetInfo {
        DatasetInfo {
            id: self.id.clone(),
            title_zh: self.title_zh.clone(),
            title_en: self.title_en.clone(),
            kind: match self.source {
                Source::Catalogue(_) => "catalogue",
                Source::Workflow(_) => "workflow",
                Source::Snapshot { .. } => "snapshot",
            },
            columns: self.columns.clone(),
        }
    }
}

/// A snapshot's column as stored in `dq_snapshots.fields`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SnapshotField {
    pub name: String,
    pub label_zh: String,
    pub label_en: String,
    pub numeric: bool,
}

fn snapshot(id: String, name: &str, fields: Vec<SnapshotField>) -> Dataset {
    Dataset {
        id: format!("snapshot:{name}"),
        title_zh: format!("生成表：{name}"),
        title_en: format!("Snapshot: {name}"),
        source: Source::Snapshot { id },
        columns: fields
            .into_iter()
            .enumerate()
            .map(|(i, f)| Column {
                name: f.name,
                label_zh: f.label_zh,
                label_en: f.label_en,
                numeric: f.numeric,
                expr: format!("c{}", i + 1),
            })
            .collect(),
    }
}

/// The dataset `id` names.
pub async fn find(db: &Db, id: &str) -> Result<Dataset, QueryError> {
    let unknown = || QueryError::UnknownDataset(crate::catalogue::validate::echo(id));
    let (kind, name) = id.split_once(':').ok_or_else(unknown)?;
    match kind {
        "catalogue" => record_type(name)
            .map(Dataset::catalogue)
            .ok_or_else(unknown),
        "workflow" => WORKFLOW_TABLES
            .iter()
            .find(|w| w.name == name)
            .map(Dataset::workflow)
            .ok_or_else(unknown),
        "snapshot" => {
            let row: Option<(String, String)> = with_pool!(db, pool => {
                sqlx::query_as("SELECT id, fields FROM dq_snapshots WHERE name = $1")
                    .bind(name)
                    .fetch_optional(pool)
                    .await
                    .map_err(DbError::from)?
            });
            let (snapshot_id, fields) = row.ok_or_else(unknown)?;
            let fields: Vec<SnapshotField> = serde_json::from_str(&fields)
                .map_err(|e| QueryError::Db(DbError::Query(sqlx::Error::Decode(Box::new(e)))))?;
            Ok(snapshot(snapshot_id, name, fields))
        }
        _ => Err(unknown()),
    }
}

/// Every dataset: the catalogue's types, the workflow tables, the snapshots (newest first).
pub async fn all(db: &Db) -> Result<Vec<DatasetInfo>, QueryError> {
    let mut out: Vec<DatasetInfo> = TYPES.iter().map(|t| Dataset::catalogue(t).info()).collect();
    out.extend(WORKFLOW_TABLES.iter().map(|w| Dataset::workflow(w).info()));
    let rows: Vec<(String, String, String)> = with_pool!(db, pool => {
        sqlx::query_as("SELECT id, name, fields FROM dq_snapshots ORDER BY created_at DESC, name LIMIT 200")
            .fetch_all(pool)
            .await
            .map_err(DbError::from)?
    });
    for (id, name, fields) in rows {
        let fields: Vec<SnapshotField> = serde_json::from_str(&fields).unwrap_or_default();
        out.push(snapshot(id, &name, fields).info());
    }
    Ok(out)
}
