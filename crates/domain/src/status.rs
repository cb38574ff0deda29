//! Statuses: each a closed list of words, stored and sent as those words, compared as a type.

/// Declares a status: an enum whose variants are stored and sent as the given words, each the
/// variant's name in snake case (`as_str`, `parse`, `Display`, serde and the API schema all
/// agree: the tests below hold every status to it).
macro_rules! status_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident => $word:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        #[derive(serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $word),+
                }
            }

            pub fn parse(s: &str) -> Option<Self> {
                match s {
                    $($word => Some($name::$variant),)+
                    _ => None,
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use status_enum;

#[cfg(test)]
mod tests {
    use crate::csv_import::ImportStatus;
    use crate::identity::{GrantStatus, LeaverStatus, RequestStatus};

    /// Each word is what serde writes and reads, and what the API document lists.
    fn agree<T>(all: &[T], as_str: fn(&T) -> &'static str)
    where
        T: serde::Serialize + serde::de::DeserializeOwned + utoipa::PartialSchema + PartialEq,
        T: std::fmt::Debug,
    {
        let schema = serde_json::to_value(T::schema()).unwrap();
        let listed: Vec<&str> = schema["enum"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        let words: Vec<&str> = all.iter().map(as_str).collect();
        assert_eq!(listed, words);
        for x in all {
            let written = serde_json::to_value(x).unwrap();
            assert_eq!(written, as_str(x));
            assert_eq!(&serde_json::from_value::<T>(written).unwrap(), x);
        }
    }

    #[test]
    fn every_status_is_written_sent_and_documented_as_its_word() {
        agree(RequestStatus::ALL, |s| s.as_str());
        agree(GrantStatus::ALL, |s| s.as_str());
        agree(LeaverStatus::ALL, |s| s.as_str());
        agree(ImportStatus::ALL, |s| s.as_str());
        agree(&crate::risks::ActionStatus::ALL, |s| s.as_str());
    }
}
