"""The API's data, as Pydantic models: FastAPI validates requests with them and writes them into the OpenAPI."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Item(BaseModel):
    sku: str = Field(pattern=r"^[A-Z]{3}-[0-9]{3}$", examples=["TEA-001"])
    quantity: int = Field(ge=1, le=100)


class NewOrder(BaseModel):
    customer: str = Field(min_length=1, max_length=40, examples=["ada"])
    items: list[Item] = Field(min_length=1, max_length=20)


class Order(NewOrder):
    id: int
    status: Literal["placed", "cancelled"]
    created_at: str


class OrderPage(BaseModel):
    items: list[Order]
    next: str | None = Field(description="Where the next page is; null on the last page.")


class Problem(BaseModel):
    """An error, as RFC 9457 describes it (media type application/problem+json)."""

    model_config = ConfigDict(extra="allow")
    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
