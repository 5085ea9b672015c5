//! The scopes the platform knows, what each means to a user (shown on the consent page), and
//! which roles may hold them.

use crate::accounts::Role;

/// The catalogue's record types (URL slugs), in the seed's order. Each has a read and a write
/// scope: `catalogue:<type>:read`, `catalogue:<type>:write`.
pub const CATALOGUE_TYPES: &[(&str, &str)] = &[
    ("enterprise", "企业基本信息"),
    ("service-org", "服务机构信息"),
    ("carrier", "双创载体基本信息"),
    ("carrier-partner", "基地合作机构"),
    ("carrier-service", "基地服务情况"),
    ("crowdfunding-project", "众筹信息"),
    ("crowdfunding-reward", "回报信息"),
    ("crowdfunding-order", "众筹订单"),
    ("service-product", "服务产品"),
    ("service-order", "服务订单"),
    ("demand", "需求信息"),
    ("bridge-loan", "转贷信息"),
    ("risk-compensation", "风险补偿信息"),
    ("leasing-application", "融资租赁申请"),
    ("leasing-device", "租赁设备"),
    ("fund-membership", "互助基金入社"),
    ("fund-application", "基金申请"),
    ("fund-repayment", "还款记录"),
    ("carrier-resource", "共享资源服务项目"),
];

/// Sign-in (OpenID Connect).
pub const OPENID: &str = "openid";
pub const PROFILE: &str = "profile";
pub const EMAIL: &str = "email";
pub const PHONE: &str = "phone";
/// Refresh tokens that outlive the session.
pub const OFFLINE_ACCESS: &str = "offline_access";
/// The platform inbox.
pub const INBOX: &str = crate::inbox::api::SCOPE;
/// The admin API and the administrator's powers over every organisation's records.
pub const ADMIN: &str = "admin";

/// The scopes every user may hold: signing in, the profile, the inbox.
pub const IDENTITY: &[&str] = &[OPENID, PROFILE, EMAIL, PHONE, OFFLINE_ACCESS, INBOX];

/// A scope's meaning, for people.
pub struct ScopeInfo {
    pub name: String,
    pub zh: String,
    pub en: String,
}

const FIXED: &[(&str, &str, &str)] = &[
    (
        "openid",
        "使用平台账号登录",
        "Sign you in with your platform account",
    ),
    (
        "profile",
        "读取您的姓名和所属机构",
        "Read your name and organisation",
    ),
    ("email", "读取您的电子邮箱", "Read your email address"),
    ("phone", "读取您的电话号码", "Read your phone number"),
    (
        "offline_access",
        "在您离开后继续访问（长期有效）",
        "Keep access while you are away",
    ),
    (
        "inbox",
        "读取和确认您的平台消息",
        "Read and acknowledge your platform messages",
    ),
    (
        "admin",
        "管理平台（客户端、用户、机构）",
        "Administer the platform (clients, users, organisations)",
    ),
];

/// Every scope name the platform issues.
pub fn all() -> Vec<String> {
    let mut names: Vec<String> = FIXED.iter().map(|(n, _, _)| (*n).to_owned()).collect();
    names.extend(crate::platform::scopes().map(|(_, s)| s.name.to_owned()));
    for (slug, _) in CATALOGUE_TYPES {
        names.push(format!("catalogue:{slug}:read"));
        names.push(format!("catalogue:{slug}:write"));
    }
    names
}

pub fn is_known(scope: &str) -> bool {
    info(scope).is_some()
}

pub fn info(scope: &str) -> Option<ScopeInfo> {
    if let Some((_, def)) = crate::platform::scopes().find(|(_, s)| s.name == scope) {
        return Some(ScopeInfo {
            name: def.name.to_owned(),
            zh: def.zh.to_owned(),
            en: def.en.to_owned(),
        });
    }
    if let Some((name, zh, en)) = FIXED.iter().find(|(n, _, _)| *n == scope) {
        return Some(ScopeInfo {
            name: (*name).to_owned(),
            zh: (*zh).to_owned(),
            en: (*en).to_owned(),
        });
    }
    let rest = scope.strip_prefix("catalogue:")?;
    let (slug, access) = rest.rsplit_once(':')?;
    let (_, label) = CATALOGUE_TYPES.iter().find(|(s, _)| *s == slug)?;
    let (zh, en) = match access {
        "read" => (
            format!("查询「{label}」数据"),
            format!("Read {slug} records"),
        ),
        "write" => (
            format!("上报「{label}」数据"),
            format!("Report {slug} records"),
        ),
        _ => return None,
    };
    Some(ScopeInfo {
        name: scope.to_owned(),
        zh,
        en,
    })
}

/// Where a scope stands when scopes are listed for a person (the consent page): signing in and
/// the profile first, then the catalogue type by type in the seed's order with reading before
/// reporting, then the platforms (use before staff powers), then administration.
pub fn display_rank(scope: &str) -> (u8, usize, u8) {
    if let Some(i) = IDENTITY.iter().position(|s| *s == scope) {
        return (0, i, 0);
    }
    if let Some((slug, access)) = scope
        .strip_prefix("catalogue:")
        .and_then(|rest| rest.rsplit_once(':'))
        && let Some(i) = CATALOGUE_TYPES.iter().position(|(s, _)| *s == slug)
    {
        return (1, i, u8::from(access != "read"));
    }
    let (platform, staff) = match scope.split_once(':') {
        Some((platform, _)) => (platform, 1),
        None => (scope, 0),
    };
    if let Some(i) = crate::platform::ALL.iter().position(|p| p.name == platform) {
        return (2, i, staff);
    }
    if scope == ADMIN {
        return (3, 0, 0);
    }
    (4, 0, 0)
}

/// Whether a user holding `roles` may be granted `scope`. Identity scopes are everyone's; the
/// platform's scopes follow the roles of DESIGN.md.
pub fn role_allows(roles: &[Role], scope: &str) -> bool {
    if roles.contains(&Role::Admin) {
        return true;
    }
    match scope {
        identity if IDENTITY.contains(&identity) => true,
        ADMIN => false,
        // Reporting is done for an organisation: every organisation member may read and report
        // its catalogue records; the catalogue checks which organisation a record belongs to.
        other if other.starts_with("catalogue:") => roles.iter().any(|r| *r != Role::Backer),
        other => crate::platform::scopes()
            .find(|(_, s)| s.name == other)
            .is_some_and(|(_, s)| (s.holders)(roles)),
    }
}

#[cfg(test)]
mod tests {
    use super::display_rank;

    #[test]
    fn scopes_are_listed_sign_in_first_then_areas_reads_before_writes() {
        let mut scopes = vec![
            "admin",
            "catalogue:carrier:write",
            "crowdfunding:staff",
            "offline_access",
            "catalogue:enterprise:write",
            "crowdfunding",
            "catalogue:carrier:read",
            "profile",
            "openid",
            "catalogue:enterprise:read",
            "financing",
        ];
        scopes.sort_by_key(|s| (display_rank(s), *s));
        assert_eq!(
            scopes,
            [
                "openid",
                "profile",
                "offline_access",
                "catalogue:enterprise:read",
                "catalogue:enterprise:write",
                "catalogue:carrier:read",
                "catalogue:carrier:write",
                "crowdfunding",
                "crowdfunding:staff",
                "financing",
                "admin",
            ]
        );
    }
}
