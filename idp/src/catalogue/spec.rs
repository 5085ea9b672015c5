//! The platform's data interface standard (seed section 一 and 三) as one table: every record
//! type, its key, its links to other types, and every field with the rules the seed gives it.
//! Validation, storage columns, the OpenAPI schemas, CSV/XLSX columns, `GET /api/catalogue` and
//! the SDK's record types are all derived from this table; nothing else lists fields.
//!
//! Element names are spelled as the seed spells them, with its typos normalised (`CROWD _ID` →
//! `CROWD_ID`, `REWARD_ CONTENT` → `REWARD_CONTENT`); the spaced spellings are accepted on input
//! because input names are matched without whitespace and case.

use serde::Serialize;

/// How long a value may be, in Unicode characters (the seed's `V100`, `F6`, `Text0`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "rule", content = "chars", rename_all = "snake_case")]
pub enum Length {
    /// `Vn`: at most n characters.
    Max(u32),
    /// `Fn`: exactly n characters.
    Exact(u32),
    /// `Text0` / no length given.
    Unbounded,
}

/// Which written forms an organisation identity code may take (seed 1: "组织机构代码或者工商注册号
/// 或者身份证号或者手机号").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IdentityForm {
    /// 18-character unified social credit code, GB 32100.
    CreditCode,
    /// 9-character organisation code with its check character, GB 11714 (hyphen optional).
    OrganisationCode,
    /// 15-digit business registration number, ISO 7064 MOD 11,10 check digit.
    RegistrationNumber,
    /// 18-character resident identity number, GB 11643.
    ResidentId,
    /// Mainland mobile number.
    Mobile,
}

const ALL_FORMS: &[IdentityForm] = &[
    IdentityForm::CreditCode,
    IdentityForm::OrganisationCode,
    IdentityForm::RegistrationNumber,
    IdentityForm::ResidentId,
    IdentityForm::Mobile,
];
const ORG_FORMS: &[IdentityForm] = &[
    IdentityForm::OrganisationCode,
    IdentityForm::RegistrationNumber,
];

/// An enum code and what it means.
pub type Code = (&'static str, &'static str);

/// What kind of value a field holds; each kind has one canonical stored text form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    /// Non-negative whole number; the length rule counts digits.
    Integer,
    /// `Number(p,s)`: at most p digits, s of them after the point.
    Decimal {
        precision: u8,
        scale: u8,
        signed: bool,
    },
    /// `yyyy-mm-dd`.
    Date,
    /// `yyyy-mm`.
    Month,
    /// `yyyy-mm-dd hh24:mi` (the space optional on input, seconds allowed).
    DateTime,
    Enum(&'static [Code]),
    /// Several codes separated by `;`.
    MultiEnum(&'static [Code]),
    /// A telephone number the seed types as INTEGER; written forms kept exactly.
    Phone,
    /// A six-digit administrative division code.
    Region,
    Postcode,
    Email,
    Url,
    Identity(&'static [IdentityForm]),
    CreditCode,
}

impl Kind {
    /// The kind's name in the published spec.
    pub fn name(&self) -> &'static str {
        match self {
            Kind::Text => "text",
            Kind::Integer => "integer",
            Kind::Decimal { .. } => "decimal",
            Kind::Date => "date",
            Kind::Month => "month",
            Kind::DateTime => "datetime",
            Kind::Enum(_) => "enum",
            Kind::MultiEnum(_) => "multi_enum",
            Kind::Phone => "phone",
            Kind::Region => "region",
            Kind::Postcode => "postcode",
            Kind::Email => "email",
            Kind::Url => "url",
            Kind::Identity(_) => "identity_code",
            Kind::CreditCode => "credit_code",
        }
    }

    /// Whether values compare as numbers in filters and sorting.
    pub fn is_numeric(&self) -> bool {
        matches!(self, Kind::Integer | Kind::Decimal { .. })
    }

    pub fn codes(&self) -> &'static [Code] {
        match self {
            Kind::Enum(c) | Kind::MultiEnum(c) => c,
            _ => &[],
        }
    }
}

/// One element of a record type.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    /// The element name as the seed spells it (typos normalised); also the JSON name and the CSV
    /// header.
    pub name: &'static str,
    pub label_zh: &'static str,
    pub kind: Kind,
    pub length: Length,
    pub required: bool,
    pub unit: Option<&'static str>,
    /// Used when the field is absent (SERVICE_ORDER_NO "默认1").
    pub default: Option<&'static str>,
    /// Other spellings found in the seed.
    pub aliases: &'static [&'static str],
}

impl Field {
    /// The storage column: the element name in lower case (PostgreSQL folds unquoted names).
    pub fn column(&self) -> String {
        self.name.to_ascii_lowercase()
    }
}

const fn field(name: &'static str, kind: Kind, length: Length, label_zh: &'static str) -> Field {
    Field {
        name,
        label_zh,
        kind,
        length,
        required: false,
        unit: None,
        default: None,
        aliases: &[],
    }
}

const fn v(name: &'static str, n: u32, label: &'static str) -> Field {
    field(name, Kind::Text, Length::Max(n), label)
}

const fn text(name: &'static str, label: &'static str) -> Field {
    field(name, Kind::Text, Length::Unbounded, label)
}

const fn int(name: &'static str, digits: u32, label: &'static str) -> Field {
    field(name, Kind::Integer, Length::Max(digits), label)
}

const fn dec(name: &'static str, precision: u8, scale: u8, label: &'static str) -> Field {
    field(
        name,
        Kind::Decimal {
            precision,
            scale,
            signed: false,
        },
        Length::Unbounded,
        label,
    )
}

const fn date(name: &'static str, label: &'static str) -> Field {
    field(name, Kind::Date, Length::Exact(10), label)
}

const fn datetime(name: &'static str, label: &'static str) -> Field {
    field(name, Kind::DateTime, Length::Unbounded, label)
}

const fn phone(name: &'static str, n: u32, label: &'static str) -> Field {
    field(name, Kind::Phone, Length::Max(n), label)
}

const fn one_of(name: &'static str, n: u32, codes: &'static [Code], label: &'static str) -> Field {
    field(name, Kind::Enum(codes), Length::Max(n), label)
}

const fn any_of(name: &'static str, n: u32, codes: &'static [Code], label: &'static str) -> Field {
    field(name, Kind::MultiEnum(codes), Length::Max(n), label)
}

