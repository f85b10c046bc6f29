#!/bin/sh
# One node of the lab's Docker Swarm: an engine inside this container, the shop's release images, and the
# swarm itself (the manager starts it and runs Traefik; a worker joins it). Safe to run again after a restart:
# the engine's state (images, swarm membership) lives on in the /var/lib/docker volume.
set -eu
ROLE=${NODE_ROLE:?set NODE_ROLE to manager or worker}
MANAGER=${MANAGER_HOST:-manager}

# The manager's API also on the lab network (port 2375, no TLS): the worker asks it for a join token. The lab
# network is private to the lab and never published.
if [ "$ROLE" = manager ]; then
    dockerd --host unix:///var/run/docker.sock --host tcp://0.0.0.0:2375 --tls=false >/var/log/dockerd.log 2>&1 &
else
    dockerd --host unix:///var/run/docker.sock >/var/log/dockerd.log 2>&1 &
fi
engine=$!
trap 'kill -TERM $engine; wait $engine; exit 0' TERM INT

until docker info >/dev/null 2>&1; do sleep 0.2; done
echo "msalab: engine up"

# msalab loads the base image (swarm-app:lab) once the engine answers; each release is one layer on it.
until docker image inspect swarm-app:lab >/dev/null 2>&1; do sleep 0.2; done
for version in v1 v2 broken; do
    printf 'FROM swarm-app:lab\nENV APP_VERSION=%s\nLABEL shop.version=%s\n' "$version" "$version" \
        | docker build --quiet --tag "shop:$version" - >/dev/null
done
echo "msalab: releases built"

in_swarm() { [ "$(docker info --format '{{.Swarm.LocalNodeState}}')" = active ]; }

if [ "$ROLE" = manager ]; then
    if ! in_swarm; then
        # The default heartbeat (5 s): with 1 s, a worker starved of CPU on a busy machine can be taken for down and
        # its tasks replaced in the middle of a measurement. No exercise stops a node, so nothing waits on it.
        docker swarm init --advertise-addr eth0 >/dev/null
    fi
    docker network inspect edge >/dev/null 2>&1 || docker network create --driver overlay --attachable edge >/dev/null
    until docker image inspect traefik:lab >/dev/null 2>&1; do sleep 0.2; done
    docker stack deploy --compose-file /srv/node/edge.yml edge >/dev/null
    until python3 -c "import urllib.request as u; u.urlopen('http://127.0.0.1:80/ping', timeout=1)" 2>/dev/null; do
        sleep 0.3
    done
else
    until in_swarm; do
        token=$(docker -H "tcp://$MANAGER:2375" swarm join-token --quiet worker 2>/dev/null) \
            && docker swarm join --token "$token" "$MANAGER:2377" >/dev/null 2>&1 \
            || sleep 0.5
    done
fi
echo "msalab: $ROLE ready"
wait $engine
