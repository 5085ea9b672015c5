//! 精准推送: who hears of a demand when it is listed.

use super::error::Result;
use super::lifecycle::Mode;
use super::model::*;
use super::notices::{self, notice};
use super::service_class_label;
use crate::db::Tx;
use crate::payments::money::fen_to_wan;

/// 精准推送: when a demand is listed, the providers it suits hear of it, best match first;
/// a direct demand's named provider is asked to accept or decline.
pub(super) async fn listed_notices(
    tx: &mut Tx,
    demand: &Demand,
    limit: i64,
) -> Result<Vec<notices::Notice>> {
    let title = &demand.title;
    let fee = fen_to_wan(demand.fee_fen);
    if demand.mode == Mode::Direct {
        let provider = demand.direct_provider_id.clone().unwrap_or_default();
        return Ok(vec![notice(
            notices::organisation(&provider),
            "demand.direct",
            (
                format!("企业指定贵机构承接需求「{title}」"),
                format!(
                    "预算 {fee} 万元，周期 {} 天。请接受或拒绝。",
                    demand.cycle_days
                ),
            ),
            (
                format!("An enterprise named you for “{title}”"),
                format!(
                    "Budget {fee} 万元, {} days. Accept or decline it.",
                    demand.cycle_days
                ),
            ),
        )]);
    }
    let matched = super::providers::matching_providers(&mut *tx, demand, limit).await?;
    Ok(matched
        .into_iter()
        .enumerate()
        .map(|(rank, (provider, points))| {
            notice(
                notices::organisation(&provider.organisation_id),
                "demand.matched",
                (
                    format!("为您推荐需求「{title}」"),
                    format!(
                        "{}，预算 {fee} 万元，周期 {} 天（匹配度 {points}/3，第 {} 位）。",
                        service_class_label(&demand.service_class),
                        demand.cycle_days,
                        rank + 1
                    ),
                ),
                (
                    format!("A demand that suits you: “{title}”"),
                    format!(
                        "{}, budget {fee} 万元, {} days (match {points}/3, rank {}).",
                        demand.service_class,
                        demand.cycle_days,
                        rank + 1
                    ),
                ),
            )
        })
        .collect())
}
