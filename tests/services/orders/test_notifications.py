"""Notifications: other parties' actions reach every user of the organisations concerned, a
rejected counter-offer tells the buyer what happened, and e-mail goes out through SMTP
(a local aiosmtpd server)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from email import message_from_bytes
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from fabnet.domain.orders.states import LotAction, LotState
from fabnet.errors import ConfigurationError
from fabnet.services.orders import CounterOffer, lots
from fabnet.services.platform import notifications
from fabnet.settings import Settings

from .conftest import Dest, Proposal, World, award_proposals, specified_order


def _one_lot(world: World) -> tuple[str, str]:
    order_id = specified_order(world, quantity=100)
    [lot_id] = award_proposals(world, order_id, [
        Proposal("fac-0", 100, 4.76, destinations=(Dest("delivery_point", "knh", 100),)),
    ])  # fmt: skip
    return order_id, lot_id


def test_other_parties_actions_are_notified_not_ones_own(world: World) -> None:
    db = world.db
    _, lot_id = _one_lot(world)
    [invite] = notifications.list_notifications(db, world.makers[0])
    assert invite.event_type == "lot.invite" and "4.76 EUR per unit" in invite.message
    assert notifications.list_notifications(db, world.makers[1]) == []
    lots.accept_lot(db, world.makers[0], lot_id)
    buyer_news = notifications.list_notifications(db, world.buyer)
    assert any(n.object_id == lot_id and "accept" in n.message for n in buyer_news)
    assert [n.event_type for n in notifications.list_notifications(db, world.makers[0])] == [
        "lot.invite"
    ]  # the maker's own acceptance is not news to the maker
    unread = notifications.unread_count(db, world.buyer)
    assert unread >= 1
    assert notifications.mark_read(db, world.buyer) == unread
    assert notifications.unread_count(db, world.buyer) == 0
    assert notifications.list_notifications(db, world.stranger) == []


def test_a_rejected_counter_offer_tells_the_buyer_what_happened_and_why(world: World) -> None:
    db = world.db
    _, lot_id = _one_lot(world)
    lots.counter_offer_lot(db, world.makers[0], lot_id, CounterOffer(unit_price_minor=600))
    rejected = lots.act_on_lot(db, world.buyer, lot_id, LotAction.REJECT_COUNTER_OFFER,
                               reason="over our budget")  # fmt: skip
    assert rejected.state is LotState.DECLINED
    maker_news = notifications.list_notifications(db, world.makers[0])
    assert any("over our budget" in n.message for n in maker_news)
    buyer_news = [n.message for n in notifications.list_notifications(db, world.buyer)]
    assert any("100 units are open" in m and "plan the order again" in m for m in buyer_news)


class _Sink:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def smtp_server() -> Iterator[tuple[_Sink, int]]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    sink = _Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield sink, port
    finally:
        controller.stop()


def test_notifications_are_emailed_once_through_smtp(
    world: World, smtp_server: tuple[_Sink, int]
) -> None:
    db = world.db
    sink, port = smtp_server
    _, lot_id = _one_lot(world)
    lots.accept_lot(db, world.makers[0], lot_id)
    with pytest.raises(ConfigurationError, match="SMTP"):
        notifications.send_pending_emails(db, settings=Settings(smtp_host=None))
    settings = Settings(smtp_host="127.0.0.1", smtp_port=port, smtp_from="orders@fabnet.test")
    sent = notifications.send_pending_emails(db, settings=settings)
    assert sent == len(sink.messages) >= 2
    to = {m["To"] for m in sink.messages}
    assert {"buyer.hospital@example.org", "maker.0@example.org"} <= to
    invite = next(m for m in sink.messages if m["To"] == "maker.0@example.org")
    assert invite["From"] == "orders@fabnet.test" and "lot invite" in invite["Subject"]
    assert "4.76 EUR per unit" in invite.get_payload()
    assert notifications.send_pending_emails(db, settings=settings) == 0
    assert all(n.emailed_at for n in notifications.list_notifications(db, world.buyer))


def test_housekeeping_emails_pending_notifications_when_smtp_is_set(
    world: World, smtp_server: tuple[_Sink, int]
) -> None:
    from fabnet.jobs.housekeeping import housekeeping
    from fabnet.outbox.registry import JobContext
    from fabnet.storage.base import utc_now

    db = world.db
    sink, port = smtp_server
    _one_lot(world)

    def run(settings: Settings) -> dict[str, Any]:
        context = JobContext(db=db, settings=settings, job_id="hk-test", attempt=1,
                             max_attempts=3, now=utc_now())  # fmt: skip
        return housekeeping(context, {"interval_seconds": 3600})

    assert run(Settings(smtp_host=None))["emailed_notifications"] is None  # no server: no mail
    assert sink.messages == []
    settings = Settings(smtp_host="127.0.0.1", smtp_port=port, smtp_from="orders@fabnet.test")
    result = run(settings)
    assert result["emailed_notifications"] == len(sink.messages) >= 1
    assert result["email_error"] is None
    assert {m["To"] for m in sink.messages} == {"maker.0@example.org"}
    assert run(settings)["emailed_notifications"] == 0  # each notification is mailed once
    # a server that refuses connections is reported by the round, which does not fail
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = s.getsockname()[1]
    lots.accept_lot(db, world.makers[0], notifications.list_notifications(
        db, world.makers[0])[0].object_id)  # fmt: skip
    down = run(Settings(smtp_host="127.0.0.1", smtp_port=dead, smtp_from="orders@fabnet.test"))
    assert down["emailed_notifications"] is None and "SMTP server" in (down["email_error"] or "")
