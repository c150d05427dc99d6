/**
 * The energy model behind EnergyCarbonEfficiency: how an instance's CPU and
 * memory in use become watts and CompEnergyConsumption (kWh per day). Apart
 * from evaluation.ts because it is a modelling choice with documented figures,
 * to be checked and tuned on its own; the judgement only calls it.
 */

/**
 * A deliberately simple power model: only the power the instance adds is
 * counted (busy cores and resident memory), not the idle draw of the nodes,
 * which the instance does not cause. Figures are typical of current servers:
 * a busy core draws roughly 10–15 W, DDR4 memory about 0.375 W per GiB.
 */
export const ENERGY_MODEL = {
  wattsPerCore: 12,
  wattsPerGiB: 0.375,
  /** CompEnergyConsumption is the energy over this many hours at the current rate. */
  hours: 24,
} as const;

const round = (value: number, digits: number): number => {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
};

/** Power drawn by this much CPU (millicores) and memory (MiB) in use, in watts. */
export function powerWatts(cpuMillicores: number, memoryMiB: number): number {
  return (cpuMillicores / 1000) * ENERGY_MODEL.wattsPerCore + (memoryMiB / 1024) * ENERGY_MODEL.wattsPerGiB;
}

/** CompEnergyConsumption: kWh over {@link ENERGY_MODEL.hours} at the current usage. */
export function energyKwhPerPeriod(cpuMillicores: number, memoryMiB: number): number {
  return round((powerWatts(cpuMillicores, memoryMiB) * ENERGY_MODEL.hours) / 1000, 3);
}
