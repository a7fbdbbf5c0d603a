/**
 * The seccomp filter of Airlock's sandbox, as a classic BPF program bubblewrap loads (`--seccomp FD`).
 * It refuses, with EPERM, what mounts cannot stop:
 * - creating Unix sockets (unless the policy allows them): with none, a sandboxed program cannot
 *   reach Docker, D-Bus (systemd-run), tmux, ssh-agent or VS Code's IPC through a socket file;
 * - TIOCSTI and TIOCLINUX on a terminal: typing commands into the user's shell after the agent exits;
 * - io_uring (it creates sockets and opens files past these checks);
 * - the kernel keyring calls (the user's session keyring holds other programs' secrets).
 * 32-bit compatibility calls get the same treatment (on x86 every socket call, since socketcall
 * hides its arguments); x32 calls and unknown architectures are refused outright. Pure: no I/O.
 */

const BPF_LD_W_ABS = 0x20;
const BPF_JEQ_K = 0x15;
const BPF_JGE_K = 0x35;
const BPF_RET_K = 0x06;

const RET_ALLOW = 0x7fff0000;
const RET_KILL_PROCESS = 0x80000000;
const RET_ERRNO = 0x00050000;
const EPERM = 1;
const ENOSYS = 38;

const OFF_NR = 0;
const OFF_ARCH = 4;
/** Low 32 bits of argument i (little-endian), which is all the kernel reads of an int argument. */
const offArg = (i: number) => 16 + 8 * i;

const AF_UNIX = 1;
const TIOCSTI = 0x5412;
const TIOCLINUX = 0x541c;

interface ArchCalls {
  readonly arch: number;
  readonly socket: number;
  readonly ioctl: number;
  readonly ioUringSetup: number;
  readonly keyCalls: readonly number[];
  /** i386's multiplexed socketcall(2): its arguments cannot be inspected, so it is refused. */
  readonly socketcall?: number;
  /** x86_64: calls with this bit set are x32 calls. */
  readonly x32Bit?: number;
}

const X86_64: ArchCalls = { arch: 0xc000003e, socket: 41, ioctl: 16, ioUringSetup: 425, keyCalls: [248, 249, 250], x32Bit: 0x40000000 };
const I386: ArchCalls = { arch: 0x40000003, socket: 359, ioctl: 54, ioUringSetup: 425, keyCalls: [286, 287, 288], socketcall: 102 };
const AARCH64: ArchCalls = { arch: 0xc00000b7, socket: 198, ioctl: 29, ioUringSetup: 425, keyCalls: [217, 218, 219] };
const ARM: ArchCalls = { arch: 0x40000028, socket: 281, ioctl: 54, ioUringSetup: 425, keyCalls: [309, 310, 311] };

/** The architectures a filter for this machine covers: the native one first, then its 32-bit one. */
export function archCallsFor(nodeArch: string): readonly ArchCalls[] | undefined {
  switch (nodeArch) {
    case 'x64':
      return [X86_64, I386];
    case 'arm64':
      return [AARCH64, ARM];
    default:
      return undefined;
  }
}

type Insn = { op: number; k: number; jt?: string; jf?: string } | { label: string };

export interface SeccompOptions {
  /** Refuse creating Unix sockets (the default). */
  readonly blockUnixSockets: boolean;
  /** `process.arch`; default this process's. */
  readonly arch?: string;
}

/**
 * The filter as bytes (struct sock_filter[], host byte order), or undefined on an architecture it
 * does not know (the caller refuses to start the sandbox then).
 */
export function seccompFilter(opts: SeccompOptions): Buffer | undefined {
  const arches = archCallsFor(opts.arch ?? process.arch);
  if (!arches) {
    return undefined;
  }
  const prog: Insn[] = [{ op: BPF_LD_W_ABS, k: OFF_ARCH }];
  arches.forEach((a, i) => prog.push({ op: BPF_JEQ_K, k: a.arch, jt: `arch${i}` }));
  prog.push({ op: BPF_RET_K, k: RET_KILL_PROCESS });
  arches.forEach((a, i) => {
    prog.push({ label: `arch${i}` }, { op: BPF_LD_W_ABS, k: OFF_NR });
    if (a.x32Bit !== undefined) {
      prog.push({ op: BPF_JGE_K, k: a.x32Bit, jt: 'enosys' });
    }
    if (a.socketcall !== undefined) {
      prog.push({ op: BPF_JEQ_K, k: a.socketcall, jt: opts.blockUnixSockets ? 'eperm' : 'allow' });
    }
    prog.push({ op: BPF_JEQ_K, k: a.socket, jt: opts.blockUnixSockets ? 'socket' : 'allow' });
    prog.push({ op: BPF_JEQ_K, k: a.ioctl, jt: 'ioctl' });
    for (const nr of [a.ioUringSetup, ...a.keyCalls]) {
      prog.push({ op: BPF_JEQ_K, k: nr, jt: 'eperm' });
    }
    prog.push({ op: BPF_RET_K, k: RET_ALLOW });
  });
  prog.push(
    { label: 'socket' },
    { op: BPF_LD_W_ABS, k: offArg(0) },
    { op: BPF_JEQ_K, k: AF_UNIX, jt: 'eperm' },
    { op: BPF_RET_K, k: RET_ALLOW },
    { label: 'ioctl' },
    { op: BPF_LD_W_ABS, k: offArg(1) },
    { op: BPF_JEQ_K, k: TIOCSTI, jt: 'eperm' },
    { op: BPF_JEQ_K, k: TIOCLINUX, jt: 'eperm' },
    { label: 'allow' },
    { op: BPF_RET_K, k: RET_ALLOW },
    { label: 'eperm' },
    { op: BPF_RET_K, k: RET_ERRNO | EPERM },
    { label: 'enosys' },
    { op: BPF_RET_K, k: RET_ERRNO | ENOSYS },
  );
  return assemble(prog);
}

/** Resolves labels into relative jumps (a jump not taken falls through). */
function assemble(prog: readonly Insn[]): Buffer {
  const code = prog.filter((i): i is Exclude<Insn, { label: string }> => !('label' in i));
  const labels = new Map<string, number>();
  let n = 0;
  for (const i of prog) {
    if ('label' in i) {
      labels.set(i.label, n);
    } else {
      n++;
    }
  }
  const buf = Buffer.alloc(code.length * 8);
  const little = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
  code.forEach((insn, pc) => {
    const rel = (label: string | undefined) => {
      if (label === undefined) {
        return 0;
      }
      const target = labels.get(label);
      if (target === undefined || target <= pc || target - pc - 1 > 255) {
        throw new Error(`seccomp: bad jump to ${label} at ${pc}`);
      }
      return target - pc - 1;
    };
    const o = pc * 8;
    if (little) {
      buf.writeUInt16LE(insn.op, o);
      buf.writeUInt32LE(insn.k >>> 0, o + 4);
    } else {
      buf.writeUInt16BE(insn.op, o);
      buf.writeUInt32BE(insn.k >>> 0, o + 4);
    }
    buf.writeUInt8(rel(insn.jt), o + 2);
    buf.writeUInt8(rel(insn.jf), o + 3);
  });
  return buf;
}
