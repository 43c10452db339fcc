//! Who may see, invite and remove an organization's staff. Organization staff act on their
//! own organization; the municipal admin invites into the organizations of their
//! municipality, the regional admin into any of the region. Another organization's staff
//! id, or an organization out of the admin's reach, is not found.

use crate::accounts::service::{Accounts, Grantor, Invitation};
use crate::accounts::sessions::Viewer;
use crate::accounts::store::{self as accounts, User};
use crate::accounts::values::Role;
use crate::catalog::store::Organization;
use crate::db::{Db, DbError};
use crate::mail::Sender;
use crate::regions::Tenant;
use crate::service_error::ServiceError;
use crate::time::{to_db, Clock};

use super::store::{self, Member};

type Result<T> = std::result::Result<T, ServiceError>;

/// What the staff rules use: the database, the accounts' invitation, the clock.
#[derive(Clone)]
pub struct Staff {
    db: Db,
    accounts: Accounts,
    clock: Clock,
}

/// The outcome of a removal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Removed {
    /// A colleague lost access.
    Colleague,
    /// The viewer removed themselves: their own session has ended with it.
    Themselves,
}

/// The organization the viewer is staff of, or 403.
pub(super) fn own_organization(viewer: &Viewer) -> Result<i64> {
    viewer.user.staff_org().ok_or(ServiceError::Forbidden)
}

fn grantor(viewer: &Viewer) -> Grantor<'_> {
    Grantor {
        id: viewer.user.id,
        ip: viewer.ip(),
    }
}

impl Staff {
    pub fn new(db: Db, accounts: Accounts, clock: Clock) -> Self {
        Self {
            db,
            accounts,
            clock,
        }
    }

    /// Who has access to the viewer's organization.
    pub async fn members(&self, tenant: &Tenant, viewer: &Viewer) -> Result<Vec<Member>> {
        let org = own_organization(viewer)?;
        Ok(store::members(&self.db, tenant.id, org).await?)
    }

    /// A staff member invites a colleague into their own organization.
    pub async fn invite(
        &self,
        tenant: &Tenant,
        sender: &Sender,
        viewer: &Viewer,
        invitation: &Invitation,
    ) -> Result<User> {
        let org = own_organization(viewer)?;
        self.accounts
            .invite_to_organization(tenant, sender, org, invitation, Some(grantor(viewer)))
            .await
    }

    /// The organization an admin may invite staff into, with its staff: 403 for anyone but
    /// the municipal and regional admins, 404 for one out of the admin's reach.
    pub async fn for_admin(
        &self,
        tenant: &Tenant,
        viewer: &Viewer,
        organization: i64,
    ) -> Result<(Organization, Vec<Member>)> {
        let org = crate::catalog::store::organization(&self.db, tenant.id, organization)
            .await?
            .ok_or(ServiceError::NotFound)?;
        match viewer.user.role {
            Role::Regional => {}
            Role::Municipal if viewer.user.admin_municipality() == Some(&org.municipality_id) => {}
            Role::Municipal => return Err(ServiceError::NotFound),
            _ => return Err(ServiceError::Forbidden),
        }
        let members = store::members(&self.db, tenant.id, org.id).await?;
        Ok((org, members))
    }

    /// An admin invites a staff member (usually the first) into an organization in reach.
    pub async fn invite_as_admin(
        &self,
        tenant: &Tenant,
        sender: &Sender,
        viewer: &Viewer,
        organization: i64,
        invitation: &Invitation,
    ) -> Result<User> {
        let (org, _) = self.for_admin(tenant, viewer, organization).await?;
        self.accounts
            .invite_to_organization(tenant, sender, org.id, invitation, Some(grantor(viewer)))
            .await
    }

    /// Removes staff account `member` from the viewer's organization, in one transaction:
    /// the organization and password go, every session ends (the epoch moves on), every
    /// API token and unused set-password link stops working. The last staff member stays:
    /// an organization without one could not be looked after but by an admin.
    #[tracing::instrument(skip(self, tenant, viewer), fields(tenant = %tenant.id))]
    pub async fn remove(&self, tenant: &Tenant, viewer: &Viewer, member: i64) -> Result<Removed> {
        let org = own_organization(viewer)?;
        let now = self.clock.now();
        // The region's write lock (as for the catalog): two colleagues removing each other
        // at once are serialized, so the second sees one left and is refused — on
        // PostgreSQL too, where a plain transaction would let both counts read two.
        let mut tx = crate::catalog::store::begin_write(&self.db, tenant.id).await?;
        let user = accounts::user_by_id_in(&mut tx, tenant.id, member)
            .await?
            .filter(|u| u.staff_org() == Some(org))
            .ok_or(ServiceError::NotFound)?;
        if store::count_in(&mut tx, tenant.id, org).await? <= 1 {
            return Err(ServiceError::Refused(
                "Нельзя закрыть доступ последнему сотруднику организации: сначала пригласите \
                 коллегу, который продолжит вести кабинет."
                    .into(),
            ));
        }
        if !accounts::withdraw_organization(&mut tx, tenant.id, user.id, org, now).await? {
            return Err(ServiceError::NotFound);
        }
        let tokens = accounts::revoke_api_tokens_of(&mut tx, tenant.id, user.id, now).await?;
        accounts::void_tokens(
            &mut tx,
            tenant.id,
            user.id,
            accounts::TokenPurpose::ResetPassword,
            now,
        )
        .await?;
        accounts::audit(
            &mut tx,
            tenant.id,
            &accounts::Audit {
                actor: Some(viewer.user.id),
                action: "staff.remove",
                subject: &super::subject(org),
                detail: &format!(
                    "{} <{}>; токенов отозвано: {tokens}",
                    user.full_name(),
                    user.email
                ),
                ip: viewer.ip(),
                organization: Some(org),
                at: now,
            },
        )
        .await?;
        tx.commit().await.map_err(DbError::from)?;
        tracing::info!(at = %to_db(now), member, "staff access removed");
        Ok(if user.id == viewer.user.id {
            Removed::Themselves
        } else {
            Removed::Colleague
        })
    }
}
