import { DEMO_USERS } from "@/server/auth/demo-users";

/**
 * HTML of the local issuer, shaped like Keycloak's login theme: same element
 * ids (#kc-form-login, #username, #password, #kc-login, #input-error) and the
 * same messages, so browser tests written against it run against a real
 * Keycloak unchanged. No external assets: the issuer must work offline.
 */

export function escapeHtml(value: string): string {
  return value
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

const STYLE = `
*{box-sizing:border-box}
html,body{margin:0;min-height:100%}
body{font-family:"Red Hat Text","Overpass",Roboto,"Helvetica Neue",Arial,sans-serif;color:#151515;
  background:#0b1f33 linear-gradient(160deg,#0b1f33 0%,#12385c 55%,#1b5a8a 100%) fixed;min-height:100vh}
#kc-header{padding:56px 16px 24px;text-align:center}
#kc-header-wrapper{color:#fff;font-size:29px;letter-spacing:.18em;text-transform:uppercase;font-weight:300;line-height:1.2}
#kc-header-wrapper small{display:block;font-size:13px;letter-spacing:.08em;opacity:.75;margin-top:6px;text-transform:none}
.login-pf-page{display:flex;flex-direction:column;align-items:center;padding:0 16px 48px}
.card-pf{width:100%;max-width:460px;background:#fff;border-top:4px solid #0066cc;box-shadow:0 8px 24px rgba(0,0,0,.3);
  padding:32px 40px 28px}
#kc-page-title{font-size:24px;font-weight:400;margin:0 0 24px;text-align:center}
.form-group{margin-bottom:20px}
label{display:block;font-size:14px;font-weight:600;margin-bottom:6px}
input.pf-c-form-control{width:100%;height:38px;padding:6px 10px;font-size:16px;border:1px solid #8a8d90;border-bottom-color:#8a8d90;
  border-radius:0;background:#fff;color:#151515}
input.pf-c-form-control:focus{outline:2px solid #73bcf7;outline-offset:-1px;border-color:#0066cc}
input[aria-invalid="true"]{border-bottom:2px solid #c9190b}
#input-error{display:block;color:#c9190b;font-size:14px;margin-top:6px}
#kc-login{width:100%;height:40px;border:0;border-radius:3px;background:#0066cc;color:#fff;font-size:16px;cursor:pointer;font-weight:500}
#kc-login:hover{background:#004080}
#kc-login:focus-visible{outline:2px solid #73bcf7;outline-offset:2px}
#kc-info{margin-top:24px;border-top:1px solid #d2d2d2;padding-top:16px;font-size:13px;color:#4f5255}
#kc-info summary{cursor:pointer;color:#0066cc}
#kc-info table{border-collapse:collapse;margin-top:8px;width:100%}
#kc-info td{padding:3px 6px;border-bottom:1px solid #f0f0f0;font-family:ui-monospace,Menlo,monospace}
.kc-message{font-size:16px;line-height:1.5;text-align:center;margin:0 0 8px}
.kc-message a{color:#0066cc}
`;

function page(title: string, body: string, realmDisplayName: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<div class="login-pf-page">
  <div id="kc-header"><div id="kc-header-wrapper">${escapeHtml(realmDisplayName)}<small>Identity and access</small></div></div>
  <div class="card-pf" id="kc-content">
${body}
  </div>
</div>
</body>
</html>`;
}

export interface LoginPageOptions {
  action: string;
  realmDisplayName: string;
  username?: string;
  error?: string;
  /** Lists the demo accounts under the form (development issuer only). */
  showDemoUsers: boolean;
}

export function loginPage(options: LoginPageOptions): string {
  const { action, realmDisplayName, username = "", error, showDemoUsers } = options;
  const invalid = error ? ' aria-invalid="true" aria-describedby="input-error"' : "";
  const fieldError = error ? `<span id="input-error" aria-live="polite">${escapeHtml(error)}</span>` : "";
  const demo = showDemoUsers
    ? `<details id="kc-info"><summary>Demo accounts of this development issuer</summary><table><tbody>${DEMO_USERS.map(
        (u) =>
          `<tr><td>${escapeHtml(u.username)} / ${escapeHtml(u.password)}</td><td>${escapeHtml(u.realmRoles.join(", ") || "no NEMO role")}</td></tr>`,
      ).join("")}</tbody></table></details>`
    : "";
  return page(
    `Sign in to ${realmDisplayName}`,
    `    <h1 id="kc-page-title">Sign in to your account</h1>
    <form id="kc-form-login" action="${escapeHtml(action)}" method="post" novalidate>
      <div class="form-group">
        <label for="username">Username or email</label>
        <input tabindex="1" id="username" class="pf-c-form-control" name="username" value="${escapeHtml(username)}" type="text" autofocus autocomplete="username"${invalid}>
        ${fieldError}
      </div>
      <div class="form-group">
        <label for="password">Password</label>
        <input tabindex="2" id="password" class="pf-c-form-control" name="password" type="password" autocomplete="current-password"${invalid}>
      </div>
      <div class="form-group">
        <input tabindex="4" class="pf-c-button pf-m-primary" name="login" id="kc-login" type="submit" value="Sign In">
      </div>
    </form>
    ${demo}`,
    realmDisplayName,
  );
}

/** Keycloak's "We are sorry..." page. */
export function errorPage(realmDisplayName: string, message: string, backUrl?: string): string {
  const back = backUrl
    ? `<p class="kc-message"><a href="${escapeHtml(backUrl)}">« Back to Application</a></p>`
    : "";
  return page(
    "We are sorry...",
    `    <h1 id="kc-page-title">We are sorry...</h1>
    <p class="kc-message" id="kc-error-message">${escapeHtml(message)}</p>
    ${back}`,
    realmDisplayName,
  );
}

/**
 * RP-initiated logout: oidc-provider hands over a form carrying its xsrf
 * token; we add `logout=yes` and submit it at once, so signing out of the
 * console never needs a second click (Keycloak skips it with id_token_hint too).
 */
export function logoutPage(realmDisplayName: string, form: string): string {
  return page(
    "Signing out",
    `    <h1 id="kc-page-title">Signing out…</h1>
    ${form}
    <noscript><p class="kc-message">JavaScript is off.</p><button id="kc-logout" type="submit" form="op.logoutForm" name="logout" value="yes">Sign out</button></noscript>
    <script>
      (function () {
        var form = document.getElementById("op.logoutForm");
        var input = document.createElement("input");
        input.type = "hidden"; input.name = "logout"; input.value = "yes";
        form.appendChild(input);
        form.submit();
      })();
    </script>`,
    realmDisplayName,
  );
}

export function loggedOutPage(realmDisplayName: string): string {
  return page("You are logged out", `    <h1 id="kc-page-title">You are logged out</h1>`, realmDisplayName);
}
