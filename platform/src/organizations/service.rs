//! What an organization's staff may do with its profile: read it, edit it (names, type,
//! ИНН, ОГРН, contacts, description) and its places of study, always their own
//! organization only. Every change bumps the region's catalog version in its transaction
//! (search, cached results and `sitegen` follow) and is in the audit log.

use crate::accounts::sessions::Viewer;
use crate::accounts::store::{audit, Audit};
use crate::catalog::model::OrgType;
use crate::catalog::store::bump_version;
use crate::db::{Db, DbError};
use crate::domain::{Email, LatLon, Phone};
use crate::regions::Tenant;
use crate::service_error::{FieldCheck, ServiceError};
use crate::time::Clock;

use super::store::{self, Place, Profile};
use super::values::{Inn, Ogrn};

/// The profile rules, with what they use.
#[derive(Clone)]
pub struct Organizations {
    db: Db,
    clock: Clock,
}

/// The profile form as typed.
#[derive(Debug, Default, Clone, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct ProfileForm {
    pub name: String,
    pub short_name: String,
    /// state | municipal | private | ip
    pub org_type: String,
    pub inn: String,
    pub ogrn: String,
    pub phone: String,
    pub email: String,
    pub website: String,
    pub description: String,
}

impl From<&Profile> for ProfileForm {
    fn from(p: &Profile) -> Self {
        Self {
            name: p.name.clone(),
            short_name: p.short_name.clone(),
            org_type: p.org_type.code().to_owned(),
            inn: p.inn.clone(),
            ogrn: p.ogrn.clone().unwrap_or_default(),
            phone: Phone::parse(&p.phone).map_or(p.phone.clone(), |ph| ph.display()),
            email: p.email.clone(),
            website: p.website.clone().unwrap_or_default(),
            description: p.description.clone(),
        }
    }
}

/// A place of study as typed: the address and the point (decimal degrees, `.` or `,`).
#[derive(Debug, Default, Clone, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct PlaceForm {
    pub address: String,
    pub lat: String,
    pub lon: String,
}

impl From<&Place> for PlaceForm {
    fn from(p: &Place) -> Self {
        Self {
            address: p.address.clone(),
            lat: p.location.lat.to_string(),
            lon: p.location.lon.to_string(),
        }
    }
}

impl Organizations {
    pub fn new(db: Db, clock: Clock) -> Self {
        Self { db, clock }
    }

    /// The organization the viewer works for: only its staff edit a profile.
    fn own(viewer: &Viewer) -> Result<i64, ServiceError> {
        viewer.user.staff_org().ok_or(ServiceError::Forbidden)
    }

    /// The viewer's organization's profile and places.
    pub async fn profile(
        &self,
        tenant: &Tenant,
        viewer: &Viewer,
    ) -> Result<(Profile, Vec<Place>), ServiceError> {
        let org = Self::own(viewer)?;
        let profile = store::profile(&self.db, tenant.id, org)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let places = store::places(&self.db, tenant.id, org).await?;
        Ok((profile, places))
    }

    /// The history of the organization's profile, places and logo.
    pub async fn history(
        &self,
        tenant: &Tenant,
        viewer: &Viewer,
    ) -> Result<Vec<crate::accounts::history::Entry>, ServiceError> {
        let org = Self::own(viewer)?;
        Ok(crate::accounts::history::of_subject(&self.db, tenant.id, &super::subject(org)).await?)
    }

