import { geoNaturalEarth1, geoPath } from "d3-geo";
import type { FeatureCollection, Geometry } from "geojson";
import { feature } from "topojson-client";
import type { Topology } from "topojson-specification";
import land from "world-atlas/land-110m.json";

// The maps' one projection: the markers (world-map.tsx) and the world they sit on (app/world-land.svg) share it.
export const WIDTH = 960;
export const HEIGHT = 480;
export const projection = geoNaturalEarth1().fitSize([WIDTH, HEIGHT], { type: "Sphere" });

/** The world as an SVG document (offline: no tile server), built once per process; coordinates to 0.1 px. */
export const worldSvg: string = (() => {
  const path = geoPath(projection).digits(1);
  const landPath =
    path(
      feature(
        land as unknown as Topology,
        (land as unknown as Topology).objects.land!,
      ) as unknown as FeatureCollection<Geometry>,
    ) ?? "";
  const spherePath = path({ type: "Sphere" }) ?? "";
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}">` +
    `<path d="${spherePath}" fill="#eff6ff" stroke="#cbd5e1"/>` +
    `<path d="${landPath}" fill="#cbd5e1" stroke="#94a3b8" stroke-width="0.5"/></svg>`
  );
})();
