//! From JSON text to a document: serde with the field path kept, serde's messages turned into
//! ours, and the checks that span several fields (codes used once).

use crate::error::DomainError;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::collections::BTreeSet;

/// A reading problem: the file, the field path and what is wrong, in one message.
pub(super) fn error(file: &str, path: &str, problem: impl Into<String>) -> DomainError {
    DomainError::new("document", format!("{file}: {path}: {}", problem.into()))
}

/// `path.key`, or `key` at the top.
pub(super) fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

/// Reads a document of type `T` from `json`, naming `file` and the field path of the first
/// problem in its shape.
///
/// The text is parsed into a [`Value`] first, so that a syntax error keeps its line and column
/// and so that the JSON can be looked at once more after serde has accepted it (see
/// [`positional_struct`]).
pub(super) fn read<T: DeserializeOwned>(file: &str, json: &str) -> Result<T, DomainError> {
    let value: Value = serde_json::from_str(json).map_err(|e| {
        error(
            file,
            &format!("line {} column {}", e.line(), e.column()),
            format!("not JSON: {e}"),
        )
    })?;
    if !value.is_object() {
        return Err(error(file, "(top)", "must be an object"));
    }
    let document = serde_path_to_error::deserialize(&value).map_err(|e| {
        let (path, problem) = explain(&e.path().to_string(), e.inner());
        error(file, &path, problem)
    })?;
    if let Some(path) = positional_struct(&value, "") {
        return Err(error(file, &path, "must be an object"));
    }
    Ok(document)
}

/// Serde's account of a problem at `path`, in the reader's terms: the path of the field itself
/// (serde names a missing field only in its message, at the path of the object that lacks it)
/// and what is wrong with it. The messages of [`field`] pass through as they are.
pub(super) fn explain(path: &str, err: &serde_json::Error) -> (String, String) {
    let at = if path == "." { "" } else { path };
    let message = err.to_string();
    if let Some(rest) = message.strip_prefix("missing field `") {
        let name = rest.trim_end_matches('`');
        // An initiative's amount may be null but must be written, so that a forgotten amount
        // is not read as "the document gives none".
        let is_initiative = at.starts_with("initiatives[") && !at.contains('.');
        let problem = if is_initiative && name == "amount_ore" {
            "is missing (write null when the document gives no amount)"
        } else {
            "is missing"
        };
        return (join(at, name), problem.to_owned());
    }
    if let Some(rest) = message.strip_prefix("unknown field `") {
        // "unknown field `x`, expected one of `a`, `b`": the path already ends in `x`.
        let expected = rest
            .split_once(", ")
            .map_or("", |(_, e)| e)
            .replace('`', "");
        return (at.to_owned(), format!("is not a field here; {expected}"));
    }
    let at = if at.is_empty() { "(top)" } else { at };
    (at.to_owned(), message)
}

/// The path of a struct written as a list of its fields, if the document has one.
///
/// Serde's derive reads a struct from a list of its field values in order as well as from an
/// object; the interchange format writes every struct as an object. Structs sit only at the
/// top (checked before serde runs) and directly inside lists, and no list of the format holds
/// lists, so a list inside a list is such a struct. Looked for only after serde has accepted
/// the document, so that a list where text belongs is reported as serde reports it.
pub(super) fn positional_struct(value: &Value, path: &str) -> Option<String> {
    match value {
        Value::Array(items) => items.iter().enumerate().find_map(|(i, item)| {
            let at = format!("{path}[{i}]");
            if item.is_array() {
                Some(at)
            } else {
                positional_struct(item, &at)
            }
        }),
        Value::Object(fields) => fields
            .iter()
            .find_map(|(key, item)| positional_struct(item, &join(path, key))),
        _ => None,
    }
}

/// The codes of a list, each used once; `list` names the list in the error.
pub(super) fn unique<'a>(
    file: &str,
    codes: impl Iterator<Item = &'a str>,
    list: &str,
) -> Result<BTreeSet<&'a str>, DomainError> {
    let mut seen = BTreeSet::new();
    for (i, code) in codes.enumerate() {
        if !seen.insert(code) {
            return Err(error(
                file,
                &format!("{list}[{i}].code"),
                format!("'{code}' is used twice"),
            ));
        }
    }
    Ok(seen)
}
