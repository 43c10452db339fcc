//! Login: the password checked, rate-limited and audited.

use crate::db::DbError;
use crate::service_error::ServiceError;

use crate::accounts::limits;
use crate::accounts::store::{self, User};
use crate::tenant_id::TenantId;

use super::{Accounts, Client};

impl Accounts {
    /// Checks e-mail and password; every attempt is audited and rate-limited per client and
    /// per address. The same answer for a wrong password and for an unknown address.
    pub async fn login(
        &self,
        tenant_id: TenantId,
        client: &Client,
        email: &str,
        password: &str,
    ) -> Result<User, ServiceError> {
        let limits = &self.limits;
        limits::hit(
            &self.counters,
            tenant_id,
            "login-ip",
            &client.ip,
            limits.login_ip,
        )
        .await?;
        let key = store::email_key(email);
        if let Err(m) = crate::domain::plain_text(&key, 254) {
            return Err(ServiceError::field("email", m));
        }
        if key.is_empty() {
            return Err(ServiceError::field(
                "email",
                "укажите адрес электронной почты",
            ));
        }
        if password.is_empty() {
            return Err(ServiceError::field("password", "введите пароль"));
        }
        limits::hit(
            &self.counters,
            tenant_id,
            "login",
            &key,
            limits.login_account,
        )
        .await?;
        let user = store::user_by_email(&self.db, tenant_id, &key).await?;
        let ok = self
            .hasher
            .verify(
                password,
                user.as_ref().and_then(|u| u.password_hash.as_deref()),
            )
            .await?;
        let mut tx = self.db.begin().await?;
        let (action, actor) = match (&user, ok) {
            (Some(u), true) => ("login", Some(u.id)),
            (Some(u), false) => ("login_failed", Some(u.id)),
            (None, _) => ("login_failed", None),
        };
        let subject = user
            .as_ref()
            .map_or_else(|| "unknown".to_owned(), |u| format!("user:{}", u.id));
        store::audit(
            &mut tx,
            tenant_id,
            &store::Audit {
                actor,
                action,
                subject: &subject,
                detail: "",
                ip: Some(&client.ip),
                organization: None,
                at: self.clock.now(),
            },
        )
        .await?;
        tx.commit().await.map_err(DbError::from)?;
        match (user, ok) {
            (Some(user), true) => Ok(user),
            _ => Err(ServiceError::BadCredentials),
        }
    }
}
