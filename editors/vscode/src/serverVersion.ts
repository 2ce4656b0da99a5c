// The server's version against the one the extension needs: plain functions, no vscode import, so
// that `npm test` runs them under node alone.

/** A parsed `major.minor.patch[-pre][+build]` version. */
export interface Version {
  major: number;
  minor: number;
  patch: number;
  pre: string[];
}

/** Parses a semver version; a leading `v` is allowed. Undefined when `text` is not one. */
export function parseVersion(text: string): Version | undefined {
  const m = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/.exec(text.trim());
  if (!m) {
    return undefined;
  }
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), pre: m[4] ? m[4].split('.') : [] };
}

/** Semver precedence: negative when a < b, 0 when equal, positive when a > b (build metadata ignored). */
export function compareVersions(a: Version, b: Version): number {
  for (const k of ['major', 'minor', 'patch'] as const) {
    if (a[k] !== b[k]) {
      return a[k] - b[k];
    }
  }
  // A pre-release comes before its release: 1.0.0-rc.1 < 1.0.0.
  if (!a.pre.length || !b.pre.length) {
    return (a.pre.length ? -1 : 0) + (b.pre.length ? 1 : 0);
  }
  for (let i = 0; i < Math.max(a.pre.length, b.pre.length); i++) {
    const x = a.pre[i];
    const y = b.pre[i];
    if (x === undefined || y === undefined) {
      return x === undefined ? -1 : 1;
    }
    const xn = /^\d+$/.test(x);
    const yn = /^\d+$/.test(y);
    if (xn && yn) {
      if (Number(x) !== Number(y)) {
        return Number(x) - Number(y);
      }
    } else if (xn !== yn) {
      return xn ? -1 : 1; // numeric identifiers come before alphanumeric ones
    } else if (x !== y) {
      return x < y ? -1 : 1;
    }
  }
  return 0;
}

/**
 * What to say about the server's version (from `serverInfo.version` in its initialize result)
 * against the minimum the extension declares (`chantLsp.minimumServerVersion` in package.json):
 * a warning when the server is older, nothing otherwise. A version that cannot be read is a
 * warning too: a server that old did not report one.
 */
export function versionProblem(serverVersion: string | undefined, minimum: string | undefined): string | undefined {
  const min = minimum ? parseVersion(minimum) : undefined;
  if (!min) {
    return undefined;
  }
  const found = serverVersion ? parseVersion(serverVersion) : undefined;
  if (!found) {
    return `chant-lsp did not report a version this extension can read (${serverVersion ?? 'none'}); it needs ${minimum} or later.`;
  }
  if (compareVersions(found, min) < 0) {
    return `chant-lsp ${serverVersion} is older than ${minimum}, the version this extension needs; some features may not work. Update the server.`;
  }
  return undefined;
}
