//! Service items and their resources: publishing (each item its carrier-resource catalogue
//! record, in the same transaction), changing, finding, and training users on a resource.

use serde_json::{Map, Value, json};

use super::access::{must_run, publishing_carrier, runs};
use super::error::{ResourcesError, Result};
use super::hours::{OpeningHours, SLOT_LENGTHS};
use super::model::*;
use super::store::{item_row, new_id, organisation_name, resource_row};
use super::{SERVICE_CLASSES, Service, service_class_label};
use crate::accounts::caller::Caller;
use crate::catalogue::codes::{check_region, region_name};
use crate::catalogue::reporting::{WorkflowRefusal, write_workflow};
use crate::db::{Backend, Db, Tx, dialect};
use crate::payments::money::yuan_to_fen;
use crate::{with_pool, with_tx};

/// What the lists answer at most at once.
pub const PAGE_LIMIT: i64 = 50;

/// How items and resources are searched; every part optional.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct Search {
    /// Words in the name.
    pub q: String,
    /// SERVICE_CLASS code.
    pub class: String,
    /// A SERVICE_OBJECT code.
    pub object: String,
    /// A SERVICE_METHOD name.
    pub method: String,
    /// A division code or its prefix (`6401` for 银川市).
    pub region: String,
    /// The carrier's organisation id.
    pub carrier: String,
    /// `room`, `workstation` or `equipment` (resources only).
    pub kind: String,
    pub offset: i64,
    pub limit: Option<i64>,
}

impl Search {
    /// The conditions every search of listed items or resources shares, on the table `alias`
    /// whose name column is `name`: parameters $1 to $6, bound from [`Search::values`].
    fn matching(&self, backend: Backend, alias: &str, name: &str) -> String {
        format!(
            "{alias}.listed AND ($1 = '' OR {}) AND ($2 = '' OR {alias}.service_class = $2) AND ($3 = '' OR {}) \
             AND ($4 = '' OR {}) AND ($5 = '' OR substr({alias}.region_code, 1, length($5)) = $5) \
             AND ($6 = '' OR {alias}.carrier_org_id = $6)",
            dialect::contains(backend, &format!("{alias}.{name}"), "$1"),
            dialect::contains(backend, &format!("{alias}.service_object"), "$3"),
            dialect::contains(backend, &format!("{alias}.service_method"), "$4"),
        )
    }

    /// The values of $1 to $6 of [`Search::matching`], in order.
    fn values(&self) -> [String; 6] {
        [
            self.q.trim().to_owned(),
            self.class.trim().to_owned(),
            code_needle(&self.object),
            code_needle(&self.method),
            self.region.trim().trim_end_matches("00").to_owned(),
            self.carrier.trim().to_owned(),
        ]
    }

    fn limit(&self) -> i64 {
        self.limit.unwrap_or(PAGE_LIMIT).clamp(1, PAGE_LIMIT)
    }
}

fn object(record: Value) -> Result<Map<String, Value>> {
    match record {
        Value::Object(map) => Ok(map),
        _ => Err(ResourcesError::Invalid(
            "record 须为对象 / record must be an object".into(),
        )),
    }
}

fn text<'a>(map: &'a Map<String, Value>, field: &str) -> &'a str {
    map.get(field)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .trim()
}

/// The region, checked, as a division code.
fn checked_region(code: &str) -> Result<String> {
    check_region(code.trim())
        .map_err(|m| ResourcesError::Invalid(format!("region_code：{} / {}", m.zh, m.en)))?;
    Ok(code.trim().to_owned())
}

/// The record as the catalogue gets it, and what is pulled out of it.
struct CheckedItem {
    record: Value,
    name: String,
    class: String,
    objects: String,
    methods: String,
}

fn checked_item(id: &str, owner: &str, record: Value) -> Result<CheckedItem> {
    let mut map = object(record)?;
    map.insert("SERVICE_ITEM_ID".into(), json!(id));
    map.insert("OWNER_ID".into(), json!(owner));
    let class = text(&map, "SERVICE_CLASS").to_owned();
    if !SERVICE_CLASSES.iter().any(|(c, _, _)| *c == class) {
        return Err(ResourcesError::Invalid(format!(
            "SERVICE_CLASS 须为：{} / SERVICE_CLASS must be one of these",
            SERVICE_CLASSES
                .iter()
                .map(|(c, zh, _)| format!("{c}（{zh}）"))
                .collect::<Vec<_>>()
                .join("、")
        )));
    }
    // The catalogue checks each code against its lists; the platform keeps them findable.
    let objects = stored_codes(text(&map, "SERVICE_OBJECT"));
    let methods = stored_codes(text(&map, "SERVICE_METHOD"));
    Ok(CheckedItem {
        name: text(&map, "SERVICE_NAME").to_owned(),
        record: Value::Object(map),
        class,
        objects,
        methods,
    })
}

