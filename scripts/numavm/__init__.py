"""A throwaway multi-NUMA Linux guest (QEMU, TCG) over the host's own files.

topology.py turns a preset name or a spec into QEMU's -smp/-numa arguments, initramfs.py
writes the guest's tiny busybox initramfs, guest.py boots it, runs one command and returns
its output and exit status. scripts/numa_vm.py is the command line.
"""


class GuestError(Exception):
    """The guest cannot run here (no QEMU, no kernel, no boot): the message says why."""
