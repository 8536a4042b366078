//! Tests of the whole render: snapshots of the generated typst, and real
//! typesetting with the system's Noto CJK fonts.
//!
//! The fonts are required, not optional: without `fonts-noto-cjk` these tests
//! fail with the loader's message (scripts/test installs the package).

use std::sync::LazyLock;

use typst::foundations::Bytes;
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;

use super::*;

/// The fonts, loaded once for all tests.
static FONTS: LazyLock<Fonts> = LazyLock::new(|| {
    Fonts::system().unwrap_or_else(|err| panic!("notices need their fonts: {err}"))
});

/// All text typst laid out, run after run, in reading order.
fn document_text(document: &PagedDocument) -> String {
    let mut text = String::new();
    for page in document.pages() {
        visit_text(&page.frame, &mut |item| text.push_str(&item.text));
    }
    text
}

#[test]
fn generated_typst_for_each_kind_matches_its_snapshot() {
    for kind in NoticeKind::ALL {
        insta::assert_snapshot!(kind.slug(), typst_source(&Notice::sample(kind)));
    }
}

/// The branches the specimens do not take: a denial, an on-the-spot case
/// without a query code, a refusal without a referral.
fn variants() -> Vec<(&'static str, Notice)> {
    let mut denied = Notice::sample(NoticeKind::Conclusion);
    denied.body = NoticeBody::Conclusion {
        decision: Decision::Denied {
            reason: "经营场所与申请材料所载不符，不符合《食品经营许可和备案管理办法》规定的条件。"
                .to_owned(),
            appeal_text: "如对本决定不服，你（单位）可以自收到本通知书之日起六十日内申请行政复议，\
                          或者在六个月内提起行政诉讼。"
                .to_owned(),
        },
        delivery_text: "本通知书已当场送达。".to_owned(),
    };
    let mut on_the_spot = Notice::sample(NoticeKind::Acceptance);
    on_the_spot.query_code = None;
    on_the_spot.body = NoticeBody::Acceptance {
        accepted_on: on_the_spot.submitted_on,
        deadline: Deadline::OnTheSpot,
        materials_received: vec![],
        missing_promised: vec![],
    };
    let mut plain_refusal = Notice::sample(NoticeKind::Refusal);
    if let NoticeBody::Refusal { referral_text, .. } = &mut plain_refusal.body {
        *referral_text = None;
    }
    vec![
        ("conclusion-denied", denied),
        ("acceptance-on-the-spot", on_the_spot),
        ("refusal-without-referral", plain_refusal),
    ]
}

#[test]
fn generated_typst_for_the_other_branches_matches_its_snapshot() {
    for (name, notice) in variants() {
        insta::assert_snapshot!(name, typst_source(&notice));
    }
}

#[test]
fn the_other_branches_render() {
    for (name, notice) in variants() {
        let document = compile(&notice, &FONTS).unwrap_or_else(|err| panic!("{name}: {err}"));
        let text = document_text(&document);
        assert!(text.contains(&notice.case_no), "{name}: {text}");
        let expected = match name {
            "conclusion-denied" => "本机关决定不予办理。",
            "acceptance-on-the-spot" => "该事项为即办件，当场办结。",
            _ => "本机关决定不予受理。",
        };
        assert!(
            text.contains(expected),
            "{name}: {expected:?} missing from {text}"
        );
        assert_eq!(
            text.contains("查询码"),
            notice.query_code.is_some(),
            "{name}: {text}"
        );
    }
}

#[test]
fn every_kind_renders_a_pdf_with_embedded_cjk_fonts() {
    for kind in NoticeKind::ALL {
        let pdf = render_pdf(&Notice::sample(kind), &FONTS)
            .unwrap_or_else(|err| panic!("{kind:?}: {err}"));
        assert!(pdf.starts_with(b"%PDF-"), "{kind:?}: not a PDF");
        // Noto CJK is CFF-based, so its subsets are embedded as /FontFile3.
        let embedded = pdf.windows(9).filter(|w| w == b"/FontFile").count();
        assert!(embedded >= 1, "{kind:?}: no embedded font program");
        let names = String::from_utf8_lossy(&pdf);
        assert!(
            names.contains("NotoSerifCJKsc-Regular"),
            "{kind:?}: the body font is not Noto Serif CJK SC"
        );
    }
}

