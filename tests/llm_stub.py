"""A scripted OpenAI-compatible server on 127.0.0.1, for tests and benchmarks.

It drives the real `openai` + `instructor` stack over real HTTP (openai 3.x
speaks httpx2, which respx cannot intercept). Answers are scripted per
article: the article is found in the request between its `<article ...>`
tags, keyed by the sha256 of its whitespace-collapsed text, and each request
for it plays the next reply of its script (the last reply repeats). Replies
can be answers or faults: 429 with Retry-After, 500, a hang past the client's
timeout, malformed JSON. Global faults (a 429 storm) are served first to any
request. Files and batches are enough of the real API for the Batch path.

Run as a script to serve a script file:
    python tests/llm_stub.py --script script.json --latency 0.5 [--port 0]
"""

import argparse
import email.parser
import email.policy
import hashlib
import itertools
import json
import re
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ARTICLE = re.compile(r'<article published="[^"]*">\n(.*?)\n</article>', re.DOTALL)
JSON_HEADERS = {"content-type": "application/json"}


def article_key(text: str) -> str:
    """How the stub recognises an article whatever whitespace the prompt rendering changed."""
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()


def answer(extraction: dict[str, Any]) -> dict[str, Any]:
    """A reply that answers with this extraction (figures and events as the model writes them)."""
    return {"answer": extraction}


def malformed(text: str = '{"figures": [{"id": "F1", "evidence": ') -> dict[str, Any]:
    return {"answer_text": text}


def status(code: int, retry_after: float | None = None) -> dict[str, Any]:
    return {"status": code, "retry_after": retry_after}


def hang(seconds: float) -> dict[str, Any]:
    return {"hang": seconds}


def figure_from_gold(g: dict[str, Any]) -> dict[str, Any]:
    """A gold figure as the model would fill it; quotes the gold does not carry are null,
    and the evidence stands in for the category cue (both are verbatim)."""
    return {
        "id": g["id"],
        "evidence": g["evidence"],
        "category": g["category"],
        "category_quote": g["evidence"],
        "count_quote": g["count_quote"],
        "best": g["best"],
        "low": g["low"],
        "high": g["high"],
        "qualifier": g["qualifier"],
        "vague_term": g["vague_term"],
        "unit": g["unit"],
        "unit_quote": None,
        "actor": g["actor"],
        "subgroup": g["subgroup"],
        "group_quote": None,
        "scope": g["scope"],
        "since": g["since"],
        "until": g["until"],
        "scope_quote": None,
        "part_of": g["part_of"],
        "part_of_quote": None,
        "event": g["event"],
        "reported_by": g["reported_by"],
        "reported_by_quote": None,
    }


def event_from_gold(g: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": g["id"],
        "evidence": g["evidence"],
        "event_type": g["event_type"],
        "trigger_quote": g["trigger_quote"],
        "date": g["date"],
        "date_precision": g["date_precision"],
        "date_quote": None,
        "location_name": g["location_name"],
        "admin1": g["admin1"],
        "country": g["country"],
        "location_quote": g["location_quote"],
        "actor1": g["actor1"],
        "actor1_quote": None,
        "actor2": g["actor2"],
        "actor2_quote": None,
        "reported_by": g["reported_by"],
        "reported_by_quote": None,
    }


def extraction_from_gold(gold: dict[str, Any]) -> dict[str, Any]:
    return {
        "figures": [figure_from_gold(f) for f in gold["figures"]],
        "events": [event_from_gold(e) for e in gold["events"]],
    }


@dataclass
class Script:
    """What the stub answers: replies per article key, served in order."""

    articles: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    default: dict[str, Any] = field(default_factory=lambda: answer({"figures": [], "events": []}))
    latency_s: float = 0.0

    def add(self, text: str, *replies: dict[str, Any]) -> None:
        self.articles[article_key(text)] = list(replies)

    def to_json(self) -> str:
        return json.dumps(
            {"articles": self.articles, "default": self.default, "latency_s": self.latency_s},
            ensure_ascii=False,
        )

    @classmethod
    def from_json(cls, raw: str) -> "Script":
        data = json.loads(raw)
        return cls(data["articles"], data["default"], data.get("latency_s", 0.0))


