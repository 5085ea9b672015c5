//! Typed records of all 19 catalogue types. GENERATED from the server's spec table
//! (`idp/src/catalogue/spec.rs`) by `idp/src/catalogue/sdk_records.rs`; do not edit.
//! JSON names are the standard's element names; decimals are strings so that `12.50`
//! stays `12.50`.

use serde::{Deserialize, Serialize};

use crate::catalogue::Record;

/// Every record type's slug, in the standard's order.
pub const ALL_TYPES: &[&str] = &[
    "enterprise",
    "service-org",
    "carrier",
    "carrier-partner",
    "carrier-service",
    "crowdfunding-project",
    "crowdfunding-reward",
    "crowdfunding-order",
    "service-product",
    "service-order",
    "demand",
    "bridge-loan",
    "risk-compensation",
    "leasing-application",
    "leasing-device",
    "fund-membership",
    "fund-application",
    "fund-repayment",
    "carrier-resource",
];

/// 1 / 4.1 企业基本信息 (Enterprise). Key: ORG_ID.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Enterprise {
    /// 服务对象编码（text, V100, required）
    #[serde(rename = "ORG_ID")]
    pub org_id: String,
    /// 单位性质（enum, V1）
    #[serde(rename = "ORG_PROPERTY", default, skip_serializing_if = "Option::is_none")]
    pub org_property: Option<String>,
    /// 组织机构代码或者工商注册号或者身份证号或者手机号（identity_code, V18）
    #[serde(rename = "ORG_CODE", default, skip_serializing_if = "Option::is_none")]
    pub org_code: Option<String>,
    /// 服务对象名称（text, V256, required）
    #[serde(rename = "ORG_NAME")]
    pub org_name: String,
    /// 法定代表人（负责人、经营者）（text, V256）
    #[serde(rename = "LEGAL_PERSON", default, skip_serializing_if = "Option::is_none")]
    pub legal_person: Option<String>,
    /// 企业注册类型（text, V3）
    #[serde(rename = "REGISTER_TYPE", default, skip_serializing_if = "Option::is_none")]
    pub register_type: Option<String>,
    /// 行政区划代码（region, F6）
    #[serde(rename = "AREA_COUNTY", default, skip_serializing_if = "Option::is_none")]
    pub area_county: Option<String>,
    /// 联系人（text, V20）
    #[serde(rename = "LINKMAN", default, skip_serializing_if = "Option::is_none")]
    pub linkman: Option<String>,
    /// 传真（text, V50）
    #[serde(rename = "FAX", default, skip_serializing_if = "Option::is_none")]
    pub fax: Option<String>,
    /// 电话（text, V50）
    #[serde(rename = "TEL", default, skip_serializing_if = "Option::is_none")]
    pub tel: Option<String>,
    /// 电子邮箱（email, V128）
    #[serde(rename = "EMAIL", default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// 网址（url, V128）
    #[serde(rename = "WEBSITE", default, skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
    /// 通讯地址（text, V512）
    #[serde(rename = "ADDRESS", default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// 邮政编码（postcode, V6）
    #[serde(rename = "POSTCODE", default, skip_serializing_if = "Option::is_none")]
    pub postcode: Option<String>,
    /// 行业代码（text, V8）
    #[serde(rename = "INDUSTRY_CODE", default, skip_serializing_if = "Option::is_none")]
    pub industry_code: Option<String>,
    /// 主要产品或者主营业务（text, V4000）
    #[serde(rename = "MAIN_REMARK", default, skip_serializing_if = "Option::is_none")]
    pub main_remark: Option<String>,
    /// 控股情况（enum, V1）
    #[serde(rename = "SHARE_TYPE", default, skip_serializing_if = "Option::is_none")]
    pub share_type: Option<String>,
    /// 开业时间（yyyy-mm）（month, V7）
    #[serde(rename = "OPENED_TIME", default, skip_serializing_if = "Option::is_none")]
    pub opened_time: Option<String>,
    /// 企业logo图片（text, V128）
    #[serde(rename = "PHOTO", default, skip_serializing_if = "Option::is_none")]
    pub photo: Option<String>,
}

impl Record for Enterprise {
    const TYPE: &'static str = "enterprise";
    const KEY: &'static [&'static str] = &["ORG_ID"];
    fn key(&self) -> String {
        [self.org_id.to_string()].join("/")
    }
}

/// 2 / 5.1 服务机构信息 (Service organisation). Key: ORG_ID.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ServiceOrg {
    /// 机构编码（text, V100, required）
    #[serde(rename = "ORG_ID")]
    pub org_id: String,
    /// 单位性质（enum, V1）
    #[serde(rename = "ORG_PROPERTY", default, skip_serializing_if = "Option::is_none")]
    pub org_property: Option<String>,
    /// 组织机构代码或者工商注册号（identity_code, V15）
    #[serde(rename = "ORG_CODE", default, skip_serializing_if = "Option::is_none")]
    pub org_code: Option<String>,
    /// 机构名称（text, V256, required）
    #[serde(rename = "ORG_NAME")]
    pub org_name: String,
    /// 法定代表人（负责人、经营者）（text, V256）
    #[serde(rename = "LEGAL_PERSON", default, skip_serializing_if = "Option::is_none")]
    pub legal_person: Option<String>,
    /// 企业注册类型（text, V3）
    #[serde(rename = "REGISTER_TYPE", default, skip_serializing_if = "Option::is_none")]
    pub register_type: Option<String>,
    /// 行政区划代码（region, F6）
    #[serde(rename = "AREA_COUNTY", default, skip_serializing_if = "Option::is_none")]
    pub area_county: Option<String>,
    /// 联系人（text, V20）
    #[serde(rename = "LINKMAN", default, skip_serializing_if = "Option::is_none")]
    pub linkman: Option<String>,
    /// 电话（text, V50）
    #[serde(rename = "TEL", default, skip_serializing_if = "Option::is_none")]
    pub tel: Option<String>,
    /// 传真（text, V50）
    #[serde(rename = "FAX", default, skip_serializing_if = "Option::is_none")]
    pub fax: Option<String>,
    /// 电子邮箱（email, V128）
    #[serde(rename = "EMAIL", default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// 网址（url, V128）
    #[serde(rename = "WEBSITE", default, skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
    /// 通讯地址（text, V512）
    #[serde(rename = "ADDRESS", default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// 邮政编码（postcode, F6）
    #[serde(rename = "POSTCODE", default, skip_serializing_if = "Option::is_none")]
    pub postcode: Option<String>,
    /// 行业代码（text, V8）
    #[serde(rename = "INDUSTRY_CODE", default, skip_serializing_if = "Option::is_none")]
    pub industry_code: Option<String>,
    /// 主要服务内容和特色（text, V4000）
    #[serde(rename = "MAIN_REMARK", default, skip_serializing_if = "Option::is_none")]
    pub main_remark: Option<String>,
    /// 控股情况（enum, V1）
    #[serde(rename = "SHARE_TYPE", default, skip_serializing_if = "Option::is_none")]
    pub share_type: Option<String>,
    /// 开业时间（yyyy-mm）（month, F7）
    #[serde(rename = "OPENED_TIME", default, skip_serializing_if = "Option::is_none")]
    pub opened_time: Option<String>,
    /// 注册资本（decimal, 万元）
    #[serde(rename = "REGISTER_ASSET", default, skip_serializing_if = "Option::is_none")]
    pub register_asset: Option<String>,
    /// 专业资质情况（text, V4000）
    #[serde(rename = "QUALIFICATION", default, skip_serializing_if = "Option::is_none")]
    pub qualification: Option<String>,
    /// 主要服务设备及条件（text, V4000）
    #[serde(rename = "REMARK", default, skip_serializing_if = "Option::is_none")]
    pub remark: Option<String>,
    /// 人员素质构成情况（text, V4000）
    #[serde(rename = "PERSONNEL", default, skip_serializing_if = "Option::is_none")]
    pub personnel: Option<String>,
    /// 服务机构logo图片地址（text, V128）
    #[serde(rename = "PHOTO", default, skip_serializing_if = "Option::is_none")]
    pub photo: Option<String>,
    /// 认定情况（可多选）（multi_enum, V10）
    #[serde(rename = "ORG_GRADE", default, skip_serializing_if = "Option::is_none")]
    pub org_grade: Option<String>,
}

