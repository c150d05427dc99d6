import { type ClusterDriver, type ClusterUsageSample } from "./driver";
import { type ClusterErrorData, toClusterErrorData } from "./errors";

/**
 * Calls many clusters at once. A failing cluster becomes an entry in
 * `errors` instead of failing the whole call, so one unreachable cluster
 * shows as a badge, not as a broken metrics collection.
 */
export interface FanOutResult<T> {
  results: T[];
  errors: ClusterErrorData[];
}

export async function fanOut<T>(
  drivers: readonly ClusterDriver[],
  call: (driver: ClusterDriver) => Promise<T>,
): Promise<FanOutResult<T>> {
  const settled = await Promise.allSettled(drivers.map((driver) => call(driver)));
  const outcome: FanOutResult<T> = { results: [], errors: [] };
  settled.forEach((result, index) => {
    if (result.status === "fulfilled") outcome.results.push(result.value);
    else
      outcome.errors.push({ ...toClusterErrorData(result.reason), cluster: drivers[index]?.cluster ?? "?" });
  });
  return outcome;
}

/** One collection of the metrics collector: the wire message is `results`, in driver order. */
export function collectClusterUsage(
  drivers: readonly ClusterDriver[],
): Promise<FanOutResult<ClusterUsageSample>> {
  return fanOut(drivers, (driver) => driver.usage());
}
