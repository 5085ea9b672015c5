//! Evaluating indicators into warnings (风险预警): a subject whose figure passes a threshold
//! has one open warning at the level it reached, updated while it lasts and cleared when the
//! figure falls back; a red warning of an indicator that says so freezes the subject's
//! reporting. Run by the scheduler under its lease and by staff on demand.

use serde::Serialize;
use utoipa::ToSchema;

use super::RiskError;
use super::indicators::{self, Indicator, Level};
use super::measures;
use crate::accounts::Role;
use crate::db::{Db, DbError, Tx};
use crate::financing::Service;
use crate::inbox::{self, NewMessage, Recipient};
use crate::{with_pool, with_tx};

/// A warning as staff see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Warning {
    pub id: String,
    pub indicator: String,
    pub indicator_name_zh: String,
    pub indicator_name_en: String,
    pub unit: String,
    pub subject: String,
    pub subject_name: String,
    pub organisation_id: Option<String>,
    /// `yellow`, `orange` or `red`.
    pub level: String,
    pub figure: String,
    pub threshold: String,
    /// The records behind the figure.
    pub records: Vec<String>,
    /// bank, region, product where they apply.
    pub dimensions: serde_json::Value,
    pub raised_at: i64,
    pub updated_at: i64,
    pub cleared_at: Option<i64>,
    /// Whether the subject's organisation is frozen now, and why.
    pub frozen_reason: Option<String>,
}

/// What one indicator's evaluation found.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Evaluation {
    pub indicator: String,
    pub subjects: usize,
    pub yellow: usize,
    pub orange: usize,
    pub red: usize,
    /// Warnings raised for the first time or raised to a higher level.
    pub raised: usize,
    pub cleared: usize,
    /// Organisations frozen by this evaluation.
    pub frozen: Vec<String>,
}

/// Evaluates every enabled indicator.
pub async fn evaluate_all(
    db: &Db,
    service: &Service,
    now: i64,
) -> Result<Vec<Evaluation>, RiskError> {
    let mut out = Vec::new();
    for i in indicators::list(db).await? {
        if i.enabled {
            out.push(evaluate(db, service, &i, now).await?);
        }
    }
    Ok(out)
}

/// An open warning as the evaluation compares it.
#[derive(sqlx::FromRow)]
struct Open {
    id: String,
    subject: String,
    subject_name: String,
    level: String,
    figure: String,
    threshold: String,
    records: String,
    dimensions: String,
}

/// Rows one multi-row statement writes (well under both databases' bound-value limits).
const BATCH: usize = 500;

