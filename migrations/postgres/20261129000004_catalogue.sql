-- GENERATED from idp/src/catalogue/spec.rs by idp/src/catalogue/schema.rs; do not edit.
-- One table per record type holds every version of every record: the current one has
-- is_current, earlier ones keep who reported them and when they were superseded.
-- Field values are stored as their canonical text, so nothing is rounded or reformatted.

-- 1 / 4.1 企业基本信息 (Enterprise), key ORG_ID
CREATE TABLE cat_enterprise (
    version_id      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    record_key      TEXT NOT NULL,
    version         BIGINT NOT NULL,
    is_current      BOOLEAN NOT NULL,
    organisation_id TEXT,
    client_id       TEXT NOT NULL,
    user_id         TEXT,
    source          TEXT NOT NULL CHECK (source IN ('api', 'import', 'workflow')),
    reported_at     BIGINT NOT NULL,
    superseded_at   BIGINT,
    "org_id" TEXT,
    "org_property" TEXT,
    "org_code" TEXT,
    "org_name" TEXT,
    "legal_person" TEXT,
    "register_type" TEXT,
    "area_county" TEXT,
    "linkman" TEXT,
    "fax" TEXT,
    "tel" TEXT,
    "email" TEXT,
    "website" TEXT,
    "address" TEXT,
    "postcode" TEXT,
    "industry_code" TEXT,
    "main_remark" TEXT,
    "share_type" TEXT,
    "opened_time" TEXT,
    "photo" TEXT,
    UNIQUE (record_key, version)
);
CREATE UNIQUE INDEX cat_enterprise_current ON cat_enterprise (record_key) WHERE is_current;
CREATE INDEX cat_enterprise_by_organisation ON cat_enterprise (organisation_id, version_id) WHERE is_current;

-- 2 / 5.1 服务机构信息 (Service organisation), key ORG_ID
CREATE TABLE cat_service_org (
    version_id      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    record_key      TEXT NOT NULL,
    version         BIGINT NOT NULL,
    is_current      BOOLEAN NOT NULL,
    organisation_id TEXT,
    client_id       TEXT NOT NULL,
    user_id         TEXT,
    source          TEXT NOT NULL CHECK (source IN ('api', 'import', 'workflow')),
    reported_at     BIGINT NOT NULL,
    superseded_at   BIGINT,
    "org_id" TEXT,
    "org_property" TEXT,
    "org_code" TEXT,
    "org_name" TEXT,
    "legal_person" TEXT,
    "register_type" TEXT,
    "area_county" TEXT,
    "linkman" TEXT,
    "tel" TEXT,
    "fax" TEXT,
    "email" TEXT,
    "website" TEXT,
    "address" TEXT,
    "postcode" TEXT,
    "industry_code" TEXT,
    "main_remark" TEXT,
    "share_type" TEXT,
    "opened_time" TEXT,
    "register_asset" TEXT,
    "qualification" TEXT,
    "remark" TEXT,
    "personnel" TEXT,
    "photo" TEXT,
    "org_grade" TEXT,
    UNIQUE (record_key, version)
);
CREATE UNIQUE INDEX cat_service_org_current ON cat_service_org (record_key) WHERE is_current;
CREATE INDEX cat_service_org_by_organisation ON cat_service_org (organisation_id, version_id) WHERE is_current;

-- 3.1 双创载体基本信息 (Carrier (makerspace) basic information), key BASE_CODE
CREATE TABLE cat_carrier (
    version_id      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    record_key      TEXT NOT NULL,
    version         BIGINT NOT NULL,
    is_current      BOOLEAN NOT NULL,
    organisation_id TEXT,
    client_id       TEXT NOT NULL,
    user_id         TEXT,
    source          TEXT NOT NULL CHECK (source IN ('api', 'import', 'workflow')),
    reported_at     BIGINT NOT NULL,
    superseded_at   BIGINT,
    "base_code" TEXT,
    "base_class" TEXT,
    "base_level" TEXT,
    "regist_no" TEXT,
    "regist_address" TEXT,
    "enterprise_name" TEXT,
    "enterprise_context" TEXT,
    "legal_name" TEXT,
    "legal_phone" TEXT,
    "link_name" TEXT,
    "link_phone" TEXT,
    "services_num" TEXT,
    "mentor_num" TEXT,
    "link_address" TEXT,
    "incubator_num" TEXT,
    "incubator_obtain_num" TEXT,
    "incubator_team_num" TEXT,
    "incubator_turnover" TEXT,
    "incubator_area" TEXT,
    "plat_website" TEXT,
    "service_obj" TEXT,
    "preferential_policy" TEXT,
    "service_case" TEXT,
    "incubator_process" TEXT,
    "regulation" TEXT,
    UNIQUE (record_key, version)
);
CREATE UNIQUE INDEX cat_carrier_current ON cat_carrier (record_key) WHERE is_current;
CREATE INDEX cat_carrier_by_organisation ON cat_carrier (organisation_id, version_id) WHERE is_current;