impl Record for ServiceOrg {
    const TYPE: &'static str = "service-org";
    const KEY: &'static [&'static str] = &["ORG_ID"];
    fn key(&self) -> String {
        [self.org_id.to_string()].join("/")
    }
}

/// 3.1 双创载体基本信息 (Carrier (makerspace) basic information). Key: BASE_CODE.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Carrier {
    /// 基地编码（text, V100, required）
    #[serde(rename = "BASE_CODE")]
    pub base_code: String,
    /// 基地类别（text, V50）
    #[serde(rename = "BASE_CLASS", default, skip_serializing_if = "Option::is_none")]
    pub base_class: Option<String>,
    /// 基地级别（text）
    #[serde(rename = "BASE_LEVEL", default, skip_serializing_if = "Option::is_none")]
    pub base_level: Option<String>,
    /// 基地所在地区编码（region, V6）
    #[serde(rename = "REGIST_NO", default, skip_serializing_if = "Option::is_none")]
    pub regist_no: Option<String>,
    /// 基地详细地址（text, V50）
    #[serde(rename = "REGIST_ADDRESS", default, skip_serializing_if = "Option::is_none")]
    pub regist_address: Option<String>,
    /// 基地名称（text, V40, required）
    #[serde(rename = "ENTERPRISE_NAME")]
    pub enterprise_name: String,
    /// 基地详情（text, V2000）
    #[serde(rename = "ENTERPRISE_CONTEXT", default, skip_serializing_if = "Option::is_none")]
    pub enterprise_context: Option<String>,
    /// 法人姓名（text, V20）
    #[serde(rename = "LEGAL_NAME", default, skip_serializing_if = "Option::is_none")]
    pub legal_name: Option<String>,
    /// 法人联系电话（phone, V20）
    #[serde(rename = "LEGAL_PHONE", default, skip_serializing_if = "Option::is_none")]
    pub legal_phone: Option<String>,
    /// 联系人（text, V20）
    #[serde(rename = "LINK_NAME", default, skip_serializing_if = "Option::is_none")]
    pub link_name: Option<String>,
    /// 联系电话（phone, V20）
    #[serde(rename = "LINK_PHONE", default, skip_serializing_if = "Option::is_none")]
    pub link_phone: Option<String>,
    /// 服务人员数（integer, V11, 人）
    #[serde(rename = "SERVICES_NUM", default, skip_serializing_if = "Option::is_none")]
    pub services_num: Option<u64>,
    /// 创业导师数（integer, V11, 人）
    #[serde(rename = "MENTOR_NUM", default, skip_serializing_if = "Option::is_none")]
    pub mentor_num: Option<u64>,
    /// 联系地址（text, V50）
    #[serde(rename = "LINK_ADDRESS", default, skip_serializing_if = "Option::is_none")]
    pub link_address: Option<String>,
    /// 在孵企业数（integer, V4, 家）
    #[serde(rename = "INCUBATOR_NUM", default, skip_serializing_if = "Option::is_none")]
    pub incubator_num: Option<u64>,
    /// 在孵企业从业人数（integer, V11, 人）
    #[serde(rename = "INCUBATOR_OBTAIN_NUM", default, skip_serializing_if = "Option::is_none")]
    pub incubator_obtain_num: Option<u64>,
    /// 在孵团队数（integer, V11, 个）
    #[serde(rename = "INCUBATOR_TEAM_NUM", default, skip_serializing_if = "Option::is_none")]
    pub incubator_team_num: Option<u64>,
    /// 在孵企业年营业收入总数（decimal, 万元）
    #[serde(rename = "INCUBATOR_TURNOVER", default, skip_serializing_if = "Option::is_none")]
    pub incubator_turnover: Option<String>,
    /// 孵化面积（decimal, 平方米）
    #[serde(rename = "INCUBATOR_AREA", default, skip_serializing_if = "Option::is_none")]
    pub incubator_area: Option<String>,
    /// 平台网址（url, V50）
    #[serde(rename = "PLAT_WEBSITE", default, skip_serializing_if = "Option::is_none")]
    pub plat_website: Option<String>,
    /// 服务对象（text, V2000）
    #[serde(rename = "SERVICE_OBJ", default, skip_serializing_if = "Option::is_none")]
    pub service_obj: Option<String>,
    /// 优惠政策（text, V2000）
    #[serde(rename = "PREFERENTIAL_POLICY", default, skip_serializing_if = "Option::is_none")]
    pub preferential_policy: Option<String>,
    /// 服务案例（text, V2000）
    #[serde(rename = "SERVICE_CASE", default, skip_serializing_if = "Option::is_none")]
    pub service_case: Option<String>,
    /// 孵化载体入园流程及需要提交的资料（text, V2000）
    #[serde(rename = "INCUBATOR_PROCESS", default, skip_serializing_if = "Option::is_none")]
    pub incubator_process: Option<String>,
    /// 孵化载体运营管理办法（访问地址）（url, V100）
    #[serde(rename = "REGULATION", default, skip_serializing_if = "Option::is_none")]
    pub regulation: Option<String>,
}

impl Record for Carrier {
    const TYPE: &'static str = "carrier";
    const KEY: &'static [&'static str] = &["BASE_CODE"];
    fn key(&self) -> String {
        [self.base_code.to_string()].join("/")
    }
}

/// 3.2 基地合作机构 (Carrier partner organisation). Key: BASE_CODE + ORG_CODE.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CarrierPartner {
    /// 机构编码（text, V100, required）
    #[serde(rename = "ORG_CODE")]
    pub org_code: String,
    /// 基地编码（text, V100, required）
    #[serde(rename = "BASE_CODE")]
    pub base_code: String,
    /// 机构名称（text, V50）
    #[serde(rename = "ORG_NAME", default, skip_serializing_if = "Option::is_none")]
    pub org_name: Option<String>,
    /// 服务内容（text, V2000）
    #[serde(rename = "SERVICE_CONTEXT", default, skip_serializing_if = "Option::is_none")]
    pub service_context: Option<String>,
}

