//! The figures behind each indicator: per subject (a bridge, a bank, an enterprise's share of
//! a fund, an organisation's reporting), with the records behind the figure and the dimensions
//! the dashboard groups by (bank, region, product).

use std::collections::BTreeMap;

use super::RiskError;
use super::indicators::{Builtin, Formula, Indicator};
use crate::db::{Db, DbError};
use crate::financing::Service;
use crate::financing::query::figures::Fixed;
use crate::financing::query::model::Arguments;
use crate::financing::query::{datasets, run};
use crate::with_pool;

/// Subjects one indicator evaluates at most.
pub const MAX_SUBJECTS: usize = 10_000;
/// Records listed behind one figure at most.
pub const MAX_RECORDS: usize = 100;
/// The reporting-compliance window.
pub const COMPLIANCE_DAYS: i64 = 30;

/// One subject's figure.
#[derive(Debug, Clone)]
pub struct Figure {
    pub subject: String,
    pub subject_name: String,
    /// The subject's organisation, when it has one (it can be frozen).
    pub organisation_id: Option<String>,
    pub figure: Fixed,
    pub records: Vec<String>,
    pub dimensions: BTreeMap<&'static str, String>,
}

fn percent(part: i64, whole: i64) -> Fixed {
    if whole <= 0 {
        return Fixed::from_count(0);
    }
    Fixed::from_count(i128::from(part) * 100)
        .divided_by(Fixed::from_count(i128::from(whole)))
        .unwrap_or(Fixed::from_count(0))
}

