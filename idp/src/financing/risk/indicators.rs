//! 风险预警 indicators, defined as data: a name, a formula (one of the published rules' measures,
//! or a query model grouped by subject), thresholds for 黄 / 橙 / 红 and whether a red warning
//! freezes the subject's reporting. The defaults come from the programmes' published rules and
//! the financing settings; staff change thresholds, switch indicators off and add their own.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::RiskError;
use crate::db::{Db, DbError};
use crate::financing::Service;
use crate::financing::query::figures::Fixed;
use crate::financing::query::model::QueryModel;
use crate::with_pool;

/// The measures the published rules define, computed by [`super::measures`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Builtin {
    /// 转贷: days a disbursed bridge is past its day limit (per bridge).
    BridgeOverdueDays,
    /// 互助基金: overdue principal as a percentage of outstanding principal (the fund).
    FundOverdueRate,
    /// 风险补偿: a bank's lending under the pool as a percentage of its commitment (per bank).
    BankCommitmentUse,
    /// 风险补偿: compensation paid as a percentage of the pool.
    PoolCompensationUse,
    /// One enterprise's outstanding share of a fund, percent (per enterprise and fund).
    EnterpriseConcentration,
    /// Reporting: refused records as a percentage of those received in the last 30 days, or
    /// 100 when an organisation that reported before has reported nothing in them (per
    /// organisation).
    ReportingCompliance,
}

/// How an indicator's figures are computed.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Formula {
    Builtin {
        measure: Builtin,
    },
    /// A `groups` query model with one grouping field (the subject) and one measure (the
    /// figure); a subject field that holds organisation ids makes the subject freezable.
    Query {
        model: Box<QueryModel>,
        #[serde(default)]
        subject_is_organisation: bool,
    },
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Indicator {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub formula: Formula,
    /// `percent`, `days`, `yuan` or `count`.
    pub unit: String,
    /// A figure above a threshold raises that level.
    pub yellow: String,
    pub orange: String,
    pub red: String,
    /// A red warning on an organisation freezes its reporting.
    pub auto_freeze: bool,
    pub enabled: bool,
    pub updated_at: i64,
}

/// A change staff make to an indicator, or a new one.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IndicatorInput {
    pub name_zh: Option<String>,
    pub name_en: Option<String>,
    pub formula: Option<Formula>,
    pub unit: Option<String>,
    pub yellow: Option<String>,
    pub orange: Option<String>,
    pub red: Option<String>,
    pub auto_freeze: Option<bool>,
    pub enabled: Option<bool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Yellow,
    Orange,
    Red,
}

impl Level {
    pub fn code(self) -> &'static str {
        match self {
            Level::Yellow => "yellow",
            Level::Orange => "orange",
            Level::Red => "red",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Level::Yellow => "黄色预警",
            Level::Orange => "橙色预警",
            Level::Red => "红色预警",
        }
    }

    pub fn from_code(code: &str) -> Option<Level> {
        match code {
            "yellow" => Some(Level::Yellow),
            "orange" => Some(Level::Orange),
            "red" => Some(Level::Red),
            _ => None,
        }
    }
}

impl Indicator {
    /// The level a figure reaches, with the threshold it passed.
    pub fn level(&self, figure: Fixed) -> Option<(Level, String)> {
        [
            (Level::Red, &self.red),
            (Level::Orange, &self.orange),
            (Level::Yellow, &self.yellow),
        ]
        .into_iter()
        .find(|(_, t)| Fixed::parse(t).is_some_and(|t| figure > t))
        .map(|(l, t)| (l, t.clone()))
    }
}

fn default(
    code: &str,
    zh: &str,
    en: &str,
    measure: Builtin,
    unit: &str,
    levels: [String; 3],
) -> Indicator {
    let [yellow, orange, red] = levels;
    Indicator {
        code: code.into(),
        name_zh: zh.into(),
        name_en: en.into(),
        formula: Formula::Builtin { measure },
        unit: unit.into(),
        yellow,
        orange,
        red,
        auto_freeze: false,
        enabled: true,
        updated_at: 0,
    }
}

