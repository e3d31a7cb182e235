// All kampung points on one canvas: a national map has 83,762 of them, too many for a Leaflet
// layer each (every mouse move would walk them all). The points are projected once per view,
// stamped from one sprite per colour, and found again for a click or hover through a grid of 16 px cells.
import L from 'leaflet';

export interface PointLike {
  latitude: number;
  longitude: number;
}

const CELL = 16;

export class PointsLayer<T extends PointLike> extends L.Layer {
  private canvas: HTMLCanvasElement | null = null;
  private grid = new Map<number, number[]>();
  private xy = new Float32Array(0);
  private points: T[] = [];
  private radius = 6;

  constructor(
    private readonly colourOf: (p: T) => string,
    private readonly onPick: (p: T, at: L.LatLng) => void,
  ) {
    super();
  }

  setPoints(points: T[]): this {
    this.points = points;
    this.redraw();
    return this;
  }

  override onAdd(map: L.Map): this {
    this.canvas = L.DomUtil.create('canvas', 'points-layer leaflet-zoom-hide');
    this.canvas.setAttribute('aria-hidden', 'true');
    map.getPanes().overlayPane.appendChild(this.canvas);
    map.on('moveend zoomend resize viewreset', this.redraw, this);
    map.on('click', this.click, this);
    map.on('mousemove', this.hover, this);
    this.redraw();
    return this;
  }

  override onRemove(map: L.Map): this {
    map.off('moveend zoomend resize viewreset', this.redraw, this);
    map.off('click', this.click, this);
    map.off('mousemove', this.hover, this);
    cancelAnimationFrame(this.frame);
    this.frame = 0;
    this.canvas?.remove();
    this.canvas = null;
    return this;
  }

  private frame = 0;

  /** Draws in the next frame: a new set of points and the view change it causes draw once. */
  private redraw(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  private draw(): void {
    const map = this._map as L.Map | undefined;
    const canvas = this.canvas;
    if (!map || !canvas) return;
    const size = map.getSize();
    // The canvas reaches half a view beyond each edge, so a pan shows points before it ends.
    const pad = size.multiplyBy(0.5).round();
    const width = size.x + 2 * pad.x;
    const height = size.y + 2 * pad.y;
    const ratio = window.devicePixelRatio || 1;
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
    canvas.style.width = `${width}px`;
    canvas.style.height = `${height}px`;
    L.DomUtil.setPosition(canvas, map.containerPointToLayerPoint([-pad.x, -pad.y]).round());
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, height);

    // Smaller points when zoomed out far, where they crowd.
    const zoom = map.getZoom();
    const r = (this.radius = zoom <= 5 ? 3 : zoom <= 7 ? 4.5 : 6);
    const n = this.points.length;
    this.xy = new Float32Array(n * 2).fill(Number.NaN);
    this.grid.clear();
    const byColour = new Map<string, number[]>();
    for (let i = 0; i < n; i++) {
      const p = this.points[i];
      const c = map.latLngToContainerPoint([p.latitude, p.longitude]);
      const x = c.x + pad.x;
      const y = c.y + pad.y;
      if (x < -r || y < -r || x > width + r || y > height + r) continue;
      this.xy[i * 2] = c.x;
      this.xy[i * 2 + 1] = c.y;
      const key = cellKey(Math.floor(c.x / CELL), Math.floor(c.y / CELL));
      const cell = this.grid.get(key);
      if (cell) cell.push(i);
      else this.grid.set(key, [i]);
      const colour = this.colourOf(p);
      const list = byColour.get(colour);
      if (list) list.push(i);
      else byColour.set(colour, [i]);
    }
    // One small pre-drawn sprite per colour, stamped at each point: a single path of tens of
    // thousands of circles is very slow to fill, drawImage is not.
    const half = r + 2;
    for (const [colour, list] of byColour) {
      const sprite = this.sprite(colour, ratio, r);
      for (const i of list) {
        ctx.drawImage(
          sprite,
          this.xy[i * 2] + pad.x - half,
          this.xy[i * 2 + 1] + pad.y - half,
          half * 2,
          half * 2,
        );
      }
    }
  }

  private sprites = new Map<string, HTMLCanvasElement>();

  private sprite(colour: string, ratio: number, r: number): HTMLCanvasElement {
    const key = `${colour}@${ratio}@${r}`;
    const cached = this.sprites.get(key);
    if (cached) return cached;
    const half = r + 2;
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = Math.ceil(half * 2 * ratio);
    const ctx = canvas.getContext('2d');
    if (ctx) {
      ctx.scale(ratio, ratio);
      ctx.beginPath();
      ctx.arc(half, half, r, 0, Math.PI * 2);
      ctx.globalAlpha = 0.9;
      ctx.fillStyle = colour;
      ctx.fill();
      ctx.globalAlpha = 1;
      ctx.lineWidth = 1.5;
      ctx.strokeStyle = '#1f2933';
      ctx.stroke();
    }
    this.sprites.set(key, canvas);
    return canvas;
  }

  /** The point under a container pixel (the nearest within its radius and a little slack). */
  private pick(at: L.Point): number | null {
    const cx = Math.floor(at.x / CELL);
    const cy = Math.floor(at.y / CELL);
    const limit = (this.radius + 3) ** 2;
    let best: number | null = null;
    let bestD = limit;
    for (let dx = -1; dx <= 1; dx++) {
      for (let dy = -1; dy <= 1; dy++) {
        for (const i of this.grid.get(cellKey(cx + dx, cy + dy)) ?? []) {
          const d = (this.xy[i * 2] - at.x) ** 2 + (this.xy[i * 2 + 1] - at.y) ** 2;
          if (d <= bestD) {
            bestD = d;
            best = i;
          }
        }
      }
    }
    return best;
  }

  private click(e: L.LeafletMouseEvent): void {
    const i = this.pick(e.containerPoint);
    if (i === null) return;
    const p = this.points[i];
    this.onPick(p, L.latLng(p.latitude, p.longitude));
  }

  private hover(e: L.LeafletMouseEvent): void {
    const container = (this._map as L.Map | undefined)?.getContainer();
    if (container) container.style.cursor = this.pick(e.containerPoint) === null ? '' : 'pointer';
  }
}

function cellKey(x: number, y: number): number {
  return (x + 32768) * 65536 + (y + 32768);
}
