//! A stand-in for a Stripe-compatible card processor on loopback: the Checkout Sessions API
//! (`POST /v1/checkout/sessions`, `GET /v1/checkout/sessions/{id}`, bearer key checked), and
//! the hosted page a payer types their card on (`/pay/{id}`), which marks the session paid,
//! posts the signed `checkout.session.completed` event to the webhook it was given, and sends
//! the payer back to the session's `success_url`. It records every API request, and the card
//! numbers typed on its page — which only it ever sees. `POST /v1/refunds` refunds a paid
//! session's payment, never beyond what it came to. Cards on file: `POST /v1/customers`, a
//! session of `mode=setup` whose page saves the card typed (as `pm_test_N`, its brand and last
//! four digits from the number, which only the stand-in keeps), and `POST /v1/payment_intents` charging a saved card off
//! session — once per `Idempotency-Key`, answering a repeated key as the first time — which
//! declines (402, `card_declined`) a card typed as 4000 0000 0000 0002, as the real test card does.

use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

#[path = "stand_in.rs"]
mod stand_in;
use stand_in::{read_request, respond};

pub const SECRET_KEY: &str = "sk_test_stand_in";
pub const WEBHOOK_SECRET: &str = "whsec_stand_in";

#[derive(Debug, Clone)]
pub struct ApiRequest {
    pub method: String,
    pub path: String,
    pub authorization: String,
    pub idempotency_key: String,
    pub fields: Vec<(String, String)>,
}

impl ApiRequest {
    pub fn field(&self, name: &str) -> &str {
        self.fields.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str())
    }
}

#[derive(Debug, Clone)]
pub struct Session {
    pub id: String,
    pub amount: i64,
    pub success_url: String,
    /// `open`, `complete` or `expired`.
    pub status: &'static str,
    /// `payment` or `setup`; a setup's customer, and the id of the card it saved.
    pub mode: String,
    pub customer: String,
    pub method: Option<String>,
}

#[derive(Default)]
struct State {
    requests: Vec<ApiRequest>,
    sessions: Vec<Session>,
    cards_typed: Vec<String>,
    webhook: Option<String>,
    /// (session, cents) of each refund made.
    refunds: Vec<(String, i64)>,
    customers: usize,
    /// Each saved card's id and number.
    methods: Vec<(String, String)>,
    /// Each payment intent's idempotency key, status and answer.
    charges: Vec<(String, u16, String)>,
}

pub struct CardStandIn {
    pub port: u16,
    state: Arc<Mutex<State>>,
}

