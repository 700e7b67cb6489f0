// The sensor's own answer times over one load: arrival → Accounting-Response sent, from its histogram. Set against the
// load generator's figures, they tell whether a tail is inside the sensor or around it.
import type { SensorProcess } from "../sensor/testing/sensor-process.ts";

export const ANSWER_BUCKETS = ["0.005", "0.01", "0.02"] as const;

/** Runs the load; `within[i]` is the percentage of the sensor's answers meanwhile within ANSWER_BUCKETS[i] seconds. */
export async function withAnswerTimes<T>(
  sensor: SensorProcess,
  load: () => Promise<T>,
): Promise<{ result: T; answers: number; within: number[] }> {
  const read = () =>
    Promise.all(
      ["+Inf", ...ANSWER_BUCKETS].map((le) => sensor.metric("vpnsight_radius_answer_seconds_bucket", `le="${le}"`)),
    );
  const before = await read();
  const result = await load();
  const [answers, ...within] = (await read()).map((n, i) => n - before[i]!);
  return { result, answers: answers!, within: within.map((n) => (answers ? (100 * n) / answers : 0)) };
}

/** "x % ≤ 5 ms, y % ≤ 10 ms, z % ≤ 20 ms". */
export const describeAnswerTimes = (within: number[]): string =>
  ANSWER_BUCKETS.map((le, i) => `${within[i]!.toFixed(1)} % ≤ ${Number(le) * 1000} ms`).join(", ");