#[test]
fn every_kind_prints_its_title_number_applicant_and_seal() {
    for kind in NoticeKind::ALL {
        let notice = Notice::sample(kind);
        let document = compile(&notice, &FONTS).unwrap_or_else(|err| panic!("{kind:?}: {err}"));
        assert_eq!(document.pages().len(), 1, "{kind:?} fits on one page");
        let text = document_text(&document);
        for expected in [
            notice.case_no.as_str(),
            &notice.document_number(),
            &format!("{}：", notice.applicant_name),
            &notice.department_name,
            &notice.seal_text,
            "2026年11月22日",
            "扫码查询办理进度",
            "查询码：738205",
        ] {
            assert!(
                text.contains(expected),
                "{kind:?}: {expected:?} missing from {text}"
            );
        }
        assert!(
            !text.contains("共1页"),
            "{kind:?}: a one-page notice has no page numbers"
        );
        // The title is set letter-spaced, so typst may cut it into runs.
        assert!(
            text.replace(' ', "").contains(kind.title()),
            "{kind:?}: title missing from {text}"
        );
    }
}

#[test]
fn fees_are_printed_in_yuan_with_their_total_in_words() {
    let notice = Notice::sample(NoticeKind::PaymentNotice);
    let text = document_text(&compile(&notice, &FONTS).expect("the payment notice compiles"));
    for expected in ["80.00", "10.00", "90.00", "玖拾元整", "合计"] {
        assert!(text.contains(expected), "{expected:?} missing from {text}");
    }
}

#[test]
fn a_long_notice_flows_onto_more_pages() {
    let mut notice = Notice::sample(NoticeKind::OneTimeNotice);
    if let NoticeBody::OneTimeNotice { items, .. } = &mut notice.body {
        *items = (1..=40)
            .map(|i| Deficiency {
                material: format!("第{i}项材料"),
                problem: "未提供原件，请携带原件到窗口核验".to_owned(),
            })
            .collect();
    }
    let document = compile(&notice, &FONTS).expect("a long notice compiles");
    assert!(
        document.pages().len() >= 2,
        "{} pages",
        document.pages().len()
    );
    let text = document_text(&document);
    assert!(text.contains("第40项材料"), "{text}");
    assert!(
        text.contains("第1页 共2页") && text.contains("第2页 共2页"),
        "{text}"
    );
}

#[test]
fn markup_in_case_data_is_printed_literally() {
    let hostile = r#"#set page(width: 1cm) *x* [y] $z$ \ // c"#;
    let mut notice = Notice::sample(NoticeKind::Refusal);
    notice.applicant_name = hostile.to_owned();
    notice.item_name = r#"a"b\c #import "/notice.typ" <l> @ref _u_ `raw`"#.to_owned();
    notice.query_code = Some("\"); #panic(\"".to_owned());

    let source = typst_source(&notice);
    assert!(source.contains(&string_literal(hostile)), "{source}");

    let document = compile(&notice, &FONTS).expect("hostile data still compiles");
    let text = document_text(&document);
    assert!(text.contains(&format!("{hostile}：")), "{text}");
    assert!(text.contains(&notice.item_name), "{text}");
    assert!(text.contains("查询码：\"); #panic(\""), "{text}");
    // The `#set page(width: 1cm)` did not run: the page is still A4.
    let width = document.pages()[0].frame.width().to_mm();
    assert!((width - 210.0).abs() < 0.1, "page width {width} mm");
}

