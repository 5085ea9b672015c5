//! Shared resources' demo data: the demo carrier's 3D printing lab (a 3D printer anyone may
//! book, a laser cutter that needs training and approval, a roadshow hall at a price, open
//! workstations) and a mentoring item without slots, so the portal shows them on first start.

use serde_json::json;

use super::model::{ItemInput, ResourceInput};
use super::{Policy, Service};
use crate::accounts::caller::Caller;
use crate::db::Db;
use crate::with_pool;

/// The lab's name; loading twice finds it and adds nothing.
pub const DEMO_LAB: &str = "3D 打印共享实验室";
pub const DEMO_PRINTER: &str = "3D 打印机（光固化）";

fn weekdays(hours: &str, saturday: &str) -> Vec<String> {
    let mut week = vec![hours.to_owned(); 5];
    week.push(saturday.to_owned());
    week.push(String::new());
    week
}

fn resource(name: &str, kind: &str, description: &str, slot: i64) -> ResourceInput {
    ResourceInput {
        name: name.into(),
        kind: kind.into(),
        description: description.into(),
        capacity: 1,
        opening_hours: weekdays("09:00-18:00", "10:00-16:00"),
        slot_minutes: slot,
        needs_approval: false,
        price: "0".into(),
        training_required: false,
        max_minutes_per_day: None,
        cancel_hours_before: 2,
        listed: None,
    }
}

pub async fn load(db: &Db, now: i64) -> anyhow::Result<()> {
    let Some(operator) = crate::accounts::find_user_by_username(db, "carrier").await? else {
        return Ok(());
    };
    let Some(carrier) = operator.organisation_id.clone() else {
        return Ok(());
    };
    let existing: i64 = with_pool!(db, pool => sqlx::query_scalar(
        "SELECT COUNT(*) FROM res_items WHERE carrier_org_id = $1 AND service_name = $2")
        .bind(&carrier).bind(DEMO_LAB).fetch_one(pool).await)?;
    if existing > 0 {
        return Ok(());
    }
    let caller = Caller {
        user_id: operator.id,
        organisation_id: Some(carrier),
        roles: operator.roles,
        staff: false,
    };
    let service = Service {
        policy: Policy::default(),
    };
    let lab = service
        .publish_item(
            db,
            &caller,
            ItemInput {
                record: json!({
                    "SERVICE_NAME": DEMO_LAB, "SERVICE_CLASS": "SYSB", "LINKMAN": "孙浩",
                    "TEL": "13800000000", "EMAIL": "lab@demo.nxzc.example",
                    "SERVICE_OBJECT": "1;2;3;5", "SERVICE_METHOD": "柜台式服务;网络服务",
                    "SERVICE_PROCEDURE": "线上预约时段，到实验室签到使用；激光切割机须先参加安全培训。",
                }),
                region_code: "640104".into(),
                listed: None,
            },
            now,
        )
        .await?;
    let mut printer = resource(
        DEMO_PRINTER,
        "equipment",
        "成型尺寸 192×120×200 mm，树脂自备或现场购买。",
        60,
    );
    printer.max_minutes_per_day = Some(240);
    let mut cutter = resource(
        "激光切割机",
        "equipment",
        "60 W CO₂，幅面 600×400 mm；须经安全培训，预约须审批。",
        60,
    );
    cutter.training_required = true;
    cutter.needs_approval = true;
    cutter.max_minutes_per_day = Some(120);
    cutter.cancel_hours_before = 24;
    let mut hall = resource(
        "路演厅",
        "room",
        "80 座，投影与音响；对外开放，按时段收费。",
        120,
    );
    hall.capacity = 80;
    hall.needs_approval = true;
    hall.price = "200".into();
    hall.cancel_hours_before = 24;
    hall.opening_hours = weekdays("08:00-20:00", "08:00-20:00");
    let mut desks = resource(
        "开放工位",
        "workstation",
        "20 个开放工位，含网络与储物柜，按半天预约。",
        240,
    );
    desks.capacity = 20;
    desks.opening_hours = weekdays("08:00-16:00", "");
    for input in [printer, cutter, hall, desks] {
        service
            .add_resource(db, &caller, &lab.id, input, now)
            .await?;
    }
    service
        .publish_item(
            db,
            &caller,
            ItemInput {
                record: json!({
                    "SERVICE_NAME": "创业辅导与工商代办", "SERVICE_CLASS": "CYFW", "LINKMAN": "马老师",
                    "TEL": "0951-5012345", "SERVICE_OBJECT": "1;2;5;6", "SERVICE_METHOD": "柜台式服务;电话服务",
                    "SERVICE_PROCEDURE": "提交需求，载体受理后一周内安排导师面谈，办结后请评价。",
                }),
                region_code: "640104".into(),
                listed: None,
            },
            now,
        )
        .await?;
    Ok(())
}
