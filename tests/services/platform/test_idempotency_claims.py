"""Idempotency claims carry a lease (issue 15 item 6): a claim whose holder died stops blocking
its key once the lease runs out, and a holder that lost its claim cannot store a response, so of
two attempts at most one change commits. And a held transaction commits a service's change and
the stored response together, or neither. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from fabnet.domain.identity import OrgKind
from fabnet.errors import ConflictError
from fabnet.services.identity import accounts as identity
from fabnet.services.platform import idempotency
from fabnet.settings import Settings
from fabnet.storage.db import Database
from fabnet.storage.identity import OrganisationRow

REQUEST = {"method": "POST", "path": "/v1/orders", "fingerprint": "f" * 64}
RESPONSE = idempotency.StoredResponse(201, [["content-type", "application/json"]], b'{"id": 1}')


def _user(db: Database) -> str:
    org = identity.create_organisation(db, "Clinic", OrgKind.BUYER, actor=None)
    settings = Settings(secret_key="claims-test")
    return identity.create_user(
        db, "buyer@clinic.example", org.id, actor=None, settings=settings
    ).id


def test_a_live_claim_blocks_and_an_expired_one_is_taken_over(db: Database) -> None:
    user = _user(db)
    first = idempotency.begin(db, user, "k1", **REQUEST, lease=timedelta(hours=1))
    assert isinstance(first, idempotency.Claim)
    with pytest.raises(ConflictError, match="still being processed"):
        idempotency.begin(db, user, "k1", **REQUEST)

    dead = idempotency.begin(db, user, "k2", **REQUEST, lease=timedelta(0))  # lease ran out
    assert isinstance(dead, idempotency.Claim)
    retry = idempotency.begin(db, user, "k2", **REQUEST)
    assert isinstance(retry, idempotency.Claim) and retry.token != dead.token
    with pytest.raises(ConflictError, match="took it over"):
        idempotency.complete(db, dead, RESPONSE)  # the old holder cannot store its outcome
    assert not idempotency.renew(db, dead)
    idempotency.complete(db, retry, RESPONSE)
    assert idempotency.begin(db, user, "k2", **REQUEST) == RESPONSE


def test_the_change_and_the_response_commit_together_or_not_at_all(db: Database) -> None:
    user = _user(db)
    claim = idempotency.begin(db, user, "k3", **REQUEST)
    assert isinstance(claim, idempotency.Claim)
    with db.held_transaction():  # ends without commit: as a process dying before it
        identity.create_organisation(db, "Never", OrgKind.BUYER, actor=None)
        idempotency.complete(db, claim, RESPONSE)
    with db.read() as session:
        assert session.query(OrganisationRow).filter_by(name="Never").count() == 0
    with pytest.raises(ConflictError, match="still being processed"):
        idempotency.begin(db, user, "k3", **REQUEST)  # not completed: the claim still holds

    claim = idempotency.begin(db, user, "k4", **REQUEST)
    assert isinstance(claim, idempotency.Claim)
    with db.held_transaction() as held:
        identity.create_organisation(db, "Made", OrgKind.BUYER, actor=None)
        with db.read() as session:  # reads inside see the held change
            assert session.query(OrganisationRow).filter_by(name="Made").count() == 1
        idempotency.complete(db, claim, RESPONSE)
        held.commit()
    with db.read() as session:
        assert session.query(OrganisationRow).filter_by(name="Made").count() == 1
    assert idempotency.begin(db, user, "k4", **REQUEST) == RESPONSE


def test_a_failing_block_of_a_held_transaction_rolls_back_alone(db: Database) -> None:
    with db.held_transaction() as held:
        identity.create_organisation(db, "Kept", OrgKind.BUYER, actor=None)
        with pytest.raises(RuntimeError), db.transaction() as session:
            session.add(OrganisationRow(id="org-gone", name="Gone", kind="buyer", facility_ids=[]))
            session.flush()
            raise RuntimeError("the service fails after writing")
        held.commit()
    with db.read() as session:
        names = {row.name for row in session.query(OrganisationRow)}
    assert "Kept" in names and "Gone" not in names