impl Record for CarrierPartner {
    const TYPE: &'static str = "carrier-partner";
    const KEY: &'static [&'static str] = &["BASE_CODE", "ORG_CODE"];
    fn key(&self) -> String {
        [self.base_code.to_string(), self.org_code.to_string()].join("/")
    }
}

/// 3.3 基地服务情况 (Carrier service). Key: ID.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CarrierService {
    /// 服务编码（text, V100, required）
    #[serde(rename = "ID")]
    pub id: String,
    /// 基地编码（text, V100, required）
    #[serde(rename = "BASE_CODE")]
    pub base_code: String,
    /// 主要服务内容（text, V2000）
    #[serde(rename = "SERVICE_CONTEXT", default, skip_serializing_if = "Option::is_none")]
    pub service_context: Option<String>,
    /// 收费标准（decimal, 元）
    #[serde(rename = "FEES", default, skip_serializing_if = "Option::is_none")]
    pub fees: Option<String>,
}

impl Record for CarrierService {
    const TYPE: &'static str = "carrier-service";
    const KEY: &'static [&'static str] = &["ID"];
    fn key(&self) -> String {
        [self.id.to_string()].join("/")
    }
}

/// 4.2.1 众筹信息 (Crowdfunding project). Key: CROWD_ID.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CrowdfundingProject {
    /// 众筹信息编码（text, V100, required）
    #[serde(rename = "CROWD_ID")]
    pub crowd_id: String,
    /// 众筹方企业编码（text, V50）
    #[serde(rename = "COMP_ID", default, skip_serializing_if = "Option::is_none")]
    pub comp_id: Option<String>,
    /// 众筹负责人（text, V50）
    #[serde(rename = "COMP_LINK_NAME", default, skip_serializing_if = "Option::is_none")]
    pub comp_link_name: Option<String>,
    /// 众筹负责人电话（phone, V20）
    #[serde(rename = "COMP_LINK_MOBILE", default, skip_serializing_if = "Option::is_none")]
    pub comp_link_mobile: Option<String>,
    /// 众筹信息标签（text, V50）
    #[serde(rename = "TAGS", default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<String>,
    /// 众筹信息标题（text, V100, required）
    #[serde(rename = "CROWD_TITLE")]
    pub crowd_title: String,
    /// 众筹信息简介（text, V2000）
    #[serde(rename = "CROWD_INTRO", default, skip_serializing_if = "Option::is_none")]
    pub crowd_intro: Option<String>,
    /// 众筹目标金额（decimal, 万元, required）
    #[serde(rename = "CROWD_AMOUNT")]
    pub crowd_amount: String,
    /// 众筹天数（integer, V3, 天, required）
    #[serde(rename = "CROWD_DURATION")]
    pub crowd_duration: u64,
}

impl Record for CrowdfundingProject {
    const TYPE: &'static str = "crowdfunding-project";
    const KEY: &'static [&'static str] = &["CROWD_ID"];
    fn key(&self) -> String {
        [self.crowd_id.to_string()].join("/")
    }
}

/// 4.2.2 回报信息 (Crowdfunding reward). Key: REWARD_ID.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CrowdfundingReward {
    /// 回报信息编码（text, V100, required）
    #[serde(rename = "REWARD_ID")]
    pub reward_id: String,
    /// 众筹信息编码（text, V100, required）
    #[serde(rename = "CROWD_ID")]
    pub crowd_id: String,
    /// 是否为抽奖（enum, V1）
    #[serde(rename = "ISLOTTO", default, skip_serializing_if = "Option::is_none")]
    pub islotto: Option<String>,
    /// 抽奖范围（每限定人数中抽一位）（integer, V10, 人）
    #[serde(rename = "LOTTORULE", default, skip_serializing_if = "Option::is_none")]
    pub lottorule: Option<u64>,
    /// 支持金额（decimal, 元, required）
    #[serde(rename = "REWARD_AMOUNT")]
    pub reward_amount: String,
    /// 回报方式简介（text, V2000）
    #[serde(rename = "REWARD_BRIEF", default, skip_serializing_if = "Option::is_none")]
    pub reward_brief: Option<String>,
    /// 回报内容（text, V2000）
    #[serde(rename = "REWARD_CONTENT", default, skip_serializing_if = "Option::is_none")]
    pub reward_content: Option<String>,
    /// 订购限额（integer, V5）
    #[serde(rename = "REWARD_LIMIT", default, skip_serializing_if = "Option::is_none")]
    pub reward_limit: Option<u64>,
    /// 运费（decimal, 元）
    #[serde(rename = "EXPRESS_FEE", default, skip_serializing_if = "Option::is_none")]
    pub express_fee: Option<String>,
    /// 回报天数（众筹结束后距离开始寄送的天数）（integer, V3, 天）
    #[serde(rename = "REBACK_DATE", default, skip_serializing_if = "Option::is_none")]
    pub reback_date: Option<u64>,
}

impl Record for CrowdfundingReward {
    const TYPE: &'static str = "crowdfunding-reward";
    const KEY: &'static [&'static str] = &["REWARD_ID"];
    fn key(&self) -> String {
        [self.reward_id.to_string()].join("/")
    }
}

/// 4.3 众筹订单 (Crowdfunding order). Key: ORDER_ID.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CrowdfundingOrder {
    /// 订单编码（text, V100, required）
    #[serde(rename = "ORDER_ID")]
    pub order_id: String,
    /// 众筹信息编码（text, V100, required）
    #[serde(rename = "CROWD_ID")]
    pub crowd_id: String,
    /// 回报信息编码（text, V100, required）
    #[serde(rename = "REWARD_ID")]
    pub reward_id: String,
    /// 买家名称（text, V50）
    #[serde(rename = "BUYER_NAME", default, skip_serializing_if = "Option::is_none")]
    pub buyer_name: Option<String>,
    /// 买家联系人（text, V50）
    #[serde(rename = "BUYER_LINK_NAME", default, skip_serializing_if = "Option::is_none")]
    pub buyer_link_name: Option<String>,
    /// 买家联系人电话（phone, V20）
    #[serde(rename = "BUYER_LINK_MOBILE", default, skip_serializing_if = "Option::is_none")]
    pub buyer_link_mobile: Option<String>,
    /// 购买份数（integer, V4, 份, required）
    #[serde(rename = "REWARD_COPIES")]
    pub reward_copies: u64,
    /// 订单总额（decimal, 元, required）
    #[serde(rename = "ORDER_AMOUNT")]
    pub order_amount: String,
    /// 发件日期（date, F10）
    #[serde(rename = "DELIVERY_DATE", default, skip_serializing_if = "Option::is_none")]
    pub delivery_date: Option<String>,
    /// 快递类型（text, V50）
    #[serde(rename = "DELIVERY_TYPE", default, skip_serializing_if = "Option::is_none")]
    pub delivery_type: Option<String>,
    /// 快递单号（text, V50）
    #[serde(rename = "DELIVERY_NO", default, skip_serializing_if = "Option::is_none")]
    pub delivery_no: Option<String>,
    /// 收件人（text, V50）
    #[serde(rename = "DELIVERY_USER_NAME", default, skip_serializing_if = "Option::is_none")]
    pub delivery_user_name: Option<String>,
    /// 收件人电话（phone, V20）
    #[serde(rename = "DELIVERY_USER_PHONE", default, skip_serializing_if = "Option::is_none")]
    pub delivery_user_phone: Option<String>,
    /// 满意度评价（enum, V1）
    #[serde(rename = "EVALUATION", default, skip_serializing_if = "Option::is_none")]
    pub evaluation: Option<String>,
    /// 评价内容（text, V4000）
    #[serde(rename = "REMARK", default, skip_serializing_if = "Option::is_none")]
    pub remark: Option<String>,
}

