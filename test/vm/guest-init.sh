#!/bin/busybox sh
# /init of the test guest (busybox initramfs built by make-initramfs.sh). Mounts the kernel's
# filesystems, runs the driver suite once per engine listed in /scap/vm.conf and prints everything
# to the serial console between SCAPVM markers, which the host (boot.sh) parses. Then powers off.
# Exit codes of the suite are printed, never trusted alone: the host reads gtest's own counts.
/bin/busybox --install -s /bin # real binaries already in /bin (true) are kept: symlink() fails on them
export PATH=/bin:/sbin
mkdir -p /proc /sys /dev /tmp /run
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs tmp /tmp
mount -t debugfs debugfs /sys/kernel/debug
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null || mount -t tracefs tracefs /sys/kernel/debug/tracing
mount -t bpf bpf /sys/fs/bpf
mount -t cgroup2 cgroup2 /sys/fs/cgroup
ip link set lo up
hostname scap-vm

. /scap/vm.conf # ENGINES, GTEST_FILTER_<engine>, SUITE_TIMEOUT

echo "SCAPVM-BOOTED kernel=$(uname -r) cpus=$(nproc) mem_kb=$(sed -n 's/^MemTotal: *\([0-9]*\).*/\1/p' /proc/meminfo)"
[ -r /sys/kernel/btf/vmlinux ] && echo "SCAPVM-BTF yes" || echo "SCAPVM-BTF no"

for engine in $ENGINES; do
  echo "SCAPVM-BEGIN engine=$engine"
  start=$(date +%s)
  ok=1
  if [ "$engine" = kmod ]; then
    if ! out=$(insmod /scap/scap_kmod.ko 2>&1); then
      echo "SCAPVM-MODULE-REFUSED $out"
      dmesg | tail -n 20
      ok=0
    fi
  fi
  if [ $ok = 1 ]; then
    eval "filter=\$GTEST_FILTER_$engine"
    SCAP_TEST_ENGINE=$engine timeout "$SUITE_TIMEOUT" /scap/scap_driver_tests --gtest_color=no \
      --gtest_filter="$filter" </dev/null 2>&1
    rc=$?
    # A suite killed from outside (OOM killer, rc 137) leaves no gtest summary: say why.
    [ $rc = 0 ] || dmesg | grep -E 'Out of memory|oom-kill|Killed process' | tail -n 5
    [ $rc = 143 ] || [ $rc = 124 ] && echo "SCAPVM-SUITE-TIMEOUT after ${SUITE_TIMEOUT}s"
    echo "SCAPVM-SUITE-EXIT rc=$rc"
    if [ "$engine" = kmod ]; then
      out=$(rmmod scap_kmod 2>&1) || echo "SCAPVM-RMMOD-FAILED $out"
    fi
  fi
  echo "SCAPVM-END engine=$engine seconds=$(($(date +%s) - start))"
done

# The kernel's own verdict on what the suite did to it: any warning, bug or oops fails the run.
echo "SCAPVM-DMESG-BEGIN"
dmesg | grep -E 'WARNING:|BUG:|Oops|general protection|Call Trace|refcount_t|UBSAN|KASAN|list_(add|del) corruption|soft lockup|hung task' | head -n 60
echo "SCAPVM-DMESG-END"
echo "SCAPVM-DONE"
sync
poweroff -f
