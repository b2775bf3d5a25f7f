"""Boot a guest, run one command in it over the host's files, return its output and status.

The guest sees the host's root read-only (with a throwaway overlay it may write to), the
caller's working folder writable at its own path, and the caller's environment. It has no
network device. Everything the run makes on the host lives in one temporary folder that is
removed at the end, however the run ends.
"""

import glob
import os
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from . import GuestError, initramfs, topology as topo

# The kernel's command line: the serial console, quiet, no automatic page migration (it would
# move the pages a test reads back), and nothing that waits for devices the guest lacks.
KERNEL_ARGS = ("console=ttyS0 quiet loglevel=3 panic=-1 numa_balancing=disable mitigations=off "
               "transparent_hugepage=madvise tsc=reliable no_timer_check random.trust_cpu=on")

# A CPU model whose CPUID describes the topology (threads of a core included): QEMU 7.2's "max"
# under TCG shows every thread as a core of its own. TCG leaves out what it cannot emulate.
CPU_MODEL = "Skylake-Server"

# Variables of the caller's environment the guest does not take: they describe the host's
# session, not the guest's.
NOT_PASSED = {"PWD", "OLDPWD", "SHLVL", "_", "HOSTNAME", "TMUX", "SSH_AUTH_SOCK", "DISPLAY"}


def default_kernel():
    """The newest /boot/vmlinuz-* that has its modules installed."""
    kernels = sorted(glob.glob("/boot/vmlinuz-*"), key=os.path.getmtime, reverse=True)
    for kernel in kernels:
        if os.path.isdir(os.path.join("/lib/modules", initramfs.kernel_release(kernel))):
            return kernel
    raise GuestError("no kernel in /boot with its modules (install linux-image-amd64)")


def find_qemu():
    qemu = shutil.which("qemu-system-x86_64")
    if qemu is None:
        raise GuestError("qemu-system-x86_64 is not installed (install qemu-system-x86)")
    return qemu


def _run_script(command, workdir, env):
    lines = ["# written by shmcount's numa_vm: the caller's environment and command"]
    for key, value in sorted(env.items()):
        if key in NOT_PASSED or not key.replace("_", "a").isalnum() or key[0].isdigit():
            continue
        lines.append(f"export {key}={shlex.quote(value)}")
    lines.append("export HOSTNAME=numa-guest")
    lines.append(f"cd {shlex.quote(workdir)} || exit 125")
    lines.append("exec " + " ".join(shlex.quote(a) for a in command))
    return "\n".join(lines) + "\n"


class Result:
    def __init__(self, status, boot_s, total_s):
        self.status, self.boot_s, self.total_s = status, boot_s, total_s


def _forward(path, offset, stream):
    """Copy what was added to path since offset to stream; the new offset."""
    try:
        with open(path, "rb") as f:
            f.seek(offset)
            data = f.read()
    except OSError:
        return offset
    if data:
        stream.buffer.write(data)
        stream.flush()
    return offset + len(data)


def run(command, topology, hugepages=0, timeout=600, kernel=None, workdir=None, env=None,
        log=None):
    """Boot topology, run command (a list) in workdir, stream its stdout and stderr to ours.

    Returns a Result; status 124 when the timeout ended it. GuestError when the guest cannot
    run here, with the reason and the tail of the guest's console.
    """
    qemu = find_qemu()
    kernel = kernel or default_kernel()
    workdir = os.path.realpath(workdir or os.getcwd())
    env = dict(os.environ if env is None else env)
    start = time.monotonic()
    control = tempfile.mkdtemp(prefix="numavm-")
    process = None
    try:
        initrd = os.path.join(control, "initrd.cpio")
        initramfs.write(initrd, kernel)
        with open(os.path.join(control, "run.sh"), "w") as f:
            f.write(_run_script(command, workdir, env))
        with open(os.path.join(control, "workdir"), "w") as f:
            f.write(workdir + "\n")
        with open(os.path.join(control, "hugepages"), "w") as f:
            f.write(f"{int(hugepages)}\n")
        console = os.path.join(control, "console.log")
        share = "security_model=none,multidevs=remap"
        args = [qemu, "-nodefaults", "-no-user-config", "-nographic", "-no-reboot",
                "-machine", "q35", "-accel", "tcg,thread=multi", "-cpu", CPU_MODEL,
                *topo.qemu_args(topology),
                "-kernel", kernel, "-initrd", initrd, "-append", KERNEL_ARGS,
                "-serial", f"file:{console}", "-monitor", "none",
                "-virtfs", f"local,path=/,mount_tag=hostroot,readonly=on,{share}",
                "-virtfs", f"local,path={control},mount_tag=control,{share}",
                "-virtfs", f"local,path={workdir},mount_tag=work,{share}"]
        if log:
            log(f"booting {topology.name}: {topology.summary()}")
        process = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, start_new_session=True)
        out_offset = err_offset = 0
        boot_s = None
        timed_out = False
        while True:
            done = process.poll() is not None
            if boot_s is None and os.path.exists(os.path.join(control, "booted")):
                boot_s = time.monotonic() - start
                if log:
                    log(f"booted in {boot_s:.1f} s; running {' '.join(command)}")
            out_offset = _forward(os.path.join(control, "stdout"), out_offset, sys.stdout)
            err_offset = _forward(os.path.join(control, "stderr"), err_offset, sys.stderr)
            if done:
                break
            if time.monotonic() - start > timeout:
                timed_out = True
                break
            time.sleep(0.2)
        if timed_out:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            return Result(124, boot_s, time.monotonic() - start)
        qemu_text = process.stdout.read().decode(errors="replace").strip()
        status_file = os.path.join(control, "status")
        if not os.path.exists(status_file):
            tail = ""
            try:
                with open(console, errors="replace") as f:
                    tail = "".join(f.readlines()[-15:]).strip()
            except OSError:
                pass
            why = qemu_text or tail or "no output"
            raise GuestError(f"the guest ended before the command did (QEMU status "
                             f"{process.returncode}): {why}")
        with open(status_file) as f:
            text = f.read().strip()
        if not text.isdigit():
            raise GuestError(f"the guest wrote no exit status ('{text[:40]}')")
        status = int(text)
        return Result(status, boot_s, time.monotonic() - start)
    finally:
        if process is not None and process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        shutil.rmtree(control, ignore_errors=True)
