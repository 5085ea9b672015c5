//! Who may see and act on an application: its enterprise, the bank and the insurer it names,
//! financing staff. Everyone else is told it does not exist, so ids reveal nothing.

use super::error::{FinancingError, Result};
use super::lifecycle::Actor;
use super::model::Application;
use crate::accounts::Role;
use crate::accounts::caller::Caller;

/// The caller's part in `application`, or "not found" when they have none.
pub(super) fn actor(caller: &Caller, a: &Application) -> Result<Actor> {
    if caller.is_staff() {
        return Ok(Actor::Staff);
    }
    let member = |org: Option<&str>, role: Role| {
        org.is_some_and(|org| caller.belongs_to(org)) && caller.has_role(role)
    };
    if member(a.bank_org_id.as_deref(), Role::BankOfficer) {
        return Ok(Actor::Bank);
    }
    if member(a.insurer_org_id.as_deref(), Role::Insurer) {
        return Ok(Actor::Insurer);
    }
    if member(Some(&a.enterprise_org_id), Role::Enterprise) {
        return Ok(Actor::Enterprise);
    }
    Err(super::store::not_found(&a.id))
}

/// Which applications a list shows the caller.
pub(super) enum Scope {
    All,
    Bank(String),
    Insurer(String),
    Enterprise(String),
}

pub(super) fn scope(caller: &Caller) -> Result<Scope> {
    if caller.is_staff() {
        return Ok(Scope::All);
    }
    let org = caller.organisation_id.clone().ok_or_else(|| {
        FinancingError::Forbidden("需要所属机构 / you need an organisation".into())
    })?;
    if caller.has_role(Role::BankOfficer) {
        Ok(Scope::Bank(org))
    } else if caller.has_role(Role::Insurer) {
        Ok(Scope::Insurer(org))
    } else if caller.has_role(Role::Enterprise) {
        Ok(Scope::Enterprise(org))
    } else {
        Err(FinancingError::Forbidden(
            "融资业务由企业、贷款银行、保险/担保机构和平台工作人员办理 / financing is for enterprises, banks, insurers and staff".into(),
        ))
    }
}

impl Scope {
    /// The condition and its one parameter (`$1`) for `fin_applications`.
    pub(super) fn filter(&self) -> (&'static str, Option<&str>) {
        match self {
            Scope::All => ("1 = 1", None),
            Scope::Bank(org) => ("bank_org_id = $1", Some(org)),
            Scope::Insurer(org) => ("insurer_org_id = $1", Some(org)),
            Scope::Enterprise(org) => ("enterprise_org_id = $1", Some(org)),
        }
    }
}