fn dims(pairs: &[(&'static str, Option<String>)]) -> BTreeMap<&'static str, String> {
    pairs
        .iter()
        .filter_map(|(k, v)| v.clone().map(|v| (*k, v)))
        .collect()
}

/// The figures of one indicator.
pub async fn figures(
    db: &Db,
    service: &Service,
    indicator: &Indicator,
    now: i64,
) -> Result<Vec<Figure>, RiskError> {
    match &indicator.formula {
        Formula::Builtin { measure } => builtin(db, service, *measure, now).await,
        Formula::Query {
            model,
            subject_is_organisation,
        } => {
            let dataset = datasets::find(db, &model.dataset).await?;
            let groups = run::groups(db, &dataset, model, &Arguments::new()).await?;
            Ok(groups
                .rows
                .into_iter()
                .filter(|r| r.level == 1)
                .take(MAX_SUBJECTS)
                .filter_map(|r| {
                    let subject = r.keys.first().cloned().flatten()?;
                    let figure = r.values.first().cloned().flatten()?;
                    Some(Figure {
                        subject_name: subject.clone(),
                        organisation_id: subject_is_organisation.then(|| subject.clone()),
                        figure: Fixed::parse(&figure)?,
                        records: Vec::new(),
                        dimensions: BTreeMap::new(),
                        subject,
                    })
                })
                .collect())
        }
    }
}

async fn builtin(
    db: &Db,
    service: &Service,
    measure: Builtin,
    now: i64,
) -> Result<Vec<Figure>, RiskError> {
    let limit = MAX_SUBJECTS as i64;
    Ok(match measure {
        Builtin::BridgeOverdueDays => {
            let rows: Vec<(String, String, String, Option<String>, String, i64)> = with_pool!(db, pool => {
                sqlx::query_as("SELECT a.id, a.comp_name, a.enterprise_org_id, b.name, a.region_code, a.due_at FROM fin_applications a LEFT JOIN organisations b ON b.id = a.bank_org_id \
                    WHERE a.product = 'bridge' AND a.state IN ('disbursed', 'overdue') AND a.due_at IS NOT NULL AND a.due_at < $1 ORDER BY a.due_at LIMIT $2")
                    .bind(now).bind(limit).fetch_all(pool).await.map_err(DbError::from)?
            });
            rows.into_iter()
                .map(|(id, name, org, bank, region, due_at)| Figure {
                    subject_name: format!("{name}（{id}）"),
                    organisation_id: Some(org),
                    // A bridge an hour past its last day is a day past it.
                    figure: Fixed::from_count(i128::from((now - due_at + 86_399) / 86_400)),
                    records: vec![id.clone()],
                    dimensions: dims(&[
                        ("bank", bank),
                        ("region", Some(region)),
                        ("product", Some("bridge".into())),
                    ]),
                    subject: id,
                })
                .collect()
        }
        Builtin::FundOverdueRate => {
            let (overdue, outstanding): (i64, i64) = with_pool!(db, pool => {
                sqlx::query_as("SELECT CAST(COALESCE(SUM(CASE WHEN state = 'overdue' THEN amount_fen - principal_repaid_fen ELSE 0 END), 0) AS BIGINT), CAST(COALESCE(SUM(amount_fen - principal_repaid_fen), 0) AS BIGINT) FROM fund_applications WHERE state IN ('disbursed', 'overdue')")
                    .fetch_one(pool).await.map_err(DbError::from)?
            });
            let records: Vec<String> = with_pool!(db, pool => {
                sqlx::query_scalar("SELECT apply_no FROM fund_applications WHERE state = 'overdue' ORDER BY apply_no LIMIT $1")
                    .bind(MAX_RECORDS as i64).fetch_all(pool).await.map_err(DbError::from)?
            });
            vec![Figure {
                subject: "mutual-fund".into(),
                subject_name: "互助基金 / Mutual fund".into(),
                organisation_id: None,
                figure: percent(overdue, outstanding),
                records,
                dimensions: dims(&[("product", Some("mutual_fund".into()))]),
            }]
        }
        Builtin::BankCommitmentUse => {
            let commitment = service.bank_commitment_fen();
            let rows: Vec<(String, String, i64)> = with_pool!(db, pool => {
                sqlx::query_as("SELECT l.bank_org_id, o.name, l.outstanding_fen FROM fin_bank_lending l JOIN organisations o ON o.id = l.bank_org_id ORDER BY l.bank_org_id LIMIT $1")
                    .bind(limit).fetch_all(pool).await.map_err(DbError::from)?
            });
            let mut out = Vec::with_capacity(rows.len());
            for (bank, name, outstanding) in rows {
                let records: Vec<String> = with_pool!(db, pool => {
                    sqlx::query_scalar("SELECT id FROM fin_applications WHERE product = 'compensation' AND bank_org_id = $1 AND state NOT IN ('draft', 'withdrawn', 'rejected') ORDER BY id LIMIT $2")
                        .bind(&bank).bind(MAX_RECORDS as i64).fetch_all(pool).await.map_err(DbError::from)?
                });
                out.push(Figure {
                    subject_name: name.clone(),
                    organisation_id: Some(bank.clone()),
                    figure: percent(outstanding, commitment),
                    records,
                    dimensions: dims(&[
                        ("bank", Some(name)),
                        ("product", Some("compensation".into())),
                    ]),
                    subject: bank,
                });
            }
            out
        }
        Builtin::PoolCompensationUse => {
            let pool_row: Option<(i64, i64)> = with_pool!(db, pool => {
                sqlx::query_as("SELECT size_fen, out_fen FROM fin_funds WHERE name = 'pool'")
                    .fetch_optional(pool).await.map_err(DbError::from)?
            });
            let (size, paid) = pool_row.unwrap_or((0, 0));
            let records: Vec<String> = with_pool!(db, pool => {
                sqlx::query_scalar("SELECT id FROM fin_applications WHERE product = 'compensation' AND compensation_fen > 0 ORDER BY id LIMIT $1")
                    .bind(MAX_RECORDS as i64).fetch_all(pool).await.map_err(DbError::from)?
            });
            vec![Figure {
                subject: "compensation-pool".into(),
                subject_name: "风险补偿资金池 / Risk compensation pool".into(),
                organisation_id: None,
                figure: percent(paid, size),
                records,
                dimensions: dims(&[("product", Some("compensation".into()))]),
            }]
        }
        Builtin::EnterpriseConcentration => concentration(db, limit).await?,
        Builtin::ReportingCompliance => compliance(db, now, limit).await?,
    })
}

async fn concentration(db: &Db, limit: i64) -> Result<Vec<Figure>, RiskError> {
    let bridge_size: i64 = with_pool!(db, pool => {
        sqlx::query_scalar::<_, i64>("SELECT size_fen FROM fin_funds WHERE name = 'bridge'")
            .fetch_optional(pool).await.map_err(DbError::from)?
    })
    .unwrap_or(0);
    let fund_size: i64 = with_pool!(db, pool => {
        sqlx::query_scalar("SELECT CAST(COALESCE(SUM(ABS(balance_fen)), 0) AS BIGINT) FROM fund_accounts WHERE code IN ('capital_government', 'capital_members')")
            .fetch_one(pool).await.map_err(DbError::from)?
    });
    let bridges: Vec<(String, String, i64, String)> = with_pool!(db, pool => {
        sqlx::query_as("SELECT a.enterprise_org_id, o.name, CAST(SUM(COALESCE(a.disbursed_fen, 0)) AS BIGINT), MIN(a.region_code) FROM fin_applications a JOIN organisations o ON o.id = a.enterprise_org_id \
            WHERE a.product = 'bridge' AND a.state IN ('disbursed', 'overdue') GROUP BY a.enterprise_org_id, o.name ORDER BY a.enterprise_org_id LIMIT $1")
            .bind(limit).fetch_all(pool).await.map_err(DbError::from)?
    });
    let funds: Vec<(String, String, i64)> = with_pool!(db, pool => {
        sqlx::query_as("SELECT a.enterprise_org_id, o.name, CAST(SUM(a.amount_fen - a.principal_repaid_fen) AS BIGINT) FROM fund_applications a JOIN organisations o ON o.id = a.enterprise_org_id \
            WHERE a.state IN ('disbursed', 'overdue') GROUP BY a.enterprise_org_id, o.name ORDER BY a.enterprise_org_id LIMIT $1")
            .bind(limit).fetch_all(pool).await.map_err(DbError::from)?
    });
    let mut out = Vec::new();
    for (org, name, fen, region) in bridges {
        let records: Vec<String> = with_pool!(db, pool => {
            sqlx::query_scalar("SELECT id FROM fin_applications WHERE product = 'bridge' AND enterprise_org_id = $1 AND state IN ('disbursed', 'overdue') ORDER BY id LIMIT $2")
                .bind(&org).bind(MAX_RECORDS as i64).fetch_all(pool).await.map_err(DbError::from)?
        });
        out.push(Figure {
            subject: format!("bridge:{org}"),
            subject_name: format!("{name}（转贷资金 / bridge fund）"),
            organisation_id: Some(org),
            figure: percent(fen, bridge_size),
            records,
            dimensions: dims(&[("region", Some(region)), ("product", Some("bridge".into()))]),
        });
    }
    for (org, name, fen) in funds {
        let records: Vec<String> = with_pool!(db, pool => {
            sqlx::query_scalar("SELECT apply_no FROM fund_applications WHERE enterprise_org_id = $1 AND state IN ('disbursed', 'overdue') ORDER BY apply_no LIMIT $2")
                .bind(&org).bind(MAX_RECORDS as i64).fetch_all(pool).await.map_err(DbError::from)?
        });
        out.push(Figure {
            subject: format!("fund:{org}"),
            subject_name: format!("{name}（互助基金 / mutual fund）"),
            organisation_id: Some(org),
            figure: percent(fen, fund_size),
            records,
            dimensions: dims(&[("product", Some("mutual_fund".into()))]),
        });
    }
    Ok(out)
}

async fn compliance(db: &Db, now: i64, limit: i64) -> Result<Vec<Figure>, RiskError> {
    let since = now - COMPLIANCE_DAYS * 86_400;
    let recent: Vec<(String, String, String, i64, i64)> = with_pool!(db, pool => {
        sqlx::query_as("SELECT l.organisation_id, o.name, o.kind, CAST(SUM(l.received) AS BIGINT), CAST(SUM(l.refused) AS BIGINT) \
            FROM catalogue_report_log l JOIN organisations o ON o.id = l.organisation_id \
            WHERE l.at >= $1 AND o.kind IN ('carrier', 'enterprise') GROUP BY l.organisation_id, o.name, o.kind ORDER BY l.organisation_id LIMIT $2")
            .bind(since).bind(limit).fetch_all(pool).await.map_err(DbError::from)?
    });
    let silent: Vec<(String, String, String, i64)> = with_pool!(db, pool => {
        sqlx::query_as("SELECT l.organisation_id, o.name, o.kind, MAX(l.at) FROM catalogue_report_log l JOIN organisations o ON o.id = l.organisation_id \
            WHERE o.kind IN ('carrier', 'enterprise') GROUP BY l.organisation_id, o.name, o.kind HAVING MAX(l.at) < $1 ORDER BY l.organisation_id LIMIT $2")
            .bind(since).bind(limit).fetch_all(pool).await.map_err(DbError::from)?
    });
    let mut out = Vec::new();
    for (org, name, kind, received, refused) in recent {
        out.push(Figure {
            subject: org.clone(),
            subject_name: name,
            organisation_id: Some(org),
            figure: percent(refused, received),
            records: vec![format!(
                "近 {COMPLIANCE_DAYS} 天收到 {received} 条，拒收 {refused} 条 / {received} received, {refused} refused in {COMPLIANCE_DAYS} days"
            )],
            dimensions: dims(&[("product", Some(format!("reporting:{kind}")))]),
        });
    }
    for (org, name, kind, last) in silent {
        let last = crate::clock::shanghai_date(last);
        out.push(Figure {
            subject: org.clone(),
            subject_name: name,
            organisation_id: Some(org),
            figure: Fixed::from_count(100),
            records: vec![format!(
                "近 {COMPLIANCE_DAYS} 天未上报，最后一次 {last} / nothing reported in {COMPLIANCE_DAYS} days, last on {last}"
            )],
            dimensions: dims(&[("product", Some(format!("reporting:{kind}")))]),
        });
    }
    Ok(out)
}