#[test]
fn multi_line_texts_stay_inside_their_string() {
    let mut notice = Notice::sample(NoticeKind::Refusal);
    notice.applicant_name = "张三\n#set text(size: 40pt)\r\t李四".to_owned();
    let source = typst_source(&notice);
    assert!(
        source.contains(r#"#salutation("张三\n#set text(size: 40pt)\n 李四")"#),
        "{source}"
    );
    let document = compile(&notice, &FONTS).expect("a name with line breaks compiles");
    let text = document_text(&document);
    assert!(text.contains("#set text(size: 40pt)"), "{text}");
}

#[test]
fn characters_without_a_glyph_are_an_error_not_empty_boxes() {
    let mut notice = Notice::sample(NoticeKind::Acceptance);
    notice.applicant_name = "张\u{1FAE0}三".to_owned();
    match render_pdf(&notice, &FONTS) {
        Err(NoticeError::MissingGlyphs(chars)) => assert_eq!(chars, "\u{1FAE0}"),
        other => panic!("expected MissingGlyphs, got {other:?}"),
    }
}

#[test]
fn a_missing_font_family_is_an_error() {
    // Fonts without Noto Serif CJK (only the sans collection): typst would
    // fall back silently after warning "unknown font family"; we refuse.
    let path = FONTS.files()[0].with_file_name("NotoSansCJK-Regular.ttc");
    let data = std::fs::read(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()));
    let faces = Font::iter(Bytes::new(data)).collect::<Vec<_>>();
    let fonts = Fonts {
        book: LazyHash::new(FontBook::from_fonts(&faces)),
        faces,
        files: vec![path],
    };
    match render_pdf(&Notice::sample(NoticeKind::Conclusion), &fonts) {
        Err(NoticeError::Typeset(messages)) => assert!(
            messages.iter().any(|m| m.contains("unknown font family")),
            "{messages:?}"
        ),
        other => panic!("expected a typesetting error, got {other:?}"),
    }
}

#[test]
fn a_directory_without_cjk_fonts_names_the_package_to_install() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
    let err = Fonts::from_dir(dir).expect_err("src/ holds no fonts");
    assert!(matches!(err, FontError::NoCjkFont { .. }), "{err:?}");
    let message = err.to_string();
    assert!(message.contains("fonts-noto-cjk"), "{message}");
    assert!(message.contains(dir), "{message}");
}

#[test]
fn system_fonts_load_every_face_of_the_serif_collections() {
    let families = FONTS.families();
    for family in [
        "Noto Serif CJK SC",
        "Noto Serif CJK TC",
        "Noto Serif CJK JP",
    ] {
        assert!(
            families.contains(&family),
            "{family} missing from {families:?}"
        );
    }
    // Regular and bold of the SC face.
    let sc = FONTS
        .faces
        .iter()
        .filter(|face| face.info().family == BODY_FAMILY)
        .count();
    assert_eq!(sc, 2, "{:?}", FONTS);
}

#[test]
fn from_dir_loads_collections_too() {
    let dir = FONTS.files()[0]
        .parent()
        .expect("a font file has a directory");
    let fonts = Fonts::from_dir(dir).unwrap_or_else(|err| panic!("{err}"));
    assert!(fonts.files().len() >= 2, "{fonts:?}");
    assert!(fonts.families().contains(&BODY_FAMILY));
}

#[test]
fn the_same_notice_gives_the_same_bytes() {
    let notice = Notice::sample(NoticeKind::Refusal);
    let first = render_pdf(&notice, &FONTS).expect("renders");
    let second = render_pdf(&notice, &FONTS).expect("renders again");
    assert!(first == second, "two renders of one notice differ");
}

#[test]
fn inquiry_addresses_too_long_for_a_qr_code_are_refused() {
    let mut notice = Notice::sample(NoticeKind::Acceptance);
    notice.inquiry_url = "x".repeat(5000);
    assert!(matches!(
        render_pdf(&notice, &FONTS),
        Err(NoticeError::QrCode(_))
    ));
}
