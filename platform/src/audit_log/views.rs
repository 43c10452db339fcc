//! The audit log's lines as the pages show them: times in the region's zone, actions by
//! their Russian names, actors by name with their role and organization.

use chrono_tz::Tz;
use serde::Serialize;

use crate::accounts::history::label;
use crate::accounts::values::Role;
use crate::time::shown_in;

use super::store::Entry;

#[derive(Debug, Serialize)]
pub struct Line {
    pub at: String,
    /// «Иванова Мария (ivanova@example.ru)», or «система» for what no one did by hand.
    pub who: String,
    /// «Сотрудник организации · ДЮСШ №1».
    pub role: String,
    pub action: &'static str,
    pub action_code: String,
    pub subject: String,
    /// The child's page of personal-data views, for a row about a child.
    pub child: Option<i64>,
    pub detail: String,
    pub ip: String,
}

/// The child a subject is about (`child:12`).
pub fn child_of(subject: &str) -> Option<i64> {
    subject.strip_prefix("child:")?.parse().ok()
}

pub fn lines(entries: &[Entry], zone: Tz) -> Vec<Line> {
    entries
        .iter()
        .map(|e| {
            let (who, role) = match &e.actor {
                Some(a) => {
                    let role = Role::parse(&a.role).map_or(a.role.clone(), |r| r.label().into());
                    (
                        format!("{} ({})", a.name, a.email),
                        match &a.organization {
                            Some(o) => format!("{role} · {o}"),
                            None => role,
                        },
                    )
                }
                None => ("система".into(), String::new()),
            };
            Line {
                at: shown_in(&e.at, zone),
                who,
                role,
                action: label(&e.action),
                action_code: e.action.clone(),
                subject: e.subject.clone(),
                child: child_of(&e.subject),
                detail: e.detail.clone(),
                ip: e.ip.clone().unwrap_or_default(),
            }
        })
        .collect()
}