impl Record for CrowdfundingOrder {
    const TYPE: &'static str = "crowdfunding-order";
    const KEY: &'static [&'static str] = &["ORDER_ID"];
    fn key(&self) -> String {
        [self.order_id.to_string()].join("/")
    }
}

/// 5.2 服务产品 (Service product). Key: SERVICE_ITEM_ID.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ServiceProduct {
    /// 服务项目编码（text, V100, required）
    #[serde(rename = "SERVICE_ITEM_ID")]
    pub service_item_id: String,
    /// 平台编码或者机构编码（text, V100）
    #[serde(rename = "OWNER_ID", default, skip_serializing_if = "Option::is_none")]
    pub owner_id: Option<String>,
    /// 服务名称（text, V512, required）
    #[serde(rename = "SERVICE_NAME")]
    pub service_name: String,
    /// 注册时间（datetime）
    #[serde(rename = "REGISTER_DATE", default, skip_serializing_if = "Option::is_none")]
    pub register_date: Option<String>,
    /// 服务分类（text, V4）
    #[serde(rename = "SERVICE_CLASS", default, skip_serializing_if = "Option::is_none")]
    pub service_class: Option<String>,
    /// 服务联系人（text, V32）
    #[serde(rename = "LINKMAN", default, skip_serializing_if = "Option::is_none")]
    pub linkman: Option<String>,
    /// 联系电话（text, V50）
    #[serde(rename = "TEL", default, skip_serializing_if = "Option::is_none")]
    pub tel: Option<String>,
    /// 电子邮箱（email, V128）
    #[serde(rename = "EMAIL", default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// 服务对象（可多选，“;”分隔）（multi_enum, V50）
    #[serde(rename = "SERVICE_OBJECT", default, skip_serializing_if = "Option::is_none")]
    pub service_object: Option<String>,
    /// 服务方式（可多选，“;”分隔）（multi_enum, V256）
    #[serde(rename = "SERVICE_METHOD", default, skip_serializing_if = "Option::is_none")]
    pub service_method: Option<String>,
    /// 服务和服务流程描述（text, V4000）
    #[serde(rename = "SERVICE_PROCEDURE", default, skip_serializing_if = "Option::is_none")]
    pub service_procedure: Option<String>,
    /// 收费模式（text, V2000）
    #[serde(rename = "CHARGE_METHOD", default, skip_serializing_if = "Option::is_none")]
    pub charge_method: Option<String>,
}

impl Record for ServiceProduct {
    const TYPE: &'static str = "service-product";
    const KEY: &'static [&'static str] = &["SERVICE_ITEM_ID"];
    fn key(&self) -> String {
        [self.service_item_id.to_string()].join("/")
    }
}

/// 5.3 服务订单 (Service order). Key: SERVICE_ORG_ID + SERVICE_ITEM_ID + SERVED_ORG_ID + SERVICE_ORDER_NO.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ServiceOrder {
    /// 服务过程顺序号（默认1）（text, V100）
    #[serde(rename = "SERVICE_ORDER_NO", default, skip_serializing_if = "Option::is_none")]
    pub service_order_no: Option<String>,
    /// 服务类型（enum, V1）
    #[serde(rename = "SERVICE_TYPE", default, skip_serializing_if = "Option::is_none")]
    pub service_type: Option<String>,
    /// 服务分类（text, V4）
    #[serde(rename = "SERVICE_CLASS", default, skip_serializing_if = "Option::is_none")]
    pub service_class: Option<String>,
    /// 平台或者服务机构编码（text, V100, required）
    #[serde(rename = "SERVICE_ORG_ID")]
    pub service_org_id: String,
    /// 平台或者服务机构名称（text, V256）
    #[serde(rename = "SERVICE_ORG_NAME", default, skip_serializing_if = "Option::is_none")]
    pub service_org_name: Option<String>,
    /// 服务项目编码（text, V100, required）
    #[serde(rename = "SERVICE_ITEM_ID")]
    pub service_item_id: String,
    /// 服务名称（text, V512）
    #[serde(rename = "SERVICE_NAME", default, skip_serializing_if = "Option::is_none")]
    pub service_name: Option<String>,
    /// 服务描述（text, V4000）
    #[serde(rename = "SERVICE_DESC", default, skip_serializing_if = "Option::is_none")]
    pub service_desc: Option<String>,
    /// 服务对象编码（text, V100, required）
    #[serde(rename = "SERVED_ORG_ID")]
    pub served_org_id: String,
    /// 服务对象企业名称（text, V256）
    #[serde(rename = "SERVED_ORG_NAME", default, skip_serializing_if = "Option::is_none")]
    pub served_org_name: Option<String>,
    /// 服务对象联系人（text, V100）
    #[serde(rename = "SERVED_ORG_LINKMAN", default, skip_serializing_if = "Option::is_none")]
    pub served_org_linkman: Option<String>,
    /// 服务对象联系电话（text, V50）
    #[serde(rename = "SERVED_ORG_TEL", default, skip_serializing_if = "Option::is_none")]
    pub served_org_tel: Option<String>,
    /// 主要服务方式（text, V256）
    #[serde(rename = "SERVER_METHOD", default, skip_serializing_if = "Option::is_none")]
    pub server_method: Option<String>,
    /// 服务申请时间（datetime）
    #[serde(rename = "SERVER_DATE_APPLY", default, skip_serializing_if = "Option::is_none")]
    pub server_date_apply: Option<String>,
    /// 服务受理时间（datetime）
    #[serde(rename = "SERVER_DATE_ACCEPT", default, skip_serializing_if = "Option::is_none")]
    pub server_date_accept: Option<String>,
    /// 服务结束时间（datetime）
    #[serde(rename = "SERVER_DATE_END", default, skip_serializing_if = "Option::is_none")]
    pub server_date_end: Option<String>,
    /// 服务成果（text, V4000）
    #[serde(rename = "SERVER_RESULT", default, skip_serializing_if = "Option::is_none")]
    pub server_result: Option<String>,
    /// 服务收入（decimal, 元）
    #[serde(rename = "SERVER_INCOME", default, skip_serializing_if = "Option::is_none")]
    pub server_income: Option<String>,
    /// 财政拨款（政府补贴）（decimal, 元）
    #[serde(rename = "ALLOWANCE", default, skip_serializing_if = "Option::is_none")]
    pub allowance: Option<String>,
    /// 服务评价（enum, V1）
    #[serde(rename = "SERVED_ORG_EVALUATION", default, skip_serializing_if = "Option::is_none")]
    pub served_org_evaluation: Option<String>,
    /// 服务意见（text, V4000）
    #[serde(rename = "SERVED_ORG_REMARK", default, skip_serializing_if = "Option::is_none")]
    pub served_org_remark: Option<String>,
}

