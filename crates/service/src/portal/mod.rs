//! The client portal (SC-8): clients, and minors' guardians, as a second kind of user. They
//! hold a [`PortalActor`], never an [`Actor`](crate::Actor): no staff use case takes one, and
//! every portal use case reads only the actor's own client. Their accounts, links and sessions
//! are their own; the practice sets their idle limit apart from staff's.

mod accounts;
mod attachments;
mod billing;
mod booking;
mod family;
mod home;
mod messages;
mod passkeys;
mod questionnaires;
mod record;
mod second_factor;
mod sign_in;

use domain::portal::Holder;
use domain::{ClientId, Phi, PortalAccountId, PracticeId};
use jiff::SignedDuration;

pub(crate) use accounts::LOGIN_INDEX;
pub use accounts::{HandOver, PortalAccount, PortalInvited};
pub use attachments::AttachmentView;
pub use billing::PortalBilling;
pub use booking::{BookableType, Booked, CancelTerms, Opening};
pub use family::FamilyMember;
pub use home::{AccessEntry, AccessReport, PortalHome, PortalVisit, ReminderChoices};
pub use messages::{Conversation, Message, Thread, WaitingThread};
pub use passkeys::PortalPasskey;
pub use questionnaires::{Questionnaire, QuestionnaireAnswered};
pub(crate) use record::{NoteText, RECORD_CATEGORIES, Record, record_resources};
pub use record::{RecordFile, RecordFormat};
pub use second_factor::PortalApp;
pub use sign_in::{PortalLinkOffer, PortalSignIn};

/// A client or guardian signed in to the portal. Only the service makes one, from a live portal
/// session, so holding one proves who it is and whose record it may see: `client`'s, only.
#[derive(Debug, Clone)]
pub struct PortalActor {
    account: PortalAccountId,
    practice: PracticeId,
    client: ClientId,
    holder: Holder,
    name: Phi<String>,
    /// The session acted through, by an id that reveals nothing of its secret.
    session: String,
    idle_timeout: SignedDuration,
}

impl PortalActor {
    pub fn account(&self) -> PortalAccountId {
        self.account
    }

    pub fn practice(&self) -> PracticeId {
        self.practice
    }

    pub fn client(&self) -> ClientId {
        self.client
    }

    pub fn holder(&self) -> Holder {
        self.holder
    }

    /// The name the portal greets its holder by.
    pub fn name(&self) -> &Phi<String> {
        &self.name
    }

    /// How long this session may stay unused before it ends (the page warns before).
    pub fn idle_timeout(&self) -> SignedDuration {
        self.idle_timeout
    }

    pub(crate) fn session(&self) -> &str {
        &self.session
    }
}