    /// Checks and saves the profile; a change is audited with the fields it changed.
    pub async fn save_profile(
        &self,
        tenant: &Tenant,
        viewer: &Viewer,
        form: &ProfileForm,
    ) -> Result<Profile, ServiceError> {
        let org = Self::own(viewer)?;
        let mut tx = crate::catalog::store::begin_write(&self.db, tenant.id).await?;
        let old = store::profile_in(&mut tx, tenant.id, org)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let new = parse_profile(form, &old)?;
        let changed = changed_fields(&old, &new);
        if changed.is_empty() {
            return Ok(old);
        }
        let now = self.clock.now();
        if !store::update_profile(&mut tx, tenant.id, &new, now).await? {
            return Err(ServiceError::NotFound);
        }
        bump_version(&mut tx, tenant.id).await?;
        audit(
            &mut tx,
            tenant.id,
            &Audit {
                actor: Some(viewer.user.id),
                action: "organization.profile",
                subject: &super::subject(org),
                detail: &changed.join(", "),
                ip: viewer.ip(),
                organization: Some(org),
                at: now,
            },
        )
        .await?;
        tx.commit().await.map_err(DbError::from)?;
        Ok(new)
    }

    /// Adds a place of study (`id` is `None`) or changes one of the organization's.
    pub async fn save_place(
        &self,
        tenant: &Tenant,
        viewer: &Viewer,
        id: Option<i64>,
        form: &PlaceForm,
    ) -> Result<Place, ServiceError> {
        let org = Self::own(viewer)?;
        let (address, at) = parse_place(form, tenant)?;
        let now = self.clock.now();
        let mut tx = crate::catalog::store::begin_write(&self.db, tenant.id).await?;
        let (id, action) = match id {
            None => (
                store::insert_place(&mut tx, tenant.id, org, &address, at, now).await?,
                "organization.place.add",
            ),
            Some(id) => {
                if !store::update_place(&mut tx, tenant.id, org, id, &address, at, now).await? {
                    return Err(ServiceError::NotFound);
                }
                (id, "organization.place.edit")
            }
        };
        store::touch_organization(&mut tx, tenant.id, org, now).await?;
        bump_version(&mut tx, tenant.id).await?;
        audit(
            &mut tx,
            tenant.id,
            &Audit {
                actor: Some(viewer.user.id),
                action,
                subject: &super::subject(org),
                detail: &format!("place:{id} {address} ({}, {})", at.lat, at.lon),
                ip: viewer.ip(),
                organization: Some(org),
                at: now,
            },
        )
        .await?;
        tx.commit().await.map_err(DbError::from)?;
        Ok(Place {
            id,
            address,
            location: at,
        })
    }

    /// Removes a place of study of the organization.
    pub async fn remove_place(
        &self,
        tenant: &Tenant,
        viewer: &Viewer,
        id: i64,
    ) -> Result<(), ServiceError> {
        let org = Self::own(viewer)?;
        let now = self.clock.now();
        let mut tx = crate::catalog::store::begin_write(&self.db, tenant.id).await?;
        let place = store::place_in(&mut tx, tenant.id, org, id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let groups = store::groups_at_place(&mut tx, tenant.id, id).await?;
        if !groups.is_empty() {
            let names: Vec<String> = groups.iter().map(|g| format!("«{g}»")).collect();
            return Err(ServiceError::Refused(format!(
                "Место обучения «{}» нельзя удалить: в нём занимаются группы {}. Сначала \
                 выберите этим группам другое место.",
                place.address,
                names.join(", ")
            )));
        }
        if !store::delete_place(&mut tx, tenant.id, org, id).await? {
            return Err(ServiceError::NotFound);
        }
        store::touch_organization(&mut tx, tenant.id, org, now).await?;
        bump_version(&mut tx, tenant.id).await?;
        audit(
            &mut tx,
            tenant.id,
            &Audit {
                actor: Some(viewer.user.id),
                action: "organization.place.remove",
                subject: &super::subject(org),
                detail: &format!("place:{id} {}", place.address),
                ip: viewer.ip(),
                organization: Some(org),
                at: now,
            },
        )
        .await?;
        tx.commit().await.map_err(DbError::from)?;
        Ok(())
    }
}

/// The names of the fields `new` changes.
pub fn changed_fields(old: &Profile, new: &Profile) -> Vec<&'static str> {
    let mut out = Vec::new();
    let mut diff = |name, changed: bool| {
        if changed {
            out.push(name);
        }
    };
    diff("name", old.name != new.name);
    diff("short_name", old.short_name != new.short_name);
    diff("org_type", old.org_type != new.org_type);
    diff("inn", old.inn != new.inn);
    diff("ogrn", old.ogrn != new.ogrn);
    diff("phone", old.phone != new.phone);
    diff("email", old.email != new.email);
    diff("website", old.website != new.website);
    diff("description", old.description != new.description);
    out
}

