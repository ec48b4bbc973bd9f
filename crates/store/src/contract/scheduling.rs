//! Scheduling set-up: appointment types, calendars, time off.

use super::*;

pub async fn appointment_types_are_versioned_and_archived(store: &dyn Store) {
    let p = practice("Types", "owner@types.example", None);
    let other = practice("Other types", "owner@other-types.example", None);
    ok(store.create_practice(&p, t(10)).await);
    ok(store.create_practice(&other, t(10)).await);
    let group = appointment_type_record("Group therapy", t(20));
    let intake = appointment_type_record("Intake", t(21));
    ok(store.insert_appointment_type(p.id, &group).await);
    ok(store.insert_appointment_type(p.id, &intake).await);
    // Names are unique within a practice, not across practices.
    let twin = appointment_type_record("Intake", t(22));
    assert!(matches!(store.insert_appointment_type(p.id, &twin).await, Err(StoreError::Conflict("name"))));
    ok(store.insert_appointment_type(other.id, &twin).await);
    assert_eq!(ok(store.appointment_types(p.id).await), vec![group.clone(), intake.clone()]);

    // An edit made from version 1 lands once; a second edit from the same version is refused.
    let edited = AppointmentTypeRecord {
        spec: appointment_type_spec("Group therapy", "90"),
        updated_at: t(30),
        ..group.clone()
    };
    ok(store.update_appointment_type(p.id, &edited).await);
    let stale = AppointmentTypeRecord { spec: appointment_type_spec("Group", "60"), ..group.clone() };
    assert!(matches!(store.update_appointment_type(p.id, &stale).await, Err(StoreError::NoRowChanged(0))));
    let renamed = AppointmentTypeRecord { spec: appointment_type_spec("Intake", "60"), version: 2, ..group.clone() };
    assert!(matches!(store.update_appointment_type(p.id, &renamed).await, Err(StoreError::Conflict("name"))));
    assert!(
        store.update_appointment_type(other.id, &AppointmentTypeRecord { version: 2, ..edited.clone() }).await.is_err()
    );
    let stored = ok(store.appointment_types(p.id).await);
    assert_eq!(stored[0], AppointmentTypeRecord { version: 2, ..edited.clone() });

    // Archived types sort last and can come back.
    assert!(ok(store.archive_appointment_type(p.id, group.id, Some(t(40)), t(40)).await));
    assert!(!ok(store.archive_appointment_type(other.id, group.id, Some(t(40)), t(40)).await));
    let stored = ok(store.appointment_types(p.id).await);
    assert_eq!((stored[1].id, stored[1].archived_at, stored[1].version), (group.id, Some(t(40)), 3));
    assert!(ok(store.archive_appointment_type(p.id, group.id, None, t(41)).await));
    assert_eq!(ok(store.appointment_types(p.id).await)[0].archived_at, None);
    assert_eq!(ok(store.appointment_types(other.id).await).len(), 1);
}

pub async fn calendars_save_without_lost_updates(store: &dyn Store) {
    let p = practice("Calendars", "owner@calendars.example", None);
    let other = practice("Other calendars", "owner@other-calendars.example", None);
    ok(store.create_practice(&p, t(10)).await);
    ok(store.create_practice(&other, t(10)).await);
    let clinician = user("clinician@calendars.example", t(10));
    ok(store.add_staff(p.id, &clinician, Role::Clinician).await);
    let offers = vec![AppointmentTypeId::random(), AppointmentTypeId::random()];
    assert!(ok(store.calendars(p.id).await).is_empty());

    // First save from "nothing saved" (0); a second first save loses, as does a stale one.
    let first = calendar_record(clinician.id, clinician.id, 0, "MO 09:00-17:00;TU 09:00-17:00", offers.clone());
    ok(store.save_calendar(p.id, &first).await);
    assert!(matches!(store.save_calendar(p.id, &first).await, Err(StoreError::NoRowChanged(0))));
    let by_owner = calendar_record(clinician.id, p.owner.id, 1, "MO 08:00-16:00", vec![]);
    ok(store.save_calendar(p.id, &by_owner).await);
    let stale = calendar_record(clinician.id, clinician.id, 1, "MO 10:00-18:00", vec![]);
    assert!(matches!(store.save_calendar(p.id, &stale).await, Err(StoreError::NoRowChanged(0))));
    let saved = ok(store.calendars(p.id).await);
    assert_eq!(saved, vec![CalendarRecord { version: 2, ..by_owner.clone() }]);
    let first_saved = calendar_record(clinician.id, clinician.id, 1, "MO 09:00-17:00;TU 09:00-17:00", offers);
    assert_ne!(saved[0].settings, first_saved.settings);

    // Offers round-trip; a calendar belongs to a member of the practice it is saved in.
    let with_offers = calendar_record(p.owner.id, p.owner.id, 0, "", vec![AppointmentTypeId::random()]);
    ok(store.save_calendar(p.id, &with_offers).await);
    let owners = ok(store.calendars(p.id).await).into_iter().find(|c| c.user == p.owner.id);
    assert_eq!(owners.map(|c| c.settings), Some(with_offers.settings));
    assert!(store.save_calendar(other.id, &calendar_record(clinician.id, clinician.id, 0, "", vec![])).await.is_err());
    assert!(ok(store.calendars(other.id).await).is_empty());
}

