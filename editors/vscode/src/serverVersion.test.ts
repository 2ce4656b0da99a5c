// `npm test`: the version comparison that decides the extension's "server is older" warning.
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareVersions, parseVersion, versionProblem } from './serverVersion';

function cmp(a: string, b: string): number {
  const x = parseVersion(a);
  const y = parseVersion(b);
  assert.ok(x && y, `${a} and ${b} parse`);
  return Math.sign(compareVersions(x, y));
}

test('semver precedence, numbers compared as numbers', () => {
  assert.equal(cmp('0.10.0', '0.9.0'), 1);
  assert.equal(cmp('0.1.0', '0.1.0'), 0);
  assert.equal(cmp('v1.2.3', '1.2.3'), 0);
  assert.equal(cmp('1.2.3+build.7', '1.2.3'), 0);
  assert.equal(cmp('1.0.0', '0.99.99'), 1);
  assert.equal(cmp('0.1.9', '0.1.10'), -1);
});

test('pre-releases come before their release, identifiers as semver orders them', () => {
  assert.equal(cmp('1.0.0-rc.1', '1.0.0'), -1);
  assert.equal(cmp('1.0.0-alpha', '1.0.0-alpha.1'), -1);
  assert.equal(cmp('1.0.0-alpha.1', '1.0.0-alpha.beta'), -1);
  assert.equal(cmp('1.0.0-beta.2', '1.0.0-beta.11'), -1);
  assert.equal(cmp('1.0.0-rc.1', '1.0.0-beta.11'), 1);
});

test('not versions', () => {
  for (const s of ['', '1', '1.2', '1.2.x', 'chant-lsp 0.1.0', '01.2.3.4']) {
    assert.equal(parseVersion(s), undefined, s);
  }
});

test('the warning: only for an older or unreadable server', () => {
  assert.equal(versionProblem('0.1.0', '0.1.0'), undefined);
  assert.equal(versionProblem('0.2.0', '0.1.0'), undefined);
  assert.match(versionProblem('0.1.0', '0.2.0') ?? '', /chant-lsp 0\.1\.0 is older than 0\.2\.0/);
  assert.match(versionProblem('0.2.0-rc.1', '0.2.0') ?? '', /is older than 0\.2\.0/);
  assert.match(versionProblem(undefined, '0.1.0') ?? '', /did not report a version/);
  assert.equal(versionProblem('0.1.0', undefined), undefined);
});
