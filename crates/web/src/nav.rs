//! The one navigation of every signed-in page: the same links everywhere, those the person may
//! use only, the current one marked. The request's path is noted by a layer around every
//! request and the signed-in person by the `SignedIn` extractor, so page structs carry nothing
//! for it and no page can forget it.

use std::cell::RefCell;

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use domain::policy::{Action, Resource};
use service::Actor;

tokio::task_local! {
    static NAV: RefCell<Seen>;
}

#[derive(Default)]
struct Seen {
    path: String,
    /// What the signed-in person may open, once the extractor has met them.
    may: Option<May>,
}

#[derive(Clone, Copy, Default)]
struct May {
    sign_ins: bool,
    audit: bool,
    billing: bool,
    role: &'static str,
}

/// One link of the navigation.
pub(crate) struct Link {
    pub(crate) href: &'static str,
    pub(crate) label: &'static str,
    pub(crate) current: bool,
}

/// Notes the request's path for the navigation of the page it produces.
pub(crate) async fn scope(request: Request, next: Next) -> Response {
    let seen = Seen { path: request.uri().path().to_owned(), may: None };
    NAV.scope(RefCell::new(seen), next.run(request)).await
}

/// The signed-in person of this request (asked by the `SignedIn` extractor).
pub(crate) fn signed_in(actor: &Actor) {
    let may = May {
        sign_ins: actor.is_allowed(Resource::SignInHistory, Action::View),
        audit: actor.is_allowed(Resource::AuditLog, Action::View),
        billing: actor.is_allowed(Resource::Billing, Action::View),
        role: actor.role().label(),
    };
    let _ = NAV.try_with(|seen| seen.borrow_mut().may = Some(may));
}

/// The signed-in person's role, as the header shows it beside their name.
pub(crate) fn role() -> &'static str {
    NAV.try_with(|seen| seen.borrow().may.map_or("", |m| m.role)).unwrap_or_default()
}

/// The links for the page being rendered; each is current when the path is in its area.
pub(crate) fn links() -> Vec<Link> {
    let (path, may) = NAV
        .try_with(|seen| {
            let seen = seen.borrow();
            (seen.path.clone(), seen.may)
        })
        .unwrap_or_default();
    let may = may.unwrap_or_default();
    let all: [(&'static str, &'static str, &[&str], bool); 9] = [
        ("/dashboard", "Dashboard", &["/dashboard", "/practice/"], true),
        ("/clients", "Clients", &["/clients", "/diagnosis-codes", "/glass-breaks"], true),
        ("/schedule/calendars", "Scheduling", &["/schedule/"], true),
        ("/billing", "Billing", &["/billing"], may.billing),
        ("/staff", "Staff", &["/staff"], true),
        ("/sign-ins", "Sign-in history", &["/sign-ins"], may.sign_ins),
        ("/audit", "Audit log", &["/audit"], may.audit),
        ("/account/sessions", "Your sessions", &["/account/sessions"], true),
        (
            "/account/security",
            "Sign-in security",
            &["/account/security", "/account/totp", "/account/password", "/account/tokens"],
            true,
        ),
    ];
    all.into_iter()
        .filter(|(_, _, _, shown)| *shown)
        .map(|(href, label, areas, _)| Link { href, label, current: areas.iter().any(|a| path.starts_with(a)) })
        .collect()
}
