import { createServer, type Server } from 'node:http';

/** The service's HTTP server: /healthz for probes, and its own routes. */
export function createApp(): Server {
  return createServer((request, response) => {
    if (request.url === '/healthz') {
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.end('ok');
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ service: ${{ values.name | dump }} }));
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const port = Number(process.env.PORT ?? 8080);
  createApp().listen(port, () => console.log(`${{ values.name }} listening on ${port}`));
}
