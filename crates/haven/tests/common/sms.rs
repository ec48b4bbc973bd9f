//! A stand-in for a Twilio-compatible SMS API on loopback: it records every request (path,
//! `Authorization`, the form's fields) and answers 201 with a message resource and its own
//! `sid`, as the real API does.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

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
                let r = Arc::clone(&r);
                std::thread::spawn(move || {
                    let mut reader = BufReader::new(stream.try_clone().unwrap_or_else(|e| panic!("{e}")));
                    let mut line = String::new();
                    if reader.read_line(&mut line).is_err() {
                        return;
                    }
                    let path = line.split_whitespace().nth(1).unwrap_or_default().to_owned();
                    let (mut length, mut authorization) = (0usize, String::new());
                    loop {
                        let mut header = String::new();
                        if reader.read_line(&mut header).is_err() || header.trim().is_empty() {
                            break;
                        }
                        if let Some((name, value)) = header.split_once(':') {
                            match name.trim().to_ascii_lowercase().as_str() {
                                "content-length" => length = value.trim().parse().unwrap_or(0),
                                "authorization" => authorization = value.trim().to_owned(),
                                _ => {}
                            }
                        }
                    }
                    let mut body = vec![0; length];
                    let _ = reader.read_exact(&mut body);
                    let fields = form_fields(&String::from_utf8_lossy(&body));
                    let number = {
                        let mut all = r.lock().unwrap_or_else(|e| e.into_inner());
                        all.push(SmsRequest { path, authorization, fields });
                        all.len()
                    };
                    // Each message its own id, as the real API gives.
                    let answer = format!(r#"{{"sid":"SM{number:032}","status":"queued"}}"#);
                    let mut stream = stream;
                    let _ = write!(
                        stream,
                        "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{answer}",
                        answer.len()
                    );
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
