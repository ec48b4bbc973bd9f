//! The audit log as FHIR R4 `AuditEvent` resources in a collection `Bundle`, following the IHE
//! Basic Audit Log Patterns (BALP): the REST-style type and interaction subtype, the outcome
//! codes, the purpose of use, the requesting agent with its network address, Haven as the
//! observing source, and the client and touched records as entities (identifiers only).
//! The bundle carries the log's newest signed checkpoint as an extension.

use serde_json::{Value, json};

use super::trail::AuditRow;

const BALP: &str = "https://profiles.ihe.net/ITI/BALP/StructureDefinition";
const CHECKPOINT_EXTENSION: &str = "https://haven.invalid/fhir/StructureDefinition/audit-checkpoint";

/// The BALP profile and the RESTful interaction code of an event's CRUD letter.
fn pattern(crud: &str) -> (&'static str, &'static str) {
    match crud {
        "C" => ("IHE.BasicAudit.Create", "create"),
        "R" => ("IHE.BasicAudit.Read", "read"),
        "U" => ("IHE.BasicAudit.Update", "update"),
        "D" => ("IHE.BasicAudit.Delete", "delete"),
        _ => ("IHE.BasicAudit.Read", "operation"),
    }
}

/// DICOM / FHIR outcome: 0 success, 4 minor failure (a refusal), 8 serious failure.
fn outcome(code: &str) -> &'static str {
    match code {
        "ok" => "0",
        "denied" => "4",
        _ => "8",
    }
}

fn identifier(system: &str, value: &str) -> Value {
    json!({ "identifier": { "system": format!("urn:haven:{system}"), "value": value } })
}

fn audit_event(row: &AuditRow, practice: &str) -> Value {
    let (profile, interaction) = pattern(row.crud);
    let mut agent = json!({
        "type": { "coding": [{
            "system": "http://dicom.nema.org/resources/ontology/DCM",
            "code": "110153",
            "display": "Source Role ID"
        }] },
        "requestor": true,
    });
    agent["who"] = match row.actor {
        Some(user) => identifier("user", &user.to_string()),
        None => json!({ "display": row.actor_kind }),
    };
    if let Some(role) = &row.role {
        agent["role"] = json!([{ "coding": [{ "system": "urn:haven:role", "code": role }] }]);
    }
    if let Some(ip) = &row.ip {
        agent["network"] = json!({ "address": ip, "type": "2" });
    }
    let mut entities = Vec::new();
    if let Some(client) = &row.client {
        entities.push(json!({
            "what": identifier("client", client),
            "type": { "system": "http://terminology.hl7.org/CodeSystem/audit-entity-type", "code": "1", "display": "Person" },
            "role": { "system": "http://terminology.hl7.org/CodeSystem/object-role", "code": "1", "display": "Patient" },
        }));
    }
    for resource in &row.resources {
        let (kind, id) = resource.split_once(':').unwrap_or(("record", resource));
        entities.push(json!({
            "what": identifier(kind, id),
            "type": { "system": "http://terminology.hl7.org/CodeSystem/audit-entity-type", "code": "2", "display": "System Object" },
        }));
    }
    let mut event = json!({
        "resourceType": "AuditEvent",
        "id": row.id,
        "meta": { "profile": [format!("{BALP}/{profile}")] },
        "type": { "system": "http://terminology.hl7.org/CodeSystem/audit-event-type", "code": "rest", "display": "RESTful Operation" },
        "subtype": [
            { "system": "http://hl7.org/fhir/restful-interaction", "code": interaction },
            { "system": "urn:haven:audit-action", "code": row.action },
        ],
        "action": row.crud,
        "recorded": row.recorded.to_string(),
        "outcome": outcome(row.outcome),
        "agent": [agent],
        "source": {
            "observer": { "display": format!("Haven, audit log haven/{practice}/audit, event {}", row.seq) },
            "type": [{ "system": "http://terminology.hl7.org/CodeSystem/security-source-type", "code": "4", "display": "Application Server" }],
        },
    });
    if let Some(reason) = &row.reason {
        event["outcomeDesc"] = json!(reason);
    }
    if let Some(purpose) = &row.purpose {
        event["purposeOfEvent"] = json!([{ "coding": [{ "system": "http://terminology.hl7.org/CodeSystem/v3-ActReason", "code": purpose }] }]);
    }
    if !entities.is_empty() {
        event["entity"] = Value::Array(entities);
    }
    event
}

/// A collection bundle of `rows`, with the log's newest checkpoint.
pub(crate) fn bundle(rows: &[AuditRow], practice: &str, checkpoint: Option<&str>, now: jiff::Timestamp) -> Value {
    let mut bundle = json!({
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": now.to_string(),
        "entry": rows.iter().map(|row| json!({
            "fullUrl": format!("urn:uuid:{}", row.id),
            "resource": audit_event(row, practice),
        })).collect::<Vec<_>>(),
    });
    if let Some(note) = checkpoint {
        bundle["meta"] = json!({ "extension": [{ "url": CHECKPOINT_EXTENSION, "valueString": note }] });
    }
    bundle
}