/// The default indicators, their thresholds taken from the financing settings where the rules
/// fix one (the mutual fund pauses at its overdue rate; a bridge lasts its day limit).
pub fn defaults(service: &Service) -> Vec<Indicator> {
    let pause_fixed = Fixed::parse(&crate::financing::mutual::ppm_percent(
        service.terms.fund.pause_ppm,
    ))
    .unwrap_or(Fixed::from_count(5));
    let pause = pause_fixed.text();
    let part = |num: i128| {
        pause_fixed
            .divided_by(Fixed::from_count(5))
            .map(|p| {
                let mut v = Fixed::from_count(0);
                for _ in 0..num {
                    v = v.plus(p);
                }
                v.text()
            })
            .unwrap_or_default()
    };
    vec![
        default(
            "bridge_overdue",
            "转贷资金超期占用",
            "Bridge loan past its day limit",
            Builtin::BridgeOverdueDays,
            "days",
            ["0".into(), "3".into(), "7".into()],
        ),
        // Yellow at three fifths of the pause rate, orange at four fifths, red above it (the
        // fund pauses there).
        default(
            "fund_overdue_rate",
            "互助基金逾期率",
            "Mutual fund overdue rate",
            Builtin::FundOverdueRate,
            "percent",
            [part(3), part(4), pause],
        ),
        default(
            "bank_commitment",
            "合作银行贷款占承诺额度比例",
            "Bank lending against its commitment",
            Builtin::BankCommitmentUse,
            "percent",
            ["80".into(), "90".into(), "100".into()],
        ),
        default(
            "pool_compensation",
            "风险补偿金代偿占资金池比例",
            "Compensation paid against the pool",
            Builtin::PoolCompensationUse,
            "percent",
            ["50".into(), "70".into(), "90".into()],
        ),
        default(
            "enterprise_concentration",
            "单一企业占用资金集中度",
            "Concentration on one enterprise",
            Builtin::EnterpriseConcentration,
            "percent",
            ["10".into(), "15".into(), "20".into()],
        ),
        default(
            "reporting_compliance",
            "数据上报合规（拒收、迟报、漏报）",
            "Reporting compliance (refused, late or missing reports)",
            Builtin::ReportingCompliance,
            "percent",
            ["10".into(), "20".into(), "30".into()],
        ),
    ]
}

fn check_thresholds(i: &Indicator) -> Result<(), RiskError> {
    let parsed: Vec<Option<Fixed>> = [&i.yellow, &i.orange, &i.red]
        .iter()
        .map(|t| Fixed::parse(t))
        .collect();
    match parsed.as_slice() {
        [Some(y), Some(o), Some(r)] if y <= o && o <= r => Ok(()),
        _ => Err(RiskError::Invalid(
            "阈值须为数字，且黄 ≤ 橙 ≤ 红 / thresholds are numbers with yellow ≤ orange ≤ red"
                .into(),
        )),
    }
}

const COLUMNS: &str =
    "code, name_zh, name_en, formula, unit, yellow, orange, red, auto_freeze, enabled, updated_at";

type Row = (
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    i64,
    i64,
    i64,
);

fn from_row(r: Row) -> Result<Indicator, RiskError> {
    Ok(Indicator {
        formula: serde_json::from_str(&r.3)
            .map_err(|e| RiskError::Invalid(format!("指标 {} 的公式无法读取：{e}", r.0)))?,
        code: r.0,
        name_zh: r.1,
        name_en: r.2,
        unit: r.4,
        yellow: r.5,
        orange: r.6,
        red: r.7,
        auto_freeze: r.8 != 0,
        enabled: r.9 != 0,
        updated_at: r.10,
    })
}

/// Adds the default indicators that are not there yet (staff changes to them are kept).
pub async fn ensure_defaults(db: &Db, service: &Service, now: i64) -> Result<(), RiskError> {
    for i in defaults(service) {
        let formula = serde_json::to_string(&i.formula).unwrap_or_default();
        with_pool!(db, pool => {
            sqlx::query(&format!("INSERT INTO risk_indicators ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (code) DO NOTHING"))
                .bind(&i.code).bind(&i.name_zh).bind(&i.name_en).bind(&formula).bind(&i.unit)
                .bind(&i.yellow).bind(&i.orange).bind(&i.red)
                .bind(i64::from(i.auto_freeze)).bind(i64::from(i.enabled)).bind(now)
                .execute(pool).await.map_err(DbError::from)?;
        });
    }
    Ok(())
}

pub async fn list(db: &Db) -> Result<Vec<Indicator>, RiskError> {
    let rows: Vec<Row> = with_pool!(db, pool => {
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM risk_indicators ORDER BY code LIMIT 200"))
            .fetch_all(pool).await.map_err(DbError::from)?
    });
    rows.into_iter().map(from_row).collect()
}

pub async fn find(db: &Db, code: &str) -> Result<Indicator, RiskError> {
    let row: Option<Row> = with_pool!(db, pool => {
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM risk_indicators WHERE code = $1"))
            .bind(code).fetch_optional(pool).await.map_err(DbError::from)?
    });
    row.map(from_row)
        .transpose()?
        .ok_or_else(|| RiskError::NotFound(crate::catalogue::validate::echo(code)))
}

/// Checks a custom formula: a groups model with one field and one measure that compiles.
async fn check_formula(db: &Db, formula: &Formula) -> Result<(), RiskError> {
    if let Formula::Query { model, .. } = formula {
        if model.kind != crate::financing::query::model::QueryKind::Groups
            || model.rows.len() != 1
            || model.measures.len() != 1
        {
            return Err(RiskError::Invalid(
                "自定义指标的公式须为 groups 查询：一个主体字段、一个统计量 / a custom formula is a groups query with one subject field and one measure".into(),
            ));
        }
        crate::financing::query::api::check_model(db, model).await?;
    }
    Ok(())
}

