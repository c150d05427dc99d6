/**
 * Kubeconfigs that try to make the Kubernetes client run a command, read a
 * local file, proxy or impersonate, each with the key the allow-list must
 * name when it refuses it (src/common/kubeconfig.ts).
 */

/** A kubeconfig whose cluster and user entries carry `clusterExtra` and `userExtra` as YAML lines. */
export function kubeconfigWith(
  options: { server?: string; clusterExtra?: string[]; userExtra?: string[] } = {},
): string {
  return [
    "apiVersion: v1",
    "kind: Config",
    "current-context: main",
    "clusters:",
    "  - name: main",
    "    cluster:",
    `      server: ${options.server ?? "https://api.cluster.example:6443"}`,
    ...(options.clusterExtra ?? []).map((line) => `      ${line}`),
    "contexts:",
    "  - name: main",
    "    context: { cluster: main, user: admin }",
    "users:",
    "  - name: admin",
    "    user:",
    "      token: t0ken",
    ...(options.userExtra ?? []).map((line) => `      ${line}`),
  ].join("\n");
}

/** Every way a kubeconfig makes the client run a command, read a file, proxy or impersonate. */
export const REFUSED_KEYS: ReadonlyArray<{ key: string; clusterExtra?: string[]; userExtra?: string[] }> = [
  {
    key: "users[0].user.exec",
    userExtra: [
      "exec:",
      "  apiVersion: client.authentication.k8s.io/v1",
      "  command: /bin/sh",
      "  args: [-c, id]",
    ],
  },
  {
    key: "users[0].user.auth-provider",
    userExtra: ["auth-provider:", "  name: gcp", "  config: { cmd-path: /bin/sh, cmd-args: -c id }"],
  },
  { key: "users[0].user.tokenFile", userExtra: ["tokenFile: /var/run/secrets/token"] },
  { key: "users[0].user.token-file", userExtra: ["token-file: /etc/shadow"] },
  { key: "users[0].user.client-certificate", userExtra: ["client-certificate: /etc/ssl/cert.pem"] },
  { key: "users[0].user.client-key", userExtra: ["client-key: /etc/ssl/private/key.pem"] },
  { key: "users[0].user.as", userExtra: ["as: system:admin"] },
  { key: "users[0].user.as-user-extra", userExtra: ["as-user-extra: { scopes: [all] }"] },
  { key: "users[0].user.as-groups", userExtra: ["as-groups: [system:masters]"] },
  { key: "users[0].user.username", userExtra: ["username: admin"] },
  { key: "users[0].user.password", userExtra: ["password: hunter2"] },
  { key: "clusters[0].cluster.certificate-authority", clusterExtra: ["certificate-authority: /etc/passwd"] },
  { key: "clusters[0].cluster.proxy-url", clusterExtra: ["proxy-url: http://169.254.169.254:80"] },
];
