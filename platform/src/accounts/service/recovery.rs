//! «Не помню пароль»: a reset link mailed, and a new password set from it.

use chrono::Duration;

use crate::db::{DbError, Tx};
use crate::domain::Email;
use crate::mail::Sender;
use crate::service_error::ServiceError;

use crate::accounts::limits;
use crate::accounts::secrets::{digest, random_token};
use crate::accounts::store::{self, TokenPurpose, User};
use crate::accounts::values::Password;
use crate::tenant_id::TenantId;

use super::{link, Accounts, Client, RESET_LINK_TTL};

impl Accounts {
    /// «Не помню пароль»: mails a reset link if the address has an account; the answer is the
    /// same either way.
    pub async fn request_reset(
        &self,
        sender: &Sender,
        client: &Client,
        email: &str,
    ) -> Result<(), ServiceError> {
        let tenant_id = sender.tenant_id;
        let email = Email::parse(email).map_err(|m| ServiceError::field("email", m))?;
        let limits = &self.limits;
        limits::hit(
            &self.counters,
            tenant_id,
            "reset-ip",
            &client.ip,
            limits.reset_ip,
        )
        .await?;
        let key = store::email_key(&email.to_string());
        limits::hit(
            &self.counters,
            tenant_id,
            "reset",
            &key,
            limits.reset_account,
        )
        .await?;
        let Some(user) = store::user_by_email(&self.db, tenant_id, &key).await? else {
            return Ok(());
        };
        let mut tx = self.db.begin().await?;
        self.send_password_link(&mut tx, sender, &user, "reset_password", RESET_LINK_TTL)
            .await?;
        tx.commit().await.map_err(DbError::from)?;
        self.outbox.wake();
        Ok(())
    }

    /// Whether a reset link can still be used (to show the form or say it is stale).
    pub async fn reset_link_valid(
        &self,
        tenant_id: TenantId,
        token: &str,
    ) -> Result<bool, ServiceError> {
        Ok(store::token_usable(
            &self.db,
            tenant_id,
            &digest(token.trim()),
            TokenPurpose::ResetPassword,
            self.clock.now(),
        )
        .await?)
    }

    /// Sets a new password from a reset link. Every session of the account ends; following
    /// the link proves the address, so it counts as confirmed.
    pub async fn reset_password(
        &self,
        tenant_id: TenantId,
        client: &Client,
        token: &str,
        password: &str,
    ) -> Result<User, ServiceError> {
        let password = Password::parse(password).map_err(|m| ServiceError::field("password", m))?;
        let hash = self.hasher.hash(&password).await?;
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        let used = store::use_token(
            &mut tx,
            tenant_id,
            &digest(token.trim()),
            TokenPurpose::ResetPassword,
            now,
        )
        .await?
        .filter(|u| !u.already_used)
        .ok_or(ServiceError::BadLink)?;
        store::set_password(&mut tx, tenant_id, used.user_id, &hash, now).await?;
        let user = store::user_by_id_in(&mut tx, tenant_id, used.user_id)
            .await?
            .ok_or(ServiceError::BadLink)?;
        if store::email_key(&user.email) == store::email_key(&used.email) {
            store::confirm_email(&mut tx, tenant_id, user.id, &user.email, now).await?;
        }
        // An account made at an organization's desk becomes the parent's alone.
        crate::accounts::assisted::take_over(&mut tx, tenant_id, user.id, now).await?;
        store::audit(
            &mut tx,
            tenant_id,
            &store::Audit {
                actor: Some(user.id),
                action: "password_reset",
                subject: &format!("user:{}", user.id),
                detail: "",
                ip: Some(&client.ip),
                organization: None,
                at: now,
            },
        )
        .await?;
        tx.commit().await.map_err(DbError::from)?;
        // Re-read: the epoch moved on, and the session started next must carry the new one.
        store::user_by_id(&self.db, tenant_id, user.id)
            .await?
            .ok_or(ServiceError::BadLink)
    }

    /// A reset (or first set-password) link; older unused ones stop working.
    pub(super) async fn send_password_link(
        &self,
        tx: &mut Tx,
        sender: &Sender,
        user: &User,
        kind: &str,
        ttl: Duration,
    ) -> Result<(), ServiceError> {
        let now = self.clock.now();
        store::void_tokens(
            tx,
            user.tenant_id,
            user.id,
            TokenPurpose::ResetPassword,
            now,
        )
        .await?;
        let token = random_token();
        store::insert_token(
            tx,
            user.tenant_id,
            &store::NewToken {
                hash: &digest(&token),
                purpose: TokenPurpose::ResetPassword,
                user_id: user.id,
                email: &user.email,
                expires: now + ttl,
            },
            now,
        )
        .await?;
        self.outbox
            .enqueue(
                tx,
                sender,
                kind,
                &user.email,
                minijinja::context! {
                    name => &user.first_name,
                    role => user.role.label(),
                    email => &user.email,
                    url => link(sender, "/password/reset", &token),
                    hours => ttl.num_hours(),
                },
            )
            .await?;
        Ok(())
    }
}
