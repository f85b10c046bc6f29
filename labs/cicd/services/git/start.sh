#!/bin/sh
# The git server: a bare repository served by `git daemon` (git://git/shop.git, pushes allowed), and the
# learner's working copy of it in /work/shop. A push runs hooks/post-receive, which tells the CI server.
set -e
git config --global user.name "msalab learner"
git config --global user.email "learner@msalab.invalid"
git config --global init.defaultBranch main
git config --global advice.detachedHead false

git init -q --bare /git/shop.git
mkdir -p /work && cp -r /srv/git/shop /work/shop
cd /work/shop
git init -q
git add -A
git commit -q -m "The shop, as production runs it"

git daemon --reuseaddr --base-path=/git --export-all --enable=receive-pack --informative-errors /git &
daemon=$!
git remote add origin git://localhost/shop.git
until git push -q origin main 2>/dev/null; do sleep 0.2; done
# Installed after the first push: production gets the first commit straight from here, not from the CI.
cp /srv/git/post-receive /git/shop.git/hooks/post-receive
chmod +x /git/shop.git/hooks/post-receive

# Production's slots boot from this image; the registry may still be starting.
seed=$(git rev-parse HEAD)
until python3 ci/ocibuild.py --registry registry:5000 --name shop --tag "$seed" --tag v1 --revision "$seed" app; do
    sleep 0.5
done
touch /tmp/ready
wait $daemon
