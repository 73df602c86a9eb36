import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import type { AppConfig } from '../config/types.js';
import { childEnv } from '../topology/env.js';
import type { Placement } from '../topology/placement.js';
import type { Fingerprint } from './types.js';

const VERSIONS_PY = `
import json, platform
from importlib import metadata
def v(name):
    try:
        return metadata.version(name)
    except Exception:
        return None
print(json.dumps({"python": platform.python_version(), "flask": v("flask"), "gunicorn": v("gunicorn")}))
`;

interface PythonVersions {
  python: string | null;
  flask: string | null;
  gunicorn: string | null;
}

/** Python, Flask and gunicorn versions of the app's interpreter; nulls when it cannot say. */
export function pythonVersions(app: AppConfig): Promise<PythonVersions> {
  return new Promise((resolve) => {
    execFile(
      app.python,
      ['-c', VERSIONS_PY],
      { cwd: app.workdir, timeout: 15_000, env: childEnv(process.env, app.passEnv, app.env), maxBuffer: 64 * 1024 },
      (error, stdout) => {
        if (error) return resolve({ python: null, flask: null, gunicorn: null });
        try {
          // The app's interpreter printed this: keep only what looks like a version.
          const raw = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as Record<string, unknown>;
          const version = (v: unknown): string | null => (typeof v === 'string' && /^[\w.+-]{1,64}$/.test(v) ? v : null);
          resolve({ python: version(raw.python), flask: version(raw.flask), gunicorn: version(raw.gunicorn) });
        } catch {
          resolve({ python: null, flask: null, gunicorn: null });
        }
      },
    );
  });
}

/** /proc/cpuinfo fields that name a CPU's generation: x86's, then Arm's. */
const CPU_ID_FIELDS = ['vendor_id', 'cpu family', 'model', 'stepping', 'CPU implementer', 'CPU architecture', 'CPU variant', 'CPU part', 'CPU revision'];

/**
 * The CPU's generation as /proc/cpuinfo gives it for the first CPU (pure), e.g. "vendor_id
 * AuthenticAMD · cpu family 26 · model 2 · stepping 1"; null when it gives none. A hypervisor may
 * show a model string without the model ("Intel(R) Xeon(R) Processor"): two such virtual machines
 * of different generations look alike by name, and ran the reference app 25% apart while the app
 * ran alike (bench/corpus, 2026-12-06 and 2026-12-07).
 */
export function cpuIdentity(cpuinfo: string): string | null {
  const first = cpuinfo.split(/\n\s*\n/)[0] ?? '';
  const found = new Map<string, string>();
  for (const line of first.split('\n')) {
    const m = /^([^:]+?)\s*:\s*(.*)$/.exec(line);
    if (m && CPU_ID_FIELDS.includes(m[1]) && m[2] && !found.has(m[1])) found.set(m[1], m[2].trim().slice(0, 40));
  }
  return found.size
    ? CPU_ID_FIELDS.filter((f) => found.has(f))
        .map((f) => `${f} ${found.get(f)}`)
        .join(' · ')
        .slice(0, 200)
    : null;
}

function readCpuIdentity(): string | null {
  try {
    return cpuIdentity(readFileSync('/proc/cpuinfo', 'utf8'));
  } catch {
    return null;
  }
}

/** The environment fingerprint recorded with every result. */
export async function fingerprint(app: AppConfig, placement: Placement, cores: number): Promise<Fingerprint> {
  const versions = await pythonVersions(app);
  return {
    cpuModel: (os.cpus()[0]?.model.trim() || 'unknown').slice(0, 200),
    cpuId: readCpuIdentity(),
    cpuMhz: os.cpus()[0]?.speed || null,
    stealPercent: null,
    cores,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    ...versions,
    placement: {
      pinned: placement.pinned,
      loadgenCpus: placement.loadgenCpus ?? null,
      serverCpus: placement.serverCpus ?? null,
      serverCores: placement.serverCores,
      reason: placement.reason,
      generators: placement.generators.length,
    },
  };
}
