from settings import parse_all, parse_line


def test_fields_and_spaces():
    assert parse_line(" host = db1 ;port=5432") == {"host": "db1", "port": "5432"}


def test_only_the_first_equals_sign_separates_key_and_value():
    assert parse_line("opts=a=b=c; url = x?y=1") == {"opts": "a=b=c", "url": "x?y=1"}


def test_a_field_without_equals_is_a_key_with_an_empty_value():
    assert parse_line("debug; level=3") == {"debug": "", "level": "3"}


def test_empty_fields_are_skipped_and_a_later_key_wins():
    assert parse_line(";; a=1 ;; a=2;") == {"a": "2"}


def test_empty_value_stays_empty():
    assert parse_line("name=") == {"name": ""}


def test_parse_all_keeps_line_order():
    assert parse_all(["a=1", "", "b=2"]) == [{"a": "1"}, {}, {"b": "2"}]
