import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load-config.js';
import { ConfigError } from '../../../src/errors.js';

const folder = mkdtempSync(path.join(tmpdir(), 'callboard-config-'));
const file = (name: string, text: string) => {
  writeFileSync(path.join(folder, name), text);
  return path.join(folder, name);
};

describe('loadConfig', () => {
  it('works from environment variables alone, with defaults', () => {
    const config = loadConfig({ files: [], env: { DATABASE_URL: 'postgres://db/callboard', GITHUB_TOKEN: 't0k' }, cwd: folder });
    expect(config.callboard.database).toMatchObject({ url: 'postgres://db/callboard', dataDir: path.join(folder, '.callboard', 'data') });
    expect(config.integrations.github).toEqual([{ host: 'github.com', token: 't0k' }]);
    expect(config.catalog.locations).toEqual([]);
  });

  it('reads a Backstage app-config as it is, ignoring keys it does not know', () => {
    const backstage = file(
      'app-config.yaml',
      `app:\n  title: Backstage\n  baseUrl: https://backstage.example.com\nbackend:\n  listen: { port: 7007 }\norganization: { name: Acme }\ncatalog:\n  rules:\n    - allow: [Component, API]\n  locations:\n    - type: file\n      target: ../catalog/all.yaml\n      rules:\n        - allow: [Group, User]\n`,
    );
    const config = loadConfig({ files: [backstage], env: {} });
    expect(config.app?.baseUrl).toBe('https://backstage.example.com');
    expect(config.catalog.locations[0]).toMatchObject({ type: 'file', target: '../catalog/all.yaml' });
  });

  it('lets later files override earlier ones and substitutes ${VAR}', () => {
    const base = file('base.yaml', 'callboard:\n  log: { level: info }\n  catalog: { refreshIntervalMinutes: 30 }\nintegrations:\n  github:\n    - host: ghe.example.com\n      apiBaseUrl: https://ghe.example.com/api/v3\n      token: ${GHE_TOKEN}\n');
    const local = file('local.yaml', 'callboard:\n  log: { level: debug }\n');
    const config = loadConfig({ files: [base, local], env: { GHE_TOKEN: 'secret', LOG_LEVEL: undefined } });
    expect(config.callboard.log.level).toBe('debug');
    expect(config.callboard.catalog.refreshIntervalMinutes).toBe(30);
    expect(config.integrations.github[0]).toMatchObject({ host: 'ghe.example.com', token: 'secret' });
  });

  it('derives a GitHub Enterprise host from GITHUB_API_URL', () => {
    const config = loadConfig({ files: [], env: { GITHUB_API_URL: 'https://ghe.example.com/api/v3/' } });
    expect(config.integrations.github).toEqual([{ host: 'ghe.example.com', apiBaseUrl: 'https://ghe.example.com/api/v3' }]);
  });

  it('uses CALLBOARD_CONFIG when no --config is given', () => {
    const one = file('one.yaml', 'callboard:\n  catalog: { refreshIntervalMinutes: 5 }\n');
    expect(loadConfig({ env: { CALLBOARD_CONFIG: one } }).callboard.catalog.refreshIntervalMinutes).toBe(5);
  });

  it('reports every problem at once', () => {
    const broken = file('broken.yaml', 'catalog:\n  locations:\n    - type: ftp\n      target: x\ncallboard:\n  log: { level: loud }\n  database: { statementTimeoutMs: 5 }\n');
    let error: unknown;
    try {
      loadConfig({ files: [broken, path.join(folder, 'missing.yaml')], env: {} });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toContain('missing.yaml: cannot read the config file');
    expect(problems).toContain('catalog.locations[0].type: must be one of: file, url');
    expect(problems).toContain('callboard.log.level: must be one of');
    expect(problems).toContain('callboard.database.statementTimeoutMs');
  });
});
