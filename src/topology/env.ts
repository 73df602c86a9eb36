/**
 * What crosses between the runner and the code under test. The build, the servers and the load
 * generator get an environment built from an allow-list, never the runner's own: on GitHub it
 * holds GITHUB_TOKEN, the action's inputs (the token among them) and ACTIONS_* (the cache and
 * OIDC tokens). What comes back from them (their output) has known secret values redacted.
 */

/** Names passed through as they are: a shell, a locale, a temp folder, and what Python needs. */
const ALLOWED = [
  /^(PATH|HOME|USER|LOGNAME|SHELL|TERM|TZ|LANG|LANGUAGE|TMPDIR|TEMP|TMP|CI|NO_COLOR)$/,
  /^LC_[A-Z_]+$/,
  /^PYTHON[A-Z0-9_]*$/,
  /^(VIRTUAL_ENV|CONDA_PREFIX|CONDA_DEFAULT_ENV)$/,
  // actions/setup-python and the runner's tool cache.
  /^(pythonLocation|Python_ROOT_DIR|Python2_ROOT_DIR|Python3_ROOT_DIR|PKG_CONFIG_PATH|LD_LIBRARY_PATH|RUNNER_TOOL_CACHE|AGENT_TOOLSDIRECTORY)$/,
];

/** Names that never reach the code under test, whatever a config says. */
export const NEVER_PASSED = /^(GITHUB_TOKEN|GH_TOKEN|INPUT_.*|ACTIONS_.*|ACTIONS)$/;

/**
 * The environment of the build, the servers and the load generator: the allow-listed names of
 * `from`, the names the config passes on (`app.pass-env`), then the config's own `app.env`.
 */
export function childEnv(from: NodeJS.ProcessEnv, passEnv: readonly string[] = [], appEnv: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(from)) {
    if (value === undefined || NEVER_PASSED.test(name)) continue;
    if (ALLOWED.some((rule) => rule.test(name)) || passEnv.includes(name)) env[name] = value;
  }
  return { ...env, ...appEnv };
}

// Names whose values are credentials by name or by where they come from.
const SECRET_NAME = /(TOKEN|SECRET|PASSWORD|PASSWD|PRIVATE|CREDENTIAL|API_?KEY|ACCESS_KEY|AUTH)/i;
const MIN_SECRET_LENGTH = 6;

/** Values in `env` that must never be stored: tokens, the action's inputs that are tokens, ACTIONS_*. */
export function secretValues(env: NodeJS.ProcessEnv): string[] {
  const values = new Set<string>();
  for (const [name, value] of Object.entries(env)) {
    if (!value || value.length < MIN_SECRET_LENGTH) continue;
    if (SECRET_NAME.test(name) || /^ACTIONS_(RUNTIME|ID_TOKEN|CACHE)/.test(name)) values.add(value);
  }
  // Longest first, so a secret that contains another is replaced whole.
  return [...values].sort((a, b) => b.length - a.length);
}

let known: string[] | undefined;

/** `text` with every known secret value of this process's environment replaced by `***`. */
export function redact(text: string, secrets: readonly string[] = (known ??= secretValues(process.env))): string {
  let out = text;
  for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join('***');
  return out;
}
