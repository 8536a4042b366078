//! Centers of the four-level network and the departments stationed in them.

use crate::identity::{CreditCode, is_service_phone};
use crate::macros::coded_enum;
use crate::validation::{ValidationErrors, text};
use serde::{Deserialize, Serialize};

coded_enum! {
    /// The level of a center in the four-level system (DOMAIN.md §2).
    CenterLevel {
        City = "city", "市级政务服务中心";
        County = "county", "县级政务服务中心";
        Township = "township", "乡镇（街道）便民服务中心";
        Village = "village", "村（社区）便民服务室";
    }
}

impl CenterLevel {
    fn rank(self) -> u8 {
        match self {
            Self::City => 0,
            Self::County => 1,
            Self::Township => 2,
            Self::Village => 3,
        }
    }

    /// A center's parent sits exactly one level higher.
    pub fn can_have_child(self, child: CenterLevel) -> bool {
        child.rank() == self.rank() + 1
    }
}

/// Untyped center input from a form or JSON.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CenterInput {
    pub parent_id: Option<i64>,
    pub name: String,
    pub short_name: String,
    /// `city`, `county`, `township` or `village`.
    pub level: String,
    pub region_code: String,
    pub address: String,
    pub phone: String,
    pub complaint_phone: String,
    pub hours: String,
}

/// A validated center; whether its parent exists and sits one level up is
/// checked against the stored tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCenter {
    pub parent_id: Option<i64>,
    pub name: String,
    pub short_name: String,
    pub level: CenterLevel,
    pub region_code: String,
    pub address: String,
    pub phone: String,
    pub complaint_phone: String,
    pub hours: String,
}

impl NewCenter {
    pub fn parse(input: &CenterInput) -> Result<Self, ValidationErrors> {
        let mut e = ValidationErrors::default();
        let name = text(&mut e, "name", "中心名称", &input.name, 100, true);
        let short_name = text(
            &mut e,
            "short_name",
            "中心简称",
            &input.short_name,
            50,
            false,
        );
        let level = CenterLevel::parse(&input.level);
        if level.is_none() {
            e.add(
                "center.level_invalid",
                "level",
                "中心层级无效，应为city、county、township或village",
            );
        }
        let region_code = text(
            &mut e,
            "region_code",
            "行政区划代码",
            &input.region_code,
            12,
            false,
        );
        if !region_code.chars().all(|c| c.is_ascii_digit()) {
            e.add(
                "center.region_code_invalid",
                "region_code",
                "行政区划代码应为数字",
            );
        }
        let address = text(&mut e, "address", "地址", &input.address, 200, false);
        let hours = text(&mut e, "hours", "办公时间", &input.hours, 200, false);
        let mut phone_of = |field: &str, label: &str, raw: &str| {
            let t = raw.trim().to_string();
            if !t.is_empty() && !is_service_phone(&t) {
                e.add("field.phone_invalid", field, format!("{label}格式不正确"));
            }
            t
        };
        let phone = phone_of("phone", "咨询电话", &input.phone);
        let complaint_phone = phone_of("complaint_phone", "监督投诉电话", &input.complaint_phone);
        match level {
            Some(level) if e.is_empty() => Ok(Self {
                parent_id: input.parent_id,
                short_name: if short_name.is_empty() {
                    name.clone()
                } else {
                    short_name
                },
                name,
                level,
                region_code,
                address,
                phone,
                complaint_phone,
                hours,
            }),
            _ => Err(e),
        }
    }
}

/// Untyped department input from a form or JSON.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DepartmentInput {
    pub center_id: Option<i64>,
    pub name: String,
    pub short_name: String,
    pub credit_code: String,
    pub phone: String,
    pub window_count: i64,
}

/// A validated department.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDepartment {
    pub center_id: Option<i64>,
    pub name: String,
    pub short_name: String,
    pub credit_code: CreditCode,
    pub phone: String,
    pub window_count: u16,
}

impl NewDepartment {
    pub fn parse(input: &DepartmentInput) -> Result<Self, ValidationErrors> {
        let mut e = ValidationErrors::default();
        let name = text(&mut e, "name", "部门名称", &input.name, 100, true);
        let short_name = text(
            &mut e,
            "short_name",
            "部门简称",
            &input.short_name,
            30,
            true,
        );
        let credit_code = CreditCode::parse(&input.credit_code)
            .map_err(|err| {
                e.add(
                    "department.credit_code_invalid",
                    "credit_code",
                    err.message("统一社会信用代码"),
                )
            })
            .ok();
        let phone = input.phone.trim().to_string();
        if phone.is_empty() {
            e.add("field.required", "phone", "联系电话不能为空");
        } else if !is_service_phone(&phone) {
            e.add("field.phone_invalid", "phone", "联系电话格式不正确");
        }
        if !(0..=500).contains(&input.window_count) {
            e.add("field.out_of_range", "window_count", "窗口数应在0到500之间");
        }
        match credit_code {
            Some(credit_code) if e.is_empty() => Ok(Self {
                center_id: input.center_id,
                name,
                short_name,
                credit_code,
                phone,
                window_count: input.window_count as u16,
            }),
            _ => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_department_needs_a_valid_credit_code() {
        let code = CreditCode::complete("11150102MB0000001").unwrap();
        let mut input = DepartmentInput {
            name: "呼和浩特市新城区人力资源和社会保障局".into(),
            short_name: "人社局".into(),
            credit_code: code.to_string(),
            phone: "0471-6218601".into(),
            window_count: 5,
            ..Default::default()
        };
        assert_eq!(NewDepartment::parse(&input).unwrap().window_count, 5);
        input.credit_code.replace_range(
            17..,
            if code.as_str().ends_with('0') {
                "1"
            } else {
                "0"
            },
        );
        let e = NewDepartment::parse(&input).unwrap_err();
        assert_eq!(e.0[0].field, "credit_code");
        assert!(e.0[0].message.contains("校验位"));
    }

    #[test]
    fn levels_nest_one_step_at_a_time() {
        assert!(CenterLevel::City.can_have_child(CenterLevel::County));
        assert!(!CenterLevel::City.can_have_child(CenterLevel::Township));
        assert!(!CenterLevel::Village.can_have_child(CenterLevel::Village));
    }
}
