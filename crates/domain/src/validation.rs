//! Field-level validation errors shared by every input type.
//!
//! A `FieldError` carries a stable machine code (for scripts), the field path
//! (for forms: `materials[2].name`) and a Chinese message for people.

use serde::Serialize;

/// One thing wrong with one field of an input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    pub code: &'static str,
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(code: &'static str, field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            code,
            field: field.into(),
            message: message.into(),
        }
    }
}

/// Every problem found in one input, in the order the fields were checked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ValidationErrors(pub Vec<FieldError>);

impl ValidationErrors {
    pub fn push(&mut self, e: FieldError) {
        self.0.push(e);
    }

    pub fn add(
        &mut self,
        code: &'static str,
        field: impl Into<String>,
        message: impl Into<String>,
    ) {
        self.0.push(FieldError::new(code, field, message));
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The first error: the one an API answer names.
    pub fn first(&self) -> Option<&FieldError> {
        self.0.first()
    }

    /// `Ok(value)` when nothing was recorded.
    pub fn into_result<T>(self, value: T) -> Result<T, ValidationErrors> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            Err(self)
        }
    }
}

impl From<FieldError> for ValidationErrors {
    fn from(e: FieldError) -> Self {
        Self(vec![e])
    }
}

impl std::fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self
            .0
            .iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect();
        f.write_str(&parts.join("; "))
    }
}

impl std::error::Error for ValidationErrors {}

/// Trims `raw` and checks it is non-empty and at most `max` characters.
pub(crate) fn text(
    errors: &mut ValidationErrors,
    field: &str,
    label: &str,
    raw: &str,
    max: usize,
    required: bool,
) -> String {
    let t = raw.trim();
    if required && t.is_empty() {
        errors.add("field.required", field, format!("{label}不能为空"));
    } else if t.chars().count() > max {
        errors.add(
            "field.too_long",
            field,
            format!("{label}不能超过{max}个字符"),
        );
    }
    t.to_string()
}
