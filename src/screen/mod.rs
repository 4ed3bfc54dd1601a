//! The app's screens.

pub mod dialog;
pub mod main;
pub mod onboarding;
pub mod restore;
pub mod settings;
