//! Who someone is to a demand or an order, and whether a provider is inside a demand's
//! restrictions. Checked before any state.

use super::error::CrowdsourcingError;
use super::lifecycle::{DemandActor, Mode, OrderActor, Side};
use super::model::{Demand, Order, Provider};
use crate::accounts::Role;
use crate::accounts::caller::Caller;

/// Members of an enterprise (or a carrier publishing for its tenants) publish demands.
pub(super) fn may_publish(caller: &Caller) -> bool {
    caller.organisation_id.is_some()
        && caller
            .roles
            .iter()
            .any(|r| matches!(r, Role::Enterprise | Role::CarrierOperator))
}

/// Members of a service organisation respond and deliver.
pub(super) fn is_provider(caller: &Caller) -> bool {
    caller.organisation_id.is_some() && caller.roles.contains(&Role::ServiceProvider)
}

pub(super) fn demand_actor(caller: &Caller, demand: &Demand) -> DemandActor {
    if caller.is_staff() {
        DemandActor::Staff
    } else if may_publish(caller) && caller.belongs_to(&demand.organisation_id) {
        DemandActor::Owner
    } else if is_provider(caller) {
        let named = demand.mode == Mode::Direct
            && demand
                .direct_provider_id
                .as_deref()
                .is_some_and(|p| caller.belongs_to(p));
        if named {
            DemandActor::NamedProvider
        } else {
            DemandActor::Provider
        }
    } else {
        DemandActor::Other
    }
}

/// A demand that is not on the portal is not found for anyone but its owner, staff and the
/// provider it names.
pub(super) fn hidden_from(caller: &Caller, demand: &Demand) -> Option<CrowdsourcingError> {
    let actor = demand_actor(caller, demand);
    let sees = demand.state.is_public()
        || matches!(
            actor,
            DemandActor::Owner | DemandActor::Staff | DemandActor::NamedProvider
        );
    (!sees).then(|| CrowdsourcingError::NotFound(format!("需求 / demand {}", demand.id)))
}

pub(super) fn order_actor(caller: &Caller, order: &Order) -> OrderActor {
    if caller.is_staff() {
        OrderActor::Staff
    } else if may_publish(caller) && caller.belongs_to(&order.enterprise_org_id) {
        OrderActor::Party(Side::Enterprise)
    } else if is_provider(caller) && caller.belongs_to(&order.provider_org_id) {
        OrderActor::Party(Side::Provider)
    } else {
        OrderActor::Other
    }
}

/// An order is not found for anyone but its two sides and staff.
pub(super) fn order_hidden_from(caller: &Caller, order: &Order) -> Option<CrowdsourcingError> {
    (order_actor(caller, order) == OrderActor::Other)
        .then(|| CrowdsourcingError::NotFound(format!("服务订单 / order {}", order.id)))
}

/// The prefix a division code stands for: 640000 (宁夏) → `64`, 640100 (银川市) → `6401`,
/// 640104 → `640104`.
pub fn region_prefix(code: &str) -> &str {
    let mut prefix = code;
    while prefix.len() > 2 && prefix.ends_with("00") {
        prefix = &prefix[..prefix.len() - 2];
    }
    prefix
}

/// Every prefix a restriction may name that admits `code`: `64`, `6401`, `640104`.
pub fn region_prefixes(code: &str) -> Vec<String> {
    let mut out: Vec<String> = [2, 4, 6]
        .iter()
        .filter(|n| code.len() >= **n)
        .map(|n| code[..*n].to_owned())
        .collect();
    out.dedup();
    out
}

/// Every prefix of an industry code: `C3990` → `C`, `C3`, `C39`, `C399`, `C3990`.
pub fn industry_prefixes(code: &str) -> Vec<String> {
    code.char_indices()
        .map(|(i, c)| code[..i + c.len_utf8()].to_owned())
        .collect()
}

/// Prefixes as stored for matching: each between `;` (`;64;6401;`), or empty for none.
pub(super) fn keys<I: IntoIterator<Item = String>>(prefixes: I) -> String {
    let mut all: Vec<String> = prefixes.into_iter().map(|p| p.to_uppercase()).collect();
    all.sort();
    all.dedup();
    if all.is_empty() {
        String::new()
    } else {
        format!(";{};", all.join(";"))
    }
}

/// The SQL that admits a row whose `column` (stored [`keys`]) is empty or holds one of
/// `prefixes`, with the LIKE patterns to bind from `$first` on.
pub(super) fn admits(column: &str, prefixes: &[String], first: usize) -> (String, Vec<String>) {
    if prefixes.is_empty() {
        return (format!("{column} = ''"), Vec::new());
    }
    let likes: Vec<String> = (0..prefixes.len())
        .map(|i| format!("{column} LIKE ${}", first + i))
        .collect();
    (
        format!("({column} = '' OR {})", likes.join(" OR ")),
        prefixes
            .iter()
            .map(|p| format!("%;{};%", p.to_uppercase()))
            .collect(),
    )
}

pub(super) fn split_list(text: &str) -> Vec<&str> {
    text.split(';').filter(|s| !s.is_empty()).collect()
}

/// Whether the provider is inside the demand's restrictions; names the first it is outside.
pub(super) fn check_restrictions(
    demand: &Demand,
    provider: &Provider,
) -> Result<(), CrowdsourcingError> {
    let regions = split_list(&demand.regions);
    let inside_region = regions.is_empty()
        || regions
            .iter()
            .any(|r| provider.area_county.starts_with(region_prefix(r)));
    if !inside_region {
        return Err(CrowdsourcingError::Restricted {
            restriction: "region",
            zh: format!(
                "服务区域限于 {}，贵机构所在地为 {}",
                regions.join("、"),
                provider.area_county
            ),
            en: format!(
                "the service region is limited to {}; your organisation is in {}",
                regions.join(", "),
                provider.area_county
            ),
        });
    }
    let industries = split_list(&demand.industries);
    let inside_industry = industries.is_empty()
        || industries
            .iter()
            .any(|i| provider.industry_code.starts_with(i));
    if !inside_industry {
        return Err(CrowdsourcingError::Restricted {
            restriction: "industry",
            zh: format!(
                "行业领域限于 {}，贵机构行业为 {}",
                industries.join("、"),
                if provider.industry_code.is_empty() {
                    "未填写"
                } else {
                    &provider.industry_code
                }
            ),
            en: format!(
                "the industry is limited to {}; your organisation's is {}",
                industries.join(", "),
                if provider.industry_code.is_empty() {
                    "not given"
                } else {
                    &provider.industry_code
                }
            ),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes() {
        assert_eq!(region_prefix("640000"), "64");
        assert_eq!(region_prefix("640100"), "6401");
        assert_eq!(region_prefix("640104"), "640104");
        assert_eq!(region_prefixes("640104"), ["64", "6401", "640104"]);
        assert_eq!(industry_prefixes("C39"), ["C", "C3", "C39"]);
    }
}