async fn write_record(
    tx: &mut Tx,
    record: Value,
    carrier: &str,
    user: &str,
    now: i64,
) -> Result<()> {
    write_workflow(
        tx,
        "resources",
        vec![("carrier-resource", record)],
        carrier,
        user,
        now,
    )
    .await
    .map_err(|refusal| match refusal {
        WorkflowRefusal::Fields(errors) => ResourcesError::InvalidFields(errors),
        WorkflowRefusal::Db(e) => ResourcesError::Db(e),
    })
}

/// Counts the carrier's listed items and resources again for the portal's list of carriers.
async fn touch_carrier(tx: &mut Tx, carrier: &str, region: &str, now: i64) -> Result<()> {
    let name = organisation_name(&mut *tx, carrier).await?;
    with_tx!(tx, conn => {
        let items: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM res_items WHERE carrier_org_id = $1 AND listed")
            .bind(carrier).fetch_one(&mut *conn).await?;
        let resources: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM res_resources WHERE carrier_org_id = $1 AND listed")
            .bind(carrier).fetch_one(&mut *conn).await?;
        sqlx::query("INSERT INTO res_carriers (organisation_id, name, region_code, items, resources, updated_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (organisation_id) DO UPDATE SET name = excluded.name, region_code = excluded.region_code, items = excluded.items, resources = excluded.resources, updated_at = excluded.updated_at")
            .bind(carrier).bind(&name).bind(region).bind(items).bind(resources).bind(now)
            .execute(&mut *conn).await?;
    });
    Ok(())
}

pub(super) fn item_view(row: ItemRow, carrier_name: String, en: bool) -> Item {
    Item {
        region_name: region_name(&row.region_code).unwrap_or_default().to_owned(),
        service_class_label: service_class_label(&row.service_class, en).to_owned(),
        service_objects: split_codes(&row.service_object),
        service_methods: split_codes(&row.service_method),
        record: serde_json::from_str(&row.record).unwrap_or(Value::Null),
        id: row.id,
        carrier_org_id: row.carrier_org_id,
        carrier_name,
        region_code: row.region_code,
        service_name: row.service_name,
        service_class: row.service_class,
        listed: row.listed,
        created_at: row.created_at,
        updated_at: row.updated_at,
    }
}

/// A resource's rules, checked.
struct CheckedResource {
    hours: OpeningHours,
    price_fen: i64,
}

fn checked_resource(input: &ResourceInput, slot_minutes: i64) -> Result<CheckedResource> {
    let invalid = |zh: &str, en: &str| Err(ResourcesError::Invalid(format!("{zh} / {en}")));
    let name_chars = input.name.trim().chars().count();
    if name_chars == 0 || name_chars > 100 {
        return invalid("名称须为 1–100 字", "name must be 1 to 100 characters");
    }
    if input.description.chars().count() > 2000 {
        return invalid("说明至多 2000 字", "description is at most 2000 characters");
    }
    if !KINDS.iter().any(|(k, _, _)| *k == input.kind) {
        return invalid(
            "kind 须为 room、workstation 或 equipment",
            "kind must be room, workstation or equipment",
        );
    }
    if !(1..=1000).contains(&input.capacity) {
        return invalid("容量须为 1–1000", "capacity must be 1 to 1000");
    }
    if !SLOT_LENGTHS.contains(&slot_minutes) {
        return invalid(
            "时段长度须为 15、30、60、90、120、180 或 240 分钟",
            "slot_minutes must be 15, 30, 60, 90, 120, 180 or 240",
        );
    }
    let hours =
        OpeningHours::parse(&input.opening_hours, slot_minutes).map_err(ResourcesError::Invalid)?;
    let Some(price_fen) = yuan_to_fen(input.price.trim()).filter(|f| (0..=100_000_000).contains(f))
    else {
        return invalid(
            "价格须为 0 至 100 万元，至多两位小数",
            "price must be 0 to 1,000,000 yuan with at most two decimals",
        );
    };
    if let Some(max) = input.max_minutes_per_day
        && (max < slot_minutes || max > 24 * 60)
    {
        return invalid(
            "每日上限须不少于一个时段、不超过 24 小时",
            "max_minutes_per_day must be at least one slot and at most 24 hours",
        );
    }
    if !(0..=720).contains(&input.cancel_hours_before) {
        return invalid(
            "取消期限须为 0–720 小时",
            "cancel_hours_before must be 0 to 720",
        );
    }
    Ok(CheckedResource { hours, price_fen })
}

