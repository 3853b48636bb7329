//! The JSON Schemas in docs/schema/ are generated from the shared types and must be current.

use crate::common::root;

#[test]
fn json_schemas_are_current() {
    let schemas = [
        ("input.schema.json", schemars::schema_for!(relgate::Input)),
        ("decision.schema.json", schemars::schema_for!(relgate::Verdict)),
    ];
    for (file, schema) in schemas {
        let generated = serde_json::to_string_pretty(&schema).unwrap() + "\n";
        let path = root().join("docs/schema").join(file);
        if std::env::var_os("UPDATE_SCHEMAS").is_some() {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &generated).unwrap();
            continue;
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == generated,
            "docs/schema/{file} is not current: regenerate it with `UPDATE_SCHEMAS=1 cargo test --test main schema` and commit it"
        );
    }
}
