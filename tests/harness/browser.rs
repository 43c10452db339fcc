//! A browser for tests: one host, its own cookie jar, forms submitted with the CSRF token
//! the page carried, redirects not followed (tests look at them).

use std::collections::BTreeMap;

use reqwest::header::{HeaderValue, COOKIE, HOST, LOCATION, SET_COOKIE};
use reqwest::Method;

use crate::TestApp;

pub struct Browser<'a> {
    app: &'a TestApp,
    pub host: String,
    pub cookies: BTreeMap<String, String>,
}

#[derive(Debug)]
pub struct Page {
    pub status: u16,
    pub body: String,
    pub location: Option<String>,
    pub retry_after: Option<String>,
    pub set_cookies: Vec<String>,
}

impl Page {
    /// The CSRF token of the first form on the page.
    pub fn csrf(&self) -> String {
        let marker = "name=\"csrf\" value=\"";
        let start = self.body.find(marker).expect("page has a CSRF field") + marker.len();
        self.body[start..start + 64].to_owned()
    }
}

impl<'a> Browser<'a> {
    pub fn new(app: &'a TestApp, host: &str) -> Self {
        Self {
            app,
            host: host.to_owned(),
            cookies: BTreeMap::new(),
        }
    }

    /// The same cookies, sent to another host (a stolen or replayed cookie).
    pub fn on_host(&self, host: &str) -> Browser<'a> {
        Browser {
            app: self.app,
            host: host.to_owned(),
            cookies: self.cookies.clone(),
        }
    }

    pub fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        let mut req = self
            .app
            .client()
            .request(method, format!("http://{}{}", self.app.addr, path))
            .header(
                HOST,
                HeaderValue::from_bytes(self.host.as_bytes()).expect("host"),
            );
        if !self.cookies.is_empty() {
            let jar: Vec<String> = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            req = req.header(COOKIE, jar.join("; "));
        }
        req
    }

    async fn finish(&mut self, resp: reqwest::Response) -> Page {
        let status = resp.status().as_u16();
        let header = |name| {
            resp.headers()
                .get(name)
                .and_then(|v: &HeaderValue| v.to_str().ok())
                .map(str::to_owned)
        };
        let location = header(LOCATION.as_str());
        let retry_after = header("retry-after");
        let set_cookies: Vec<String> = resp
            .headers()
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_owned))
            .collect();
        for c in &set_cookies {
            let pair = c.split(';').next().unwrap_or_default();
            if let Some((k, v)) = pair.split_once('=') {
                if v.is_empty() || c.contains("Max-Age=0") {
                    self.cookies.remove(k);
                } else {
                    self.cookies.insert(k.to_owned(), v.to_owned());
                }
            }
        }
        let body = resp.text().await.expect("body");
        Page {
            status,
            body,
            location,
            retry_after,
            set_cookies,
        }
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let resp = self.request(Method::GET, path).send().await.expect("GET");
        self.finish(resp).await
    }

    /// POSTs a form as is (no CSRF token added).
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let resp = self
            .request(Method::POST, path)
            .form(fields)
            .send()
            .await
            .expect("POST");
        self.finish(resp).await
    }

    /// Opens `page`, then submits its form to `action` with the page's CSRF token.
    pub async fn submit(&mut self, page: &str, action: &str, fields: &[(&str, &str)]) -> Page {
        let form = self.get(page).await;
        assert_eq!(form.status, 200, "{page}: {}", form.body);
        let csrf = form.csrf();
        let mut all = vec![("csrf", csrf.as_str())];
        all.extend_from_slice(fields);
        self.post(action, &all).await
    }

    /// A JSON API call; `csrf` goes into `X-CSRF-Token`.
    pub async fn api(
        &mut self,
        method: Method,
        path: &str,
        body: Option<serde_json::Value>,
        csrf: Option<&str>,
    ) -> (u16, serde_json::Value, Page) {
        let mut req = self.request(method, path);
        if let Some(body) = body {
            req = req.json(&body);
        }
        if let Some(token) = csrf {
            req = req.header("X-CSRF-Token", token);
        }
        let resp = req.send().await.expect("API call");
        let page = self.finish(resp).await;
        let json = serde_json::from_str(&page.body).unwrap_or(serde_json::Value::Null);
        (page.status, json, page)
    }

    /// Logs in through the form; panics unless it worked.
    pub async fn login(&mut self, email: &str, password: &str) {
        let page = self
            .submit(
                "/login",
                "/login",
                &[("email", email), ("password", password)],
            )
            .await;
        assert_eq!(page.status, 303, "login failed: {}", page.body);
    }
}

/// The path and query of a link from a mail (`https://host/verify/email?code=…`).
pub fn path_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.find('/').map_or("/".into(), |i| rest[i..].to_owned())
}
