"""`rewrite_symbol`: replace one def/class, named by its dotted path, keeping the rest of the file byte for byte.

libcst parses the file and swaps exactly that node, so comments, blank lines and formatting elsewhere are kept.
Decorators and the comment lines above the definition are kept from the original unless `code` brings its
own. `code` may be indented as in the file or not at all; the file's indentation style (tabs, width) wins.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import Any

import libcst as cst

from pipelines.edit.base import Tool, ToolResult, arguments
from pipelines.edit.errors import Location, ToolRefused
from pipelines.edit.resolve import settle
from pipelines.edit.symbols import Definition as Named
from pipelines.edit.symbols import definitions, in_blocks, nearest_names
from pipelines.edit.text import is_python, snippet, split_lines, syntax_error

Definition = cst.FunctionDef | cst.ClassDef


class RewriteSymbol(Tool):
    name = "rewrite_symbol"
    description = (
        "Replace one function, method or class with new code. symbol names it as path.py::name or "
        "path.py::Class.method; code is the complete new definition with the same name (no other statements). "
        "The rest of the file is untouched. Decorators and comments above the definition are kept unless code has "
        "its own."
    )
    schema = arguments(
        ["symbol", "code"],
        symbol=("string", "path.py::function, path.py::Class or path.py::Class.method"),
        code=("string", "The whole new def or class. Without decorators, the original ones are kept."),
    )

    def apply(self, checked: dict[str, Any]) -> ToolResult:
        context = self._context
        rel, dotted = self._split(checked["symbol"])
        document = context.load(rel)
        before = document.text
        module = _parsed(rel, before)
        target = self._find(module, rel, dotted, before)
        replacement = self._replacement(dotted, document.adopt(checked["code"]), target)
        rebuilt = module.deep_replace(target, replacement)
        assert isinstance(rebuilt, cst.Module)
        after = rebuilt.code
        if after == before:
            raise ToolRefused(f"code is identical to the current {dotted}: nothing would change.")
        offset = _first_line_of(checked["code"], after, dotted) - 1
        heading = f"Refused: code leaves out parts of {dotted}; nothing was written."

        def mark(line: int) -> str:
            return f"line {line - offset} of code"

        settled = settle(rel, before, after, context.elisions, heading, mark=mark, tails=False)
        after = settled.text
        context.check_syntax(rel, before, after)
        context.ledger.turn_start.setdefault(rel, before)
        context.workspace.write_text(rel, document.dump(after))
        context.ledger.record_change(self.name, rel, before, after)
        found = [d for d in definitions(after) if d.name == dotted]
        start, end = (found[0].start_line, found[0].end_line) if found else (1, 1)
        context.failures.clear(rel, start, end)
        reply = f"Rewrote {dotted} in {rel}; it is now lines {start}-{end}:\n{snippet(after, start, end, context=1)}"
        where = [Location(rel, start, end)]
        return ToolResult(settled.reply(reply), ok=True, changed=[rel], locations=where, resolved=settled.spliced)

    def _split(self, symbol: str) -> tuple[str, str]:
        path, sep, dotted = symbol.partition("::")
        if not sep or not dotted.strip() or not path.strip():
            raise ToolRefused(
                f"symbol {symbol!r} must look like path/to/file.py::function or path/to/file.py::Class.method."
            )
        rel = self._context.editable(path)
        if not is_python(rel):
            raise ToolRefused(f"rewrite_symbol edits Python files only; {rel} is not one. Use replace or write_file.")
        return rel, dotted.strip()

    def _find(self, module: cst.Module, rel: str, dotted: str, text: str) -> Definition:
        scope: Sequence[cst.CSTNode] = module.body
        found: list[Definition] = []
        for depth, part in enumerate(dotted.split(".")):
            found = [n for n in scope if isinstance(n, cst.FunctionDef | cst.ClassDef) and n.name.value == part]
            if len(found) != 1:
                break
            if depth < dotted.count("."):
                body = found[0].body
                scope = body.body if isinstance(body, cst.IndentedBlock) else []
        if len(found) == 1:
            return found[0]
        if found:
            lines = [str(d.start_line) for d in definitions(text) if d.name == dotted]
            raise ToolRefused(
                f"{dotted} is defined {len(found)} times in {rel} (lines {', '.join(lines)}); "
                "rewrite_symbol needs a unique name. Use replace for one of them."
            )
        self._refuse_if_in_blocks(rel, dotted, text)
        near = nearest_names(text, dotted)
        known = definitions(text)
        hint = f" Nearest existing: {', '.join(_named(rel, n, known) for n in near)}." if near else ""
        places = [Location(rel, d.start_line, d.end_line) for n in near for d in known if d.name == n]
        raise ToolRefused(f"No definition {dotted} in {rel}.{hint}", places)

    def _refuse_if_in_blocks(self, rel: str, dotted: str, text: str) -> None:
        """`dotted` names a definition inside an if/else (or try, with, …) block: say where, and how to edit it."""
        hidden = in_blocks(text, dotted)
        if not hidden:
            return
        where = "; ".join(f"lines {d.start_line}-{d.end_line}, in {block}" for d, block in hidden)
        first, last = hidden[0][0].start_line, hidden[-1][0].end_line
        raise ToolRefused(
            f"No definition {dotted} that rewrite_symbol can address in {rel}: {dotted.rsplit('.', 1)[-1]} is "
            f"defined inside a block, not at the top level of the module or a class ({where}). Use replace with "
            f"the lines of the one you mean as old (view_file {rel} with start_line={first}, end_line={last} "
            "shows them).",
            [Location(rel, d.start_line, d.end_line) for d, _ in hidden],
        )

    def _replacement(self, dotted: str, code: str, target: Definition) -> Definition:
        try:
            parsed = cst.parse_module(textwrap.dedent(code))
        except cst.ParserSyntaxError as e:
            raise ToolRefused(f"code does not parse: line {e.raw_line}, column {e.raw_column}: {e.message}") from None
        name = dotted.rsplit(".", 1)[-1]
        statements = list(parsed.body)
        defs = [s for s in statements if isinstance(s, cst.FunctionDef | cst.ClassDef)]
        if len(statements) != 1 or len(defs) != 1:
            raise ToolRefused(
                f"code must be exactly one definition (def or class {name}) and nothing else; it has "
                f"{len(statements)} statements. Add imports or helpers with replace."
            )
        node = defs[0]
        if node.name.value != name:
            raise ToolRefused(
                f"code defines {node.name.value!r}, but the symbol is {name!r}. Keep the name "
                "(callers use it), or use replace to add a new definition."
            )
        decorators = node.decorators or target.decorators
        comments = [*parsed.header, *node.leading_lines]
        if any(line.comment is not None for line in comments):
            blank_prefix: list[cst.EmptyLine] = []
            for line in target.leading_lines:
                if line.comment is not None:
                    break
                blank_prefix.append(line)
            while comments and comments[0].comment is None:
                comments.pop(0)
            leading = [*blank_prefix, *comments]
        else:
            leading = list(target.leading_lines)
        return node.with_changes(decorators=decorators, leading_lines=leading)


def _named(rel: str, name: str, known: list[Named]) -> str:
    """`path::name`, with the lines of each definition when the name is defined more than once."""
    lines = [str(d.start_line) for d in known if d.name == name]
    return f"{rel}::{name}" + (f" (defined {len(lines)} times: lines {', '.join(lines)})" if len(lines) > 1 else "")


def _parsed(rel: str, text: str) -> cst.Module:
    try:
        return cst.parse_module(text)
    except cst.ParserSyntaxError as e:
        reason = syntax_error(rel, text) or f"libcst cannot parse it: {e.message}"
        raise ToolRefused(f"{rel} does not parse ({reason}); use replace or write_file.") from None


def _first_line_of(code: str, after: str, dotted: str) -> int:
    """The line of `after` where the model's `code` begins (its decorators may have been kept from the original)."""
    start = next((d.start_line for d in definitions(after) if d.name == dotted), 1)
    first = next((line.strip() for line in code.splitlines() if line.strip()), "")
    lines = split_lines(after)
    return next((i + 1 for i in range(start - 1, len(lines)) if lines[i].strip() == first), start)
