#!/usr/bin/python3
"""Run a command in a throwaway multi-NUMA Linux guest over this machine's files."""

import argparse
import os
import signal
import sys

sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))

from numavm import GuestError, guest, topology  # noqa: E402

EPILOG = """topologies (--topology NAME):
{presets}
or a spec: space-separated key=value fields
  packages=P cores=C threads=T   per package, per core (default 2 2 1)
  nodes=N                        NUMA nodes (default: one per package)
  cpus=0-1/2-3/                  each node's CPUs, '/'-separated; empty: a memory-only node
  mem=384/0/256                  each node's memory in MiB; 0: CPUs without memory (default 384)
  distances=10,20/20,10          the distance matrix, rows '/'-separated (default 10 / 20)

The guest (QEMU with TCG, Debian's kernel from /boot, a busybox initramfs) sees this machine's
root file system read-only with a throwaway overlay, the current folder writable at its own
path, and this environment; it has no network. The command's output streams back; its exit
status is this command's. Boot takes about 10 s here; the emulated CPUs run 50-100x slower than
this machine's, so the guest shows where ranks and pages are, never how fast they go.

exit status: the command's; 124 the timeout ended it; 125 the guest cannot run here (the reason
is printed); 2 a wrong option.

examples:
  numa_vm.py -- shmcount --domains
  numa_vm.py --topology four-nodes-smt -- mpirun -np 4 --oversubscribe shmcount --pin scatter
  numa_vm.py --topology 'packages=2 cores=1 nodes=2 distances=10,32/32,10' -- numactl -H
  numa_vm.py --hugepages 8 -- numactl -H      # 8 huge pages of 2 MiB reserved on each node
"""


def main(argv=None):
    presets = "\n".join(f"  {name:15} {description}"
                        for name, (_, description) in topology.PRESETS.items())
    parser = argparse.ArgumentParser(
        prog="numa_vm.py", description=__doc__,
        epilog=EPILOG.format(presets=presets),
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--topology", default="two-packages",
                        help="a preset name or a spec (below) [two-packages]")
    parser.add_argument("--hugepages", type=int, default=0, metavar="N",
                        help="2 MiB huge pages to reserve on each NUMA node with memory [0]")
    parser.add_argument("--timeout", type=float, default=600, metavar="SECONDS",
                        help="end the guest after this long, boot included (exit 124) [600]")
    parser.add_argument("--kernel", metavar="PATH",
                        help="the kernel to boot [the newest /boot/vmlinuz-* with modules]")
    parser.add_argument("--quiet", action="store_true",
                        help="print only the command's output and errors")
    parser.add_argument("--show", action="store_true",
                        help="print the topology and exit without booting")
    parser.add_argument("command", nargs="*", help="the command to run in the guest")
    args = parser.parse_args(argv)
    try:
        chosen = topology.build(args.topology)
    except topology.TopologyError as e:
        parser.error(f"--topology: {e}")
    if args.hugepages < 0 or args.hugepages > 512:
        parser.error(f"--hugepages {args.hugepages}: allowed 0 to 512 per node")
    if args.timeout <= 0:
        parser.error("--timeout: must be more than 0 seconds")
    if args.show:
        print(f"{chosen.name}: {chosen.summary()}")
        return 0
    if not args.command:
        parser.error("no command to run (put it after --)")

    def log(text):
        if not args.quiet:
            print(f"numa_vm: {text}", file=sys.stderr, flush=True)

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        result = guest.run(args.command, chosen, hugepages=args.hugepages,
                           timeout=args.timeout, kernel=args.kernel, log=log)
    except GuestError as e:
        print(f"numa_vm: the guest cannot run here: {e}", file=sys.stderr)
        return 125
    if result.status == 124 and result.total_s >= args.timeout:
        print(f"numa_vm: timed out after {args.timeout:g} s (boot included); the guest is gone",
              file=sys.stderr)
    else:
        boot = f"{result.boot_s:.1f}" if result.boot_s is not None else "?"
        log(f"the command exited {result.status}; {result.total_s:.1f} s with the boot "
            f"({boot} s); the guest is gone")
    return result.status


if __name__ == "__main__":
    sys.exit(main())
