"""Reviews that improve the desk: case scoring rounds, the weekly mentor review, and the
requesters' satisfaction ratings with the kudos they leave.

Three sub-domains, each a package of its own (models, services, selectors, views, urls, admin,
demo), in one app because they share people and pages: a kudos is found in the mentor review
and collected with the ratings' kudos; a scored case links to the same "article from ticket".
The app sits beside the other feature apps: it reads tickets and their events, never another
feature app; insights reads its ratings for the CSAT figures.
"""
