from webapp.models.people import LoginAttempt, Organization, OrgKind, Role, User
from webapp.models.places import Building, Community, Compound, Entrance, QrCode
from webapp.models.reports import (
    OPEN_STATUSES,
    CannedReply,
    Category,
    Milestone,
    Report,
    ReportEvent,
    ReportMilestone,
    ReportPhoto,
    ReportStatus,
    Routing,
    SlaTarget,
)

__all__ = [
    "OPEN_STATUSES", "Building", "CannedReply", "Category", "Community", "Compound", "Entrance",
    "LoginAttempt", "Milestone", "OrgKind", "Organization", "QrCode", "Report", "ReportEvent",
    "ReportMilestone", "ReportPhoto", "ReportStatus", "Role", "Routing", "SlaTarget", "User",
]
