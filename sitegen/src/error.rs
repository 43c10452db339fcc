//! What can go wrong in a run, each with a message an operator can act on.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum SitegenError {
    #[error("регион «{0}» не найден; есть: {1}")]
    UnknownRegion(String, String),
    #[error("в базе нет ни одного региона; сначала `navigator tenant apply`")]
    NoRegions,
    #[error("база данных недоступна ({url}): {source}")]
    Database {
        url: String,
        source: platform::db::DbError,
    },
    #[error("файл базы SQLite не найден: {0}")]
    NoDatabaseFile(PathBuf),
    #[error("не удалось прочитать каталог из базы: {0} (схема обновлена? `navigator migrate`)")]
    Read(#[from] platform::db::DbError),
    #[error("--base-url: {0}")]
    BaseUrl(String),
    #[error("--site-url: {0}")]
    SiteUrl(String),
    #[error("--map-tiles: {0}")]
    MapTiles(String),
    #[error("папка {path}: {message}")]
    Output { path: PathBuf, message: String },
    #[error("не удалось записать {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("шаблон {0}")]
    Template(String),
    #[error("фотография {key}: {message}")]
    Media { key: String, message: String },
}

impl SitegenError {
    pub fn write(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        SitegenError::Write {
            path: path.into(),
            source,
        }
    }
}
