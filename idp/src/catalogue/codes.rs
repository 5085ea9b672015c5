//! Chinese identity and place codes: unified social credit codes (GB 32100), organisation codes
//! (GB 11714), business registration numbers (ISO 7064 MOD 11,10), resident identity numbers
//! (GB 11643), mobile numbers, and administrative division codes (GB/T 2260).

use super::spec::IdentityForm;

const CREDIT_CHARS: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const CREDIT_WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// Why a code is not of a form; Chinese and English.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    pub zh: String,
    pub en: String,
}

fn mismatch(zh: impl Into<String>, en: impl Into<String>) -> Mismatch {
    Mismatch {
        zh: zh.into(),
        en: en.into(),
    }
}

/// The check character a credit code's first 17 characters call for.
pub fn credit_code_check(body: &str) -> Option<char> {
    let mut sum = 0u32;
    for (c, w) in body.chars().zip(CREDIT_WEIGHTS) {
        sum += CREDIT_CHARS.find(c)? as u32 * w;
    }
    if body.chars().count() != 17 {
        return None;
    }
    let check = (31 - sum % 31) % 31;
    CREDIT_CHARS.chars().nth(check as usize)
}

pub fn check_credit_code(code: &str) -> Result<(), Mismatch> {
    if code.chars().count() != 18 {
        return Err(mismatch(
            "统一社会信用代码应为 18 位",
            "a unified social credit code has 18 characters",
        ));
    }
    if let Some(bad) = code.chars().find(|c| !CREDIT_CHARS.contains(*c)) {
        return Err(mismatch(
            format!("统一社会信用代码不能含字符“{bad}”（不用 I、O、S、V、Z 和小写字母）"),
            format!(
                "a unified social credit code cannot contain '{bad}' (no I, O, S, V, Z or lower case)"
            ),
        ));
    }
    let (body, given) = code.split_at(17);
    let expected = credit_code_check(body).unwrap_or('?');
    if given.starts_with(expected) {
        Ok(())
    } else {
        Err(mismatch(
            format!("统一社会信用代码校验位应为 {expected}，而不是 {given}"),
            format!("the check character of this credit code should be {expected}, not {given}"),
        ))
    }
}

/// GB 11714 check character of an 8-character organisation code body.
pub fn organisation_code_check(body: &str) -> Option<char> {
    const WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];
    if body.len() != 8 {
        return None;
    }
    let mut sum = 0;
    for (c, w) in body.chars().zip(WEIGHTS) {
        let value = match c {
            '0'..='9' => c as u32 - '0' as u32,
            'A'..='Z' => c as u32 - 'A' as u32 + 10,
            _ => return None,
        };
        sum += value * w;
    }
    Some(match 11 - sum % 11 {
        10 => 'X',
        11 => '0',
        n => char::from_digit(n, 10)?,
    })
}

fn check_organisation_code(code: &str) -> Result<(), Mismatch> {
    let compact: String = code.chars().filter(|c| *c != '-').collect();
    if compact.len() != 9
        || !compact
            .chars()
            .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
    {
        return Err(mismatch(
            "组织机构代码应为 8 位本体加 1 位校验码",
            "an organisation code has 8 characters and a check character",
        ));
    }
    let (body, given) = compact.split_at(8);
    match organisation_code_check(body) {
        Some(expected) if given.starts_with(expected) => Ok(()),
        Some(expected) => Err(mismatch(
            format!("组织机构代码校验码应为 {expected}"),
            format!("the organisation code's check character should be {expected}"),
        )),
        None => Err(mismatch(
            "组织机构代码格式不对",
            "malformed organisation code",
        )),
    }
}

/// ISO 7064 MOD 11,10 over all digits including the check digit.
pub fn mod_11_10_valid(digits: &str) -> bool {
    let mut p = 10u32;
    let mut s = 0;
    for c in digits.chars() {
        let Some(d) = c.to_digit(10) else {
            return false;
        };
        s = p % 11 + d;
        p = match s % 10 {
            0 => 10,
            r => r,
        } * 2;
    }
    s % 10 == 1
}

fn check_registration_number(code: &str) -> Result<(), Mismatch> {
    if code.len() != 15 || !code.chars().all(|c| c.is_ascii_digit()) {
        return Err(mismatch(
            "工商注册号应为 15 位数字",
            "a business registration number has 15 digits",
        ));
    }
    if mod_11_10_valid(code) {
        Ok(())
    } else {
        Err(mismatch(
            "工商注册号校验位不对",
            "the registration number's check digit is wrong",
        ))
    }
}

