#!/usr/bin/env bash
# Container metadata live, from a real runtime: podman (Debian's, with runc) runs a container
# from an image imported from a local busybox rootfs (no registry is reachable), its API
# service listens on a private socket, and scapdig captures live asking that socket. The
# container's events must carry the name, image, type and id podman reports, and the capture
# written with -w must replay with the same values (the container event is in the file).
# usage: scapdig_container_live_test.sh SCAPDIG TMPDIR   (exit 77 = skipped: no root or no BTF)
#
# Why runc and cgroupfs: this machine mounts cgroups in hybrid mode (v1 controllers plus an
# unused v2 hierarchy), which crun refuses; and it has no CAP_SYS_RESOURCE, so the container's
# rlimits are set at or below ours instead of podman's defaults (raising them is refused).
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/check.sh"
dig=$1 tmp=$2
skip_unless_live
for tool in podman runc busybox; do
    command -v $tool >/dev/null || { echo "FAIL: $tool is not installed (scripts/install-deps.sh installs it)"; exit 1; }
done
mkdir -p "$tmp"
rm -rf "$tmp"/live.* "$tmp"/replay.* "$tmp/rootfs"
podman=(podman --runtime "$(command -v runc)" --cgroup-manager=cgroupfs)
image=localhost/scapdig-test-busybox:latest
name="scapdig-ct-$$"
sock="$tmp/podman.sock"

# The image: busybox and three applets, imported once.
if ! "${podman[@]}" image exists "$image"; then
    mkdir -p "$tmp/rootfs/bin"
    cp "$(command -v busybox)" "$tmp/rootfs/bin/busybox"
    for a in sh sleep cat; do ln -sf busybox "$tmp/rootfs/bin/$a"; done
    tar -C "$tmp/rootfs" -cf "$tmp/rootfs.tar" . || exit 1
    "${podman[@]}" import "$tmp/rootfs.tar" "$image" >/dev/null || { echo "FAIL: podman import"; exit 1; }
fi

"${podman[@]}" system service --time=0 "unix://$sock" >"$tmp/service.log" 2>&1 &
svc=$!
cleanup() {
    "${podman[@]}" rm -f "$name" >/dev/null 2>&1
    kill $svc 2>/dev/null
    wait $svc 2>/dev/null
}
trap cleanup EXIT
for _ in $(seq 50); do [[ -S $sock ]] && break; sleep 0.1; done

fmt="%proc.name %container.id %container.name %container.image %container.type %container.image.repository %container.image.tag"
filter="container.id != host and proc.name=sleep and evt.type in (nanosleep, clock_nanosleep)"
"$dig" --container-socket "$sock" -p "$fmt" -w "$tmp/live.scap" "$filter" >"$tmp/live.out" 2>"$tmp/live.err" &
dig_pid=$!
wait_attached $dig_pid || echo "scapdig did not attach within 30 s (the checks below say what was missed)"
"${podman[@]}" run --name "$name" --ulimit nofile=1024:1024 --ulimit nproc=4096:4096 "$image" /bin/sleep 2 \
    >"$tmp/run.log" 2>&1
run_rc=$?
id=$("${podman[@]}" inspect --format '{{.Id}}' "$name" 2>/dev/null)
sleep 1
kill -INT $dig_pid
wait $dig_pid
rc=$?

failures=0
check "podman run exit code" 0 "$run_rc"
check "live run exit code" 0 "$rc"
expected="sleep ${id:0:12} $name $image podman localhost/scapdig-test-busybox latest"
check "the container's sleep, with the runtime's metadata" "$expected" "$(sort -u "$tmp/live.out")"
check "summary: the runtime was asked and answered" 1 \
    "$(grep -c '^scapdig: container runtime: [1-9][0-9]* asked, [1-9][0-9]* found, 0 unknown, 0 failed' "$tmp/live.err")"
"$dig" -r "$tmp/live.scap" -p "$fmt" "$filter" >"$tmp/replay.out" 2>"$tmp/replay.err"
check "replay exit code" 0 "$?"
check "replay shows the same container (the written capture holds its event)" \
    "$(cat "$tmp/live.out")" "$(cat "$tmp/replay.out")"
if ((failures)); then
    echo "--- scapdig stderr"; cat "$tmp/live.err"; echo "--- podman run"; cat "$tmp/run.log"
    echo "--- service"; tail -20 "$tmp/service.log"
fi
exit $((failures > 0))