pub async fn time_off_is_listed_until_it_ends(store: &dyn Store) {
    let p = practice("Time off", "owner@time-off.example", None);
    let other = practice("Other time off", "owner@other-time-off.example", None);
    ok(store.create_practice(&p, t(10)).await);
    ok(store.create_practice(&other, t(10)).await);
    let stretch = |starts: i64, ends: i64, label: Option<&str>| TimeOffRecord {
        id: TimeOffId::random(),
        user: p.owner.id,
        starts_at: t(starts),
        ends_at: t(ends),
        label: label.map(str::to_owned),
        created_at: t(11),
        created_by: p.owner.id,
    };
    let (later, earlier) = (stretch(500, 900, Some("Vacation")), stretch(100, 200, None));
    ok(store.insert_time_off(p.id, &later).await);
    ok(store.insert_time_off(p.id, &earlier).await);
    assert!(store.insert_time_off(p.id, &stretch(300, 300, None)).await.is_err(), "an empty stretch was stored");
    assert_eq!(ok(store.time_off(p.id, t(0)).await), vec![earlier.clone(), later.clone()]);
    assert_eq!(ok(store.time_off(p.id, t(200)).await), vec![later.clone()]);
    assert!(ok(store.time_off(other.id, t(0)).await).is_empty());
    assert!(!ok(store.delete_time_off(other.id, p.owner.id, later.id).await));
    assert!(ok(store.delete_time_off(p.id, p.owner.id, later.id).await));
    assert!(!ok(store.delete_time_off(p.id, p.owner.id, later.id).await));
    assert_eq!(ok(store.time_off(p.id, t(0)).await), vec![earlier]);
}

