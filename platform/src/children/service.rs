//! What a parent may do with their children's data: add a child, edit one — unless an
//! authorized organization has confirmed the data against documents.

use chrono::NaiveDate;

use crate::accounts::sessions::Viewer;
use crate::accounts::values::{age_on, parse_birth_date, PersonName, Sex, Snils};
use crate::db::{Db, DbError};
use crate::regions::Tenant;
use crate::service_error::{FieldCheck, ServiceError};
use crate::time::Clock;

use super::store::{self, ChildData};

/// The children's rules, with what they use.
#[derive(Clone)]
pub struct Children {
    db: Db,
    clock: Clock,
}

impl Children {
    pub fn new(db: Db, clock: Clock) -> Self {
        Self { db, clock }
    }
    /// Adds a child of the logged-in parent (`None`) or edits one of theirs (`Some(id)`).
    pub async fn save(
        &self,
        tenant: &Tenant,
        viewer: &Viewer,
        id: Option<i64>,
        form: &ChildForm,
    ) -> Result<i64, ServiceError> {
        viewer.parent()?;
        let child = parse_child(form, tenant.today(&self.clock))?;
        let data = ChildData {
            last_name: child.last_name.as_str(),
            first_name: child.first_name.as_str(),
            middle_name: child.middle_name.as_ref().map(PersonName::as_str),
            birth_date: child.birth_date.to_string(),
            sex: child.sex.as_str(),
            snils: child.snils.as_ref().map(Snils::digits),
            ovz: form.ovz == "1",
        };
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        // At the desk a child already registered in the region is said to be, and nothing
        // more: whose child it is stays unsaid.
        if let (Some(_), Some(snils)) = (viewer.desk(), data.snils) {
            if store::snils_owner(&mut tx, tenant.id, snils, id)
                .await?
                .is_some()
            {
                return Err(ServiceError::field("snils", SNILS_TAKEN));
            }
        }
        let id = match id {
            None => store::insert_child(&mut tx, tenant.id, viewer.user.id, &data, now).await?,
            Some(id) => {
                // Data checked against documents stays as checked: a change would make the
                // certificate describe someone the organization never saw. The child's row is
                // locked first, as a confirmation does, so the two never interleave.
                if !store::lock_child(&mut tx, tenant.id, viewer.user.id, id).await? {
                    return Err(ServiceError::NotFound);
                }
                if store::child_data_confirmed(&mut tx, tenant.id, id).await? {
                    return Err(ServiceError::field(
                        "last_name",
                        "данные ребёнка подтверждены организацией по документам; чтобы исправить \
                         их, обратитесь в уполномоченную организацию",
                    ));
                }
                if !store::update_child(&mut tx, tenant.id, viewer.user.id, id, &data, now).await? {
                    return Err(ServiceError::NotFound);
                }
                id
            }
        };
        if viewer.desk().is_some() {
            crate::accounts::store::audit(
                &mut tx,
                tenant.id,
                &crate::accounts::store::Audit {
                    actor: Some(viewer.actor()),
                    action: "visitor_child_save",
                    subject: &format!("child:{id}"),
                    detail: "приём заявителя",
                    ip: viewer.ip(),
                    organization: None,
                    at: now,
                },
            )
            .await?;
        }
        tx.commit().await.map_err(DbError::from)?;
        Ok(id)
    }
}

/// The desk's answer for a СНИЛС registered in the region already.
pub const SNILS_TAKEN: &str = "ребёнок с таким СНИЛС уже зарегистрирован в навигаторе региона; \
     владельцу учётной записи можно отправить ссылку для входа";

/// The child form as typed.
#[derive(Debug, Default, Clone, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct ChildForm {
    pub last_name: String,
    pub first_name: String,
    pub middle_name: String,
    pub birth_date: String,
    pub sex: String,
    pub snils: String,
    /// `1` when the parent ticked «У ребёнка ОВЗ».
    pub ovz: String,
}

struct ParsedChild {
    last_name: PersonName,
    first_name: PersonName,
    middle_name: Option<PersonName>,
    birth_date: NaiveDate,
    sex: Sex,
    snils: Option<Snils>,
}

fn parse_child(form: &ChildForm, today: NaiveDate) -> Result<ParsedChild, ServiceError> {
    let mut check = FieldCheck::default();
    let last_name = check.field("last_name", PersonName::parse(&form.last_name, "фамилию"));
    let first_name = check.field("first_name", PersonName::parse(&form.first_name, "имя"));
    let middle_name = check.field(
        "middle_name",
        PersonName::parse_optional(&form.middle_name, "отчество"),
    );
    let birth_date = check.field(
        "birth_date",
        parse_birth_date(&form.birth_date, today).and_then(|d| {
            if age_on(d, today) >= 18 {
                Err("в «Дети» добавляют детей младше 18 лет".to_owned())
            } else {
                Ok(d)
            }
        }),
    );
    let sex = check.field("sex", Sex::parse(&form.sex));
    let snils = check.field("snils", Snils::parse_optional(&form.snils));
    check.done()?;
    match (last_name, first_name, middle_name, birth_date, sex, snils) {
        (
            Some(last_name),
            Some(first_name),
            Some(middle_name),
            Some(birth_date),
            Some(sex),
            Some(snils),
        ) => Ok(ParsedChild {
            last_name,
            first_name,
            middle_name,
            birth_date,
            sex,
            snils,
        }),
        _ => unreachable!("every field parsed when there are no errors"),
    }
}