-- 3.2 基地合作机构 (Carrier partner organisation), key BASE_CODE + ORG_CODE
CREATE TABLE cat_carrier_partner (
    version_id      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    record_key      TEXT NOT NULL,
    version         BIGINT NOT NULL,
    is_current      BOOLEAN NOT NULL,
    organisation_id TEXT,
    client_id       TEXT NOT NULL,
    user_id         TEXT,
    source          TEXT NOT NULL CHECK (source IN ('api', 'import', 'workflow')),
    reported_at     BIGINT NOT NULL,
    superseded_at   BIGINT,
    "org_code" TEXT,
    "base_code" TEXT,
    "org_name" TEXT,
    "service_context" TEXT,
    UNIQUE (record_key, version)
);
CREATE UNIQUE INDEX cat_carrier_partner_current ON cat_carrier_partner (record_key) WHERE is_current;
CREATE INDEX cat_carrier_partner_by_organisation ON cat_carrier_partner (organisation_id, version_id) WHERE is_current;

-- 3.3 基地服务情况 (Carrier service), key ID
CREATE TABLE cat_carrier_service (
    version_id      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    record_key      TEXT NOT NULL,
    version         BIGINT NOT NULL,
    is_current      BOOLEAN NOT NULL,
    organisation_id TEXT,
    client_id       TEXT NOT NULL,
    user_id         TEXT,
    source          TEXT NOT NULL CHECK (source IN ('api', 'import', 'workflow')),
    reported_at     BIGINT NOT NULL,
    superseded_at   BIGINT,
    "id" TEXT,
    "base_code" TEXT,
    "service_context" TEXT,
    "fees" TEXT,
    UNIQUE (record_key, version)
);
CREATE UNIQUE INDEX cat_carrier_service_current ON cat_carrier_service (record_key) WHERE is_current;
CREATE INDEX cat_carrier_service_by_organisation ON cat_carrier_service (organisation_id, version_id) WHERE is_current;

-- 4.2.1 众筹信息 (Crowdfunding project), key CROWD_ID
CREATE TABLE cat_crowdfunding_project (
    version_id      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    record_key      TEXT NOT NULL,
    version         BIGINT NOT NULL,
    is_current      BOOLEAN NOT NULL,
    organisation_id TEXT,
    client_id       TEXT NOT NULL,
    user_id         TEXT,
    source          TEXT NOT NULL CHECK (source IN ('api', 'import', 'workflow')),
    reported_at     BIGINT NOT NULL,
    superseded_at   BIGINT,
    "crowd_id" TEXT,
    "comp_id" TEXT,
    "comp_link_name" TEXT,
    "comp_link_mobile" TEXT,
    "tags" TEXT,
    "crowd_title" TEXT,
    "crowd_intro" TEXT,
    "crowd_amount" TEXT,
    "crowd_duration" TEXT,
    UNIQUE (record_key, version)
);
CREATE UNIQUE INDEX cat_crowdfunding_project_current ON cat_crowdfunding_project (record_key) WHERE is_current;
CREATE INDEX cat_crowdfunding_project_by_organisation ON cat_crowdfunding_project (organisation_id, version_id) WHERE is_current;

-- 4.2.2 回报信息 (Crowdfunding reward), key REWARD_ID
CREATE TABLE cat_crowdfunding_reward (
    version_id      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    record_key      TEXT NOT NULL,
    version         BIGINT NOT NULL,
    is_current      BOOLEAN NOT NULL,
    organisation_id TEXT,
    client_id       TEXT NOT NULL,
    user_id         TEXT,
    source          TEXT NOT NULL CHECK (source IN ('api', 'import', 'workflow')),
    reported_at     BIGINT NOT NULL,
    superseded_at   BIGINT,
    "reward_id" TEXT,
    "crowd_id" TEXT,
    "islotto" TEXT,
    "lottorule" TEXT,
    "reward_amount" TEXT,
    "reward_brief" TEXT,
    "reward_content" TEXT,
    "reward_limit" TEXT,
    "express_fee" TEXT,
    "reback_date" TEXT,
    UNIQUE (record_key, version)
);
CREATE UNIQUE INDEX cat_crowdfunding_reward_current ON cat_crowdfunding_reward (record_key) WHERE is_current;
CREATE INDEX cat_crowdfunding_reward_by_organisation ON cat_crowdfunding_reward (organisation_id, version_id) WHERE is_current;

