//! The kinds of organisation on the platform and the roles users hold in them (DESIGN.md, Roles).

use serde::{Deserialize, Serialize};

macro_rules! code_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $code:literal, $zh:literal, $en:literal;)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            /// The stable code stored in the database and used on the wire.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),* }
            }

            pub fn label_zh(self) -> &'static str {
                match self { $($name::$variant => $zh),* }
            }

            pub fn label_en(self) -> &'static str {
                match self { $($name::$variant => $en),* }
            }

            pub fn from_code(code: &str) -> Option<Self> {
                match code { $($code => Some($name::$variant),)* _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.code())
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::from_code(s).ok_or_else(|| {
                    let known: Vec<&str> = Self::ALL.iter().map(|v| v.code()).collect();
                    format!("unknown {} `{s}`; expected one of: {}", stringify!($name), known.join(", "))
                })
            }
        }
    };
}

code_enum! {
    /// What an organisation is to the platform.
    OrganisationKind {
        Platform = "platform", "平台运营方", "Platform operator";
        Carrier = "carrier", "双创载体", "Innovation carrier";
        Enterprise = "enterprise", "企业", "Enterprise";
        ServiceProvider = "service_provider", "服务机构", "Service provider";
        Bank = "bank", "贷款银行", "Lending bank";
        Fund = "fund", "资金管理机构", "Fund manager";
        Insurer = "insurer", "保险/担保机构", "Insurer or guarantor";
    }
}

code_enum! {
    /// What a user may do, held in the user's organisation.
    Role {
        Admin = "admin", "平台管理员", "Platform administrator";
        CarrierOperator = "carrier_operator", "双创载体运营人员", "Carrier operator";
        Enterprise = "enterprise", "企业用户", "Enterprise user";
        ServiceProvider = "service_provider", "服务机构用户", "Service provider";
        Backer = "backer", "众筹参与者", "Crowdfunding backer";
        BankOfficer = "bank_officer", "贷款银行人员", "Bank officer";
        FundManager = "fund_manager", "资金管理人员", "Fund manager";
        Insurer = "insurer", "保险/担保机构人员", "Insurer or guarantor officer";
    }
}
