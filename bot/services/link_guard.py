"""The duplicate-link guard (issue 24 item 3): has this link an open order already?

Many panels refuse, or lose, a second order on a link that already has an open one. So a preview
(single or bulk) warns when the user has an open order (in flight, placed or of unknown
outcome, and not final) on the same panel account for the same page (`bot.links.link_key`:
scheme, `www.`, trailing slash, tracking parameters and host case do not count) and for the same
service or a service of the same kind; its Confirm then places nothing, only "Order anyway" does.

The kind of a service is its category and its type in the panel's catalog, compared without case
or extra spaces: the category is how a panel groups the services that deliver one thing
("Instagram Likes", several providers and prices), the type how it is ordered (a "Custom
Comments" service in the same category delivers something else). An open order whose service
is no longer in the catalog has no known kind: only the same service id counts for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from bot.links import link_key
from bot.panel.models import Service
from bot.services.catalog_index import CatalogIndex
from bot.storage.models import Order
from bot.storage.orders import OrdersRepo


class Sameness(StrEnum):
    SERVICE = "service"  # the same service
    KIND = "kind"  # another service of the same category and type


@dataclass(frozen=True, slots=True)
class OpenOnLink:
    """The newest open order for the page of a previewed line, and how close its service is."""

    order: Order
    same: Sameness
    # KIND: the open order's service as the catalog has it now (its name may have changed).
    service: Service | None = None


def kind_of(service: Service) -> tuple[str, str]:
    """Category and type, without case or extra spaces."""
    return " ".join(service.category_text.split()).casefold(), " ".join(
        service.type.split()
    ).casefold()


async def open_on_links(
    orders: OrdersRepo,
    user_id: int,
    slot: int,
    catalog: CatalogIndex,
    wanted: Sequence[tuple[Service, str | None]],
) -> list[OpenOnLink | None]:
    """For each (service, link) of a preview on panel account `slot`, its open order or None.

    One indexed query for all of them (`OrdersRepo.open_on_links`); a line without a link
    (subscriptions) has none.
    """
    links = [link for _, link in wanted if link is not None]
    if not links:
        return [None] * len(wanted)
    by_page: dict[str, list[Order]] = {}
    for order in await orders.open_on_links(user_id, slot, links):
        if order.link is not None:
            by_page.setdefault(link_key(order.link), []).append(order)
    return [
        None if link is None else closest(service, by_page.get(link_key(link), ()), catalog)
        for service, link in wanted
    ]


def closest(
    service: Service, open_orders: Sequence[Order], catalog: CatalogIndex
) -> OpenOnLink | None:
    """The newest open order of the same service, else of the same kind, else None."""
    newest_first = open_orders[::-1]
    for order in newest_first:
        if order.service_id == service.id:
            return OpenOnLink(order, Sameness.SERVICE)
    kind = kind_of(service)
    for order in newest_first:
        other = catalog.get(order.service_id)
        if other is not None and kind_of(other) == kind:
            return OpenOnLink(order, Sameness.KIND, other)
    return None