impl CardStandIn {
    pub fn start() -> CardStandIn {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
        let port = listener.local_addr().unwrap_or_else(|e| panic!("{e}")).port();
        let state = Arc::new(Mutex::new(State::default()));
        let shared = Arc::clone(&state);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let state = Arc::clone(&shared);
                std::thread::spawn(move || serve(stream, port, &state));
            }
        });
        CardStandIn { port, state }
    }

    /// What Haven's configuration needs to use this processor.
    pub fn haven_env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("HAVEN_PAYMENTS_SECRET_KEY", SECRET_KEY.to_owned()),
            ("HAVEN_PAYMENTS_WEBHOOK_SECRET", WEBHOOK_SECRET.to_owned()),
            ("HAVEN_PAYMENTS_API_URL", format!("http://127.0.0.1:{}", self.port)),
        ]
    }

    /// Where the hosted page posts its events once a card is paid.
    pub fn send_events_to(&self, url: &str) {
        self.lock().webhook = Some(url.to_owned());
    }

    pub fn requests(&self) -> Vec<ApiRequest> {
        self.lock().requests.clone()
    }

    pub fn sessions(&self) -> Vec<Session> {
        self.lock().sessions.clone()
    }

    pub fn cards_typed(&self) -> Vec<String> {
        self.lock().cards_typed.clone()
    }

    /// The id the processor gave the card typed as `number`, once saved.
    pub fn method_of(&self, number: &str) -> Option<String> {
        let digits: String = number.chars().filter(char::is_ascii_digit).collect();
        self.lock().methods.iter().find(|(_, n)| *n == digits).map(|(id, _)| id.clone())
    }

    /// The amounts charged to saved cards, each once.
    pub fn charged(&self) -> Vec<i64> {
        let state = self.lock();
        state
            .charges
            .iter()
            .filter(|(_, status, _)| *status == 200)
            .filter_map(|(_, _, answer)| serde_json::from_str::<serde_json::Value>(answer).ok())
            .filter_map(|answer| answer["amount_received"].as_i64())
            .collect()
    }

    /// Ends a session as the payer or time would: `complete` (paid) or `expired`.
    pub fn settle(&self, id: &str, status: &'static str) {
        let mut state = self.lock();
        let session = state.sessions.iter_mut().find(|s| s.id == id).unwrap_or_else(|| panic!("no session {id}"));
        session.status = status;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The `checkout.session.completed` event for `id`, and its `Stripe-Signature` made at `at`
/// (seconds since the epoch) under `secret`.
pub fn signed_event(id: &str, secret: &str, at: i64) -> (String, String) {
    let body = serde_json::json!({
        "id": format!("evt_{id}"),
        "object": "event",
        "type": "checkout.session.completed",
        "data": {"object": {"object": "checkout.session", "id": id}},
    })
    .to_string();
    let tag = crypto::mac::hmac_sha256(secret.as_bytes(), format!("{at}.{body}").as_bytes());
    (body.clone(), format!("t={at},v1={}", crypto::hex::encode(&tag)))
}

fn now_seconds() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

fn serve(stream: TcpStream, port: u16, state: &Mutex<State>) {
    let Some(request) = read_request(&stream) else { return };
    let (method, path) = (request.method.clone(), request.path.clone());
    let authorization = request.header("authorization").to_owned();
    let body = request.body;
    let fields: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();
    let mut out = stream;
    let lock = || state.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(id) = path.strip_prefix("/pay/") {
        let id = id.to_owned();
        let session = lock().sessions.iter().find(|s| s.id == id).cloned();
        let Some(session) = session else { return respond(&mut out, 404, "text/plain", &[], "no such checkout") };
        if method == "GET" {
            let (said, button) = if session.mode == "setup" {
                ("Save a card for later payments".to_owned(), "Save card")
            } else {
                (format!("Pay ${}.{:02}", session.amount / 100, session.amount % 100), "Pay")
            };
            let page = format!(
                "<!doctype html><html><head><title>Pay</title></head><body><h1>Stand-in card processor</h1>\
                 <p id=\"amount\">{said}</p><form method=\"post\" action=\"/pay/{id}\">\
                 <label for=\"card_number\">Card number</label> <input id=\"card_number\" name=\"card_number\">\
                 <button type=\"submit\">{button}</button></form></body></html>"
            );
            return respond(&mut out, 200, "text/html", &[], &page);
        }
        let webhook = {
            let mut state = lock();
            let typed = fields.iter().find(|(k, _)| k == "card_number").map(|(_, v)| v.clone()).unwrap_or_default();
            state.cards_typed.push(typed.clone());
            let method = format!("pm_test_{}", state.methods.len() + 1);
            let setup = state.sessions.iter_mut().find(|s| s.id == id && s.mode == "setup").map(|s| {
                s.method = Some(method.clone());
            });
            if setup.is_some() {
                state.methods.push((method, typed.chars().filter(char::is_ascii_digit).collect()));
            }
            if let Some(s) = state.sessions.iter_mut().find(|s| s.id == id) {
                s.status = "complete";
            }
            state.webhook.clone()
        };
        if let Some(url) = webhook {
            let (event, signature) = signed_event(&id, WEBHOOK_SECRET, now_seconds());
            let _ =
                ureq::post(&url).header("Stripe-Signature", &signature).content_type("application/json").send(&event);
        }
        return respond(&mut out, 303, "text/plain", &[("Location", &session.success_url)], "");
    }
    if authorization != format!("Bearer {SECRET_KEY}") {
        return respond(&mut out, 401, "application/json", &[], r#"{"error":{"message":"Invalid API Key"}}"#);
    }
    let idempotency_key = request.headers.iter().find(|(k, _)| k == "idempotency-key").map(|(_, v)| v.clone());
    lock().requests.push(ApiRequest {
        method: method.clone(),
        path: path.clone(),
        authorization,
        idempotency_key: idempotency_key.clone().unwrap_or_default(),
        fields: fields.clone(),
    });
    let field = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default();
    if method == "POST" && path == "/v1/customers" {
        let mut state = lock();
        state.customers += 1;
        let answer = format!(r#"{{"id":"cus_test_{}","object":"customer"}}"#, state.customers);
        drop(state);
        return respond(&mut out, 200, "application/json", &[], &answer);
    }
    if method == "POST" && path == "/v1/payment_intents" {
        return charge_saved_card(&mut out, &mut lock(), &field, idempotency_key.unwrap_or_default());
    }
    if method == "POST" && path == "/v1/checkout/sessions" {
        let setup = field("mode") == "setup";
        let amount = match field("line_items[0][price_data][unit_amount]").parse::<i64>() {
            Ok(amount) => amount,
            Err(_) if setup && field("customer").starts_with("cus_") => 0,
            Err(_) => return respond(&mut out, 400, "application/json", &[], r#"{"error":{"message":"amount"}}"#),
        };
        let id = {
            let mut state = lock();
            let id = format!("cs_test_{}", state.sessions.len() + 1);
            state.sessions.push(Session {
                id: id.clone(),
                amount,
                success_url: field("success_url"),
                status: "open",
                mode: field("mode"),
                customer: field("customer"),
                method: None,
            });
            id
        };
        let answer = serde_json::json!({
            "id": id, "object": "checkout.session", "url": format!("http://127.0.0.1:{port}/pay/{id}"),
            "status": "open", "payment_status": "unpaid", "amount_total": amount,
        });
        return respond(&mut out, 200, "application/json", &[], &answer.to_string());
    }
    if method == "POST" && path == "/v1/refunds" {
        // Refused beyond what the payment came to, as the real API does.
        let session = field("payment_intent").strip_prefix("pi_").map(str::to_owned).unwrap_or_default();
        let amount = field("amount").parse::<i64>().unwrap_or(0);
        let mut state = lock();
        let paid = state.sessions.iter().find(|s| s.id == session && s.status == "complete").map(|s| s.amount);
        let refunded: i64 = state.refunds.iter().filter(|(s, _)| *s == session).map(|(_, a)| a).sum();
        if paid.is_none_or(|paid| amount <= 0 || refunded + amount > paid) {
            drop(state);
            return respond(&mut out, 400, "application/json", &[], r#"{"error":{"message":"amount"}}"#);
        }
        state.refunds.push((session, amount));
        let answer = format!(r#"{{"id":"re_{}","object":"refund","status":"succeeded"}}"#, state.refunds.len());
        drop(state);
        return respond(&mut out, 200, "application/json", &[], &answer);
    }
    if let Some(id) = path.strip_prefix("/v1/checkout/sessions/").filter(|_| method == "GET") {
        let id = id.split('?').next().unwrap_or_default();
        let session = lock().sessions.iter().find(|s| s.id == id).cloned();
        let Some(s) = session else { return respond(&mut out, 404, "application/json", &[], "{}") };
        if s.mode == "setup" {
            let number =
                s.method.as_ref().and_then(|m| lock().methods.iter().find(|(id, _)| id == m).map(|(_, n)| n.clone()));
            return respond(&mut out, 200, "application/json", &[], &setup_session(&s, number).to_string());
        }
        let paid = s.status == "complete";
        let answer = serde_json::json!({
            "id": s.id, "object": "checkout.session", "status": s.status,
            "payment_status": if paid { "paid" } else { "unpaid" }, "amount_total": s.amount,
            "payment_intent": if paid { serde_json::json!(format!("pi_{}", s.id)) } else { serde_json::Value::Null },
        });
        return respond(&mut out, 200, "application/json", &[], &answer.to_string());
    }
    respond(&mut out, 404, "application/json", &[], "{}")
}

/// A setup session as `GET /v1/checkout/sessions/{id}?expand[]=setup_intent.payment_method`
/// answers it: once complete, the card saved (`number`, as typed).
fn setup_session(s: &Session, number: Option<String>) -> serde_json::Value {
    let method = s.method.as_ref().zip(number).map(|(id, number)| {
        let brand = if number.starts_with('5') { "mastercard" } else { "visa" };
        let last4 = &number[number.len().saturating_sub(4)..];
        serde_json::json!({
            "id": id, "object": "payment_method",
            "card": {"brand": brand, "last4": last4, "exp_month": 12, "exp_year": 2030},
        })
    });
    serde_json::json!({
        "id": s.id, "object": "checkout.session", "mode": "setup", "status": s.status,
        "customer": s.customer,
        "setup_intent": {"object": "setup_intent", "payment_method": method},
    })
}

/// `POST /v1/payment_intents`, off session: a repeated idempotency key gets the first answer.
fn charge_saved_card(out: &mut TcpStream, state: &mut State, field: &dyn Fn(&str) -> String, key: String) {
    if let Some((_, status, answer)) = state.charges.iter().find(|(k, _, _)| !key.is_empty() && *k == key) {
        return respond(out, *status, "application/json", &[], answer);
    }
    let amount = field("amount").parse::<i64>().unwrap_or(0);
    let number = state.methods.iter().find(|(id, _)| *id == field("payment_method")).map(|(_, n)| n.clone());
    let saved = field("customer").starts_with("cus_") && number.is_some();
    let (status, answer) = if amount <= 0 || !saved || field("off_session") != "true" || field("confirm") != "true" {
        (400, r#"{"error":{"type":"invalid_request_error","message":"bad request"}}"#.to_owned())
    } else if number.as_deref() == Some("4000000000000002") {
        (402, r#"{"error":{"type":"card_error","code":"card_declined","decline_code":"generic_decline"}}"#.to_owned())
    } else {
        let id = format!("pi_test_{}", state.charges.len() + 1);
        let answer =
            serde_json::json!({"id": id, "object": "payment_intent", "status": "succeeded", "amount_received": amount});
        (200, answer.to_string())
    };
    state.charges.push((key, status, answer.clone()));
    respond(out, status, "application/json", &[], &answer);
}

/// A plan of three $10.00 installments whose first is due on the practice's today (a US practice's
/// day is the UTC day or the one before), for $30.00 the client owes (a refund paid out to them).
pub fn plan_due_today(base: &str, owner: &str, ledger: &str, client: &str) {
    let owed = [("kind", "refund"), ("amount", "30.00"), ("method", "cash")];
    assert_eq!(super::common::post_from(base, owner, ledger, ledger, &owed).status, 303);
    let plan = format!("/clients/{client}/payment-plan");
    let day = |hours: i64| {
        (jiff::Timestamp::now() - jiff::SignedDuration::from_hours(hours)).strftime("%Y-%m-%d").to_string()
    };
    let accepted = [day(24), day(0)].into_iter().any(|first_due| {
        let fields = [("plan_total", "30.00"), ("plan_installment", "10.00"), ("plan_first_due", first_due.as_str())];
        super::common::post_from(base, owner, ledger, &plan, &fields).status == 303
    });
    assert!(accepted, "no plan due today was accepted");
}
