export { DeploymentTreeView } from "./DeploymentTreeView";
