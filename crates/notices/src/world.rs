//! The typst world of one render: three in-memory files and the loaded fonts.
//!
//! It serves the generated main file, the bundled template and the QR code's
//! SVG, and nothing else: any other path is "not found", so a document can
//! neither read the disk nor import a package (which would mean a download).

use std::sync::LazyLock;

use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

use crate::fonts::Fonts;
use crate::source::{QR_PATH, TEMPLATE_PATH};

/// The standard library is the same for every render; build it once.
static LIBRARY: LazyLock<LazyHash<Library>> = LazyLock::new(|| LazyHash::new(Library::default()));

/// The template's source, parsed once.
static TEMPLATE: LazyLock<Source> = LazyLock::new(|| {
    Source::new(
        file_id(TEMPLATE_PATH),
        include_str!("notice.typ").to_owned(),
    )
});

pub(crate) struct NoticeWorld<'a> {
    fonts: &'a Fonts,
    main: Source,
    qr_id: FileId,
    qr_svg: Bytes,
    today: Option<Datetime>,
}

impl<'a> NoticeWorld<'a> {
    pub(crate) fn new(
        fonts: &'a Fonts,
        main: String,
        qr_svg: String,
        today: Option<Datetime>,
    ) -> Self {
        NoticeWorld {
            fonts,
            main: Source::new(file_id("/main.typ"), main),
            qr_id: file_id(QR_PATH),
            qr_svg: Bytes::from_string(qr_svg),
            today,
        }
    }
}

impl World for NoticeWorld<'_> {
    fn library(&self) -> &LazyHash<Library> {
        &LIBRARY
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.fonts.book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else if id == TEMPLATE.id() {
            Ok(TEMPLATE.clone())
        } else {
            Err(not_found(id))
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.qr_id {
            Ok(self.qr_svg.clone())
        } else {
            self.source(id)
                .map(|source| Bytes::from_string(source.text().to_owned()))
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.fonts.faces.get(index).cloned()
    }

    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        self.today
    }
}

fn file_id(path: &str) -> FileId {
    let path = VirtualPath::new(path).expect("the world's own paths are valid virtual paths");
    RootedPath::new(VirtualRoot::Project, path).intern()
}

fn not_found(id: FileId) -> FileError {
    FileError::NotFound(id.vpath().get_without_slash().into())
}
