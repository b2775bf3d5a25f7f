"""The guest's initramfs: static busybox, the modules that reach the host's files, and /init.

/init loads the virtio, 9p and overlay modules, mounts the host's root file system read-only
over 9p under a tmpfs overlay (so the guest may write anywhere and the host sees none of it),
mounts the caller's working folder and the control folder writable at their own paths (no
tmpfs over /tmp: a checkout or build there must stay visible; the overlay makes it writable),
reserves huge pages per NUMA node, brings up the loopback interface, names the host, runs
/run/numavm/run.sh in that root and powers off.
"""

import os
import stat

from . import GuestError

# What reaches the host's files: modules.dep brings in what these depend on.
WANTED_MODULES = ("virtio_pci", "9pnet_virtio", "9p", "overlay")

INIT = r"""#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
say() { echo "numavm: $*" > /dev/ttyS0; }
for m in $(cat /modules.order); do insmod "/lib/mod/$m" || say "insmod $m failed"; done
mkdir -p /mnt/ro /mnt/rw /mnt/root
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=262144,cache=loose hostroot /mnt/ro \
  || { say "cannot mount the host's root over 9p"; poweroff -f; }
mount -t tmpfs -o mode=0755 tmpfs /mnt/rw
mkdir -p /mnt/rw/upper /mnt/rw/work
mount -t overlay overlay -o lowerdir=/mnt/ro,upperdir=/mnt/rw/upper,workdir=/mnt/rw/work /mnt/root \
  || { say "cannot mount the overlay"; poweroff -f; }
R=/mnt/root
mount -t proc proc $R/proc
mount -t sysfs sys $R/sys
mount -t devtmpfs dev $R/dev
mkdir -p $R/dev/pts $R/dev/shm
mount -t devpts devpts $R/dev/pts
mount -t tmpfs -o mode=1777 tmpfs $R/dev/shm
mount -t tmpfs -o mode=0755 tmpfs $R/run
mount -t cgroup2 cgroup2 $R/sys/fs/cgroup 2>/dev/null
mkdir -p $R/run/numavm
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 control $R/run/numavm \
  || { say "cannot mount the control folder"; poweroff -f; }
WORK=$(cat $R/run/numavm/workdir)
if [ -n "$WORK" ]; then
  mkdir -p "$R$WORK"
  mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 work "$R$WORK" \
    || { say "cannot mount the working folder $WORK"; poweroff -f; }
fi
HUGE=$(cat $R/run/numavm/hugepages)
if [ "$HUGE" -gt 0 ]; then
  mkdir -p $R/dev/hugepages
  mount -t hugetlbfs -o mode=1770 hugetlbfs $R/dev/hugepages
  for n in /sys/devices/system/node/node*; do
    [ "$(sed -n 's/.*MemTotal: *\([0-9]*\).*/\1/p' $n/meminfo)" -gt 0 ] || continue
    echo "$HUGE" > $n/hugepages/hugepages-2048kB/nr_hugepages
  done
fi
hostname numa-guest
echo "127.0.0.1 localhost numa-guest" > $R/etc/hosts
ip link set lo up
echo booted > $R/run/numavm/booted
chroot $R /bin/sh /run/numavm/run.sh > $R/run/numavm/stdout 2> $R/run/numavm/stderr
echo $? > $R/run/numavm/status.tmp && mv $R/run/numavm/status.tmp $R/run/numavm/status
sync
poweroff -f
"""


def kernel_release(kernel):
    """The release of a /boot/vmlinuz-RELEASE kernel (its modules live under that name)."""
    base = os.path.basename(kernel)
    if not base.startswith("vmlinuz-"):
        raise GuestError(f"{kernel}: expected /boot/vmlinuz-RELEASE")
    return base[len("vmlinuz-"):]


def modules_for(release, root="/lib/modules"):
    """The module files to load, in dependency order, from modules.dep and modules.builtin."""
    folder = os.path.join(root, release)
    try:
        with open(os.path.join(folder, "modules.dep")) as f:
            deps = {}
            for line in f:
                target, _, needs = line.partition(":")
                deps[target.strip()] = needs.split()
    except OSError as e:
        raise GuestError(f"cannot read the modules of kernel {release}: {e.strerror} "
                         f"({folder}/modules.dep; install linux-image-amd64)") from None
    by_name = {os.path.basename(p).split(".ko")[0].replace("-", "_"): p for p in deps}
    order = []

    def visit(path):
        for need in reversed(deps.get(path, [])):
            visit(need)
        if path not in order:
            order.append(path)

    for name in WANTED_MODULES:
        path = by_name.get(name)
        if path is None:
            builtin = os.path.join(folder, "modules.builtin")
            try:
                with open(builtin) as f:
                    if any(os.path.basename(l.strip()).split(".ko")[0].replace("-", "_") == name
                           for l in f):
                        continue
            except OSError:
                pass
            raise GuestError(f"kernel {release} has no module {name} (needed to reach the "
                             f"host's files)")
        visit(path)
    return [os.path.join(folder, p) for p in order]


def _read_module(path):
    """A module's bytes, decompressed where the kernel ships it compressed."""
    with open(path, "rb") as f:
        data = f.read()
    if path.endswith(".xz"):
        import lzma
        return lzma.decompress(data)
    if path.endswith(".zst"):
        raise GuestError(f"{path}: zstd-compressed modules are not supported")
    if path.endswith(".gz"):
        import gzip
        return gzip.decompress(data)
    return data


def _cpio_entry(name, mode, data=b"", ino=1):
    name_bytes = name.encode() + b"\0"
    header = "070701" + "".join(f"{v:08X}" for v in (
        ino, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(name_bytes), 0))
    out = header.encode() + name_bytes
    out += b"\0" * (-len(out) % 4)
    out += data + b"\0" * (-len(data) % 4)
    return out


def cpio(entries):
    """A newc cpio archive of (name, mode, data) entries, with its trailer."""
    out = b"".join(_cpio_entry(n, m, d, i + 1) for i, (n, m, d) in enumerate(entries))
    return out + _cpio_entry("TRAILER!!!", 0)


def write(path, kernel, busybox="/bin/busybox"):
    """Write the initramfs for this kernel to path."""
    try:
        with open(busybox, "rb") as f:
            busybox_bytes = f.read()
    except OSError as e:
        raise GuestError(f"cannot read {busybox}: {e.strerror} (install busybox-static)") from None
    modules = modules_for(kernel_release(kernel))
    directory = stat.S_IFDIR | 0o755
    entries = [(d, directory, b"") for d in ("bin", "dev", "proc", "sys", "mnt", "lib", "lib/mod")]
    entries.append(("bin/busybox", stat.S_IFREG | 0o755, busybox_bytes))
    names = []
    for module in modules:
        name = os.path.basename(module).split(".ko")[0] + ".ko"
        names.append(name)
        entries.append((f"lib/mod/{name}", stat.S_IFREG | 0o644, _read_module(module)))
    entries.append(("modules.order", stat.S_IFREG | 0o644, ("\n".join(names) + "\n").encode()))
    entries.append(("init", stat.S_IFREG | 0o755, INIT.encode()))
    with open(path, "wb") as f:
        f.write(cpio(entries))
    return names
