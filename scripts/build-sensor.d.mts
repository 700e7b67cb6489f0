export declare const SENSOR_BUILD_DIR: string;
/** Compiles sensor/main.ts and sensor/detector.ts to .build/sensor; returns the path of main.mjs. */
export declare function buildSensor(): Promise<string>;
export const SENSOR_NODE_FLAGS: string[];
