-- Seeds the shared-resources benchmark: :carriers carriers with 25 resources each under one
-- service item, and 20 bookings (with their slot claims) per resource spread over the 40 days
-- around :today (a China midnight). Plain SQL for SQLite and PostgreSQL; bench/resources.sh
-- substitutes the numbers.
INSERT INTO users (id, username, password_hash, display_name, created_at, updated_at)
VALUES ('bench-user', 'bench-user', 'x', '基准用户', 0, 0);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :carriers)
INSERT INTO organisations (id, name, kind, created_at)
SELECT 'bench-c-' || i, '基准众创空间 ' || i, 'carrier', 0 FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :carriers)
INSERT INTO res_carriers (organisation_id, name, region_code, items, resources, updated_at)
SELECT 'bench-c-' || i, '基准众创空间 ' || i, '640104', 1, 25, i FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :carriers)
INSERT INTO res_items (id, carrier_org_id, region_code, service_name, service_class, service_object, service_method, record, listed, created_at, updated_at)
SELECT 'bench-i-' || i, 'bench-c-' || i, '640104', '共享实验室 ' || i, 'SYSB', ';1;2;5;', ';柜台式服务;', '{}', TRUE, i, i FROM n;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < :carriers * 25 - 1)
INSERT INTO res_resources (id, item_id, carrier_org_id, region_code, service_class, service_object, service_method, name, kind, description, capacity, opening_hours, open_minutes_week, slot_minutes, needs_approval, price_fen, training_required, max_minutes_per_day, cancel_hours_before, listed, created_at, updated_at)
SELECT 'bench-r-' || i, 'bench-i-' || (i / 25 + 1), 'bench-c-' || (i / 25 + 1), '640104', 'SYSB', ';1;2;5;', ';柜台式服务;',
       '设备 ' || i, 'equipment', '', 1, '["08:00-20:00","08:00-20:00","08:00-20:00","08:00-20:00","08:00-20:00","08:00-20:00",""]', 4320, 60, FALSE, 0, FALSE, NULL, 2, TRUE, i, i
FROM n;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < :carriers * 25 * 20 - 1)
INSERT INTO res_bookings (id, resource_id, carrier_org_id, user_id, organisation_id, service_object, external, starts_at, ends_at, state, amount_fen, purpose, created_at, updated_at)
SELECT 'bench-b-' || i, 'bench-r-' || (i % (:carriers * 25)), 'bench-c-' || ((i % (:carriers * 25)) / 25 + 1), 'bench-user', NULL, '5', TRUE,
       :today + (2 * (i / (:carriers * 25)) - 19) * 86400 + (8 + i % 12) * 3600,
       :today + (2 * (i / (:carriers * 25)) - 19) * 86400 + (9 + i % 12) * 3600,
       'confirmed', 0, '', 0, 0
FROM n;
INSERT INTO res_slot_claims (resource_id, slot_start, booking_id) SELECT resource_id, starts_at, id FROM res_bookings;