pub async fn appointments_are_booked_with_their_clients_and_changed_from_their_version(store: &dyn Store) {
    use domain::appointment::Status;
    let p = practice("Appointments", "owner@appointments.example", None);
    ok(store.create_practice(&p, t(10)).await);
    let kind = appointment_type_record("Couples session", t(11));
    ok(store.insert_appointment_type(p.id, &kind).await);
    let (a, b) = (sealed_client(17, "appt-a"), sealed_client(18, "appt-b"));
    ok(store.create_clients(p.id, &[(a.clone(), vec![]), (b.clone(), vec![])]).await);
    let hour = |h: i64| t(1_000_000 + h * 3600);
    let mut clients = vec![a.id, b.id];
    clients.sort_by_key(|c| c.to_string());
    let booked = |n: u8, start: i64, clients: Vec<ClientId>| AppointmentRecord {
        reason: vec![n; 3],
        room: (n == 2).then(|| "RandomRoomNameForTheVideoSession".to_owned()),
        office: (n == 1).then(|| "room-a".to_owned()),
        ..scheduled(&format!("appointment-{n}"), kind.id, p.owner.id, clients, (hour(start), hour(start + 1)))
    };
    let couple = booked(1, 9, clients.clone());
    ok(store.book_appointment(p.id, &couple).await);
    ok(store.book_appointment(p.id, &booked(2, 11, vec![a.id])).await);
    // A client who does not exist, or an end before the start: refused, nothing kept.
    assert!(store.book_appointment(p.id, &booked(3, 13, vec![ClientId::random()])).await.is_err());
    let backwards = AppointmentRecord { ends_at: hour(12), ..booked(4, 13, vec![a.id]) };
    assert!(store.book_appointment(p.id, &backwards).await.is_err());
    assert_eq!(ok(store.appointment(p.id, "appointment-3").await), None);
    assert_eq!(ok(store.appointment(p.id, "appointment-1").await), Some(couple.clone()));

    // Windows: overlap, not touch.
    let ids = |list: Vec<AppointmentRecord>| list.into_iter().map(|a| a.id).collect::<Vec<_>>();
    assert_eq!(
        ids(ok(store.appointments_overlapping(p.id, hour(9) + jiff::SignedDuration::from_mins(30), hour(11)).await)),
        ["appointment-1"]
    );
    assert_eq!(ids(ok(store.appointments_overlapping(p.id, hour(10), hour(11)).await)), Vec::<String>::new());
    assert_eq!(
        ids(ok(store.clinician_appointments(p.id, p.owner.id, hour(0), hour(24)).await)),
        ["appointment-1", "appointment-2"]
    );

    assert_eq!(ids(ok(store.appointments_starting(p.id, hour(9), hour(12)).await)), ["appointment-1", "appointment-2"]);
    assert_eq!(ids(ok(store.appointments_starting(p.id, hour(10), hour(12)).await)), ["appointment-2"]);
    // One client's, with every client of each (a couple's session lists both).
    assert_eq!(ok(store.client_appointments(p.id, b.id, hour(0), hour(24)).await), std::slice::from_ref(&couple));
    assert_eq!(ids(ok(store.client_appointments(p.id, a.id, hour(10), hour(24)).await)), ["appointment-2"]);

    // Moved from its version; a second move from the same version is refused.
    let by = (t(30), p.owner.id);
    ok(store.move_appointment(p.id, "appointment-2", 1, (hour(14), hour(15)), by).await);
    let stale = store.move_appointment(p.id, "appointment-2", 1, (hour(16), hour(17)), by).await;
    assert!(matches!(stale, Err(StoreError::NoRowChanged(_))), "{stale:?}");
    let moved = ok(store.appointment(p.id, "appointment-2").await).expect("there");
    assert_eq!((moved.starts_at, moved.version, moved.updated), (hour(14), 2, Some(by)));
    assert_eq!(moved.room.as_deref(), Some("RandomRoomNameForTheVideoSession"), "the video room is kept");

    // Cancelled, it no longer holds its time, and stays on the clinician's day.
    ok(store.set_appointment_outcome(p.id, "appointment-1", 1, (Status::LateCancelled, vec![9; 5]), by).await);
    assert_eq!(ids(ok(store.appointments_overlapping(p.id, hour(9), hour(10)).await)), Vec::<String>::new());
    let cancelled = ok(store.appointment(p.id, "appointment-1").await).expect("there");
    assert_eq!((cancelled.status, cancelled.reason, cancelled.version), (Status::LateCancelled, vec![9; 5], 2));
    assert_eq!(ok(store.clinician_appointments(p.id, p.owner.id, hour(0), hour(24)).await).len(), 2);
    assert_eq!(ok(store.sealed_cells(p.id, SealedColumn::AppointmentReason, None, 10).await).len(), 2);

    // An attended session without a note counts until its note is linked and signed.
    let moved_version = ok(store.appointment(p.id, "appointment-2").await).expect("there").version;
    ok(store.set_appointment_outcome(p.id, "appointment-2", moved_version, (Status::Attended, vec![]), by).await);
    assert_eq!(ok(store.sessions_without_signed_note(p.id, p.owner.id, hour(0)).await), 1);
    assert_eq!(ok(store.sessions_without_signed_note(p.id, p.owner.id, hour(15)).await), 0, "before the window");
    let note = domain::NoteId::random();
    assert!(ok(store.link_appointment_note(p.id, "appointment-2", note).await));
    assert!(!ok(store.link_appointment_note(p.id, "appointment-2", domain::NoteId::random()).await), "linked once");
    assert_eq!(ok(store.appointment(p.id, "appointment-2").await).and_then(|a| a.note), Some(note));
    assert_eq!(
        ok(store.sessions_without_signed_note(p.id, p.owner.id, hour(0)).await),
        1,
        "the note is not signed (nor there)"
    );

    let elsewhere = practice("Other appointments", "owner@appointments-other.example", None);
    ok(store.create_practice(&elsewhere, t(10)).await);
    assert_eq!(ok(store.appointment(elsewhere.id, "appointment-1").await), None);
    assert_eq!(ok(store.appointments_overlapping(elsewhere.id, hour(0), hour(24)).await), []);
    // Appointments brought from another system go in whole or not at all.
    let history = [booked(15, 400, vec![a.id]), booked(16, 401, vec![ClientId::random()])];
    assert!(store.import_appointments(p.id, &history).await.is_err());
    assert_eq!(ok(store.appointment(p.id, "appointment-15").await), None, "half an import kept");
    let history = [booked(15, 400, vec![a.id]), booked(16, 400, vec![b.id])];
    ok(store.import_appointments(p.id, &history).await);
    assert_eq!(ok(store.appointment(p.id, "appointment-16").await).as_ref(), Some(&history[1]), "history overlaps");
}

