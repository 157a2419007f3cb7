"""The company's directory: employees who join, move and leave, the teams and leads it keeps, and
the audit of every change it makes. Fed by SCIM (portal.scim), an org file (orgfile) or admins'
hand assignments; docs/directory.md states the rules."""
