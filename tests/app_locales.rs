#![allow(clippy::unwrap_used)]
//! Every locale has exactly the keys English has, and every file parses.

use std::collections::BTreeSet;

use session::i18n::{keys, parse_errors, I18n, Language};

#[test]
fn every_locale_has_exactly_the_english_keys() {
    let english: BTreeSet<String> = keys(Language::English.source()).into_iter().collect();
    assert!(
        english.len() > 50,
        "English has only {} keys",
        english.len()
    );
    let mut problems = Vec::new();
    for language in Language::ALL {
        let source = language.source();
        let errors = parse_errors(source);
        if !errors.is_empty() {
            problems.push(format!("{}: parse errors {errors:?}", language.tag()));
        }
        let list = keys(source);
        let found: BTreeSet<String> = list.iter().cloned().collect();
        if found.len() != list.len() {
            problems.push(format!("{}: duplicate keys", language.tag()));
        }
        for missing in english.difference(&found) {
            problems.push(format!("{}: missing key {missing}", language.tag()));
        }
        for extra in found.difference(&english) {
            problems.push(format!(
                "{}: key {extra} that English lacks",
                language.tag()
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn keys_used_in_the_source_exist_in_english() {
    let english: BTreeSet<String> = keys(Language::English.source()).into_iter().collect();
    let mut missing = Vec::new();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut stack = vec![root];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for pattern in ["tr(\"", "tr_args(\"", "tr_count(\"", "tr_args_count(\""] {
                for (at, _) in text.match_indices(pattern) {
                    let rest = &text[at + pattern.len()..];
                    let key: String = rest.chars().take_while(|c| *c != '"').collect();
                    if !english.contains(&key) {
                        missing.push(format!("{}: {key}", path.display()));
                    }
                }
            }
        }
    }
    assert!(missing.is_empty(), "keys not in en/main.ftl: {missing:?}");
}

#[test]
fn translations_differ_from_english_and_take_arguments() {
    let en = I18n::new(Language::English);
    for language in Language::ALL.into_iter().skip(1) {
        let i18n = I18n::new(language);
        assert_ne!(
            i18n.tr("create-account"),
            en.tr("create-account"),
            "{} is not translated",
            language.tag()
        );
        let typing = i18n.tr_args("typing", &[("name", "Alice".to_owned())]);
        assert!(typing.contains("Alice"), "{}: {typing}", language.tag());
    }
}

#[test]
fn system_locale_tags_map_to_languages() {
    assert_eq!(Language::from_locale("de-AT"), Some(Language::German));
    assert_eq!(
        Language::from_locale("zh_CN.UTF-8"),
        Some(Language::ChineseSimplified)
    );
    assert_eq!(Language::from_locale("fr"), Some(Language::French));
    assert_eq!(Language::from_locale("pt-BR"), None);
}
