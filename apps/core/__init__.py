"""Small pieces every Switchboard app may use: errors for people, signed links, safe HTML.

It has no models and imports no other app, so it sits left of accounts in the dependency flow.
"""