pub async fn series_are_booked_whole_and_rebooked_from_their_versions(store: &dyn Store) {
    use domain::appointment::Status;
    let p = practice("Series", "owner@series.example", None);
    ok(store.create_practice(&p, t(10)).await);
    let kind = appointment_type_record("Weekly therapy", t(11));
    ok(store.insert_appointment_type(p.id, &kind).await);
    let client = sealed_client(19, "series-a");
    ok(store.create_clients(p.id, &[(client.clone(), vec![])]).await);
    let week = |n: i64| t(2_000_000 + n * 7 * 86_400);
    let day = |n: i64| jiff::civil::date(2027, 1, 4).checked_add(jiff::Span::new().weeks(n)).expect("date");
    let session = |series: &str, n: i64| AppointmentRecord {
        series: Some((series.to_owned(), day(n))),
        ..scheduled(
            &format!("{series}-{n}"),
            kind.id,
            p.owner.id,
            vec![client.id],
            (week(n), week(n) + SignedDuration::from_mins(50)),
        )
    };
    let series = SeriesRecord {
        id: "weekly".into(),
        rule: "FREQ=WEEKLY;COUNT=4;BYDAY=MO".into(),
        created_at: t(20),
        created_by: p.owner.id,
    };
    let sessions: Vec<_> = (0..4).map(|n| session("weekly", n)).collect();
    ok(store.book_series(p.id, &series, &sessions, true).await);
    assert_eq!(ok(store.series(p.id, "weekly").await), Some(series.clone()));
    assert_eq!(ok(store.series_appointments(p.id, "weekly").await), sessions);
    // A series whose sessions cannot all be booked is not booked at all.
    let broken = SeriesRecord { id: "broken".into(), ..series.clone() };
    let mut bad = vec![session("broken", 0), session("broken", 1)];
    bad[1].clients = vec![ClientId::random()];
    assert!(store.book_series(p.id, &broken, &bad, false).await.is_err());
    assert_eq!(ok(store.series(p.id, "broken").await), None);
    assert_eq!(ok(store.appointment(p.id, "broken-0").await), None);
    // Checked in its own transaction, a series over a time the clinician has booked is refused
    // whole; unchecked (an override), it is booked over it.
    let clash = SeriesRecord { id: "clash".into(), ..series.clone() };
    let over = [session("clash", 3)];
    let refused = store.book_series(p.id, &clash, &over, true).await;
    assert!(matches!(refused, Err(StoreError::NoRowChanged(_))), "{refused:?}");
    assert_eq!(ok(store.series(p.id, "clash").await), None);
    ok(store.book_series(p.id, &clash, &over, false).await);
    ok(store.set_appointment_outcome(p.id, "clash-3", 1, (Status::Cancelled, vec![1]), (t(25), p.owner.id)).await);

    // The third session is cancelled; from the second on, the run moves to a new series.
    let by = (t(30), p.owner.id);
    ok(store.set_appointment_outcome(p.id, "weekly-2", 1, (Status::Cancelled, vec![1]), by).await);
    let tail = SeriesRecord { id: "moved".into(), rule: "FREQ=WEEKLY;COUNT=2;BYDAY=TU".into(), ..series.clone() };
    let carried: Vec<_> = (1..3).map(|n| session("moved", n)).collect();
    let removed = [("weekly-1".to_owned(), 1), ("weekly-3".to_owned(), 1)];
    let head_rule = "FREQ=WEEKLY;UNTIL=20270110;BYDAY=MO";
    // Someone else changed a session since it was read: nothing changes.
    ok(store.move_appointment(p.id, "weekly-3", 1, (week(5), week(5) + SignedDuration::from_mins(50)), by).await);
    let stale = store.rebook_series(p.id, &removed, ("weekly", head_rule), Some((&tail, &carried)), false).await;
    assert!(matches!(stale, Err(StoreError::NoRowChanged(_))), "{stale:?}");
    assert_eq!(ok(store.series_appointments(p.id, "weekly").await).len(), 4);
    assert_eq!(ok(store.series(p.id, "moved").await), None);
    // A cancelled session is history and cannot be taken out.
    let cancelled = store.rebook_series(p.id, &[("weekly-2".to_owned(), 2)], ("weekly", head_rule), None, false).await;
    assert!(matches!(cancelled, Err(StoreError::NoRowChanged(_))), "{cancelled:?}");
    let removed = [("weekly-1".to_owned(), 1), ("weekly-3".to_owned(), 2)];
    // Checked, the sessions taken out in the same write no longer hold their times.
    ok(store.rebook_series(p.id, &removed, ("weekly", head_rule), Some((&tail, &carried)), true).await);
    let ids = |list: Vec<AppointmentRecord>| list.into_iter().map(|a| a.id).collect::<Vec<_>>();
    assert_eq!(ids(ok(store.series_appointments(p.id, "weekly").await)), ["weekly-0", "weekly-2"]);
    assert_eq!(ok(store.series(p.id, "weekly").await).map(|s| s.rule), Some(head_rule.to_owned()));
    assert_eq!(ok(store.series_appointments(p.id, "moved").await), carried);
    assert_eq!(ok(store.appointment(p.id, "weekly-1").await), None);

    let elsewhere = practice("Other series", "owner@series-other.example", None);
    ok(store.create_practice(&elsewhere, t(10)).await);
    assert_eq!(ok(store.series(elsewhere.id, "weekly").await), None);
    assert_eq!(ok(store.series_appointments(elsewhere.id, "weekly").await), []);
}

