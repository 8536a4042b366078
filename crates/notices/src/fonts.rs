//! The fonts notices are set in, loaded once and shared by every render.
//!
//! Notices need a CJK serif: the template asks for the family
//! [`BODY_FAMILY`] ("Noto Serif CJK SC"), which Debian ships in the package
//! `fonts-noto-cjk` as the collections `NotoSerifCJK-Regular.ttc` and
//! `NotoSerifCJK-Bold.ttc` (each holding the JP, KR, SC, TC and HK faces;
//! every face of a collection is loaded). Noto CJK covers Latin letters and
//! digits too, so no other font is needed and typst's own fonts are not used.
//!
//! Loading reads the files into memory (about 50 MB for the two serif
//! collections) and parses each face's tables, which takes a fraction of a
//! second: do it once at start and share the [`Fonts`] (it is `Send + Sync`;
//! clones of the faces are reference-counted).

use std::path::{Path, PathBuf};

use typst::foundations::Bytes;
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;

/// The font family the template sets every notice in.
pub const BODY_FAMILY: &str = "Noto Serif CJK SC";

/// The Debian package providing [`BODY_FAMILY`].
pub const FONT_PACKAGE: &str = "fonts-noto-cjk";

/// Where distributions put the Noto CJK collections: Debian and Ubuntu first,
/// then Fedora and Arch, then fonts installed by hand.
pub const SYSTEM_FONT_DIRS: [&str; 5] = [
    "/usr/share/fonts/opentype/noto",
    "/usr/share/fonts/google-noto-cjk",
    "/usr/share/fonts/noto-cjk",
    "/usr/share/fonts/truetype/noto",
    "/usr/local/share/fonts",
];

/// The file names [`Fonts::system`] loads from a system directory.
const SYSTEM_FONT_FILES: [&str; 2] = ["NotoSerifCJK-Regular.ttc", "NotoSerifCJK-Bold.ttc"];

/// Loading fonts failed.
#[derive(Debug, thiserror::Error)]
pub enum FontError {
    /// No font of the family the notices need was found.
    #[error(
        "no CJK font for notices: the font family \"{BODY_FAMILY}\" was not found in {}; \
         install the Debian package {FONT_PACKAGE} (apt-get install {FONT_PACKAGE}) \
         or point Fonts::from_dir at a directory holding NotoSerifCJK-Regular.ttc",
        searched.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
    )]
    NoCjkFont {
        /// The directories looked in.
        searched: Vec<PathBuf>,
    },
    /// A font file or directory could not be read.
    #[error("cannot read fonts at {path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A file had a font extension but held no font typst can parse.
    #[error("{path} is not a font file typst can read")]
    Unparsable {
        /// The file.
        path: PathBuf,
    },
}

/// The loaded font faces and typst's index of them.
pub struct Fonts {
    pub(crate) book: LazyHash<FontBook>,
    pub(crate) faces: Vec<Font>,
    pub(crate) files: Vec<PathBuf>,
}

impl Fonts {
    /// Loads the Noto Serif CJK collections from the first of
    /// [`SYSTEM_FONT_DIRS`] that holds `NotoSerifCJK-Regular.ttc`.
    ///
    /// Fails with [`FontError::NoCjkFont`], naming the package to install,
    /// when none does.
    pub fn system() -> Result<Fonts, FontError> {
        for dir in SYSTEM_FONT_DIRS {
            let dir = Path::new(dir);
            if !dir.join(SYSTEM_FONT_FILES[0]).is_file() {
                continue;
            }
            let files = SYSTEM_FONT_FILES
                .iter()
                .map(|name| dir.join(name))
                .filter(|path| path.is_file())
                .collect::<Vec<_>>();
            return Fonts::from_files(files, &[dir.to_path_buf()]);
        }
        Err(FontError::NoCjkFont {
            searched: SYSTEM_FONT_DIRS.iter().map(PathBuf::from).collect(),
        })
    }

    /// Loads every `.ttc`, `.otf` and `.ttf` file directly in `dir` (not in
    /// subdirectories), each face of a collection included.
    ///
    /// Fails with [`FontError::NoCjkFont`] when none of them is of the family
    /// [`BODY_FAMILY`].
    pub fn from_dir(dir: impl AsRef<Path>) -> Result<Fonts, FontError> {
        let dir = dir.as_ref();
        let io = |source| FontError::Io {
            path: dir.to_path_buf(),
            source,
        };
        let mut files = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(io)? {
            let path = entry.map_err(io)?.path();
            let is_font = path
                .extension()
                .and_then(|ext| ext.to_str())
                .is_some_and(|ext| {
                    ["ttc", "otf", "ttf"]
                        .iter()
                        .any(|known| ext.eq_ignore_ascii_case(known))
                });
            if is_font && path.is_file() {
                files.push(path);
            }
        }
        // Sorted, so that the font book's order does not depend on the directory's.
        files.sort();
        Fonts::from_files(files, &[dir.to_path_buf()])
    }

    /// The files the faces were loaded from.
    pub fn files(&self) -> &[PathBuf] {
        &self.files
    }

    /// The distinct family names loaded, e.g. "Noto Serif CJK SC".
    pub fn families(&self) -> Vec<&str> {
        let mut families = self
            .faces
            .iter()
            .map(|face| face.info().family.as_str())
            .collect::<Vec<_>>();
        families.sort_unstable();
        families.dedup();
        families
    }

    fn from_files(files: Vec<PathBuf>, searched: &[PathBuf]) -> Result<Fonts, FontError> {
        let mut faces = Vec::new();
        for path in &files {
            let data = std::fs::read(path).map_err(|source| FontError::Io {
                path: path.clone(),
                source,
            })?;
            let before = faces.len();
            faces.extend(Font::iter(Bytes::new(data)));
            if faces.len() == before {
                return Err(FontError::Unparsable { path: path.clone() });
            }
        }
        let book = FontBook::from_fonts(&faces);
        if !book.contains_family(&BODY_FAMILY.to_lowercase()) {
            return Err(FontError::NoCjkFont {
                searched: searched.to_vec(),
            });
        }
        Ok(Fonts {
            book: LazyHash::new(book),
            faces,
            files,
        })
    }
}

impl std::fmt::Debug for Fonts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fonts")
            .field("files", &self.files)
            .field("faces", &self.faces.len())
            .finish()
    }
}