impl Record for ServiceOrder {
    const TYPE: &'static str = "service-order";
    const KEY: &'static [&'static str] = &["SERVICE_ORG_ID", "SERVICE_ITEM_ID", "SERVED_ORG_ID", "SERVICE_ORDER_NO"];
    fn key(&self) -> String {
        [self.service_org_id.to_string(), self.service_item_id.to_string(), self.served_org_id.to_string(), self.service_order_no.clone().unwrap_or_else(|| "1".to_owned())].join("/")
    }
}

/// 5.4 需求信息 (Demand). Key: DEMAND_NO.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Demand {
    /// 需求编码（text, V100, required）
    #[serde(rename = "DEMAND_NO")]
    pub demand_no: String,
    /// 企业统一信用编码（credit_code, V50）
    #[serde(rename = "COMP_CODE", default, skip_serializing_if = "Option::is_none")]
    pub comp_code: Option<String>,
    /// 企业名称（text, V50）
    #[serde(rename = "COMP_NAME", default, skip_serializing_if = "Option::is_none")]
    pub comp_name: Option<String>,
    /// 注册类型（text, V20）
    #[serde(rename = "COMP_REGIST_TYPE", default, skip_serializing_if = "Option::is_none")]
    pub comp_regist_type: Option<String>,
    /// 通讯地址（text, V100）
    #[serde(rename = "COMP_ADDRESS", default, skip_serializing_if = "Option::is_none")]
    pub comp_address: Option<String>,
    /// 负责人姓名（text, V50）
    #[serde(rename = "CHARGER_NAME", default, skip_serializing_if = "Option::is_none")]
    pub charger_name: Option<String>,
    /// 负责人手机号（phone, V20）
    #[serde(rename = "CHARGER_MOBILE", default, skip_serializing_if = "Option::is_none")]
    pub charger_mobile: Option<String>,
    /// 需求名称（text, V100, required）
    #[serde(rename = "DEMAND_TITLE")]
    pub demand_title: String,
    /// 需求描述（text, V2000）
    #[serde(rename = "DEMAND_DESCRIBE", default, skip_serializing_if = "Option::is_none")]
    pub demand_describe: Option<String>,
    /// 预算费用（decimal, 万元）
    #[serde(rename = "DEMAND_FEE", default, skip_serializing_if = "Option::is_none")]
    pub demand_fee: Option<String>,
    /// 总周期（integer, V3, 天）
    #[serde(rename = "DEMAND_CYCLE", default, skip_serializing_if = "Option::is_none")]
    pub demand_cycle: Option<u64>,
    /// 需求有效期（date, F10）
    #[serde(rename = "EXPIRY_DATE", default, skip_serializing_if = "Option::is_none")]
    pub expiry_date: Option<String>,
    /// 定标时间（date, F10）
    #[serde(rename = "SELECTED_DATE", default, skip_serializing_if = "Option::is_none")]
    pub selected_date: Option<String>,
    /// 中标的服务机构编码（text）
    #[serde(rename = "SERVER_ORG_ID", default, skip_serializing_if = "Option::is_none")]
    pub server_org_id: Option<String>,
    /// 服务联系人（text）
    #[serde(rename = "SERVER_LINK_NAME", default, skip_serializing_if = "Option::is_none")]
    pub server_link_name: Option<String>,
    /// 服务联系人电话（phone, V20）
    #[serde(rename = "SERVER_LINK_MOBILE", default, skip_serializing_if = "Option::is_none")]
    pub server_link_mobile: Option<String>,
    /// 服务过程编号（text）
    #[serde(rename = "SERVICE_ORDER_NO", default, skip_serializing_if = "Option::is_none")]
    pub service_order_no: Option<String>,
}

impl Record for Demand {
    const TYPE: &'static str = "demand";
    const KEY: &'static [&'static str] = &["DEMAND_NO"];
    fn key(&self) -> String {
        [self.demand_no.to_string()].join("/")
    }
}

/// 6.1 转贷信息 (Bridge loan). Key: Apply_no.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BridgeLoan {
    /// 申请编码（text, V100, required）
    #[serde(rename = "Apply_no")]
    pub apply_no: String,
    /// 企业名称（text, V100, required）
    #[serde(rename = "Comp_name")]
    pub comp_name: String,
    /// 注册地址（text, V70）
    #[serde(rename = "Regiest_address", default, skip_serializing_if = "Option::is_none")]
    pub regiest_address: Option<String>,
    /// 经营地址（text, V70）
    #[serde(rename = "Comp_address", default, skip_serializing_if = "Option::is_none")]
    pub comp_address: Option<String>,
    /// 注册资本（decimal, 万元）
    #[serde(rename = "Capital", default, skip_serializing_if = "Option::is_none")]
    pub capital: Option<String>,
    /// 社会信用代码（credit_code, V20）
    #[serde(rename = "Credit_code", default, skip_serializing_if = "Option::is_none")]
    pub credit_code: Option<String>,
    /// 经营范围（text）
    #[serde(rename = "Comp_major", default, skip_serializing_if = "Option::is_none")]
    pub comp_major: Option<String>,
    /// 法定代表人（text, V40）
    #[serde(rename = "Comp_legal_name", default, skip_serializing_if = "Option::is_none")]
    pub comp_legal_name: Option<String>,
    /// 法定代表人联系电话（text, V20）
    #[serde(rename = "Legal_phone", default, skip_serializing_if = "Option::is_none")]
    pub legal_phone: Option<String>,
    /// 联系人（text, V40）
    #[serde(rename = "Link_name", default, skip_serializing_if = "Option::is_none")]
    pub link_name: Option<String>,
    /// 联系人手机号码（text, V20）
    #[serde(rename = "Link_phone", default, skip_serializing_if = "Option::is_none")]
    pub link_phone: Option<String>,
    /// 上年底资产总额（decimal, 万元）
    #[serde(rename = "Last_year_acount", default, skip_serializing_if = "Option::is_none")]
    pub last_year_acount: Option<String>,
    /// 资产负债率（decimal, %）
    #[serde(rename = "Debt_ratio", default, skip_serializing_if = "Option::is_none")]
    pub debt_ratio: Option<String>,
    /// 上年度应税销售收入（decimal, 万元）
    #[serde(rename = "Last_year_income", default, skip_serializing_if = "Option::is_none")]
    pub last_year_income: Option<String>,
    /// 上年度利润总额（decimal, 万元）
    #[serde(rename = "Last_year_profit", default, skip_serializing_if = "Option::is_none")]
    pub last_year_profit: Option<String>,
    /// 贷款银行所在地区（text, V40）
    #[serde(rename = "Bank_region", default, skip_serializing_if = "Option::is_none")]
    pub bank_region: Option<String>,
    /// 贷款银行支行编号（text, V40）
    #[serde(rename = "Bank_codef", default, skip_serializing_if = "Option::is_none")]
    pub bank_codef: Option<String>,
    /// 经办网点（text, V40）
    #[serde(rename = "Bank_codes", default, skip_serializing_if = "Option::is_none")]
    pub bank_codes: Option<String>,
    /// 贷款银行名称（text, V100）
    #[serde(rename = "Loan_bank", default, skip_serializing_if = "Option::is_none")]
    pub loan_bank: Option<String>,
    /// 到期贷款金额（decimal, 万元）
    #[serde(rename = "Expire_loan_acount", default, skip_serializing_if = "Option::is_none")]
    pub expire_loan_acount: Option<String>,
    /// 贷款到期日（date, F10）
    #[serde(rename = "Expire_date", default, skip_serializing_if = "Option::is_none")]
    pub expire_date: Option<String>,
    /// 到期贷款结算账户账号（text, V20）
    #[serde(rename = "Expire_number", default, skip_serializing_if = "Option::is_none")]
    pub expire_number: Option<String>,
    /// 贷款合同编号（text, V50）
    #[serde(rename = "Loan_contract_number", default, skip_serializing_if = "Option::is_none")]
    pub loan_contract_number: Option<String>,
    /// 续贷金额（decimal, 万元）
    #[serde(rename = "Loan_amount", default, skip_serializing_if = "Option::is_none")]
    pub loan_amount: Option<String>,
    /// 转贷资金申请额度（decimal, 万元）
    #[serde(rename = "Loan_apply", default, skip_serializing_if = "Option::is_none")]
    pub loan_apply: Option<String>,
    /// 自筹还贷金额（decimal, 万元）
    #[serde(rename = "Self_repay_amount", default, skip_serializing_if = "Option::is_none")]
    pub self_repay_amount: Option<String>,
    /// 申请日期（date, F10）
    #[serde(rename = "Apply_date", default, skip_serializing_if = "Option::is_none")]
    pub apply_date: Option<String>,
    /// 贷款银行负责人（text, V10）
    #[serde(rename = "Bank_charge_man", default, skip_serializing_if = "Option::is_none")]
    pub bank_charge_man: Option<String>,
    /// 贷款银行经办人（text, V10）
    #[serde(rename = "Bank_manage_man", default, skip_serializing_if = "Option::is_none")]
    pub bank_manage_man: Option<String>,
    /// 贷款银行审核日期（date, F10）
    #[serde(rename = "Bank_audit_date", default, skip_serializing_if = "Option::is_none")]
    pub bank_audit_date: Option<String>,
}

