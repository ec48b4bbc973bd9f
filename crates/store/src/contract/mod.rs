//! The contract every backend passes. Each case takes a freshly migrated, empty store.
//! A backend runs the whole suite with [`store_contract_suite!`](crate::store_contract_suite).
//! Areas with a trait of their own have their cases in a module of their own.

mod ai;
mod audit;
mod billing;
mod clients;
mod export_jobs;
mod incidents;
mod intake;
mod keys;
mod portal;
mod practice;
mod records_requests;
mod retention;
mod scheduling;
mod sign_in;
pub use ai::*;
pub use audit::*;
pub use billing::*;
pub use clients::*;
pub use export_jobs::*;
pub use incidents::*;
pub use intake::*;
pub use keys::*;
pub use portal::*;
pub use practice::*;
pub use records_requests::*;
pub use retention::*;
pub use scheduling::*;
pub use sign_in::*;

use domain::appointment_type::{AppointmentTypeForm, AppointmentTypeSpec};
use domain::calendar::CalendarSettings;
use domain::client::{CareRole, ClientStatus};
use domain::diagnosis::DiagnosisStatus;
use domain::document::DocumentKind;
use domain::group::GroupKind;
use domain::measures::Risk;
use domain::policy::Scope;
use domain::practice::{PracticeForm, PracticeProfile};
use domain::staff::{DisabledReason, Email};
use domain::validation::FieldErrors;
use domain::{
    ApiTokenId, AppointmentTypeId, ClientId, DiagnosisId, GlassBreakId, InvitationId, MeasureId, NoteId, PasskeyId,
    PracticeId, Role, TimeOffId, UserId,
};
use jiff::{SignedDuration, Timestamp};

use crate::{
    AddendumRecord, AgreementAcceptance, ApiTokenRecord, AppointmentRecord, AppointmentTypeRecord, Attendance,
    CalendarRecord, CareTeamMember, ChallengePurpose, ClientIndex, ConsentRecord, DiagnosisRecord, DisclosureRecord,
    DocumentRecord, Failures, GlassBreakRecord, GlassReview, GroupRecord, Invitation, MeasureRecord, NewPractice,
    NewSetupToken, NewUser, NoteRecord, NoteTemplateRecord, NoteVersionRecord, PasskeyRecord, PasswordReset,
    PlanRecord, PlanVersionRecord, RoomRecord, SealedCell, SealedClient, SealedColumn, SeriesRecord, SessionRecord,
    SetupTokenState, SignInEvent, SignInEventKind, SignInFilter, SignInRules, Signature, Store, StoreError,
    TimeOffRecord, WaitlistRecord, WebauthnChallenge, WrappedKey,
};

