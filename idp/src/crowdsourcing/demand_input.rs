//! A demand's fields as an enterprise writes them: checked, stored with the prefixes its
//! restrictions admit, and written as its 5.4 record.

use super::SERVICE_CLASSES;
use super::access::{keys, region_prefix};
use super::error::{CrowdsourcingError, Result};
use super::lifecycle::Mode;
use super::model::*;
use super::records;
use super::store::*;
use crate::accounts::caller::Caller;
use crate::db::Tx;
use crate::payments::money::wan_to_fen;
use crate::with_tx;

/// A checked input: the fee in fen, when it expires, and the named provider of a direct one.
pub(super) struct Checked {
    pub fee_fen: i64,
    pub expires_at: i64,
    pub direct_provider_id: Option<String>,
}

/// The end of `date` (yyyy-mm-dd) in China time, as Unix seconds.
pub(super) fn end_of_china_day(date: &str) -> Option<i64> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let day = time::Date::parse(date, &format).ok()?;
    let midnight = day
        .with_hms(0, 0, 0)
        .ok()?
        .assume_offset(time::UtcOffset::from_hms(8, 0, 0).ok()?);
    Some(midnight.unix_timestamp() + 86_400)
}

pub(super) fn invalid(zh: &str, en: &str) -> CrowdsourcingError {
    CrowdsourcingError::Invalid(format!("{zh} / {en}"))
}

pub(super) async fn check_input(tx: &mut Tx, input: &DemandInput, now: i64) -> Result<Checked> {
    let title = input.title.trim();
    if title.is_empty() || title.chars().count() > 100 {
        return Err(invalid(
            "需求名称须为 1 到 100 个字",
            "the title takes 1 to 100 characters",
        ));
    }
    if input.description.chars().count() > 2000 {
        return Err(invalid(
            "需求描述最多 2000 字",
            "the description takes at most 2000 characters",
        ));
    }
    let fee_fen = wan_to_fen(&input.fee).filter(|f| *f > 0).ok_or_else(|| {
        invalid(
            "预算费用（万元）须为正数，最多两位小数",
            "fee (万元) must be positive with at most two decimals",
        )
    })?;
    if fee_fen > 100_000_000_000 {
        return Err(invalid("预算费用过大", "the fee is too large"));
    }
    if !(1..=999).contains(&input.cycle_days) {
        return Err(invalid(
            "总周期须为 1 到 999 天",
            "cycle_days must be 1 to 999",
        ));
    }
    let expires_at = end_of_china_day(input.expiry_date.trim()).ok_or_else(|| {
        invalid(
            "需求有效期须为 yyyy-mm-dd",
            "expiry_date must be yyyy-mm-dd",
        )
    })?;
    if expires_at <= now {
        return Err(invalid("需求有效期已过", "expiry_date is in the past"));
    }
    if !SERVICE_CLASSES
        .iter()
        .any(|(c, _, _)| *c == input.service_class)
    {
        return Err(invalid(
            "服务分类须为 GET /api/crowdsourcing/service-classes 中的代码",
            "service_class must be one of GET /api/crowdsourcing/service-classes",
        ));
    }
    let code = |c: &str, len: std::ops::RangeInclusive<usize>, digits: bool| {
        len.contains(&c.len())
            && c.bytes().all(|b| {
                if digits {
                    b.is_ascii_digit()
                } else {
                    b.is_ascii_alphanumeric()
                }
            })
    };
    if !input.industry_code.is_empty() && !code(&input.industry_code, 1..=8, false) {
        return Err(invalid(
            "行业代码须为 1 到 8 位字母数字",
            "industry_code takes 1 to 8 letters and digits",
        ));
    }
    if input.regions.len() > 20 || input.industries.len() > 20 {
        return Err(invalid(
            "限制条件最多各 20 项",
            "at most 20 regions and 20 industries",
        ));
    }
    if let Some(bad) = input.regions.iter().find(|r| !code(r, 6..=6, true)) {
        return Err(CrowdsourcingError::Invalid(format!(
            "服务区域须为 6 位行政区划代码：{bad} / regions are 6-digit division codes: {bad}"
        )));
    }
    if let Some(bad) = input.industries.iter().find(|i| !code(i, 1..=8, false)) {
        return Err(CrowdsourcingError::Invalid(format!(
            "行业领域须为行业代码：{bad} / industries are industry codes: {bad}"
        )));
    }
    let direct_provider_id = match (input.mode, input.direct_product_id.as_deref()) {
        (Mode::Direct, Some(product)) => {
            let owner = with_tx!(tx, conn => {
                sqlx::query_scalar::<_, String>("SELECT organisation_id FROM cs_products WHERE id = $1")
                    .bind(product)
                    .fetch_optional(&mut *conn)
                    .await?
            });
            Some(owner.ok_or_else(|| {
                CrowdsourcingError::NotFound(format!("服务产品 / service product {product}"))
            })?)
        }
        (Mode::Direct, None) => {
            return Err(invalid(
                "指定模式须给出服务产品 direct_product_id",
                "direct mode names a service product (direct_product_id)",
            ));
        }
        (_, Some(_)) => {
            return Err(invalid(
                "只有指定模式可以给出 direct_product_id",
                "only direct mode names a service product",
            ));
        }
        (_, None) => None,
    };
    Ok(Checked {
        fee_fen,
        expires_at,
        direct_provider_id,
    })
}

