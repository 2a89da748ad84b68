# ruff: noqa: E501
"""Print one unlabeled routing case compactly: python view.py FILE ID  (or FILE --list)."""

import json
import sys


def text_of(content):
    if isinstance(content, str):
        return content
    out = []
    for b in content or []:
        t = b.get("type")
        if t in ("text", "input_text", "output_text"):
            out.append(b.get("text", ""))
        elif t == "tool_use":
            out.append(f"[tool_use {b.get('name')}] {json.dumps(b.get('input'))[:600]}")
        elif t == "tool_result":
            out.append(f"[tool_result] {clip(text_of(b.get('content')), 1500)}")
        elif t in ("image", "image_url"):
            out.append("[image]")
        elif t == "thinking":
            out.append(f"[thinking] {clip(b.get('thinking', ''), 400)}")
    return "\n".join(out)


def clip(s, n):
    return s if len(s) <= n else s[: n // 2] + f"\n...[{len(s) - n} chars cut]...\n" + s[-n // 2 :]


def show(case):
    b = case["body"]
    print(
        f"=== {case['id']}  client={case['client']}  dialect={case['dialect']}  body={len(json.dumps(b))} bytes"
    )
    extras = {k: b[k] for k in ("thinking", "reasoning_effort", "max_tokens", "model") if k in b}
    print("params:", extras)
    print("tools:", [t.get("name") or t.get("function", {}).get("name") for t in b.get("tools", [])])
    sysp = b.get("system")
    if sysp:
        s = sysp if isinstance(sysp, str) else " ".join(x.get("text", "") for x in sysp)
        print(f"system ({len(s)} chars): {clip(s, 300)}")
    msgs = b.get("messages", [])
    for i, m in enumerate(msgs):
        last = i == len(msgs) - 1
        body = text_of(m.get("content"))
        if m.get("tool_calls"):
            body += " " + " ".join(
                f"[tool_call {c['function']['name']}] {c['function']['arguments'][:600]}"
                for c in m["tool_calls"]
            )
        print(f"--- [{i}] {m['role']}: {clip(body, 8000 if last or m['role'] == 'user' else 1500)}")


def main() -> None:
    with open(sys.argv[1]) as lines:
        cases = [json.loads(line) for line in lines]
    if sys.argv[2] == "--list":
        for c in cases:
            print(c["id"], c["client"])
    else:
        for c in cases:
            if c["id"] == sys.argv[2]:
                show(c)


if __name__ == "__main__":
    main()
