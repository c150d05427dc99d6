export { DriftCell, DriftChip, type DriftStatus } from "./DriftChip";
export { InstanceDrift, InstanceDriftChip } from "./InstanceDrift";
