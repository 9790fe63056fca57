import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/db/client.js';

const serverUrl = process.env.TEST_DATABASE_URL;

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe.skipIf(!serverUrl)('connections to PostgreSQL', () => {
  it('try several hosts in turn, as the URL lists them', async () => {
    const url = new URL(serverUrl!);
    const reachable = `${url.hostname}:${url.port || 5432}`;
    const listed = `${url.protocol}//${url.username ? `${url.username}@` : ''}127.0.0.1:${await closedPort()},${reachable}${url.pathname}`;
    const database = await openDatabase({ url: listed, dataDir: '', statementTimeoutMs: 30_000, poolSize: 1 });
    try {
      const [row] = await database.bulkTransaction((tx) => tx.query<{ app: string }>("select current_setting('application_name') as app"));
      expect(row).toEqual({ app: 'callboard' });
    } finally {
      await database.close();
    }
  });

  it('fail with the reason when no server listens', async () => {
    const database = await openDatabase({ url: `postgres://postgres@127.0.0.1:${await closedPort()}/postgres`, dataDir: '', statementTimeoutMs: 30_000, poolSize: 1 });
    try {
      await expect(database.bulkTransaction((tx) => tx.query('select 1'))).rejects.toThrow(/ECONNREFUSED/);
    } finally {
      await database.close();
    }
  });
});
