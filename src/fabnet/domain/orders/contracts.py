"""Contract terms for one lot, their canonical form, and signature checks.

``ContractTerms`` is what the parties sign: ``terms.canonical_json()`` is the byte string, and
``terms.sha256()`` the hash each party signs with :func:`sign` (see
:mod:`fabnet.domain.orders.signing` for keys). ``verify_contract`` checks stored terms and
signatures together and names every failure.

Parties: exactly one buyer and, in the ``direct`` mode, one manufacturer (the supplier); in the
``orchestrated`` mode one orchestrator is the supplier (it subcontracts manufacturers under
contracts of its own). An optional payer funds the escrow instead of the buyer. Every party
signs, through the user named ``signer_id``.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic import Field, ValidationError, field_validator, model_validator

from fabnet.domain.common import Frozen
from fabnet.domain.orders.aql import DefectClass, normalise_aql
from fabnet.domain.orders.aql_tables import INSPECTION_LEVELS
from fabnet.domain.orders.canonical import canonical_json, is_sha256_hex, sha256_hex
from fabnet.domain.orders.currency import currency_code
from fabnet.domain.orders.incoterms import DeliveryTerms
from fabnet.domain.orders.licensing import Obligation
from fabnet.domain.orders.milestones import BASIS_POINTS, PaymentMilestone, milestone_problems
from fabnet.domain.orders.roles import Role
from fabnet.domain.orders.signing import sign, signature_valid
from fabnet.errors import InputError

__all__ = [
    "ContractMode",
    "ContractSignature",
    "ContractTerms",
    "ContractVerification",
    "DesignRef",
    "Party",
    "QualityPlan",
    "sign",
    "sign_terms",
    "verify_contract",
]


class ContractMode(StrEnum):
    DIRECT = "direct"  # the buyer contracts each manufacturer, each liable for its lot
    ORCHESTRATED = "orchestrated"  # the buyer contracts one orchestrator, who carries the risk


class Party(Frozen):
    role: Role
    org_id: str = Field(min_length=1)
    signer_id: str = Field(min_length=1, description="The user who signs for the organisation")


class DesignRef(Frozen):
    design_id: str = Field(min_length=1)
    version: str | None = None
    manifest_sha256: str

    @field_validator("manifest_sha256")
    @classmethod
    def _hex(cls, value: str) -> str:
        if not is_sha256_hex(value):
            raise ValueError("must be 64 lower-case hex digits")
        return value


class QualityPlan(Frozen):
    prototype_required: bool = True
    max_prototype_attempts: int = Field(default=3, ge=1, le=10)
    max_rework_rounds: int = Field(default=2, ge=0, le=10)
    inspection_level: str = "II"
    aql: dict[DefectClass, Decimal] = Field(
        default_factory=lambda: {DefectClass.MAJOR: Decimal("1.0"),
                                 DefectClass.MINOR: Decimal("4.0")},
        description="AQL per defect class (0 = zero acceptance, e.g. for critical)",
    )  # fmt: skip

    @field_validator("inspection_level")
    @classmethod
    def _level(cls, value: str) -> str:
        if value not in INSPECTION_LEVELS:
            raise ValueError(f"unknown inspection level; use one of {', '.join(INSPECTION_LEVELS)}")
        return value

    @field_validator("aql")
    @classmethod
    def _aqls(cls, value: dict[DefectClass, Decimal]) -> dict[DefectClass, Decimal]:
        if not value:
            raise ValueError("at least one defect class needs an AQL")
        try:
            return {cls_: normalise_aql(aql) for cls_, aql in value.items()}
        except InputError as error:
            raise ValueError(error.message) from None


class ContractTerms(Frozen):
    schema_version: int = 1
    contract_id: str = Field(min_length=1)
    order_id: str = Field(min_length=1)
    lot_id: str = Field(min_length=1)
    mode: ContractMode
    parties: tuple[Party, ...]
    design: DesignRef
    licence: str = Field(min_length=1, description="SPDX expression of the design")
    licence_chosen: str = Field(min_length=1, description="Terms worked under (an OR choice)")
    licence_obligations: tuple[Obligation, ...] = ()
    licensor: tuple[str, ...] = ()
    quantity: int = Field(ge=1)
    unit_price_minor: int = Field(ge=0, description="Price per unit in the currency's minor unit")
    currency: str
    due_date: date
    delivery: DeliveryTerms
    quality: QualityPlan = Field(default_factory=QualityPlan)
    payment_milestones: tuple[PaymentMilestone, ...]
    platform_fee_bp: int = Field(default=0, ge=0, le=BASIS_POINTS)
    cancellation_compensation_bp: int = Field(
        default=0,
        ge=0,
        le=BASIS_POINTS,
        description="Share of the remaining escrow paid to the supplier when the buyer cancels "
        "after the contract",
    )
    dispute_window_days: int = Field(default=14, ge=0, le=365)

    @field_validator("currency")
    @classmethod
    def _currency(cls, value: str) -> str:
        try:
            return currency_code(value)
        except InputError as error:
            raise ValueError(error.message) from None

    @model_validator(mode="after")
    def _consistent(self) -> ContractTerms:
        problems = milestone_problems(
            self.payment_milestones, prototype_required=self.quality.prototype_required
        )
        roles = [p.role for p in self.parties]
        supplier = Role.MANUFACTURER if self.mode is ContractMode.DIRECT else Role.ORCHESTRATOR
        for needed in (Role.BUYER, supplier):
            if roles.count(needed) != 1:
                problems.append(f"a {self.mode.value} contract needs exactly one {needed.value}")
        if roles.count(Role.PAYER) > 1:
            problems.append("at most one payer")
        signers = [p.signer_id for p in self.parties]
        if len(set(signers)) != len(signers):
            problems.append("each party needs its own signer")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    # --- derived -------------------------------------------------------------------------------

    @property
    def total_minor(self) -> int:
        return self.quantity * self.unit_price_minor

    def party(self, role: Role) -> Party:
        for p in self.parties:
            if p.role is role:
                return p
        raise KeyError(role)

    @property
    def supplier(self) -> Party:
        """Who is paid: the manufacturer (direct) or the orchestrator (orchestrated)."""
        return self.party(
            Role.MANUFACTURER if self.mode is ContractMode.DIRECT else Role.ORCHESTRATOR
        )

    @property
    def funding_org_id(self) -> str:
        """Whose money goes into escrow: the payer's if there is one, else the buyer's."""
        payers = [p for p in self.parties if p.role is Role.PAYER]
        return payers[0].org_id if payers else self.party(Role.BUYER).org_id

    # --- canonical form ------------------------------------------------------------------------

    def canonical_json(self) -> bytes:
        return canonical_json(self.model_dump(mode="json"))

    def sha256(self) -> str:
        return sha256_hex(self.canonical_json())

    @classmethod
    def parse(cls, data: Mapping[str, Any], *, source: str = "contract") -> ContractTerms:
        """Validate ``data``; refusals are InputError naming the field path."""
        try:
            return cls.model_validate(data)
        except ValidationError as error:
            raise _input_error(error, source) from None

    @classmethod
    def from_json(cls, data: bytes, *, source: str = "contract") -> ContractTerms:
        try:
            loaded = json.loads(data)
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise InputError(f"not JSON: {error}", source=source) from None
        if not isinstance(loaded, dict):
            raise InputError("the terms must be a JSON object", source=source)
        return cls.parse(loaded, source=source)


def _input_error(error: ValidationError, source: str) -> InputError:
    first = error.errors()[0]
    field = ".".join(str(part) for part in first["loc"]) or None
    messages = [
        f"{'.'.join(str(p) for p in e['loc']) or '(terms)'}: {e['msg']}" for e in error.errors()
    ]
    return InputError("; ".join(messages), source=source, field=field)


# --- signatures ----------------------------------------------------------------------------------


class ContractSignature(Frozen):
    signer_id: str
    role: Role
    terms_sha256: str
    signature: str = Field(description="Ed25519 signature, base64")


class ContractVerification(Frozen):
    ok: bool
    terms_sha256: str | None
    valid_signers: tuple[str, ...] = ()
    failures: tuple[str, ...] = ()


def sign_terms(
    terms: ContractTerms, party: Party, private_key: Ed25519PrivateKey
) -> ContractSignature:
    """``party`` signs ``terms`` with its Ed25519 private key."""
    digest = terms.sha256()
    raw = sign(digest, private_key)
    return ContractSignature(
        signer_id=party.signer_id,
        role=party.role,
        terms_sha256=digest,
        signature=base64.b64encode(raw).decode("ascii"),
    )


def _decode(signature: str) -> bytes | None:
    try:
        return base64.b64decode(signature, validate=True)
    except ValueError:
        return None


def verify_contract(
    terms_json: bytes,
    signatures: Sequence[ContractSignature],
    public_keys: Mapping[str, bytes],
) -> ContractVerification:
    """Check stored terms and signatures: the terms parse and are canonical, every party signed
    exactly these terms, and every signature verifies with the signer's public key
    (``public_keys`` maps signer id to the raw 32-byte Ed25519 key). Every failure is named."""
    try:
        terms = ContractTerms.from_json(terms_json, source="stored contract")
    except InputError as error:
        return ContractVerification(ok=False, terms_sha256=None, failures=(str(error),))
    digest = sha256_hex(terms_json)
    failures: list[str] = []
    if terms.canonical_json() != terms_json:
        failures.append("the stored terms are not in canonical form (re-serialised or edited)")
    by_signer: dict[str, list[ContractSignature]] = {}
    for sig in signatures:
        by_signer.setdefault(sig.signer_id, []).append(sig)
    party_signers = {p.signer_id for p in terms.parties}
    for stranger in sorted(set(by_signer) - party_signers):
        failures.append(f"{stranger} signed but is not a party to the contract")
    valid: list[str] = []
    for party in terms.parties:
        who = f"{party.role.value} {party.org_id} (signer {party.signer_id})"
        sigs = by_signer.get(party.signer_id, [])
        if not sigs:
            failures.append(f"{who} has not signed")
            continue
        key = public_keys.get(party.signer_id)
        party_ok = False
        for sig in sigs:
            if sig.role is not party.role:
                failures.append(f"{who} signed as {sig.role.value}")
            elif sig.terms_sha256 != digest:
                failures.append(
                    f"{who} signed terms {sig.terms_sha256[:12]}…, not these terms {digest[:12]}…"
                )
            elif key is None:
                failures.append(f"no public key for {who}")
            else:
                raw = _decode(sig.signature)
                if raw is None or not signature_valid(digest, raw, key):
                    failures.append(f"the signature of {who} does not verify with their key")
                else:
                    party_ok = True
        if party_ok:
            valid.append(party.signer_id)
    return ContractVerification(
        ok=not failures, terms_sha256=digest, valid_signers=tuple(valid), failures=tuple(failures)
    )