pub async fn evaluate(
    db: &Db,
    service: &Service,
    indicator: &Indicator,
    now: i64,
) -> Result<Evaluation, RiskError> {
    let figures = measures::figures(db, service, indicator, now).await?;
    let mut e = Evaluation {
        indicator: indicator.code.clone(),
        subjects: figures.len(),
        yellow: 0,
        orange: 0,
        red: 0,
        raised: 0,
        cleared: 0,
        frozen: Vec::new(),
    };
    let mut tx = db.begin().await?;
    // Every open warning of the indicator in one read; only what changed is written, so an
    // evaluation over thousands of unchanged warnings writes nothing but its own counts.
    let open: Vec<Open> = with_tx!(&mut tx, conn => {
        sqlx::query_as(&format!("SELECT id, subject, subject_name, level, figure, threshold, records, dimensions FROM risk_warnings WHERE indicator = $1 AND cleared_at IS NULL{}", crate::db::dialect::for_update(db.backend())))
            .bind(&indicator.code).fetch_all(&mut *conn).await.map_err(DbError::from)?
    });
    let mut open: std::collections::HashMap<String, Open> =
        open.into_iter().map(|o| (o.subject.clone(), o)).collect();
    let mut inserts: Vec<[String; 9]> = Vec::new();
    let mut to_freeze: Vec<(String, String)> = Vec::new();
    let mut raised_now: Vec<(Level, String, String, String)> = Vec::new();
    for f in &figures {
        let Some((level, threshold)) = indicator.level(f.figure) else {
            continue;
        };
        match level {
            Level::Yellow => e.yellow += 1,
            Level::Orange => e.orange += 1,
            Level::Red => e.red += 1,
        }
        let records = serde_json::to_string(&f.records).unwrap_or_else(|_| "[]".into());
        let dimensions = serde_json::to_string(&f.dimensions).unwrap_or_else(|_| "{}".into());
        let figure = f.figure.text();
        let raised = match open.remove(&f.subject) {
            Some(o) => {
                let changed = o.level != level.code()
                    || o.figure != figure
                    || o.threshold != threshold
                    || o.records != records
                    || o.dimensions != dimensions
                    || o.subject_name != f.subject_name;
                if changed {
                    with_tx!(&mut tx, conn => {
                        sqlx::query("UPDATE risk_warnings SET level = $1, figure = $2, threshold = $3, records = $4, dimensions = $5, subject_name = $6, updated_at = $7 WHERE id = $8")
                            .bind(level.code()).bind(&figure).bind(&threshold).bind(&records).bind(&dimensions)
                            .bind(&f.subject_name).bind(now).bind(&o.id)
                            .execute(&mut *conn).await.map_err(DbError::from)?;
                    });
                }
                Level::from_code(&o.level).is_none_or(|was| level > was)
            }
            None => {
                inserts.push([
                    format!("WARN-{}", uuid::Uuid::new_v4().simple()),
                    f.subject.clone(),
                    f.subject_name.clone(),
                    f.organisation_id.clone().unwrap_or_default(),
                    level.code().to_owned(),
                    figure.clone(),
                    threshold.clone(),
                    records,
                    dimensions,
                ]);
                true
            }
        };
        if raised {
            e.raised += 1;
            raised_now.push((level, f.subject_name.clone(), figure, threshold.clone()));
        }
        if level == Level::Red
            && indicator.auto_freeze
            && let Some(org) = &f.organisation_id
        {
            to_freeze.push((org.clone(), f.figure.text()));
        }
    }
    let backend = db.backend();
    for chunk in inserts.chunks(BATCH) {
        // Nine values a row, then the indicator and the time once for every row.
        let (indicator_p, at_p) = (chunk.len() * 9 + 1, chunk.len() * 9 + 2);
        let rows: Vec<String> = (0..chunk.len())
            .map(|i| {
                let p: Vec<String> = (1..=9).map(|k| format!("${}", i * 9 + k)).collect();
                format!(
                    "({}, ${indicator_p}, {}, {}, NULLIF({}, ''), {}, {}, {}, {}, {}, ${at_p}, ${at_p})",
                    p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8]
                )
            })
            .collect();
        let sql = format!(
            "INSERT INTO risk_warnings (id, indicator, subject, subject_name, organisation_id, level, figure, threshold, records, dimensions, raised_at, updated_at) VALUES {} \
             ON CONFLICT (indicator, subject) WHERE cleared_at IS NULL DO NOTHING",
            rows.join(", ")
        );
        with_tx!(&mut tx, conn => {
            let mut q = sqlx::query(&sql);
            for row in chunk {
                for v in row {
                    q = q.bind(v);
                }
            }
            q.bind(&indicator.code).bind(now).execute(&mut *conn).await.map_err(DbError::from)?;
        });
    }
    tell_staff(&mut tx, indicator, &mut raised_now, now).await?;
    // Subjects back under every threshold: their warnings clear.
    let cleared: Vec<String> = open.into_values().map(|o| o.id).collect();
    for chunk in cleared.chunks(BATCH) {
        let ids = serde_json::to_string(chunk).unwrap_or_else(|_| "[]".into());
        let sql = format!(
            "UPDATE risk_warnings SET cleared_at = $1 WHERE {}",
            crate::db::dialect::in_json_list(backend, "id", "$2")
        );
        with_tx!(&mut tx, conn => {
            sqlx::query(&sql).bind(now).bind(&ids).execute(&mut *conn).await.map_err(DbError::from)?;
        });
    }
    e.cleared = cleared.len();
    with_tx!(&mut tx, conn => {
        sqlx::query("INSERT INTO risk_evaluations (at, indicator, subjects, yellow, orange, red) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(now).bind(&indicator.code).bind(e.subjects as i64)
            .bind(e.yellow as i64).bind(e.orange as i64).bind(e.red as i64)
            .execute(&mut *conn).await.map_err(DbError::from)?;
    });
    tx.commit().await?;
    for (org, figure) in to_freeze {
        if crate::catalogue::freeze::frozen_reason(db, &org)
            .await?
            .is_some()
        {
            continue;
        }
        let reason = format!(
            "{}：{figure}{} 超过红色阈值 {}（自动冻结）/ {}: {figure} above the red threshold {} (frozen automatically)",
            indicator.name_zh,
            unit_suffix(&indicator.unit),
            indicator.red,
            indicator.name_en,
            indicator.red
        );
        // Named as the indicator (`risk:<code>`), as the risk trail has always named it.
        let actor = crate::audit::Actor {
            user_id: None,
            name: format!("risk:{}", indicator.code),
            address: None,
        };
        freeze(db, &org, &reason, &actor, now).await?;
        e.frozen.push(org);
    }
    Ok(e)
}

