//! The region a row belongs to, as a type of its own.
//!
//! Every store function takes a [`TenantId`] first and every query filters by it. It is not an
//! `i64` so that a swapped pair of ids does not compile, and it has no public constructor: a
//! value comes out of the database (the registry's `tenants` rows, which region resolution
//! and the CLI's lookup by slug read; or the `tenant_id` column of a row already scoped by
//! one) or is the platform's own scope, [`TenantId::PLATFORM`]. So code cannot conjure the
//! id of a region it was not asked about.

use std::fmt;

use sqlx::database::Database;
use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::{Decode, Encode, Type};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TenantId(i64);

impl TenantId {
    /// The scope of the platform itself: its operators, who work on the base domain. No
    /// region has this id (the `tenants` table counts from 1).
    pub const PLATFORM: TenantId = TenantId(0);

    pub fn is_platform(self) -> bool {
        self == Self::PLATFORM
    }

    /// The number, for logs, cache keys and audit lines.
    pub fn get(self) -> i64 {
        self.0
    }
}

impl fmt::Display for TenantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

// Stored as the integer it is, in every database; `.bind(tenant)` and `row.try_get("tenant_id")`
// work as for an `i64`.
impl<DB: Database> Type<DB> for TenantId
where
    i64: Type<DB>,
{
    fn type_info() -> DB::TypeInfo {
        <i64 as Type<DB>>::type_info()
    }

    fn compatible(ty: &DB::TypeInfo) -> bool {
        <i64 as Type<DB>>::compatible(ty)
    }
}

impl<'q, DB: Database> Encode<'q, DB> for TenantId
where
    i64: Encode<'q, DB>,
{
    fn encode_by_ref(
        &self,
        buf: &mut <DB as Database>::ArgumentBuffer<'q>,
    ) -> Result<IsNull, BoxDynError> {
        <i64 as Encode<'q, DB>>::encode_by_ref(&self.0, buf)
    }
}

impl<'r, DB: Database> Decode<'r, DB> for TenantId
where
    i64: Decode<'r, DB>,
{
    fn decode(value: <DB as Database>::ValueRef<'r>) -> Result<Self, BoxDynError> {
        Ok(Self(<i64 as Decode<'r, DB>>::decode(value)?))
    }
}

/// Written as the number (a mail's sender, a log record); never read back from text.
impl serde::Serialize for TenantId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_i64(self.0)
    }
}
