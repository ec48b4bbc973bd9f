//! A stand-in for a Twilio-compatible SMS API on loopback: it records every request (path,
//! `Authorization`, the form's fields) and answers 201 with a message resource and its own
//! `sid`, as the real API does.

use std::net::TcpListener;
use std::sync::{Arc, Mutex};

#[path = "stand_in.rs"]
mod stand_in;
use stand_in::{read_request, respond};

/// One request as received.
#[derive(Debug, Clone)]
pub struct SmsRequest {
    pub path: String,
    pub authorization: String,
    pub fields: Vec<(String, String)>,
}

impl SmsRequest {
    pub fn field(&self, name: &str) -> &str {
        self.fields.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str())
    }
}

pub struct SmsStandIn {
    pub port: u16,
    received: Arc<Mutex<Vec<SmsRequest>>>,
}

impl SmsStandIn {
    pub fn start() -> SmsStandIn {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
        let port = listener.local_addr().unwrap_or_else(|e| panic!("{e}")).port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let r = Arc::clone(&received);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (r, mut stream) = (Arc::clone(&r), stream);
                std::thread::spawn(move || {
                    let Some(request) = read_request(&stream) else { return };
                    let fields = form_fields(&String::from_utf8_lossy(&request.body));
                    let (path, authorization) = (request.path.clone(), request.header("authorization").to_owned());
                    let number = {
                        let mut all = r.lock().unwrap_or_else(|e| e.into_inner());
                        all.push(SmsRequest { path, authorization, fields });
                        all.len()
                    };
                    // Each message its own id, as the real API gives.
                    let answer = format!(r#"{{"sid":"SM{number:032}","status":"queued"}}"#);
                    respond(&mut stream, 201, "application/json", &[], &answer);
                });
            }
        });
        SmsStandIn { port, received }
    }

    pub fn received(&self) -> Vec<SmsRequest> {
        self.received.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

/// `application/x-www-form-urlencoded` decoded: `+` is a space, `%XX` a byte.
fn form_fields(body: &str) -> Vec<(String, String)> {
    let decode = |s: &str| {
        let bytes = s.replace('+', " ").into_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            match (bytes[i], hex) {
                (b'%', Some(byte)) => {
                    out.push(byte);
                    i += 3;
                }
                (b, _) => {
                    out.push(b);
                    i += 1;
                }
            }
        }
        String::from_utf8_lossy(&out).into_owned()
    };
    body.split('&').filter_map(|pair| pair.split_once('=')).map(|(k, v)| (decode(k), decode(v))).collect()
}
