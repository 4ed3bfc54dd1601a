//! Translations: Fluent files under `locales/<lang>/main.ftl`, built into the binary. The
//! language comes from the system locale unless the user picked one in the settings.

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use unic_langid::LanguageIdentifier;

/// A language the app is translated into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Language {
    /// English (the reference: every key exists here).
    English,
    /// German.
    German,
    /// French.
    French,
    /// Spanish.
    Spanish,
    /// Russian.
    Russian,
    /// Simplified Chinese.
    ChineseSimplified,
}

impl Language {
    /// Every language, English first.
    pub const ALL: [Language; 6] = [
        Language::English,
        Language::German,
        Language::French,
        Language::Spanish,
        Language::Russian,
        Language::ChineseSimplified,
    ];

    /// The BCP 47 tag, also the folder name under `locales/`.
    pub fn tag(self) -> &'static str {
        match self {
            Language::English => "en",
            Language::German => "de",
            Language::French => "fr",
            Language::Spanish => "es",
            Language::Russian => "ru",
            Language::ChineseSimplified => "zh-CN",
        }
    }

    /// The language's own name (shown in the picker).
    pub fn native_name(self) -> &'static str {
        match self {
            Language::English => "English",
            Language::German => "Deutsch",
            Language::French => "Français",
            Language::Spanish => "Español",
            Language::Russian => "Русский",
            Language::ChineseSimplified => "简体中文",
        }
    }

    /// The Fluent source.
    pub fn source(self) -> &'static str {
        match self {
            Language::English => include_str!("../locales/en/main.ftl"),
            Language::German => include_str!("../locales/de/main.ftl"),
            Language::French => include_str!("../locales/fr/main.ftl"),
            Language::Spanish => include_str!("../locales/es/main.ftl"),
            Language::Russian => include_str!("../locales/ru/main.ftl"),
            Language::ChineseSimplified => include_str!("../locales/zh-CN/main.ftl"),
        }
    }

    /// Parses a tag ("de", "de-AT", "zh_CN.UTF-8", …) to the closest language.
    pub fn from_locale(locale: &str) -> Option<Language> {
        let lower = locale.to_ascii_lowercase().replace('_', "-");
        let primary = lower.split(['-', '.', '@']).next().unwrap_or("");
        match primary {
            "en" => Some(Language::English),
            "de" => Some(Language::German),
            "fr" => Some(Language::French),
            "es" => Some(Language::Spanish),
            "ru" => Some(Language::Russian),
            "zh" => Some(Language::ChineseSimplified),
            _ => None,
        }
    }

    /// The system's language if the app has it, else English.
    pub fn system() -> Language {
        sys_locale::get_locales()
            .find_map(|l| Language::from_locale(&l))
            .unwrap_or(Language::English)
    }
}

/// The loaded strings of one language, with English as the fallback for missing keys.
pub struct I18n {
    language: Language,
    bundle: FluentBundle<FluentResource>,
    fallback: Option<FluentBundle<FluentResource>>,
}

impl std::fmt::Debug for I18n {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("I18n")
            .field("language", &self.language)
            .finish()
    }
}

fn bundle(language: Language) -> FluentBundle<FluentResource> {
    let id: LanguageIdentifier = language
        .tag()
        .parse()
        .unwrap_or_else(|_| LanguageIdentifier::default());
    let mut bundle = FluentBundle::new_concurrent(vec![id]);
    // No Unicode isolation marks: the fonts draw them as boxes.
    bundle.set_use_isolating(false);
    let resource = match FluentResource::try_new(language.source().to_owned()) {
        Ok(resource) => resource,
        Err((resource, errors)) => {
            tracing::warn!(
                lang = language.tag(),
                ?errors,
                "translation file has errors"
            );
            resource
        }
    };
    if let Err(errors) = bundle.add_resource(resource) {
        tracing::warn!(
            lang = language.tag(),
            ?errors,
            "translation file has duplicate keys"
        );
    }
    bundle
}

impl I18n {
    /// Loads `language`.
    pub fn new(language: Language) -> I18n {
        I18n {
            language,
            bundle: bundle(language),
            fallback: (language != Language::English).then(|| bundle(Language::English)),
        }
    }

    /// The language shown.
    pub fn language(&self) -> Language {
        self.language
    }

    /// The text for `key`.
    pub fn tr(&self, key: &str) -> String {
        self.format(key, None)
    }

    /// The text for `key` with named arguments.
    pub fn tr_args(&self, key: &str, args: &[(&str, String)]) -> String {
        let mut fluent_args = FluentArgs::new();
        for (name, value) in args {
            fluent_args.set(*name, FluentValue::from(value.clone()));
        }
        self.format(key, Some(&fluent_args))
    }

    /// The text for `key` with a number argument (plurals).
    pub fn tr_count(&self, key: &str, name: &str, count: i64) -> String {
        let mut fluent_args = FluentArgs::new();
        fluent_args.set(name, FluentValue::from(count));
        self.format(key, Some(&fluent_args))
    }

    /// The text for `key` with named text arguments and one number argument (plurals).
    pub fn tr_args_count(
        &self,
        key: &str,
        args: &[(&str, String)],
        name: &str,
        count: i64,
    ) -> String {
        let mut fluent_args = FluentArgs::new();
        for (arg, value) in args {
            fluent_args.set(*arg, FluentValue::from(value.clone()));
        }
        fluent_args.set(name, FluentValue::from(count));
        self.format(key, Some(&fluent_args))
    }

    fn format(&self, key: &str, args: Option<&FluentArgs<'_>>) -> String {
        for bundle in std::iter::once(&self.bundle).chain(self.fallback.as_ref()) {
            if let Some(pattern) = bundle.get_message(key).and_then(|m| m.value()) {
                let mut errors = Vec::new();
                return bundle
                    .format_pattern(pattern, args, &mut errors)
                    .into_owned();
            }
        }
        key.to_owned()
    }
}

/// The message keys of a Fluent source (for the completeness test): lines that start with an
/// identifier followed by `=`.
pub fn keys(source: &str) -> Vec<String> {
    source
        .lines()
        .filter(|line| line.starts_with(|c: char| c.is_ascii_alphabetic()))
        .filter_map(|line| line.split_once('='))
        .map(|(key, _)| key.trim().to_owned())
        .collect()
}

/// Parse errors of a Fluent source, as text (empty when it parses cleanly).
pub fn parse_errors(source: &str) -> Vec<String> {
    match FluentResource::try_new(source.to_owned()) {
        Ok(_) => Vec::new(),
        Err((_, errors)) => errors.iter().map(|e| format!("{e:?}")).collect(),
    }
}