impl Record for BridgeLoan {
    const TYPE: &'static str = "bridge-loan";
    const KEY: &'static [&'static str] = &["Apply_no"];
    fn key(&self) -> String {
        [self.apply_no.to_string()].join("/")
    }
}

/// 6.2 风险补偿信息 (Risk compensation). Key: Apply_no.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RiskCompensation {
    /// 申请编码（text, V100, required）
    #[serde(rename = "Apply_no")]
    pub apply_no: String,
    /// 贷款银行名称（text, V40）
    #[serde(rename = "Band_name", default, skip_serializing_if = "Option::is_none")]
    pub band_name: Option<String>,
    /// 贷款企业名称（text, V50, required）
    #[serde(rename = "Loan_comp")]
    pub loan_comp: String,
    /// 企业类型（text, V40）
    #[serde(rename = "Loan_comp_type", default, skip_serializing_if = "Option::is_none")]
    pub loan_comp_type: Option<String>,
    /// 注册资本（decimal, 万元）
    #[serde(rename = "Capital", default, skip_serializing_if = "Option::is_none")]
    pub capital: Option<String>,
    /// 注册地址地区编码（region, F6）
    #[serde(rename = "Regist_region_code", default, skip_serializing_if = "Option::is_none")]
    pub regist_region_code: Option<String>,
    /// 注册地区地址+注册地址（实际经营地址）（text, V256）
    #[serde(rename = "Address", default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// 成立时间（text, V20）
    #[serde(rename = "Create_date", default, skip_serializing_if = "Option::is_none")]
    pub create_date: Option<String>,
    /// 法定代表人（text, V20）
    #[serde(rename = "Legal_name", default, skip_serializing_if = "Option::is_none")]
    pub legal_name: Option<String>,
    /// 法定代表人手机（text, V20）
    #[serde(rename = "Legal_phone", default, skip_serializing_if = "Option::is_none")]
    pub legal_phone: Option<String>,
    /// 主营业务/经营范围（text, V2000）
    #[serde(rename = "Content", default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// 贷款金额（decimal, 万元）
    #[serde(rename = "Loan_amount", default, skip_serializing_if = "Option::is_none")]
    pub loan_amount: Option<String>,
    /// 申请贷款期限（text, V10, 月）
    #[serde(rename = "Loan_deadline", default, skip_serializing_if = "Option::is_none")]
    pub loan_deadline: Option<String>,
    /// 贷款方式（multi_enum, V10）
    #[serde(rename = "Loan_type", default, skip_serializing_if = "Option::is_none")]
    pub loan_type: Option<String>,
    /// 房产抵押（金额）（decimal, 万元）
    #[serde(rename = "House_amount", default, skip_serializing_if = "Option::is_none")]
    pub house_amount: Option<String>,
    /// 股权质押（金额）（decimal, 万元）
    #[serde(rename = "Equity_amount", default, skip_serializing_if = "Option::is_none")]
    pub equity_amount: Option<String>,
    /// 保证保险贷款（金额）（decimal, 万元）
    #[serde(rename = "Insurance_amount", default, skip_serializing_if = "Option::is_none")]
    pub insurance_amount: Option<String>,
    /// 保证保险贷款（说明）（text, V2000）
    #[serde(rename = "Insurance_content", default, skip_serializing_if = "Option::is_none")]
    pub insurance_content: Option<String>,
    /// 其他（金额）（decimal, 万元）
    #[serde(rename = "Other_amount", default, skip_serializing_if = "Option::is_none")]
    pub other_amount: Option<String>,
    /// 其他（说明）（text, V2000）
    #[serde(rename = "Other_content", default, skip_serializing_if = "Option::is_none")]
    pub other_content: Option<String>,
    /// 发放日期（datetime）
    #[serde(rename = "Loan_start_date", default, skip_serializing_if = "Option::is_none")]
    pub loan_start_date: Option<String>,
    /// 贷款到期日（datetime）
    #[serde(rename = "Loan_end_date", default, skip_serializing_if = "Option::is_none")]
    pub loan_end_date: Option<String>,
    /// 是否可续贷（enum, V255）
    #[serde(rename = "Proceed_loan", default, skip_serializing_if = "Option::is_none")]
    pub proceed_loan: Option<String>,
    /// 还款状态（enum, V255）
    #[serde(rename = "Loan_status", default, skip_serializing_if = "Option::is_none")]
    pub loan_status: Option<String>,
    /// （上一年度或最近一年）营业收入（decimal, 万元）
    #[serde(rename = "Turnover", default, skip_serializing_if = "Option::is_none")]
    pub turnover: Option<String>,
    /// 从业人员（text, V255, 人）
    #[serde(rename = "Practitioner_num", default, skip_serializing_if = "Option::is_none")]
    pub practitioner_num: Option<String>,
    /// 是否为科技型企业（enum, V1）
    #[serde(rename = "Is_technology", default, skip_serializing_if = "Option::is_none")]
    pub is_technology: Option<String>,
    /// 是否为专精特新企业（enum, V1）
    #[serde(rename = "Is_specialization", default, skip_serializing_if = "Option::is_none")]
    pub is_specialization: Option<String>,
    /// 是否为新兴产业企业（enum, V1）
    #[serde(rename = "Is_emerging", default, skip_serializing_if = "Option::is_none")]
    pub is_emerging: Option<String>,
    /// 是否为孵化基地企业（enum, V1）
    #[serde(rename = "Is_incubatorbase", default, skip_serializing_if = "Option::is_none")]
    pub is_incubatorbase: Option<String>,
    /// 房产抵押（占比）（decimal, %）
    #[serde(rename = "House_pro", default, skip_serializing_if = "Option::is_none")]
    pub house_pro: Option<String>,
    /// 房产抵押（说明）（text, V2000）
    #[serde(rename = "House_content", default, skip_serializing_if = "Option::is_none")]
    pub house_content: Option<String>,
    /// 股权质押（占比）（decimal, %）
    #[serde(rename = "Equity_pro", default, skip_serializing_if = "Option::is_none")]
    pub equity_pro: Option<String>,
    /// 股权质押（说明）（text, V2000）
    #[serde(rename = "Equity_content", default, skip_serializing_if = "Option::is_none")]
    pub equity_content: Option<String>,
    /// 保证保险贷款（占比）（decimal, %）
    #[serde(rename = "Insurance_pro", default, skip_serializing_if = "Option::is_none")]
    pub insurance_pro: Option<String>,
    /// 其他（占比）（decimal, %）
    #[serde(rename = "Other_pro", default, skip_serializing_if = "Option::is_none")]
    pub other_pro: Option<String>,
}

