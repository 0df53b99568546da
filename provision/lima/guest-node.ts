// Node for the agent in a Lima guest we create. The image's own node is used when it is >= 18;
// otherwise a Lima `provision:` script installs the distro's nodejs package (Ubuntu 24.04: 18.19,
// 26.04: 22.22) and a readiness probe holds `limactl start` until node answers, so a guest that
// can't get one fails at start with the probe's hint instead of later at the agent upload.
// Failing fast: the provision script leaves a failure marker (and prints it, so it reaches the
// serial console through cloud-init's output), and the probe fails at once when it finds one.
// The probe's own wait is short: Lima retries a readiness probe 200 times, 3 s apart
// (pkg/hostagent/requirements.go waitForRequirements), so a long loop inside would multiply.
// The script leaves a note when it installed node, so the run can say where node came from.
import { MIN_GUEST_NODE_MAJOR } from '../agent-upload.ts'

/** Written by the provision script only when it installed node (read back for environment.json). */
export const NODE_SOURCE_FILE = '/var/lib/limafs/node-source'
/** Written by the provision script when it could not provide node: the probe reports it and fails. */
export const NODE_FAILED_FILE = '/var/lib/limafs/node-provision-failed'
/** The provision script's failure line starts with this; limafs watches the instance's logs for it during `limactl start`. */
export const PROVISION_FAILED_MARK = 'LIMAFS-PROVISION-FAILED:'
/** Seconds the probe waits itself before failing (Lima tries it again). */
const PROBE_WAIT_S = 10
/** Ubuntu's first boot may hold the dpkg lock (unattended-upgrades): apt waits for it instead of failing. */
const APT = 'apt-get -o DPkg::Lock::Timeout=600'

const nodeIsNewEnough = `command -v node >/dev/null 2>&1 && [ "$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)" -ge ${MIN_GUEST_NODE_MAJOR} ]`

/** A `mode: system` provision script: idempotent (Lima runs it on every boot), installs only when needed. */
export function nodeProvisionScript(): string {
  const dir = NODE_SOURCE_FILE.slice(0, NODE_SOURCE_FILE.lastIndexOf('/'))
  return `#!/bin/sh
# limafs: the agent needs Node >= ${MIN_GUEST_NODE_MAJOR}. Install the distro's nodejs only when the image has none that new.
set -u
mkdir -p ${dir}
rm -f ${NODE_FAILED_FILE}
if ${nodeIsNewEnough}; then exit 0; fi
# The mark is split in this source so that only a real failure prints it whole.
fail() { echo "${PROVISION_FAILED_MARK.slice(0, 8)}""${PROVISION_FAILED_MARK.slice(8)} $*" | tee ${NODE_FAILED_FILE} >&2; exit 1; }
if command -v apt-get >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  ${APT} update -q || fail "apt-get update failed (the guest's network? see /var/log/cloud-init-output.log)"
  ${APT} install -y -q --no-install-recommends nodejs || fail "apt-get install nodejs failed (see /var/log/cloud-init-output.log)"
elif command -v dnf >/dev/null 2>&1; then
  dnf install -y nodejs || fail "dnf install nodejs failed"
elif command -v apk >/dev/null 2>&1; then
  apk add --no-cache nodejs || fail "apk add nodejs failed"
elif command -v zypper >/dev/null 2>&1; then
  zypper --non-interactive install nodejs || fail "zypper install nodejs failed"
else
  fail "no package manager found to install nodejs"
fi
${nodeIsNewEnough} || fail "the distro's nodejs is $(node --version 2>/dev/null || echo missing), older than ${MIN_GUEST_NODE_MAJOR}: use a newer image (Ubuntu 24.04 or later)"
echo "distro package, installed by limafs's provision script: $(node --version)" > ${NODE_SOURCE_FILE}
`
}

/** A readiness probe: fails at once on the provision script's marker, else waits a little for node. */
export function nodeProbeScript(): string {
  return `#!/bin/sh
# limafs: Node >= ${MIN_GUEST_NODE_MAJOR} from the provision script; Lima retries this probe, so it waits only ${PROBE_WAIT_S} s itself.
i=0
until ${nodeIsNewEnough}; do
  if [ -f ${NODE_FAILED_FILE} ]; then cat ${NODE_FAILED_FILE} >&2; exit 1; fi
  i=$((i + 1))
  if [ $i -ge ${PROBE_WAIT_S} ]; then echo "no node >= ${MIN_GUEST_NODE_MAJOR} in the guest yet" >&2; exit 1; fi
  sleep 1
done
`
}

export const NODE_PROBE_HINT = `the guest has no Node >= ${MIN_GUEST_NODE_MAJOR} and could not install one: use an image whose distro ships one (Ubuntu 24.04 or later) or check the guest's network (limactl shell INSTANCE sudo cat /var/log/cloud-init-output.log)`
