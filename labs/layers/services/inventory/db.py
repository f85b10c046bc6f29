"""A new connection as the inventory service's own user (waits while the server is not there yet)."""

import os
import time

import pymysql


def connect() -> pymysql.connections.Connection:
    deadline = time.monotonic() + 120
    while True:
        try:
            return pymysql.connect(
                host=os.environ.get("DB_HOST", "db"),
                user=os.environ["DB_USER"],
                password=os.environ["DB_PASSWORD"],
                database=os.environ["DB_NAME"],
                autocommit=False,
                connect_timeout=3,
            )
        except pymysql.err.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(1)
