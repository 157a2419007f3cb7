"""SCIM 2.0 (RFC 7643, RFC 7644) for the company's identity provider: its users and groups become
the portal's employees, teams, leads and admins through portal.directory. The protocol's
resources, filters and PATCH come from scim2-models; docs/directory.md explains the mapping."""
