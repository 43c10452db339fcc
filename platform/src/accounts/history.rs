//! A subject's history — a program's, a group's, an organization's — read from the audit
//! log, where every change is written with who made it and which fields it touched. One
//! reading for every subject, so the organization and the moderators see the same lines.

use chrono_tz::Tz;
use serde::Serialize;
use sqlx::Row;

use crate::db::{Db, DbError};
use crate::tenant_id::TenantId;
use crate::time::shown_in;

/// One entry of a subject's history: who did what when, and which fields.
#[derive(Debug, Clone)]
pub struct Entry {
    /// `group:7`: which of the subjects asked for.
    pub subject: String,
    pub at: String,
    pub actor: Option<String>,
    pub action: String,
    pub detail: String,
}

/// The audit rows of the subjects (`program:42`, `group:7`), newest first, at most 200.
#[tracing::instrument(skip(db))]
pub async fn of_subjects(
    db: &Db,
    tenant: TenantId,
    subjects: &[String],
) -> Result<Vec<Entry>, DbError> {
    if subjects.is_empty() {
        return Ok(Vec::new());
    }
    // Numbered parameters after the tenant's: $2, $3, … (both databases take them).
    let list: Vec<String> = (0..subjects.len()).map(|i| format!("${}", i + 2)).collect();
    let sql = format!(
        "SELECT a.subject, a.at, a.action, a.detail, u.first_name, u.last_name FROM audit_log a \
         LEFT JOIN users u ON u.tenant_id = a.tenant_id AND u.id = a.actor_id \
         WHERE a.tenant_id = $1 AND a.subject IN ({}) ORDER BY a.id DESC LIMIT 200",
        list.join(", ")
    );
    let mut query = sqlx::query(&sql).bind(tenant);
    for s in subjects {
        query = query.bind(s);
    }
    let rows = query.fetch_all(db.pool()).await?;
    rows.iter()
        .map(|r| {
            let first: Option<String> = r.try_get("first_name")?;
            let last: Option<String> = r.try_get("last_name")?;
            Ok(Entry {
                subject: r.try_get("subject")?,
                at: r.try_get("at")?,
                actor: first.map(|f| {
                    format!("{f} {}", last.unwrap_or_default())
                        .trim()
                        .to_owned()
                }),
                action: r.try_get("action")?,
                detail: r.try_get("detail")?,
            })
        })
        .collect()
}

/// The audit rows of one subject, newest first.
pub async fn of_subject(db: &Db, tenant: TenantId, subject: &str) -> Result<Vec<Entry>, DbError> {
    of_subjects(db, tenant, &[subject.to_owned()]).await
}

/// A line of a history table, as `_history.html` shows it.
#[derive(Debug, Serialize)]
pub struct Line {
    pub at: String,
    pub actor: String,
    pub action: &'static str,
    pub detail: String,
}

/// The lines, with times in the region's zone `tz`.
pub fn lines(entries: &[Entry], tz: Tz) -> Vec<Line> {
    entries
        .iter()
        .map(|e| Line {
            at: shown_in(&e.at, tz),
            actor: e.actor.clone().unwrap_or_else(|| "система".into()),
            action: label(&e.action),
            detail: e.detail.clone(),
        })
        .collect()
}

/// Every recorded action and what it is called in a history and in the audit log, in the
/// order the audit log's filter offers them.
pub const ACTIONS: &[(&str, &str)] = &[
    ("program.create", "Создана"),
    ("program.edit", "Изменена"),
    ("program.submit", "Отправлена на модерацию"),
    ("program.withdraw", "Отозвана с модерации"),
    ("program.publish", "Опубликована"),
    ("program.return", "Возвращена на доработку"),
    ("program.archive", "В архиве"),
    ("program.restore", "Возвращена из архива"),
    ("program.status", "Статус задан оператором"),
    ("program.cover", "Обложка"),
    ("group.add", "Группа создана"),
    ("group.edit", "Группа изменена"),
    ("group.status", "Статус группы"),
    ("group.delete", "Группа удалена"),
    ("organization.profile", "Профиль изменён"),
    ("organization.place.add", "Место обучения добавлено"),
    ("organization.place.edit", "Место обучения изменено"),
    ("organization.place.remove", "Место обучения удалено"),
    ("organization.logo", "Логотип"),
    ("sheet.import", "Импорт из таблицы"),
    ("school_year.copy", "Новый учебный год"),
    (
        "organization_authorize",
        "Разрешено подтверждать данные детей",
    ),
    (
        "organization_unauthorize",
        "Запрещено подтверждать данные детей",
    ),
    ("teacher.add", "Педагог добавлен"),
    ("teacher.edit", "Педагог изменён"),
    ("teacher.remove", "Педагог удалён"),
    ("staff.grant", "Доступ открыт сотруднику"),
    ("staff.remove", "Доступ сотрудника закрыт"),
    ("api_token.create", "Токен API создан"),
    ("api_token.revoke", "Токен API отозван"),
    ("register", "Регистрация"),
    ("login", "Вход"),
    ("login_failed", "Неудачная попытка входа"),
    ("password_change", "Пароль изменён"),
    ("password_reset", "Пароль восстановлен"),
    ("role_grant", "Назначена роль"),
    ("certificate_issue", "Сертификат выдан"),
    ("certificate_credit", "Сертификат пополнен"),
    ("child_data_view", "Просмотр персональных данных ребёнка"),
    ("child_data_confirm", "Данные ребёнка подтверждены"),
    ("child_data_reject", "Данные ребёнка не подтверждены"),
    ("financing_period_set", "Задан период финансирования"),
    ("export", "Выгрузка данных"),
];

/// What a recorded action is called; one this table does not know is «Изменение».
pub fn label(action: &str) -> &'static str {
    ACTIONS
        .iter()
        .find(|(a, _)| *a == action)
        .map_or("Изменение", |(_, l)| l)
}