-- 4.3 众筹订单 (Crowdfunding order), key ORDER_ID
CREATE TABLE cat_crowdfunding_order (
    version_id      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    record_key      TEXT NOT NULL,
    version         BIGINT NOT NULL,
    is_current      BOOLEAN NOT NULL,
    organisation_id TEXT,
    client_id       TEXT NOT NULL,
    user_id         TEXT,
    source          TEXT NOT NULL CHECK (source IN ('api', 'import', 'workflow')),
    reported_at     BIGINT NOT NULL,
    superseded_at   BIGINT,
    "order_id" TEXT,
    "crowd_id" TEXT,
    "reward_id" TEXT,
    "buyer_name" TEXT,
    "buyer_link_name" TEXT,
    "buyer_link_mobile" TEXT,
    "reward_copies" TEXT,
    "order_amount" TEXT,
    "delivery_date" TEXT,
    "delivery_type" TEXT,
    "delivery_no" TEXT,
    "delivery_user_name" TEXT,
    "delivery_user_phone" TEXT,
    "evaluation" TEXT,
    "remark" TEXT,
    UNIQUE (record_key, version)
);
CREATE UNIQUE INDEX cat_crowdfunding_order_current ON cat_crowdfunding_order (record_key) WHERE is_current;
CREATE INDEX cat_crowdfunding_order_by_organisation ON cat_crowdfunding_order (organisation_id, version_id) WHERE is_current;

-- 5.2 服务产品 (Service product), key SERVICE_ITEM_ID
CREATE TABLE cat_service_product (
    version_id      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    record_key      TEXT NOT NULL,
    version         BIGINT NOT NULL,
    is_current      BOOLEAN NOT NULL,
    organisation_id TEXT,
    client_id       TEXT NOT NULL,
    user_id         TEXT,
    source          TEXT NOT NULL CHECK (source IN ('api', 'import', 'workflow')),
    reported_at     BIGINT NOT NULL,
    superseded_at   BIGINT,
    "service_item_id" TEXT,
    "owner_id" TEXT,
    "service_name" TEXT,
    "register_date" TEXT,
    "service_class" TEXT,
    "linkman" TEXT,
    "tel" TEXT,
    "email" TEXT,
    "service_object" TEXT,
    "service_method" TEXT,
    "service_procedure" TEXT,
    "charge_method" TEXT,
    UNIQUE (record_key, version)
);
CREATE UNIQUE INDEX cat_service_product_current ON cat_service_product (record_key) WHERE is_current;
CREATE INDEX cat_service_product_by_organisation ON cat_service_product (organisation_id, version_id) WHERE is_current;

-- 5.3 服务订单 (Service order), key SERVICE_ORG_ID + SERVICE_ITEM_ID + SERVED_ORG_ID + SERVICE_ORDER_NO
CREATE TABLE cat_service_order (
    version_id      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    record_key      TEXT NOT NULL,
    version         BIGINT NOT NULL,
    is_current      BOOLEAN NOT NULL,
    organisation_id TEXT,
    client_id       TEXT NOT NULL,
    user_id         TEXT,
    source          TEXT NOT NULL CHECK (source IN ('api', 'import', 'workflow')),
    reported_at     BIGINT NOT NULL,
    superseded_at   BIGINT,
    "service_order_no" TEXT,
    "service_type" TEXT,
    "service_class" TEXT,
    "service_org_id" TEXT,
    "service_org_name" TEXT,
    "service_item_id" TEXT,
    "service_name" TEXT,
    "service_desc" TEXT,
    "served_org_id" TEXT,
    "served_org_name" TEXT,
    "served_org_linkman" TEXT,
    "served_org_tel" TEXT,
    "server_method" TEXT,
    "server_date_apply" TEXT,
    "server_date_accept" TEXT,
    "server_date_end" TEXT,
    "server_result" TEXT,
    "server_income" TEXT,
    "allowance" TEXT,
    "served_org_evaluation" TEXT,
    "served_org_remark" TEXT,
    UNIQUE (record_key, version)
);
CREATE UNIQUE INDEX cat_service_order_current ON cat_service_order (record_key) WHERE is_current;
CREATE INDEX cat_service_order_by_organisation ON cat_service_order (organisation_id, version_id) WHERE is_current;

