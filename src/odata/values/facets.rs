//! Checks of a value against its property's facets (`MaxLength`, `Precision`, `Scale`).

use super::{Value, ValueError};
use crate::odata::metadata::Property;

/// Checks `value` against `property`'s facets: string length (in characters) against
/// `MaxLength`, decimal digits against `Precision` and `Scale` (trailing zeros ignored).
/// Null and other types always pass.
pub fn check_facets(property: &Property, value: &Value) -> Result<(), ValueError> {
    match value {
        Value::String(s) => {
            if let Some(max) = property.max_length {
                let length = s.chars().count();
                if length > max as usize {
                    return Err(ValueError::Facet(format!(
                        "{length} characters is longer than the maximum of {max}"
                    )));
                }
            }
        }
        Value::Decimal(d) => {
            if let Some(scale) = property.scale
                && d.scale() > scale as usize
            {
                return Err(ValueError::Facet(format!(
                    "{d} has more than {scale} decimal place(s)"
                )));
            }
            if let Some(precision) = property.precision {
                let allowed_integer =
                    precision.saturating_sub(property.scale.unwrap_or(0)) as usize;
                if d.integer_digits() + d.scale() > precision as usize
                    || d.integer_digits() > allowed_integer
                {
                    return Err(ValueError::Facet(format!(
                        "{d} does not fit precision {precision}{}",
                        property
                            .scale
                            .map(|s| format!(", scale {s}"))
                            .unwrap_or_default()
                    )));
                }
            }
        }
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::odata::metadata::TypeRef;
    use crate::odata::values::EdmDecimal;

    fn prop(
        type_name: &str,
        max_length: Option<u32>,
        precision: Option<u32>,
        scale: Option<u32>,
    ) -> Property {
        Property {
            name: "P".into(),
            type_ref: TypeRef::parse(type_name),
            nullable: true,
            max_length,
            precision,
            scale,
            default_value: None,
            annotations: Default::default(),
        }
    }

    fn dec(text: &str) -> Value {
        Value::Decimal(EdmDecimal::parse(text).unwrap())
    }

    #[test]
    fn string_max_length_counts_characters() {
        let p = prop("Edm.String", Some(4), None, None);
        assert!(check_facets(&p, &Value::String("éééé".into())).is_ok());
        let err = check_facets(&p, &Value::String("abcde".into())).unwrap_err();
        assert_eq!(
            err.to_string(),
            "5 characters is longer than the maximum of 4"
        );
        assert!(
            check_facets(
                &prop("Edm.String", None, None, None),
                &Value::String("x".repeat(999))
            )
            .is_ok()
        );
    }

    #[test]
    fn decimal_precision_and_scale() {
        let p = prop("Edm.Decimal", None, Some(32), Some(6));
        assert!(check_facets(&p, &dec("12345678901234567890123456.123456")).is_ok());
        assert!(
            check_facets(&p, &dec("1.1234560")).is_ok(),
            "trailing zeros do not count"
        );
        let err = check_facets(&p, &dec("1.1234567")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "1.1234567 has more than 6 decimal place(s)"
        );
        assert!(check_facets(&p, &dec("123456789012345678901234567")).is_err());
        let p = prop("Edm.Decimal", None, Some(5), None);
        assert!(check_facets(&p, &dec("123.45")).is_ok());
        assert!(check_facets(&p, &dec("123.456")).is_err());
        assert!(check_facets(&p, &Value::Null).is_ok());
    }
}
