"""SQLModel tables, one module per domain; importing this package registers them all."""

from app.models.accounts import ApiToken, LoginSession, User
from app.models.platform import Channel, Notification, OutboxJob

__all__ = ["ApiToken", "Channel", "LoginSession", "Notification", "OutboxJob", "User"]