impl Record for RiskCompensation {
    const TYPE: &'static str = "risk-compensation";
    const KEY: &'static [&'static str] = &["Apply_no"];
    fn key(&self) -> String {
        [self.apply_no.to_string()].join("/")
    }
}

/// 6.3.1 融资租赁申请 (Finance lease application). Key: Apply_no.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LeasingApplication {
    /// 申请编码（text, V100, required）
    #[serde(rename = "Apply_no")]
    pub apply_no: String,
    /// 企业名称（text, V50, required）
    #[serde(rename = "Comp_name")]
    pub comp_name: String,
    /// 社会统一信用代码（credit_code, V20）
    #[serde(rename = "Credit_code", default, skip_serializing_if = "Option::is_none")]
    pub credit_code: Option<String>,
    /// 注册资本（decimal, 万元）
    #[serde(rename = "Capital", default, skip_serializing_if = "Option::is_none")]
    pub capital: Option<String>,
    /// 所属行业（text, V100）
    #[serde(rename = "Comp_trade", default, skip_serializing_if = "Option::is_none")]
    pub comp_trade: Option<String>,
    /// 成立时间（date, F10）
    #[serde(rename = "Create_date", default, skip_serializing_if = "Option::is_none")]
    pub create_date: Option<String>,
    /// 企业负责人（text, V40）
    #[serde(rename = "Charger_name", default, skip_serializing_if = "Option::is_none")]
    pub charger_name: Option<String>,
    /// 负责人联系电话（text, V20）
    #[serde(rename = "Charger_phone", default, skip_serializing_if = "Option::is_none")]
    pub charger_phone: Option<String>,
    /// 联系人（text, V20）
    #[serde(rename = "Link_name", default, skip_serializing_if = "Option::is_none")]
    pub link_name: Option<String>,
    /// 联系电话（text, V20）
    #[serde(rename = "Link_phone", default, skip_serializing_if = "Option::is_none")]
    pub link_phone: Option<String>,
    /// 区域名称（text, V20）
    #[serde(rename = "Region", default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// 区域编码（region, F6）
    #[serde(rename = "Region_code", default, skip_serializing_if = "Option::is_none")]
    pub region_code: Option<String>,
    /// 注册地址（text, V70）
    #[serde(rename = "Comp_address", default, skip_serializing_if = "Option::is_none")]
    pub comp_address: Option<String>,
    /// 经营范围（text）
    #[serde(rename = "Comp_major", default, skip_serializing_if = "Option::is_none")]
    pub comp_major: Option<String>,
    /// 主营业务（text）
    #[serde(rename = "Main_business", default, skip_serializing_if = "Option::is_none")]
    pub main_business: Option<String>,
    /// 上年度营业收入（decimal, 万元）
    #[serde(rename = "Lastyear_turnover", default, skip_serializing_if = "Option::is_none")]
    pub lastyear_turnover: Option<String>,
    /// 职工人数（text, V10, 人）
    #[serde(rename = "Practitioner_num", default, skip_serializing_if = "Option::is_none")]
    pub practitioner_num: Option<String>,
    /// 申请总金额（text, V20）
    #[serde(rename = "Subsidy_total", default, skip_serializing_if = "Option::is_none")]
    pub subsidy_total: Option<String>,
}

impl Record for LeasingApplication {
    const TYPE: &'static str = "leasing-application";
    const KEY: &'static [&'static str] = &["Apply_no"];
    fn key(&self) -> String {
        [self.apply_no.to_string()].join("/")
    }
}

/// 6.3.2 租赁设备 (Leased device). Key: Apply_no + Device_name.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LeasingDevice {
    /// 租赁申请的编码（text, V100, required）
    #[serde(rename = "Apply_no")]
    pub apply_no: String,
    /// 设备名称及数量（text, V1000, required）
    #[serde(rename = "Device_name")]
    pub device_name: String,
    /// 价格（text, V1000）
    #[serde(rename = "Price", default, skip_serializing_if = "Option::is_none")]
    pub price: Option<String>,
    /// 融资租赁费率（text, V1000）
    #[serde(rename = "Finance_rate", default, skip_serializing_if = "Option::is_none")]
    pub finance_rate: Option<String>,
    /// 申请补贴金额（text, V1000）
    #[serde(rename = "Subsidy", default, skip_serializing_if = "Option::is_none")]
    pub subsidy: Option<String>,
}

impl Record for LeasingDevice {
    const TYPE: &'static str = "leasing-device";
    const KEY: &'static [&'static str] = &["Apply_no", "Device_name"];
    fn key(&self) -> String {
        [self.apply_no.to_string(), self.device_name.to_string()].join("/")
    }
}

