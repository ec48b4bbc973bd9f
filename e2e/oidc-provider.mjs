// A real OpenID Connect provider for Haven's single sign-on test: the npm `oidc-provider`
// package (a certified implementation), with one client (Haven) and its development login
// pages, where any login name signs in and becomes the account's verified e-mail address.
//
// usage: node oidc-provider.mjs PORT HAVEN_REDIRECT_URI CLIENT_SECRET
import Provider from "oidc-provider";

const [port, redirect, secret] = process.argv.slice(2);
if (!secret) {
  console.error("usage: node oidc-provider.mjs PORT HAVEN_REDIRECT_URI CLIENT_SECRET");
  process.exit(2);
}
const issuer = `http://localhost:${port}`;
const provider = new Provider(issuer, {
  clients: [{
    client_id: "haven",
    client_secret: secret,
    redirect_uris: [redirect],
    grant_types: ["authorization_code"],
    response_types: ["code"],
    token_endpoint_auth_method: "client_secret_basic",
  }],
  scopes: ["openid", "email"],
  claims: { openid: ["sub"], email: ["email", "email_verified"] },
  // Like Google and Entra ID: the e-mail claims ride in the ID token itself.
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  features: { devInteractions: { enabled: true } },
  async findAccount(ctx, id) {
    return { accountId: id, async claims() { return { sub: id, email: id, email_verified: true }; } };
  },
});
provider.listen(Number(port), () => console.log(`oidc provider listening on ${issuer}`));
