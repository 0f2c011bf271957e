// Start a benchmark's processes (upstream, proxies) and wait until they say where they listen.
import { spawn } from 'node:child_process';

/**
 * Run `command` (program, then arguments) and resolve with the child and the first capture of
 * `match` in its stderr (its URL); reject if it exits first.
 */
export function startListening(command, { env = {}, cwd, match }) {
  return new Promise((resolve, reject) => {
    const child = spawn(command[0], command.slice(1), {
      cwd,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let buf = '';
    child.stderr.on('data', (d) => {
      buf += d;
      const m = match.exec(buf);
      if (m) resolve({ child, url: m[1] });
    });
    child.once('exit', (code) => reject(new Error(`${command.join(' ')} exited with ${code}: ${buf}`)));
  });
}