-- 5.4 需求信息 (Demand), key DEMAND_NO
CREATE TABLE cat_demand (
    version_id      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    record_key      TEXT NOT NULL,
    version         BIGINT NOT NULL,
    is_current      BOOLEAN NOT NULL,
    organisation_id TEXT,
    client_id       TEXT NOT NULL,
    user_id         TEXT,
    source          TEXT NOT NULL CHECK (source IN ('api', 'import', 'workflow')),
    reported_at     BIGINT NOT NULL,
    superseded_at   BIGINT,
    "demand_no" TEXT,
    "comp_code" TEXT,
    "comp_name" TEXT,
    "comp_regist_type" TEXT,
    "comp_address" TEXT,
    "charger_name" TEXT,
    "charger_mobile" TEXT,
    "demand_title" TEXT,
    "demand_describe" TEXT,
    "demand_fee" TEXT,
    "demand_cycle" TEXT,
    "expiry_date" TEXT,
    "selected_date" TEXT,
    "server_org_id" TEXT,
    "server_link_name" TEXT,
    "server_link_mobile" TEXT,
    "service_order_no" TEXT,
    UNIQUE (record_key, version)
);
CREATE UNIQUE INDEX cat_demand_current ON cat_demand (record_key) WHERE is_current;
CREATE INDEX cat_demand_by_organisation ON cat_demand (organisation_id, version_id) WHERE is_current;

-- 6.1 转贷信息 (Bridge loan), key Apply_no
CREATE TABLE cat_bridge_loan (
    version_id      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    record_key      TEXT NOT NULL,
    version         BIGINT NOT NULL,
    is_current      BOOLEAN NOT NULL,
    organisation_id TEXT,
    client_id       TEXT NOT NULL,
    user_id         TEXT,
    source          TEXT NOT NULL CHECK (source IN ('api', 'import', 'workflow')),
    reported_at     BIGINT NOT NULL,
    superseded_at   BIGINT,
    "apply_no" TEXT,
    "comp_name" TEXT,
    "regiest_address" TEXT,
    "comp_address" TEXT,
    "capital" TEXT,
    "credit_code" TEXT,
    "comp_major" TEXT,
    "comp_legal_name" TEXT,
    "legal_phone" TEXT,
    "link_name" TEXT,
    "link_phone" TEXT,
    "last_year_acount" TEXT,
    "debt_ratio" TEXT,
    "last_year_income" TEXT,
    "last_year_profit" TEXT,
    "bank_region" TEXT,
    "bank_codef" TEXT,
    "bank_codes" TEXT,
    "loan_bank" TEXT,
    "expire_loan_acount" TEXT,
    "expire_date" TEXT,
    "expire_number" TEXT,
    "loan_contract_number" TEXT,
    "loan_amount" TEXT,
    "loan_apply" TEXT,
    "self_repay_amount" TEXT,
    "apply_date" TEXT,
    "bank_charge_man" TEXT,
    "bank_manage_man" TEXT,
    "bank_audit_date" TEXT,
    UNIQUE (record_key, version)
);
CREATE UNIQUE INDEX cat_bridge_loan_current ON cat_bridge_loan (record_key) WHERE is_current;
CREATE INDEX cat_bridge_loan_by_organisation ON cat_bridge_loan (organisation_id, version_id) WHERE is_current;

