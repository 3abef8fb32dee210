"""Waking the processor from a background thread, off the store's request.

A hook that logged an event only pokes the relay: no statement, no broker,
no waiting. The relay's thread (one per process, started on the first poke)
then checks the flag and publishes the drain task on its own database
connection, which it closes when idle: for each store poked since, in that
store (a host serving several names each with ``Host.scope``). If the process
dies before it gets there, the events are in the log and the periodic task
applies them.
"""

import logging
import os
import threading
import time
from collections.abc import Hashable

from django.db import connection

from .core.host import get_host
from .posting import poster
from .wakeup import wake_processor

logger = logging.getLogger(__name__)

# Pokes that arrive while a wake-up runs, or this soon after it, share the next.
PAUSE_SECONDS = 0.1
IDLE_SECONDS = 1.0


class Relay:
    def __init__(self) -> None:
        self._forget()
        os.register_at_fork(after_in_child=self._forget)

    def _forget(self) -> None:
        # A forked child has the parent's objects but not its thread.
        self._wanted = threading.Event()
        self._idle = threading.Event()
        self._idle.set()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._scopes: set[Hashable] = set()

    def poke(self) -> None:
        """Have the processor woken soon; returns at once, never raises."""
        scope = get_host().scope()
        with self._lock:
            self._scopes.add(scope)
        self.settle_soon()

    def settle_soon(self) -> None:
        """Have the relay read the answers of statements posted (``posting``),
        then wake the processor if they stored anything; returns at once."""
        self._idle.clear()
        self._wanted.set()
        thread = self._thread
        if thread is None or not thread.is_alive():
            with self._lock:
                if self._thread is None or not self._thread.is_alive():
                    self._thread = threading.Thread(
                        target=self._run, name="journey-relay", daemon=True
                    )
                    self._thread.start()

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """True once every poke has been handled and the connection closed."""
        deadline = time.monotonic() + timeout
        while self._idle.wait(max(deadline - time.monotonic(), 0)):
            if not self._wanted.is_set():
                return True
            time.sleep(0.01)
        return False

    def _run(self) -> None:
        while True:
            if not self._wanted.wait(IDLE_SECONDS):
                connection.close()
                poster.close_idle()
                if not self._wanted.is_set():
                    self._idle.set()
                continue
            self._wanted.clear()
            self._idle.clear()
            stored = self._settle()
            with self._lock:
                scopes, self._scopes = self._scopes, set()
            if stored:
                scopes.add(None)  # Posted statements are the one store's.
            for scope in scopes:
                self._wake(scope)
            time.sleep(PAUSE_SECONDS)

    def _settle(self) -> bool:
        try:
            return poster.settle()
        except Exception:
            logger.exception("Journey statements not settled")
            connection.close()
            return False

    def _wake(self, scope: Hashable) -> None:
        host = get_host()
        try:
            with host.acting_for(scope), host.writer():
                wake_processor()
        except Exception:
            logger.exception("Journey processing not woken; the periodic run will")
            # A broken connection must not stay for the next wake-up.
            connection.close()


relay = Relay()
