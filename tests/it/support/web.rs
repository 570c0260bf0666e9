//! A browser's side of the web pages over plain HTTP: a client that does not follow
//! redirects, signing in with a token, the session cookie and the form's CSRF token.

use reqwest::blocking::{Client, RequestBuilder};
use reqwest::redirect::Policy;

use super::serve::{Response, Server};

/// A client of the pages: redirects are answers to look at, not to follow.
pub fn client() -> Client {
    Client::builder()
        .redirect(Policy::none())
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .unwrap()
}

/// One browser: the server's base address and the session cookie once signed in.
pub struct Browser<'s> {
    pub server: &'s Server,
    pub client: Client,
    pub cookie: Option<String>,
}

impl<'s> Browser<'s> {
    pub fn new(server: &'s Server) -> Self {
        Browser {
            server,
            client: client(),
            cookie: None,
        }
    }

    /// Signed in with `token`.
    pub fn signed_in(server: &'s Server, token: &str) -> Self {
        let mut browser = Browser::new(server);
        let answer = browser.sign_in(token);
        assert_eq!(answer.status, 303, "{}", answer.text);
        browser
    }

    fn with_cookie(&self, request: RequestBuilder) -> RequestBuilder {
        match &self.cookie {
            Some(cookie) => request.header("cookie", format!("review_session={cookie}")),
            None => request,
        }
    }

    pub fn get(&self, path: &str) -> Response {
        let request = self.with_cookie(self.client.get(self.server.url(path)));
        Response::from(request.send().unwrap())
    }

    /// A form post, fields as given (no CSRF token added).
    pub fn post_raw(&self, path: &str, fields: &[(&str, &str)], origin: Option<&str>) -> Response {
        let body = serde_urlencoded::to_string(fields).unwrap();
        let mut request = self
            .with_cookie(self.client.post(self.server.url(path)))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        Response::from(request.send().unwrap())
    }

    /// A form post as a page of the service sends it: same origin, with the CSRF token read
    /// from `page`.
    pub fn post(&self, page: &str, path: &str, fields: &[(&str, &str)]) -> Response {
        let csrf = self.csrf(page);
        let mut all = vec![("csrf", csrf.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(path, &all, Some(&self.server.base))
    }

    /// The CSRF token in the forms of `page`.
    pub fn csrf(&self, page: &str) -> String {
        let html = self.get(page).text;
        csrf_in(&html).unwrap_or_else(|| panic!("no csrf field on {page}:\n{html}"))
    }

    pub fn sign_in(&mut self, token: &str) -> Response {
        let answer = self.post_raw("/sign-in", &[("token", token), ("next", "/changes")], None);
        if let Some(cookie) = answer
            .headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|v| v.strip_prefix("review_session="))
        {
            self.cookie = Some(cookie.split(';').next().unwrap().to_owned());
        }
        answer
    }
}

pub fn csrf_in(html: &str) -> Option<String> {
    let at = html.find("name=\"csrf\" value=\"")? + "name=\"csrf\" value=\"".len();
    Some(html[at..].split('"').next()?.to_owned())
}
