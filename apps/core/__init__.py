"""Small pieces every Switchboard app may use: errors for people, signed links, safe HTML.

It imports no other app, so it sits left of accounts in the dependency flow.
"""
