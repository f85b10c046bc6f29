#!/bin/sh
# One container for the CI server (buildbot master with its web UI and REST API on 8010) and its one build
# worker: a lab needs no second machine to show the split between the two.
set -e
buildbot create-master -q /var/lib/buildbot
cp /srv/ci/master.cfg /var/lib/buildbot/master.cfg
buildbot-worker create-worker -q /var/lib/worker localhost worker lab-worker-pass
buildbot start --nodaemon /var/lib/buildbot &
master=$!
buildbot-worker start --nodaemon /var/lib/worker &
worker=$!
# Either one ending ends the container, so the lab sees a failure instead of a half CI.
while kill -0 $master 2>/dev/null && kill -0 $worker 2>/dev/null; do sleep 1; done
exit 1
