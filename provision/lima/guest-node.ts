// Node for the agent in a Lima guest we create. The image's own node is used when it is >= 18;
// otherwise a Lima `provision:` script installs the distro's nodejs package (Ubuntu 24.04: 18.19,
// 26.04: 22.22) and a readiness probe holds `limactl start` until node answers, so a guest that
// can't get one fails at start with the probe's hint instead of later at the agent upload.
// The script leaves a note when it installed node, so the run can say where node came from.
import { MIN_GUEST_NODE_MAJOR } from '../agent-upload.ts'

/** Written by the provision script only when it installed node (read back for environment.json). */
export const NODE_SOURCE_FILE = '/var/lib/limafs/node-source'

const nodeIsNewEnough = `command -v node >/dev/null 2>&1 && [ "$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)" -ge ${MIN_GUEST_NODE_MAJOR} ]`

/** A `mode: system` provision script: idempotent (Lima runs it on every boot), installs only when needed. */
export function nodeProvisionScript(): string {
  return `#!/bin/sh
# limafs: the agent needs Node >= ${MIN_GUEST_NODE_MAJOR}. Install the distro's nodejs only when the image has none that new.
set -eu
if ${nodeIsNewEnough}; then exit 0; fi
if command -v apt-get >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends nodejs
elif command -v dnf >/dev/null 2>&1; then
  dnf install -y nodejs
elif command -v apk >/dev/null 2>&1; then
  apk add --no-cache nodejs
elif command -v zypper >/dev/null 2>&1; then
  zypper --non-interactive install nodejs
else
  echo "limafs: no package manager found to install nodejs" >&2
  exit 1
fi
mkdir -p ${NODE_SOURCE_FILE.slice(0, NODE_SOURCE_FILE.lastIndexOf('/'))}
echo "distro package, installed by limafs's provision script: $(node --version)" > ${NODE_SOURCE_FILE}
`
}

/** A readiness probe: \`limactl start\` fails with the hint when node never shows up. */
export function nodeProbeScript(): string {
  return `#!/bin/sh
# limafs: wait for the provision script's node (>= ${MIN_GUEST_NODE_MAJOR}); up to 15 minutes under TCG.
i=0
until ${nodeIsNewEnough}; do
  i=$((i + 1))
  if [ $i -gt 900 ]; then echo "no node >= ${MIN_GUEST_NODE_MAJOR} in the guest" >&2; exit 1; fi
  sleep 1
done
`
}

export const NODE_PROBE_HINT = `the guest has no Node >= ${MIN_GUEST_NODE_MAJOR} and could not install one: use an image whose distro ships one (Ubuntu 24.04 or later) or check the guest's network (limactl shell INSTANCE sudo cat /var/log/cloud-init-output.log)`
