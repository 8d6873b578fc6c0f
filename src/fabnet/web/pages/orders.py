"""Orders: the list of the organisation's orders and an order's page (its state and lots)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from fabnet.web import services
from fabnet.web.deps import CurrentUser, Db
from fabnet.web.render import render

router = APIRouter()


@router.get("/orders")
def order_list(request: Request, user: CurrentUser, db: Db, cursor: str | None = None) -> Response:
    page = services.list_orders(db, user.principal, limit=50, cursor=cursor)
    return render(
        request, "orders/list.html", {"orders": page.items, "next_cursor": page.next_cursor},
        title="Orders",
    )  # fmt: skip


@router.get("/orders/{order_id}")
def order_page(request: Request, order_id: str, user: CurrentUser, db: Db) -> Response:
    # Another organisation's order is not found (the service decides; the page says 404).
    order = services.get_order(db, user.principal, order_id)
    lots = services.list_lots(db, user.principal, order.id)
    return render(request, "orders/page.html", {"order": order, "lots": lots}, title=order.name)
