#!/bin/sh
# A Docker engine inside a container, without --privileged (which some engines refuse): the container gets
# capabilities, no seccomp/AppArmor confinement, its own cgroup namespace and writable /proc/sys (see the lab's
# run options). /sys/fs/cgroup still comes read-only, so mount fresh cgroup v1 hierarchies over it: in our own
# cgroup namespace they show this container's subtree, where the inner engine makes its containers' cgroups.
# On a cgroup v2 host (cgroup.controllers exists) the unified hierarchy needs no such help.
set -e
if [ -d /sys/fs/cgroup ] && [ ! -e /sys/fs/cgroup/cgroup.controllers ]; then
    mount -t tmpfs -o rw,nosuid,nodev,noexec,mode=755 cgroup /sys/fs/cgroup
    for sys in $(awk '!/^#/ { if ($4 == 1) print $1 }' /proc/cgroups); do
        mkdir -p "/sys/fs/cgroup/$sys"
        mount -n -t cgroup -o "$sys" cgroup "/sys/fs/cgroup/$sys" 2>/dev/null || rmdir "/sys/fs/cgroup/$sys"
    done
    mkdir -p /sys/fs/cgroup/systemd
    mount -n -t cgroup -o none,name=systemd cgroup /sys/fs/cgroup/systemd 2>/dev/null || rmdir /sys/fs/cgroup/systemd
fi
# /proc/sys comes read-only too (the docker SDK cannot ask for systempaths=unconfined); the engine sets
# forwarding and bridge sysctls in the namespaces it makes, so make it writable (CAP_SYS_ADMIN allows it).
mount -o remount,rw /proc/sys 2>/dev/null || true
# Like docker:dind: flags or nothing start dockerd with them; a command (a lab's boot script) runs as is.
if [ "$#" -eq 0 ] || [ "${1#-}" != "$1" ]; then
    set -- dockerd --host unix:///var/run/docker.sock "$@"
fi
exec "$@"
