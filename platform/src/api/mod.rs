//! The API kernel: what every endpoint of `/api/v1` shares (tags, the error body, JSON
//! rendered ahead of time). Each capability defines its endpoints; `routes` assembles
//! them with the spec (`/api/openapi.json`) and the docs (`/api/docs`).

mod reply;
mod spec;
mod text;
mod versioned;

pub use text::Text;

use std::marker::PhantomData;

use bytes::Bytes;

use poem::{IntoResponse, Response};
use poem_openapi::payload::Payload;
use poem_openapi::registry::{MetaSchemaRef, Registry};
use poem_openapi::types::Type;
use poem_openapi::Tags;

pub use crate::web::{ApiError, ErrorDetail};
pub(crate) use reply::try_reply;
pub use reply::{done, error, invalid, invalid_parameters, own_account, writer, Done, Reply};
pub use spec::{request_field_schemas, with_parameter_schemas, with_payload_too_large};
pub use versioned::{etag, Versioned};

#[derive(Tags)]
pub enum ApiTags {
    /// Regions of the platform
    Regions,
    /// The catalog of programs
    Catalog,
    /// Registration, login, profile and children
    Accounts,
    /// Certificates, their confirmation and financing
    Certificates,
    /// Applications to study groups
    Applications,
    /// The organization's profile and places of study (organization staff)
    Organizations,
    /// Program authoring (organization staff) and moderation (the region's moderators)
    Programs,
    /// Groups of the organization's programs, their schedules, and its teachers
    /// (organization staff)
    Groups,
    /// The organization's staff and API tokens (organization staff, with a session)
    Staff,
    /// Catalog sync of the organization's own system by its ids: `PUT` by external id,
    /// `If-Match`, the change list (organization staff or token)
    Sync,
    /// «Приём заявителя»: families registered, certificates issued and confirmed, and
    /// applications recorded («Личное обращение») at the organization (organization staff)
    Visitors,
    /// Families' reviews of programs: the published ones (anyone), writing one (a parent
    /// whose child was enrolled), moderation (the region's moderators) and the
    /// organization's answer (organization staff)
    Reviews,
}

/// JSON that is already serialized (a cached rendering), documented in the spec as `T`.
pub struct JsonText<T>(Bytes, PhantomData<fn() -> T>);

impl<T> JsonText<T> {
    pub fn new(json: Bytes) -> Self {
        Self(json, PhantomData)
    }
}

const JSON: &str = "application/json; charset=utf-8";

impl<T: Type> Payload for JsonText<T> {
    const CONTENT_TYPE: &'static str = JSON;

    fn schema_ref() -> MetaSchemaRef {
        T::schema_ref()
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}

impl<T> IntoResponse for JsonText<T> {
    fn into_response(self) -> Response {
        Response::builder().content_type(JSON).body(self.0)
    }
}

/// Implements poem-openapi's `Type` and `ToJSON` for `$ty`, a type that serde writes the
/// way `$as` is written, so that the spec shows `$as`: for bodies rendered ahead of time or
/// kept in a cheaper form than the type that documents them.
macro_rules! documented_as {
    ($ty:ty, $as:ty) => {
        impl poem_openapi::types::Type for $ty {
            const IS_REQUIRED: bool = true;
            type RawValueType = Self;
            type RawElementValueType = Self;

            fn name() -> std::borrow::Cow<'static, str> {
                <$as as poem_openapi::types::Type>::name()
            }

            fn schema_ref() -> poem_openapi::registry::MetaSchemaRef {
                <$as as poem_openapi::types::Type>::schema_ref()
            }

            fn register(registry: &mut poem_openapi::registry::Registry) {
                <$as as poem_openapi::types::Type>::register(registry);
            }

            fn as_raw_value(&self) -> Option<&Self> {
                Some(self)
            }

            fn raw_element_iter<'a>(&'a self) -> Box<dyn Iterator<Item = &'a Self> + 'a> {
                Box::new(std::iter::empty())
            }
        }

        impl poem_openapi::types::ToJSON for $ty {
            fn to_json(&self) -> Option<serde_json::Value> {
                serde_json::to_value(self).ok()
            }
        }
    };
}
pub(crate) use documented_as;
