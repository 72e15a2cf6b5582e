//! The NDJSON export agrees with the Quickwit and OpenSearch mappings in
//! `index-schema/`, so a user who outgrows one machine can load it as is.

use crate::harness::{root, Dir};
use serde_json::Value;

fn records() -> Vec<Value> {
    let dir = Dir::new();
    let letters = dir.with_samples();
    dir.ok(&["index", letters.to_str().unwrap(), "--quiet"]);
    let out = dir.ok(&["export", "--format", "ndjson"]);
    out.lines()
        .map(|l| serde_json::from_str(l).expect("NDJSON line"))
        .collect()
}

fn load(name: &str) -> Value {
    let text = std::fs::read_to_string(root().join("index-schema").join(name)).expect(name);
    serde_json::from_str(&text).expect(name)
}

fn is_date(v: &Value) -> bool {
    v.as_str()
        .is_some_and(|s| s.len() == 10 && s.as_bytes()[4] == b'-' && s.as_bytes()[7] == b'-')
}

/// Checks a value against a Quickwit field mapping type.
fn quickwit_ok(ty: &str, mapping: &Value, v: &Value, path: &str, errors: &mut Vec<String>) {
    if v.is_null() {
        return;
    }
    let ok = match ty {
        "text" => v.is_string(),
        "u64" => v.is_u64(),
        "bool" => v.is_boolean(),
        "datetime" => is_date(v),
        "array<text>" => v.as_array().is_some_and(|a| a.iter().all(Value::is_string)),
        "array<u64>" => v.as_array().is_some_and(|a| a.iter().all(Value::is_u64)),
        "object" => {
            quickwit_fields(&mapping["field_mappings"], v, path, errors);
            v.is_object()
        }
        _ => false,
    };
    if !ok {
        errors.push(format!("quickwit: {path} is {v}, mapped as {ty}"));
    }
}

fn quickwit_fields(mappings: &Value, record: &Value, path: &str, errors: &mut Vec<String>) {
    let mappings = mappings.as_array().expect("field_mappings");
    for (key, v) in record.as_object().expect("object") {
        let p = format!("{path}{key}");
        match mappings.iter().find(|m| m["name"] == key.as_str()) {
            Some(m) => quickwit_ok(
                m["type"].as_str().unwrap_or(""),
                m,
                v,
                &format!("{p}."),
                errors,
            ),
            None => errors.push(format!("quickwit: {p} is not mapped")),
        }
    }
}

/// Checks a value against an OpenSearch property (any field may be an array).
fn opensearch_ok(prop: &Value, v: &Value, path: &str, errors: &mut Vec<String>) {
    if v.is_null() {
        return;
    }
    if let Some(items) = v.as_array() {
        for item in items {
            opensearch_ok(prop, item, path, errors);
        }
        return;
    }
    let ty = prop["type"].as_str().unwrap_or("");
    let ok = match ty {
        "keyword" | "text" => v.is_string(),
        "integer" => v.is_i64(),
        "boolean" => v.is_boolean(),
        "date" => is_date(v),
        "object" => {
            for (key, inner) in v.as_object().into_iter().flatten() {
                match prop["properties"].get(key) {
                    Some(p) => opensearch_ok(p, inner, &format!("{path}.{key}"), errors),
                    None => errors.push(format!("opensearch: {path}.{key} is not mapped")),
                }
            }
            v.is_object()
        }
        _ => false,
    };
    if !ok {
        errors.push(format!("opensearch: {path} is {v}, mapped as {ty}"));
    }
}

#[test]
fn the_export_matches_the_quickwit_and_opensearch_mappings() {
    let records = records();
    assert_eq!(records.len(), 25);
    let quickwit = load("quickwit-index.json");
    let opensearch = load("opensearch-mapping.json");
    let props = &opensearch["mappings"]["properties"];
    let mut errors = Vec::new();
    for r in &records {
        quickwit_fields(
            &quickwit["doc_mapping"]["field_mappings"],
            r,
            "",
            &mut errors,
        );
        for (key, v) in r.as_object().unwrap() {
            match props.get(key) {
                Some(p) => opensearch_ok(p, v, key, &mut errors),
                None => errors.push(format!("opensearch: {key} is not mapped")),
            }
        }
    }
    errors.sort();
    errors.dedup();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    // Every mapped top-level field is exported (the mappings hold no stale fields).
    for m in quickwit["doc_mapping"]["field_mappings"]
        .as_array()
        .unwrap()
    {
        let name = m["name"].as_str().unwrap();
        assert!(
            records.iter().any(|r| r.get(name).is_some()),
            "quickwit maps {name}, the export lacks it"
        );
    }
    for name in props.as_object().unwrap().keys() {
        assert!(
            records.iter().any(|r| r.get(name).is_some()),
            "opensearch maps {name}, the export lacks it"
        );
    }
}
