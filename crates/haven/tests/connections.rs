//! The HTTP server's limits, probed from outside as an attacker would: headers that never end,
//! a body that never comes and idle connections are closed in their time; one address cannot
//! hold more than its share of connections, and others still get in.

mod common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use common::{Server, data_dir, get, temp_dir};

const LIMITS: [(&str, &str); 4] = [
    ("HAVEN_HEADER_TIMEOUT_SECONDS", "1"),
    ("HAVEN_BODY_TIMEOUT_SECONDS", "1"),
    ("HAVEN_MAX_CONNECTIONS", "64"),
    ("HAVEN_MAX_CONNECTIONS_PER_ADDRESS", "4"),
];

fn address(server: &Server) -> SocketAddr {
    server.url.trim_start_matches("http://").parse().unwrap_or_else(|e| panic!("{}: {e}", server.url))
}

/// Connects from `from` (any loopback address works as a source on Linux).
fn connect(to: SocketAddr, from: [u8; 4]) -> TcpStream {
    let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None)
        .unwrap_or_else(|e| panic!("socket: {e}"));
    socket.bind(&SocketAddr::from((from, 0)).into()).unwrap_or_else(|e| panic!("bind: {e}"));
    socket.connect(&to.into()).unwrap_or_else(|e| panic!("connect: {e}"));
    let stream: TcpStream = socket.into();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap_or_else(|e| panic!("{e}"));
    stream
}

/// Reads until the server closes the connection; what it sent, and how long that took.
fn until_closed(stream: &mut TcpStream) -> (String, Duration) {
    let started = Instant::now();
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => seen.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => break,
            Err(e) => panic!("the server kept the connection open: {e}"),
        }
    }
    (String::from_utf8_lossy(&seen).into_owned(), started.elapsed())
}

#[test]
fn slow_and_idle_connections_are_closed_in_time() {
    let tmp = temp_dir();
    let server = Server::start(&data_dir(&tmp), &[], &LIMITS);
    let to = address(&server);

    // Headers begun and never finished.
    let mut partial = connect(to, [127, 0, 0, 1]);
    partial.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n").unwrap_or_else(|e| panic!("{e}"));
    let (_, after) = until_closed(&mut partial);
    assert!(after < Duration::from_secs(5), "partial headers held for {after:?}");

    // A body announced and never sent: the request ends, the connection with it.
    let mut bodiless = connect(to, [127, 0, 0, 1]);
    bodiless
        .write_all(b"POST /sign-in HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 500\r\n\r\nemail=")
        .unwrap_or_else(|e| panic!("{e}"));
    let (answer, after) = until_closed(&mut bodiless);
    assert!(after < Duration::from_secs(5), "a missing body held the connection for {after:?}");
    assert!(answer.is_empty() || answer.starts_with("HTTP/1.1 4"), "{answer}");

    // A kept-alive connection that goes quiet after its request.
    let mut idle = connect(to, [127, 0, 0, 1]);
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n").unwrap_or_else(|e| panic!("{e}"));
    let (answer, after) = until_closed(&mut idle);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(after < Duration::from_secs(5), "an idle connection stayed open {after:?}");
}

#[test]
fn one_address_cannot_take_every_connection() {
    let tmp = temp_dir();
    let server = Server::start(&data_dir(&tmp), &[], &LIMITS);
    let to = address(&server);

    // Four idle connections from one address are its share; a fifth is closed at once.
    let held: Vec<TcpStream> = (0..4).map(|_| connect(to, [127, 0, 0, 5])).collect();
    let ready = Instant::now() + Duration::from_secs(5);
    let mut fifth = connect(to, [127, 0, 0, 5]);
    fifth.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n").unwrap_or_else(|e| panic!("{e}"));
    let (answer, _) = until_closed(&mut fifth);
    assert!(answer.is_empty(), "a fifth connection from one address was served: {answer}");
    assert!(Instant::now() < ready, "the refusal took its time");

    // Everyone else still gets in, health checks included.
    let mut other = connect(to, [127, 0, 0, 6]);
    other
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .unwrap_or_else(|e| panic!("{e}"));
    let (answer, _) = until_closed(&mut other);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert_eq!(get(&format!("{}/healthz", server.url), None).status, 200);

    // Closed connections give their places back.
    drop(held);
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let mut again = connect(to, [127, 0, 0, 5]);
        again
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            .unwrap_or_else(|e| panic!("{e}"));
        if until_closed(&mut again).0.starts_with("HTTP/1.1 200") {
            break;
        }
        assert!(Instant::now() < deadline, "the address never got its places back");
        std::thread::sleep(Duration::from_millis(20));
    }
}
