"""The agent's code-editing tools (DESIGN §3.6): one module per way of editing.

    view_file       numbered lines of any repo file
    replace         one exact, unique search/replace; on failure the closest regions and a diff
    write_file      a whole file; refuses Python that does not parse
    rewrite_symbol  one def/class by dotted path (libcst), the rest of the file untouched
    bash            a sandboxed command; changes outside target.files reverted, the rest shown as a diff

Principle: each tool does one simple thing or refuses with a message saying why and what to do next; it
never applies a guess. Every tool that writes checks for elided code (`elision`, `resolve`): a placeholder is
replaced by the original code only where what it stands for is certain. `EditSession` is the entry point; tools
share an `EditContext`.
"""

from pipelines.edit.base import EditContext, EditTool, ToolResult
from pipelines.edit.errors import EditError, Location, ToolRefused
from pipelines.edit.session import TOOLS, EditSession

__all__ = ["TOOLS", "EditContext", "EditError", "EditSession", "EditTool", "Location", "ToolRefused", "ToolResult"]