/// 6.4.1 互助基金入社 (Mutual fund membership). Key: JOIN_NO.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FundMembership {
    /// 入社编号（text, V100, required）
    #[serde(rename = "JOIN_NO")]
    pub join_no: String,
    /// 入社年份（integer, V4）
    #[serde(rename = "JOIN_YEAR", default, skip_serializing_if = "Option::is_none")]
    pub join_year: Option<u64>,
    /// 入社金额（decimal, 万元）
    #[serde(rename = "JOIN_AMOUNT", default, skip_serializing_if = "Option::is_none")]
    pub join_amount: Option<String>,
    /// 入社单位名称（text, V100, required）
    #[serde(rename = "COMPANY_NAME")]
    pub company_name: String,
    /// 入社单位社会信用代码（credit_code, V100）
    #[serde(rename = "COMPANY_CODE", default, skip_serializing_if = "Option::is_none")]
    pub company_code: Option<String>,
    /// 入社单位地址（text, V100）
    #[serde(rename = "COMPANY_ADDRESS", default, skip_serializing_if = "Option::is_none")]
    pub company_address: Option<String>,
    /// 入社单位联系人（text, V100）
    #[serde(rename = "COMPANY_LINK_NAME", default, skip_serializing_if = "Option::is_none")]
    pub company_link_name: Option<String>,
    /// 入社单位联系电话（text, V100）
    #[serde(rename = "COMPANY_LINK_MOBILE", default, skip_serializing_if = "Option::is_none")]
    pub company_link_mobile: Option<String>,
}

impl Record for FundMembership {
    const TYPE: &'static str = "fund-membership";
    const KEY: &'static [&'static str] = &["JOIN_NO"];
    fn key(&self) -> String {
        [self.join_no.to_string()].join("/")
    }
}

/// 6.4.2 基金申请 (Mutual fund application). Key: APPLY_NO.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FundApplication {
    /// 申请编号（text, V100, required）
    #[serde(rename = "APPLY_NO")]
    pub apply_no: String,
    /// 入社编号（text, V100, required）
    #[serde(rename = "JOIN_NO")]
    pub join_no: String,
    /// 当前入社编号下的第几次基金申请（integer, V4）
    #[serde(rename = "APPLY_TIME", default, skip_serializing_if = "Option::is_none")]
    pub apply_time: Option<u64>,
    /// 申请金额（decimal, 万元, required）
    #[serde(rename = "APPLY_AMOUNT")]
    pub apply_amount: String,
    /// 委贷银行（text, V100）
    #[serde(rename = "LOAN_BANK", default, skip_serializing_if = "Option::is_none")]
    pub loan_bank: Option<String>,
    /// 放大倍数（integer, V4）
    #[serde(rename = "ENLARGE_MULTIPLES", default, skip_serializing_if = "Option::is_none")]
    pub enlarge_multiples: Option<u64>,
    /// 上浮倍数（decimal, %）
    #[serde(rename = "FLOATING_MULTIPLES", default, skip_serializing_if = "Option::is_none")]
    pub floating_multiples: Option<String>,
    /// 月利率（decimal, ‰）
    #[serde(rename = "MONTHLY_RATE", default, skip_serializing_if = "Option::is_none")]
    pub monthly_rate: Option<String>,
    /// 借款日期（date, F10）
    #[serde(rename = "LOAN_DATE", default, skip_serializing_if = "Option::is_none")]
    pub loan_date: Option<String>,
    /// 借款用途（text, V100）
    #[serde(rename = "LOAN_FOR", default, skip_serializing_if = "Option::is_none")]
    pub loan_for: Option<String>,
    /// 最晚还款日期（date, F10）
    #[serde(rename = "LAST_REPAY_DATE", default, skip_serializing_if = "Option::is_none")]
    pub last_repay_date: Option<String>,
    /// 实际还款日期（date, F10）
    #[serde(rename = "REAL_REPAY_DATE", default, skip_serializing_if = "Option::is_none")]
    pub real_repay_date: Option<String>,
    /// 手续费（decimal, 元）
    #[serde(rename = "HANDLING_FEE", default, skip_serializing_if = "Option::is_none")]
    pub handling_fee: Option<String>,
    /// 利息（decimal, 元）
    #[serde(rename = "INTEREST", default, skip_serializing_if = "Option::is_none")]
    pub interest: Option<String>,
}

impl Record for FundApplication {
    const TYPE: &'static str = "fund-application";
    const KEY: &'static [&'static str] = &["APPLY_NO"];
    fn key(&self) -> String {
        [self.apply_no.to_string()].join("/")
    }
}

/// 6.4.3 还款记录 (Mutual fund repayment). Key: REPAY_NO.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FundRepayment {
    /// 还款编号（text, V100, required）
    #[serde(rename = "REPAY_NO")]
    pub repay_no: String,
    /// 基金申请编号（text, V100, required）
    #[serde(rename = "APPLY_NO")]
    pub apply_no: String,
    /// 还款金额（decimal, 元, required）
    #[serde(rename = "REPAY_AMOUNT")]
    pub repay_amount: String,
    /// 还款日期（date, F10, required）
    #[serde(rename = "REPAY_DATE")]
    pub repay_date: String,
}

impl Record for FundRepayment {
    const TYPE: &'static str = "fund-repayment";
    const KEY: &'static [&'static str] = &["REPAY_NO"];
    fn key(&self) -> String {
        [self.repay_no.to_string()].join("/")
    }
}

/// 三 共享资源服务项目 (Shared carrier resource). Key: SERVICE_ITEM_ID.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CarrierResource {
    /// 服务项目编码（text, V100, required）
    #[serde(rename = "SERVICE_ITEM_ID")]
    pub service_item_id: String,
    /// 平台编码或者机构编码（text, V100）
    #[serde(rename = "OWNER_ID", default, skip_serializing_if = "Option::is_none")]
    pub owner_id: Option<String>,
    /// 服务名称（text, V512, required）
    #[serde(rename = "SERVICE_NAME")]
    pub service_name: String,
    /// 服务分类（text, V4）
    #[serde(rename = "SERVICE_CLASS", default, skip_serializing_if = "Option::is_none")]
    pub service_class: Option<String>,
    /// 服务联系人（text, V32）
    #[serde(rename = "LINKMAN", default, skip_serializing_if = "Option::is_none")]
    pub linkman: Option<String>,
    /// 联系电话（text, V50）
    #[serde(rename = "TEL", default, skip_serializing_if = "Option::is_none")]
    pub tel: Option<String>,
    /// 电子邮箱（email, V128）
    #[serde(rename = "EMAIL", default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// 服务对象（可多选，“;”分隔）（multi_enum, V50）
    #[serde(rename = "SERVICE_OBJECT", default, skip_serializing_if = "Option::is_none")]
    pub service_object: Option<String>,
    /// 服务方式（可多选，“;”分隔）（multi_enum, V256）
    #[serde(rename = "SERVICE_METHOD", default, skip_serializing_if = "Option::is_none")]
    pub service_method: Option<String>,
    /// 服务内容及流程描述（text, V4000）
    #[serde(rename = "SERVICE_PROCEDURE", default, skip_serializing_if = "Option::is_none")]
    pub service_procedure: Option<String>,
}

impl Record for CarrierResource {
    const TYPE: &'static str = "carrier-resource";
    const KEY: &'static [&'static str] = &["SERVICE_ITEM_ID"];
    fn key(&self) -> String {
        [self.service_item_id.to_string()].join("/")
    }
}
