import { geoNaturalEarth1, geoPath } from "d3-geo";
import type { FeatureCollection, Geometry } from "geojson";
import { feature } from "topojson-client";
import type { Topology } from "topojson-specification";
import land from "world-atlas/land-110m.json";

const WIDTH = 960;
const HEIGHT = 480;
const projection = geoNaturalEarth1().fitSize([WIDTH, HEIGHT], { type: "Sphere" });
// Rendered once per server process: an offline SVG world (no tile server).
const landPath =
  geoPath(projection)(
    feature(
      land as unknown as Topology,
      (land as unknown as Topology).objects.land!,
    ) as unknown as FeatureCollection<Geometry>,
  ) ?? "";
const spherePath = geoPath(projection)({ type: "Sphere" }) ?? "";

export interface MapMarker {
  key: string;
  label: string;
  latitude: number;
  longitude: number;
  sessions: number;
}

export function WorldMap({ markers }: { markers: MapMarker[] }) {
  return (
    <svg
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      role="img"
      aria-label={`Map of ${markers.length} VPN locations`}
      className="h-auto w-full"
    >
      <path d={spherePath} fill="#eff6ff" stroke="#cbd5e1" />
      <path d={landPath} fill="#cbd5e1" stroke="#94a3b8" strokeWidth={0.5} />
      {markers.map((m) => {
        const point = projection([m.longitude, m.latitude]);
        if (!point) return null;
        const r = Math.min(22, 4 + Math.sqrt(m.sessions) * 1.5);
        return (
          <circle
            key={m.key}
            cx={point[0]}
            cy={point[1]}
            r={r}
            fill="#dc2626"
            fillOpacity={0.6}
            stroke="#7f1d1d"
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