pub async fn the_waitlist_keeps_wishes_until_booked_or_taken_off_once(store: &dyn Store) {
    use domain::appointment::{Modality, Status};
    let p = practice("Waitlist", "owner@waitlist.example", None);
    ok(store.create_practice(&p, t(10)).await);
    let kind = appointment_type_record("Intake", t(11));
    ok(store.insert_appointment_type(p.id, &kind).await);
    let (a, b) = (sealed_client(21, "wait-a"), sealed_client(22, "wait-b"));
    ok(store.create_clients(p.id, &[(a.clone(), vec![]), (b.clone(), vec![])]).await);
    let wish = |n: u8, client: ClientId, added: i64| WaitlistRecord {
        id: format!("wish-{n}"),
        client,
        clinician: (n == 1).then_some(p.owner.id),
        weekdays: if n == 1 { "MO,WE".into() } else { String::new() },
        earliest: "15:00".into(),
        latest: "18:00".into(),
        modality: (n == 2).then_some(Modality::Telehealth),
        added_at: t(added),
        added_by: p.owner.id,
    };
    // Listed longest wait first, whatever the order they were added in.
    ok(store.add_to_waitlist(p.id, &wish(2, b.id, 30)).await);
    ok(store.add_to_waitlist(p.id, &wish(1, a.id, 20)).await);
    assert!(store.add_to_waitlist(p.id, &wish(3, ClientId::random(), 40)).await.is_err(), "no such client");
    assert_eq!(ok(store.waitlist(p.id).await), vec![wish(1, a.id, 20), wish(2, b.id, 30)]);

    // Booked from the waitlist: the wish ends with the appointment, once.
    let appointment = AppointmentRecord {
        id: "from-waitlist".into(),
        appointment_type: kind.id,
        clinician: p.owner.id,
        clients: vec![a.id],
        starts_at: t(5_000),
        ends_at: t(8_000),
        modality: Modality::InPerson,
        status: Status::Scheduled,
        reason: vec![],
        version: 1,
        created_at: t(50),
        created_by: p.owner.id,
        updated: None,
        note: None,
        room: None,
        series: None,
        office: None,
    };
    ok(store.book_from_waitlist(p.id, "wish-1", &appointment).await);
    assert_eq!(ok(store.appointment(p.id, "from-waitlist").await), Some(appointment.clone()));
    let second = AppointmentRecord { id: "twice".into(), ..appointment.clone() };
    let twice = store.book_from_waitlist(p.id, "wish-1", &second).await;
    assert!(matches!(twice, Err(StoreError::NoRowChanged(_))), "{twice:?}");
    assert_eq!(ok(store.appointment(p.id, "twice").await), None, "nothing booked for an ended wish");
    // Taken off once.
    assert!(ok(store.end_wish(p.id, "wish-2", (t(60), p.owner.id)).await));
    assert!(!ok(store.end_wish(p.id, "wish-2", (t(61), p.owner.id)).await));
    assert_eq!(ok(store.waitlist(p.id).await), vec![]);

    let elsewhere = practice("Other waitlist", "owner@waitlist-other.example", None);
    ok(store.create_practice(&elsewhere, t(10)).await);
    ok(store.add_to_waitlist(p.id, &wish(4, b.id, 70)).await);
    assert_eq!(ok(store.waitlist(elsewhere.id).await), vec![]);
    assert!(!ok(store.end_wish(elsewhere.id, "wish-4", (t(80), p.owner.id)).await));
}

