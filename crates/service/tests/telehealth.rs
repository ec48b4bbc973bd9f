//! Room tokens checked by an independent implementation: PyJWT (PyPI; `.ci/run` installs it)
//! verifies the signature with the shared secret and reads the claims Jitsi's token
//! authentication checks.

use std::process::Command;

use haven_service::telehealth::{MeetingRoom, Participant, RoomTokens, Telehealth};
use jiff::Timestamp;

const VERIFY: &str = r#"
import json, sys, jwt
token, secret = sys.argv[1], sys.argv[2]
try:
    claims = jwt.decode(token, secret, algorithms=["HS256"], audience="jitsi", issuer="haven-practice",
                        options={"verify_exp": True, "verify_nbf": True}, leeway=0)
    print(json.dumps({"ok": True, "claims": claims}))
except jwt.PyJWTError as e:
    print(json.dumps({"ok": False, "error": type(e).__name__}))
"#;

fn verify(token: &str, secret: &str) -> serde_json::Value {
    let output = Command::new("python3").args(["-c", VERIFY, token, secret]).output().expect("python3");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).expect("json")
}

#[test]
fn room_tokens_verify_independently_and_only_with_the_secret() {
    let secret = "correct horse battery staple, and then some more";
    let tokens = RoomTokens::new("haven-practice", secret.as_bytes().to_vec()).expect("tokens");
    let telehealth = Telehealth::new("https://meet.example-practice.org/", Some(tokens)).expect("server");
    let room = MeetingRoom::new().expect("room");
    let now = Timestamp::now();
    let later = now + jiff::SignedDuration::from_hours(2);
    let url = telehealth.join_url(&room, Participant { display_name: "Dr. Rivera", moderator: true }, now, later);
    let prefix = format!("https://meet.example-practice.org/{}?jwt=", room.as_str());
    let token = url.strip_prefix(&prefix).expect("link to the room with a token");

    let checked = verify(token, secret);
    assert_eq!(checked["ok"], true, "{checked}");
    let claims = &checked["claims"];
    assert_eq!(claims["room"], room.as_str());
    assert_eq!(claims["sub"], "meet.example-practice.org");
    assert_eq!(claims["context"]["user"]["name"], "Dr. Rivera");
    assert_eq!(claims["context"]["user"]["moderator"], true);
    assert_eq!(claims["exp"], later.as_second());

    assert_eq!(verify(token, "another secret, just as long as the first one")["error"], "InvalidSignatureError");
    let expired = telehealth.join_url(
        &room,
        Participant { display_name: "Client", moderator: false },
        now - jiff::SignedDuration::from_hours(3),
        now - jiff::SignedDuration::from_hours(1),
    );
    let expired = expired.split_once("?jwt=").expect("token").1;
    assert_eq!(verify(expired, secret)["error"], "ExpiredSignatureError");
}

#[test]
fn without_token_authentication_the_link_is_the_room_alone() {
    let telehealth = Telehealth::new(haven_service::telehealth::PUBLIC_SERVER, None).expect("server");
    let room = MeetingRoom::new().expect("room");
    let now = Timestamp::now();
    let url = telehealth.join_url(&room, Participant { display_name: "Client", moderator: false }, now, now);
    assert_eq!(url, format!("https://meet.jit.si/{}", room.as_str()));
}
