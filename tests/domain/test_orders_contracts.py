"""Contract terms: validation, canonical form, Ed25519 signatures, sealed keys."""

from __future__ import annotations

import json

import pytest
from orders_factories import contract_data

from fabnet.domain.orders.contracts import (
    ContractSignature,
    ContractTerms,
    sign_terms,
    verify_contract,
)
from fabnet.domain.orders.roles import Role
from fabnet.domain.orders.signing import (
    ScryptCost,
    generate_key_pair,
    unseal_private_key,
)
from fabnet.errors import AuthenticationError, InputError

FAST = ScryptCost(n=2**10)  # tests only: the default cost is 2**15


def test_canonical_json_is_stable_and_round_trips(terms: ContractTerms) -> None:
    raw = terms.canonical_json()
    assert raw == ContractTerms.from_json(raw).canonical_json()
    compact = json.dumps(json.loads(raw), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert raw == compact.encode("utf-8")
    assert json.loads(raw)["quality"]["aql"] == {"critical": "0", "major": "1.0", "minor": "4.0"}
    assert len(terms.sha256()) == 64
    assert terms.total_minor == 199_900


@pytest.mark.parametrize(
    "changes,field_fragment,message",
    [
        ({"delivery": {"rule": "FOB", "named_place": "Mombasa", "transport_mode": "road"}},
         "delivery", "sea and inland waterway"),
        ({"delivery": {"rule": "XYZ", "named_place": "Mombasa", "transport_mode": "sea"}},
         "delivery.rule", "Input should be"),
        ({"payment_milestones": [{"trigger": "contract", "share_bp": 5000}]},
         "", "add up to 5000 bp"),
        ({"currency": "XAU"}, "currency", "ISO 4217"),
        ({"quality": {"aql": {"major": "0.7"}}}, "quality.aql", "standard values"),
        ({"mode": "orchestrated"}, "", "exactly one orchestrator"),
        ({"quality": {"prototype_required": False}}, "", "needs prototype_required"),
    ],
)  # fmt: skip
def test_invalid_terms_are_refused_with_the_field(
    changes: dict[str, object], field_fragment: str, message: str
) -> None:
    with pytest.raises(InputError, match=message) as caught:
        ContractTerms.parse(contract_data(**changes), source="lot-1 contract")
    assert caught.value.source == "lot-1 contract"
    assert field_fragment in (caught.value.field or "")


def test_fob_by_sea_is_fine() -> None:
    delivery = {"rule": "FOB", "named_place": "Mombasa", "transport_mode": "sea"}
    assert ContractTerms.parse(contract_data(delivery=delivery)).delivery.rule == "FOB"


def _signed(terms: ContractTerms) -> tuple[list[ContractSignature], dict[str, bytes]]:
    signatures, keys = [], {}
    for party in terms.parties:
        sealed, public = generate_key_pair(f"passphrase of {party.signer_id}", cost=FAST)
        private = unseal_private_key(sealed, f"passphrase of {party.signer_id}")
        signatures.append(sign_terms(terms, party, private))
        keys[party.signer_id] = public
    return signatures, keys


def test_fully_signed_contract_verifies(terms: ContractTerms) -> None:
    signatures, keys = _signed(terms)
    result = verify_contract(terms.canonical_json(), signatures, keys)
    assert result.ok, result.failures
    assert set(result.valid_signers) == {"u-buyer", "u-maker"}
    assert result.terms_sha256 == terms.sha256()


def test_a_missing_signature_is_named(terms: ContractTerms) -> None:
    signatures, keys = _signed(terms)
    result = verify_contract(terms.canonical_json(), signatures[:1], keys)
    assert not result.ok
    assert result.failures == ("manufacturer org-maker (signer u-maker) has not signed",)


def test_a_tampered_term_fails_every_signature(terms: ContractTerms) -> None:
    signatures, keys = _signed(terms)
    tampered = terms.model_copy(update={"unit_price_minor": 2999}).canonical_json()
    result = verify_contract(tampered, signatures, keys)
    assert not result.ok and len(result.failures) == 2
    assert all("not these terms" in f for f in result.failures)


def test_a_wrong_key_is_named(terms: ContractTerms) -> None:
    signatures, keys = _signed(terms)
    _, stranger_key = generate_key_pair("someone else entirely", cost=FAST)
    keys["u-maker"] = stranger_key
    result = verify_contract(terms.canonical_json(), signatures, keys)
    assert result.failures == (
        "the signature of manufacturer org-maker (signer u-maker) does not verify with their key",
    )


def test_a_forged_hash_claim_does_not_verify(terms: ContractTerms) -> None:
    signatures, keys = _signed(terms)
    other = terms.model_copy(update={"quantity": 1})
    forged = signatures[1].model_copy(update={"terms_sha256": other.sha256()})
    result = verify_contract(other.canonical_json(), [signatures[0], forged], keys)
    assert not result.ok
    assert any("does not verify" in f for f in result.failures)


def test_non_canonical_bytes_and_strangers_are_reported(terms: ContractTerms) -> None:
    signatures, keys = _signed(terms)
    pretty = json.dumps(json.loads(terms.canonical_json()), indent=2).encode()
    result = verify_contract(pretty, signatures, keys)
    assert any("canonical" in f for f in result.failures)
    stranger = signatures[0].model_copy(update={"signer_id": "u-mallory", "role": Role.BUYER})
    result = verify_contract(terms.canonical_json(), [*signatures, stranger], keys)
    assert result.failures == ("u-mallory signed but is not a party to the contract",)


def test_unreadable_terms_fail_verification() -> None:
    result = verify_contract(b"{not json", [], {})
    assert not result.ok and result.terms_sha256 is None


def test_sealed_key_needs_the_right_passphrase_and_untouched_record() -> None:
    sealed, _ = generate_key_pair("correct horse battery", cost=FAST)
    assert "correct" not in sealed.model_dump_json()
    with pytest.raises(AuthenticationError):
        unseal_private_key(sealed, "wrong horse battery")
    _, other_public = generate_key_pair("another passphrase", cost=FAST)
    import base64

    swapped = sealed.model_copy(update={"public_key": base64.b64encode(other_public).decode()})
    with pytest.raises(AuthenticationError):
        unseal_private_key(swapped, "correct horse battery")
    with pytest.raises(InputError, match="shorter than 8"):
        generate_key_pair("short", cost=FAST)