pub async fn a_feed_link_is_replaced_or_revoked_and_its_detail_kept(store: &dyn Store) {
    use domain::feed::Detail;
    let p = practice("Feeds", "owner@feeds.example", None);
    ok(store.create_practice(&p, t(10)).await);
    assert_eq!(ok(store.feed_created(p.id, p.owner.id).await), None);
    ok(store.replace_feed(p.id, p.owner.id, "hash-one", t(20)).await);
    let found = ok(store.feed("hash-one").await).expect("the feed");
    assert_eq!((found.practice, found.user, found.role), (p.id, p.owner.id, Role::Owner));
    assert_eq!(found.user_disabled_at, None);
    // A new link replaces the old one.
    ok(store.replace_feed(p.id, p.owner.id, "hash-two", t(30)).await);
    assert_eq!(ok(store.feed("hash-one").await), None);
    assert!(ok(store.feed("hash-two").await).is_some());
    assert_eq!(ok(store.feed_created(p.id, p.owner.id).await), Some(t(30)));
    // Revoked once.
    assert!(ok(store.revoke_feed(p.id, p.owner.id).await));
    assert!(!ok(store.revoke_feed(p.id, p.owner.id).await));
    assert_eq!(ok(store.feed("hash-two").await), None);

    assert_eq!(ok(store.feed_detail(p.id).await), Detail::Initials, "initials by default");
    ok(store.set_feed_detail(p.id, Detail::Names, (t(40), p.owner.id)).await);
    ok(store.set_feed_detail(p.id, Detail::Busy, (t(41), p.owner.id)).await);
    assert_eq!(ok(store.feed_detail(p.id).await), Detail::Busy);
    let elsewhere = practice("Other feeds", "owner@feeds-other.example", None);
    ok(store.create_practice(&elsewhere, t(10)).await);
    assert_eq!(ok(store.feed_detail(elsewhere.id).await), Detail::Initials);
}

pub async fn fee_policies_are_kept_and_attendance_counted_by_outcome(store: &dyn Store) {
    use domain::appointment::Status;
    use domain::attendance::FeePolicy;
    let p = practice("Fees", "owner@fees.example", None);
    ok(store.create_practice(&p, t(10)).await);
    assert_eq!(ok(store.fee_policy(p.id).await), FeePolicy::default());
    let policy = FeePolicy { notice_hours: 48, late_cancel_fee: 5000, no_show_fee: 7500 };
    ok(store.save_fee_policy(p.id, &policy, (t(20), p.owner.id)).await);
    ok(store.save_fee_policy(p.id, &FeePolicy { notice_hours: 36, ..policy }, (t(21), p.owner.id)).await);
    assert_eq!(ok(store.fee_policy(p.id).await).notice_hours, 36);
    let bad = FeePolicy { no_show_fee: 100_001, ..policy };
    assert!(store.save_fee_policy(p.id, &bad, (t(22), p.owner.id)).await.is_err(), "over the largest fee");

    let kind = appointment_type_record("Therapy", t(11));
    ok(store.insert_appointment_type(p.id, &kind).await);
    let (a, b) = (sealed_client(23, "fees-a"), sealed_client(24, "fees-b"));
    ok(store.create_clients(p.id, &[(a.clone(), vec![]), (b.clone(), vec![])]).await);
    let session = |n: i64, clients: Vec<ClientId>, status: Status| AppointmentRecord {
        status,
        created_at: t(30),
        ..scheduled(&format!("fees-{n}"), kind.id, p.owner.id, clients, (t(1_000 + n * 10_000), t(4_000 + n * 10_000)))
    };
    for (n, clients, status) in [
        (0, vec![a.id], Status::Attended),
        (1, vec![a.id], Status::NoShow),
        (2, vec![a.id], Status::Attended),
        (3, vec![a.id, b.id], Status::LateCancelled),
        (9, vec![b.id], Status::Attended),
    ] {
        ok(store.book_appointment(p.id, &session(n, clients, status)).await);
    }
    let counted = ok(store.attendance(p.id, t(0), t(50_000)).await);
    let mut by_clinician = counted.clinicians;
    by_clinician.sort_by_key(|(_, status, _)| status.as_str());
    let o = p.owner.id;
    assert_eq!(by_clinician, [(o, Status::Attended, 2), (o, Status::LateCancelled, 1), (o, Status::NoShow, 1)]);
    let mut counted = counted.clients;
    counted.sort_by_key(|(_, client, status, _)| (client.to_string(), status.as_str()));
    let mut expected = vec![
        (p.owner.id, a.id, Status::Attended, 2),
        (p.owner.id, a.id, Status::LateCancelled, 1),
        (p.owner.id, a.id, Status::NoShow, 1),
        (p.owner.id, b.id, Status::LateCancelled, 1),
    ];
    expected.sort_by_key(|(_, client, status, _)| (client.to_string(), status.as_str()));
    assert_eq!(counted, expected, "the session outside the window is left out");

    let elsewhere = practice("Other fees", "owner@fees-other.example", None);
    ok(store.create_practice(&elsewhere, t(10)).await);
    assert_eq!(ok(store.fee_policy(elsewhere.id).await), FeePolicy::default());
    assert_eq!(ok(store.attendance(elsewhere.id, t(0), t(100_000)).await), Attendance::default());
}