class StubState:
    """Everything the stub has seen and still has to serve; shared by the handler threads."""

    def __init__(self, script: Script) -> None:
        self.script = script
        self.lock = threading.Lock()
        self.global_faults: deque[dict[str, Any]] = deque()
        self.seen: Counter[str] = Counter()  # chat requests per article key
        self.requests: list[dict[str, Any]] = []  # every chat request body, in order
        self.files: dict[str, tuple[str, bytes]] = {}
        self.batches: dict[str, dict[str, Any]] = {}
        self.ids = itertools.count(1)

    def next_reply(self, key: str | None) -> dict[str, Any]:
        with self.lock:
            if self.global_faults:
                return self.global_faults.popleft()
            replies = self.script.articles.get(key) if key else None
            n = self.seen[key or ""]
            self.seen[key or ""] += 1
        if not replies:
            return self.script.default
        return replies[min(n, len(replies) - 1)]

    def new_id(self, prefix: str) -> str:
        with self.lock:
            return f"{prefix}-{next(self.ids)}"


def request_article(body: dict[str, Any]) -> str | None:
    """The article the request is about: the last one in its messages (few-shot ones come first)."""
    contents = [m.get("content") for m in body.get("messages", [])]
    found = ARTICLE.findall("\n".join(c for c in contents if isinstance(c, str)))
    return found[-1] if found else None


