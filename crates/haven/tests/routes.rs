//! Route coverage: every route of the application, read from the router's own construction
//! (`web::route_list`), has an audit expectation here, and is called as a role it allows and,
//! where one is refused, as that role: the refusal answers 403 and leaves an `access.denied`
//! event naming the route. A new route without an expectation fails this test.

mod common;

use std::collections::BTreeMap;

use common::*;

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Access {
    /// Before signing in (sign-in, setup, invitation, health, assets).
    Open,
    /// Every signed-in role; what is touched is the person's own, or checked per object.
    SignedIn,
    /// Refused to this role by the policy (and allowed to the owner).
    RefusedTo(&'static str),
    /// A client's or guardian's, through the portal's own session: a staff session is sent to
    /// the portal's sign-in (tests/portal.rs walks them as clients).
    Portal,
}

use Access::*;

fn expectations() -> BTreeMap<(&'static str, &'static str), Access> {
    let table: &[(&str, &str, Access)] = &[
        ("GET", "/", Open),
        ("GET", "/healthz", Open),
        ("GET", "/readyz", Open),
        ("GET", "/metrics", Open),
        ("GET", "/assets/{name}", Open),
        ("GET", "/setup/{token}", Open),
        ("POST", "/setup/{token}", Open),
        ("GET", "/sign-in", Open),
        ("POST", "/sign-in", Open),
        ("GET", "/sign-in/code", Open),
        ("POST", "/sign-in/code", Open),
        ("POST", "/sign-in/passkey/options", Open),
        ("POST", "/sign-in/passkey", Open),
        ("GET", "/sign-in/oidc", Open),
        ("GET", "/sign-in/oidc/callback", Open),
        ("GET", "/invitation/{token}", Open),
        ("POST", "/invitation/{token}", Open),
        ("GET", "/password/forgot", Open),
        ("POST", "/password/forgot", Open),
        ("GET", "/password/reset/{token}", Open),
        ("POST", "/password/reset/{token}", Open),
        ("POST", "/api/v1/sessions", Open),
        ("GET", "/api/openapi.json", Open),
        ("GET", "/calendar/{file}", Open),
        ("POST", "/sign-out", SignedIn),
        ("GET", "/dashboard", SignedIn),
        ("GET", "/account/sessions", SignedIn),
        ("POST", "/account/sessions/end-others", SignedIn),
        ("GET", "/account/password", SignedIn),
        ("POST", "/account/password", SignedIn),
        ("POST", "/account/totp/recovery-codes", SignedIn),
        ("POST", "/account/totp/remove", SignedIn),
        ("GET", "/account/tokens/{id}/revoke", SignedIn),
        ("GET", "/practice/profile", RefusedTo("clinician")),
        ("POST", "/practice/profile", RefusedTo("biller")),
        ("GET", "/practice/note-templates", SignedIn),
        ("POST", "/practice/note-templates", RefusedTo("clinician")),
        ("POST", "/practice/note-templates/{id}/archive", RefusedTo("clinician")),
        ("GET", "/account/tokens", SignedIn),
        ("POST", "/account/tokens", SignedIn),
        ("POST", "/account/tokens/{id}/revoke", SignedIn),
        ("POST", "/account/passkeys/options", SignedIn),
        ("POST", "/account/passkeys", SignedIn),
        ("POST", "/account/passkeys/{id}/remove", SignedIn),
        ("GET", "/account/security", SignedIn),
        ("GET", "/account/totp", SignedIn),
        ("POST", "/account/totp", SignedIn),
        ("POST", "/account/totp/confirm", SignedIn),
        ("DELETE", "/api/v1/sessions/current", SignedIn),
        ("GET", "/api/v1/me", SignedIn),
        ("GET", "/api/v1/practice", SignedIn),
        ("GET", "/api/v1/staff", SignedIn),
        ("GET", "/staff", SignedIn),
        ("GET", "/practice/agreement", SignedIn),
        ("GET", "/practice/compliance", RefusedTo("clinician")),
        ("GET", "/billing/acknowledgements", RefusedTo("clinician")),
        ("POST", "/billing/batches/{id}/submit", RefusedTo("administrator")),
        ("POST", "/billing/clearinghouse", RefusedTo("administrator")),
        ("POST", "/billing/acknowledgements", RefusedTo("administrator")),
        ("GET", "/billing/eligibility", RefusedTo("clinician")),
        ("GET", "/clients/{id}/ledger", RefusedTo("clinician")),
        ("POST", "/clients/{id}/ledger", RefusedTo("administrator")),
        ("POST", "/clients/{id}/ledger/card", RefusedTo("scheduler")),
        ("POST", "/clients/{id}/card-payments/{payment}/refund", RefusedTo("administrator")),
        ("POST", "/clients/{id}/payment-plan", RefusedTo("administrator")),
        ("POST", "/clients/{id}/sliding-fee", RefusedTo("administrator")),
        ("POST", "/clients/{id}/payment-plan/{plan}/end", RefusedTo("clinician")),
        ("POST", "/clients/{id}/payment-plan/autopay", RefusedTo("clinician")),
        ("POST", "/clients/{id}/card-on-file", RefusedTo("administrator")),
        ("POST", "/clients/{id}/card-on-file/remove", RefusedTo("clinician")),
        ("GET", "/billing/cards/{checkout}", RefusedTo("clinician")),
        ("GET", "/clients/{id}/statement", RefusedTo("clinician")),
        ("GET", "/clients/{id}/receipts/{payment}", RefusedTo("scheduler")),
        ("POST", "/billing/eligibility", RefusedTo("administrator")),
        ("GET", "/clients/{id}/eligibility", RefusedTo("clinician")),
        ("POST", "/clients/{id}/eligibility", RefusedTo("administrator")),
        ("GET", "/practice/incidents", RefusedTo("administrator")),
        ("POST", "/practice/incidents", RefusedTo("administrator")),
        ("GET", "/practice/incidents/{id}", RefusedTo("administrator")),
        ("POST", "/practice/incidents/{id}", RefusedTo("administrator")),
        ("GET", "/practice/incidents/{id}/letters/{client}", RefusedTo("administrator")),
        ("GET", "/practice/records-requests", RefusedTo("clinician")),
        ("POST", "/practice/records-requests", RefusedTo("clinician")),
        ("POST", "/practice/records-requests/{id}/extend", RefusedTo("clinician")),
        ("POST", "/practice/records-requests/{id}/close", RefusedTo("clinician")),
        ("GET", "/practice/records-requests/{id}/record.pdf", RefusedTo("clinician")),
        ("GET", "/practice/records-requests/{id}/record.json", RefusedTo("clinician")),
        ("GET", "/practice/import", RefusedTo("clinician")),
        ("GET", "/practice/export", RefusedTo("administrator")),
        ("POST", "/practice/export", RefusedTo("administrator")),
        ("GET", "/practice/export/jobs", RefusedTo("administrator")),
        ("GET", "/practice/export/{id}/download", RefusedTo("administrator")),
        ("POST", "/practice/compliance/agreements", RefusedTo("administrator")),
        ("POST", "/practice/import", RefusedTo("clinician")),
        ("POST", "/practice/import/appointments", RefusedTo("clinician")),
        ("GET", "/practice/retention", RefusedTo("administrator")),
        ("POST", "/practice/retention", RefusedTo("administrator")),
        ("POST", "/practice/retention/holds", RefusedTo("administrator")),
        ("POST", "/practice/retention/holds/{id}/release", RefusedTo("administrator")),
        ("POST", "/practice/retention/purge", RefusedTo("administrator")),
        ("GET", "/schedule", SignedIn),
        ("GET", "/schedule/calendars", SignedIn),
        ("GET", "/schedule/calendars/{user}", SignedIn),
        ("POST", "/schedule/calendars/{user}", SignedIn),
        ("POST", "/schedule/calendars/{user}/time-off", SignedIn),
        ("POST", "/schedule/calendars/{user}/time-off/{id}/remove", SignedIn),
        ("GET", "/schedule/next-slot", SignedIn),
        ("GET", "/schedule/test-room", SignedIn),
        ("GET", "/schedule/types", SignedIn),
        ("GET", "/schedule/types/{id}", SignedIn),
        ("GET", "/clients", SignedIn),
        ("POST", "/clients/search", SignedIn),
        ("GET", "/clients/new", SignedIn),
        ("GET", "/clients/{id}", SignedIn),
        ("GET", "/clients/{id}/edit", SignedIn),
        ("POST", "/clients/{id}/edit", SignedIn),
        ("POST", "/clients/{id}/care-team", SignedIn),
        ("POST", "/clients/{id}/break-glass", SignedIn),
        ("POST", "/clients/{id}/diagnoses", SignedIn),
        ("POST", "/clients/{id}/diagnoses/{diagnosis}", SignedIn),
        ("GET", "/diagnosis-codes", SignedIn),
        ("GET", "/clients/{id}/measures/new", SignedIn),
        ("POST", "/clients/{id}/measures", SignedIn),
        ("POST", "/clients/{id}/measures/{measure}/acknowledge", SignedIn),
        ("POST", "/clients/{id}/notes", SignedIn),
        ("GET", "/clients/{id}/notes/{note}", SignedIn),
        ("POST", "/clients/{id}/notes/{note}", SignedIn),
        ("POST", "/clients/{id}/notes/{note}/sign", SignedIn),
        ("POST", "/clients/{id}/notes/{note}/cosign", SignedIn),
        ("POST", "/clients/{id}/notes/{note}/addenda", SignedIn),
        ("GET", "/clients/{id}/notes/{note}/versions/{version}", SignedIn),
        ("GET", "/clients/{id}/plan", SignedIn),
        ("POST", "/clients/{id}/plan/problems", SignedIn),
        ("POST", "/clients/{id}/plan/problems/{problem}", SignedIn),
        ("POST", "/clients/{id}/plan/problems/{problem}/goals", SignedIn),
        ("POST", "/clients/{id}/plan/problems/{problem}/goals/{goal}", SignedIn),
        ("POST", "/clients/{id}/plan/review", SignedIn),
        ("POST", "/clients/{id}/plan/signature", SignedIn),
        ("GET", "/clients/{id}/plan/versions/{version}", SignedIn),
        ("GET", "/clients/{id}/documents", SignedIn),
        ("POST", "/clients/{id}/documents", SignedIn),
        ("GET", "/clients/{id}/documents/{document}", SignedIn),
        ("GET", "/schedule/day", SignedIn),
        ("GET", "/schedule/week", SignedIn),
        ("POST", "/schedule/appointments", SignedIn),
        ("POST", "/schedule/appointments/{id}/outcome", SignedIn),
        ("POST", "/schedule/appointments/{id}/move", SignedIn),
        ("POST", "/schedule/appointments/{id}/note", SignedIn),
        ("POST", "/schedule/appointments/{id}/end-series", SignedIn),
        ("POST", "/schedule/appointments/{id}/waitlist/{wish}", SignedIn),
        ("GET", "/schedule/attendance", SignedIn),
        ("POST", "/schedule/attendance/fees", RefusedTo("clinician")),
        ("GET", "/schedule/feed", SignedIn),
        ("POST", "/schedule/feed/link", SignedIn),
        ("POST", "/schedule/feed/revoke", SignedIn),
        ("POST", "/schedule/feed/detail", RefusedTo("clinician")),
        ("GET", "/schedule/practice", SignedIn),
        ("GET", "/schedule/rooms", SignedIn),
        ("POST", "/schedule/rooms", RefusedTo("clinician")),
        ("POST", "/schedule/rooms/{id}/archive", RefusedTo("clinician")),
        ("GET", "/schedule/waitlist", SignedIn),
        ("POST", "/schedule/waitlist", SignedIn),
        ("POST", "/schedule/waitlist/{id}/remove", SignedIn),
        ("GET", "/schedule/requests", SignedIn),
        ("POST", "/schedule/requests/{id}/book", SignedIn),
        ("POST", "/schedule/requests/{id}/decline", SignedIn),
        ("POST", "/clients/{id}/groups", SignedIn),
        ("POST", "/clients/{id}/groups/{group}/members", SignedIn),
        ("POST", "/clients/{id}/groups/{group}/leave", SignedIn),
        ("GET", "/clients/{id}/disclosures", SignedIn),
        ("GET", "/clients/{id}/portal", SignedIn),
        ("POST", "/clients/{id}/portal", SignedIn),
        ("POST", "/clients/{id}/portal/{account}/link", SignedIn),
        ("POST", "/clients/{id}/portal/{account}/close", SignedIn),
        ("POST", "/clients/{id}/portal/{account}/second-factor/remove", SignedIn),
        ("POST", "/clients/{id}/portal/{account}/passkeys/remove", SignedIn),
        ("GET", "/billing", RefusedTo("clinician")),
        ("POST", "/billing/charges", RefusedTo("clinician")),
        ("POST", "/billing/claims", RefusedTo("clinician")),
        ("POST", "/billing/denials/{number}/ai", RefusedTo("clinician")),
        ("POST", "/billing/claims/{number}/replace", RefusedTo("clinician")),
        ("POST", "/billing/claims/{number}/void", RefusedTo("clinician")),
        ("POST", "/billing/claims/{number}/secondary", RefusedTo("clinician")),
        ("POST", "/billing/charges/{id}/ai", RefusedTo("clinician")),
        ("GET", "/billing/batches/{id}", RefusedTo("clinician")),
        ("GET", "/billing/superbill/{id}", RefusedTo("supervisor")),
        ("GET", "/billing/setup", RefusedTo("scheduler")),
        ("GET", "/billing/remittances", RefusedTo("clinician")),
        ("GET", "/billing/reports", RefusedTo("supervisor")),
        ("GET", "/billing/reports/aging.csv", RefusedTo("scheduler")),
        ("GET", "/billing/reports/clients", RefusedTo("clinician")),
        ("GET", "/billing/reports/clients.csv", RefusedTo("scheduler")),
        ("GET", "/billing/reports/revenue", RefusedTo("supervisor")),
        ("GET", "/billing/reports/revenue.csv", RefusedTo("scheduler")),
        ("GET", "/billing/reports/sessions", RefusedTo("clinician")),
        ("GET", "/billing/reports/sessions.csv", RefusedTo("supervisor")),
        ("GET", "/billing/reports/denials", RefusedTo("supervisor")),
        ("GET", "/billing/reports/denials.csv", RefusedTo("scheduler")),
        ("POST", "/billing/remittances", RefusedTo("supervisor")),
        ("POST", "/billing/settings", RefusedTo("administrator")),
        ("POST", "/billing/clinicians/{user}", RefusedTo("clinician")),
        ("POST", "/billing/payers", RefusedTo("supervisor")),
        ("POST", "/billing/fees", RefusedTo("scheduler")),
        ("POST", "/billing/sliding-scale", RefusedTo("scheduler")),
        ("GET", "/portal/sign-in", Open),
        ("POST", "/portal/sign-in", Open),
        ("GET", "/portal/sign-in/code", Open),
        ("POST", "/portal/sign-in/code", Open),
        ("GET", "/portal/security", Portal),
        ("POST", "/portal/switch/{account}", Portal),
        ("POST", "/portal/security/app", Portal),
        ("POST", "/portal/security/app/confirm", Portal),
        ("POST", "/portal/security/app/remove", Portal),
        ("POST", "/portal/passkeys/options", Portal),
        ("POST", "/portal/passkeys", Portal),
        ("POST", "/portal/passkeys/{id}/remove", Portal),
        ("POST", "/portal/sign-in/passkey/options", Open),
        ("POST", "/portal/sign-in/passkey", Open),
        ("POST", "/portal/link/{token}/passkey/options", Open),
        ("POST", "/portal/link/{token}/passkey", Open),
        ("GET", "/portal/forgot", Open),
        ("POST", "/portal/forgot", Open),
        ("GET", "/portal/link/{token}", Open),
        ("POST", "/portal/link/{token}", Open),
        ("POST", "/clients/{id}/questionnaires", SignedIn),
        ("GET", "/clients/{id}/messages", SignedIn),
        ("POST", "/clients/{id}/messages", SignedIn),
        ("GET", "/clients/{id}/messages/{thread}", SignedIn),
        ("POST", "/clients/{id}/messages/{thread}", SignedIn),
        ("POST", "/clients/{id}/messages/{thread}/ai", SignedIn),
        ("POST", "/clients/{id}/messages/{thread}/ai/{request}/reject", SignedIn),
        ("GET", "/clients/{id}/messages/{thread}/files/{file}", SignedIn),
        ("POST", "/clients/{id}/messages/{thread}/{message}/file", SignedIn),
        ("GET", "/practice/reminders", RefusedTo("clinician")),
        ("POST", "/practice/reminders", RefusedTo("scheduler")),
        ("POST", "/sms/status/{practice}", Open),
        ("POST", "/payments/webhook/{practice}", Open),
        ("GET", "/payments/return/{practice}/{checkout}", Open),
        ("GET", "/payments/card-saved/{practice}/{setup}", Open),
        ("GET", "/portal/sessions/{id}/cancel", Portal),
        ("POST", "/portal/sessions/{id}/cancel", Portal),
        ("POST", "/portal/requests/{id}/withdraw", Portal),
        ("GET", "/portal/reminders", Portal),
        ("POST", "/portal/reminders", Portal),
        ("GET", "/portal/waitlist", Portal),
        ("POST", "/portal/waitlist", Portal),
        ("GET", "/portal/book", Portal),
        ("GET", "/portal/book/{id}", Portal),
        ("POST", "/portal/book/{id}", Portal),
        ("GET", "/portal/messages", Portal),
        ("POST", "/portal/messages", Portal),
        ("GET", "/portal/messages/{id}", Portal),
        ("POST", "/portal/messages/{id}", Portal),
        ("GET", "/portal/messages/{id}/files/{file}", Portal),
        ("POST", "/clients/{id}/questionnaires/{questionnaire}/withdraw", SignedIn),
        ("GET", "/clients/{id}/intake", SignedIn),
        ("POST", "/clients/{id}/intake", SignedIn),
        ("POST", "/clients/{id}/intake/{packet}/review", SignedIn),
        ("POST", "/clients/{id}/intake/{packet}/withdraw", SignedIn),
        ("GET", "/practice/intake-forms", SignedIn),
        ("POST", "/practice/intake-forms", RefusedTo("clinician")),
        ("GET", "/practice/intake-forms/{id}", SignedIn),
        ("POST", "/practice/intake-forms/{id}", RefusedTo("scheduler")),
        ("POST", "/practice/intake-forms/{id}/retire", RefusedTo("biller")),
        ("GET", "/portal/forms/{packet}/{item}", Portal),
        ("POST", "/portal/forms/{packet}/{item}", Portal),
        ("GET", "/portal/questionnaires/{id}", Portal),
        ("POST", "/portal/questionnaires/{id}", Portal),
        ("GET", "/portal", Portal),
        ("GET", "/portal/access", Portal),
        ("GET", "/portal/account", Portal),
        ("POST", "/portal/account/card", Portal),
        ("POST", "/portal/account/card-on-file", Portal),
        ("POST", "/portal/account/card-on-file/remove", Portal),
        ("POST", "/portal/account/autopay", Portal),
        ("GET", "/portal/record.pdf", Portal),
        ("GET", "/portal/record.fhir.json", Portal),
        ("GET", "/portal/keep-alive", Portal),
        ("POST", "/portal/sign-out", Portal),
        ("POST", "/clients/{id}/disclosures", SignedIn),
        ("POST", "/clients/{id}/consents", SignedIn),
        ("POST", "/clients/{id}/consents/{consent}/revoke", SignedIn),
        ("POST", "/clients/new", RefusedTo("biller")),
        ("GET", "/glass-breaks", RefusedTo("clinician")),
        ("POST", "/glass-breaks/{id}/accept", RefusedTo("scheduler")),
        ("POST", "/glass-breaks/{id}/flag", RefusedTo("administrator")),
        ("GET", "/sign-ins", RefusedTo("clinician")),
        ("GET", "/sign-ins.csv", RefusedTo("clinician")),
        ("GET", "/audit", RefusedTo("clinician")),
        ("GET", "/audit.csv", RefusedTo("biller")),
        ("GET", "/audit.fhir.json", RefusedTo("scheduler")),
        ("GET", "/audit/checkpoint", RefusedTo("administrator")),
        ("POST", "/audit/retention", RefusedTo("administrator")),
        ("GET", "/audit/ai/{id}", RefusedTo("supervisor")),
        ("GET", "/practice/ai", SignedIn),
        ("POST", "/practice/ai", RefusedTo("clinician")),
        ("POST", "/practice/ai/{id}/baa", RefusedTo("administrator")),
        ("POST", "/practice/ai/{id}/enable", RefusedTo("scheduler")),
        ("POST", "/practice/ai/{id}/disable", RefusedTo("biller")),
        ("POST", "/clients/{id}/notes/{note}/ai", SignedIn),
        ("GET", "/clients/{id}/notes/{note}/ai/{request}", SignedIn),
        ("POST", "/clients/{id}/notes/{note}/ai/{request}/send", SignedIn),
        ("POST", "/clients/{id}/notes/{note}/ai/{request}/cancel", SignedIn),
        ("POST", "/clients/{id}/notes/{note}/ai/{request}/reject", SignedIn),
        ("POST", "/clients/{id}/ai/summary", SignedIn),
        ("POST", "/clients/{id}/ai/plan-goals", SignedIn),
        ("GET", "/clients/{id}/ai/{request}", SignedIn),
        ("POST", "/clients/{id}/ai/{request}/send", SignedIn),
        ("POST", "/clients/{id}/ai/{request}/cancel", SignedIn),
        ("POST", "/clients/{id}/ai-consent", SignedIn),
        ("POST", "/clients/{id}/ai-consent/{consent}/revoke", SignedIn),
        ("POST", "/account/security/policy", RefusedTo("administrator")),
        ("POST", "/practice/agreement/accept", RefusedTo("clinician")),
        ("POST", "/staff/invite", RefusedTo("clinician")),
        ("POST", "/staff/invitations/{id}/withdraw", RefusedTo("biller")),
        ("POST", "/staff/{user}/role", RefusedTo("scheduler")),
        ("POST", "/staff/{user}/deactivate", RefusedTo("supervisor")),
        ("POST", "/staff/{user}/reactivate", RefusedTo("clinician")),
        ("POST", "/staff/{user}/password-reset", RefusedTo("biller")),
        ("POST", "/schedule/types", RefusedTo("clinician")),
        ("POST", "/schedule/types/{id}", RefusedTo("biller")),
        ("POST", "/schedule/types/{id}/archive", RefusedTo("scheduler")),
        ("POST", "/schedule/types/{id}/restore", RefusedTo("supervisor")),
    ];
    table.iter().map(|&(method, path, access)| ((method, path), access)).collect()
}

/// A path with its parameters filled in.
fn concrete(path: &str, colleague: &str) -> String {
    path.replace("{name}", "haven.css")
        .replace("{token}", "not-a-real-token")
        .replace("{user}", colleague)
        .replace("{id}", "0f8fad5b-d9cb-469f-a165-70867728950e")
        .replace("{diagnosis}", "7c9e6679-7425-40de-944b-e07fc1f90ae7")
        .replace("{measure}", "16fd2706-8baf-433b-82eb-8c7fada847da")
        .replace("{note}", "9b2f3c1e-55a4-4f0e-9d2a-3c4b5d6e7f80")
        .replace("{document}", "3d6f4a2b-1c0e-4b8a-9f7d-2e5c6b4a3f10")
        .replace("{consent}", "5a1e2f3b-7c8d-4e9f-a0b1-c2d3e4f5a6b7")
        .replace("{group}", "6b2f3a4c-8d9e-4f0a-b1c2-d3e4f5a6b7c8")
        .replace("{wish}", "7c3a4b5d-9e0f-4a1b-82c3-d4e5f6a7b8c9")
        .replace("{request}", "8d4b5c6e-0f1a-4b2c-93d4-e5f6a7b8c9d0")
        .replace("{file}", "not-a-feed.ics")
        .replace("{version}", "1")
        .replace("{account}", "9e5c6d7f-1a2b-4c3d-a4e5-f6a7b8c9d0e1")
        .replace("{questionnaire}", "af6e7d8c-2b3a-4c5d-b6e7-f8a9b0c1d2e3")
        .replace("{thread}", "b07f8e9d-3c4b-4d5e-87f8-a9b0c1d2e3f4")
        .replace("{checkout}", "c18a9f0e-4d5c-4e6f-98a9-b0c1d2e3f4a5")
        .replace("{payment}", "d29b0a1f-5e6d-4f70-a9b0-c1d2e3f4a5b6")
        .replace("{plan}", "e3ac1b2f-6f7e-4a81-b0c1-d2e3f4a5b6c7")
        .replace("{number}", "H0000001")
}

/// A form that passes every route's validation, so that the policy is what answers.
const FORM: &[(&str, &str)] = &[
    ("email", "new.person@routes.example"),
    ("display_name", "New Person"),
    ("role", "biller"),
    ("name", "Intake"),
    ("minutes", "60"),
    ("service_code", "90791"),
    ("place_of_service", "11"),
    ("color", "teal"),
    ("attendance", "individual"),
    ("max_clients", "1"),
    ("detail", "initials"),
    ("notice_hours", "24"),
    ("late_cancel_fee", "50"),
    ("no_show_fee", "75"),
    ("billable", "on"),
    ("version", "1"),
    ("idle_timeout_minutes", "15"),
    ("inactivity_days", "90"),
    ("break_glass_minutes", "60"),
    ("late_entry_days", "3"),
    ("client_idle_timeout_minutes", "30"),
    ("read", "on"),
    ("q", "Quill"),
    ("code", "F33.1"),
    ("instrument", "PHQ-2"),
    ("template", "soap"),
    ("addendum", "A route check"),
    ("item1", "0"),
    ("item2", "1"),
    ("given_name", "Route"),
    ("family_name", "Tester"),
    ("date_of_birth", "1990-01-01"),
    ("reason", "Checking every route answers"),
    ("years", "8"),
    ("base_url", "https://models.routes.example/v1"),
    ("model", "route-model"),
    ("document_sha256", "a3f1c2e4b5d6978812345678901234567890abcdefabcdefabcdefabcdefabcd"),
    ("no_training_no_retention", "yes"),
];

struct Session {
    cookie: String,
    form_token: String,
}

fn session(server: &Server, account: &str) -> Session {
    let (email, password) = account.split_once(':').unwrap_or_default();
    let answer = post_json(
        &format!("{}/api/v1/sessions", server.url),
        serde_json::json!({ "email": email, "password": password }),
    );
    assert_eq!(answer.status, 201, "{account}: {}", answer.body);
    let cookie = answer.session_cookie();
    let token = cookie.split_once('=').map(|(_, t)| t.to_owned()).unwrap_or_default();
    Session { form_token: service::form_token(&token), cookie }
}

fn call(server: &Server, method: &str, path: &str, as_: &Session) -> Answer {
    let url = format!("{}{path}", server.url);
    match method {
        "GET" => answer(http().get(&url).header("cookie", &as_.cookie).call()),
        "DELETE" => answer(http().delete(&url).header("cookie", &as_.cookie).call()),
        "POST" => {
            let mut fields: Vec<(&str, &str)> = FORM.to_vec();
            fields.push(("_csrf", &as_.form_token));
            answer(http().post(&url).header("cookie", &as_.cookie).send_form(fields))
        }
        other => panic!("no test call for {other}"),
    }
}

#[test]
fn every_route_has_an_audit_expectation_and_refusals_are_logged() {
    let listed: Vec<(String, String)> = web::route_list().into_iter().map(|r| (r.method.to_owned(), r.path)).collect();
    let expected = expectations();
    for (method, path) in &listed {
        assert!(
            expected.contains_key(&(method.as_str(), path.as_str())),
            "{method} {path} has no audit expectation: add it to this test's table"
        );
    }
    for (method, path) in expected.keys() {
        assert!(listed.iter().any(|(m, p)| m == method && p == path), "{method} {path} is no longer a route");
    }

    let tmp = temp_dir();
    let dir = data_dir(&tmp);
    let roles = ["owner", "administrator", "clinician", "supervisor", "scheduler", "biller"];
    let accounts = seeded_accounts(&dir, &roles);
    let server = Server::start(&dir, &[], &[]);
    // The colleague whose account the owner's calls change: one no other call signs in as.
    let staff = get(&format!("{}/api/v1/staff", server.url), Some(&session(&server, &accounts[0]).cookie)).json();
    let colleague = staff
        .as_array()
        .into_iter()
        .flatten()
        .find(|s| !accounts.iter().any(|a| a.starts_with(&format!("{}:", s["email"].as_str().unwrap_or("-")))))
        .and_then(|s| s["user_id"].as_str())
        .unwrap_or_else(|| panic!("a seventh staff member: {staff}"))
        .to_owned();
    let mut refused = Vec::new();
    for ((method, path), access) in &expected {
        if *access == Open {
            continue;
        }
        if *access == Portal {
            let staff = session(&server, &accounts[0]);
            let sent = call(&server, method, &concrete(path, &colleague), &staff);
            let to = sent.header("location").unwrap_or_default();
            assert!(to.starts_with("/portal/sign-in"), "{method} {path} with a staff session: {}", sent.status);
            continue;
        }
        // Sessions are taken fresh for each call: some routes end them.
        let owner = session(&server, &accounts[0]);
        let allowed = call(&server, method, &concrete(path, &colleague), &owner);
        assert!(
            // 502: e-mail is not set up for invitations here; anything but a refusal or a crash.
            allowed.status != 403 && allowed.status != 500,
            "{method} {path} as the owner answered {}: {}",
            allowed.status,
            allowed.body.chars().take(300).collect::<String>()
        );
        // Every signed-in page carries the one navigation, with at most one link marked current.
        if *method == "GET" && allowed.status == 200 && allowed.body.starts_with("<!doctype html>") {
            let nav = allowed.body.split(r#"<nav class="who" aria-label="Main">"#).nth(1);
            let nav = nav.and_then(|n| n.split("</nav>").next()).unwrap_or_else(|| panic!("{path} has no navigation"));
            assert!(nav.matches(r#"aria-current="page""#).count() <= 1, "{path} marks several links current");
        }
        if let RefusedTo(role) = access {
            let index = roles.iter().position(|r| r == role).unwrap_or_else(|| panic!("no account for {role}"));
            let theirs = session(&server, &accounts[index]);
            let answer = call(&server, method, &concrete(path, &colleague), &theirs);
            assert_eq!(
                answer.status,
                403,
                "{method} {path} as {role}: {}",
                answer.body.chars().take(300).collect::<String>()
            );
            refused.push((format!("{method} {path}"), *role));
        }
    }

    let owner = session(&server, &accounts[0]);
    let csv = get(&format!("{}/audit.csv?action=access.denied", server.url), Some(&owner.cookie));
    assert_eq!(csv.status, 200);
    for (route, role) in &refused {
        assert!(
            csv.body.lines().any(|l| l.contains(&format!("route:{route}")) && l.contains(role)),
            "no access.denied event for {route} as {role}"
        );
    }
}
