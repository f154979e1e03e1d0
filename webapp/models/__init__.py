from webapp.models.attendance import AttendanceEvent, AttendanceKind, CareVisit, CareVisitPlan
from webapp.models.bookings import (
    Booking,
    BookingStatus,
    CareCard,
    ServiceCategory,
    ServiceType,
    Slot,
    VolunteerShift,
)
from webapp.models.consultations import (
    Ballot,
    BallotSlip,
    Consultation,
    ConsultationEvent,
    ConsultationHousehold,
    ConsultationOption,
    ConsultationPhoto,
    ConsultationStatus,
    Household,
    Outcome,
)
from webapp.models.first_run import FirstRunLink
from webapp.models.followers import ReportFollower
from webapp.models.notify import (
    Channel,
    Notification,
    NotificationPreference,
    OutboxMessage,
    OutboxStatus,
    PeriodicRun,
)
from webapp.models.open311 import ApiKey, Open311Request
from webapp.models.people import (
    COMMUNITY_ROLES,
    Company,
    LoginAttempt,
    Organization,
    OrgKind,
    Role,
    User,
)
from webapp.models.places import (
    Building,
    Community,
    Compound,
    District,
    Entrance,
    QrCode,
    Street,
)
from webapp.models.points import (
    Account,
    AccountKind,
    Entry,
    Redemption,
    RedemptionStatus,
    Reward,
    Transfer,
)
from webapp.models.push import PushSubscription
from webapp.models.questions import LIST_TYPES, CategoryQuestion, Datatype, ReportAnswer
from webapp.models.reports import (
    FINISHED_STATUSES,
    OPEN_STATUSES,
    STAFF_CHANNELS,
    CannedReply,
    Category,
    CategorySetting,
    Milestone,
    Report,
    ReportChannel,
    ReportEvent,
    ReportMilestone,
    ReportPhoto,
    ReportStatus,
    Routing,
    SlaTarget,
    WorkingDayOverride,
)
from webapp.models.rollup import ReportRollup
from webapp.models.routing import CompoundRoute
from webapp.models.search import ReportSearch
from webapp.models.waitlist import WaitlistEntry, WaitlistStatus

__all__ = [
    "LIST_TYPES", "ApiKey", "CategoryQuestion", "Datatype", "Open311Request", "ReportAnswer",
    "Account", "AccountKind", "Booking", "BookingStatus", "CareCard", "Entry", "Redemption",
    "RedemptionStatus", "Reward", "ServiceCategory", "ServiceType", "Slot", "Transfer",
    "VolunteerShift", "WaitlistEntry", "WaitlistStatus",
    "FINISHED_STATUSES", "OPEN_STATUSES",
    "Building", "CannedReply", "Category", "Community", "Compound", "Entrance",
    "LoginAttempt", "Milestone", "OrgKind", "Organization", "QrCode", "Report", "ReportEvent",
    "ReportChannel", "ReportMilestone", "ReportPhoto", "ReportStatus", "STAFF_CHANNELS",
    "Role", "Routing", "SlaTarget", "User",
    "CategorySetting", "WorkingDayOverride",
    "Channel", "Notification", "NotificationPreference", "OutboxMessage", "OutboxStatus",
    "PeriodicRun", "PushSubscription",
    "ReportFollower", "ReportSearch",
    "Company", "District", "Street",
    "CompoundRoute", "FirstRunLink",
    "ReportRollup", "COMMUNITY_ROLES",
    "Ballot", "BallotSlip", "Consultation", "ConsultationEvent", "ConsultationHousehold",
    "ConsultationOption", "ConsultationPhoto", "ConsultationStatus", "Household", "Outcome",
    "AttendanceEvent", "AttendanceKind", "CareVisit", "CareVisitPlan",
]

from webapp.extensions import db  # noqa: E402
from webapp.models.text import guard_text_columns  # noqa: E402

guard_text_columns(db.Model)
