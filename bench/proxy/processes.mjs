// A benchmark's processes (upstream, proxies): starting them, and what they cost (Linux `/proc`).
import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

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

/** A process's resident memory in MB, or NaN where `/proc` cannot tell. */
export function rssMb(pid) {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024;
  } catch {
    return Number.NaN;
  }
}

/** CPU time of every thread of a process, in ms, or NaN where `/proc` cannot tell. */
export function cpuMs(pid) {
  try {
    let ticks = 0;
    for (const t of readdirSync(`/proc/${pid}/task`)) {
      const stat = readFileSync(`/proc/${pid}/task/${t}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(f[11]) + Number(f[12]);
    }
    return ticks * 10; // USER_HZ is 100 on Linux
  } catch {
    return Number.NaN;
  }
}

/**
 * Per thread of a process, the time it has waited on a run queue for a CPU, in ns (Linux
 * `/proc/<pid>/task/<tid>/schedstat`); empty where `/proc` cannot tell.
 */
export function runQueueWaitNs(pid) {
  const waits = new Map();
  try {
    for (const t of readdirSync(`/proc/${pid}/task`)) {
      const wait = Number(readFileSync(`/proc/${pid}/task/${t}/schedstat`, 'utf8').split(' ')[1]);
      if (Number.isFinite(wait)) waits.set(Number(t), wait);
    }
  } catch {
    // not Linux, or the process is gone
  }
  return waits;
}

/**
 * `--pin` (Linux, `taskset`): this process (the load generator) and, through inheritance, the
 * upstream it starts go on CPU 0; {@link onProxyCpu} puts the proxies on CPU 1.
 */
export function pinLoadGenerator(what = 'the proxies') {
  execFileSync('taskset', ['-a', '-cp', '0', String(process.pid)], { stdio: 'ignore' });
  console.log(`pinned: load generator and upstream on CPU 0, ${what} on CPU 1`);
}

/** A command run on CPU 1 when `pin` (`taskset` execs it: the child's pid is the command's). */
export function onProxyCpu(command, pin) {
  return pin ? ['taskset', '-c', '1', ...command] : command;
}
