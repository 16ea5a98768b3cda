"""Business goals for the API: what administrators publish so that personal learning goals can
say which aim of the business they serve."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, ConfigDict, model_validator

from app.schemas.common import StrictModel, Text, omittable

BusinessGoalTitle = Annotated[str, Text(maximum=120, minimum=1, what="a title")]
BusinessGoalDescription = Annotated[str, Text(maximum=2000, multiline=True)]

_EXAMPLE = {"title": "Serve customers in Spanish by 2027",
            "description": "Half of our new customers write to us in Spanish. Every support team "
                           "should have people who can answer them in their language."}


class BusinessGoalCreate(StrictModel):
    title: BusinessGoalTitle
    description: BusinessGoalDescription = ""

    model_config = ConfigDict(json_schema_extra={"examples": [_EXAMPLE]})


class BusinessGoalUpdate(StrictModel):
    # An edit form that empties the description means "no description".
    form_blank_clears: ClassVar[tuple[str, ...]] = ("description",)

    title: BusinessGoalTitle = omittable()
    description: BusinessGoalDescription | None = None

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"title": "Serve customers in Spanish by 2028"}]})


class BusinessGoalPublic(BaseModel):
    """A published business goal; `archived` ones stay readable (goals may still name them) but
    are no longer offered for new goals."""

    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [{
        "id": "bgl_Xq3Lm0aTz9Kp", **_EXAMPLE, "archived": False, "created_at": "2026-09-01T08:30:00Z"}]})

    id: str
    title: str
    description: str
    archived: bool
    created_at: datetime

    @model_validator(mode="before")
    @classmethod
    def _from_row(cls, data: Any) -> Any:
        if hasattr(data, "archived_at"):  # a BusinessGoal row
            return {"id": data.id, "title": data.title, "description": data.description,
                    "archived": data.archived_at is not None, "created_at": data.created_at}
        return data
