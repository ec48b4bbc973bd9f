//! A stand-in for a clearinghouse's HTTPS file interface on loopback, as Haven's HTTP
//! clearinghouse speaks to it: `PUT /outbound/{name}`, `GET /inbound` (`{"files": [...]}`),
//! `GET /inbound/{name}` and `DELETE /inbound/{name}`, each only with the bearer token it was
//! started with (401 otherwise). It keeps what it was given and what it leaves, in memory.

use std::collections::BTreeMap;
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

#[path = "stand_in.rs"]
mod stand_in;
use stand_in::{read_request, respond};

#[derive(Default)]
struct Files {
    token: String,
    outbound: BTreeMap<String, String>,
    inbound: BTreeMap<String, String>,
}

pub struct FilesApi {
    pub port: u16,
    files: Arc<Mutex<Files>>,
}

impl FilesApi {
    pub fn start(token: &str) -> FilesApi {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
        let port = listener.local_addr().unwrap_or_else(|e| panic!("{e}")).port();
        let files = Arc::new(Mutex::new(Files { token: token.to_owned(), ..Files::default() }));
        let shared = Arc::clone(&files);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                serve(stream, &shared);
            }
        });
        FilesApi { port, files }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/api", self.port)
    }

    fn files(&self) -> std::sync::MutexGuard<'_, Files> {
        self.files.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// What Haven left, by name.
    pub fn outbound(&self) -> BTreeMap<String, String> {
        self.files().outbound.clone()
    }

    /// Leaves a file for the practice.
    pub fn leave(&self, name: &str, content: &str) {
        self.files().inbound.insert(name.to_owned(), content.to_owned());
    }

    /// The names of the files still waiting.
    pub fn waiting(&self) -> Vec<String> {
        self.files().inbound.keys().cloned().collect()
    }

    /// From now on only `token` is let in.
    pub fn change_token(&self, token: &str) {
        token.clone_into(&mut self.files().token);
    }
}

fn serve(mut stream: TcpStream, files: &Mutex<Files>) {
    let Some(request) = read_request(&stream) else { return };
    let mut files = files.lock().unwrap_or_else(|e| e.into_inner());
    if request.header("authorization") != format!("Bearer {}", files.token) {
        return respond(&mut stream, 401, "application/json", &[], r#"{"error":"unauthorized"}"#);
    }
    let path = request.path.strip_prefix("/api").unwrap_or_default();
    let name = |prefix: &str| path.strip_prefix(prefix).map(str::to_owned);
    match (request.method.as_str(), name("/outbound/"), name("/inbound/")) {
        ("PUT", Some(n), _) => {
            files.outbound.insert(n, String::from_utf8_lossy(&request.body).into_owned());
            respond(&mut stream, 201, "application/json", &[], "{}");
        }
        ("GET", _, None) if path == "/inbound" => {
            let listed = serde_json::json!({ "files": files.inbound.keys().collect::<Vec<_>>() });
            respond(&mut stream, 200, "application/json", &[], &listed.to_string());
        }
        ("GET", _, Some(n)) => match files.inbound.get(&n) {
            Some(content) => respond(&mut stream, 200, "application/edi-x12", &[], content),
            None => respond(&mut stream, 404, "application/json", &[], "{}"),
        },
        ("DELETE", _, Some(n)) => {
            let status = if files.inbound.remove(&n).is_some() { 204 } else { 404 };
            respond(&mut stream, status, "application/json", &[], "");
        }
        _ => respond(&mut stream, 405, "application/json", &[], "{}"),
    }
}
