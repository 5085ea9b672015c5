//! 风险统计分析: every indicator's warnings by dimension (time, bank, region, product,
//! organisation), the funds they watch, and the exceedances; each chart's data is also a table
//! for CSV.

use std::collections::BTreeMap;

use serde::Serialize;
use utoipa::ToSchema;

use super::RiskError;
use super::warnings::{self, Warning, WarningFilter};
use crate::db::{Db, DbError};
use crate::financing::Service;
use crate::financing::query::run::Table;
use crate::with_pool;

/// Days the time chart reaches back.
pub const HISTORY_DAYS: i64 = 60;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Slice {
    pub name: String,
    pub value: i64,
}

/// Warnings of one key by level.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Levels {
    pub key: String,
    pub label: String,
    pub yellow: i64,
    pub orange: i64,
    pub red: i64,
}

/// The money the indicators watch, fen.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FundLine {
    pub name_zh: String,
    pub name_en: String,
    pub size_fen: i64,
    pub used_fen: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Dashboard {
    /// Open warnings by level.
    pub by_level: Vec<Slice>,
    pub by_indicator: Vec<Levels>,
    /// Per day (China time), the warnings the day's last evaluation of each indicator found.
    pub by_time: Vec<Levels>,
    pub by_bank: Vec<Levels>,
    pub by_region: Vec<Levels>,
    pub by_product: Vec<Levels>,
    /// The 20 organisations with the most open warnings.
    pub by_organisation: Vec<Levels>,
    pub funds: Vec<FundLine>,
    /// Open orange and red warnings, the most severe first (100).
    pub exceedances: Vec<Warning>,
}

fn add(map: &mut BTreeMap<String, Levels>, key: &str, label: &str, level: &str, n: i64) {
    let entry = map.entry(key.to_owned()).or_insert_with(|| Levels {
        key: key.to_owned(),
        label: label.to_owned(),
        yellow: 0,
        orange: 0,
        red: 0,
    });
    match level {
        "red" => entry.red += n,
        "orange" => entry.orange += n,
        _ => entry.yellow += n,
    }
}

pub async fn build(db: &Db, service: &Service, now: i64) -> Result<Dashboard, RiskError> {
    let open = warnings::list(db, &WarningFilter::default()).await?;
    let mut by_indicator = BTreeMap::new();
    let mut by_bank = BTreeMap::new();
    let mut by_region = BTreeMap::new();
    let mut by_product = BTreeMap::new();
    let mut by_organisation = BTreeMap::new();
    let mut levels = [0i64; 3];
    for w in &open {
        match w.level.as_str() {
            "red" => levels[2] += 1,
            "orange" => levels[1] += 1,
            _ => levels[0] += 1,
        }
        add(
            &mut by_indicator,
            &w.indicator,
            &w.indicator_name_zh,
            &w.level,
            1,
        );
        for (dim, map) in [
            ("bank", &mut by_bank),
            ("region", &mut by_region),
            ("product", &mut by_product),
        ] {
            if let Some(v) = w.dimensions.get(dim).and_then(|v| v.as_str()) {
                add(map, v, v, &w.level, 1);
            }
        }
        if let Some(org) = &w.organisation_id {
            let name = w
                .subject_name
                .split('（')
                .next()
                .unwrap_or(&w.subject_name)
                .to_owned();
            add(&mut by_organisation, org, &name, &w.level, 1);
        }
    }
    let since = now - HISTORY_DAYS * 86_400;
    let history: Vec<(i64, String, i64, i64, i64)> = with_pool!(db, pool => {
        sqlx::query_as("SELECT at, indicator, yellow, orange, red FROM risk_evaluations WHERE at >= $1 ORDER BY at LIMIT 50000")
            .bind(since).fetch_all(pool).await.map_err(DbError::from)?
    });
    // The day's last evaluation of each indicator.
    let mut last: BTreeMap<(String, String), (i64, i64, i64)> = BTreeMap::new();
    for (at, indicator, y, o, r) in history {
        last.insert((crate::clock::shanghai_date(at), indicator), (y, o, r));
    }
    let mut by_time: BTreeMap<String, Levels> = BTreeMap::new();
    for ((day, _), (y, o, r)) in last {
        add(&mut by_time, &day, &day, "yellow", y);
        add(&mut by_time, &day, &day, "orange", o);
        add(&mut by_time, &day, &day, "red", r);
    }
    let mut by_organisation: Vec<Levels> = by_organisation.into_values().collect();
    by_organisation.sort_by_key(|l| std::cmp::Reverse(l.yellow + l.orange + l.red));
    by_organisation.truncate(20);
    let funds = service
        .funds(db, crate::clock::shanghai_year(now))
        .await
        .map_err(|e| RiskError::Invalid(e.to_string()))?;
    let (fund_out, fund_size): (i64, i64) = with_pool!(db, pool => {
        sqlx::query_as("SELECT CAST(COALESCE((SELECT SUM(amount_fen - principal_repaid_fen) FROM fund_applications WHERE state IN ('disbursed', 'overdue')), 0) AS BIGINT), \
            CAST(COALESCE((SELECT SUM(ABS(balance_fen)) FROM fund_accounts WHERE code IN ('capital_government', 'capital_members')), 0) AS BIGINT)")
            .fetch_one(pool).await.map_err(DbError::from)?
    });
    let lending: i64 = funds.banks.iter().map(|b| b.outstanding_fen).sum();
    let fund_lines = vec![
        FundLine {
            name_zh: "转贷资金（在贷）".into(),
            name_en: "Bridge fund (out)".into(),
            size_fen: funds.bridge_fund_fen,
            used_fen: funds.bridge_out_fen,
        },
        FundLine {
            name_zh: "风险补偿资金池（已代偿）".into(),
            name_en: "Compensation pool (paid)".into(),
            size_fen: funds.pool_fen,
            used_fen: funds.pool_paid_fen,
        },
        FundLine {
            name_zh: "合作银行承诺额度（已贷）".into(),
            name_en: "Banks' commitments (lent)".into(),
            size_fen: funds.bank_commitment_fen * funds.banks.len().max(1) as i64,
            used_fen: lending,
        },
        FundLine {
            name_zh: "融资租赁补贴预算（已批）".into(),
            name_en: "Leasing subsidy budget (granted)".into(),
            size_fen: funds.leasing_budget_fen,
            used_fen: funds.leasing_granted_fen,
        },
        FundLine {
            name_zh: "互助基金（在贷本金）".into(),
            name_en: "Mutual fund (principal out)".into(),
            size_fen: fund_size,
            used_fen: fund_out,
        },
    ];
    Ok(Dashboard {
        by_level: vec![
            Slice {
                name: "黄色 yellow".into(),
                value: levels[0],
            },
            Slice {
                name: "橙色 orange".into(),
                value: levels[1],
            },
            Slice {
                name: "红色 red".into(),
                value: levels[2],
            },
        ],
        by_indicator: by_indicator.into_values().collect(),
        by_time: by_time.into_values().collect(),
        by_bank: by_bank.into_values().collect(),
        by_region: by_region.into_values().collect(),
        by_product: by_product.into_values().collect(),
        by_organisation,
        funds: fund_lines,
        exceedances: open
            .into_iter()
            .filter(|w| w.level != "yellow")
            .take(100)
            .collect(),
    })
}

