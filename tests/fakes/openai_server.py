"""A local OpenAI-compatible chat-completions server that replays scripted answers (standard library only, so it
also runs inside the sandbox image, next to an agent under test, on the container's loopback).

    python openai_server.py --script answers.json [--port 0] [--ready FILE] [--log FILE]

`answers.json` is a list of replies, each {"content": "..."} and optionally "tool_calls" (chat-completions form).
Each POST /v1/chat/completions takes the next reply (stream or not, as the request asks) with usage numbers
(prompt tokens estimated at 4 characters a token); once the script is used up it answers 400 with an error that
says so. GET /v1/models lists one model. Every request body is appended to `--log` as a JSON line, so a test can
see what the agent sent. When listening, the port is written to `--ready` (the file appears only then).
"""

from __future__ import annotations

import argparse
import json
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any


class Replayer:
    def __init__(self, answers: list[dict[str, Any]], log: Path | None = None) -> None:
        self.answers = answers
        self.log = log
        self.requests: list[dict[str, Any]] = []
        self._next = 0
        self._lock = threading.Lock()

    def take(self, request: dict[str, Any]) -> dict[str, Any] | None:
        with self._lock:
            self.requests.append(request)
            if self.log is not None:
                with self.log.open("a", encoding="utf-8") as f:
                    f.write(json.dumps(request) + "\n")
            if self._next >= len(self.answers):
                return None
            answer = self.answers[self._next]
            self._next += 1
            return answer


def make_handler(replayer: Replayer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # the agent's own output stays readable
            pass

        def do_GET(self) -> None:
            if self.path.rstrip("/").endswith("/models"):
                self._json(200, {"object": "list", "data": [{"id": "fake-model", "object": "model", "owned_by": "x"}]})
            else:
                self._json(404, {"error": {"message": f"no route {self.path}", "type": "not_found"}})

        def do_POST(self) -> None:
            if not self.path.rstrip("/").endswith("/chat/completions"):
                self._json(404, {"error": {"message": f"no route {self.path}", "type": "not_found"}})
                return
            length = int(self.headers.get("Content-Length") or 0)
            try:
                request = json.loads(self.rfile.read(length) or b"{}")
            except json.JSONDecodeError as e:
                self._json(400, {"error": {"message": f"body is not JSON: {e}", "type": "invalid_request_error"}})
                return
            answer = replayer.take(request)
            if answer is None:
                message = f"the fake's script is used up ({len(replayer.answers)} answers)"
                self._json(400, {"error": {"message": message, "type": "invalid_request_error"}})
                return
            usage = _usage(request, answer)
            if request.get("stream"):
                self._stream(request, answer, usage)
            else:
                self._json(200, _completion(request, answer, usage))

        def _json(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _stream(self, request: dict[str, Any], answer: dict[str, Any], usage: dict[str, int]) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            base = {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": int(time.time())}
            base["model"] = request.get("model", "fake-model")
            delta: dict[str, Any] = {"role": "assistant", "content": answer.get("content") or ""}
            if answer.get("tool_calls"):
                delta["tool_calls"] = [{**call, "index": i} for i, call in enumerate(answer["tool_calls"])]
            chunks = [
                {**base, "choices": [{"index": 0, "delta": delta, "finish_reason": None}]},
                {**base, "choices": [{"index": 0, "delta": {}, "finish_reason": _finish(answer)}], "usage": usage},
            ]
            for chunk in chunks:
                self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()

    return Handler


def _completion(request: dict[str, Any], answer: dict[str, Any], usage: dict[str, int]) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": answer.get("content")}
    if answer.get("tool_calls"):
        message["tool_calls"] = answer["tool_calls"]
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": request.get("model", "fake-model"),
        "choices": [{"index": 0, "message": message, "finish_reason": _finish(answer)}],
        "usage": usage,
    }


def _finish(answer: dict[str, Any]) -> str:
    return "tool_calls" if answer.get("tool_calls") else "stop"


def _usage(request: dict[str, Any], answer: dict[str, Any]) -> dict[str, int]:
    prompt = max(1, len(json.dumps(request.get("messages", []))) // 4)
    completion = max(1, len(json.dumps(answer)) // 4)
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


def serve(
    answers: list[dict[str, Any]], port: int = 0, log: Path | None = None
) -> tuple[ThreadingHTTPServer, Replayer]:
    """A started server on 127.0.0.1 (in a daemon thread); `server.server_address[1]` is its port."""
    replayer = Replayer(answers, log)
    server = ThreadingHTTPServer(("127.0.0.1", port), make_handler(replayer))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, replayer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--script", type=Path, required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--ready", type=Path)
    parser.add_argument("--log", type=Path)
    args = parser.parse_args()
    server, _ = serve(json.loads(args.script.read_text(encoding="utf-8")), args.port, args.log)
    if args.ready is not None:
        partial = args.ready.with_name(args.ready.name + ".partial")
        partial.write_text(str(server.server_address[1]))
        os.replace(partial, args.ready)
    threading.Event().wait()


if __name__ == "__main__":
    main()
