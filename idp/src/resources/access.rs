//! Who someone is to a carrier's resources.

use super::error::ResourcesError;
use crate::accounts::Role;
use crate::accounts::caller::Caller;

/// An operator of the carrier, or staff.
pub(super) fn runs(caller: &Caller, carrier_org_id: &str) -> bool {
    caller.is_staff()
        || (caller.has_role(Role::CarrierOperator) && caller.belongs_to(carrier_org_id))
}

/// Carriers' operators publish; their organisation is the carrier.
pub(super) fn publishing_carrier(caller: &Caller) -> Result<String, ResourcesError> {
    match &caller.organisation_id {
        Some(org) if caller.has_role(Role::CarrierOperator) => Ok(org.clone()),
        _ => Err(ResourcesError::Forbidden(
            "只有双创载体运营人员可以发布共享资源 / only carriers' operators publish shared resources".into(),
        )),
    }
}

pub(super) fn must_run(caller: &Caller, carrier_org_id: &str) -> Result<(), ResourcesError> {
    if runs(caller, carrier_org_id) {
        Ok(())
    } else {
        Err(ResourcesError::Forbidden(
            "只有该载体的运营人员或平台工作人员可以操作 / only the carrier's operators or staff may".into(),
        ))
    }
}

/// Booked or requested by someone outside the carrier.
pub(super) fn external(caller: &Caller, carrier_org_id: &str) -> bool {
    !caller.belongs_to(carrier_org_id)
}
