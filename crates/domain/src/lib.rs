//! The rules of govhall as plain Rust: types that are valid once built, and
//! pure functions over them.
//!
//! This crate deliberately knows nothing of HTTP, SQL, async or the clock.
//! Whoever needs "now" passes it in, so every rule can be tested standing on
//! any date.

mod macros {
    /// Generates a string-backed enum with its stable code, Chinese label and parser.
    macro_rules! coded_enum {
        ($(#[$meta:meta])* $name:ident { $($variant:ident = $code:literal, $label:literal;)+ }) => {
            $(#[$meta])*
            #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
            pub enum $name { $(#[serde(rename = $code)] $variant),+ }

            impl $name {
                pub const ALL: &'static [$name] = &[$($name::$variant),+];

                /// The stable code stored in the database and used by the API.
                pub fn code(self) -> &'static str {
                    match self { $($name::$variant => $code),+ }
                }

                /// The Chinese name shown to people.
                pub fn label(self) -> &'static str {
                    match self { $($name::$variant => $label),+ }
                }

                /// Accepts the code or the Chinese label.
                pub fn parse(raw: &str) -> Option<Self> {
                    let t = raw.trim();
                    $name::ALL.iter().copied().find(|v| v.code() == t || v.label() == t)
                }
            }

            impl std::fmt::Display for $name {
                fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.write_str(self.label())
                }
            }
        };
    }
    pub(crate) use coded_enum;
}

pub mod access;
pub mod calendar;
pub mod case;
pub mod catalogue;
pub mod center;
pub mod complaint;
pub mod hall;
pub mod identity;
pub mod queue;
pub mod rating;
pub mod report;
pub mod room;
pub mod scoring;
pub mod staff;
pub mod stats;
pub mod supervision;
pub mod validation;

pub use validation::{FieldError, ValidationErrors};