/// Stores a checked input on the demand, its restrictions, and its 5.4 record.
pub(super) async fn save_fields(
    tx: &mut Tx,
    id: &str,
    caller: &Caller,
    input: &DemandInput,
    checked: &Checked,
    now: i64,
) -> Result<()> {
    let demand = find_demand(&mut *tx, id).await?;
    let (org_name, credit_code): (String, Option<String>) = with_tx!(tx, conn => {
        sqlx::query_as("SELECT name, credit_code FROM organisations WHERE id = $1")
            .bind(&demand.organisation_id)
            .fetch_one(&mut *conn)
            .await?
    });
    let or = |given: &Option<String>, fallback: Option<String>| {
        given
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .or(fallback)
    };
    let regions = input.regions.join(";");
    let industries = input.industries.join(";");
    let region_keys = keys(input.regions.iter().map(|r| region_prefix(r).to_owned()));
    let industry_keys = keys(input.industries.iter().cloned());
    with_tx!(tx, conn => {
        sqlx::query("UPDATE cs_demands SET title = $1, description = $2, fee_fen = $3, cycle_days = $4, expiry_date = $5, expires_at = $6, service_class = $7, industry_code = $8, regions = $9, industries = $10, direct_product_id = $11, direct_provider_id = $12, comp_code = $13, comp_name = $14, comp_regist_type = $15, comp_address = $16, charger_name = $17, charger_mobile = $18, updated_at = $19, region_keys = $21, industry_keys = $22 WHERE id = $20")
            .bind(input.title.trim())
            .bind(input.description.trim())
            .bind(checked.fee_fen)
            .bind(input.cycle_days)
            .bind(input.expiry_date.trim())
            .bind(checked.expires_at)
            .bind(&input.service_class)
            .bind(&input.industry_code)
            .bind(&regions)
            .bind(&industries)
            .bind(&input.direct_product_id)
            .bind(&checked.direct_provider_id)
            // The organisation's registered code stands in only when it is a valid one.
            .bind(or(
                &input.comp_code,
                credit_code.filter(|c| crate::catalogue::codes::check_credit_code(c).is_ok()),
            ))
            .bind(or(&input.comp_name, Some(org_name)))
            .bind(or(&input.comp_regist_type, None))
            .bind(or(&input.comp_address, None))
            .bind(or(&input.charger_name, None))
            .bind(or(&input.charger_mobile, None))
            .bind(now)
            .bind(id)
            .bind(&region_keys)
            .bind(&industry_keys)
            .execute(&mut *conn)
            .await?;
    });
    write_demand_record(tx, id, &caller.user_id, now).await
}

/// The demand's 5.4 record as it now is.
pub(super) async fn write_demand_record(
    tx: &mut Tx,
    id: &str,
    user_id: &str,
    now: i64,
) -> Result<()> {
    let demand = find_demand(&mut *tx, id).await?;
    records::write(
        tx,
        vec![("demand", records::demand_record(&demand))],
        &demand.organisation_id,
        user_id,
        now,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_is_the_end_of_the_china_day() {
        // 2026-12-31 00:00 +08:00 is 2026-12-30 16:00 UTC.
        assert_eq!(end_of_china_day("2026-12-31"), Some(1_798_646_400 + 86_400));
        assert_eq!(end_of_china_day("2026-13-01"), None);
    }
}
