"""Parse settings strings like 'host = db1; port=5432; opts=a=b' into dictionaries."""


def parse_line(line):
    """Fields are separated by ';', key and value by the first '='. Keys and values are stripped of spaces;
    empty fields are skipped; a field without '=' is a key with the value ''. A later key wins."""
    result = {}
    for field in line.split(";"):
        if field.strip():
            parts = field.split("=")
            result[parts[0].strip()] = parts[-1].strip() if len(parts) > 1 else ""
    return result


def parse_all(lines):
    """parse_line for each line, in order."""
    return [parse_line(line) for line in lines]
