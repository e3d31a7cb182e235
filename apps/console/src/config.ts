import { useQuery } from '@tanstack/react-query';

/** The OpenID Provider the console signs in with, when the platform has one. */
export interface OidcConfig {
  issuer: string;
  clientId: string;
  scope: string;
  resource?: string;
  /** Where the access token carries the role and the region scope. */
  roleClaim: string;
  scopeClaim: string;
}

export interface PlatformConfig {
  mode: 'development' | 'production';
  tiles: { url: string; attribution: string };
  oidc?: OidcConfig;
}

export const DEFAULT_TILES: PlatformConfig['tiles'] = {
  url: 'https://tile.openstreetmap.org/{z}/{x}/{y}.png',
  attribution: '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors',
};

/** The front door's /config.json (tile source, mode, OpenID Provider); OpenStreetMap when it cannot be read. */
export function useConfig() {
  return useQuery({
    queryKey: ['config'],
    staleTime: Infinity,
    retry: false,
    queryFn: async (): Promise<PlatformConfig> => {
      try {
        const response = await fetch('/config.json');
        if (!response.ok) throw new Error(String(response.status));
        const body = (await response.json()) as Partial<PlatformConfig>;
        return {
          mode: body.mode === 'production' ? 'production' : 'development',
          tiles: body.tiles?.url
            ? { url: body.tiles.url, attribution: body.tiles.attribution ?? '' }
            : DEFAULT_TILES,
          ...(oidcFrom(body.oidc) && { oidc: oidcFrom(body.oidc) }),
        };
      } catch {
        return { mode: 'development', tiles: DEFAULT_TILES };
      }
    },
  });
}

function oidcFrom(value: unknown): OidcConfig | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const o = value as Record<string, unknown>;
  const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  const issuer = text(o.issuer);
  const clientId = text(o.clientId);
  if (!issuer || !clientId) return undefined;
  const resource = text(o.resource);
  return {
    issuer,
    clientId,
    scope: text(o.scope) ?? 'openid profile',
    ...(resource && { resource }),
    roleClaim: text(o.roleClaim) ?? 'kkb_role',
    scopeClaim: text(o.scopeClaim) ?? 'kkb_region',
  };
}
