//! OData URL literals (ABNF `primitiveLiteral`), before percent-encoding.

use super::{Value, base64};

impl Value {
    /// The literal as written in a URL (not yet percent-encoded): strings single-quoted with
    /// `'` doubled, GUIDs/dates/times/numbers bare, `duration'P1D'`, `binary'…'` (base64url),
    /// enums `Namespace.Type'Member'`, `null`; complex and collection values as JSON.
    pub fn to_url_literal(&self) -> String {
        match self {
            Self::Null => "null".to_owned(),
            Self::String(s) => quote(s),
            Self::Duration(d) => format!("duration'{d}'"),
            Self::Binary(bytes) => format!("binary'{}'", base64::encode_url_safe(bytes)),
            Self::Enum(e) => format!("{}'{}'", e.type_name, e.members.join(",")),
            Self::Complex(_) | Self::Collection(_) => self.to_json().to_string(),
            Self::Boolean(_)
            | Self::Byte(_)
            | Self::SByte(_)
            | Self::Int16(_)
            | Self::Int32(_)
            | Self::Int64(_)
            | Self::Decimal(_)
            | Self::Single(_)
            | Self::Double(_)
            | Self::Guid(_)
            | Self::Date(_)
            | Self::TimeOfDay(_)
            | Self::DateTimeOffset(_) => self.to_text(),
        }
    }
}

/// Quotes a string literal: `O'Neil` → `'O''Neil'`.
pub fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}