/// Expands to one `#[tokio::test]` per contract case. `$factory` is an async fn returning a
/// value that dereferences to the backend's store, freshly migrated and empty.
#[macro_export]
macro_rules! store_contract_suite {
    ($factory:path) => {
        $crate::store_contract_suite!(@cases $factory;
            migrations_are_idempotent,
            export_jobs_move_only_for_their_lease_holder_and_end_once,
            ai_providers_are_enabled_only_behind_their_baa,
            ai_consents_are_revoked_once_and_requests_kept,
            portal_links_set_a_password_once_and_close_with_the_account,
            a_portal_authenticator_app_is_confirmed_once_and_each_code_used_once,
            portal_passkeys_are_kept_per_account_and_challenges_taken_once,
            an_address_holds_an_account_per_client_with_one_password,
            claim_batches_take_numbers_once_and_remittances_post_once,
            eligibility_inquiries_take_an_interchange_and_one_answer,
            client_payments_are_kept_as_recorded,
            card_checkouts_end_once_with_their_payment,
            a_client_has_one_open_payment_plan,
            cards_on_file_replace_each_other_and_autopay_charges_a_day_once,
            a_sliding_scale_is_replaced_and_assessments_kept,
            incidents_change_from_their_version_and_find_touched_clients,
            records_requests_close_once_from_their_version,
            questionnaires_are_answered_once_into_a_measure,
            intake_packets_are_signed_once_with_their_copies,
            an_opening_is_booked_once_even_at_the_same_instant,
            messages_are_kept_as_sent_and_read_once,
            reminders_are_planned_once_and_settled_while_pending,
            setup_token_is_single_use,
            expired_or_replaced_setup_token_writes_nothing,
            owner_email_conflict_writes_nothing,
            practice_profile_round_trips,
            associate_agreements_are_kept_and_the_newest_is_in_force,
            practice_profile_is_edited_from_its_version,
            staff_and_memberships,
            duplicate_staff_email_is_a_conflict,
            tenants_are_isolated,
            session_lifecycle,
            timestamps_keep_microseconds,
            data_keys_are_stored_with_their_practice,
            clients_are_found_by_blind_index,
            clients_are_edited_without_lost_updates,
            imported_clients_arrive_whole_or_not_at_all,
            care_teams_make_caseloads,
            glass_breaks_are_kept_and_reviewed_once,
            diagnoses_are_ranked_and_edited_without_lost_updates,
            measures_are_kept_and_their_alerts_acknowledged_once,
            signed_notes_are_locked_and_only_addenda_attach,
            practice_note_templates_are_kept_and_archived_once,
            treatment_plans_are_versioned_and_every_version_kept,
            documents_are_listed_newest_first_within_their_client,
            consents_are_revoked_once_and_disclosures_kept,
            groups_hold_their_members_and_are_found_from_each,
            appointments_are_booked_with_their_clients_and_changed_from_their_version,
            series_are_booked_whole_and_rebooked_from_their_versions,
            the_waitlist_keeps_wishes_until_booked_or_taken_off_once,
            a_waiting_request_holds_its_time_until_booked_or_declined,
            a_feed_link_is_replaced_or_revoked_and_its_detail_kept,
            fee_policies_are_kept_and_attendance_counted_by_outcome,
            rooms_in_use_have_unique_names_and_are_archived_once,
            rotation_primitives,
            erase_destroys_keys_and_sessions_of_one_practice,
            sign_in_events_are_counted_and_listed,
            password_resets_work_once_and_end_every_session,
            attempts_for_unknown_addresses_share_a_row,
            second_factor_codes_work_once,
            agreements_are_accepted_once_per_version,
            invitations_are_used_once,
            accounts_are_disabled_and_enabled,
            api_tokens_are_looked_up_and_revoked,
            passkeys_and_their_challenges,
            appointment_types_are_versioned_and_archived,
            calendars_save_without_lost_updates,
            time_off_is_listed_until_it_ends,
            audit_log_is_created_once_per_practice,
            audit_batches_extend_only_their_head,
            audit_rows_are_insert_only,
            old_audit_events_are_dropped_only_below_the_mark,
            the_sequencer_lease_has_one_holder_at_a_time,
            signed_notes_cannot_be_unlocked_by_sql,
            a_purge_takes_one_clients_whole_record_behind_its_tombstone,
            retention_rules_and_legal_holds_are_kept,
            recorded_changes_queue_their_events,
            audit_events_are_found_by_every_field
        );
    };
    (@cases $factory:path; $($case:ident),* $(,)?) => {
        $(
            #[tokio::test]
            async fn $case() {
                let store = $factory().await;
                $crate::contract::$case(&*store).await;
            }
        )*
    };
}

fn t(seconds: i64) -> Timestamp {
    Timestamp::from_second(1_800_000_000 + seconds).unwrap_or_else(|e| panic!("{e}"))
}

/// A session in person, scheduled and booked by its clinician at `t(20)`, over `(start, end)`;
/// cases change what they need with `..`.
fn scheduled(
    id: &str,
    kind: AppointmentTypeId,
    clinician: UserId,
    clients: Vec<ClientId>,
    (starts_at, ends_at): (Timestamp, Timestamp),
) -> AppointmentRecord {
    AppointmentRecord {
        id: id.into(),
        appointment_type: kind,
        clinician,
        clients,
        starts_at,
        ends_at,
        modality: domain::appointment::Modality::InPerson,
        status: domain::appointment::Status::Scheduled,
        reason: vec![],
        version: 1,
        created_at: t(20),
        created_by: clinician,
        updated: None,
        note: None,
        room: None,
        series: None,
        office: None,
    }
}

fn email(s: &str) -> Email {
    Email::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
}

fn profile(name: &str) -> PracticeProfile {
    let form = PracticeForm {
        practice_name: name.into(),
        address_line1: "12 Alder St".into(),
        address_line2: String::new(),
        city: "Portland".into(),
        state: "OR".into(),
        postal_code: "97201".into(),
        npi: "1234567893".into(),
        tax_id: "12-3456789".into(),
        time_zone: "America/Los_Angeles".into(),
    };
    let mut errors = FieldErrors::default();
    form.validate(&mut errors).unwrap_or_else(|| panic!("{errors}"))
}

fn user(address: &str, at: Timestamp) -> NewUser {
    NewUser {
        id: UserId::random(),
        email: email(address),
        display_name: format!("User {address}"),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo".into(),
        created_at: at,
    }
}

