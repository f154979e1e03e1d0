from webapp.models.places import Building, Community, Compound, Entrance, QrCode
from webapp.models.reports import Category, Report, ReportEvent, ReportPhoto, ReportStatus

__all__ = [
    "Building", "Category", "Community", "Compound", "Entrance", "QrCode",
    "Report", "ReportEvent", "ReportPhoto", "ReportStatus",
]
