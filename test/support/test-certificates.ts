import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface TestCertificates {
  /** The CA clusters are configured to trust (PEM). */
  ca: string;
  /** A server key and certificate for 127.0.0.1 signed by that CA. */
  key: string;
  cert: string;
  /** A server key and certificate for 127.0.0.1 signed by another CA, which nobody trusts. */
  strangerKey: string;
  strangerCert: string;
}

/** Made with the openssl CLI in a temporary folder, for loopback HTTPS servers in tests. */
export function makeTestCertificates(): TestCertificates {
  const folder = mkdtempSync(path.join(tmpdir(), 'callboard-certs-'));
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: folder, stdio: 'ignore' });
  try {
    writeFileSync(path.join(folder, 'san.cnf'), 'subjectAltName=IP:127.0.0.1\n');
    for (const name of ['ca', 'stranger-ca']) openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '2', '-subj', `/CN=${name}`);
    for (const [name, ca] of [['server', 'ca'], ['stranger', 'stranger-ca']] as const) {
      openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', '/CN=127.0.0.1');
      openssl('x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.crt`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-out', `${name}.crt`, '-days', '2', '-extfile', 'san.cnf');
    }
    const read = (file: string) => readFileSync(path.join(folder, file), 'utf8');
    return { ca: read('ca.crt'), key: read('server.key'), cert: read('server.crt'), strangerKey: read('stranger.key'), strangerCert: read('stranger.crt') };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
