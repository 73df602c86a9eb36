import { execFile } from 'node:child_process';
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

/** The environment fingerprint recorded with every result. */
export async function fingerprint(app: AppConfig, placement: Placement, cores: number): Promise<Fingerprint> {
  const versions = await pythonVersions(app);
  return {
    cpuModel: (os.cpus()[0]?.model.trim() || 'unknown').slice(0, 200),
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
