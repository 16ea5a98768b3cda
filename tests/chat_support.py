"""Helpers the chat tests share: a lounge made through the API with the given members."""

from __future__ import annotations

from tests.conftest import Account


async def lounge_with(owner: Account, *members: Account, visibility: str = "private",
                      name: str = "Rust readers") -> dict:
    """A lounge hosted by `owner` with `members` invited; returns its JSON (with `channel_id`)."""
    response = await owner.client.post("/api/v1/lounges", headers=owner.csrf,
                                       json={"name": name, "visibility": visibility})
    assert response.status_code == 201, response.text
    lounge = response.json()
    for member in members:
        invited = await owner.client.post(f"/api/v1/lounges/{lounge['id']}/invites", headers=owner.csrf,
                                          json={"user_id": member.id})
        assert invited.status_code == 201, invited.text
    return lounge