impl Field {
    const fn req(self) -> Field {
        Field {
            required: true,
            ..self
        }
    }
    const fn unit(self, unit: &'static str) -> Field {
        Field {
            unit: Some(unit),
            ..self
        }
    }
    const fn signed(self) -> Field {
        match self.kind {
            Kind::Decimal {
                precision, scale, ..
            } => Field {
                kind: Kind::Decimal {
                    precision,
                    scale,
                    signed: true,
                },
                ..self
            },
            _ => self,
        }
    }
    const fn kind(self, kind: Kind) -> Field {
        Field { kind, ..self }
    }
    const fn aka(self, aliases: &'static [&'static str]) -> Field {
        Field { aliases, ..self }
    }
    const fn or_default(self, value: &'static str) -> Field {
        Field {
            default: Some(value),
            ..self
        }
    }
}

/// A reference from a child record to its parent: the child's fields, in the order of the
/// parent's key.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Link {
    pub fields: &'static [&'static str],
    pub parent: &'static str,
}

/// One record type of the standard.
#[derive(Debug)]
pub struct RecordType {
    /// URL slug, also the scope's middle part (`catalogue:<slug>:write`).
    pub slug: &'static str,
    /// Seed sections that define it (4.1 repeats 1, 5.1 repeats 2).
    pub sections: &'static [&'static str],
    pub name_zh: &'static str,
    pub name_en: &'static str,
    pub key: &'static [&'static str],
    pub links: &'static [Link],
    pub fields: &'static [Field],
    /// A complete valid record, JSON; used by docs, the OpenAPI examples and the tests.
    pub example: &'static str,
}

impl RecordType {
    /// The table holding every version of this type's records.
    pub fn table(&self) -> String {
        format!("cat_{}", self.slug.replace('-', "_"))
    }

    pub fn field_index(&self, name: &str) -> Option<usize> {
        self.fields.iter().position(|f| f.name == name)
    }

    /// Indexes of the key fields, in key order.
    pub fn key_indexes(&self) -> Vec<usize> {
        self.key
            .iter()
            .filter_map(|k| self.field_index(k))
            .collect()
    }

    pub fn read_scope(&self) -> String {
        format!("catalogue:{}:read", self.slug)
    }

    pub fn write_scope(&self) -> String {
        format!("catalogue:{}:write", self.slug)
    }
}

/// Looks a type up by its URL slug.
pub fn record_type(slug: &str) -> Option<&'static RecordType> {
    TYPES.iter().find(|t| t.slug == slug)
}

// ---- enum code lists ----------------------------------------------------------------------

const ORG_PROPERTY: &[Code] = &[
    ("1", "企业"),
    ("2", "事业单位"),
    ("3", "社会团体"),
    ("4", "个体工商户"),
    ("5", "民办非企业"),
    ("9", "其他"),
];
const SHARE_TYPE: &[Code] = &[
    ("1", "国有控股"),
    ("2", "集体控股"),
    ("3", "私人控股"),
    ("4", "港澳台商控股"),
    ("5", "外商控股"),
    ("9", "其他"),
];
const ORG_GRADE: &[Code] = &[
    ("1", "国家级示范平台"),
    ("2", "省级示范平台"),
    ("3", "市级示范平台"),
];
const YES_NO: &[Code] = &[("0", "否"), ("1", "是")];
/// The financing sections' flags, where 0 means yes.
const ZERO_IS_YES: &[Code] = &[("0", "是"), ("1", "否")];
const EVALUATION: &[Code] = &[
    ("1", "很满意"),
    ("2", "满意"),
    ("3", "一般"),
    ("4", "不满意"),
    ("5", "差"),
];
const SERVICE_OBJECT: &[Code] = &[
    ("1", "微型企业"),
    ("2", "小型企业"),
    ("3", "中型企业"),
    ("4", "大型企业"),
    ("5", "创业个人或团队"),
    ("6", "个体工商户"),
    ("7", "事业单位"),
    ("8", "社会团体"),
    ("9", "民办非企业"),
    ("0", "其他"),
];
/// Service methods are written by their Chinese names (seed 5.2: "填写文字").
const SERVICE_METHOD: &[Code] = &[
    ("柜台式服务", "柜台式服务"),
    ("电话服务", "电话服务"),
    ("上门服务", "上门服务"),
    ("刊物服务", "刊物服务"),
    ("信函服务", "信函服务"),
    ("网络服务", "网络服务"),
    ("其他服务", "其他服务"),
];
const SERVICE_TYPE: &[Code] = &[
    ("1", "线上服务"),
    ("2", "线下服务"),
    ("3", "呼叫服务"),
    ("4", "在线咨询"),
];
const LOAN_TYPE: &[Code] = &[
    ("1", "房产抵押"),
    ("2", "股权质押"),
    ("3", "保证保险贷款"),
    ("4", "其他"),
];
const PROCEED_LOAN: &[Code] = &[("0", "可续贷"), ("1", "不可续贷")];
const LOAN_STATUS: &[Code] = &[("0", "已还清"), ("1", "未还清")];

// ---- field lists shared by two sections ---------------------------------------------------

/// Sections 1 and 4.1.
const ENTERPRISE: &[Field] = &[
    v("ORG_ID", 100, "服务对象编码").req(),
    one_of("ORG_PROPERTY", 1, ORG_PROPERTY, "单位性质"),
    v(
        "ORG_CODE",
        18,
        "组织机构代码或者工商注册号或者身份证号或者手机号",
    )
    .kind(Kind::Identity(ALL_FORMS)),
    v("ORG_NAME", 256, "服务对象名称").req(),
    v("LEGAL_PERSON", 256, "法定代表人（负责人、经营者）"),
    v("REGISTER_TYPE", 3, "企业注册类型"),
    field(
        "AREA_COUNTY",
        Kind::Region,
        Length::Exact(6),
        "行政区划代码",
    ),
    v("LINKMAN", 20, "联系人"),
    v("FAX", 50, "传真"),
    v("TEL", 50, "电话"),
    v("EMAIL", 128, "电子邮箱").kind(Kind::Email),
    v("WEBSITE", 128, "网址").kind(Kind::Url),
    v("ADDRESS", 512, "通讯地址"),
    v("POSTCODE", 6, "邮政编码").kind(Kind::Postcode),
    v("INDUSTRY_CODE", 8, "行业代码"),
    v("MAIN_REMARK", 4000, "主要产品或者主营业务"),
    one_of("SHARE_TYPE", 1, SHARE_TYPE, "控股情况"),
    field(
        "OPENED_TIME",
        Kind::Month,
        Length::Max(7),
        "开业时间（yyyy-mm）",
    ),
    v("PHOTO", 128, "企业logo图片"),
];