-- 6.2 风险补偿信息 (Risk compensation), key Apply_no
CREATE TABLE cat_risk_compensation (
    version_id      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    record_key      TEXT NOT NULL,
    version         BIGINT NOT NULL,
    is_current      BOOLEAN NOT NULL,
    organisation_id TEXT,
    client_id       TEXT NOT NULL,
    user_id         TEXT,
    source          TEXT NOT NULL CHECK (source IN ('api', 'import', 'workflow')),
    reported_at     BIGINT NOT NULL,
    superseded_at   BIGINT,
    "apply_no" TEXT,
    "band_name" TEXT,
    "loan_comp" TEXT,
    "loan_comp_type" TEXT,
    "capital" TEXT,
    "regist_region_code" TEXT,
    "address" TEXT,
    "create_date" TEXT,
    "legal_name" TEXT,
    "legal_phone" TEXT,
    "content" TEXT,
    "loan_amount" TEXT,
    "loan_deadline" TEXT,
    "loan_type" TEXT,
    "house_amount" TEXT,
    "equity_amount" TEXT,
    "insurance_amount" TEXT,
    "insurance_content" TEXT,
    "other_amount" TEXT,
    "other_content" TEXT,
    "loan_start_date" TEXT,
    "loan_end_date" TEXT,
    "proceed_loan" TEXT,
    "loan_status" TEXT,
    "turnover" TEXT,
    "practitioner_num" TEXT,
    "is_technology" TEXT,
    "is_specialization" TEXT,
    "is_emerging" TEXT,
    "is_incubatorbase" TEXT,
    "house_pro" TEXT,
    "house_content" TEXT,
    "equity_pro" TEXT,
    "equity_content" TEXT,
    "insurance_pro" TEXT,
    "other_pro" TEXT,
    UNIQUE (record_key, version)
);
CREATE UNIQUE INDEX cat_risk_compensation_current ON cat_risk_compensation (record_key) WHERE is_current;
CREATE INDEX cat_risk_compensation_by_organisation ON cat_risk_compensation (organisation_id, version_id) WHERE is_current;

-- 6.3.1 融资租赁申请 (Finance lease application), key Apply_no
CREATE TABLE cat_leasing_application (
    version_id      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    record_key      TEXT NOT NULL,
    version         BIGINT NOT NULL,
    is_current      BOOLEAN NOT NULL,
    organisation_id TEXT,
    client_id       TEXT NOT NULL,
    user_id         TEXT,
    source          TEXT NOT NULL CHECK (source IN ('api', 'import', 'workflow')),
    reported_at     BIGINT NOT NULL,
    superseded_at   BIGINT,
    "apply_no" TEXT,
    "comp_name" TEXT,
    "credit_code" TEXT,
    "capital" TEXT,
    "comp_trade" TEXT,
    "create_date" TEXT,
    "charger_name" TEXT,
    "charger_phone" TEXT,
    "link_name" TEXT,
    "link_phone" TEXT,
    "region" TEXT,
    "region_code" TEXT,
    "comp_address" TEXT,
    "comp_major" TEXT,
    "main_business" TEXT,
    "lastyear_turnover" TEXT,
    "practitioner_num" TEXT,
    "subsidy_total" TEXT,
    UNIQUE (record_key, version)
);
CREATE UNIQUE INDEX cat_leasing_application_current ON cat_leasing_application (record_key) WHERE is_current;
CREATE INDEX cat_leasing_application_by_organisation ON cat_leasing_application (organisation_id, version_id) WHERE is_current;

-- 6.3.2 租赁设备 (Leased device), key Apply_no + Device_name
CREATE TABLE cat_leasing_device (
    version_id      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    record_key      TEXT NOT NULL,
    version         BIGINT NOT NULL,
    is_current      BOOLEAN NOT NULL,
    organisation_id TEXT,
    client_id       TEXT NOT NULL,
    user_id         TEXT,
    source          TEXT NOT NULL CHECK (source IN ('api', 'import', 'workflow')),
    reported_at     BIGINT NOT NULL,
    superseded_at   BIGINT,
    "apply_no" TEXT,
    "device_name" TEXT,
    "price" TEXT,
    "finance_rate" TEXT,
    "subsidy" TEXT,
    UNIQUE (record_key, version)
);
CREATE UNIQUE INDEX cat_leasing_device_current ON cat_leasing_device (record_key) WHERE is_current;
CREATE INDEX cat_leasing_device_by_organisation ON cat_leasing_device (organisation_id, version_id) WHERE is_current;

-- 6.4.1 互助基金入社 (Mutual fund membership), key JOIN_NO
CREATE TABLE cat_fund_membership (
    version_id      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    record_key      TEXT NOT NULL,
    version         BIGINT NOT NULL,
    is_current      BOOLEAN NOT NULL,
    organisation_id TEXT,
    client_id       TEXT NOT NULL,
    user_id         TEXT,
    source          TEXT NOT NULL CHECK (source IN ('api', 'import', 'workflow')),
    reported_at     BIGINT NOT NULL,
    superseded_at   BIGINT,
    "join_no" TEXT,
    "join_year" TEXT,
    "join_amount" TEXT,
    "company_name" TEXT,
    "company_code" TEXT,
    "company_address" TEXT,
    "company_link_name" TEXT,
    "company_link_mobile" TEXT,
    UNIQUE (record_key, version)
);
CREATE UNIQUE INDEX cat_fund_membership_current ON cat_fund_membership (record_key) WHERE is_current;
CREATE INDEX cat_fund_membership_by_organisation ON cat_fund_membership (organisation_id, version_id) WHERE is_current;

