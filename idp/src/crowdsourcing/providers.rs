//! Service organisations (5.1) and their service products (5.2): profiles, products,
//! comprehensive ratings, and matching in both directions (精准推送): the providers a demand
//! suits, and the open demands a provider suits.

use serde_json::{Value, json};

use super::SERVICE_CLASSES;
use super::access::{
    admits, check_restrictions, demand_actor, industry_prefixes, is_provider, region_prefixes,
};
use super::error::{CrowdsourcingError, Result};
use super::lifecycle::{DemandActor, Side};
use super::model::*;
use super::portal::BindValue;
use super::records::{self, china_datetime};
use super::service::Service;
use super::store::*;
use crate::accounts::caller::Caller;
use crate::db::{Db, Reader, Tx};
use crate::{with_pool, with_reader, with_tx};

/// At most this many products per provider, so that a listing stays bounded.
const MAX_PRODUCTS: i64 = 200;

fn object(record: Value) -> Result<serde_json::Map<String, Value>> {
    match record {
        Value::Object(map) => Ok(map),
        _ => Err(CrowdsourcingError::Invalid(
            "须为 JSON 对象 / a JSON object is expected".into(),
        )),
    }
}

fn text_field<'a>(map: &'a serde_json::Map<String, Value>, name: &str) -> &'a str {
    map.get(name).and_then(Value::as_str).unwrap_or_default()
}

impl Service {
    /// 服务机构信息: a service organisation's profile, as its 5.1 record (ORG_ID is the
    /// organisation's id; ORG_NAME defaults to its registered name; AREA_COUNTY is required,
    /// since demands restrict by region).
    pub async fn save_profile(
        &self,
        db: &Db,
        caller: &Caller,
        record: Value,
        now: i64,
    ) -> Result<ProviderView> {
        if !is_provider(caller) {
            return Err(CrowdsourcingError::Forbidden(
                "只有服务机构用户可以维护服务机构信息 / only service organisation users keep a provider profile".into(),
            ));
        }
        let organisation = caller.organisation_id.clone().unwrap_or_default();
        let mut map = object(record)?;
        let mut tx = db.begin().await?;
        let name = organisation_name(&mut tx, &organisation).await?;
        map.insert("ORG_ID".into(), json!(organisation));
        if text_field(&map, "ORG_NAME").is_empty() {
            map.insert("ORG_NAME".into(), json!(name));
        }
        let area = text_field(&map, "AREA_COUNTY").to_owned();
        if area.is_empty() {
            return Err(CrowdsourcingError::Invalid(
                "AREA_COUNTY（行政区划代码）必须填写 / AREA_COUNTY is required".into(),
            ));
        }
        let org_name = text_field(&map, "ORG_NAME").to_owned();
        let industry = text_field(&map, "INDUSTRY_CODE").to_owned();
        let profile = Value::Object(map);
        records::write(
            &mut tx,
            vec![("service-org", profile.clone())],
            &organisation,
            &caller.user_id,
            now,
        )
        .await?;
        with_tx!(&mut tx, conn => {
            sqlx::query("INSERT INTO cs_providers (organisation_id, org_name, area_county, industry_code, profile, updated_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (organisation_id) DO UPDATE SET org_name = excluded.org_name, area_county = excluded.area_county, industry_code = excluded.industry_code, profile = excluded.profile, updated_at = excluded.updated_at")
                .bind(&organisation)
                .bind(&org_name)
                .bind(&area)
                .bind(&industry)
                .bind(profile.to_string())
                .bind(now)
                .execute(&mut *conn)
                .await?;
        });
        tx.commit().await?;
        self.provider_view(db, &organisation).await
    }