impl Service {
    /// A carrier's operator publishes a service item.
    pub async fn publish_item(
        &self,
        db: &Db,
        caller: &Caller,
        input: ItemInput,
        now: i64,
    ) -> Result<Item> {
        let carrier = publishing_carrier(caller)?;
        let region = checked_region(&input.region_code)?;
        let id = new_id("RES");
        let item = checked_item(&id, &carrier, input.record)?;
        let listed = input.listed.unwrap_or(true);
        let mut tx = db.begin().await?;
        write_record(&mut tx, item.record.clone(), &carrier, &caller.user_id, now).await?;
        with_tx!(&mut tx, conn => {
            sqlx::query("INSERT INTO res_items (id, carrier_org_id, region_code, service_name, service_class, service_object, service_method, record, listed, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)")
                .bind(&id).bind(&carrier).bind(&region).bind(&item.name).bind(&item.class)
                .bind(&item.objects).bind(&item.methods).bind(item.record.to_string()).bind(listed).bind(now)
                .execute(&mut *conn).await?;
        });
        touch_carrier(&mut tx, &carrier, &region, now).await?;
        tx.commit().await?;
        self.item(db, &id, Some(caller), false)
            .await
            .map(|(item, _)| item)
    }

    /// The operator changes an item: a new version of its record; its resources follow its
    /// class, objects, methods and region.
    pub async fn update_item(
        &self,
        db: &Db,
        caller: &Caller,
        id: &str,
        input: ItemInput,
        now: i64,
    ) -> Result<Item> {
        let region = checked_region(&input.region_code)?;
        let mut tx = db.begin().await?;
        let row = item_row(&mut tx, id)
            .await?
            .ok_or_else(|| not_found_item(id))?;
        must_run(caller, &row.carrier_org_id)?;
        let item = checked_item(id, &row.carrier_org_id, input.record)?;
        let listed = input.listed.unwrap_or(row.listed);
        write_record(
            &mut tx,
            item.record.clone(),
            &row.carrier_org_id,
            &caller.user_id,
            now,
        )
        .await?;
        with_tx!(&mut tx, conn => {
            sqlx::query("UPDATE res_items SET region_code = $2, service_name = $3, service_class = $4, service_object = $5, service_method = $6, record = $7, listed = $8, updated_at = $9 WHERE id = $1")
                .bind(id).bind(&region).bind(&item.name).bind(&item.class).bind(&item.objects)
                .bind(&item.methods).bind(item.record.to_string()).bind(listed).bind(now)
                .execute(&mut *conn).await?;
            sqlx::query("UPDATE res_resources SET region_code = $2, service_class = $3, service_object = $4, service_method = $5, updated_at = $6 WHERE item_id = $1")
                .bind(id).bind(&region).bind(&item.class).bind(&item.objects).bind(&item.methods).bind(now)
                .execute(&mut *conn).await?;
        });
        touch_carrier(&mut tx, &row.carrier_org_id, &region, now).await?;
        tx.commit().await?;
        self.item(db, id, Some(caller), false)
            .await
            .map(|(item, _)| item)
    }

    /// An item with its resources. An unlisted one is found only by its carrier and staff.
    pub async fn item(
        &self,
        db: &Db,
        id: &str,
        caller: Option<&Caller>,
        en: bool,
    ) -> Result<(Item, Vec<Resource>)> {
        let row = item_row(db, id).await?.ok_or_else(|| not_found_item(id))?;
        let insider = caller.is_some_and(|c| runs(c, &row.carrier_org_id));
        if !row.listed && !insider {
            return Err(not_found_item(id));
        }
        let name = organisation_name(db, &row.carrier_org_id).await?;
        let sql = format!(
            "SELECT {RESOURCE_COLUMNS} FROM res_resources WHERE item_id = $1 AND (listed OR $2) ORDER BY created_at, id LIMIT 500"
        );
        let resources = with_pool!(db, pool => {
            sqlx::query_as::<_, ResourceRow>(&sql).bind(id).bind(insider).fetch_all(pool).await?
        });
        let resources = resources
            .into_iter()
            .map(|r| Resource::from_row(r, name.clone()))
            .collect();
        Ok((item_view(row, name, en), resources))
    }

