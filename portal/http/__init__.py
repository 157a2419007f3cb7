"""What HTTP handlers are given, below the domains: a JSON call (portal.http.call), a page view
(portal.http.view), the app's resource keys (portal.http.keys) and form errors worded for people
(portal.http.forms). The web shell (portal.web) builds the app, the route table and the
dispatchers on top of the domains; the domains' views and pages import only from here."""
