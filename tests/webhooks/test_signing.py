"""Signatures follow the Standard Webhooks algorithm, checked against its published example."""

from __future__ import annotations

import base64

from app.webhooks.signing import new_secret, secret_bytes, sign, verify

SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
SPEC_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
SPEC_TIMESTAMP = 1614265330
SPEC_BODY = '{"test": 2432232314}'
SPEC_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_signature_matches_the_specification_example() -> None:
    assert sign(SPEC_SECRET, SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY) == SPEC_SIGNATURE


def test_verify_accepts_any_listed_signature_and_refuses_a_changed_body() -> None:
    header = f"v1,bm90LXRoaXMtb25l {SPEC_SIGNATURE}"
    assert verify(SPEC_SECRET, SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY, header)
    assert not verify(SPEC_SECRET, SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY + " ", header)


def test_new_secrets_are_32_random_bytes_with_the_whsec_prefix() -> None:
    first, second = new_secret(), new_secret()
    assert first.startswith("whsec_")
    assert len(secret_bytes(first)) == 32
    assert first != second
    assert base64.b64encode(secret_bytes(first)).decode() == first.removeprefix("whsec_")
