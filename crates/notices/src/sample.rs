//! Specimen notices (样张), one per kind: for previews, demos and tests.

use chrono::NaiveDate;

use crate::notice::{
    Deadline, Decision, Deficiency, FeeLine, Notice, NoticeBody, NoticeKind, ReceivedMaterial,
};

impl Notice {
    /// A filled-in specimen of `kind` for an invented applicant at the
    /// Xincheng district center of Hohhot, dated 2026-11-22.
    pub fn sample(kind: NoticeKind) -> Notice {
        let (department, item, case_no) = match kind {
            NoticeKind::Acceptance | NoticeKind::OneTimeNotice | NoticeKind::Refusal => (
                "呼和浩特市新城区人力资源和社会保障局",
                "失业保险金申领",
                "XC20261122000123",
            ),
            NoticeKind::PaymentNotice => (
                "呼和浩特市新城区自然资源局",
                "不动产首次登记",
                "XC20261122000131",
            ),
            NoticeKind::Conclusion => (
                "呼和浩特市新城区市场监督管理局",
                "食品经营许可",
                "XC20261105000087",
            ),
        };
        let body = match kind {
            NoticeKind::Acceptance => NoticeBody::Acceptance {
                accepted_on: day(22),
                deadline: Deadline::Promised {
                    limit_text: "10个工作日".to_owned(),
                    due_on: day_of(12, 4),
                },
                materials_received: vec![
                    received("居民身份证", "原件1份（核验后退回），复印件1份"),
                    received("失业保险金申领登记表", "原件1份"),
                    received("解除或者终止劳动关系的证明", "复印件1份"),
                    received("本人社会保障卡", "原件1份（核验后退回）"),
                ],
                missing_promised: vec!["近期一寸免冠彩色照片".to_owned()],
            },
            NoticeKind::OneTimeNotice => NoticeBody::OneTimeNotice {
                items: vec![
                    Deficiency {
                        material: "解除或者终止劳动关系的证明".to_owned(),
                        problem: "未加盖原用人单位公章，请补充加盖公章的原件".to_owned(),
                    },
                    Deficiency {
                        material: "失业保险金申领登记表".to_owned(),
                        problem: "“银行账号”一栏未填写，请补填并由本人签字".to_owned(),
                    },
                    Deficiency {
                        material: "本人社会保障卡".to_owned(),
                        problem: "未提供，请携带原件".to_owned(),
                    },
                ],
                deadline_text: "请你（单位）于2026年12月22日前补齐上述材料，到原窗口重新提交；\
                                材料补齐后，本机关将当场予以受理。"
                    .to_owned(),
            },
            NoticeKind::Refusal => NoticeBody::Refusal {
                reason:
                    "你（单位）的失业保险关系在呼和浩特市赛罕区，该申请事项依法不属于本机关职权范围"
                        .to_owned(),
                referral_text: Some(
                    "请你（单位）向呼和浩特市赛罕区社会保险事业管理局提出申请。".to_owned(),
                ),
                appeal_text: "如对本决定不服，你（单位）可以自收到本决定书之日起六十日内\
                              向呼和浩特市新城区人民政府申请行政复议，或者在六个月内\
                              向呼和浩特市新城区人民法院提起行政诉讼。"
                    .to_owned(),
            },
            NoticeKind::PaymentNotice => NoticeBody::PaymentNotice {
                lines: vec![
                    FeeLine {
                        name: "不动产登记费（住宅）".to_owned(),
                        standard: "80元/件".to_owned(),
                        amount_fen: 8000,
                    },
                    FeeLine {
                        name: "不动产权属证书工本费".to_owned(),
                        standard: "第一本免收，每增加一本10元".to_owned(),
                        amount_fen: 1000,
                    },
                ],
                payee: "呼和浩特市新城区自然资源局".to_owned(),
                account_text: "请于2026年11月29日前，持本通知书到中心一楼收费窗口缴纳，\
                               或通过“蒙速办”APP扫码缴纳；缴费后凭缴款票据领取办理结果。"
                    .to_owned(),
            },
            NoticeKind::Conclusion => NoticeBody::Conclusion {
                decision: Decision::Approved {
                    result_name: "《食品经营许可证》".to_owned(),
                    certificate_no: Some("JY11501020012345".to_owned()),
                },
                delivery_text: "请于2026年11月23日起持本通知书和本人身份证件到中心二楼\
                                出件窗口领取，也可以申请免费邮寄送达。"
                    .to_owned(),
            },
        };
        Notice {
            center_name: "呼和浩特市新城区政务服务中心".to_owned(),
            number_prefix: "新政服".to_owned(),
            department_name: department.to_owned(),
            case_no: case_no.to_owned(),
            query_code: Some("738205".to_owned()),
            applicant_name: match kind {
                NoticeKind::PaymentNotice => "王淑芬".to_owned(),
                NoticeKind::Conclusion => "呼和浩特市新城区晨光餐饮有限公司".to_owned(),
                _ => "张三".to_owned(),
            },
            item_name: item.to_owned(),
            submitted_on: match kind {
                NoticeKind::Conclusion => day(5),
                _ => day(22),
            },
            issued_on: day(22),
            inquiry_url: format!("https://zwfw.xincheng.gov.cn/q/{case_no}"),
            seal_text: "呼和浩特市新城区政务服务中心（印章）".to_owned(),
            body,
        }
    }
}

fn day(day: u32) -> NaiveDate {
    day_of(11, day)
}

fn day_of(month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, month, day).expect("the specimen dates are valid")
}

fn received(name: &str, form: &str) -> ReceivedMaterial {
    ReceivedMaterial {
        name: name.to_owned(),
        form: form.to_owned(),
    }
}
