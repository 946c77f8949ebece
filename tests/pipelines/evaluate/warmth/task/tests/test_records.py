from records import encode


def test_empty():
    assert encode([]) == b""


def test_one_record():
    assert encode(["ab"]) == b"\x00\x00\x00\x02ab"


def test_lengths_are_bytes_not_characters():
    assert encode(["é"]) == b"\x00\x00\x00\x02\xc3\xa9"


def test_order_is_kept():
    assert encode(["a", "bc"]) == b"\x00\x00\x00\x01a\x00\x00\x00\x02bc"
