//! The logged-in account's own changes: password, phone, address.

use crate::db::DbError;
use crate::domain::{Email, FieldError};
use crate::mail::Sender;
use crate::service_error::{FieldCheck, ServiceError};

use crate::accounts::sessions::Viewer;
use crate::accounts::store::{self, User};
use crate::accounts::values::{parse_mobile, ApplicationMail, Password};

use super::{Accounts, Client};

impl Accounts {
    /// Changes the password of the logged-in account (the current one is asked for). Other
    /// sessions end; the caller starts a fresh one for this browser.
    pub async fn change_password(
        &self,
        client: &Client,
        viewer: &Viewer,
        current: &str,
        new: &str,
    ) -> Result<User, ServiceError> {
        let user = &viewer.user;
        let mut check = FieldCheck::default();
        let new = check.field("new_password", Password::parse(new));
        if !self
            .hasher
            .verify(current, user.password_hash.as_deref())
            .await?
        {
            check.0.push(FieldError::new(
                "current_password",
                "текущий пароль введён неверно",
            ));
        }
        check.done()?;
        let new = new.expect("parsed when there are no errors");
        let hash = self.hasher.hash(&new).await?;
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        store::set_password(&mut tx, user.tenant_id, user.id, &hash, now).await?;
        store::audit(
            &mut tx,
            user.tenant_id,
            &store::Audit {
                actor: Some(user.id),
                action: "password_change",
                subject: &format!("user:{}", user.id),
                detail: "",
                ip: Some(&client.ip),
                organization: None,
                at: now,
            },
        )
        .await?;
        tx.commit().await.map_err(DbError::from)?;
        store::user_by_id(&self.db, user.tenant_id, user.id)
            .await?
            .ok_or(ServiceError::NotFound)
    }

    pub async fn change_phone(&self, viewer: &Viewer, phone: &str) -> Result<(), ServiceError> {
        let phone = parse_mobile(phone).map_err(|m| ServiceError::field("phone", m))?;
        let mut tx = self.db.begin().await?;
        store::set_phone(
            &mut tx,
            viewer.user.tenant_id,
            viewer.user.id,
            phone.as_e164(),
            self.clock.now(),
        )
        .await?;
        tx.commit().await.map_err(DbError::from)?;
        Ok(())
    }

    /// How the staff member hears of new applications: organizations' staff only.
    pub async fn application_mail(&self, viewer: &Viewer) -> Result<ApplicationMail, ServiceError> {
        viewer.user.staff_org().ok_or(ServiceError::Forbidden)?;
        let user = &viewer.user;
        Ok(store::application_mail(&self.db, user.tenant_id, user.id).await?)
    }

    /// «Сохранить»: a staff member's choice of how to hear of new applications.
    pub async fn change_application_mail(
        &self,
        viewer: &Viewer,
        choice: &str,
    ) -> Result<ApplicationMail, ServiceError> {
        viewer.user.staff_org().ok_or(ServiceError::Forbidden)?;
        let choice = ApplicationMail::parse(choice)
            .map_err(|m| ServiceError::field("application_mail", m))?;
        let user = &viewer.user;
        let mut tx = self.db.begin().await?;
        store::set_application_mail(&mut tx, user.tenant_id, user.id, choice, self.clock.now())
            .await?;
        tx.commit().await.map_err(DbError::from)?;
        Ok(choice)
    }

    /// Starts a change of address: the new one becomes the account's when the link mailed to
    /// it is followed; until then the old one stays. The password is asked for.
    pub async fn change_email(
        &self,
        sender: &Sender,
        viewer: &Viewer,
        new_email: &str,
        password: &str,
    ) -> Result<Email, ServiceError> {
        let user = &viewer.user;
        let mut check = FieldCheck::default();
        let email = check.field("new_email", Email::parse(new_email));
        if !self
            .hasher
            .verify(password, user.password_hash.as_deref())
            .await?
        {
            check
                .0
                .push(FieldError::new("email_password", "пароль введён неверно"));
        }
        check.done()?;
        let email = email.expect("parsed when there are no errors");
        let text = email.to_string();
        let mut tx = self.db.begin().await?;
        if store::email_key(&text) != store::email_key(&user.email)
            && store::email_taken(&mut tx, user.tenant_id, &text).await?
        {
            return Err(ServiceError::field(
                "new_email",
                "этот адрес уже используется другой учётной записью",
            ));
        }
        self.send_confirmation(&mut tx, sender, user.id, &text, &user.first_name)
            .await?;
        tx.commit().await.map_err(DbError::from)?;
        self.outbox.wake();
        Ok(email)
    }
}
