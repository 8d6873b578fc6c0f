"""Fixtures for the order domain tests."""

from __future__ import annotations

import pytest
from orders_factories import contract_data

from fabnet.domain.orders.contracts import ContractTerms


@pytest.fixture
def terms() -> ContractTerms:
    return ContractTerms.parse(contract_data())
