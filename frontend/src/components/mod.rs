//! The page's components, one per file, each small and reading only the signals it
//! shows.

mod cache_panel;
mod columns;
mod demos;
mod drop_zone;
mod file_card;
mod metadata;
mod output;
mod overview;
mod preview;
mod relay_notice;
mod settings_form;
mod spec_review;

pub use cache_panel::CachePanel;
pub use demos::DemoPicker;
pub use drop_zone::DropZone;
pub use file_card::FileCard;
pub use overview::{BatchOverview, MANY_FILES};
pub use relay_notice::RelayNotice;
pub use settings_form::SettingsForm;
