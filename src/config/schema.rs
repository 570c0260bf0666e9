//! The configuration keys, read from the serde definitions themselves so the list can never
//! drift from the structs: a deserializer that only records the field names it is asked for.

use serde::de::{self, DeserializeOwned, Visitor};

use super::{BranchesConfig, LintConfig, NewsConfig, SeriesConfig, ServiceConfig};

/// Field names of a `#[derive(Deserialize)]` struct.
pub fn field_names<T: DeserializeOwned>() -> &'static [&'static str] {
    let mut fields = None;
    let _ = T::deserialize(FieldRecorder(&mut fields));
    fields.unwrap_or(&[])
}

/// Every section with its keys. `Config`'s own fields must match these names (tested).
pub fn sections() -> Vec<(&'static str, &'static [&'static str])> {
    vec![
        ("service", field_names::<ServiceConfig>()),
        ("branches", field_names::<BranchesConfig>()),
        ("lint", field_names::<LintConfig>()),
        ("news", field_names::<NewsConfig>()),
        ("series", field_names::<SeriesConfig>()),
    ]
}

/// Every key as `section.key`.
pub fn keys() -> Vec<String> {
    sections()
        .into_iter()
        .flat_map(|(section, fields)| fields.iter().map(move |f| format!("{section}.{f}")))
        .collect()
}

struct FieldRecorder<'a>(&'a mut Option<&'static [&'static str]>);

impl<'de> de::Deserializer<'de> for FieldRecorder<'_> {
    type Error = de::value::Error;

    fn deserialize_any<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, Self::Error> {
        Err(de::Error::custom("only structs are recorded"))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value, Self::Error> {
        *self.0 = Some(fields);
        Err(de::Error::custom("recorded"))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
        ignored_any
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    #[test]
    fn sections_cover_every_field_of_config() {
        let listed: Vec<&str> = sections().iter().map(|(name, _)| *name).collect();
        assert_eq!(listed, field_names::<Config>());
    }

    #[test]
    fn keys_are_dotted() {
        let keys = keys();
        assert!(keys.contains(&"lint.preset".to_owned()));
        assert!(keys.contains(&"branches.bugfix".to_owned()));
    }
}
