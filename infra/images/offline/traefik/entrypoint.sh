#!/bin/sh
# The official traefik image's entrypoint, so both variants take the same command:
# flags (`--providers.file.directory=...`) or a subcommand (`version`) run Traefik, anything else runs as is.
set -e
if [ "${1#-}" != "$1" ]; then
    set -- traefik "$@"
fi
if traefik "$1" --help >/dev/null 2>&1; then
    set -- traefik "$@"
fi
exec "$@"