pub fn unit_suffix(unit: &str) -> &'static str {
    match unit {
        "percent" => "%",
        "days" => " 天",
        "yuan" => " 元",
        _ => "",
    }
}

/// One inbox message per indicator and evaluation to staff: how many warnings were raised or
/// went up a level, and the most severe of them (a first evaluation over thousands of overdue
/// bridges is one message, not thousands).
async fn tell_staff(
    tx: &mut Tx,
    indicator: &Indicator,
    raised: &mut [(Level, String, String, String)],
    now: i64,
) -> Result<(), RiskError> {
    if raised.is_empty() {
        return Ok(());
    }
    raised.sort_by_key(|r| std::cmp::Reverse(r.0));
    let unit = unit_suffix(&indicator.unit);
    let worst = raised[0].0;
    let lines: Vec<String> = raised
        .iter()
        .take(5)
        .map(|(level, subject, figure, threshold)| {
            format!(
                "{} {subject}：{figure}{unit}（阈值 {threshold}{unit}）",
                level.label_zh()
            )
        })
        .collect();
    let more = if raised.len() > 5 {
        format!(
            "\n……另有 {} 个 / and {} more",
            raised.len() - 5,
            raised.len() - 5
        )
    } else {
        String::new()
    };
    inbox::post(
        tx,
        &NewMessage {
            recipient: Recipient::Role(Role::Admin),
            source: "financing",
            topic: "risk.warning",
            subject_zh: format!(
                "{}：{}（{} 个新增或升级）",
                worst.label_zh(),
                indicator.name_zh,
                raised.len()
            ),
            subject_en: format!(
                "{:?} warnings: {} ({} raised)",
                worst,
                indicator.name_en,
                raised.len()
            ),
            body_zh: format!("{}{more}", lines.join("\n")),
            body_en: format!("{}{more}", lines.join("\n")),
            link: Some("/console/financing/risk".into()),
            needs_ack: false,
        },
        now,
    )
    .await?;
    Ok(())
}

/// Freezes an organisation's reporting for a warning, tells it, and audits the step.
pub async fn freeze(
    db: &Db,
    org: &str,
    reason: &str,
    actor: &crate::audit::Actor,
    now: i64,
) -> Result<(), RiskError> {
    set_frozen(db, org, true, reason, actor, now).await
}

/// Unfreezes an organisation, tells it, and audits the step with the reason.
pub async fn unfreeze(
    db: &Db,
    org: &str,
    reason: &str,
    actor: &crate::audit::Actor,
    now: i64,
) -> Result<(), RiskError> {
    if reason.trim().is_empty() {
        return Err(RiskError::Invalid(
            "请写明解冻原因 / a reason is required".into(),
        ));
    }
    set_frozen(db, org, false, reason, actor, now).await
}

