//! Property-based fuzzing of the audit export reader: an auditor may be handed any file. Whatever
//! it holds, verification answers (intact or a named fault) without panicking. (That an edited
//! real export is caught is tested with the exports themselves.)

use custodian_audit::verify_export;
use proptest::prelude::*;

const KEY: &str = "custodian.local/audit+01234567+AQ==";

fn json_like() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just("null".to_string()),
        Just("\"custodian-audit-export-v1\"".to_string()),
        "-?[0-9]{1,20}",
        "\"\\PC{0,20}\"",
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..8)
                .prop_map(|v| format!("[{}]", v.join(","))),
            proptest::collection::vec(
                (
                    prop_oneof![
                        Just("format"),
                        Just("practice_id"),
                        Just("from"),
                        Just("to"),
                        Just("checkpoint"),
                        Just("count"),
                        Just("events"),
                        Just("leaf_index"),
                        Just("record"),
                        Just("proof"),
                    ],
                    inner
                ),
                0..8
            )
            .prop_map(|v| format!(
                "{{{}}}",
                v.iter()
                    .map(|(k, x)| format!("\"{k}\":{x}"))
                    .collect::<Vec<_>>()
                    .join(",")
            )),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn any_text_is_answered_without_panicking(text in "\\PC{0,400}") {
        let _ = verify_export(&text, KEY);
    }

    #[test]
    fn any_json_shaped_export_is_answered_without_panicking(text in json_like(), key in "\\PC{0,60}") {
        let _ = verify_export(&text, KEY);
        let _ = verify_export(&text, &key);
    }
}