def _tokens(text: str) -> int:
    return max(len(text) // 3, 1)


def completion_body(body: dict[str, Any], answer_text: str) -> dict[str, Any]:
    """A chat completion carrying `answer_text` the way the request's mode expects it."""
    message: dict[str, Any] = {"role": "assistant", "content": None}
    if body.get("tools"):
        name = body["tools"][0]["function"]["name"]
        message["tool_calls"] = [
            {
                "id": "call-1",
                "type": "function",
                "function": {"name": name, "arguments": answer_text},
            }
        ]
    elif body.get("response_format", {}).get("type") == "json_schema":
        message["content"] = answer_text
    else:
        message["content"] = f"```json\n{answer_text}\n```"
    messages = body.get("messages", [])
    prompt = sum(_tokens(str(m.get("content"))) for m in messages)
    cached = sum(_tokens(str(m.get("content"))) for m in messages[:-1])
    completion = _tokens(answer_text)
    return {
        "id": "chatcmpl-stub",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body.get("model", "stub"),
        "choices": [{"index": 0, "finish_reason": "stop", "message": message}],
        "usage": {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
            "prompt_tokens_details": {"cached_tokens": cached},
        },
    }


def chat_reply(state: StubState, body: dict[str, Any]) -> tuple[int, dict[str, str], Any]:
    """(status, headers, body) for one chat request, per the script."""
    text = request_article(body)
    with state.lock:
        state.requests.append(body)
    reply = state.next_reply(article_key(text) if text is not None else None)
    if state.script.latency_s:
        time.sleep(state.script.latency_s)
    if "hang" in reply:
        time.sleep(reply["hang"])
        return 200, JSON_HEADERS, completion_body(body, "{}")
    if "status" in reply:
        headers = dict(JSON_HEADERS)
        if reply.get("retry_after") is not None:
            headers["retry-after"] = str(reply["retry_after"])
        error = {"message": f"stub status {reply['status']}", "type": "stub", "code": None}
        return reply["status"], headers, {"error": error}
    raw = reply.get("answer_text")
    if raw is None:
        raw = json.dumps(reply["answer"], ensure_ascii=False)
    return 200, JSON_HEADERS, completion_body(body, raw)


def _file_object(file_id: str, name: str, data: bytes) -> dict[str, Any]:
    return {
        "id": file_id,
        "object": "file",
        "bytes": len(data),
        "created_at": int(time.time()),
        "filename": name,
        "purpose": "batch",
        "status": "processed",
    }


def run_batch(state: StubState, batch: dict[str, Any]) -> None:
    """Answer every request of a batch file, as the Batch API would, into output and error files."""
    _, data = state.files[batch["input_file_id"]]
    outputs, errors = [], []
    for line in data.decode("utf-8").splitlines():
        if not line.strip():
            continue
        request = json.loads(line)
        code, _, body = chat_reply(state, request["body"])
        row = {"id": state.new_id("batch_req"), "custom_id": request["custom_id"]}
        if code == 200:
            outputs.append({**row, "response": {"status_code": 200, "body": body}, "error": None})
        else:
            errors.append(
                {**row, "response": None, "error": {"code": str(code), "message": str(body)}}
            )
    for kind, rows in (("output_file_id", outputs), ("error_file_id", errors)):
        if rows:
            file_id = state.new_id("file")
            text = "\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n"
            state.files[file_id] = (f"{kind}.jsonl", text.encode("utf-8"))
            batch[kind] = file_id
    batch["request_counts"] = {
        "total": len(outputs) + len(errors),
        "completed": len(outputs),
        "failed": len(errors),
    }
    batch["status"] = "completed"
    batch["completed_at"] = int(time.time())


class Handler(BaseHTTPRequestHandler):
    server: "StubServer"
    protocol_version = "HTTP/1.1"

    def log_message(self, *_args: Any) -> None:
        pass

    def _send(self, code: int, headers: dict[str, str], body: Any) -> None:
        data = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
        try:
            self.send_response(code)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a hang past its timeout)

    def _body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("content-length", 0)))

    def do_POST(self) -> None:
        state = self.server.state
        path = self.path.split("?")[0].removeprefix("/v1")
        if path == "/chat/completions":
            self._send(*chat_reply(state, json.loads(self._body())))
        elif path == "/files":
            name, data = self._upload()
            file_id = state.new_id("file")
            state.files[file_id] = (name, data)
            self._send(200, JSON_HEADERS, _file_object(file_id, name, data))
        elif path == "/batches":
            request = json.loads(self._body())
            batch = {
                "id": state.new_id("batch"),
                "object": "batch",
                "endpoint": request["endpoint"],
                "input_file_id": request["input_file_id"],
                "completion_window": request["completion_window"],
                "status": "validating",
                "created_at": int(time.time()),
                "metadata": request.get("metadata"),
                "output_file_id": None,
                "error_file_id": None,
                "request_counts": {"total": 0, "completed": 0, "failed": 0},
            }
            state.batches[batch["id"]] = batch
            self._send(200, JSON_HEADERS, batch)
        else:
            self._send(404, JSON_HEADERS, {"error": {"message": f"no route {path}"}})

    def do_GET(self) -> None:
        state = self.server.state
        path = self.path.split("?")[0].removeprefix("/v1")
        parts = path.strip("/").split("/")
        if parts[0] == "batches" and len(parts) == 2 and parts[1] in state.batches:
            batch = state.batches[parts[1]]
            # The first poll sees the batch running; the next one sees it done.
            if batch["status"] == "validating":
                batch["status"] = "in_progress"
            elif batch["status"] == "in_progress":
                run_batch(state, batch)
            self._send(200, JSON_HEADERS, batch)
        elif parts[0] == "files" and len(parts) >= 2 and parts[1] in state.files:
            name, data = state.files[parts[1]]
            if parts[-1] == "content":
                self._send(200, {"content-type": "application/octet-stream"}, data)
            else:
                self._send(200, JSON_HEADERS, _file_object(parts[1], name, data))
        else:
            self._send(404, JSON_HEADERS, {"error": {"message": f"no route {path}"}})

    def _upload(self) -> tuple[str, bytes]:
        header = f"Content-Type: {self.headers['content-type']}\r\n\r\n".encode()
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            header + self._body()
        )
        for part in message.iter_parts():
            if part.get_param("name", header="content-disposition") == "file":
                name = part.get_filename() or "upload.jsonl"
                return name, part.get_payload(decode=True)
        raise ValueError("multipart upload without a file part")


class StubServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, script: Script, port: int = 0) -> None:
        super().__init__(("127.0.0.1", port), Handler)
        self.state = StubState(script)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_port}/v1"

    def start(self) -> "StubServer":
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--script", help="JSON script file (Script.to_json)")
    parser.add_argument("--latency", type=float, help="seconds before every chat response")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    script = Script.from_json(Path(args.script).read_text("utf-8")) if args.script else Script()
    if args.latency is not None:
        script.latency_s = args.latency
    server = StubServer(script, args.port)
    print(server.url, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