/// Trimmed text of at most `max` characters, with no control characters (line breaks
/// allowed where `lines`); `what` names the field in the message.
pub fn text(raw: &str, what: &str, max: usize, lines: bool) -> Result<String, String> {
    let t = raw.trim();
    if t.is_empty() {
        return Err(format!("укажите {what}"));
    }
    if t.chars().count() > max {
        return Err(format!("{what}: не длиннее {max} символов"));
    }
    if t.chars()
        .any(|c| c.is_control() && !(lines && matches!(c, '\n' | '\r' | '\t')))
    {
        return Err(format!("{what}: уберите управляющие символы"));
    }
    Ok(t.replace("\r\n", "\n"))
}

/// An `http(s)://` address of a site; one typed without the scheme gets `https://`.
fn website(raw: &str) -> Result<Option<String>, String> {
    let t = raw.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let url = if t.starts_with("http://") || t.starts_with("https://") {
        t.to_owned()
    } else {
        format!("https://{t}")
    };
    let host = url.split("://").nth(1).unwrap_or("");
    let host = host.split('/').next().unwrap_or("");
    if url.chars().count() > 200
        || url.chars().any(|c| c.is_whitespace() || c.is_control())
        || !host.contains('.')
        || host.starts_with('.')
        || host.ends_with('.')
    {
        return Err(format!(
            "«{t}»: укажите адрес сайта, например https://school.ru"
        ));
    }
    Ok(Some(url))
}

/// Checks every field of `form` (all problems at once); `old` gives the id, the kind and the
/// logo the form does not edit. The profile page and the admins' registry both parse here.
pub fn parse_profile(form: &ProfileForm, old: &Profile) -> Result<Profile, ServiceError> {
    let mut check = FieldCheck::default();
    let name = check.field("name", text(&form.name, "полное название", 300, false));
    let short_name = check.field(
        "short_name",
        text(&form.short_name, "краткое название", 120, false),
    );
    let org_type = check.field(
        "org_type",
        OrgType::parse(form.org_type.trim()).ok_or_else(|| {
            "выберите тип организации: государственная, муниципальная, частная или ИП".to_owned()
        }),
    );
    let entrepreneur = org_type.map(|t| t == OrgType::Entrepreneur);
    let inn = check.field(
        "inn",
        Inn::parse(&form.inn).and_then(|inn| match entrepreneur {
            Some(true) if !inn.of_entrepreneur() => {
                Err("у индивидуального предпринимателя ИНН из 12 цифр".to_owned())
            }
            Some(false) if inn.of_entrepreneur() => Err(
                "у организации ИНН из 10 цифр; 12 цифр — у индивидуального предпринимателя"
                    .to_owned(),
            ),
            _ => Ok(inn),
        }),
    );
    let ogrn = check.field(
        "ogrn",
        Ogrn::parse(&form.ogrn).and_then(|ogrn| match entrepreneur {
            Some(true) if !ogrn.of_entrepreneur() => {
                Err("у индивидуального предпринимателя ОГРНИП из 15 цифр".to_owned())
            }
            Some(false) if ogrn.of_entrepreneur() => Err(
                "у организации ОГРН из 13 цифр; ОГРНИП из 15 цифр — у индивидуального \
                 предпринимателя"
                    .to_owned(),
            ),
            _ => Ok(ogrn),
        }),
    );
    let phone = check.field("phone", Phone::parse(&form.phone));
    let email = check.field(
        "email",
        if form.email.trim().is_empty() {
            Err("укажите адрес электронной почты".to_owned())
        } else {
            Email::parse(&form.email)
        },
    );
    let website = check.field("website", website(&form.website));
    let description = check.field(
        "description",
        text(&form.description, "описание организации", 5000, true),
    );
    check.done()?;
    match (
        name,
        short_name,
        org_type,
        inn,
        ogrn,
        phone,
        email,
        website,
        description,
    ) {
        (
            Some(name),
            Some(short_name),
            Some(org_type),
            Some(inn),
            Some(ogrn),
            Some(phone),
            Some(email),
            Some(website),
            Some(description),
        ) => Ok(Profile {
            id: old.id,
            name,
            short_name,
            org_type,
            kind: org_type.kind_from(old.kind),
            inn: inn.as_str().to_owned(),
            ogrn: Some(ogrn.as_str().to_owned()),
            phone: phone.as_e164().to_owned(),
            email: email.to_string(),
            website,
            description,
            logo: old.logo.clone(),
        }),
        _ => unreachable!("every field parsed when there are no errors"),
    }
}