pub async fn rooms_in_use_have_unique_names_and_are_archived_once(store: &dyn Store) {
    let p = practice("Rooms", "owner@rooms.example", None);
    ok(store.create_practice(&p, t(10)).await);
    let room =
        |id: &str, name: &str| RoomRecord { id: id.into(), name: name.into(), created_at: t(20), archived_at: None };
    ok(store.add_room(p.id, &room("b", "Garden room")).await);
    ok(store.add_room(p.id, &room("a", "Blue room")).await);
    let taken = store.add_room(p.id, &room("c", "Blue room")).await;
    assert!(matches!(taken, Err(StoreError::Conflict("name"))), "{taken:?}");
    assert_eq!(ok(store.rooms(p.id).await), vec![room("a", "Blue room"), room("b", "Garden room")]);
    assert!(ok(store.archive_room(p.id, "a", t(30)).await));
    assert!(!ok(store.archive_room(p.id, "a", t(31)).await));
    // Archived, its name is free again; the archived room is listed last.
    ok(store.add_room(p.id, &room("c", "Blue room")).await);
    let names: Vec<_> = ok(store.rooms(p.id).await).into_iter().map(|r| (r.id, r.archived_at)).collect();
    assert_eq!(names, [("c".to_owned(), None), ("b".to_owned(), None), ("a".to_owned(), Some(t(30)))]);
    let elsewhere = practice("Other rooms", "owner@rooms-other.example", None);
    ok(store.create_practice(&elsewhere, t(10)).await);
    assert_eq!(ok(store.rooms(elsewhere.id).await), vec![]);
    ok(store.add_room(elsewhere.id, &room("a2", "Blue room")).await);
}

pub async fn an_opening_is_booked_once_even_at_the_same_instant(store: &dyn Store) {
    use domain::appointment::{Modality, Status};
    let p = practice("Openings", "owner@openings.example", None);
    ok(store.create_practice(&p, t(10)).await);
    ok(store.save_calendar(p.id, &calendar_record(p.owner.id, p.owner.id, 0, "MO 09:00-17:00", vec![])).await);
    let kind = appointment_type_record("Individual session", t(11));
    ok(store.insert_appointment_type(p.id, &kind).await);
    let (a, b) = (sealed_client(19, "open-a"), sealed_client(20, "open-b"));
    ok(store.create_clients(p.id, &[(a.clone(), vec![]), (b.clone(), vec![])]).await);
    let minute = |m: i64| t(2_000_000 + m * 60);
    let session = |n: u8, client: ClientId, from: i64, to: i64, status: Status| AppointmentRecord {
        modality: Modality::Telehealth,
        status,
        reason: vec![n; 3],
        ..scheduled(&format!("opening-{n}"), kind.id, p.owner.id, vec![client], (minute(from), minute(to)))
    };
    let taken = |r: Result<(), StoreError>| matches!(r, Err(StoreError::NoRowChanged(_)));

    // Two clients take the same opening at the same instant: one gets it.
    let (first, second) = (session(1, a.id, 0, 50, Status::Scheduled), session(2, b.id, 0, 50, Status::Scheduled));
    let (one, two) =
        tokio::join!(store.book_appointment_if_free(p.id, &first), store.book_appointment_if_free(p.id, &second));
    assert!(one.is_ok() != two.is_ok(), "exactly one booking passes: {one:?} {two:?}");
    assert!(taken(if one.is_ok() { two } else { one }));
    let held = ok(store.appointments_overlapping(p.id, minute(0), minute(50)).await);
    assert_eq!(held.len(), 1, "{held:?}");

    // Any overlap is taken; the time next to it, or a cancelled session's, is free.
    assert!(taken(store.book_appointment_if_free(p.id, &session(3, b.id, 30, 80, Status::Scheduled)).await));
    ok(store.book_appointment_if_free(p.id, &session(4, b.id, 50, 100, Status::Scheduled)).await);
    ok(store.book_appointment(p.id, &session(5, a.id, 120, 170, Status::Cancelled)).await);
    ok(store.book_appointment_if_free(p.id, &session(6, b.id, 120, 170, Status::Scheduled)).await);
    // Another clinician's time is their own; someone who is not a member has none.
    let clinician = user("clinician@openings.example", t(10));
    ok(store.add_staff(p.id, &clinician, Role::Clinician).await);
    let theirs = AppointmentRecord { clinician: clinician.id, ..session(7, a.id, 0, 50, Status::Scheduled) };
    ok(store.book_appointment_if_free(p.id, &theirs).await);
    let stranger = AppointmentRecord { clinician: UserId::random(), ..session(8, a.id, 300, 350, Status::Scheduled) };
    assert!(taken(store.book_appointment_if_free(p.id, &stranger).await));
}