async fn set_frozen(
    db: &Db,
    org: &str,
    frozen: bool,
    reason: &str,
    actor: &crate::audit::Actor,
    now: i64,
) -> Result<(), RiskError> {
    crate::catalogue::freeze::set_frozen(db, org, frozen, reason, actor, now).await?;
    let message = if frozen {
        NewMessage {
            recipient: Recipient::Organisation(org.to_owned()),
            source: "financing",
            topic: "risk.frozen",
            subject_zh: "贵机构的数据上报接口已被冻结".into(),
            subject_en: "Your organisation's reporting is frozen".into(),
            body_zh: format!("原因：{reason}。请联系平台工作人员。"),
            body_en: format!("Reason: {reason}. Please contact the platform's staff."),
            link: None,
            needs_ack: true,
        }
    } else {
        NewMessage {
            recipient: Recipient::Organisation(org.to_owned()),
            source: "financing",
            topic: "risk.unfrozen",
            subject_zh: "贵机构的数据上报接口已解冻".into(),
            subject_en: "Your organisation's reporting is unfrozen".into(),
            body_zh: format!("说明：{reason}"),
            body_en: format!("Note: {reason}"),
            link: None,
            needs_ack: false,
        }
    };
    let mut tx = db.begin().await?;
    inbox::post(&mut tx, &message, now).await?;
    let action = if frozen { "freeze" } else { "unfreeze" };
    audit(
        &mut tx,
        actor.user_id.as_deref().unwrap_or(&actor.name),
        action,
        org,
        reason,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn audit(
    tx: &mut Tx,
    actor: &str,
    action: &str,
    subject: &str,
    detail: &str,
    now: i64,
) -> Result<(), DbError> {
    with_tx!(tx, conn => {
        sqlx::query("INSERT INTO risk_audit (at, actor, action, subject, detail) VALUES ($1, $2, $3, $4, $5)")
            .bind(now).bind(actor).bind(action).bind(subject).bind(detail)
            .execute(&mut *conn).await?;
    });
    Ok(())
}

/// Which warnings a listing shows.
#[derive(Debug, Default, Clone, serde::Deserialize, utoipa::IntoParams)]
pub struct WarningFilter {
    /// Only open warnings (default), or `false` for every warning.
    pub open: Option<bool>,
    pub level: Option<String>,
    pub indicator: Option<String>,
}

/// Warnings, the most severe and newest first (500 at most).
pub async fn list(db: &Db, filter: &WarningFilter) -> Result<Vec<Warning>, RiskError> {
    let sql = "SELECT w.id, w.indicator, i.name_zh, i.name_en, i.unit, w.subject, w.subject_name, w.organisation_id, w.level, w.figure, w.threshold, w.records, w.dimensions, w.raised_at, w.updated_at, w.cleared_at, o.frozen_reason \
        FROM risk_warnings w JOIN risk_indicators i ON i.code = w.indicator LEFT JOIN organisations o ON o.id = w.organisation_id \
        WHERE ($1 = 0 OR w.cleared_at IS NULL) AND ($2 = '' OR w.level = $2) AND ($3 = '' OR w.indicator = $3) \
        ORDER BY CASE w.level WHEN 'red' THEN 0 WHEN 'orange' THEN 1 ELSE 2 END, w.raised_at DESC, w.id LIMIT 500";
    read(db, sql, filter, None).await
}

pub async fn find(db: &Db, id: &str) -> Result<Warning, RiskError> {
    let sql = "SELECT w.id, w.indicator, i.name_zh, i.name_en, i.unit, w.subject, w.subject_name, w.organisation_id, w.level, w.figure, w.threshold, w.records, w.dimensions, w.raised_at, w.updated_at, w.cleared_at, o.frozen_reason \
        FROM risk_warnings w JOIN risk_indicators i ON i.code = w.indicator LEFT JOIN organisations o ON o.id = w.organisation_id \
        WHERE ($1 = 0 OR w.cleared_at IS NULL) AND ($2 = '' OR w.level = $2) AND ($3 = '' OR w.indicator = $3) AND w.id = $4";
    read(
        db,
        sql,
        &WarningFilter {
            open: Some(false),
            ..Default::default()
        },
        Some(id),
    )
    .await?
    .pop()
    .ok_or_else(|| RiskError::NotFound(crate::catalogue::validate::echo(id)))
}

#[derive(sqlx::FromRow)]
struct WarningRow {
    id: String,
    indicator: String,
    name_zh: String,
    name_en: String,
    unit: String,
    subject: String,
    subject_name: String,
    organisation_id: Option<String>,
    level: String,
    figure: String,
    threshold: String,
    records: String,
    dimensions: String,
    raised_at: i64,
    updated_at: i64,
    cleared_at: Option<i64>,
    frozen_reason: Option<String>,
}

async fn read(
    db: &Db,
    sql: &str,
    filter: &WarningFilter,
    id: Option<&str>,
) -> Result<Vec<Warning>, RiskError> {
    let open = i64::from(filter.open.unwrap_or(true));
    let level = filter.level.clone().unwrap_or_default();
    let indicator = filter.indicator.clone().unwrap_or_default();
    let rows: Vec<WarningRow> = with_pool!(db, pool => {
        let mut q = sqlx::query_as(sql).bind(open).bind(&level).bind(&indicator);
        if let Some(id) = id {
            q = q.bind(id);
        }
        q.fetch_all(pool).await.map_err(DbError::from)?
    });
    Ok(rows
        .into_iter()
        .map(|r| Warning {
            id: r.id,
            indicator: r.indicator,
            indicator_name_zh: r.name_zh,
            indicator_name_en: r.name_en,
            unit: r.unit,
            subject: r.subject,
            subject_name: r.subject_name,
            organisation_id: r.organisation_id,
            level: r.level,
            figure: r.figure,
            threshold: r.threshold,
            records: serde_json::from_str(&r.records).unwrap_or_default(),
            dimensions: serde_json::from_str(&r.dimensions).unwrap_or_default(),
            raised_at: r.raised_at,
            updated_at: r.updated_at,
            cleared_at: r.cleared_at,
            frozen_reason: r.frozen_reason,
        })
        .collect())
}