fn practice(name: &str, owner: &str, token: Option<&str>) -> NewPractice {
    NewPractice {
        id: PracticeId::random(),
        profile: profile(name),
        created_at: t(10),
        owner: user(owner, t(10)),
        setup_token_hash: token.map(str::to_owned),
        data_keys: ["records", "blind_index"]
            .iter()
            .enumerate()
            .map(|(i, purpose)| WrappedKey {
                id: format!("{name}-key-{i}"),
                purpose: (*purpose).into(),
                wrapped: vec![i as u8; 60],
                master_key_id: "test:master".into(),
                created_at: t(10),
            })
            .collect(),
    }
}

/// A sealed client as the store sees it: opaque bytes and index strings. Odd-numbered ones have
/// a phone and an e-mail address, even-numbered ones neither.
fn sealed_client(n: u8, family_index: &str) -> SealedClient {
    let contact = |tag: u8| (n % 2 == 1).then(|| vec![n, tag]);
    SealedClient {
        id: ClientId::random(),
        given_name: vec![n, 1, 0, 255],
        family_name: vec![n, 2],
        date_of_birth: vec![n, 3],
        given_name_index: format!("given-{n}"),
        family_name_index: family_index.into(),
        family_prefix_index: family_index[..3].into(),
        date_of_birth_index: format!("dob-{n}"),
        phone: contact(4),
        email: contact(5),
        phone_index: (n % 2 == 1).then(|| format!("phone-{n}")),
        email_index: (n % 2 == 1).then(|| format!("email-{n}")),
        created_at: t(12),
        profile: n.is_multiple_of(3).then(|| vec![n, 6]),
        status: ClientStatus::Active,
        version: 1,
        updated_at: None,
    }
}

/// A full session opened at `at`, good until `t(999)`, from nowhere in particular.
fn session_at(hash: &str, user: UserId, practice: PracticeId, at: Timestamp) -> SessionRecord {
    SessionRecord {
        token_hash: hash.into(),
        user,
        practice,
        created_at: at,
        last_seen_at: at,
        expires_at: t(999),
        ip: String::new(),
        user_agent: String::new(),
        pending_second_factor: false,
    }
}

fn ok<T>(r: crate::Result<T>) -> T {
    r.unwrap_or_else(|e| panic!("store error: {e}"))
}

async fn token(store: &dyn Store, hash: &str, created: Timestamp, ttl_seconds: i64) {
    let new = NewSetupToken {
        token_hash: hash.into(),
        created_at: created,
        expires_at: created + SignedDuration::from_secs(ttl_seconds),
    };
    ok(store.replace_setup_token(&new).await);
}

pub async fn migrations_are_idempotent(store: &dyn Store) {
    let expected = store.expected_schema_version();
    assert!(expected >= 1);
    assert_eq!(ok(store.migrate().await), expected);
    assert_eq!(ok(store.migrate().await), expected);
    assert_eq!(ok(store.schema_version().await), expected);
}

fn invitation(p: &NewPractice, address: &str, role: Role, hash: &str, created: i64) -> Invitation {
    Invitation {
        id: InvitationId::random(),
        token_hash: hash.into(),
        practice: p.id,
        email: email(address),
        display_name: format!("Invitee {address}"),
        role,
        invited_by: p.owner.id,
        created_at: t(created),
        expires_at: t(created + 100),
        accepted_at: None,
        revoked_at: None,
    }
}

fn appointment_type_spec(name: &str, minutes: &str) -> AppointmentTypeSpec {
    let form = AppointmentTypeForm {
        name: name.into(),
        minutes: minutes.into(),
        service_code: "90834".into(),
        place_of_service: "10".into(),
        color: "violet".into(),
        billable: Some("on".into()),
        attendance: "group".into(),
        max_clients: "8".into(),
        portal_booking: String::new(),
    };
    let mut errors = FieldErrors::default();
    form.validate(&mut errors).unwrap_or_else(|| panic!("{errors}"))
}

fn appointment_type_record(name: &str, at: Timestamp) -> AppointmentTypeRecord {
    AppointmentTypeRecord {
        id: AppointmentTypeId::random(),
        spec: appointment_type_spec(name, "45"),
        archived_at: None,
        version: 1,
        created_at: at,
        updated_at: at,
    }
}

fn calendar_record(u: UserId, by: UserId, version: i64, hours: &str, offers: Vec<AppointmentTypeId>) -> CalendarRecord {
    CalendarRecord {
        user: u,
        settings: CalendarSettings {
            time_zone: ok_parse("America/Chicago"),
            hours: ok_parse(hours),
            breaks: ok_parse("MO 12:00-13:00"),
            buffer_minutes: 10,
            offers,
        },
        version,
        updated_at: t(50 + version),
        updated_by: by,
    }
}

fn ok_parse<T: std::str::FromStr<Err = String>>(s: &str) -> T {
    s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
}
