//! The app's own preferences (theme, text size, language), one `key=value` per line in the
//! profile's folder. Privacy settings live in the client's database instead.

use std::path::Path;

use crate::i18n::Language;
use crate::theme::Mode;

/// Smallest and largest text size offered.
pub const TEXT_SIZES: [u16; 5] = [12, 14, 16, 18, 20];

/// The app's preferences.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Prefs {
    /// Dark or light.
    pub mode: Mode,
    /// Body text size in points.
    pub text_size: u16,
    /// A language picked by hand; `None` follows the system.
    pub language: Option<Language>,
}

impl Default for Prefs {
    fn default() -> Prefs {
        Prefs {
            mode: Mode::Dark,
            text_size: 14,
            language: None,
        }
    }
}

impl Prefs {
    /// Reads the preferences file; missing or unreadable lines keep their defaults.
    pub fn load(path: &Path) -> Prefs {
        let mut prefs = Prefs::default();
        let Ok(text) = std::fs::read_to_string(path) else {
            return prefs;
        };
        for line in text.lines() {
            let Some((key, value)) = line.split_once('=') else {
                continue;
            };
            match (key.trim(), value.trim()) {
                ("theme", "light") => prefs.mode = Mode::Light,
                ("theme", "dark") => prefs.mode = Mode::Dark,
                ("text_size", size) => {
                    if let Ok(size) = size.parse::<u16>() {
                        if TEXT_SIZES.contains(&size) {
                            prefs.text_size = size;
                        }
                    }
                }
                ("language", tag) => {
                    prefs.language = Language::ALL.into_iter().find(|l| l.tag() == tag);
                }
                _ => {}
            }
        }
        prefs
    }

    /// Writes the preferences file (creating the profile folder if needed).
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let theme = match self.mode {
            Mode::Dark => "dark",
            Mode::Light => "light",
        };
        let language = self.language.map_or("system", Language::tag);
        std::fs::write(
            path,
            format!(
                "theme={theme}\ntext_size={}\nlanguage={language}\n",
                self.text_size
            ),
        )
    }

    /// The language to show.
    pub fn effective_language(&self) -> Language {
        self.language.unwrap_or_else(Language::system)
    }
}
