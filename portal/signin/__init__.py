"""Signing in to the web client: OpenID Connect's authorization code flow with PKCE against the
company's identity provider, the development sign-in page, and signing out. Above sessions (which
it opens) and auth (whose employees it provisions)."""