/// Sections 2 and 5.1.
const SERVICE_ORG: &[Field] = &[
    v("ORG_ID", 100, "机构编码").req(),
    one_of("ORG_PROPERTY", 1, ORG_PROPERTY, "单位性质"),
    v("ORG_CODE", 15, "组织机构代码或者工商注册号").kind(Kind::Identity(ORG_FORMS)),
    v("ORG_NAME", 256, "机构名称").req(),
    v("LEGAL_PERSON", 256, "法定代表人（负责人、经营者）"),
    v("REGISTER_TYPE", 3, "企业注册类型"),
    field(
        "AREA_COUNTY",
        Kind::Region,
        Length::Exact(6),
        "行政区划代码",
    ),
    v("LINKMAN", 20, "联系人"),
    v("TEL", 50, "电话"),
    v("FAX", 50, "传真"),
    v("EMAIL", 128, "电子邮箱").kind(Kind::Email),
    v("WEBSITE", 128, "网址").kind(Kind::Url),
    v("ADDRESS", 512, "通讯地址"),
    field("POSTCODE", Kind::Postcode, Length::Exact(6), "邮政编码"),
    v("INDUSTRY_CODE", 8, "行业代码"),
    v("MAIN_REMARK", 4000, "主要服务内容和特色"),
    one_of("SHARE_TYPE", 1, SHARE_TYPE, "控股情况"),
    field(
        "OPENED_TIME",
        Kind::Month,
        Length::Exact(7),
        "开业时间（yyyy-mm）",
    ),
    dec("REGISTER_ASSET", 13, 2, "注册资本").unit("万元"),
    v("QUALIFICATION", 4000, "专业资质情况"),
    v("REMARK", 4000, "主要服务设备及条件"),
    v("PERSONNEL", 4000, "人员素质构成情况"),
    v("PHOTO", 128, "服务机构logo图片地址"),
    any_of("ORG_GRADE", 10, ORG_GRADE, "认定情况（可多选）"),
];

/// Section 5.2 and section 三 share these; 5.2 adds REGISTER_DATE and CHARGE_METHOD.
const SERVICE_OBJECT_FIELD: Field = any_of(
    "SERVICE_OBJECT",
    50,
    SERVICE_OBJECT,
    "服务对象（可多选，“;”分隔）",
);
const SERVICE_METHOD_FIELD: Field = any_of(
    "SERVICE_METHOD",
    256,
    SERVICE_METHOD,
    "服务方式（可多选，“;”分隔）",
);

