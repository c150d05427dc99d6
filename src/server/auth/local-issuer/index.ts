export { startLocalIssuer, type LocalIssuerOptions, type RunningLocalIssuer } from "./server";
export { assertLocalIssuerAllowed, localIssuerOptionsFromEnv, LocalIssuerRefused } from "./config";
export { CONSOLE_RESOURCE, KEYCLOAK_ROUTES, type LocalIssuerClient } from "./provider";
export {
  parseServiceAccounts,
  readServiceAccounts,
  serviceAccountSubject,
  serviceAccountUsername,
  type ServiceAccount,
} from "./service-accounts";
export { DEMO_USERS, type DemoUser } from "@/server/auth/demo-users";
