"""Licensor permissions: a buyer asks the licensor of a non-commercial design for permission to
have it made for a paid order; the licensor grants it (the order holds the permission and the
design can be awarded) or refuses it with a reason (the buyer reads it); both are audited and
notified, a request is answered once. The licensor sees its designs, their obligations and the
orders using them; other organisations see none of it. Both backends (the ``db`` fixture)."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass

import pytest

from fabnet.domain.design import Design, Part
from fabnet.domain.identity import OrgKind, Principal, Scope
from fabnet.domain.orders.licensing import ObligationCode
from fabnet.domain.orders.states import OrderAction, OrderState
from fabnet.errors import ConflictError, InputError, NotFoundError, PermissionDeniedError
from fabnet.services.catalogue import licensors
from fabnet.services.identity.accounts import create_organisation, create_user
from fabnet.services.orders import permissions
from fabnet.services.orders.audit import object_history, verify_audit_chain
from fabnet.services.orders.orders import act_on_order, award_lots, create_order, get_order
from fabnet.services.platform import notifications
from fabnet.services.platform.webhooks import create_subscription, list_deliveries
from fabnet.standards.order_file import OrderSpec
from fabnet.storage.designs import DesignRepository

from .conftest import Proposal, World, terms, to_point

NC_DESIGN = "design-nc-splint"


@dataclass
class Licensing:
    licensor: Principal
    rival: Principal
    order_id: str


def _designer(world: World, name: str) -> Principal:
    org = create_organisation(world.db, name, OrgKind.DESIGNER, actor=None)
    user = create_user(world.db, f"{name.split()[0].lower()}@design.org", org.id, actor=None)
    return Principal(user_id=user.id, org_id=org.id, org_kind=OrgKind.DESIGNER,
                     scopes=frozenset({Scope.WRITE}))  # fmt: skip


def _nc_order(world: World, quantity: int = 40) -> str:
    spec = OrderSpec.model_validate(
        {
            "name": "Splints for Kisumu",
            "order_date": "2027-01-04",
            "currency": "EUR",
            "products": [{"design": NC_DESIGN, "key": "headband"}],
            "delivery_points": [
                {"id": "knh", "place": "Nairobi, KE", "due": "2027-02-15",
                 "demand": {"headband": quantity}}
            ],
        }
    )  # fmt: skip
    order = create_order(world.db, world.buyer, spec, terms=terms())
    act_on_order(world.db, world.buyer, order.id, OrderAction.SPECIFY)
    return order.id


@pytest.fixture
def licensing(world: World) -> Licensing:
    with world.db.transaction() as session:
        DesignRepository(session).add_or_replace(
            Design(id=NC_DESIGN, name="NC splint", license="CC-BY-NC-SA-4.0",
                   licensor=("Open Splints",), parts=(Part(id="headband", name="Headband"),))
        )  # fmt: skip
    licensor = _designer(world, "Open Splints")
    rival = _designer(world, "Rival Designs")
    licensors.link_design_licensor(world.db, None, NC_DESIGN, licensor.org_id)
    return Licensing(licensor=licensor, rival=rival, order_id=_nc_order(world))


def _award(world: World, order_id: str) -> None:
    act_on_order(world.db, world.buyer, order_id, OrderAction.START_SOURCING)
    lot = Proposal("fac-0", 40, 2.0, design_id=NC_DESIGN, destinations=to_point(40))
    award_lots(world.db, world.buyer, order_id, [lot.proposed_lot()])


def test_a_granted_request_records_the_permission_and_the_design_can_be_awarded(
    world: World, licensing: Licensing
) -> None:
    db, order_id = world.db, licensing.order_id
    [need] = permissions.order_permissions(db, world.buyer, order_id)
    assert need.licence.needs_permission and not need.licence.allowed
    assert need.can_request and need.licensor_org_id == licensing.licensor.org_id
    # without the permission the award is refused
    act_on_order(db, world.buyer, order_id, OrderAction.START_SOURCING)
    lot = Proposal("fac-0", 40, 2.0, design_id=NC_DESIGN, destinations=to_point(40))
    with pytest.raises(InputError, match="permission"):
        award_lots(db, world.buyer, order_id, [lot.proposed_lot()])

    asked = permissions.request_permission(
        db, world.buyer, order_id, NC_DESIGN, message="for a hospital, at cost"
    )
    assert asked.status == "pending" and asked.licensor_org_name == "Open Splints"
    [told] = notifications.list_notifications(db, licensing.licensor)
    assert told.event_type == "order.permission_request" and "at cost" in told.message
    with pytest.raises(ConflictError):  # one request waits already
        permissions.request_permission(db, world.buyer, order_id, NC_DESIGN)
    [pending] = permissions.permission_requests(db, licensing.licensor, status="pending")
    assert pending.id == asked.id

    granted = permissions.grant_permission(
        db, licensing.licensor, asked.id, store=world.store, note="granted for this order"
    )
    assert granted.status == "granted" and granted.evidence_sha256
    order = get_order(db, world.buyer, order_id)
    assert order.terms.licensor_permission is not None
    assert order.terms.licensor_permission.evidence_sha256 == granted.evidence_sha256
    document = json.loads(world.store.read_bytes(granted.evidence_sha256))
    assert document["design"]["id"] == NC_DESIGN and document["order"]["id"] == order_id
    assert document["note"] == "granted for this order"
    buyer_news = [n.event_type for n in notifications.list_notifications(db, world.buyer)]
    assert "order.permission_grant" in buyer_news
    with pytest.raises(ConflictError):  # answered once
        permissions.refuse_permission(db, licensing.licensor, asked.id, reason="changed my mind")

    award_lots(db, world.buyer, order_id, [lot.proposed_lot()])  # now allowed
    assert get_order(db, world.buyer, order_id).state is OrderState.ALLOCATED
    events = [e.event_type for e in object_history(db, [order_id])]
    assert events.index("order.permission_request") < events.index("order.permission_grant")
    assert "order.licensor_permission" in events
    assert verify_audit_chain(db).ok


def test_a_refusal_is_shown_to_the_buyer_with_its_reason_and_refusing_twice_is_a_conflict(
    world: World, licensing: Licensing
) -> None:
    db, order_id = world.db, licensing.order_id
    asked = permissions.request_permission(db, world.buyer, order_id, NC_DESIGN)
    with pytest.raises(InputError) as no_reason:
        permissions.refuse_permission(db, licensing.licensor, asked.id, reason="  ")
    assert no_reason.value.field == "reason"
    refused = permissions.refuse_permission(
        db, licensing.licensor, asked.id, reason="no commercial use of the NC edition"
    )
    assert refused.status == "refused"
    with pytest.raises(ConflictError):
        permissions.refuse_permission(db, licensing.licensor, asked.id, reason="again")
    with pytest.raises(ConflictError):
        permissions.grant_permission(db, licensing.licensor, asked.id, store=world.store)
    assert get_order(db, world.buyer, order_id).terms.licensor_permission is None
    [need] = permissions.order_permissions(db, world.buyer, order_id)
    assert need.requests[0].response_note == "no commercial use of the NC edition"
    assert need.can_request  # the buyer may ask again
    [news] = [n for n in notifications.list_notifications(db, world.buyer)
              if n.event_type == "order.permission_refuse"]  # fmt: skip
    assert "no commercial use of the NC edition" in news.message
    [event] = [e for e in object_history(db, [order_id])
               if e.event_type == "order.permission_refuse"]  # fmt: skip
    assert event.reason == "no commercial use of the NC edition"


def test_only_the_designs_licensor_answers_and_others_do_not_see_the_request(
    world: World, licensing: Licensing
) -> None:
    db, order_id = world.db, licensing.order_id
    asked = permissions.request_permission(db, world.buyer, order_id, NC_DESIGN)
    for outsider in (licensing.rival, world.stranger, world.makers[0]):
        with pytest.raises(NotFoundError):
            permissions.get_permission_request(db, outsider, asked.id)
        with pytest.raises(NotFoundError):
            permissions.grant_permission(db, outsider, asked.id, store=world.store)
        assert permissions.permission_requests(db, outsider) == []
    with pytest.raises(NotFoundError):
        permissions.order_permissions(db, licensing.rival, order_id)
    with pytest.raises(PermissionDeniedError):  # the buyer sees it but does not answer it
        permissions.grant_permission(db, world.buyer, asked.id, store=world.store)
    with pytest.raises(NotFoundError):  # nor does a stranger ask on the buyer's order
        permissions.request_permission(db, world.stranger, order_id, NC_DESIGN)
    assert permissions.licensed_orders(db, licensing.rival) == []
    assert permissions.licensed_designs(db, licensing.rival) == []


def test_the_licensor_sees_its_designs_obligations_and_the_orders_using_them(
    world: World, licensing: Licensing
) -> None:
    db = world.db
    licensors.link_design_licensor(db, None, "design-face-shield", licensing.licensor.org_id)
    designs = {d.design_id: d for d in permissions.licensed_designs(db, licensing.licensor)}
    assert set(designs) == {NC_DESIGN, "design-face-shield"}
    shield = designs["design-face-shield"]  # CERN-OHL-S-2.0: notices, source, marking
    assert shield.allowed and {ObligationCode.SOURCE_DISCLOSURE,
                               ObligationCode.PRODUCT_MARKING} <= {o.code for o in
                                                                   shield.obligations}  # fmt: skip
    nc = designs[NC_DESIGN]
    assert nc.needs_permission
    assert ObligationCode.ATTRIBUTION in {o.code for o in nc.obligations}
    [use] = permissions.licensed_orders(db, licensing.licensor)
    assert use.order_id == licensing.order_id and use.units == 40
    assert use.buyer_org_name == "Buyer Hospital" and use.design_ids == (NC_DESIGN,)


def test_requests_that_cannot_help_are_refused_naming_the_design(
    world: World, licensing: Licensing
) -> None:
    db = world.db
    with pytest.raises(InputError) as not_in_order:
        permissions.request_permission(db, world.buyer, licensing.order_id, "design-face-shield")
    assert not_in_order.value.field == "design_id"
    licensors.unlink_design_licensor(db, None, NC_DESIGN)
    with pytest.raises(InputError, match="no organisation on the platform licenses"):
        permissions.request_permission(db, world.buyer, licensing.order_id, NC_DESIGN)
    with pytest.raises(InputError) as not_designer:
        licensors.link_design_licensor(db, None, NC_DESIGN, world.buyer.org_id)
    assert not_designer.value.field == "org_id"
    with pytest.raises(PermissionDeniedError):
        licensors.link_design_licensor(db, world.buyer, NC_DESIGN, licensing.licensor.org_id)


def test_racing_answers_decide_the_request_once(world: World, licensing: Licensing) -> None:
    """Grants and refusals sent at once: exactly one wins (the storage's compare-and-set on
    the pending status), the others are told 409; one decision event, the chain verifies."""
    db = world.db
    asked = permissions.request_permission(db, world.buyer, licensing.order_id, NC_DESIGN)
    barrier = threading.Barrier(6)
    outcomes: list[str] = []
    guard = threading.Lock()

    def answer(grant: bool) -> None:
        barrier.wait()
        try:
            if grant:
                permissions.grant_permission(db, licensing.licensor, asked.id, store=world.store)
            else:
                permissions.refuse_permission(db, licensing.licensor, asked.id, reason="no")
            outcome = "won"
        except ConflictError:
            outcome = "conflict"
        except Exception as exc:  # a lock error or a second decision here is the defect
            outcome = f"error {type(exc).__name__}: {exc}"
        with guard:
            outcomes.append(outcome)

    threads = [threading.Thread(target=answer, args=(i % 2 == 0,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict"] * 5 + ["won"], outcomes
    decided = permissions.get_permission_request(db, None, asked.id)
    events = [e.event_type for e in object_history(db, [licensing.order_id])]
    assert sum(e in ("order.permission_grant", "order.permission_refuse") for e in events) == 1
    assert (get_order(db, world.buyer, licensing.order_id).terms.licensor_permission is not None) \
        is (decided.status == "granted")  # fmt: skip
    assert verify_audit_chain(db).ok


def test_an_order_with_two_licensors_holds_the_permission_once_both_granted(
    world: World, licensing: Licensing
) -> None:
    db = world.db
    with db.transaction() as session:
        DesignRepository(session).add_or_replace(
            Design(id="design-nc-visor", name="NC visor", license="CC-BY-NC-4.0",
                   licensor=("Rival Designs",), parts=(Part(id="visor", name="Visor"),))
        )  # fmt: skip
    licensors.link_design_licensor(db, None, "design-nc-visor", licensing.rival.org_id)
    spec = OrderSpec.model_validate(
        {
            "name": "Splints and visors", "order_date": "2027-01-04", "currency": "EUR",
            "products": [{"design": NC_DESIGN, "key": "headband"},
                         {"design": "design-nc-visor", "key": "visor"}],
            "delivery_points": [{"id": "knh", "place": "Nairobi, KE", "due": "2027-02-15",
                                 "demand": {"headband": 10, "visor": 10}}],
        }
    )  # fmt: skip
    order_id = create_order(db, world.buyer, spec, terms=terms()).id
    first = permissions.request_permission(db, world.buyer, order_id, NC_DESIGN)
    second = permissions.request_permission(db, world.buyer, order_id, "design-nc-visor")
    assert {first.licensor_org_id, second.licensor_org_id} == {
        licensing.licensor.org_id, licensing.rival.org_id}  # fmt: skip
    with pytest.raises(NotFoundError):  # each licensor answers its own design's request only
        permissions.grant_permission(db, licensing.rival, first.id, store=world.store)
    permissions.grant_permission(db, licensing.licensor, first.id, store=world.store)
    # one licensor's grant does not make the other design awardable
    assert get_order(db, world.buyer, order_id).terms.licensor_permission is None
    permissions.grant_permission(db, licensing.rival, second.id, store=world.store)
    held = get_order(db, world.buyer, order_id).terms.licensor_permission
    assert held is not None
    assert held.evidence_sha256 == permissions.get_permission_request(db, None, second.id) \
        .evidence_sha256  # fmt: skip


def test_the_other_sides_webhooks_hear_of_the_request_and_its_answer(
    world: World, licensing: Licensing
) -> None:
    db = world.db
    url = "http://127.0.0.1:9/hooks"  # nothing listens: deliveries are recorded and retried
    to_licensor = create_subscription(db, licensing.licensor.org_id, url, ["order.*"],
                                      actor=None).subscription.id  # fmt: skip
    to_buyer = create_subscription(db, world.buyer.org_id, url, ["order.*"],
                                   actor=None).subscription.id  # fmt: skip
    to_rival = create_subscription(db, licensing.rival.org_id, url, ["*"],
                                   actor=None).subscription.id  # fmt: skip
    asked = permissions.request_permission(db, world.buyer, licensing.order_id, NC_DESIGN)
    permissions.refuse_permission(db, licensing.licensor, asked.id, reason="no")

    def types(subscription_id: str) -> list[str]:
        return [d.event_type for d in list_deliveries(db, subscription_id, actor=None)]

    assert types(to_licensor) == ["order.permission_request"]
    assert types(to_buyer) == ["order.permission_refuse"]
    assert types(to_rival) == []


def test_the_refused_award_says_how_to_ask_for_the_permission(
    world: World, licensing: Licensing
) -> None:
    act_on_order(world.db, world.buyer, licensing.order_id, OrderAction.START_SOURCING)
    lot = Proposal("fac-0", 40, 2.0, design_id=NC_DESIGN, destinations=to_point(40))
    with pytest.raises(InputError) as refused:
        award_lots(world.db, world.buyer, licensing.order_id, [lot.proposed_lot()])
    assert refused.value.hint is not None and "permission-requests" in refused.value.hint