/// Every record type, in the seed's order.
pub static TYPES: &[RecordType] = &[
    RecordType {
        slug: "enterprise",
        sections: &["1", "4.1"],
        name_zh: "企业基本信息",
        name_en: "Enterprise",
        key: &["ORG_ID"],
        links: &[],
        fields: ENTERPRISE,
        example: r#"{"ORG_ID":"ENT-640100-0001","ORG_PROPERTY":"1","ORG_CODE":"91640100MA76X12342","ORG_NAME":"宁夏塞上智造科技有限公司","LEGAL_PERSON":"马丽","REGISTER_TYPE":"159","AREA_COUNTY":"640106","LINKMAN":"王强","FAX":"0951-5012346","TEL":"0951-5012345","EMAIL":"contact@saishang.example.cn","WEBSITE":"https://saishang.example.cn","ADDRESS":"宁夏银川市金凤区创业街 88 号","POSTCODE":"750002","INDUSTRY_CODE":"C3990","MAIN_REMARK":"智能硬件研发与生产","SHARE_TYPE":"3","OPENED_TIME":"2019-06","PHOTO":"https://saishang.example.cn/logo.png"}"#,
    },
    RecordType {
        slug: "service-org",
        sections: &["2", "5.1"],
        name_zh: "服务机构信息",
        name_en: "Service organisation",
        key: &["ORG_ID"],
        links: &[],
        fields: SERVICE_ORG,
        example: r#"{"ORG_ID":"SVC-640100-0001","ORG_PROPERTY":"1","ORG_CODE":"640100000012348","ORG_NAME":"银川科创知识产权服务中心","LEGAL_PERSON":"李明","REGISTER_TYPE":"110","AREA_COUNTY":"640104","LINKMAN":"张伟","TEL":"0951-6012345","FAX":"0951-6012346","EMAIL":"service@kechuang.example.cn","WEBSITE":"https://kechuang.example.cn","ADDRESS":"宁夏银川市兴庆区解放西街 1 号","POSTCODE":"750001","INDUSTRY_CODE":"M7520","MAIN_REMARK":"专利代理、知识产权咨询","SHARE_TYPE":"9","OPENED_TIME":"2015-03","REGISTER_ASSET":"500.00","QUALIFICATION":"专利代理机构执业许可","REMARK":"检索工作站 10 台","PERSONNEL":"专利代理师 12 人","PHOTO":"https://kechuang.example.cn/logo.png","ORG_GRADE":"1;3"}"#,
    },
    RecordType {
        slug: "carrier",
        sections: &["3.1"],
        name_zh: "双创载体基本信息",
        name_en: "Carrier (makerspace) basic information",
        key: &["BASE_CODE"],
        links: &[],
        fields: &[
            v("BASE_CODE", 100, "基地编码").req(),
            v("BASE_CLASS", 50, "基地类别"),
            text("BASE_LEVEL", "基地级别"),
            field(
                "REGIST_NO",
                Kind::Region,
                Length::Max(6),
                "基地所在地区编码",
            ),
            v("REGIST_ADDRESS", 50, "基地详细地址"),
            v("ENTERPRISE_NAME", 40, "基地名称").req(),
            v("ENTERPRISE_CONTEXT", 2000, "基地详情"),
            v("LEGAL_NAME", 20, "法人姓名"),
            phone("LEGAL_PHONE", 20, "法人联系电话"),
            v("LINK_NAME", 20, "联系人"),
            phone("LINK_PHONE", 20, "联系电话"),
            int("SERVICES_NUM", 11, "服务人员数").unit("人"),
            int("MENTOR_NUM", 11, "创业导师数").unit("人"),
            v("LINK_ADDRESS", 50, "联系地址"),
            int("INCUBATOR_NUM", 4, "在孵企业数").unit("家"),
            int("INCUBATOR_OBTAIN_NUM", 11, "在孵企业从业人数").unit("人"),
            int("INCUBATOR_TEAM_NUM", 11, "在孵团队数").unit("个"),
            dec("INCUBATOR_TURNOVER", 11, 2, "在孵企业年营业收入总数").unit("万元"),
            dec("INCUBATOR_AREA", 11, 2, "孵化面积").unit("平方米"),
            v("PLAT_WEBSITE", 50, "平台网址").kind(Kind::Url),
            v("SERVICE_OBJ", 2000, "服务对象"),
            v("PREFERENTIAL_POLICY", 2000, "优惠政策"),
            v("SERVICE_CASE", 2000, "服务案例"),
            v(
                "INCUBATOR_PROCESS",
                2000,
                "孵化载体入园流程及需要提交的资料",
            ),
            v("REGULATION", 100, "孵化载体运营管理办法（访问地址）").kind(Kind::Url),
        ],
        example: r#"{"BASE_CODE":"BASE-640106-001","BASE_CLASS":"众创空间","BASE_LEVEL":"国家级","REGIST_NO":"640106","REGIST_ADDRESS":"银川市金凤区创新园 3 号楼","ENTERPRISE_NAME":"塞上创客空间","ENTERPRISE_CONTEXT":"面向智能制造的众创空间","LEGAL_NAME":"赵敏","LEGAL_PHONE":"0951-1234567","LINK_NAME":"孙浩","LINK_PHONE":"13800000000","SERVICES_NUM":12,"MENTOR_NUM":8,"LINK_ADDRESS":"银川市金凤区创新园 3 号楼 201","INCUBATOR_NUM":45,"INCUBATOR_OBTAIN_NUM":380,"INCUBATOR_TEAM_NUM":16,"INCUBATOR_TURNOVER":"12500.50","INCUBATOR_AREA":"8600.00","PLAT_WEBSITE":"https://maker.example.cn","SERVICE_OBJ":"初创企业与创业团队","PREFERENTIAL_POLICY":"首年租金减半","SERVICE_CASE":"孵化企业获天使轮融资","INCUBATOR_PROCESS":"提交商业计划书，评审后入驻","REGULATION":"https://maker.example.cn/rules"}"#,
    },
    RecordType {
        slug: "carrier-partner",
        sections: &["3.2"],
        name_zh: "基地合作机构",
        name_en: "Carrier partner organisation",
        key: &["BASE_CODE", "ORG_CODE"],
        links: &[Link {
            fields: &["BASE_CODE"],
            parent: "carrier",
        }],
        fields: &[
            v("ORG_CODE", 100, "机构编码").req(),
            v("BASE_CODE", 100, "基地编码").req(),
            v("ORG_NAME", 50, "机构名称"),
            v("SERVICE_CONTEXT", 2000, "服务内容"),
        ],
        example: r#"{"ORG_CODE":"SVC-640100-0001","BASE_CODE":"BASE-640106-001","ORG_NAME":"银川科创知识产权服务中心","SERVICE_CONTEXT":"为在孵企业提供专利申请服务"}"#,
    },
    RecordType {
        slug: "carrier-service",
        sections: &["3.3"],
        name_zh: "基地服务情况",
        name_en: "Carrier service",
        key: &["ID"],
        links: &[Link {
            fields: &["BASE_CODE"],
            parent: "carrier",
        }],
        fields: &[
            v("ID", 100, "服务编码").req(),
            v("BASE_CODE", 100, "基地编码").req(),
            v("SERVICE_CONTEXT", 2000, "主要服务内容"),
            dec("FEES", 11, 2, "收费标准").unit("元"),
        ],
        example: r#"{"ID":"SRV-2026-0001","BASE_CODE":"BASE-640106-001","SERVICE_CONTEXT":"创业辅导与路演","FEES":"300.00"}"#,
    },
    RecordType {
        slug: "crowdfunding-project",
        sections: &["4.2.1"],
        name_zh: "众筹信息",
        name_en: "Crowdfunding project",
        key: &["CROWD_ID"],
        links: &[],
        fields: &[
            v("CROWD_ID", 100, "众筹信息编码").req().aka(&["CROWD _ID"]),
            v("COMP_ID", 50, "众筹方企业编码"),
            v("COMP_LINK_NAME", 50, "众筹负责人"),
            phone("COMP_LINK_MOBILE", 20, "众筹负责人电话"),
            v("TAGS", 50, "众筹信息标签"),
            v("CROWD_TITLE", 100, "众筹信息标题").req(),
            v("CROWD_INTRO", 2000, "众筹信息简介"),
            dec("CROWD_AMOUNT", 11, 2, "众筹目标金额")
                .unit("万元")
                .req(),
            int("CROWD_DURATION", 3, "众筹天数").unit("天").req(),
        ],
        example: r#"{"CROWD_ID":"CF-2026-0001","COMP_ID":"ENT-640100-0001","COMP_LINK_NAME":"马丽","COMP_LINK_MOBILE":"+86 138 0000 0001","TAGS":"智能穿戴","CROWD_TITLE":"枸杞色智能手环","CROWD_INTRO":"一款记录睡眠与运动的手环","CROWD_AMOUNT":"20.00","CROWD_DURATION":30}"#,
    },
    RecordType {
        slug: "crowdfunding-reward",
        sections: &["4.2.2"],
        name_zh: "回报信息",
        name_en: "Crowdfunding reward",
        key: &["REWARD_ID"],
        links: &[Link {
            fields: &["CROWD_ID"],
            parent: "crowdfunding-project",
        }],
        fields: &[
            v("REWARD_ID", 100, "回报信息编码").req(),
            v("CROWD_ID", 100, "众筹信息编码").req().aka(&["CROWD _ID"]),
            one_of("ISLOTTO", 1, YES_NO, "是否为抽奖"),
            int("LOTTORULE", 10, "抽奖范围（每限定人数中抽一位）").unit("人"),
            dec("REWARD_AMOUNT", 11, 2, "支持金额").unit("元").req(),
            v("REWARD_BRIEF", 2000, "回报方式简介"),
            v("REWARD_CONTENT", 2000, "回报内容").aka(&["REWARD_ CONTENT"]),
            int("REWARD_LIMIT", 5, "订购限额"),
            dec("EXPRESS_FEE", 6, 2, "运费").unit("元"),
            int("REBACK_DATE", 3, "回报天数（众筹结束后距离开始寄送的天数）").unit("天"),
        ],
        example: r#"{"REWARD_ID":"CF-2026-0001-R1","CROWD_ID":"CF-2026-0001","ISLOTTO":"0","LOTTORULE":0,"REWARD_AMOUNT":"199.00","REWARD_BRIEF":"早鸟价","REWARD_CONTENT":"手环一只","REWARD_LIMIT":50,"EXPRESS_FEE":"10.00","REBACK_DATE":15}"#,
    },
    RecordType {
        slug: "crowdfunding-order",
        sections: &["4.3"],
        name_zh: "众筹订单",
        name_en: "Crowdfunding order",
        key: &["ORDER_ID"],
        links: &[
            Link {
                fields: &["CROWD_ID"],
                parent: "crowdfunding-project",
            },
            Link {
                fields: &["REWARD_ID"],
                parent: "crowdfunding-reward",
            },
        ],
        fields: &[
            v("ORDER_ID", 100, "订单编码").req(),
            v("CROWD_ID", 100, "众筹信息编码").req().aka(&["CROWD _ID"]),
            v("REWARD_ID", 100, "回报信息编码").req(),
            v("BUYER_NAME", 50, "买家名称"),
            v("BUYER_LINK_NAME", 50, "买家联系人"),
            phone("BUYER_LINK_MOBILE", 20, "买家联系人电话"),
            int("REWARD_COPIES", 4, "购买份数").unit("份").req(),
            dec("ORDER_AMOUNT", 11, 2, "订单总额").unit("元").req(),
            date("DELIVERY_DATE", "发件日期"),
            v("DELIVERY_TYPE", 50, "快递类型"),
            v("DELIVERY_NO", 50, "快递单号"),
            v("DELIVERY_USER_NAME", 50, "收件人"),
            phone("DELIVERY_USER_PHONE", 20, "收件人电话"),
            one_of("EVALUATION", 1, EVALUATION, "满意度评价"),
            v("REMARK", 4000, "评价内容"),
        ],
        example: r#"{"ORDER_ID":"CF-2026-0001-O1","CROWD_ID":"CF-2026-0001","REWARD_ID":"CF-2026-0001-R1","BUYER_NAME":"银川市民","BUYER_LINK_NAME":"刘洋","BUYER_LINK_MOBILE":"13900000000","REWARD_COPIES":2,"ORDER_AMOUNT":"408.00","DELIVERY_DATE":"2026-12-20","DELIVERY_TYPE":"顺丰","DELIVERY_NO":"SF1234567890","DELIVERY_USER_NAME":"刘洋","DELIVERY_USER_PHONE":"13900000000","EVALUATION":"1","REMARK":"做工很好"}"#,
    },
    RecordType {
        slug: "service-product",
        sections: &["5.2"],
        name_zh: "服务产品",
        name_en: "Service product",
        key: &["SERVICE_ITEM_ID"],
        links: &[],
        fields: &[
            v("SERVICE_ITEM_ID", 100, "服务项目编码").req(),
            v("OWNER_ID", 100, "平台编码或者机构编码"),
            v("SERVICE_NAME", 512, "服务名称").req(),
            datetime("REGISTER_DATE", "注册时间"),
            v("SERVICE_CLASS", 4, "服务分类"),
            v("LINKMAN", 32, "服务联系人"),
            v("TEL", 50, "联系电话"),
            v("EMAIL", 128, "电子邮箱").kind(Kind::Email),
            SERVICE_OBJECT_FIELD,
            SERVICE_METHOD_FIELD,
            v("SERVICE_PROCEDURE", 4000, "服务和服务流程描述"),
            v("CHARGE_METHOD", 2000, "收费模式"),
        ],
        example: r#"{"SERVICE_ITEM_ID":"SP-0001","OWNER_ID":"SVC-640100-0001","SERVICE_NAME":"发明专利申请代理","REGISTER_DATE":"2026-03-01 09:30","SERVICE_CLASS":"ZSCQ","LINKMAN":"张伟","TEL":"0951-6012345","EMAIL":"service@kechuang.example.cn","SERVICE_OBJECT":"1;2;5","SERVICE_METHOD":"上门服务;网络服务","SERVICE_PROCEDURE":"需求沟通、检索、撰写、提交","CHARGE_METHOD":"按件收费"}"#,
    },
    RecordType {
        slug: "service-order",
        sections: &["5.3"],
        name_zh: "服务订单",
        name_en: "Service order",
        key: &[
            "SERVICE_ORG_ID",
            "SERVICE_ITEM_ID",
            "SERVED_ORG_ID",
            "SERVICE_ORDER_NO",
        ],
        links: &[],
        fields: &[
            v("SERVICE_ORDER_NO", 100, "服务过程顺序号（默认1）").or_default("1"),
            one_of("SERVICE_TYPE", 1, SERVICE_TYPE, "服务类型"),
            v("SERVICE_CLASS", 4, "服务分类"),
            v("SERVICE_ORG_ID", 100, "平台或者服务机构编码").req(),
            v("SERVICE_ORG_NAME", 256, "平台或者服务机构名称"),
            v("SERVICE_ITEM_ID", 100, "服务项目编码").req(),
            v("SERVICE_NAME", 512, "服务名称"),
            v("SERVICE_DESC", 4000, "服务描述"),
            v("SERVED_ORG_ID", 100, "服务对象编码").req(),
            v("SERVED_ORG_NAME", 256, "服务对象企业名称"),
            v("SERVED_ORG_LINKMAN", 100, "服务对象联系人"),
            v("SERVED_ORG_TEL", 50, "服务对象联系电话"),
            v("SERVER_METHOD", 256, "主要服务方式"),
            datetime("SERVER_DATE_APPLY", "服务申请时间"),
            datetime("SERVER_DATE_ACCEPT", "服务受理时间"),
            datetime("SERVER_DATE_END", "服务结束时间"),
            v("SERVER_RESULT", 4000, "服务成果"),
            dec("SERVER_INCOME", 16, 2, "服务收入").unit("元"),
            dec("ALLOWANCE", 16, 2, "财政拨款（政府补贴）").unit("元"),
            one_of("SERVED_ORG_EVALUATION", 1, EVALUATION, "服务评价"),
            v("SERVED_ORG_REMARK", 4000, "服务意见"),
        ],
        example: r#"{"SERVICE_ORDER_NO":"1","SERVICE_TYPE":"2","SERVICE_CLASS":"ZSCQ","SERVICE_ORG_ID":"SVC-640100-0001","SERVICE_ORG_NAME":"银川科创知识产权服务中心","SERVICE_ITEM_ID":"SP-0001","SERVICE_NAME":"发明专利申请代理","SERVICE_DESC":"代理一件发明专利申请","SERVED_ORG_ID":"ENT-640100-0001","SERVED_ORG_NAME":"宁夏塞上智造科技有限公司","SERVED_ORG_LINKMAN":"王强","SERVED_ORG_TEL":"0951-5012345","SERVER_METHOD":"上门服务","SERVER_DATE_APPLY":"2026-04-01 10:00","SERVER_DATE_ACCEPT":"2026-04-02 09:00","SERVER_DATE_END":"2026-05-30 17:30","SERVER_RESULT":"申请已受理","SERVER_INCOME":"8000.00","ALLOWANCE":"4000.00","SERVED_ORG_EVALUATION":"2","SERVED_ORG_REMARK":"沟通及时"}"#,
    },
    RecordType {
        slug: "demand",
        sections: &["5.4"],
        name_zh: "需求信息",
        name_en: "Demand",
        key: &["DEMAND_NO"],
        links: &[],
        fields: &[
            v("DEMAND_NO", 100, "需求编码").req(),
            v("COMP_CODE", 50, "企业统一信用编码").kind(Kind::CreditCode),
            v("COMP_NAME", 50, "企业名称"),
            v("COMP_REGIST_TYPE", 20, "注册类型"),
            v("COMP_ADDRESS", 100, "通讯地址"),
            v("CHARGER_NAME", 50, "负责人姓名"),
            phone("CHARGER_MOBILE", 20, "负责人手机号"),
            v("DEMAND_TITLE", 100, "需求名称").req(),
            v("DEMAND_DESCRIBE", 2000, "需求描述"),
            dec("DEMAND_FEE", 16, 2, "预算费用").unit("万元"),
            int("DEMAND_CYCLE", 3, "总周期").unit("天"),
            date("EXPIRY_DATE", "需求有效期"),
            date("SELECTED_DATE", "定标时间"),
            text("SERVER_ORG_ID", "中标的服务机构编码"),
            text("SERVER_LINK_NAME", "服务联系人"),
            phone("SERVER_LINK_MOBILE", 20, "服务联系人电话"),
            text("SERVICE_ORDER_NO", "服务过程编号"),
        ],
        example: r#"{"DEMAND_NO":"DM-2026-0001","COMP_CODE":"91640100MA76X12342","COMP_NAME":"宁夏塞上智造科技有限公司","COMP_REGIST_TYPE":"有限责任公司","COMP_ADDRESS":"宁夏银川市金凤区创业街 88 号","CHARGER_NAME":"马丽","CHARGER_MOBILE":"13800000001","DEMAND_TITLE":"手环外观设计","DEMAND_DESCRIBE":"需要三套工业设计方案","DEMAND_FEE":"3.50","DEMAND_CYCLE":45,"EXPIRY_DATE":"2026-12-31","SELECTED_DATE":"2026-06-15","SERVER_ORG_ID":"SVC-640100-0001","SERVER_LINK_NAME":"张伟","SERVER_LINK_MOBILE":"13700000000","SERVICE_ORDER_NO":"1"}"#,
    },
    RecordType {
        slug: "bridge-loan",
        sections: &["6.1"],
        name_zh: "转贷信息",
        name_en: "Bridge loan",
        key: &["Apply_no"],
        links: &[],
        fields: &[
            v("Apply_no", 100, "申请编码").req(),
            v("Comp_name", 100, "企业名称").req(),
            v("Regiest_address", 70, "注册地址"),
            v("Comp_address", 70, "经营地址"),
            dec("Capital", 11, 2, "注册资本").unit("万元"),
            v("Credit_code", 20, "社会信用代码").kind(Kind::CreditCode),
            text("Comp_major", "经营范围"),
            v("Comp_legal_name", 40, "法定代表人"),
            v("Legal_phone", 20, "法定代表人联系电话"),
            v("Link_name", 40, "联系人"),
            v("Link_phone", 20, "联系人手机号码"),
            dec("Last_year_acount", 11, 2, "上年底资产总额").unit("万元"),
            dec("Debt_ratio", 11, 2, "资产负债率").unit("%"),
            dec("Last_year_income", 11, 2, "上年度应税销售收入").unit("万元"),
            dec("Last_year_profit", 11, 2, "上年度利润总额")
                .unit("万元")
                .signed(),
            v("Bank_region", 40, "贷款银行所在地区"),
            v("Bank_codef", 40, "贷款银行支行编号"),
            v("Bank_codes", 40, "经办网点"),
            v("Loan_bank", 100, "贷款银行名称"),
            dec("Expire_loan_acount", 11, 2, "到期贷款金额").unit("万元"),
            date("Expire_date", "贷款到期日"),
            v("Expire_number", 20, "到期贷款结算账户账号"),
            v("Loan_contract_number", 50, "贷款合同编号"),
            dec("Loan_amount", 11, 2, "续贷金额").unit("万元"),
            dec("Loan_apply", 11, 2, "转贷资金申请额度").unit("万元"),
            dec("Self_repay_amount", 11, 2, "自筹还贷金额").unit("万元"),
            date("Apply_date", "申请日期"),
            v("Bank_charge_man", 10, "贷款银行负责人"),
            v("Bank_manage_man", 10, "贷款银行经办人"),
            date("Bank_audit_date", "贷款银行审核日期"),
        ],
        example: r#"{"Apply_no":"ZD-2026-0001","Comp_name":"宁夏塞上智造科技有限公司","Regiest_address":"银川市金凤区创业街 88 号","Comp_address":"银川市金凤区创业街 88 号","Capital":"1000.00","Credit_code":"91640100MA76X12342","Comp_major":"智能硬件研发、生产、销售","Comp_legal_name":"马丽","Legal_phone":"13800000001","Link_name":"王强","Link_phone":"13800000002","Last_year_acount":"3200.00","Debt_ratio":"45.20","Last_year_income":"2800.00","Last_year_profit":"-12.50","Bank_region":"银川市","Bank_codef":"NX001","Bank_codes":"金凤支行","Loan_bank":"宁夏银行","Expire_loan_acount":"500.00","Expire_date":"2026-12-15","Expire_number":"6222000000000001","Loan_contract_number":"NXB-2025-0099","Loan_amount":"500.00","Loan_apply":"300.00","Self_repay_amount":"200.00","Apply_date":"2026-11-20","Bank_charge_man":"周行长","Bank_manage_man":"吴经理","Bank_audit_date":"2026-11-25"}"#,
    },
    RecordType {
        slug: "risk-compensation",
        sections: &["6.2"],
        name_zh: "风险补偿信息",
        name_en: "Risk compensation",
        key: &["Apply_no"],
        links: &[],
        fields: &[
            v("Apply_no", 100, "申请编码").req(),
            v("Band_name", 40, "贷款银行名称"),
            v("Loan_comp", 50, "贷款企业名称").req(),
            v("Loan_comp_type", 40, "企业类型"),
            dec("Capital", 9, 2, "注册资本").unit("万元"),
            field(
                "Regist_region_code",
                Kind::Region,
                Length::Exact(6),
                "注册地址地区编码",
            ),
            v("Address", 256, "注册地区地址+注册地址（实际经营地址）"),
            v("Create_date", 20, "成立时间"),
            v("Legal_name", 20, "法定代表人"),
            v("Legal_phone", 20, "法定代表人手机"),
            v("Content", 2000, "主营业务/经营范围"),
            dec("Loan_amount", 11, 2, "贷款金额").unit("万元"),
            v("Loan_deadline", 10, "申请贷款期限").unit("月"),
            any_of("Loan_type", 10, LOAN_TYPE, "贷款方式"),
            dec("House_amount", 11, 2, "房产抵押（金额）").unit("万元"),
            dec("Equity_amount", 11, 2, "股权质押（金额）").unit("万元"),
            dec("Insurance_amount", 11, 2, "保证保险贷款（金额）").unit("万元"),
            v("Insurance_content", 2000, "保证保险贷款（说明）"),
            dec("Other_amount", 11, 2, "其他（金额）").unit("万元"),
            v("Other_content", 2000, "其他（说明）"),
            datetime("Loan_start_date", "发放日期"),
            datetime("Loan_end_date", "贷款到期日"),
            one_of("Proceed_loan", 255, PROCEED_LOAN, "是否可续贷"),
            one_of("Loan_status", 255, LOAN_STATUS, "还款状态"),
            dec("Turnover", 9, 2, "（上一年度或最近一年）营业收入").unit("万元"),
            v("Practitioner_num", 255, "从业人员").unit("人"),
            one_of("Is_technology", 1, ZERO_IS_YES, "是否为科技型企业"),
            one_of("Is_specialization", 1, ZERO_IS_YES, "是否为专精特新企业"),
            one_of("Is_emerging", 1, ZERO_IS_YES, "是否为新兴产业企业"),
            one_of("Is_incubatorbase", 1, ZERO_IS_YES, "是否为孵化基地企业"),
            dec("House_pro", 5, 2, "房产抵押（占比）").unit("%"),
            v("House_content", 2000, "房产抵押（说明）"),
            dec("Equity_pro", 5, 2, "股权质押（占比）").unit("%"),
            v("Equity_content", 2000, "股权质押（说明）"),
            dec("Insurance_pro", 5, 2, "保证保险贷款（占比）").unit("%"),
            dec("Other_pro", 5, 2, "其他（占比）").unit("%"),
        ],
        example: r#"{"Apply_no":"FX-2026-0001","Band_name":"宁夏银行","Loan_comp":"宁夏塞上智造科技有限公司","Loan_comp_type":"有限责任公司","Capital":"1000.00","Regist_region_code":"640106","Address":"宁夏银川市金凤区创业街 88 号","Create_date":"2019-06-18","Legal_name":"马丽","Legal_phone":"13800000001","Content":"智能硬件研发","Loan_amount":"200.00","Loan_deadline":"12","Loan_type":"1;2","House_amount":"120.00","Equity_amount":"80.00","Insurance_amount":"0.00","Insurance_content":"无","Other_amount":"0.00","Other_content":"无","Loan_start_date":"2026-01-10 09:00","Loan_end_date":"2027-01-09 17:00","Proceed_loan":"0","Loan_status":"1","Turnover":"2800.00","Practitioner_num":"86","Is_technology":"0","Is_specialization":"1","Is_emerging":"0","Is_incubatorbase":"0","House_pro":"60.00","House_content":"厂房抵押","Equity_pro":"40.00","Equity_content":"股东股权质押","Insurance_pro":"0.00","Other_pro":"0.00"}"#,
    },
    RecordType {
        slug: "leasing-application",
        sections: &["6.3.1"],
        name_zh: "融资租赁申请",
        name_en: "Finance lease application",
        key: &["Apply_no"],
        links: &[],
        fields: &[
            v("Apply_no", 100, "申请编码").req(),
            v("Comp_name", 50, "企业名称").req(),
            v("Credit_code", 20, "社会统一信用代码").kind(Kind::CreditCode),
            dec("Capital", 13, 2, "注册资本").unit("万元"),
            v("Comp_trade", 100, "所属行业"),
            date("Create_date", "成立时间"),
            v("Charger_name", 40, "企业负责人"),
            v("Charger_phone", 20, "负责人联系电话"),
            v("Link_name", 20, "联系人"),
            v("Link_phone", 20, "联系电话"),
            v("Region", 20, "区域名称"),
            field("Region_code", Kind::Region, Length::Exact(6), "区域编码"),
            v("Comp_address", 70, "注册地址"),
            text("Comp_major", "经营范围"),
            text("Main_business", "主营业务"),
            dec("Lastyear_turnover", 13, 2, "上年度营业收入").unit("万元"),
            v("Practitioner_num", 10, "职工人数").unit("人"),
            v("Subsidy_total", 20, "申请总金额"),
        ],
        example: r#"{"Apply_no":"ZL-2026-0001","Comp_name":"宁夏塞上智造科技有限公司","Credit_code":"91640100MA76X12342","Capital":"1000.00","Comp_trade":"制造业","Create_date":"2019-06-18","Charger_name":"马丽","Charger_phone":"13800000001","Link_name":"王强","Link_phone":"13800000002","Region":"金凤区","Region_code":"640106","Comp_address":"银川市金凤区创业街 88 号","Comp_major":"智能硬件研发、生产、销售","Main_business":"智能手环","Lastyear_turnover":"2800.00","Practitioner_num":"86","Subsidy_total":"45.00"}"#,
    },
    RecordType {
        slug: "leasing-device",
        sections: &["6.3.2"],
        name_zh: "租赁设备",
        name_en: "Leased device",
        key: &["Apply_no", "Device_name"],
        links: &[Link {
            fields: &["Apply_no"],
            parent: "leasing-application",
        }],
        fields: &[
            v("Apply_no", 100, "租赁申请的编码").req(),
            v("Device_name", 1000, "设备名称及数量").req(),
            v("Price", 1000, "价格"),
            v("Finance_rate", 1000, "融资租赁费率"),
            v("Subsidy", 1000, "申请补贴金额"),
        ],
        example: r#"{"Apply_no":"ZL-2026-0001","Device_name":"五轴数控加工中心 × 2","Price":"每台 180 万元","Finance_rate":"年化 5.8%","Subsidy":"45 万元"}"#,
    },
    RecordType {
        slug: "fund-membership",
        sections: &["6.4.1"],
        name_zh: "互助基金入社",
        name_en: "Mutual fund membership",
        key: &["JOIN_NO"],
        links: &[],
        fields: &[
            v("JOIN_NO", 100, "入社编号").req(),
            int("JOIN_YEAR", 4, "入社年份"),
            dec("JOIN_AMOUNT", 11, 2, "入社金额").unit("万元"),
            v("COMPANY_NAME", 100, "入社单位名称").req(),
            v("COMPANY_CODE", 100, "入社单位社会信用代码").kind(Kind::CreditCode),
            v("COMPANY_ADDRESS", 100, "入社单位地址"),
            v("COMPANY_LINK_NAME", 100, "入社单位联系人"),
            v("COMPANY_LINK_MOBILE", 100, "入社单位联系电话"),
        ],
        example: r#"{"JOIN_NO":"HZ-2026-0001","JOIN_YEAR":2026,"JOIN_AMOUNT":"50.00","COMPANY_NAME":"宁夏塞上智造科技有限公司","COMPANY_CODE":"91640100MA76X12342","COMPANY_ADDRESS":"宁夏银川市金凤区创业街 88 号","COMPANY_LINK_NAME":"王强","COMPANY_LINK_MOBILE":"13800000002"}"#,
    },
    RecordType {
        slug: "fund-application",
        sections: &["6.4.2"],
        name_zh: "基金申请",
        name_en: "Mutual fund application",
        key: &["APPLY_NO"],
        links: &[Link {
            fields: &["JOIN_NO"],
            parent: "fund-membership",
        }],
        fields: &[
            v("APPLY_NO", 100, "申请编号").req(),
            v("JOIN_NO", 100, "入社编号").req(),
            int("APPLY_TIME", 4, "当前入社编号下的第几次基金申请"),
            dec("APPLY_AMOUNT", 11, 2, "申请金额").unit("万元").req(),
            v("LOAN_BANK", 100, "委贷银行"),
            int("ENLARGE_MULTIPLES", 4, "放大倍数"),
            dec("FLOATING_MULTIPLES", 11, 2, "上浮倍数").unit("%"),
            dec("MONTHLY_RATE", 11, 2, "月利率").unit("‰"),
            date("LOAN_DATE", "借款日期"),
            v("LOAN_FOR", 100, "借款用途"),
            date("LAST_REPAY_DATE", "最晚还款日期"),
            date("REAL_REPAY_DATE", "实际还款日期"),
            dec("HANDLING_FEE", 11, 2, "手续费").unit("元"),
            dec("INTEREST", 11, 2, "利息").unit("元"),
        ],
        example: r#"{"APPLY_NO":"HZ-2026-0001-A1","JOIN_NO":"HZ-2026-0001","APPLY_TIME":1,"APPLY_AMOUNT":"200.00","LOAN_BANK":"黄河农村商业银行","ENLARGE_MULTIPLES":4,"FLOATING_MULTIPLES":"10.00","MONTHLY_RATE":"4.35","LOAN_DATE":"2026-03-01","LOAN_FOR":"采购原材料","LAST_REPAY_DATE":"2027-02-28","REAL_REPAY_DATE":"2027-02-20","HANDLING_FEE":"2000.00","INTEREST":"104400.00"}"#,
    },
    RecordType {
        slug: "fund-repayment",
        sections: &["6.4.3"],
        name_zh: "还款记录",
        name_en: "Mutual fund repayment",
        key: &["REPAY_NO"],
        links: &[Link {
            fields: &["APPLY_NO"],
            parent: "fund-application",
        }],
        fields: &[
            v("REPAY_NO", 100, "还款编号").req(),
            v("APPLY_NO", 100, "基金申请编号").req(),
            dec("REPAY_AMOUNT", 11, 2, "还款金额").unit("元").req(),
            date("REPAY_DATE", "还款日期").req(),
        ],
        example: r#"{"REPAY_NO":"HZ-2026-0001-A1-P1","APPLY_NO":"HZ-2026-0001-A1","REPAY_AMOUNT":"2104400.00","REPAY_DATE":"2027-02-20"}"#,
    },
    RecordType {
        slug: "carrier-resource",
        sections: &["三"],
        name_zh: "共享资源服务项目",
        name_en: "Shared carrier resource",
        key: &["SERVICE_ITEM_ID"],
        links: &[],
        fields: &[
            v("SERVICE_ITEM_ID", 100, "服务项目编码").req(),
            v("OWNER_ID", 100, "平台编码或者机构编码"),
            v("SERVICE_NAME", 512, "服务名称").req(),
            v("SERVICE_CLASS", 4, "服务分类"),
            v("LINKMAN", 32, "服务联系人"),
            v("TEL", 50, "联系电话"),
            v("EMAIL", 128, "电子邮箱").kind(Kind::Email),
            SERVICE_OBJECT_FIELD,
            SERVICE_METHOD_FIELD,
            v("SERVICE_PROCEDURE", 4000, "服务内容及流程描述"),
        ],
        example: r#"{"SERVICE_ITEM_ID":"RES-0001","OWNER_ID":"BASE-640106-001","SERVICE_NAME":"3D 打印共享实验室","SERVICE_CLASS":"SYSB","LINKMAN":"孙浩","TEL":"13800000000","EMAIL":"lab@maker.example.cn","SERVICE_OBJECT":"1;2;5","SERVICE_METHOD":"柜台式服务;网络服务","SERVICE_PROCEDURE":"线上预约，现场使用，按时计费"}"#,
    },
];
