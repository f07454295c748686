"""A private Redis each test can stop and start, serving as both the cache and the broker.

It runs on a free port with no persistence, in the test's own temporary folder, so stopping it
disturbs nothing else. Django's cache (through ``settings``) and the Celery app's broker point
at it; tasks are really published (not run inline), as in production.
"""

import shutil
import socket
import subprocess
import time

import pytest
import redis
from django.core.cache import cache
from kombu import pools as kombu_pools

from apps.routing import engine
from config.celery import app

REDIS_SERVER = shutil.which("redis-server")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PrivateRedis:
    def __init__(self, folder):
        self.folder = folder
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def client(self) -> redis.Redis:
        return redis.Redis(port=self.port, socket_connect_timeout=0.5, socket_timeout=0.5)

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                *(REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no", "--dir", str(self.folder)),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if self.client().ping():
                    return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None


def _reset_celery_connections() -> None:
    """Forget pooled broker connections and the result backend, as a fresh process would."""
    kombu_pools.reset()  # the global connection and producer pools, keyed by broker URL
    app._pool = None
    app.amqp._producer_pool = None
    app._backend_cache = None
    app._local.__dict__.pop("backend", None)


@pytest.fixture
def private_redis(tmp_path, settings):
    if REDIS_SERVER is None:
        pytest.skip("redis-server is not installed")
    server = PrivateRedis(tmp_path)
    server.start()
    # The cache as base settings build it for REDIS_URL.
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": server.url,
            "KEY_PREFIX": "sb",
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": settings.CACHE_TIMEOUT,
                "SOCKET_TIMEOUT": settings.CACHE_TIMEOUT,
            },
        }
    }
    redis_options = {
        key: value
        for key, value in settings.CELERY_BROKER_TRANSPORT_OPTIONS.items()
        if "folder" not in key
    } or {"visibility_timeout": 3600}
    saved = {
        key: app.conf[key]
        for key in (
            "broker_url",
            "result_backend",
            "broker_transport_options",
            "task_always_eager",
            "broker_connection_timeout",
        )
    }
    app.conf.update(
        broker_url=server.url,
        result_backend=server.url,
        broker_transport_options={
            **redis_options,
            "socket_connect_timeout": settings.BROKER_TIMEOUT,
            "socket_timeout": max(settings.BROKER_TIMEOUT, 5.0),
            "max_retries": 1,
            "interval_start": 0,
            "interval_step": 0.2,
            "interval_max": 0.2,
        },
        task_always_eager=False,
        broker_connection_timeout=settings.BROKER_TIMEOUT,
    )
    _reset_celery_connections()
    engine.forget_compiled()
    try:
        yield server
    finally:
        server.stop()
        app.conf.update(saved)
        _reset_celery_connections()
        engine.forget_compiled()
        cache.close()