/// Changes an indicator, or creates a custom one (a new code needs every part), and records
/// who did it with the indicator as it now stands, in the same transaction.
pub async fn save(
    db: &Db,
    code: &str,
    input: IndicatorInput,
    actor: &str,
    now: i64,
) -> Result<Indicator, RiskError> {
    let good_code = !code.is_empty()
        && code.len() <= 64
        && code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if !good_code {
        return Err(RiskError::Invalid(
            "指标代码为 1 到 64 个字母、数字、_ 或 - / an indicator code is 1 to 64 letters, digits, _ or -".into(),
        ));
    }
    let existing = match find(db, code).await {
        Ok(i) => Some(i),
        Err(RiskError::NotFound(_)) => None,
        Err(e) => return Err(e),
    };
    let is_new = existing.is_none();
    let mut i = match existing {
        Some(i) => i,
        None => {
            let (Some(name_zh), Some(formula), Some(yellow), Some(orange), Some(red)) = (
                input.name_zh.clone(),
                input.formula.clone(),
                input.yellow.clone(),
                input.orange.clone(),
                input.red.clone(),
            ) else {
                return Err(RiskError::Invalid(
                    "新指标须给出 name_zh、formula 和三个阈值 / a new indicator needs name_zh, formula and the three thresholds".into(),
                ));
            };
            Indicator {
                code: code.to_owned(),
                name_en: input.name_en.clone().unwrap_or_else(|| name_zh.clone()),
                name_zh,
                formula,
                unit: input.unit.clone().unwrap_or_else(|| "count".into()),
                yellow,
                orange,
                red,
                auto_freeze: false,
                enabled: true,
                updated_at: now,
            }
        }
    };
    if let Some(v) = input.name_zh {
        i.name_zh = v;
    }
    if let Some(v) = input.name_en {
        i.name_en = v;
    }
    if let Some(v) = input.formula {
        if !is_new && matches!(i.formula, Formula::Builtin { .. }) {
            return Err(RiskError::Invalid(
                "默认指标的公式不能更改，可新建自定义指标 / a default indicator's formula stays; add a custom indicator instead".into(),
            ));
        }
        i.formula = v;
    }
    if let Some(v) = input.unit {
        i.unit = v;
    }
    if let Some(v) = input.yellow {
        i.yellow = v;
    }
    if let Some(v) = input.orange {
        i.orange = v;
    }
    if let Some(v) = input.red {
        i.red = v;
    }
    if let Some(v) = input.auto_freeze {
        i.auto_freeze = v;
    }
    if let Some(v) = input.enabled {
        i.enabled = v;
    }
    if i.name_zh.trim().is_empty() || i.name_zh.chars().count() > 100 {
        return Err(RiskError::Invalid(
            "指标名称为 1 到 100 个字符 / a name is 1 to 100 characters".into(),
        ));
    }
    if !["percent", "days", "yuan", "count"].contains(&i.unit.as_str()) {
        return Err(RiskError::Invalid(
            "unit 为 percent、days、yuan 或 count".into(),
        ));
    }
    check_thresholds(&i)?;
    check_formula(db, &i.formula).await?;
    i.updated_at = now;
    let formula = serde_json::to_string(&i.formula).unwrap_or_default();
    let mut tx = db.begin().await?;
    crate::with_tx!(&mut tx, conn => {
        sqlx::query(&format!("INSERT INTO risk_indicators ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
            ON CONFLICT (code) DO UPDATE SET name_zh = excluded.name_zh, name_en = excluded.name_en, formula = excluded.formula, unit = excluded.unit, \
            yellow = excluded.yellow, orange = excluded.orange, red = excluded.red, auto_freeze = excluded.auto_freeze, enabled = excluded.enabled, updated_at = excluded.updated_at"))
            .bind(&i.code).bind(&i.name_zh).bind(&i.name_en).bind(&formula).bind(&i.unit)
            .bind(&i.yellow).bind(&i.orange).bind(&i.red)
            .bind(i64::from(i.auto_freeze)).bind(i64::from(i.enabled)).bind(i.updated_at)
            .execute(&mut *conn).await.map_err(DbError::from)?;
    });
    let detail = serde_json::json!({
        "created": is_new, "formula": i.formula, "yellow": i.yellow, "orange": i.orange,
        "red": i.red, "auto_freeze": i.auto_freeze, "enabled": i.enabled
    })
    .to_string();
    super::warnings::audit(&mut tx, actor, "indicator", code, &detail, now).await?;
    tx.commit().await?;
    Ok(i)
}
