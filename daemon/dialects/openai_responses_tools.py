"""OpenAI Responses API tools: function, custom (freeform) and namespace tools, and tool_choice.

``function`` tools are kept; ``custom`` tools become a function taking one
string ``input`` (and their calls come back as ``custom_tool_call`` items);
the tools of a ``namespace`` tool are flattened (a name already taken is
qualified as ``<namespace>__<name>``) and their calls carry the namespace
again on the way out; hosted tools (web search, file search, code
interpreter, local shell, MCP, ...) are dropped, since nothing behind Lynkr
can run them, and a ``tool_choice`` naming one is a 400. Pure and synchronous.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from daemon.canonical import Tool, ToolChoice
from daemon.dialects.openai_chat_upstream import EMPTY_SCHEMA
from daemon.dialects.openai_chat_wire import json_kind
from daemon.errors import invalid

_HOSTED_TOOLS = frozenset(
    {
        "web_search",
        "web_search_preview",
        "web_search_preview_2025_03_11",
        "file_search",
        "computer_use_preview",
        "computer_use",
        "code_interpreter",
        "image_generation",
        "local_shell",
        "shell",
        "mcp",
        "apply_patch",
    }
)


def required_name(item: Mapping[str, Any], path: str) -> str:
    name = item.get("name")
    if not isinstance(name, str) or not name:
        raise invalid(f"{path}.name", "is required and must be a non-empty string")
    return name


@dataclass(slots=True)
class ToolSet:
    tools: list[Tool] = field(default_factory=list)
    custom: set[str] = field(default_factory=set)
    echo: list[dict[str, Any]] = field(default_factory=list)
    namespaced: dict[str, tuple[str, str]] = field(default_factory=dict)
    """canonical name -> (namespace, name) for tools declared inside a ``namespace`` tool."""
    top_level: set[str] = field(default_factory=set)
    """Names of the top-level tools, listed before or after a namespace: a member is qualified
    when it would take one, so canonical names stay unique whatever the order."""

    def add(self, tool: dict[str, Any], path: str, namespace: str | None = None) -> None:
        kind = tool.get("type")
        if not isinstance(kind, str):
            raise invalid(f"{path}.type", f"must be a string, got {json_kind(kind)}")
        if kind in _HOSTED_TOOLS:
            return  # hosted tools: nothing behind Lynkr can run them
        if kind == "namespace" and namespace is None:
            name = required_name(tool, path)
            inner = tool.get("tools")
            if not isinstance(inner, list):
                raise invalid(f"{path}.tools", f"must be an array of tools, got {json_kind(inner)}")
            for k, member in enumerate(inner):
                if not isinstance(member, dict):
                    raise invalid(f"{path}.tools[{k}]", f"must be a tool object, got {json_kind(member)}")
                self.add(member, f"{path}.tools[{k}]", name)
            self.echo.append(tool)
            return
        if kind not in ("function", "custom"):
            allowed = "'function' or 'custom'" + ("" if namespace else " (or 'namespace' of them)")
            raise invalid(f"{path}.type", f"tool type {kind!r} is not supported; use {allowed}")
        name = required_name(tool, path)
        description = tool.get("description")
        if description is not None and not isinstance(description, str):
            raise invalid(f"{path}.description", f"must be a string, got {json_kind(description)}")
        canonical = name
        if namespace is not None:
            # Flattened for providers without namespaces; qualified only when a name is taken.
            if name in self.top_level or any(t.name == name for t in self.tools):
                canonical = f"{namespace}__{name}"[:64]
            self.namespaced[canonical] = (namespace, name)
        if kind == "custom":
            self.custom.add(canonical)
            self.tools.append(
                Tool(canonical, _custom_description(description, tool.get("format")), _CUSTOM_SCHEMA)
            )
        else:
            parameters = tool.get("parameters")
            if parameters is None:
                parameters = dict(EMPTY_SCHEMA)
            elif not isinstance(parameters, dict):
                raise invalid(
                    f"{path}.parameters", f"must be a JSON Schema object, got {json_kind(parameters)}"
                )
            self.tools.append(Tool(canonical, description or None, parameters))
        if namespace is None:
            self.echo.append(tool)


def parse_tools(raw: object) -> ToolSet:
    """Function and custom tools (also inside namespaces) as canonical tools; hosted tools dropped."""
    toolset = ToolSet()
    if raw is None:
        return toolset
    if not isinstance(raw, list):
        raise invalid("tools", f"must be an array of tools, got {json_kind(raw)}")
    toolset.top_level = {
        t["name"]
        for t in raw
        if isinstance(t, dict) and t.get("type") in ("function", "custom") and isinstance(t.get("name"), str)
    }
    for i, tool in enumerate(raw):
        if not isinstance(tool, dict):
            raise invalid(f"tools[{i}]", f"must be a tool object, got {json_kind(tool)}")
        toolset.add(tool, f"tools[{i}]")
    return toolset


_CUSTOM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"input": {"type": "string", "description": "The tool's free-form input"}},
    "required": ["input"],
}


def _custom_description(description: str | None, fmt: object) -> str:
    # A grammar cannot be enforced by other providers; telling the model about it is the next best thing.
    text = description or ""
    if isinstance(fmt, dict) and fmt.get("type") == "grammar" and isinstance(fmt.get("definition"), str):
        text += f"\n\nThe input must follow this {fmt.get('syntax', '')} grammar:\n{fmt['definition']}"
    return text.strip() or "A tool that takes free-form text input."


def parse_tool_choice(raw: object, tools: list[Tool]) -> ToolChoice | None:
    if raw is None:
        return None
    if isinstance(raw, str):
        mapped = {"none": "none", "auto": "auto", "required": "any"}.get(raw)
        if mapped is None:
            raise invalid(
                "tool_choice", f"{raw!r} is not supported; use 'none', 'auto', 'required' or an object"
            )
        return ToolChoice(mapped)  # type: ignore[arg-type]
    if not isinstance(raw, dict):
        raise invalid("tool_choice", f"must be a string or an object, got {json_kind(raw)}")
    kind = raw.get("type")
    if kind == "allowed_tools":
        mode = raw.get("mode", "auto")
        return ToolChoice("any" if mode == "required" else "auto")
    if kind not in ("function", "custom"):
        raise invalid("tool_choice.type", f"{kind!r} names a hosted tool Lynkr cannot run; use 'function'")
    name = raw.get("name")
    if not isinstance(name, str) or not name:
        raise invalid("tool_choice.name", "is required and must be a non-empty string")
    if name not in {t.name for t in tools}:
        raise invalid("tool_choice.name", f"{name!r} does not name any tool in 'tools'")
    return ToolChoice("tool", name)


def qualified(namespaced: Mapping[str, tuple[str, str]]) -> dict[tuple[str, str], str]:
    """(namespace, name) -> canonical tool name, for calls a client sends back."""
    return {wire: canonical for canonical, wire in namespaced.items()}
