//! Shared carrier resources (共享双创载体的资源, seed 三): carriers' operators publish service
//! items (each its catalogue record of type `carrier-resource`, source `workflow`) and the
//! rooms, workstations and equipment tied to them; anyone signed in finds them by class,
//! object, method, region and carrier, sees a week of free slots, books (or asks approval),
//! cancels before the deadline, and adds a booking to their calendar (iCalendar). An item
//! without slots is requested like an order. Carriers and staff see the sharing rate.

mod access;
mod api;
mod bookings;
mod demo;
pub mod error;
pub mod hours;
mod ics;
mod items;
pub mod model;
mod notices;
mod pages;
pub mod portal;
mod requests;
mod stats;
mod store;

use futures_util::FutureExt;

pub use error::ResourcesError;

use crate::platform::{self, Context, NavEntry, Platform, ScopeDef, Started};

/// The scope every call needs: finding, booking, requesting, and for carriers' operators
/// publishing and handling bookings.
pub const SCOPE: &str = "resources";
/// Staff powers: every carrier's bookings and statistics.
pub const STAFF_SCOPE: &str = "resources:staff";

pub static PLATFORM: Platform = Platform {
    name: "resources",
    scopes: &[
        ScopeDef {
            name: SCOPE,
            zh: "查找、预约共享资源，载体运营人员发布资源并处理预约",
            en: "Find and book shared carrier resources; carriers' operators publish them and handle bookings",
            // Enterprises, teams and individuals all book.
            holders: |_| true,
        },
        ScopeDef {
            name: STAFF_SCOPE,
            zh: "以平台工作人员身份查看所有载体的共享资源、预约与统计",
            en: "Act as platform staff on shared resources (every carrier's bookings and statistics)",
            holders: |_| false,
        },
    ],
    console_nav: &[NavEntry {
        href: "/console/resources/statistics",
        zh: "共享资源统计",
        en: "Shared resources statistics",
    }],
    check_settings: |section| {
        platform::parse_settings::<Policy>(section)
            .and_then(|p| p.check())
            .map(|_| ())
    },
    start: |context| start(context).boxed(),
    demo: |db, now| demo::load(db, now).boxed(),
    openapi: api::openapi,
    portal: &[&portal::SECTION],
};

async fn start(context: &Context<'_>) -> anyhow::Result<Started> {
    let policy: Policy = context.settings()?;
    let service = std::sync::Arc::new(Service { policy });
    Ok(Started {
        api: api::router().layer(axum::Extension(service.clone())),
        pages: pages::router().layer(axum::Extension(service)),
        jobs: Vec::new(),
    })
}

/// The platform's moving parts: its policy.
pub struct Service {
    pub policy: Policy,
}

/// The `resources` section of the settings.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Policy {
    /// How far ahead a slot may be booked (days).
    pub book_ahead_days: i64,
    /// The most slots one booking takes.
    pub max_slots_per_booking: i64,
    /// How many resources one service item may have.
    pub max_resources_per_item: i64,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            book_ahead_days: 60,
            max_slots_per_booking: 16,
            max_resources_per_item: 200,
        }
    }
}

impl Policy {
    fn check(self) -> Result<Self, String> {
        if !(1..=366).contains(&self.book_ahead_days) {
            return Err("book_ahead_days must be 1 to 366".into());
        }
        if !(1..=96).contains(&self.max_slots_per_booking) {
            return Err("max_slots_per_booking must be 1 to 96".into());
        }
        if !(1..=10_000).contains(&self.max_resources_per_item) {
            return Err("max_resources_per_item must be 1 to 10000".into());
        }
        Ok(self)
    }
}

/// The service classes (SERVICE_CLASS, four letters) of shared carrier resources.
pub const SERVICE_CLASSES: &[(&str, &str, &str)] = &[
    ("CDKJ", "场地空间", "Venues and space"),
    ("SYSB", "实验设备", "Lab equipment"),
    ("JGZZ", "加工制造", "Fabrication"),
    ("JCJC", "检验检测", "Testing and inspection"),
    ("PXFD", "培训辅导", "Training and mentoring"),
    ("CYFW", "创业服务", "Startup services"),
    ("QTFW", "其他服务", "Other services"),
];

pub fn service_class_label(code: &str, en: bool) -> &'static str {
    SERVICE_CLASSES
        .iter()
        .find(|(c, _, _)| *c == code)
        .map(|(_, zh, e)| if en { *e } else { *zh })
        .unwrap_or(if en { "Other" } else { "其他" })
}

/// SERVICE_OBJECT codes with their names (the catalogue's list).
pub const SERVICE_OBJECTS: &[(&str, &str, &str)] = &[
    ("1", "微型企业", "Micro enterprise"),
    ("2", "小型企业", "Small enterprise"),
    ("3", "中型企业", "Medium enterprise"),
    ("4", "大型企业", "Large enterprise"),
    ("5", "创业个人或团队", "Founder or team"),
    ("6", "个体工商户", "Sole trader"),
    ("7", "事业单位", "Public institution"),
    ("8", "社会团体", "Social organisation"),
    ("9", "民办非企业", "Private non-profit"),
    ("0", "其他", "Other"),
];

pub fn service_object_label(code: &str, en: bool) -> &'static str {
    SERVICE_OBJECTS
        .iter()
        .find(|(c, _, _)| *c == code)
        .map(|(_, zh, e)| if en { *e } else { *zh })
        .unwrap_or("")
}

/// SERVICE_METHOD names.
pub const SERVICE_METHODS: &[&str] = &[
    "柜台式服务",
    "电话服务",
    "上门服务",
    "刊物服务",
    "信函服务",
    "网络服务",
    "其他服务",
];
