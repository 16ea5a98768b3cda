"""SQLModel tables, one module per domain; importing this package registers them all."""

from app.models.accounts import ApiToken, LoginSession, User
from app.models.calendars import CalendarFeed
from app.models.chat import Message, Reaction, ReadMarker
from app.models.learning import BusinessGoal, Goal, GoalCheckIn, GoalComment, GoalSuggestion, PlanItem
from app.models.lounges import Lounge, LoungeMember, LoungeTag
from app.models.platform import Channel, Notification, OutboxJob
from app.models.schedule import (
    LearningSession,
    Rsvp,
    SessionCohost,
    SessionFeedback,
    SessionResource,
    SessionSeries,
)
from app.models.webhooks import WebhookAttempt, WebhookDelivery, WebhookEndpoint

__all__ = ["ApiToken", "BusinessGoal", "CalendarFeed", "Goal", "GoalCheckIn", "GoalComment", "GoalSuggestion",
    "PlanItem", "Channel", "LearningSession", "LoginSession", "Lounge", "LoungeMember",
    "LoungeTag", "Message", "Notification", "OutboxJob", "Reaction", "ReadMarker", "Rsvp",
    "SessionCohost", "SessionFeedback", "SessionResource", "SessionSeries", "User",
    "WebhookAttempt", "WebhookDelivery", "WebhookEndpoint"]