    /// 服务产品: a new service product of the caller's organisation, as its 5.2 record
    /// (SERVICE_ITEM_ID, OWNER_ID and REGISTER_DATE are the platform's).
    pub async fn add_product(
        &self,
        db: &Db,
        caller: &Caller,
        record: Value,
        now: i64,
    ) -> Result<Product> {
        if !is_provider(caller) {
            return Err(CrowdsourcingError::Forbidden(
                "只有服务机构用户可以发布服务产品 / only service organisation users add products"
                    .into(),
            ));
        }
        let organisation = caller.organisation_id.clone().unwrap_or_default();
        let mut map = object(record)?;
        let class = text_field(&map, "SERVICE_CLASS").to_owned();
        if !SERVICE_CLASSES.iter().any(|(c, _, _)| *c == class) {
            return Err(CrowdsourcingError::Invalid(format!(
                "SERVICE_CLASS 须为：{} / SERVICE_CLASS must be one of these",
                SERVICE_CLASSES
                    .iter()
                    .map(|(c, zh, _)| format!("{c}（{zh}）"))
                    .collect::<Vec<_>>()
                    .join("、")
            )));
        }
        let id = new_id("SP");
        map.insert("SERVICE_ITEM_ID".into(), json!(id));
        map.insert("OWNER_ID".into(), json!(organisation));
        map.insert("REGISTER_DATE".into(), json!(china_datetime(now)));
        let name = text_field(&map, "SERVICE_NAME").to_owned();
        let record = Value::Object(map);
        let mut tx = db.begin().await?;
        if find_provider(&mut tx, &organisation).await?.is_none() {
            return Err(CrowdsourcingError::Invalid(
                "请先填写服务机构信息 / save the provider profile first (PUT /api/crowdsourcing/providers/me)".into(),
            ));
        }
        let products = count(
            &mut tx,
            "SELECT COUNT(*) FROM cs_products WHERE organisation_id = $1",
            &organisation,
        )
        .await?;
        if products >= MAX_PRODUCTS {
            return Err(CrowdsourcingError::Invalid(format!(
                "每个机构最多 {MAX_PRODUCTS} 个服务产品 / at most {MAX_PRODUCTS} products per organisation"
            )));
        }
        records::write(
            &mut tx,
            vec![("service-product", record.clone())],
            &organisation,
            &caller.user_id,
            now,
        )
        .await?;
        with_tx!(&mut tx, conn => {
            sqlx::query("INSERT INTO cs_products (id, organisation_id, service_name, service_class, record, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(&id).bind(&organisation).bind(&name).bind(&class).bind(record.to_string()).bind(now)
                .execute(&mut *conn).await?;
        });
        tx.commit().await?;
        Ok(Product {
            id,
            organisation_id: organisation,
            service_name: name,
            service_class: class,
            record: record.to_string(),
            created_at: now,
        })
    }

    /// A provider's profile, products and rating.
    pub async fn provider_view(&self, db: &Db, organisation_id: &str) -> Result<ProviderView> {
        let provider = find_provider(db, organisation_id).await?.ok_or_else(|| {
            CrowdsourcingError::NotFound(format!("服务机构 / provider {organisation_id}"))
        })?;
        Ok(ProviderView {
            products: products_of(db, organisation_id).await?,
            rating: score(db, organisation_id, Side::Provider).await?,
            provider,
            match_score: None,
        })
    }

    /// Products, by class or provider, newest first (at most 200).
    pub async fn products(
        &self,
        db: &Db,
        class: Option<&str>,
        organisation: Option<&str>,
    ) -> Result<Vec<Product>> {
        let sql = format!(
            "SELECT {PRODUCT_COLUMNS} FROM cs_products WHERE ($1 = '' OR service_class = $1) AND ($2 = '' OR organisation_id = $2) ORDER BY created_at DESC, id LIMIT 200"
        );
        Ok(with_pool!(db, pool => {
            sqlx::query_as::<_, Product>(&sql)
                .bind(class.unwrap_or_default())
                .bind(organisation.unwrap_or_default())
                .fetch_all(pool)
                .await?
        }))
    }

    /// The providers that suit a demand, best match first, then best rated (the owner's
    /// demand page suggests them).
    pub async fn suggested_providers(
        &self,
        db: &Db,
        caller: &Caller,
        demand_id: &str,
    ) -> Result<Vec<ProviderView>> {
        let demand = find_demand(db, demand_id).await?;
        if !matches!(
            demand_actor(caller, &demand),
            DemandActor::Owner | DemandActor::Staff
        ) {
            return Err(CrowdsourcingError::NotFound(format!(
                "需求 / demand {demand_id}"
            )));
        }
        let mut out = Vec::new();
        for (provider, match_score) in matching_providers(db, &demand, 20).await? {
            out.push(ProviderView {
                products: products_of(db, &provider.organisation_id).await?,
                rating: score(db, &provider.organisation_id, Side::Provider).await?,
                provider,
                match_score: Some(match_score),
            });
        }
        Ok(out)
    }

    /// The open demands a provider may respond to and whose class it offers, newest first.
    pub async fn matching_demands(
        &self,
        db: &Db,
        caller: &Caller,
        now: i64,
        limit: i64,
    ) -> Result<Vec<Demand>> {
        if !is_provider(caller) {
            return Err(CrowdsourcingError::Forbidden(
                "只有服务机构用户有匹配的需求 / only service organisation users have matching demands".into(),
            ));
        }
        let organisation = caller.organisation_id.clone().unwrap_or_default();
        let Some(provider) = find_provider(db, &organisation).await? else {
            return Ok(Vec::new());
        };
        let classes: Vec<String> = with_pool!(db, pool => {
            sqlx::query_scalar("SELECT DISTINCT service_class FROM cs_products WHERE organisation_id = $1")
                .bind(&organisation)
                .fetch_all(pool)
                .await?
        });
        if classes.is_empty() {
            return Ok(Vec::new());
        }
        let regions = region_prefixes(&provider.area_county);
        let industries = industry_prefixes(&provider.industry_code);
        // $1 now, $2 the limit, then the classes, the regions and the industries.
        let list = |n: usize| {
            (3..3 + n)
                .map(|i| format!("${i}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let class_in = list(classes.len());
        let next = 3 + classes.len();
        let (region_clause, region_patterns) = admits("d.region_keys", &regions, next);
        let (industry_clause, industry_patterns) =
            admits("d.industry_keys", &industries, next + region_patterns.len());
        let tail = format!(
            "FROM cs_demands d WHERE d.state = 'listed' AND d.mode <> 'direct' AND d.expires_at > $1 AND d.service_class IN ({class_in}) AND {region_clause} AND {industry_clause} ORDER BY d.listed_at DESC, d.id DESC LIMIT $2"
        );
        let binds: Vec<BindValue> = [BindValue::Int(now), BindValue::Int(limit.clamp(1, 100))]
            .into_iter()
            .chain(
                classes
                    .into_iter()
                    .chain(region_patterns)
                    .chain(industry_patterns)
                    .map(BindValue::Text),
            )
            .collect();
        super::portal::fetch_page(db, &tail, &binds).await
    }
}

pub(super) async fn products_of<'r>(
    from: impl Into<Reader<'r>>,
    organisation_id: &str,
) -> Result<Vec<Product>> {
    let sql = format!(
        "SELECT {PRODUCT_COLUMNS} FROM cs_products WHERE organisation_id = $1 ORDER BY created_at, id LIMIT {MAX_PRODUCTS}"
    );
    Ok(with_reader!(from.into(), exec => {
        sqlx::query_as::<_, Product>(&sql).bind(organisation_id).fetch_all(exec).await?
    }))
}

/// An organisation's comprehensive rating on one side.
pub(super) async fn score<'r>(
    from: impl Into<Reader<'r>>,
    organisation_id: &str,
    side: Side,
) -> Result<Score> {
    let (total, votes) = with_reader!(from.into(), exec => {
        sqlx::query_as::<_, (i64, i64)>("SELECT total, votes FROM cs_ratings WHERE organisation_id = $1 AND side = $2")
            .bind(organisation_id)
            .bind(side.as_str())
            .fetch_optional(exec)
            .await?
    })
    .unwrap_or((0, 0));
    Ok(Score {
        average: (votes > 0).then(|| ((total as f64 / votes as f64) * 100.0).round() / 100.0),
        count: votes,
        better: "lower",
    })
}

/// Adds one overall score to what `organisation_id` received on `side`.
pub(super) async fn add_score(
    tx: &mut Tx,
    organisation_id: &str,
    side: Side,
    overall: i64,
) -> Result<()> {
    with_tx!(tx, conn => {
        sqlx::query("INSERT INTO cs_ratings (organisation_id, side, total, votes) VALUES ($1, $2, $3, 1) ON CONFLICT (organisation_id, side) DO UPDATE SET total = cs_ratings.total + excluded.total, votes = cs_ratings.votes + 1")
            .bind(organisation_id).bind(side.as_str()).bind(overall)
            .execute(&mut *conn).await?;
    });
    Ok(())
}

/// The providers inside a demand's restrictions that offer its class or share its industry,
/// with how well each matches (class, industry, a region the demand asked for: one point
/// each), best match first, then best rated; at most `limit`.
pub(super) async fn matching_providers<'r>(
    from: impl Into<Reader<'r>>,
    demand: &Demand,
    limit: i64,
) -> Result<Vec<(Provider, i64)>> {
    let sector = demand.industry_code.chars().next().map(String::from);
    // One query: the candidates with whether they offer the class and their rating.
    let sql = format!(
        "SELECT {}, CAST(CASE WHEN EXISTS (SELECT 1 FROM cs_products s WHERE s.organisation_id = p.organisation_id AND s.service_class = $2) THEN 1 ELSE 0 END AS BIGINT) AS offers_class, COALESCE(r.total, 0) AS total, COALESCE(r.votes, 0) AS votes FROM cs_providers p LEFT JOIN cs_ratings r ON r.organisation_id = p.organisation_id AND r.side = 'provider' WHERE p.organisation_id <> $1 AND (EXISTS (SELECT 1 FROM cs_products s WHERE s.organisation_id = p.organisation_id AND s.service_class = $2) OR ($3 <> '' AND p.industry_code LIKE $3 || '%')) ORDER BY p.updated_at DESC LIMIT 500",
        PROVIDER_COLUMNS
            .split(", ")
            .map(|c| format!("p.{c}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let candidates = with_reader!(from.into(), exec => {
        sqlx::query_as::<_, Candidate>(&sql)
            .bind(&demand.organisation_id)
            .bind(&demand.service_class)
            .bind(sector.clone().unwrap_or_default())
            .fetch_all(exec)
            .await?
    });
    let mut scored = Vec::new();
    for c in candidates {
        if check_restrictions(demand, &c.provider).is_err() {
            continue;
        }
        let same_industry = !demand.industry_code.is_empty()
            && c.provider.industry_code.get(..3) == demand.industry_code.get(..3);
        let asked_region = !demand.regions.is_empty();
        let points = c.offers_class + i64::from(same_industry) + i64::from(asked_region);
        // Unrated providers rank as the middle of the scale.
        let rating = if c.votes > 0 {
            c.total as f64 / c.votes as f64
        } else {
            3.0
        };
        scored.push((c.provider, points, rating));
    }
    // Best match first; then the better (lower) rating; then the newest profile.
    scored.sort_by(|a, b| b.1.cmp(&a.1).then(a.2.total_cmp(&b.2)));
    Ok(scored
        .into_iter()
        .take(limit.max(0) as usize)
        .map(|(p, points, _)| (p, points))
        .collect())
}

/// A provider that may suit a demand, with what ranks it.
#[derive(sqlx::FromRow)]
struct Candidate {
    #[sqlx(flatten)]
    provider: Provider,
    offers_class: i64,
    total: i64,
    votes: i64,
}
