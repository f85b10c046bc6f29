#!/bin/sh
# Mimic the official redis image's entrypoint, which lab commands are written against:
# - `docker run IMAGE --appendonly yes` means `redis-server --appendonly yes`;
# - the official binary is built with protected mode off and, with no config file, listens on every interface.
#   Debian's binary listens everywhere too but keeps protected mode on, which refuses every client that is not on
#   loopback, i.e. every other container. So turn it off unless the lab brings its own config file.
set -e

if [ "${1#-}" != "$1" ]; then
    set -- redis-server "$@"
fi

if [ "$1" = "redis-server" ] && { [ $# -eq 1 ] || [ "${2#-}" != "$2" ]; }; then
    shift
    # Flags given by the lab come last, so they still win.
    set -- redis-server --bind 0.0.0.0 --protected-mode no "$@"
fi

exec "$@"
