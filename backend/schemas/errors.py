"""The one shape of every error answer."""

from __future__ import annotations

from pydantic import BaseModel, Field


class ErrorBody(BaseModel):
    """A refusal: a machine code, a sentence for the user, and the field it concerns."""

    code: str = Field(examples=["price_not_tick_multiple"])
    message: str = Field(examples=["price 150.0005 is not a multiple of the tick 0.001"])
    field: str | None = Field(default=None, examples=["price"])
