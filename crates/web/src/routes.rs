//! Every route is added through [`Routes`], which keeps the method and path it was given, so
//! the application's full list of routes comes from the same calls that build its router (the
//! route-coverage test walks it: a route cannot be added without being listed).

use axum::Router;
use axum::handler::Handler;
use axum::routing::{MethodRouter, delete, get, post};

use crate::AppState;

/// One route: its method and path pattern (`/staff/{user}/role`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Route {
    pub method: &'static str,
    pub path: String,
}

#[derive(Default)]
pub(crate) struct Routes {
    router: Router<AppState>,
    list: Vec<Route>,
}

impl Routes {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    fn add(mut self, method: &'static str, path: &str, handler: MethodRouter<AppState>) -> Self {
        self.router = self.router.route(path, handler);
        self.list.push(Route { method, path: path.to_owned() });
        self
    }

    pub(crate) fn get<H: Handler<T, AppState>, T: 'static>(self, path: &str, handler: H) -> Self {
        self.add("GET", path, get(handler))
    }

    pub(crate) fn post<H: Handler<T, AppState>, T: 'static>(self, path: &str, handler: H) -> Self {
        self.add("POST", path, post(handler))
    }

    pub(crate) fn delete<H: Handler<T, AppState>, T: 'static>(self, path: &str, handler: H) -> Self {
        self.add("DELETE", path, delete(handler))
    }

    pub(crate) fn merge(mut self, other: Routes) -> Self {
        self.router = self.router.merge(other.router);
        self.list.extend(other.list);
        self
    }

    pub(crate) fn nest(mut self, prefix: &str, other: Routes) -> Self {
        self.router = self.router.nest(prefix, other.router);
        self.list.extend(other.list.into_iter().map(|r| Route { path: format!("{prefix}{}", r.path), ..r }));
        self
    }

    pub(crate) fn into_parts(self) -> (Router<AppState>, Vec<Route>) {
        (self.router, self.list)
    }
}
