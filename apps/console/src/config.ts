import { useQuery } from '@tanstack/react-query';

export interface PlatformConfig {
  mode: 'development' | 'production';
  tiles: { url: string; attribution: string };
}

export const DEFAULT_TILES: PlatformConfig['tiles'] = {
  url: 'https://tile.openstreetmap.org/{z}/{x}/{y}.png',
  attribution: '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors',
};

/** The front door's /config.json (tile source, mode); OpenStreetMap when it cannot be read. */
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
        };
      } catch {
        return { mode: 'development', tiles: DEFAULT_TILES };
      }
    },
  });
}
