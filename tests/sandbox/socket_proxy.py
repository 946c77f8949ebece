"""A unix socket in front of the Docker Engine's, to cut and restore like a daemon that stops answering."""

from __future__ import annotations

import contextlib
import os
import socket
import tempfile
import threading
from pathlib import Path


class SocketProxy:
    """Forwards every connection on `path` to the engine's socket `target`. `cut()` drops the open connections and
    removes the socket (new ones fail as with a stopped daemon); `restore()` listens again."""

    def __init__(self, target: str = "/var/run/docker.sock") -> None:
        self.target = target
        self.path = Path(tempfile.mkdtemp(prefix="perfbot-proxy-")) / "docker.sock"  # short: unix paths are capped
        self._listener: socket.socket | None = None
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"unix://{self.path}"

    def restore(self) -> None:
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(str(self.path))
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()
        self.path.unlink(missing_ok=True)
        with self._lock:
            connections, self._open = set(self._open), set()
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
            conn.close()

    def close(self) -> None:
        self.cut()
        with contextlib.suppress(OSError):
            os.rmdir(self.path.parent)

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            upstream.connect(self.target)
            with self._lock:
                self._open |= {client, upstream}
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client), daemon=True).start()

    def _pump(self, source: socket.socket, dest: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                dest.sendall(data)
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                dest.shutdown(socket.SHUT_WR)