pub fn resident_id_check(body: &str) -> Option<char> {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECKS: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];
    if body.len() != 17 {
        return None;
    }
    let mut sum = 0;
    for (c, w) in body.chars().zip(WEIGHTS) {
        sum += c.to_digit(10)? * w;
    }
    Some(CHECKS[(sum % 11) as usize])
}

fn check_resident_id(code: &str) -> Result<(), Mismatch> {
    let shape_ok = code.len() == 18
        && code[..17].chars().all(|c| c.is_ascii_digit())
        && code[17..]
            .chars()
            .all(|c| c.is_ascii_digit() || c == 'X' || c == 'x');
    if !shape_ok {
        return Err(mismatch(
            "身份证号应为 17 位数字加 1 位校验码",
            "a resident ID number has 17 digits and a check character",
        ));
    }
    let birth = &code[6..14];
    let valid_birth = time::Date::parse(
        birth,
        time::macros::format_description!("[year][month][day]"),
    )
    .is_ok();
    if !valid_birth {
        return Err(mismatch(
            "身份证号中的出生日期不存在",
            "the birth date in the resident ID number does not exist",
        ));
    }
    let expected = resident_id_check(&code[..17]).unwrap_or('?');
    if code[17..].eq_ignore_ascii_case(&expected.to_string()) {
        Ok(())
    } else {
        Err(mismatch(
            format!("身份证号校验码应为 {expected}"),
            format!("the resident ID number's check character should be {expected}"),
        ))
    }
}

pub fn is_mobile(code: &str) -> bool {
    let b = code.as_bytes();
    b.len() == 11
        && b[0] == b'1'
        && (b'3'..=b'9').contains(&b[1])
        && code.chars().all(|c| c.is_ascii_digit())
}

fn check_form(form: IdentityForm, code: &str) -> Result<(), Mismatch> {
    match form {
        IdentityForm::CreditCode => check_credit_code(code),
        IdentityForm::OrganisationCode => check_organisation_code(code),
        IdentityForm::RegistrationNumber => check_registration_number(code),
        IdentityForm::ResidentId => check_resident_id(code),
        IdentityForm::Mobile => {
            if is_mobile(code) {
                Ok(())
            } else {
                Err(mismatch(
                    "手机号应为 1 开头的 11 位数字",
                    "a mobile number has 11 digits starting with 1",
                ))
            }
        }
    }
}

/// Plausible forms for the code's shape, so that the reason given for a failure is the one that
/// matters (an 18-digit code is judged as an ID number and a credit code, not as a phone).
fn shaped_like(form: IdentityForm, code: &str) -> bool {
    let n = code.chars().count();
    match form {
        IdentityForm::CreditCode | IdentityForm::ResidentId => n == 18,
        IdentityForm::OrganisationCode => n == 9 || n == 10,
        IdentityForm::RegistrationNumber => n == 15,
        IdentityForm::Mobile => n == 11,
    }
}

/// Identifies which of the allowed forms a code is, or says why it is none of them.
pub fn identify(code: &str, allowed: &[IdentityForm]) -> Result<IdentityForm, Mismatch> {
    let mut reasons = Vec::new();
    for form in allowed.iter().copied().filter(|f| shaped_like(*f, code)) {
        match check_form(form, code) {
            Ok(()) => return Ok(form),
            Err(why) => reasons.push(why),
        }
    }
    if reasons.is_empty() {
        let names_zh: Vec<&str> = allowed.iter().map(|f| form_name(*f).0).collect();
        let names_en: Vec<&str> = allowed.iter().map(|f| form_name(*f).1).collect();
        return Err(mismatch(
            format!("长度不符合任何一种代码：{}", names_zh.join("、")),
            format!("its length fits none of: {}", names_en.join(", ")),
        ));
    }
    Err(Mismatch {
        zh: reasons
            .iter()
            .map(|r| r.zh.as_str())
            .collect::<Vec<_>>()
            .join("；"),
        en: reasons
            .iter()
            .map(|r| r.en.as_str())
            .collect::<Vec<_>>()
            .join("; "),
    })
}

pub fn form_name(form: IdentityForm) -> (&'static str, &'static str) {
    match form {
        IdentityForm::CreditCode => ("统一社会信用代码", "unified social credit code"),
        IdentityForm::OrganisationCode => ("组织机构代码", "organisation code"),
        IdentityForm::RegistrationNumber => ("工商注册号", "business registration number"),
        IdentityForm::ResidentId => ("身份证号", "resident ID number"),
        IdentityForm::Mobile => ("手机号", "mobile number"),
    }
}

