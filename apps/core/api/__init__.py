"""REST API plumbing every app's API shares (each part its own module: DRF's settings import
them while DRF itself is still loading, so none may import the others or DRF's views).

- ``parsers``: bounded JSON bodies;
- ``filters``: ordering only by the fields a view declares;
- ``schema``: a schema that documents the error answers clients actually get.

Bad input answers 4xx, never 500: a JSON body nested thousands deep made the JSON reader raise
RecursionError, and ``?ordering=<any serializer field>`` reached the database as an ORDER BY on
a column that does not exist.
"""