    /// Listed items, newest first.
    pub async fn search_items(&self, db: &Db, search: &Search, en: bool) -> Result<Vec<Item>> {
        let sql = format!(
            "SELECT i.id, i.carrier_org_id, i.region_code, i.service_name, i.service_class, i.service_object, i.service_method, i.record, i.listed, i.created_at, i.updated_at, o.name AS carrier_name \
             FROM res_items i JOIN organisations o ON o.id = i.carrier_org_id \
             WHERE {} ORDER BY i.created_at DESC, i.id LIMIT $7 OFFSET $8",
            search.matching(db.backend(), "i", "service_name"),
        );
        #[derive(sqlx::FromRow)]
        struct Found {
            #[sqlx(flatten)]
            item: ItemRow,
            carrier_name: String,
        }
        let rows = with_pool!(db, pool => {
            let mut query = sqlx::query_as::<_, Found>(&sql);
            for value in search.values() {
                query = query.bind(value);
            }
            query
                .bind(search.limit())
                .bind(search.offset.clamp(0, 10_000))
                .fetch_all(pool)
                .await?
        });
        Ok(rows
            .into_iter()
            .map(|f| item_view(f.item, f.carrier_name, en))
            .collect())
    }

    /// Listed resources, newest first.
    pub async fn search_resources(&self, db: &Db, search: &Search) -> Result<Vec<Resource>> {
        let columns = RESOURCE_COLUMNS
            .split(", ")
            .map(|c| format!("r.{c}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT {columns}, o.name AS carrier_name FROM res_resources r JOIN organisations o ON o.id = r.carrier_org_id \
             WHERE {} AND ($7 = '' OR r.kind = $7) ORDER BY r.created_at DESC, r.id LIMIT $8 OFFSET $9",
            search.matching(db.backend(), "r", "name"),
        );
        #[derive(sqlx::FromRow)]
        struct Found {
            #[sqlx(flatten)]
            resource: ResourceRow,
            carrier_name: String,
        }
        let rows = with_pool!(db, pool => {
            let mut query = sqlx::query_as::<_, Found>(&sql);
            for value in search.values() {
                query = query.bind(value);
            }
            query
                .bind(search.kind.trim())
                .bind(search.limit())
                .bind(search.offset.clamp(0, 10_000))
                .fetch_all(pool)
                .await?
        });
        Ok(rows
            .into_iter()
            .map(|f| Resource::from_row(f.resource, f.carrier_name))
            .collect())
    }

    /// The operator adds a resource to an item.
    pub async fn add_resource(
        &self,
        db: &Db,
        caller: &Caller,
        item_id: &str,
        input: ResourceInput,
        now: i64,
    ) -> Result<Resource> {
        let checked = checked_resource(&input, input.slot_minutes)?;
        let id = new_id("RSC");
        let mut tx = db.begin().await?;
        let item = item_row(&mut tx, item_id)
            .await?
            .ok_or_else(|| not_found_item(item_id))?;
        must_run(caller, &item.carrier_org_id)?;
        let count: i64 = with_tx!(&mut tx, conn => {
            sqlx::query_scalar("SELECT COUNT(*) FROM res_resources WHERE item_id = $1").bind(item_id).fetch_one(&mut *conn).await?
        });
        if count >= self.policy.max_resources_per_item {
            return Err(ResourcesError::Invalid(format!(
                "每个服务项目至多 {} 个资源 / at most {} resources per item",
                self.policy.max_resources_per_item, self.policy.max_resources_per_item
            )));
        }
        with_tx!(&mut tx, conn => {
            sqlx::query("INSERT INTO res_resources (id, item_id, carrier_org_id, region_code, service_class, service_object, service_method, name, kind, description, capacity, opening_hours, open_minutes_week, slot_minutes, needs_approval, price_fen, training_required, max_minutes_per_day, cancel_hours_before, listed, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $21)")
                .bind(&id).bind(item_id).bind(&item.carrier_org_id).bind(&item.region_code)
                .bind(&item.service_class).bind(&item.service_object).bind(&item.service_method)
                .bind(input.name.trim()).bind(&input.kind).bind(&input.description).bind(input.capacity)
                .bind(checked.hours.to_json()).bind(checked.hours.minutes_per_week()).bind(input.slot_minutes)
                .bind(input.needs_approval).bind(checked.price_fen).bind(input.training_required)
                .bind(input.max_minutes_per_day).bind(input.cancel_hours_before)
                .bind(input.listed.unwrap_or(true)).bind(now)
                .execute(&mut *conn).await?;
        });
        touch_carrier(&mut tx, &item.carrier_org_id, &item.region_code, now).await?;
        tx.commit().await?;
        self.resource(db, &id, Some(caller)).await
    }

    /// The operator changes a resource's rules and hours (not its slot length: bookings lie
    /// on its grid). Bookings already made keep their slots.
    pub async fn update_resource(
        &self,
        db: &Db,
        caller: &Caller,
        id: &str,
        input: ResourceInput,
        now: i64,
    ) -> Result<Resource> {
        let mut tx = db.begin().await?;
        let row = resource_row(&mut tx, id)
            .await?
            .ok_or_else(|| not_found_resource(id))?;
        must_run(caller, &row.carrier_org_id)?;
        let checked = checked_resource(&input, row.slot_minutes)?;
        with_tx!(&mut tx, conn => {
            sqlx::query("UPDATE res_resources SET name = $2, kind = $3, description = $4, capacity = $5, opening_hours = $6, open_minutes_week = $7, needs_approval = $8, price_fen = $9, training_required = $10, max_minutes_per_day = $11, cancel_hours_before = $12, listed = $13, updated_at = $14 WHERE id = $1")
                .bind(id).bind(input.name.trim()).bind(&input.kind).bind(&input.description).bind(input.capacity)
                .bind(checked.hours.to_json()).bind(checked.hours.minutes_per_week())
                .bind(input.needs_approval).bind(checked.price_fen).bind(input.training_required)
                .bind(input.max_minutes_per_day).bind(input.cancel_hours_before)
                .bind(input.listed.unwrap_or(row.listed)).bind(now)
                .execute(&mut *conn).await?;
        });
        touch_carrier(&mut tx, &row.carrier_org_id, &row.region_code, now).await?;
        tx.commit().await?;
        self.resource(db, id, Some(caller)).await
    }

    /// A resource; an unlisted one only for its carrier and staff.
    pub async fn resource(&self, db: &Db, id: &str, caller: Option<&Caller>) -> Result<Resource> {
        let row = resource_row(db, id)
            .await?
            .ok_or_else(|| not_found_resource(id))?;
        if !row.listed && !caller.is_some_and(|c| runs(c, &row.carrier_org_id)) {
            return Err(not_found_resource(id));
        }
        let name = organisation_name(db, &row.carrier_org_id).await?;
        Ok(Resource::from_row(row, name))
    }

    /// The operator records that a user (by username) has been trained on a resource.
    pub async fn record_training(
        &self,
        db: &Db,
        caller: &Caller,
        resource_id: &str,
        username: &str,
        now: i64,
    ) -> Result<String> {
        let mut tx = db.begin().await?;
        let row = resource_row(&mut tx, resource_id)
            .await?
            .ok_or_else(|| not_found_resource(resource_id))?;
        must_run(caller, &row.carrier_org_id)?;
        let user: Option<String> = with_tx!(&mut tx, conn => {
            sqlx::query_scalar("SELECT id FROM users WHERE username = $1").bind(username.trim()).fetch_optional(&mut *conn).await?
        });
        let user =
            user.ok_or_else(|| ResourcesError::NotFound(format!("用户 / user {username}")))?;
        with_tx!(&mut tx, conn => {
            sqlx::query("INSERT INTO res_trainings (resource_id, user_id, trained_by, trained_at) VALUES ($1, $2, $3, $4) ON CONFLICT (resource_id, user_id) DO NOTHING")
                .bind(resource_id).bind(&user).bind(&caller.user_id).bind(now)
                .execute(&mut *conn).await?;
        });
        tx.commit().await?;
        Ok(user)
    }
}

/// A code searched for inside `";1;2;5;"`.
fn code_needle(code: &str) -> String {
    let code = code.trim();
    if code.is_empty() {
        String::new()
    } else {
        format!(";{code};")
    }
}

pub(super) fn not_found_item(id: &str) -> ResourcesError {
    ResourcesError::NotFound(format!("服务项目 / service item {id}"))
}

pub(super) fn not_found_resource(id: &str) -> ResourcesError {
    ResourcesError::NotFound(format!("资源 / resource {id}"))
}