/// The charts a dashboard draws, by name.
pub const CHARTS: &[&str] = &[
    "levels",
    "indicators",
    "time",
    "banks",
    "regions",
    "products",
    "organisations",
    "funds",
    "exceedances",
];

fn levels_table(title: &str, rows: &[Levels]) -> Table {
    Table {
        titles: vec![
            title.to_owned(),
            "名称 label".into(),
            "黄 yellow".into(),
            "橙 orange".into(),
            "红 red".into(),
        ],
        rows: rows
            .iter()
            .map(|l| {
                vec![
                    Some(l.key.clone()),
                    Some(l.label.clone()),
                    Some(l.yellow.to_string()),
                    Some(l.orange.to_string()),
                    Some(l.red.to_string()),
                ]
            })
            .collect(),
    }
}

impl Dashboard {
    /// A chart's data as a table.
    pub fn chart(&self, name: &str) -> Option<Table> {
        Some(match name {
            "levels" => Table {
                titles: vec!["级别 level".into(), "预警数 warnings".into()],
                rows: self
                    .by_level
                    .iter()
                    .map(|s| vec![Some(s.name.clone()), Some(s.value.to_string())])
                    .collect(),
            },
            "indicators" => levels_table("指标 indicator", &self.by_indicator),
            "time" => levels_table("日期 date", &self.by_time),
            "banks" => levels_table("银行 bank", &self.by_bank),
            "regions" => levels_table("地区 region", &self.by_region),
            "products" => levels_table("产品 product", &self.by_product),
            "organisations" => levels_table("机构 organisation", &self.by_organisation),
            "funds" => Table {
                titles: vec![
                    "资金 fund".into(),
                    "规模（元）size (yuan)".into(),
                    "已用（元）used (yuan)".into(),
                ],
                rows: self
                    .funds
                    .iter()
                    .map(|f| {
                        vec![
                            Some(f.name_zh.clone()),
                            Some(crate::payments::money::fen_to_yuan(f.size_fen)),
                            Some(crate::payments::money::fen_to_yuan(f.used_fen)),
                        ]
                    })
                    .collect(),
            },
            "exceedances" => Table {
                titles: vec![
                    "指标 indicator".into(),
                    "对象 subject".into(),
                    "级别 level".into(),
                    "指标值 figure".into(),
                    "阈值 threshold".into(),
                    "相关记录 records".into(),
                ],
                rows: self
                    .exceedances
                    .iter()
                    .map(|w| {
                        vec![
                            Some(w.indicator_name_zh.clone()),
                            Some(w.subject_name.clone()),
                            Some(w.level.clone()),
                            Some(w.figure.clone()),
                            Some(w.threshold.clone()),
                            Some(w.records.join("; ")),
                        ]
                    })
                    .collect(),
            },
            _ => return None,
        })
    }
}
