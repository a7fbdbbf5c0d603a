/** The machine itself: disks, processes, power, services, scheduling, firewall, users, mounts. */
import { has, parseArgs } from '../args';
import { finding } from '../model';
import { add, known, words } from './common';
import type { Handler } from './common';

export const mkfs: Handler = (inv, out) => {
  known(out);
  add(out, finding('system', 'catastrophic', 'system.mkfs', `formats a disk or partition (${inv.program}), erasing everything on it`));
};

const diskTool: Handler = (inv, out) => {
  known(out);
  const ro = inv.argv.some((w) => ['-l', '--list', 'print', '-p', '--print'].includes(w.value));
  if (!ro) {
    add(out, finding('system', 'catastrophic', 'system.partition', `changes disk partitions or signatures (${inv.program}), which can erase a whole disk`));
  } else {
    out.knowledge = 'harmless';
  }
};

const kill: Handler = (inv, out) => {
  known(out);
  const p = parseArgs(inv.argv.slice(1).filter((w) => !/^-([A-Z][A-Z0-9+-]*|\d+)$/.test(w.value) || w.value === '-1'), ['s', 'n']);
  const targets = p.operands.map((w) => w.value);
  const all = inv.argv.slice(1).some((w) => w.value === '-1') && (targets.length === 0 || targets.includes('-1'));
  if (has(p, 'l', 'L')) {
    out.knowledge = 'harmless';
    return;
  }
  if (targets.length && targets.every((t) => /^%\d*$/.test(t))) {
    out.knowledge = 'harmless';
    return;
  }
  if (targets.includes('1') || all || targets.includes('-1')) {
    add(out, finding('system', 'catastrophic', 'system.kill-init', targets.includes('1') ? 'kills process 1 (init), which brings the whole system down' : 'kills every process you can signal (kill -1)'));
  } else {
    add(out, finding('system', 'caution', 'system.kill', `stops running processes (${targets.join(' ') || 'pids from input'})`));
  }
};

const pkill: Handler = (inv, out) => {
  known(out);
  const ops = parseArgs(inv.argv.slice(1), ['s', 'signal', 'u', 'U', 'g', 'G', 'P', 't']).operands.map((w) => w.value);
  if (ops.some((o) => /^(init|systemd|launchd|sshd|kernel_task|-1)$/.test(o)) || (inv.program === 'killall5')) {
    add(out, finding('system', 'catastrophic', 'system.kill-init', 'kills a process the whole system depends on'));
  } else {
    add(out, finding('system', 'caution', 'system.kill', `stops running processes matching ${ops.join(' ')}`));
  }
};

const power: Handler = (inv, out) => {
  known(out);
  if (inv.program === 'shutdown' && inv.argv.some((w) => w.value === '-c')) {
    return;
  }
  add(out, finding('system', 'destructive', 'system.shutdown', `${inv.program === 'reboot' ? 'restarts' : 'shuts down'} the machine, ending all running work`));
};

const crontab: Handler = (inv, out) => {
  known(out);
  const p = parseArgs(inv.argv.slice(1), ['u']);
  if (has(p, 'r')) {
    add(out, finding('system', 'destructive', 'system.crontab-remove', 'deletes all your scheduled cron jobs (crontab -r)'));
  } else if (has(p, 'l')) {
    out.knowledge = 'harmless';
  } else {
    add(out, finding('system', 'caution', 'system.crontab-write', 'replaces your scheduled cron jobs, a way to run programs later without asking'));
  }
};

const systemctl: Handler = (inv, out) => {
  known(out);
  const ops = parseArgs(inv.argv.slice(1), ['H', 'host', 'M', 'p', 'property', 't', 'type', 'n', 'lines', 'o', 'output', 's', 'signal']).operands.map((w) => w.value);
  const verb = ops[0] ?? '';
  if (/^(status|show|list-units|list-unit-files|is-active|is-enabled|is-failed|cat|list-timers|help|list-dependencies)$/.test(verb) || !verb) {
    out.knowledge = 'harmless';
  } else if (/^(poweroff|reboot|halt|kexec|suspend|hibernate|rescue|emergency)$/.test(verb)) {
    add(out, finding('system', 'destructive', 'system.shutdown', `${verb}s the machine, ending all running work`));
  } else {
    add(out, finding('system', 'caution', 'system.service', `changes system services (systemctl ${ops.join(' ')})`));
  }
};

