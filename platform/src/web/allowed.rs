//! `Allow` on a 405: the API knows, from its own spec, which methods each path takes, so a
//! client that used the wrong one is told the right ones (RFC 9110 §15.5.6).

use std::sync::Arc;

use poem::http::StatusCode;
use poem::{Endpoint, IntoResponse, Middleware, Request, Response, Result};

use super::WebError;

/// Each path template of the spec (`/programs/{id}`) as segments, with its methods.
#[derive(Debug, Clone, Default)]
pub struct AllowedMethods {
    paths: Arc<Vec<(Vec<String>, String)>>,
    /// The prefix the templates are relative to (`/api/v1`).
    prefix: &'static str,
}

impl AllowedMethods {
    /// Reads the paths and methods of an OpenAPI document.
    pub fn from_spec(spec: &str, prefix: &'static str) -> Self {
        let spec: serde_json::Value = serde_json::from_str(spec).unwrap_or_default();
        let mut paths = Vec::new();
        if let Some(map) = spec.get("paths").and_then(|p| p.as_object()) {
            for (template, ops) in map {
                let mut methods: Vec<String> = ops
                    .as_object()
                    .map(|o| o.keys().map(|m| m.to_ascii_uppercase()).collect())
                    .unwrap_or_default();
                methods.sort();
                let segments = template.split('/').map(str::to_owned).collect();
                paths.push((segments, methods.join(", ")));
            }
        }
        Self {
            paths: Arc::new(paths),
            prefix,
        }
    }

    /// The `Allow` value of a path, if the spec has it.
    pub fn of(&self, path: &str) -> Option<&str> {
        let path = path.strip_prefix(self.prefix).unwrap_or(path);
        let asked: Vec<&str> = path.split('/').collect();
        self.paths.iter().find_map(|(segments, allow)| {
            let fits = segments.len() == asked.len()
                && segments
                    .iter()
                    .zip(&asked)
                    .all(|(s, a)| s == a || (s.starts_with('{') && !a.is_empty()));
            fits.then_some(allow.as_str())
        })
    }
}

impl<E: Endpoint> Middleware<E> for AllowedMethods {
    type Output = AllowedMethodsEndpoint<E>;

    fn transform(&self, ep: E) -> Self::Output {
        AllowedMethodsEndpoint(ep, self.clone())
    }
}

pub struct AllowedMethodsEndpoint<E>(E, AllowedMethods);

impl<E: Endpoint> Endpoint for AllowedMethodsEndpoint<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> Result<Self::Output> {
        let path = req.original_uri().path().to_owned();
        match self.0.call(req).await {
            Ok(r) => Ok(r.into_response()),
            Err(e) if e.status() == StatusCode::METHOD_NOT_ALLOWED => {
                let allow = self.1.of(&path).unwrap_or_default().to_owned();
                Err(WebError::MethodNotAllowed(allow).into())
            }
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::AllowedMethods;

    #[test]
    fn finds_the_methods_of_a_templated_path() {
        let spec = r#"{"paths": {"/programs/{id}": {"get": {}}, "/me/children": {"get": {}, "post": {}}}}"#;
        let allowed = AllowedMethods::from_spec(spec, "/api/v1");
        assert_eq!(allowed.of("/api/v1/programs/15"), Some("GET"));
        assert_eq!(allowed.of("/api/v1/me/children"), Some("GET, POST"));
        assert_eq!(allowed.of("/api/v1/programs/15/x"), None);
        assert_eq!(allowed.of("/api/v1/programs/"), None);
    }
}
