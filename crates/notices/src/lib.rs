//! Case notices (办件文书) as PDF.
//!
//! A window hands the applicant a written notice at each turn of a case:
//! [`NoticeKind::Acceptance`] (受理通知书), [`NoticeKind::OneTimeNotice`]
//! (一次性告知书), [`NoticeKind::Refusal`] (不予受理决定书),
//! [`NoticeKind::PaymentNotice`] (缴费通知书) and [`NoticeKind::Conclusion`]
//! (办结通知书). This crate typesets them with typst, used as a library, on
//! A4 with the issuing department above the title, a document number
//! ("新政服受字〔2026〕第 XC20261122000123 号"), the body in formal
//! administrative Chinese, tables of materials or fees, a QR code linking to
//! the case's progress page, and the seal line with the date.
//!
//! ```no_run
//! use notices::{Fonts, Notice, NoticeKind, render_pdf};
//!
//! // Once, at start: reads the Noto Serif CJK collections (≈50 MB, ≈0.1 s
//! // optimised, ≈0.3 s in a debug build).
//! let fonts = Fonts::system()?;
//! // Per notice: CPU-bound, ≈10 ms optimised (≈30 ms for the first one),
//! // 0.1–0.6 s in a debug build.
//! let notice = Notice::sample(NoticeKind::Acceptance);
//! let pdf: Vec<u8> = render_pdf(&notice, &fonts)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! - [`Notice`] holds the data; [`NoticeBody`] what each kind says.
//! - [`Fonts`] loads the CJK fonts once ([`Fonts::system`] or
//!   [`Fonts::from_dir`]); it fails naming the package `fonts-noto-cjk` when
//!   they are missing.
//! - [`render_pdf`] typesets and exports; [`typst_source`] shows the
//!   generated typst file, which the snapshot tests compare.
//!
//! Case data never becomes typst markup: every text is passed to the template
//! as a string literal ([`string_literal`]). Nothing is read at run time
//! except the fonts, and nothing is downloaded: the document can reach only
//! the template compiled into this crate and its own QR code.
//!
//! Rendering fails rather than print a wrong notice: any typst warning (an
//! unknown font family among them) and any character no loaded font can draw
//! are errors.

mod fonts;
mod notice;
mod sample;
mod source;
mod world;

use qrcode::{EcLevel, QrCode};
use typst::diag::{SourceDiagnostic, Warned};
use typst::foundations::{Datetime, Smart};
use typst::layout::{Frame, FrameItem};
use typst_layout::PagedDocument;
use typst_pdf::PdfOptions;

pub use fonts::{BODY_FAMILY, FONT_PACKAGE, FontError, Fonts, SYSTEM_FONT_DIRS};
pub use notice::{
    Deadline, Decision, Deficiency, FeeLine, Notice, NoticeBody, NoticeKind, ReceivedMaterial,
};
pub use source::{chinese_date, string_literal, typst_source, yuan, yuan_in_words};

/// Rendering a notice failed.
#[derive(Debug, thiserror::Error)]
pub enum NoticeError {
    /// The inquiry address does not fit in a QR code.
    #[error("the inquiry address cannot be put in a QR code: {0}")]
    QrCode(String),
    /// typst reported errors or warnings, e.g. an unknown font family.
    #[error("typesetting the notice failed: {}", .0.join("; "))]
    Typeset(Vec<String>),
    /// Some characters have no glyph in the loaded fonts and would print as
    /// empty boxes, e.g. a rare character in a name.
    #[error("no font can draw these characters: {0}")]
    MissingGlyphs(String),
    /// The PDF export failed.
    #[error("exporting the notice as PDF failed: {}", .0.join("; "))]
    Pdf(Vec<String>),
}

/// Typesets `notice` and returns the PDF file's bytes.
///
/// CPU-bound (typesetting, font subsetting, compression; typst may also use
/// rayon's global pool): call it from `spawn_blocking` in async code. Safe to
/// call from several threads at once with one shared [`Fonts`].
pub fn render_pdf(notice: &Notice, fonts: &Fonts) -> Result<Vec<u8>, NoticeError> {
    let document = compile(notice, fonts)?;
    let options = PdfOptions {
        // A stable identifier, so the same notice gives the same file.
        ident: Smart::Custom(format!(
            "govhall/{}/{}",
            notice.case_no,
            notice.kind().slug()
        )),
        creator: Smart::Custom(Some("govhall".to_owned())),
        ..PdfOptions::default()
    };
    typst_pdf::pdf(&document, &options).map_err(|errors| NoticeError::Pdf(messages(&errors)))
}

/// Typesets `notice` into typst's page frames, checking that every character
/// has a glyph.
fn compile(notice: &Notice, fonts: &Fonts) -> Result<PagedDocument, NoticeError> {
    let qr = QrCode::with_error_correction_level(notice.inquiry_url.as_bytes(), EcLevel::M)
        .map_err(|err| NoticeError::QrCode(err.to_string()))?;
    let qr_svg = qr
        .render::<qrcode::render::svg::Color<'_>>()
        .quiet_zone(false)
        .build();
    let today = Datetime::from_ymd(
        chrono::Datelike::year(&notice.issued_on),
        chrono::Datelike::month(&notice.issued_on) as u8,
        chrono::Datelike::day(&notice.issued_on) as u8,
    );
    let world = world::NoticeWorld::new(fonts, typst_source(notice), qr_svg, today);
    let Warned { output, warnings } = typst::compile::<PagedDocument>(&world);
    // typst memoises across compilations in global caches; drop what the last
    // few renders did not use, so a long-running server does not grow.
    typst::comemo::evict(10);
    let document = output.map_err(|errors| NoticeError::Typeset(messages(&errors)))?;
    if !warnings.is_empty() {
        return Err(NoticeError::Typeset(messages(&warnings)));
    }
    let missing = missing_glyphs(&document);
    if !missing.is_empty() {
        return Err(NoticeError::MissingGlyphs(missing));
    }
    Ok(document)
}

fn messages(diagnostics: &[SourceDiagnostic]) -> Vec<String> {
    diagnostics
        .iter()
        .map(|diagnostic| diagnostic.message.to_string())
        .collect()
}

/// The characters typst had to draw with glyph 0 (.notdef, an empty box).
fn missing_glyphs(document: &PagedDocument) -> String {
    let mut missing = String::new();
    for page in document.pages() {
        visit_text(&page.frame, &mut |item| {
            for glyph in item.glyphs.iter().filter(|glyph| glyph.id == 0) {
                for c in item.text[glyph.range()].chars() {
                    if !missing.contains(c) {
                        missing.push(c);
                    }
                }
            }
        });
    }
    missing
}

/// Calls `f` with every run of text in `frame` and its groups, in order.
fn visit_text(frame: &Frame, f: &mut impl FnMut(&typst::text::TextItem)) {
    for (_, item) in frame.items() {
        match item {
            FrameItem::Group(group) => visit_text(&group.frame, f),
            FrameItem::Text(text) => f(text),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests;
