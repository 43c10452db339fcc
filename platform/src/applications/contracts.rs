//! Contracts paid by certificate and their monthly billing: the contract a confirmation
//! would make (its months and monthly price), its total committed from the certificate,
//! the unbilled months returned when it ends, and the billing run that debits each active
//! contract once a month. Methods and helpers of the [`Applications`] service.

use chrono::{Datelike, NaiveDate};

use crate::catalog::store as catalog;
use crate::certificates::store::{self as certificates, Movement, Status as CertificateStatus};
use crate::db::{DbError, Tx};
use crate::domain::{FieldError, Money};
use crate::regions::Tenant;
use crate::service_error::ServiceError;
use crate::tenant_id::TenantId;

use super::service::{refused, Applications, Result};
use super::store::{self, Application, Contract};

impl Applications {
    pub(super) async fn plan_contract(
        &self,
        tenant: &Tenant,
        app: &Application,
    ) -> Result<ContractPlan> {
        let group = catalog::group(&self.db, tenant.id, app.group_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let certificate = certificates::of_parent(&self.db, tenant.id, app.parent_id)
            .await?
            .into_iter()
            .find(|c| c.child_id == app.child_id && c.status == CertificateStatus::Confirmed)
            .ok_or_else(|| {
                ServiceError::Refused("У ребёнка нет подтверждённого сертификата.".into())
            })?;
        let Some(terms) = Terms::of(&group, tenant.today(&self.clock)) else {
            return refused(
                "Период обучения группы не попадает в текущий период финансирования сертификата.",
            );
        };
        Ok(ContractPlan {
            certificate_id: certificate.id,
            period: terms.period,
            terms,
        })
    }

    /// Debits each active contract once for `month` (`YYYY-MM`); a second run changes nothing.
    pub async fn billing_run(&self, tenant: &Tenant, month: &str) -> Result<Billing> {
        let valid = NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d").is_ok()
            && month.len() == 7;
        if !valid {
            return Err(ServiceError::Invalid(vec![FieldError::new(
                "month",
                "месяц в формате ГГГГ-ММ",
            )]));
        }
        let mut billing = Billing::default();
        for contract in store::active_contracts(&self.db, tenant.id).await? {
            if month < contract.first_month.as_str() || month > contract.last_month.as_str() {
                continue;
            }
            let now = self.clock.now();
            let mut tx = self.db.begin().await?;
            // Ended since the list was read (a withdrawal released its months): nothing to bill.
            if !store::lock_active_contract(&mut tx, tenant.id, contract.id).await? {
                continue;
            }
            if !store::insert_charge(
                &mut tx,
                tenant.id,
                contract.id,
                month,
                contract.monthly,
                now,
            )
            .await?
            {
                billing.already += 1;
                continue;
            }
            let reason = format!("Оплата за {month}, договор № {}", contract.id);
            let released = certificates::record(
                &mut tx,
                tenant.id,
                contract.certificate_id,
                contract.period,
                Movement::Release,
                contract.monthly,
                &reason,
                None,
                now,
            )
            .await?;
            let debited = released
                && certificates::record(
                    &mut tx,
                    tenant.id,
                    contract.certificate_id,
                    contract.period,
                    Movement::Debit,
                    contract.monthly,
                    &reason,
                    None,
                    now,
                )
                .await?;
            if !debited {
                // Never happens while commitments are kept; never leave a half-billed month.
                tracing::error!(contract = contract.id, month, "billing: commitment missing");
                continue;
            }
            tx.commit().await.map_err(DbError::from)?;
            billing.charged += 1;
            billing.amount += contract.monthly;
        }
        Ok(billing)
    }
}

/// Ends the application's active contract, returning its unbilled months to the
/// certificate. The contract's row is locked first, so the months billed are counted after
/// any billing run of it has committed.
pub(super) async fn end_contract(
    tx: &mut Tx,
    tenant: TenantId,
    application: i64,
    actor: Option<i64>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<()> {
    let Some(contract) = store::active_contract_of(tx, tenant, application).await? else {
        return Ok(());
    };
    if !store::end_contract(tx, tenant, contract.id, now).await? {
        return Ok(());
    }
    let months = months_between(&contract.first_month, &contract.last_month);
    let charged = store::charged_months(tx, tenant, contract.id).await?;
    let left = contract.monthly * (months - charged).max(0);
    if left > 0
        && !certificates::record(
            tx,
            tenant,
            contract.certificate_id,
            contract.period,
            Movement::Release,
            left,
            &format!(
                "Договор № {} расторгнут: возврат неизрасходованного",
                contract.id
            ),
            actor,
            now,
        )
        .await?
    {
        // The reservation is smaller than the unbilled months: the books disagree, so
        // nothing is changed and the operator hears of it.
        return Err(ServiceError::Internal(anyhow::anyhow!(
            "contract {}: reserved amount below the unbilled months",
            contract.id
        )));
    }
    Ok(())
}

/// `YYYY-MM` of a date.
fn month_of(d: NaiveDate) -> String {
    format!("{:04}-{:02}", d.year(), d.month())
}

/// Months from `first` to `last` inclusive (`YYYY-MM`).
fn months_between(first: &str, last: &str) -> i64 {
    let parse = |m: &str| -> Option<i64> {
        let (y, mo) = m.split_once('-')?;
        Some(y.parse::<i64>().ok()? * 12 + mo.parse::<i64>().ok()?)
    };
    match (parse(first), parse(last)) {
        (Some(a), Some(b)) if b >= a => b - a + 1,
        _ => 0,
    }
}

/// What a contract paid by certificate for `group` holds if confirmed today: the months of
/// the study period within the current financing year, from this month on, at the group's
/// monthly price. The apply page tells the family of it; a confirmation commits it.
#[derive(Debug, Clone)]
pub struct Terms {
    period: i64,
    monthly: i64,
    first_month: String,
    last_month: String,
}

impl Terms {
    /// `None` when the group takes no certificate or its study lies outside the year.
    pub fn of(group: &catalog::Group, today: NaiveDate) -> Option<Self> {
        let monthly = group.price_certificate.map(Money::kopecks).unwrap_or(0);
        let period = crate::certificates::service::current_period(today);
        let start = group.study_from.max(today);
        let year_end = NaiveDate::from_ymd_opt(period as i32, 12, 31).unwrap_or(today);
        let end = group.study_to.min(year_end);
        let terms = Self {
            period,
            monthly,
            first_month: month_of(start),
            last_month: month_of(end),
        };
        (terms.months() > 0 && monthly > 0).then_some(terms)
    }

    fn months(&self) -> i64 {
        months_between(&self.first_month, &self.last_month)
    }

    fn total(&self) -> i64 {
        self.monthly * self.months()
    }

    /// «20 000 ₽: 4 мес. (09.2026–12.2026) по 5 000 ₽».
    pub fn text(&self) -> String {
        let shown = |m: &str| {
            m.split_once('-')
                .map_or_else(|| m.to_owned(), |(y, mo)| format!("{mo}.{y}"))
        };
        let (first, last) = (shown(&self.first_month), shown(&self.last_month));
        let span = if first == last {
            first
        } else {
            format!("{first}–{last}")
        };
        format!(
            "{}: {} мес. ({span}) по {}",
            Money::from_kopecks(self.total()),
            self.months(),
            Money::from_kopecks(self.monthly)
        )
    }
}

/// The contract a confirmation makes: the terms, from the child's confirmed certificate.
pub struct ContractPlan {
    pub(super) certificate_id: i64,
    pub(super) period: i64,
    terms: Terms,
}

impl ContractPlan {
    pub(super) fn total(&self) -> i64 {
        self.terms.total()
    }
}

/// Creates the contract and commits its total from the certificate; `false` (and nothing
/// to keep: the caller drops the transaction) when the balance is short.
pub(super) async fn commit_contract(
    tx: &mut Tx,
    tenant: &Tenant,
    app: &Application,
    plan: &ContractPlan,
    actor: Option<i64>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<bool> {
    let terms = &plan.terms;
    let contract = Contract {
        id: 0,
        application_id: app.id,
        certificate_id: plan.certificate_id,
        period: plan.period,
        monthly: terms.monthly,
        first_month: terms.first_month.clone(),
        last_month: terms.last_month.clone(),
    };
    let id = store::insert_contract(tx, tenant.id, &contract, now).await?;
    Ok(certificates::record(
        tx,
        tenant.id,
        plan.certificate_id,
        plan.period,
        Movement::Commit,
        plan.total(),
        &format!(
            "Договор № {id}: {} мес. × {}",
            terms.months(),
            Money::from_kopecks(terms.monthly)
        ),
        actor,
        now,
    )
    .await?)
}

/// What a billing run did.
#[derive(Debug, Default, Clone, Copy)]
pub struct Billing {
    pub charged: usize,
    pub already: usize,
    pub amount: i64,
}

#[cfg(test)]
mod tests {
    use super::months_between;

    #[test]
    fn months() {
        assert_eq!(months_between("2026-09", "2026-12"), 4);
        assert_eq!(months_between("2026-12", "2027-01"), 2);
        assert_eq!(months_between("2026-05", "2026-04"), 0);
    }
}