/// Province-level division prefixes (GB/T 2260).
const PROVINCES: &[(&str, &str)] = &[
    ("11", "北京市"),
    ("12", "天津市"),
    ("13", "河北省"),
    ("14", "山西省"),
    ("15", "内蒙古自治区"),
    ("21", "辽宁省"),
    ("22", "吉林省"),
    ("23", "黑龙江省"),
    ("31", "上海市"),
    ("32", "江苏省"),
    ("33", "浙江省"),
    ("34", "安徽省"),
    ("35", "福建省"),
    ("36", "江西省"),
    ("37", "山东省"),
    ("41", "河南省"),
    ("42", "湖北省"),
    ("43", "湖南省"),
    ("44", "广东省"),
    ("45", "广西壮族自治区"),
    ("46", "海南省"),
    ("50", "重庆市"),
    ("51", "四川省"),
    ("52", "贵州省"),
    ("53", "云南省"),
    ("54", "西藏自治区"),
    ("61", "陕西省"),
    ("62", "甘肃省"),
    ("63", "青海省"),
    ("64", "宁夏回族自治区"),
    ("65", "新疆维吾尔自治区"),
    ("71", "台湾省"),
    ("81", "香港特别行政区"),
    ("82", "澳门特别行政区"),
];

/// Every division of Ningxia, by code.
pub const NINGXIA: &[(&str, &str)] = &[
    ("640000", "宁夏回族自治区"),
    ("640100", "银川市"),
    ("640104", "兴庆区"),
    ("640105", "西夏区"),
    ("640106", "金凤区"),
    ("640121", "永宁县"),
    ("640122", "贺兰县"),
    ("640181", "灵武市"),
    ("640200", "石嘴山市"),
    ("640202", "大武口区"),
    ("640205", "惠农区"),
    ("640221", "平罗县"),
    ("640300", "吴忠市"),
    ("640302", "利通区"),
    ("640303", "红寺堡区"),
    ("640323", "盐池县"),
    ("640324", "同心县"),
    ("640381", "青铜峡市"),
    ("640400", "固原市"),
    ("640402", "原州区"),
    ("640422", "西吉县"),
    ("640423", "隆德县"),
    ("640424", "泾源县"),
    ("640425", "彭阳县"),
    ("640500", "中卫市"),
    ("640502", "沙坡头区"),
    ("640521", "中宁县"),
    ("640522", "海原县"),
];

/// The division's name for display: Ningxia's divisions by name, elsewhere the province.
pub fn region_name(code: &str) -> Option<&'static str> {
    if code.starts_with("64") {
        NINGXIA.iter().find(|(c, _)| *c == code).map(|(_, n)| *n)
    } else if code.len() == 6 && code.chars().all(|c| c.is_ascii_digit()) {
        PROVINCES
            .iter()
            .find(|(p, _)| code.starts_with(p))
            .map(|(_, n)| *n)
    } else {
        None
    }
}

pub fn check_region(code: &str) -> Result<&'static str, Mismatch> {
    if code.len() != 6 || !code.chars().all(|c| c.is_ascii_digit()) {
        return Err(mismatch(
            "行政区划代码应为 6 位数字",
            "a division code has 6 digits",
        ));
    }
    region_name(code).ok_or_else(|| {
        if code.starts_with("64") {
            mismatch(
                format!("宁夏没有代码为 {code} 的行政区划"),
                format!("no division of Ningxia has the code {code}"),
            )
        } else {
            mismatch(
                format!("{code} 不是任何省级行政区的代码"),
                format!("{code} is under no province-level division"),
            )
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credit_codes_are_checked() {
        // A published code (国家电网有限公司).
        assert!(check_credit_code("9111000071093123XX").is_ok());
        let body = "91640100MA76X1234";
        let code = format!("{body}{}", credit_code_check(body).unwrap());
        assert!(check_credit_code(&code).is_ok());
        let wrong = format!("{body}{}", if code.ends_with('0') { '1' } else { '0' });
        assert!(check_credit_code(&wrong).is_err());
        assert!(check_credit_code("91110000710931230I").is_err());
    }

    #[test]
    fn known_valid_codes_pass() {
        // Published examples of each form.
        assert_eq!(resident_id_check("11010519491231002"), Some('X'));
        assert_eq!(organisation_code_check("D2143569"), Some('X'));
        assert!(mod_11_10_valid("110108000000016"));
        assert_eq!(
            identify("11010519491231002X", &[IdentityForm::ResidentId]),
            Ok(IdentityForm::ResidentId)
        );
        assert_eq!(
            identify("D2143569-X", &[IdentityForm::OrganisationCode]),
            Ok(IdentityForm::OrganisationCode)
        );
    }

    #[test]
    fn regions() {
        assert_eq!(check_region("640106"), Ok("金凤区"));
        assert!(check_region("640199").is_err());
        assert!(check_region("990000").is_err());
        assert_eq!(check_region("110101"), Ok("北京市"));
    }
}