/// A coordinate typed with `.` or `,`.
fn degrees(raw: &str, what: &str, example: &str) -> Result<f64, String> {
    let t = raw.trim().replace(',', ".");
    if t.is_empty() {
        return Err(format!("укажите {what} (например, {example})"));
    }
    t.parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or_else(|| {
            format!(
                "«{}»: {what} — число в градусах, например {example}",
                raw.trim()
            )
        })
}

/// The address and its point, which must lie inside the region.
fn parse_place(form: &PlaceForm, tenant: &Tenant) -> Result<(String, LatLon), ServiceError> {
    let bounds = tenant.config.bounds();
    let region = &tenant.config.region_name;
    let mut check = FieldCheck::default();
    let address = check.field("address", text(&form.address, "адрес", 300, false));
    let lat = check.field(
        "lat",
        degrees(&form.lat, "широту", "54.78").and_then(|lat| {
            if (bounds.south..=bounds.north).contains(&lat) {
                Ok(lat)
            } else {
                Err(format!(
                    "широта {lat} — вне региона «{region}»: место обучения должно быть в нём \
                     (широта от {:.2} до {:.2})",
                    bounds.south, bounds.north
                ))
            }
        }),
    );
    let lon = check.field(
        "lon",
        degrees(&form.lon, "долготу", "32.05").and_then(|lon| {
            if (bounds.west..=bounds.east).contains(&lon) {
                Ok(lon)
            } else {
                Err(format!(
                    "долгота {lon} — вне региона «{region}»: место обучения должно быть в нём \
                     (долгота от {:.2} до {:.2})",
                    bounds.west, bounds.east
                ))
            }
        }),
    );
    check.done()?;
    match (address, lat, lon) {
        (Some(address), Some(lat), Some(lon)) => {
            let at = LatLon::new(lat, lon).map_err(|e| ServiceError::field("lat", e))?;
            Ok((address, at))
        }
        _ => unreachable!("every field parsed when there are no errors"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn websites() {
        assert_eq!(website("").unwrap(), None);
        assert_eq!(
            website("school.ru").unwrap().as_deref(),
            Some("https://school.ru")
        );
        assert_eq!(
            website("http://дом.рф/кружки").unwrap().as_deref(),
            Some("http://дом.рф/кружки")
        );
        for bad in ["school", "https://", "my site.ru", ".ru"] {
            assert!(website(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn texts() {
        assert_eq!(text("  Радуга ", "x", 10, false).unwrap(), "Радуга");
        assert!(text("", "краткое название", 10, false)
            .unwrap_err()
            .contains("укажите краткое название"));
        assert!(text("а\u{7}б", "x", 10, false).is_err());
        assert_eq!(text("а\r\nб", "x", 10, true).unwrap(), "а\nб");
        assert!(text("а\nб", "x", 10, false).is_err());
        assert!(text("абвгд", "x", 4, false).is_err());
    }
}
