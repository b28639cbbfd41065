import hashlib
import hmac

from orchestration.ijw import pseudonym
from orchestration.ijw.bsn import is_valid_bsn
from orchestration.ijw.pseudonym import Pseudonymiser, load_or_create_key


def test_elfproef_accepts_the_documented_example_and_test_bsns():
    # 123456782 is the worked example in ../shared/reference/ijw-3.2/elfproef.md.
    assert is_valid_bsn("123456782")
    assert is_valid_bsn("999990019")


def test_elfproef_rejects_swapped_digits_wrong_length_and_non_digits():
    assert not is_valid_bsn("123456728")
    assert not is_valid_bsn("12345678")
    assert not is_valid_bsn("1234567820")
    assert not is_valid_bsn("12345678a")
    assert not is_valid_bsn("000000000")
    assert not is_valid_bsn("１２３４５６７８２")  # full-width digits pass str.isdigit()


def test_pseudonym_is_stable_per_key_and_differs_between_keys():
    first, second = Pseudonymiser(b"k" * 32), Pseudonymiser(b"q" * 32)
    assert first.client_key("123456782") == first.client_key("123456782")
    assert first.client_key("123456782") != second.client_key("123456782")
    assert first.client_key("123456782") != first.client_key("999990019")
    assert "123456782" not in first.client_key("123456782")


def test_pseudonym_is_the_keyed_hash_also_for_keys_remembered_and_forgotten(monkeypatch):
    monkeypatch.setattr(pseudonym, "CLIENT_KEYS_REMEMBERED", 4)
    key = b"k" * 32
    pseudonymiser = Pseudonymiser(key)
    bsns = [f"{number:09d}" for number in range(10)]
    # Twice over ten BSNs with room for four: every key is asked again after it was remembered or forgotten.
    for bsn in bsns + bsns + bsns[::-1]:
        assert pseudonymiser.client_key(bsn) == hmac.new(key, bsn.encode("ascii"), hashlib.sha256).hexdigest()


def test_dev_key_is_generated_once_with_a_warning_and_reused(tmp_path, caplog):
    key = load_or_create_key(None, tmp_path)
    assert "WAREHOUSE_PSEUDONYM_KEY is not set" in caplog.text
    assert load_or_create_key(None, tmp_path) == key
    assert oct((tmp_path / "pseudonym.key").stat().st_mode & 0o777) == "0o600"
    assert load_or_create_key("configured-secret-value", tmp_path) == b"configured-secret-value"
