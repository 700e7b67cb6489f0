import { HEIGHT, WIDTH, projection } from "./world-projection";

export interface MapMarker {
  key: string;
  label: string;
  latitude: number;
  longitude: number;
  sessions: number;
}

/** Below this the map holds only Antarctica, where no VPN connects from: the whole-world view stops there. */
const SOUTH_EDGE = projection([0, -58])![1];
const MIN_WIDTH = 240;

/** The part of the map to show: every point with a margin, at least MIN_WIDTH wide, 2:1, inside the world. */
function viewBoxFor(points: [number, number][]): [number, number, number, number] {
  if (!points.length) return [0, 0, WIDTH, SOUTH_EDGE];
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  const pad = 40;
  let width = Math.max(MIN_WIDTH, Math.max(...xs) - Math.min(...xs) + 2 * pad);
  let height = Math.max(width / 2, Math.max(...ys) - Math.min(...ys) + 2 * pad);
  width = Math.min(WIDTH, Math.max(width, height * 2));
  height = Math.min(SOUTH_EDGE, width / 2);
  const cx = (Math.max(...xs) + Math.min(...xs)) / 2;
  const cy = (Math.max(...ys) + Math.min(...ys)) / 2;
  const x = Math.min(Math.max(0, cx - width / 2), WIDTH - width);
  const y = Math.min(Math.max(0, cy - height / 2), SOUTH_EDGE - height);
  return [x, y, width, height];
}

/** An offline SVG map of where sessions came from, zoomed to its points; markers keep their size on screen. */
export function WorldMap({ markers }: { markers: MapMarker[] }) {
  const placed = markers
    .map((m) => ({ m, point: projection([m.longitude, m.latitude]) }))
    .filter((p): p is { m: MapMarker; point: [number, number] } => p.point !== null);
  const box = viewBoxFor(placed.map((p) => p.point));
  const scale = box[2] / WIDTH;
  return (
    <svg
      viewBox={box.map((n) => n.toFixed(1)).join(" ")}
      role="img"
      aria-label={`Map of ${markers.length} VPN locations`}
      className="h-auto w-full"
    >
      {/* The world itself is one static image the browser caches (app/world-land.svg): ~80 KB less on every page. */}
      <image href="/world-land.svg" x={0} y={0} width={WIDTH} height={HEIGHT} />
      {placed.map(({ m, point }) => {
        const r = Math.min(22, 4 + Math.sqrt(m.sessions) * 1.5) * Math.max(scale, 0.35);
        return (
          <circle
            key={m.key}
            cx={point[0]}
            cy={point[1]}
            r={r}
            fill="#dc2626"
            fillOpacity={0.6}
            stroke="#7f1d1d"
            strokeWidth={scale}
            data-testid="map-marker"
            data-label={m.label}
          >
            <title>{`${m.label}: ${m.sessions} session${m.sessions === 1 ? "" : "s"}`}</title>
          </circle>
        );
      })}
    </svg>
  );
}
