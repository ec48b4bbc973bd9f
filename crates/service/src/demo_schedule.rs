//! The demo practice's scheduling set-up (`haven demo seed` adds it), so that every part of
//! Haven has something to show: four appointment types, working hours with a lunch break for
//! everyone who sees clients (staggered, one with a short Friday), and a clinician's days off
//! next week. Made through the same checks as the pages' forms.

use domain::appointment_type::AppointmentTypeForm;
use domain::calendar::{CalendarForm, keeps_a_calendar};
use domain::validation::FieldErrors;
use domain::{PracticeId, TimeOffId, UserId};
use jiff::{SignedDuration, Timestamp, ToSpan};
use store::{CalendarRecord, TimeOffRecord};

use crate::scheduling::new_appointment_type;

use crate::{Haven, Result, ServiceError};

/// Name, minutes, service code, colour, who attends, most clients.
const TYPES: [(&str, &str, &str, &str, &str, &str); 4] = [
    ("Intake assessment", "60", "90791", "teal", "individual", ""),
    ("Individual therapy, 53 min", "53", "90837", "blue", "individual", ""),
    ("Individual therapy, 45 min", "45", "90834", "violet", "individual", ""),
    ("Couples therapy", "50", "90847", "amber", "family", "2"),
];

fn checked<T>(what: &str, check: impl FnOnce(&mut FieldErrors) -> Option<T>) -> Result<T> {
    let mut errors = FieldErrors::default();
    check(&mut errors).ok_or_else(|| ServiceError::Internal(format!("demo {what} is not valid: {errors}")))
}

impl Haven {
    /// Appointment types for a demo practice, and a calendar for each active member who sees
    /// clients. Written straight to the store, like the rest of the demo seed.
    pub async fn seed_demo_schedule(&self, practice: PracticeId) -> Result<()> {
        let now: Timestamp = self.now();
        let record = self.store.practice(practice).await?.ok_or(ServiceError::NotFound)?;
        let zone = &record.profile.time_zone;
        let staff = self.store.staff(practice).await?;
        let mut types = Vec::new();
        for (name, minutes, code, color, attendance, max) in TYPES {
            let form = AppointmentTypeForm {
                name: name.into(),
                minutes: minutes.into(),
                service_code: code.into(),
                place_of_service: "11".into(),
                color: color.into(),
                billable: Some("on".into()),
                attendance: attendance.into(),
                max_clients: max.into(),
                // Clients book their own individual sessions in the portal, and ask for an intake.
                portal_booking: match (attendance, code) {
                    ("individual", "90791") => "request",
                    ("individual", _) => "instant",
                    _ => "off",
                }
                .into(),
            };
            let record = new_appointment_type(checked("appointment type", |e| form.validate(e))?, now);
            self.store.insert_appointment_type(practice, &record).await?;
            types.push(record.id);
        }
        let owner = staff.iter().find(|s| s.role == domain::Role::Owner).map(|s| s.user);
        let owner = owner.ok_or_else(|| ServiceError::Internal("no owner".into()))?;
        let clinicians: Vec<UserId> =
            staff.iter().filter(|s| s.disabled_at.is_none() && keeps_a_calendar(s.role)).map(|s| s.user).collect();
        for (n, user) in clinicians.iter().enumerate() {
            // Staggered days: 8–16, 9–17, 10–18; the last one leaves early on Fridays.
            let start = 8 + n % 3;
            let mut form = CalendarForm {
                time_zone: zone.as_str().to_owned(),
                buffer_minutes: "10".into(),
                offers: types.iter().map(ToString::to_string).collect(),
                version: "0".into(),
                ..CalendarForm::default()
            };
            for day in 0..5 {
                form.hours[day] = format!("{start}-{}", start + 8);
                form.breaks[day] = format!("{}-{}", start + 4, start + 5);
            }
            if n + 1 == clinicians.len() {
                form.hours[4] = format!("{start}-{}", start + 4);
                form.breaks[4] = String::new();
            }
            let settings = checked("calendar", |e| form.validate(&types, e))?;
            let record = CalendarRecord { user: *user, settings, version: 0, updated_at: now, updated_by: owner };
            self.store.save_calendar(practice, &record).await?;
        }
        // The first clinician takes two days off next week, in the practice's clock.
        if let Some(user) = clinicians.get(1).or(clinicians.first()) {
            let tz = jiff::tz::TimeZone::get(zone.as_str()).map_err(|e| ServiceError::Internal(e.to_string()))?;
            let today = now.to_zoned(tz.clone()).date();
            let start = today.checked_add(8.days()).map_err(|e| ServiceError::Internal(e.to_string()))?;
            let starts_at = start.to_zoned(tz).map_err(|e| ServiceError::Internal(e.to_string()))?.timestamp();
            let record = TimeOffRecord {
                id: TimeOffId::random(),
                user: *user,
                starts_at,
                ends_at: starts_at + SignedDuration::from_hours(48),
                label: Some("Conference".into()),
                created_at: now,
                created_by: *user,
            };
            self.store.insert_time_off(practice, &record).await?;
        }
        Ok(())
    }
}
