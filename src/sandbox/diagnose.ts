/**
 * Why the sandbox could not start, in words a developer can act on, and what goes unenforced
 * without it (`--no-sandbox`).
 */
import { spawn } from 'node:child_process';

/** What `airlock run --no-sandbox` does not enforce (printed before the agent starts). */
export const NOT_ENFORCED: readonly string[] = [
  'writes outside the workspace (~/.bashrc, other projects) through anything the hooks do not see: node -e, make, scripts the agent wrote',
  "Airlock's own files, hook configuration, .git/hooks and snapshot refs being changed the same way",
  'secrets (.env, ~/.ssh, ~/.aws, other agents\' credentials) being read the same way',
  'the network: any host can be reached',
];

/** Runs bubblewrap's smallest sandbox and explains its error. */
export function diagnoseBwrap(bwrap: string): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn(bwrap, ['--unshare-all', '--unshare-user', '--disable-userns', '--die-with-parent', '--ro-bind', '/', '/', '--', '/bin/true'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', (e) => resolve(`bubblewrap (${bwrap}) could not be run: ${e.message}`));
    child.on('exit', (code) => {
      const msg = err.trim();
      if (code === 0) {
        resolve('bubblewrap itself works here; the sandbox failed while setting up its mounts (see the message above).');
      } else if (/namespace|uid map|Operation not permitted|Permission denied|No space left/i.test(msg)) {
        resolve(
          `bubblewrap cannot create the sandbox's namespaces here (${msg || `exit ${code}`}). User namespaces must be usable: ` +
            'on Debian `sysctl kernel.unprivileged_userns_clone=1`; on Ubuntu 24.04 and later allow them for bwrap (an AppArmor profile, or `sysctl kernel.apparmor_restrict_unprivileged_userns=0`); ' +
            'in a container, run it with user namespaces allowed. Or run the agent with --no-sandbox (and see what is then not enforced).',
        );
      } else {
        resolve(`bubblewrap failed: ${msg || `exit ${code}`}. Or run the agent with --no-sandbox (and see what is then not enforced).`);
      }
    });
  });
}
