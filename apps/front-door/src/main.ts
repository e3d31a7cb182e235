import { renderHttpRoute, HTTPROUTE_HEADER } from './k8s-routes';
import { createFrontDoor } from './front-door';
import { frontDoorConfig } from './front-door.config';
import { loadRouteTable } from './route-table';

/**
 *   node dist/apps/front-door/src/main.js              serve (PORT, default 3000)
 *   node dist/apps/front-door/src/main.js k8s-routes   print the Gateway API HTTPRoute YAML
 */
async function main() {
  const table = loadRouteTable();
  if (process.argv[2] === 'k8s-routes') {
    const { stringify } = await import('yaml');
    process.stdout.write(`${HTTPROUTE_HEADER}\n${stringify(renderHttpRoute(table))}`);
    return;
  }
  const config = frontDoorConfig(table);
  const app = await createFrontDoor(table, config);
  const stop = () => {
    app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  await app.listen({ host: config.host, port: config.port });
  const routes = table.routes.filter((r) => r.service !== 'front-door').length;
  process.stdout.write(
    `front door on http://${config.host}:${config.port} (${config.mode} mode; ${routes} API routes to ${Object.keys(config.upstreams).length} services; console ${config.consoleDir})\n`,
  );
}

main().catch((err: Error) => {
  process.stderr.write(`front-door: ${err.message}\n`);
  process.exit(1);
});
