"""Parse settings strings like 'host = db1; port=5432; opts=a=b' into dictionaries."""

import re


def parse_line(line):
    """Fields are separated by ';', key and value by the first '='. Keys and values are stripped of spaces;
    empty fields are skipped; a field without '=' is a key with the value ''. A later key wins."""
    result = {}
    field = ""
    for ch in line + ";":
        if ch == ";":
            if field.strip():
                match = re.compile(r"^([^=]*)(?:=(.*))?$", re.S).match(field)
                key = match.group(1).strip()
                value = (match.group(2) or "").strip()
                result[key] = value
            field = ""
        else:
            field = field + ch
    return result


def parse_all(lines):
    """parse_line for each line, in order."""
    return [parse_line(line) for line in lines]