-- 6.4.2 基金申请 (Mutual fund application), key APPLY_NO
CREATE TABLE cat_fund_application (
    version_id      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    record_key      TEXT NOT NULL,
    version         BIGINT NOT NULL,
    is_current      BOOLEAN NOT NULL,
    organisation_id TEXT,
    client_id       TEXT NOT NULL,
    user_id         TEXT,
    source          TEXT NOT NULL CHECK (source IN ('api', 'import', 'workflow')),
    reported_at     BIGINT NOT NULL,
    superseded_at   BIGINT,
    "apply_no" TEXT,
    "join_no" TEXT,
    "apply_time" TEXT,
    "apply_amount" TEXT,
    "loan_bank" TEXT,
    "enlarge_multiples" TEXT,
    "floating_multiples" TEXT,
    "monthly_rate" TEXT,
    "loan_date" TEXT,
    "loan_for" TEXT,
    "last_repay_date" TEXT,
    "real_repay_date" TEXT,
    "handling_fee" TEXT,
    "interest" TEXT,
    UNIQUE (record_key, version)
);
CREATE UNIQUE INDEX cat_fund_application_current ON cat_fund_application (record_key) WHERE is_current;
CREATE INDEX cat_fund_application_by_organisation ON cat_fund_application (organisation_id, version_id) WHERE is_current;

-- 6.4.3 还款记录 (Mutual fund repayment), key REPAY_NO
CREATE TABLE cat_fund_repayment (
    version_id      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    record_key      TEXT NOT NULL,
    version         BIGINT NOT NULL,
    is_current      BOOLEAN NOT NULL,
    organisation_id TEXT,
    client_id       TEXT NOT NULL,
    user_id         TEXT,
    source          TEXT NOT NULL CHECK (source IN ('api', 'import', 'workflow')),
    reported_at     BIGINT NOT NULL,
    superseded_at   BIGINT,
    "repay_no" TEXT,
    "apply_no" TEXT,
    "repay_amount" TEXT,
    "repay_date" TEXT,
    UNIQUE (record_key, version)
);
CREATE UNIQUE INDEX cat_fund_repayment_current ON cat_fund_repayment (record_key) WHERE is_current;
CREATE INDEX cat_fund_repayment_by_organisation ON cat_fund_repayment (organisation_id, version_id) WHERE is_current;

-- 三 共享资源服务项目 (Shared carrier resource), key SERVICE_ITEM_ID
CREATE TABLE cat_carrier_resource (
    version_id      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    record_key      TEXT NOT NULL,
    version         BIGINT NOT NULL,
    is_current      BOOLEAN NOT NULL,
    organisation_id TEXT,
    client_id       TEXT NOT NULL,
    user_id         TEXT,
    source          TEXT NOT NULL CHECK (source IN ('api', 'import', 'workflow')),
    reported_at     BIGINT NOT NULL,
    superseded_at   BIGINT,
    "service_item_id" TEXT,
    "owner_id" TEXT,
    "service_name" TEXT,
    "service_class" TEXT,
    "linkman" TEXT,
    "tel" TEXT,
    "email" TEXT,
    "service_object" TEXT,
    "service_method" TEXT,
    "service_procedure" TEXT,
    UNIQUE (record_key, version)
);
CREATE UNIQUE INDEX cat_carrier_resource_current ON cat_carrier_resource (record_key) WHERE is_current;
CREATE INDEX cat_carrier_resource_by_organisation ON cat_carrier_resource (organisation_id, version_id) WHERE is_current;

-- Answers of idempotent reporting calls, replayed for a retry with the same key.
CREATE TABLE catalogue_idempotency (
    client_id    TEXT NOT NULL,
    idem_key     TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status       BIGINT NOT NULL,
    body         TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (client_id, idem_key)
);

-- Freezes and unfreezes of organisations' reporting, for the record.
CREATE TABLE organisation_freezes (
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    action          TEXT NOT NULL CHECK (action IN ('freeze', 'unfreeze')),
    reason          TEXT NOT NULL,
    actor           TEXT NOT NULL,
    at              BIGINT NOT NULL
);
CREATE INDEX organisation_freezes_by_organisation ON organisation_freezes (organisation_id, at);
