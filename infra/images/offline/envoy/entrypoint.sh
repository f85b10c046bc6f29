#!/bin/sh
# The official envoyproxy/envoy image's entrypoint, so both variants take the same command:
# flags (`-c /srv/x/bootstrap.yaml`) run Envoy, anything else (`envoy ...`, `sh`) runs as is.
set -e
if [ "${1#-}" != "$1" ]; then
    set -- envoy "$@"
fi
exec "$@"
