//! Checking JSON against the schemas of an OpenAPI or AsyncAPI document (both keep them under
//! `components.schemas`, as JSON Schema 2020-12, and refer to them as `#/components/schemas/..`).
//! Included with `#[path]` by the tests that need it, so the others do not build it.

use serde_json::Value;

/// A validator for `schema`, whose `$ref`s point into `doc`'s components; formats
/// (`date-time`, `date`) are checked too.
pub fn validator(doc: &Value, schema: &Value) -> jsonschema::Validator {
    let mut root = schema.as_object().expect("a schema object").clone();
    root.insert("components".into(), doc["components"].clone());
    root.insert(
        "$schema".into(),
        "https://json-schema.org/draft/2020-12/schema".into(),
    );
    jsonschema::options()
        .should_validate_formats(true)
        .build(&Value::Object(root))
        .unwrap_or_else(|e| panic!("the schema does not compile: {e}\n{schema}"))
}

/// Panic, naming `what` and every violation, unless `value` matches `schema`.
pub fn assert_valid(doc: &Value, schema: &Value, value: &Value, what: &str) {
    let errors: Vec<String> = validator(doc, schema)
        .iter_errors(value)
        .map(|e| {
            // A failed `oneOf` repeats the whole instance: keep the message readable.
            let message: String = e.to_string().chars().take(300).collect();
            format!("{message} at {}", e.instance_path())
        })
        .collect();
    assert!(
        errors.is_empty(),
        "{what}: does not match its schema: {errors:#?}\n{value}"
    );
}
