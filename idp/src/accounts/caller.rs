//! Who is calling a platform: a signed-in user with their organisation and roles, and whether
//! they act as platform staff. The HTTP and page extractors build it; the platforms' domain code
//! decides with it.

use super::Role;

#[derive(Debug, Clone)]
pub struct Caller {
    pub user_id: String,
    pub organisation_id: Option<String>,
    pub roles: Vec<Role>,
    /// Acting as platform staff: an administrator on the console, or through a token that
    /// carries the platform's staff scope; the role alone is not enough.
    pub staff: bool,
}

impl Caller {
    /// A platform administrator acting as staff.
    pub fn is_staff(&self) -> bool {
        self.staff && self.roles.contains(&Role::Admin)
    }

    pub fn has_role(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// A member of `organisation`.
    pub fn belongs_to(&self, organisation: &str) -> bool {
        self.organisation_id.as_deref() == Some(organisation)
    }
}