const initCmd: Handler = (inv, out) => {
  known(out);
  if (['0', '6', '1', 's', 'S'].includes(inv.argv[1]?.value ?? '')) {
    add(out, finding('system', 'destructive', 'system.shutdown', 'changes the run level: shuts down or restarts the machine'));
  }
};

const firewall: Handler = (inv, out) => {
  known(out);
  if (inv.argv.some((w) => /^(-L|--list|-S|--list-rules|status|list|show)$/.test(w.value))) {
    out.knowledge = 'harmless';
    return;
  }
  const flush = inv.argv.some((w) => /^(-F|--flush|-X|flush|disable|reset)$/.test(w.value));
  add(out, finding('system', flush ? 'destructive' : 'caution', 'system.firewall', `${flush ? 'flushes' : 'changes'} the firewall rules (${inv.program})`));
};

const iptablesLike = firewall;

const userAdmin: Handler = (inv, out) => {
  known(out);
  add(out, finding('privilege', 'destructive', 'privilege.user-admin', `changes user accounts or passwords (${inv.program})`));
};

const mountCmd: Handler = (inv, out) => {
  known(out);
  if (inv.argv.length === 1 || inv.argv.every((w, i) => i === 0 || w.value.startsWith('-l'))) {
    out.knowledge = 'harmless';
    return;
  }
  add(out, finding('system', 'caution', 'system.mount', `mounts or unmounts file systems (${inv.program})`));
};

const sysctlCmd: Handler = (inv, out) => {
  known(out);
  if (inv.argv.some((w) => w.value === '-w' || w.value.includes('='))) {
    add(out, finding('system', 'caution', 'system.sysctl', 'changes kernel parameters'));
  } else {
    out.knowledge = 'harmless';
  }
};

const wipe: Handler = (inv, out) => {
  known(out);
  add(out, finding('system', 'catastrophic', 'system.wipe', `erases disks or file systems (${inv.program})`));
};

const chattr: Handler = (_inv, out) => {
  known(out);
  add(out, finding('system', 'caution', 'system.chattr', 'changes file attributes (immutable/append-only)'));
};

const historyClear: Handler = (inv, out) => {
  out.knowledge = 'harmless';
  if (inv.argv.some((w) => w.value === '-c' || w.value === '-w')) {
    known(out);
  }
};

const at: Handler = (inv, out) => {
  known(out);
  add(out, finding('system', 'caution', 'system.schedule', `schedules a command to run later (${inv.program}), outside Airlock's view`));
};

export const SYSTEM_HANDLERS: Record<string, Handler> = {
wipe,
  chattr,
  fdisk: diskTool,
  sfdisk: diskTool,
  gdisk: diskTool,
  sgdisk: diskTool,
  parted: diskTool,
  cfdisk: diskTool,
  wipefs: wipe,
  diskutil: (inv, out) => {
    known(out);
    if (/erase|partition|reformat|zero|secureErase|apfs delete/i.test(words(inv.argv.slice(1)).join(' '))) {
      add(out, finding('system', 'catastrophic', 'system.diskutil-erase', 'erases or repartitions a disk'));
    } else {
      out.knowledge = 'harmless';
    }
  },
  kill,
  pkill,
  killall: pkill,
  killall5: pkill,
  shutdown: power,
  reboot: power,
  halt: power,
  poweroff: power,
  init: initCmd,
  telinit: initCmd,
  systemctl,
  service: (inv, out) => {
    known(out);
    if (/\b(stop|restart|reload|start|disable)\b/.test(words(inv.argv).join(' '))) {
      add(out, finding('system', 'caution', 'system.service', `changes system services (${words(inv.argv).join(' ')})`));
    } else {
      out.knowledge = 'harmless';
    }
  },
  launchctl: systemctl,
  crontab,
  at,
  batch: at,
  iptables: iptablesLike,
  ip6tables: iptablesLike,
  ufw: iptablesLike,
  nft: iptablesLike,
  'firewall-cmd': iptablesLike,
  useradd: userAdmin,
  userdel: userAdmin,
  usermod: userAdmin,
  passwd: userAdmin,
  chpasswd: userAdmin,
  groupadd: userAdmin,
  groupdel: userAdmin,
  visudo: userAdmin,
  mount: mountCmd,
  umount: mountCmd,
  swapoff: mountCmd,
  swapon: mountCmd,
  sysctl: sysctlCmd,
  modprobe: sysctlCmd,
  insmod: sysctlCmd,
  rmmod: sysctlCmd,
  renice: (_i, out) => {
    out.knowledge = 'harmless';
  },
  history: historyClear,
};
