import { FRONT_DOOR, type RouteEntry, type RouteTable } from './route-table';

export const FRONT_DOOR_PORT = 3000;

export interface K8sRouteOptions {
  /** The Gateway the routes attach to (deploy/k8s/base/gateway/gateway.yaml). */
  gateway: string;
}

/**
 * The Gateway API HTTPRoutes for the route table: one rule per service, its entries as path
 * matches, the Service (same name as the service) as the backend. Entries never overlap, so no
 * precedence between rules is relied on. A test renders this and compares it with
 * deploy/k8s/base/gateway/httproute.yaml; `npm run routes:k8s` rewrites that file.
 */
export function renderHttpRoute(table: RouteTable, options: K8sRouteOptions = { gateway: 'kkb' }) {
  const byService = new Map<string, RouteEntry[]>();
  for (const r of table.routes) byService.set(r.service, [...(byService.get(r.service) ?? []), r]);
  const rules = [...byService].map(([service, entries]) => ({
    matches: entries.map((e) => ({ path: { type: e.match, value: e.path } })),
    backendRefs: [
      {
        name: service,
        port: service === FRONT_DOOR ? FRONT_DOOR_PORT : table.services[service].port,
      },
    ],
  }));
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: 'kkb', labels: { 'app.kubernetes.io/name': 'kkb-routes' } },
    spec: { parentRefs: [{ name: options.gateway }], rules },
  };
}

export const HTTPROUTE_HEADER = [
  '# GENERATED from apps/front-door/routes.json by `npm run routes:k8s`: edit the route table,',
  '# not this file (apps/front-door/src/route-table.spec.ts fails when they disagree).',
  '# The same table drives the local front door (npm start, port 3000).',
].join('\n');
