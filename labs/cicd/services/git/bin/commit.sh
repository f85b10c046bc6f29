#!/bin/sh
# commit.sh STAGE BRANCH MESSAGE [push | build]
# Make a commit on BRANCH (started from main) out of the files in folder STAGE, then
#   push:       push it to the git server (the CI builds it), or
#   build:      build its image straight into the registry, tagged by the commit, without the CI (a prepared
#               release, as if an earlier pipeline had built it).
# Prints the commit's id (and, for build, the image's digest on a second line).
set -e
stage=$1 branch=$2 message=$3 mode=${4:-push}
cd /work/shop
git checkout -q -f -B "$branch" origin/main
cp -r "$stage"/. .
rm -rf "$stage"
git add -A
git commit -q --allow-empty -m "$message"
sha=$(git rev-parse HEAD)
if [ "$mode" = push ]; then
    git push -q -f origin "HEAD:refs/heads/$branch" >/dev/null 2>&1
    echo "$sha"
else
    out=$(python3 ci/ocibuild.py --registry registry:5000 --name shop --tag "$sha" --revision "$sha" app)
    echo "$sha"
    echo "${out#*@}" | cut -d' ' -f1
fi
git checkout -q -f -B main origin/main
