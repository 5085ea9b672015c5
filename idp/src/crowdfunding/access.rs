//! Who may touch a project at all, checked before its state: the initiating organisation's
//! enterprise users and carrier operators, and platform staff.

use super::error::CrowdfundingError;
use super::lifecycle::Actor;
use super::model::Project;
use crate::accounts::Role;
use crate::accounts::caller::Caller;

/// Whether the caller may start projects: a member of an organisation with a role that
/// initiates.
pub(super) fn may_initiate(caller: &Caller) -> bool {
    caller.organisation_id.is_some()
        && caller
            .roles
            .iter()
            .any(|r| matches!(r, Role::Enterprise | Role::CarrierOperator))
}

/// The caller's part in the project's lifecycle.
pub(super) fn actor_for(caller: &Caller, project: &Project) -> Actor {
    if caller.is_staff() {
        Actor::Staff
    } else if may_initiate(caller) && caller.belongs_to(&project.organisation_id) {
        Actor::Initiator
    } else {
        Actor::Other
    }
}

/// Someone outside the initiating organisation (and not staff) learns nothing of a project
/// that is not public (404) and is refused without its state and options (403) for one that
/// is.
pub(super) fn outsider_refusal(caller: &Caller, project: &Project) -> Option<CrowdfundingError> {
    if actor_for(caller, project) != Actor::Other {
        return None;
    }
    Some(if project.state.is_public() {
        CrowdfundingError::Forbidden(
            "只有发起机构和平台工作人员可以这样做 / only the initiating organisation and platform staff may do this".into(),
        )
    } else {
        CrowdfundingError::NotFound(format!("众筹项目 {}", project.id))
    })
}
