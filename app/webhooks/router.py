"""HTTP routes for webhook endpoints and their delivery log."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response, status

from app.db import DbSession
from app.errors import problem_responses
from app.kit.pagination import Page, PageQuery
from app.security import CurrentPrincipal
from app.webhooks.models import WebhookEndpoint
from app.webhooks.schemas import (
    RedeliveryQueued,
    WebhookCreate,
    WebhookDeliveryRead,
    WebhookRead,
    WebhookUpdate,
    WebhookWithSecret,
)
from app.webhooks.service import WebhookService, webhook_read, with_secret

router = APIRouter(prefix="/webhooks", tags=["webhooks"])


async def _service(request: Request, session: DbSession) -> WebhookService:
    return WebhookService(session, request.app.state.settings)


Service = Annotated[WebhookService, Depends(_service)]


async def _endpoint(
    webhook_id: uuid.UUID, service: Service, principal: CurrentPrincipal
) -> WebhookEndpoint:
    return await service.get(principal, webhook_id)


Endpoint = Annotated[WebhookEndpoint, Depends(_endpoint)]


def _example(status_code: int, model: type[Any]) -> dict[int | str, dict[str, Any]]:
    example = model.model_config["json_schema_extra"]["examples"][0]
    return {status_code: {"content": {"application/json": {"example": example}}}}


def _page_example(model: type[Any]) -> dict[int | str, dict[str, Any]]:
    example = model.model_config["json_schema_extra"]["examples"][0]
    return {
        200: {
            "content": {"application/json": {"example": {"items": [example], "next_cursor": None}}}
        }
    }


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=WebhookWithSecret,
    operation_id="create_webhook",
    summary="Register a webhook endpoint",
    responses=problem_responses(401, 403, 404, 422, extra=_example(201, WebhookWithSecret)),
)
async def create_webhook(
    data: WebhookCreate, service: Service, principal: CurrentPrincipal
) -> WebhookWithSecret:
    """Register a URL to receive signed events (Standard Webhooks). Administrators may
    listen to every series; organisers must name a series they organise (`series_id`).

    The answer carries the signing secret, **shown only this once**. A URL whose host
    resolves to a loopback, private, link-local or otherwise non-public address is refused
    (422 naming `url`)."""
    return with_secret(*await service.register_endpoint(principal, data))


@router.get(
    "",
    response_model=Page[WebhookRead],
    operation_id="list_webhooks",
    summary="List webhook endpoints",
    responses=problem_responses(401, 422, extra=_page_example(WebhookRead)),
)
async def list_webhooks(
    service: Service, principal: CurrentPrincipal, page: PageQuery
) -> Page[WebhookRead]:
    """The caller's endpoints (administrators: every endpoint), oldest first."""
    rows, cursor = await service.list_endpoints(principal, page)
    return Page(items=[webhook_read(e) for e in rows], next_cursor=cursor)


@router.get(
    "/{webhook_id}",
    response_model=WebhookRead,
    operation_id="get_webhook",
    summary="Get a webhook endpoint",
    responses=problem_responses(401, 404, 422, extra=_example(200, WebhookRead)),
)
async def get_webhook(endpoint: Endpoint) -> WebhookRead:
    """One endpoint, without its secret; another user's endpoint answers 404."""
    return webhook_read(endpoint)


@router.patch(
    "/{webhook_id}",
    response_model=WebhookRead,
    operation_id="update_webhook",
    summary="Update a webhook endpoint",
    responses=problem_responses(401, 404, 422, extra=_example(200, WebhookRead)),
)
async def update_webhook(data: WebhookUpdate, endpoint: Endpoint, service: Service) -> WebhookRead:
    """Change the URL, the events or whether the endpoint is active; `active: true`
    re-enables an endpoint disabled after failures."""
    return webhook_read(await service.update_endpoint(endpoint, data))


@router.delete(
    "/{webhook_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    operation_id="delete_webhook",
    summary="Delete a webhook endpoint",
    responses=problem_responses(401, 404, 422),
)
async def delete_webhook(endpoint: Endpoint, service: Service) -> Response:
    """Delete an endpoint and its delivery log; queued messages for it are not sent."""
    await service.delete_endpoint(endpoint)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/{webhook_id}/rotate-secret",
    response_model=WebhookWithSecret,
    operation_id="rotate_webhook_secret",
    summary="Rotate a webhook endpoint's secret",
    responses=problem_responses(401, 404, 422, extra=_example(200, WebhookWithSecret)),
)
async def rotate_webhook_secret(endpoint: Endpoint, service: Service) -> WebhookWithSecret:
    """Replace the signing secret at once; the answer shows the new one, only this once."""
    return with_secret(*await service.rotate_secret(endpoint))


@router.get(
    "/{webhook_id}/deliveries",
    response_model=Page[WebhookDeliveryRead],
    operation_id="list_webhook_deliveries",
    summary="List an endpoint's delivery attempts",
    responses=problem_responses(401, 404, 422, extra=_page_example(WebhookDeliveryRead)),
)
async def list_webhook_deliveries(
    endpoint: Endpoint, service: Service, page: PageQuery
) -> Page[WebhookDeliveryRead]:
    """Every delivery attempt to the endpoint, oldest first: attempt number, the receiver's
    status code, duration and error."""
    items, cursor = await service.deliveries(endpoint, page)
    return Page(items=items, next_cursor=cursor)


@router.post(
    "/{webhook_id}/deliveries/{delivery_id}/redeliver",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=RedeliveryQueued,
    operation_id="redeliver_webhook_message",
    summary="Send a delivered message again",
    responses=problem_responses(401, 404, 409, 422, extra=_example(202, RedeliveryQueued)),
)
async def redeliver_webhook_message(
    delivery_id: uuid.UUID, endpoint: Endpoint, service: Service
) -> RedeliveryQueued:
    """Queue the message of this delivery again, with the same `webhook-id` (so a receiver
    that already processed it can recognise it). 409 when the endpoint is disabled."""
    return await service.redeliver(endpoint, delivery_id)