/// A client's request holds its clinician's time while it waits: no second request and no
/// booking over it; booked once into a session, or declined once, it holds nothing.
pub async fn a_waiting_request_holds_its_time_until_booked_or_declined(store: &dyn Store) {
    use crate::SlotRequestRecord;
    use domain::appointment::Modality;
    let p = practice("Requests", "owner@requests.example", None);
    ok(store.create_practice(&p, t(10)).await);
    let kind = appointment_type_record("Intake", t(11));
    ok(store.insert_appointment_type(p.id, &kind).await);
    let client = sealed_client(31, "request-a");
    ok(store.create_clients(p.id, &[(client.clone(), vec![])]).await);
    let at = |minutes: i64| t(2_000_000 + minutes * 60);
    let request = |id: &str, start: i64| SlotRequestRecord {
        id: id.into(),
        client: client.id,
        clinician: p.owner.id,
        appointment_type: kind.id,
        starts_at: at(start),
        ends_at: at(start + 60),
        modality: Modality::InPerson,
        status: "waiting".into(),
        created_at: t(20),
        decided: None,
        appointment: None,
    };
    let session = |id: &str, start: i64| AppointmentRecord {
        reason: vec![1],
        created_at: t(30),
        ..scheduled(id, kind.id, p.owner.id, vec![client.id], (at(start), at(start + 60)))
    };
    let taken = |r: crate::Result<()>| matches!(r, Err(StoreError::NoRowChanged(_)));
    ok(store.request_slot_if_free(p.id, &request("req-1", 0)).await);
    assert!(taken(store.request_slot_if_free(p.id, &request("req-2", 30)).await), "a second request over it");
    assert!(taken(store.book_appointment_if_free(p.id, &session("appt-x", 30)).await), "a booking over it");
    assert_eq!(ok(store.waiting_slot_requests(p.id, at(-60), at(120)).await), [request("req-1", 0)]);
    assert_eq!(ok(store.client_slot_requests(p.id, client.id, at(-60)).await), [request("req-1", 0)]);
    assert_eq!(ok(store.client_slot_requests(p.id, client.id, at(60)).await), vec![], "ended by then");
    assert_eq!(ok(store.client_slot_requests(p.id, ClientId::random(), at(-60)).await), vec![]);

    ok(store.book_slot_request(p.id, "req-1", &session("appt-1", 0), p.owner.id).await);
    let booked = ok(store.slot_request(p.id, "req-1").await).unwrap_or_else(|| panic!("gone"));
    assert_eq!((booked.status.as_str(), booked.appointment.as_deref()), ("booked", Some("appt-1")));
    assert_eq!(booked.decided, Some((t(30), p.owner.id)));
    assert!(taken(store.book_slot_request(p.id, "req-1", &session("appt-2", 0), p.owner.id).await), "booked twice");
    assert_eq!(ok(store.appointment(p.id, "appt-2").await), None, "half a second booking kept");
    assert_eq!(ok(store.waiting_slot_requests(p.id, at(-60), at(120)).await), vec![]);

    ok(store.request_slot_if_free(p.id, &request("req-3", 120)).await);
    ok(store.decline_slot_request(p.id, "req-3", t(40), p.owner.id).await);
    assert!(taken(store.decline_slot_request(p.id, "req-3", t(41), p.owner.id).await), "declined twice");
    ok(store.book_appointment_if_free(p.id, &session("appt-3", 120)).await);
    // The client withdraws their own, once; no one else's.
    ok(store.request_slot_if_free(p.id, &request("req-4", 240)).await);
    assert!(taken(store.withdraw_slot_request(p.id, "req-4", ClientId::random(), t(50)).await), "another's");
    ok(store.withdraw_slot_request(p.id, "req-4", client.id, t(50)).await);
    assert!(taken(store.withdraw_slot_request(p.id, "req-4", client.id, t(51)).await), "withdrawn twice");
    let withdrawn = ok(store.slot_request(p.id, "req-4").await).unwrap_or_else(|| panic!("gone"));
    assert_eq!((withdrawn.status.as_str(), withdrawn.decided), ("withdrawn", None));
    ok(store.request_slot_if_free(p.id, &request("req-5", 240)).await);

    let elsewhere = practice("Other requests", "owner@requests-other.example", None);
    ok(store.create_practice(&elsewhere, t(10)).await);
    assert_eq!(ok(store.slot_request(elsewhere.id, "req-1").await), None);
}
