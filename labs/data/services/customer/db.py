"""This service's own database connection: its own user, its own schema, nothing else."""

import logging
import os
import time

import pymysql

log = logging.getLogger("db")


def connect() -> pymysql.connections.Connection:
    """A fresh connection as this service's user; waits while the server is not there yet."""
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
        except pymysql.err.OperationalError as e:
            if time.monotonic() > deadline:
                raise
            log.warning("database not there yet (%s)", e)
            time.sleep(1)
